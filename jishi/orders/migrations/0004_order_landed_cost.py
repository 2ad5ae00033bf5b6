from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_order_shipping_method'),
    ]

    operations = [
        migrations.AddField(
            model_name='order',
            name='destination_country',
            field=models.CharField(blank=True, default='', max_length=2, verbose_name='destination'),
        ),
        migrations.AddField(
            model_name='order',
            name='duty_total',
            field=models.DecimalField(decimal_places=3, default=0, max_digits=15, verbose_name='duties'),
        ),
        migrations.AddField(
            model_name='order',
            name='tax_total',
            field=models.DecimalField(decimal_places=3, default=0, max_digits=15, verbose_name='import taxes'),
        ),
        migrations.AddField(
            model_name='order',
            name='due_on_delivery',
            field=models.DecimalField(decimal_places=3, default=0, max_digits=15,
                                      verbose_name='due on delivery (estimate)'),
        ),
        migrations.AddField(
            model_name='order',
            name='landed_cost',
            field=models.JSONField(blank=True, default=dict, verbose_name='landed cost'),
        ),
    ]

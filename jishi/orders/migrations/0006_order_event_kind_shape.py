"""Refund events carry an amount and no status; status events the other way round. A migration of its
own: PostgreSQL will not alter a table whose rows the data step above just rewrote in one transaction."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0005_refund_hold_and_event_actors'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='orderevent',
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(('amount__isnull', True), ('kind', 'status')),
                                   models.Q(('amount__isnull', False), ('from_status', ''), ('kind', 'refund'),
                                            ('to_status', '')), _connector='OR'),
                name='order_event_kind_shape'),
        ),
    ]

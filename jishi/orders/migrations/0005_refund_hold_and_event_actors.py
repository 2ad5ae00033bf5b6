"""Order events say who acted and what happened as data; orders carry their refund hold.

Existing rows are read back once: a note starting "refund:" was a refund (its amount is parsed from the
note), an event whose actor was the buyer was the buyer's, one by a staff member the operator's, one by
another person the store's, one with nobody the system's. Orders with a refund request still running
are held.
"""

from decimal import Decimal, InvalidOperation

from django.db import migrations, models

ACTIVE_REQUESTS = ("open", "accepted", "return_shipped", "rejected", "escalated")


def forwards(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    Order = apps.get_model("orders", "Order")
    RefundRequest = apps.get_model("disputes", "RefundRequest")
    User = apps.get_model("accounts", "User")
    staff = set(User.objects.filter(is_staff=True).values_list("id", flat=True))
    changed = []
    for event in OrderEvent.objects.select_related("order").iterator(chunk_size=2000):
        if event.actor_id is None:
            event.by = "system"
        elif event.actor_id == event.order.buyer_id:
            event.by = "buyer"
        elif event.actor_id in staff:
            event.by = "operator"
        else:
            event.by = "store"
        if event.note.startswith("refund:"):
            money, _, reason = event.note.removeprefix("refund:").partition(" · ")
            currency, _, amount = money.strip().partition(" ")
            try:
                event.amount = Decimal(amount)
            except InvalidOperation:
                event.amount = Decimal(0)
            event.kind, event.currency, event.note = "refund", currency[:3], reason
            event.from_status = event.to_status = ""
        changed.append(event)
        if len(changed) >= 2000:
            OrderEvent.objects.bulk_update(changed, ["by", "kind", "amount", "currency", "note", "from_status",
                                                     "to_status"])
            changed = []
    if changed:
        OrderEvent.objects.bulk_update(changed, ["by", "kind", "amount", "currency", "note", "from_status",
                                                 "to_status"])
    held = RefundRequest.objects.filter(status__in=ACTIVE_REQUESTS).values("order_id")
    Order.objects.filter(pk__in=held).update(refund_hold=True)


def backwards(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    changed = []
    for event in OrderEvent.objects.filter(kind="refund").select_related("order"):
        event.note = (f"refund:{event.currency} {event.amount}" + (f" · {event.note}" if event.note else ""))[:500]
        event.from_status = event.to_status = event.order.status
        changed.append(event)
    OrderEvent.objects.bulk_update(changed, ["note", "from_status", "to_status"])


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_order_landed_cost'),
        ('disputes', '0001_initial'),
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='order',
            name='refund_hold',
            field=models.BooleanField(default=False, verbose_name='refund request running'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='kind',
            field=models.CharField(choices=[('status', 'Status change'), ('refund', 'Refund')], default='status',
                                   max_length=10),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='by',
            field=models.CharField(choices=[('buyer', 'Buyer'), ('store', 'Store'), ('operator', 'Marketplace'),
                                            ('system', 'System')], default='system', max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='orderevent',
            name='amount',
            field=models.DecimalField(blank=True, decimal_places=3, max_digits=15, null=True),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='currency',
            field=models.CharField(blank=True, max_length=3),
        ),
        migrations.AlterField(
            model_name='orderevent',
            name='to_status',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(forwards, backwards),
    ]

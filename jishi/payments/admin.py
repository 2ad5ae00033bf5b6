"""Operator views of payments: everything read-only (money moves only through the services), alerts
filterable and resolvable, and stuck webhook deliveries retried on demand."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from jishi.core import clock
from jishi.core.admin import ReadOnlyAdmin, add_index_alert
from jishi.payments import deliveries
from jishi.payments.models import (
    DeliveryStatus,
    Payment,
    PaymentAlert,
    Refund,
    WebhookDelivery,
    WebhookEvent,
)


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["id", "order", "status", "amount", "currency", "charge_amount", "charge_currency", "reason",
              "requested_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


add_index_alert("admin/payments/alerts_alert.html")  # open payment alerts, as a banner on the index


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "group", "provider", "status", "amount", "currency", "card_last4", "created_at"]
    list_filter = ["status", "provider", "currency"]
    search_fields = ["id", "reference", "group__id", "group__buyer__email"]
    list_select_related = ["group"]
    exclude = ["token"]
    inlines = [RefundInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "payment", "status", "amount", "currency", "charge_amount", "charge_currency",
                    "requested_by", "restock", "created_at"]
    list_filter = ["status", "requested_by", "currency"]
    search_fields = ["id", "reference", "order__id", "payment__id", "key"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "outcome", "payment", "received_at"]
    list_filter = ["outcome", "type", "provider"]
    search_fields = ["event_id", "detail"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "status", "attempts", "next_attempt_at", "last_response", "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["event_id"]
    exclude = ["body"]
    actions = ["retry_now"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("payments.change_webhookdelivery")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "body"]

    @admin.action(description=_("Send the selected deliveries again now"), permissions=["change"])
    def retry_now(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, next_attempt_at=clock.now())
        accepted = sum(1 for pk in ids if deliveries.attempt(pk))
        self.message_user(request, _("%(accepted)s of %(count)s deliveries were accepted.") % {
            "accepted": accepted, "count": len(ids)}, messages.INFO)


@admin.register(PaymentAlert)
class PaymentAlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "message", "payment", "group", "resolved"]
    list_filter = ["resolved", "kind"]
    search_fields = ["message", "payment__id", "group__id"]
    list_select_related = ["payment", "group"]
    readonly_fields = ["kind", "message", "details", "payment", "group", "created_at"]
    actions = ["mark_resolved"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark the selected alerts resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        count = queryset.update(resolved=True)
        self.message_user(request, _("%(count)s alerts resolved.") % {"count": count}, messages.SUCCESS)

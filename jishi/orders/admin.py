"""Operator views of order groups and orders: read-only, because status moves only through the services
(the state machine, events, stock and mail stay consistent); the operator may cancel unshipped orders."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from jishi.core.admin import ReadOnlyAdmin
from jishi.core.errors import DomainError
from jishi.orders import services
from jishi.orders.models import Order, OrderEvent, OrderGroup, OrderLine
from jishi.orders.rules import OPERATOR


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "title", "options", "unit_price", "currency", "quantity", "line_total"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class OrderInline(ReadOnlyInline):
    model = Order
    fields = ["id", "store", "status", "total", "currency", "charge_total"]
    readonly_fields = fields
    show_change_link = True



@admin.register(OrderGroup)
class OrderGroupAdmin(ReadOnlyAdmin):
    list_display = ["id", "buyer", "status", "charge_total", "charge_currency", "created_at", "expires_at"]
    list_filter = ["status", "charge_currency"]
    search_fields = ["id", "buyer__email"]
    inlines = [OrderInline]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "store", "buyer", "status", "total", "currency", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["id", "store__name", "store__slug", "buyer__email", "tracking_number"]
    list_select_related = ["store", "buyer"]
    inlines = [OrderLineInline, OrderEventInline]
    actions = ["cancel_orders"]

    def has_change_permission(self, request, obj=None):
        # Needed for the action; every field stays read-only.
        return request.user.has_perm("orders.change_order")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description=_("Cancel selected orders (before shipment)"), permissions=["change"])
    def cancel_orders(self, request, queryset):
        cancelled = 0
        for order in queryset:
            try:
                services.cancel_order(order=order, by=OPERATOR, actor=request.user,
                                      reason=str(_("Cancelled by the operator.")))
            except DomainError as error:
                self.message_user(request, f"#{order.pk}: {error.message}", messages.WARNING)
            else:
                cancelled += 1
        self.message_user(request, _("%(count)s orders cancelled; their stock is back on sale.") % {"count": cancelled},
                          messages.SUCCESS)

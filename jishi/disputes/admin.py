"""Refund requests in the admin: read-only, because steps move only through the services (deadlines, the
protection window, refunds and mail stay consistent). Decisions are made on the operator page it links to."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jishi.core.admin import ReadOnlyAdmin
from jishi.disputes.models import RefundRequest, RefundRequestEvent


class RefundRequestEventInline(admin.TabularInline):
    model = RefundRequestEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "by", "actor", "from_status", "to_status", "note", "due_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "store", "buyer", "status", "amount", "currency", "goods_return", "due_at",
                    "operator_page"]
    list_filter = ["status", "reason", "goods_return", "decision"]
    search_fields = ["id", "order__id", "store__name", "store__slug", "buyer__email"]
    list_select_related = ["order", "store", "buyer"]
    inlines = [RefundRequestEventInline]

    @admin.display(description=_("Arbitration"))
    def operator_page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("web:operator_refund_request", args=[obj.pk]),
                           _("Open the operator page"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "title": _("Refund requests (decide escalated ones on the operator page)")}
        return super().changelist_view(request, extra_context)

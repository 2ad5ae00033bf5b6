"""The operator's view of the money: commission rates (editable), the books and payouts (read only: money
moves only through the services), and the reconciliation report."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from jishi.core.admin import ReadOnlyAdmin, add_index_panel
from jishi.ledger.models import CommissionRate, Entry, Payout, PayoutAccount, Posting
from jishi.ledger.reconciliation import reconcile
from jishi.ledger.selectors import invalidate_commission_rates

add_index_panel("admin/ledger/index_panel.html")  # the reconciliation and tax reports, on the index



@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    """Rates apply to a category and everything under it; the row without a category is the platform default.
    New rates apply to orders placed from now on: each order keeps the rates it was placed with."""

    list_display = ["__str__", "category", "rate"]
    list_select_related = ["category"]
    raw_id_fields = ["category"]

    def has_delete_permission(self, request, obj=None):
        # The platform default stays: it can be changed, never removed.
        return obj is None or obj.category_id is not None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidate_commission_rates()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate_commission_rates()

    def delete_queryset(self, request, queryset):
        queryset.filter(category__isnull=False).delete()
        invalidate_commission_rates()


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    fields = ["account", "currency", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "memo", "order", "posted"]
    list_filter = ["kind", "posted"]
    search_fields = ["event_key", "memo"]
    date_hierarchy = "created_at"
    inlines = [PostingInline]
    show_full_result_count = False

    def get_urls(self):
        return [path("reconciliation/", self.admin_site.admin_view(self.reconciliation_view),
                     name="ledger_reconciliation"), *super().get_urls()]

    def reconciliation_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return render(request, "admin/ledger/reconciliation.html", {
            **self.admin_site.each_context(request), "title": _("Reconciliation"), "report": reconcile(),
            "opts": self.model._meta})


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "store", "amount", "currency", "status", "scheduled", "provider", "reference",
                    "failure_reason"]
    list_filter = ["status", "scheduled", "provider", "currency"]
    search_fields = ["store__name", "store__slug", "reference"]
    list_select_related = ["store"]


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    list_display = ["store", "holder", "masked", "updated_at", "updated_by"]
    search_fields = ["store__name", "store__slug", "holder"]
    list_select_related = ["store", "updated_by"]
    exclude = ["number"]
    readonly_fields = ["store", "holder", "masked", "updated_at", "updated_by"]

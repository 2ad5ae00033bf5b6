from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from jishi.core.errors import DomainError
from jishi.money import services
from jishi.money.models import Currency, ExchangeRate


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "minor_units", "is_active"]
    list_filter = ["is_active", "minor_units"]
    search_fields = ["code", "name"]
    list_editable = ["is_active"]
    readonly_fields = ["minor_units"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the key other rows point at; minor units come from ISO 4217.
        return ["code", "minor_units"] if obj else ["minor_units"]

    def save_model(self, request, obj, form, change):
        if not change:
            services.ensure_currency(obj.code)
            Currency.objects.filter(code=obj.code.upper()).update(name=obj.name, is_active=obj.is_active)
        else:
            super().save_model(request, obj, form, change)
        services.invalidate_rates()


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Rates are snapshots: the operator adds a new one; old ones stay for the orders priced with them."""

    list_display = ["currency", "rate", "as_of", "source", "created_at"]
    list_filter = ["source", "currency"]
    date_hierarchy = "as_of"
    search_fields = ["currency__code"]
    fields = ["currency", "rate", "as_of"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = services.record_rate_change(currency=obj.currency_id, rate=obj.rate, as_of=obj.as_of,
                                                source=f"operator:{request.user.email}")
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk
        self.message_user(request, _("Recorded the new rate; product price sorting was refreshed."))

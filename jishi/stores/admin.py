from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jishi.core.errors import DomainError
from jishi.stores import services
from jishi.stores.models import Invitation, Membership, Store, StoreEvent, StoreStatus


class SuspendForm(forms.Form):
    """The reason an operator gives when suspending stores (the admin's own form: stores never imports web)."""

    reason = forms.CharField(label=_("Reason shown to the store's members"), widget=forms.Textarea, max_length=2000)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class StoreEventInline(admin.TabularInline):
    model = StoreEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "data"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "base_currency", "status", "is_featured", "created_at"]
    list_filter = ["status", "is_featured", "country", "base_currency"]
    search_fields = ["name", "slug", "memberships__user__email"]
    readonly_fields = ["status", "suspension_reason", "suspended_at", "created_at", "updated_at"]
    list_editable = ["is_featured"]
    inlines = [MembershipInline, StoreEventInline]
    actions = ["suspend_stores", "reinstate_stores"]

    def has_delete_permission(self, request, obj=None):
        # A store is suspended, never deleted: its orders, payouts and ledger rows name it for good (the
        # database refuses too: ``Order.store`` protects it). Without this permission the admin offers no
        # "Delete selected stores" action and refuses the delete page.
        return False

    def get_readonly_fields(self, request, obj=None):
        # As in the seller centre: prices are in the store's currency once it has products.
        locked = ["base_currency"] if obj is not None and obj.products.exists() else []
        return [*self.readonly_fields, *locked]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # in the admin's transaction
        services.store_changed(store=obj, fields=set(form.changed_data))

    @admin.action(description=_("Suspend selected stores"), permissions=["change"])
    def suspend_stores(self, request, queryset):
        """Ask for the reason members will see, then suspend through the service (audit rows included)."""
        form = SuspendForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            for store in queryset.filter(status=StoreStatus.ACTIVE):
                try:
                    services.suspend_store(store=store, reason=form.cleaned_data["reason"], actor=request.user)
                except DomainError as error:
                    self.message_user(request, error.message, messages.ERROR)
                    return None
            self.message_user(request, _("Suspended; their products are hidden now."), messages.SUCCESS)
            return None
        return render(request, "admin/stores/suspend.html", {
            **self.admin_site.each_context(request), "title": _("Suspend stores"), "stores": queryset,
            "form": form, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta})

    @admin.action(description=_("Reinstate selected stores"), permissions=["change"])
    def reinstate_stores(self, request, queryset):
        for store in queryset.filter(status=StoreStatus.SUSPENDED):
            services.reinstate_store(store=store, actor=request.user)
        self.message_user(request, _("Reinstated."), messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["store", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["store__name", "user__email"]
    list_select_related = ["store", "user"]
    raw_id_fields = ["store", "user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "store", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "store__name"]
    list_select_related = ["store"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["store", "invited_by"]


@admin.register(StoreEvent)
class StoreEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "store", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["store__name", "actor__email"]
    list_select_related = ["store", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Seller centre: open a store, its dashboard and settings, the team, and invitations."""

from __future__ import annotations

import functools
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.catalog.selectors import count_store_products
from jishi.core.countries import country_choices, country_from_accept_language
from jishi.core.errors import DomainError, NotFound
from jishi.money.rules import quantize, to_decimal
from jishi.money.selectors import list_currency_codes
from jishi.orders.selectors import count_store_orders_by_status
from jishi.stores import services
from jishi.stores.selectors import (
    list_open_invitations,
    list_store_members,
    list_stores_for_member,
    store_has_products,
)
from jishi.web.access import store_access
from jishi.web.forms.errors import add_domain_errors
from jishi.web.forms.stores import InviteForm, OpenStoreForm, OpenStoreWithAccountForm, StoreSettingsForm
from jishi.web.views.accounts import refused, sign_up_and_sign_in

_LANGUAGE_COUNTRY = {"zh-hans": "CN", "en": "US"}


def _store_defaults(request) -> dict:
    """Country and currency for a new store: the account's country, else the browser's languages."""
    country = getattr(request.user, "country", "") or country_from_accept_language(
        request.headers.get("Accept-Language"),
        default=_LANGUAGE_COUNTRY.get(translation.get_language() or "en", "US"))
    return {"country": country, "base_currency": services.default_currency_for(country) or "USD"}


def open_store(request):
    """Open a store. A visitor without an account gives an email and a password on the same form and is
    signed in with the store open; either way the next page is the first product's form."""
    if not request.user.is_authenticated:
        return _open_store_with_account(request)
    form = OpenStoreForm(request.POST or None, initial=_store_defaults(request))
    if request.method == "POST" and form.is_valid():
        try:
            store = services.open_store(owner=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Your store is live! Add your first product."))
            return redirect("web:seller_product_add", store.slug)
    return render(request, "web/seller/stores/open.html", {"form": form, "currencies": _currency_of_countries()})


def _open_store_with_account(request):
    form = OpenStoreWithAccountForm(request.POST or None, initial=_store_defaults(request))
    refusal = None
    if request.method == "POST" and form.is_valid():
        store, refusal = sign_up_and_sign_in(request, form, lambda: services.open_store_with_account(
            **form.cleaned_data, language=translation.get_language() or "",
            currency=getattr(request, "display_currency", "")))
        if store:
            messages.success(request, _("Your store is live! Add your first product."))
            return redirect("web:seller_product_add", store.slug)
    response = render(request, "web/seller/stores/open.html",
                      {"form": form, "currencies": _currency_of_countries()})
    return refused(response, refusal) if refusal else response  # a throttled sign-up: 429, Retry-After


def _currency_of_countries() -> str:
    """country → currency, for the page to follow the country with the currency while it is untouched."""
    return _currency_map(tuple(list_currency_codes()))


@functools.lru_cache(maxsize=4)
def _currency_map(currencies: tuple[str, ...]) -> str:  # the marketplace's currencies, as the cache key
    return json.dumps({code: currency for code, _name in country_choices("en")
                       if (currency := services.default_currency_for(code))}, separators=(",", ":"))


@login_required
def seller_home(request):
    stores = list_stores_for_member(user=request.user)
    if len(stores) == 1:
        return redirect("web:seller_dashboard", stores[0].slug)
    return render(request, "web/seller/stores/home.html", {"stores": stores})


@login_required
def dashboard(request, slug: str):
    access = store_access(request, slug)
    counts = count_store_products(store=access.store)
    order_counts = count_store_orders_by_status(store=access.store) if access.can("view_orders") else None
    return render(request, "web/seller/stores/dashboard.html",
                  {"access": access, "counts": counts, "order_counts": order_counts})


@login_required
def store_settings(request, slug: str):
    access = store_access(request, slug, "edit_store")
    store = access.store
    locked = store_has_products(store)
    initial = {"name": store.name, "slug": store.slug, "description": store.description, "country": store.country,
               "base_currency": store.base_currency_id,
               "shipping_rate": str(quantize(to_decimal(store.shipping_rate), store.base_currency_id)),
               "import_terms": store.import_terms}
    form = StoreSettingsForm(request.POST or None, request.FILES or None, initial=initial, currency_locked=locked,
                             currency=store.base_currency_id)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if locked:
            data.pop("base_currency")
        # A form posted without the field leaves the rate alone; an empty one is checked (and refused).
        if "shipping_rate" not in request.POST:
            data["shipping_rate"] = None
        data["import_terms"] = data["import_terms"] or None
        data["logo"], data["banner"] = request.FILES.get("logo"), request.FILES.get("banner")
        try:
            store = services.update_store(access=access, **data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Store settings saved."))
            return redirect("web:store_settings", store.slug)
    return render(request, "web/seller/stores/settings.html", {"access": access, "form": form})


@login_required
def store_members(request, slug: str):
    access = store_access(request, slug, "manage_members")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(access=access, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("web:store_members", slug)
    members = list_store_members(store=access.store)
    invitations = list_open_invitations(store=access.store)
    return render(request, "web/seller/stores/members.html",
                  {"access": access, "form": form, "members": members, "invitations": invitations})


def _team_action(request, slug: str, action) -> None:
    access = store_access(request, slug, "manage_members")
    try:
        action(access)
    except NotFound:
        raise  # another store's member or invitation: the 404 page, not a message on this one
    except DomainError as error:
        messages.error(request, error.message)


@login_required
@require_POST
def member_role(request, slug: str, membership_id: int):
    _team_action(request, slug, lambda access: services.change_role(
        access=access, membership_id=membership_id, role=request.POST.get("role", "")))
    return redirect("web:store_members", slug)


@login_required
@require_POST
def member_remove(request, slug: str, membership_id: int):
    _team_action(request, slug, lambda access: services.remove_member(access=access, membership_id=membership_id))
    return redirect("web:store_members", slug)


@login_required
@require_POST
def invitation_revoke(request, slug: str, invitation_id: int):
    _team_action(request, slug, lambda access: services.revoke_invitation(access=access,
                                                                          invitation_id=invitation_id))
    return redirect("web:store_members", slug)


@login_required
def accept_invitation(request, token: str):
    invitation = services.get_open_invitation(token)
    error = None
    if request.method == "POST":
        try:
            services.accept_invitation(user=request.user, token=token)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Welcome to %(store)s!") % {"store": invitation.store.name})
            return redirect("web:seller_dashboard", invitation.store.slug)
    return render(request, "web/seller/stores/invitation.html", {"invitation": invitation, "error": error})


urlpatterns = [
    path("seller/", seller_home, name="seller_home"),
    path("seller/open/", open_store, name="open_store"),
    path("seller/<slug:slug>/", dashboard, name="seller_dashboard"),
    path("seller/<slug:slug>/settings/", store_settings, name="store_settings"),
    path("seller/<slug:slug>/members/", store_members, name="store_members"),
    path("seller/<slug:slug>/members/<int:membership_id>/role/", member_role, name="member_role"),
    path("seller/<slug:slug>/members/<int:membership_id>/remove/", member_remove, name="member_remove"),
    path("seller/<slug:slug>/invitations/<int:invitation_id>/revoke/", invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", accept_invitation, name="accept_invitation"),
]

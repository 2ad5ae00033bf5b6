"""The shopper's destination country for shipping estimates: their pick on a product page (kept in the
session, and in their profile when it has none), else their default address's, else their profile's."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from jishi.accounts.selectors import list_addresses
from jishi.accounts.services import update_preferences
from jishi.core.countries import is_country
from jishi.web.views.preferences import _next_url

SESSION_KEY = "ship_country"


def shopper_country(request) -> str:
    picked = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
    if picked:
        return picked
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        addresses = list_addresses(user=user)
        if addresses:
            return addresses[0].country
        return user.country or ""
    return ""


@require_POST
def set_country(request):
    code = request.POST.get("country", "").strip().upper()
    if is_country(code):
        request.session[SESSION_KEY] = code
        if request.user.is_authenticated and not request.user.country:
            update_preferences(user=request.user, country=code)
    return redirect(_next_url(request))


urlpatterns = [path("preferences/ship-to/", set_country, name="set_ship_country")]

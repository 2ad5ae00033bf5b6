"""The shopper's destination country for shipping estimates and import taxes, one of the three preferences
(with language and currency) changed in the top bar on every page, or on the profile page.

Signed out, the choice is kept in the session. Signed in, it is saved to the profile too, so it follows
the shopper to other browsers; their profile's country wins, then a choice made in this session before
signing in, then their default address's country."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.accounts.selectors import list_addresses
from jishi.accounts.services import update_preferences
from jishi.core.countries import is_country
from jishi.web.views.preferences import _next_url

SESSION_KEY = "ship_country"


def shopper_country(request) -> str:
    """The country to ship to (blank when unknown); worked out once per request."""
    known = getattr(request, "_shopper_country", None)
    if known is None:
        known = request._shopper_country = _find_country(request)
    return known


def chosen_country(request) -> str:
    """The country the shopper chose (their profile's, or this session's), without reading their
    addresses: what the top bar shows on every page at no query."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.country:
        return user.country
    return request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""


def _find_country(request) -> str:
    chosen = chosen_country(request)
    if chosen:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        addresses = list_addresses(user=user)
        if addresses:
            return addresses[0].country
    return ""


@require_POST
def set_country(request):
    code = request.POST.get("country", "").strip().upper()
    if is_country(code):
        request.session[SESSION_KEY] = code
        if request.user.is_authenticated:
            update_preferences(user=request.user, country=code)
    else:
        messages.error(request, _("Choose a country from the list."))
    return HttpResponseRedirect(_next_url(request))


urlpatterns = [path("preferences/ship-to/", set_country, name="set_ship_country")]

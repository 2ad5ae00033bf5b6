"""Per-request shopper preferences: display currency, and the saved language of a signed-in user."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from jishi.money.selectors import list_currency_codes

CURRENCY_COOKIE = "jishi_currency"


def display_currency_for(request) -> str:
    codes = list_currency_codes()
    user = getattr(request, "user", None)
    cookie = request.COOKIES.get(CURRENCY_COOKIE, "")
    if cookie in codes:
        return cookie
    if user is not None and user.is_authenticated and user.preferred_currency in codes:
        return user.preferred_currency
    return settings.DEFAULT_DISPLAY_CURRENCY


def _token_call_without_session(request) -> bool:
    """An API call that a bearer token authenticates and that carries no session cookie: the session's user
    is anonymous, so there is no saved language to apply and the display currency is an anonymous one."""
    return (settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.headers.get("Authorization", "")[:7].lower() == "bearer ")


class PreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _token_call_without_session(request):
            # What the general case below gives an anonymous caller, without loading the (empty) session and
            # its user, and without reading the currency list unless a currency cookie was sent. The API
            # chooses again once the token named the caller (``api.cart.display_currency``).
            cookie = request.COOKIES.get(CURRENCY_COOKIE, "")
            request.display_currency = (cookie if cookie and cookie in list_currency_codes()
                                        else settings.DEFAULT_DISPLAY_CURRENCY)
            return self.get_response(request)
        user = request.user
        # A saved language wins over Accept-Language when no explicit choice was made in this browser.
        if (user.is_authenticated and user.preferred_language
                and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
                and user.preferred_language in dict(settings.LANGUAGES)):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        request.display_currency = display_currency_for(request)
        return self.get_response(request)

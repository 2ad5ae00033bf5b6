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


class PreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # A saved language wins over Accept-Language when no explicit choice was made in this browser.
        if (user.is_authenticated and user.preferred_language
                and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
                and user.preferred_language in dict(settings.LANGUAGES)):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        request.display_currency = display_currency_for(request)
        return self.get_response(request)

"""Display currency choice: remembered in a cookie and, for a signed-in user, in the profile."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_POST

from jishi.accounts.middleware import CURRENCY_COOKIE
from jishi.accounts.services import update_preferences
from jishi.money.selectors import list_currency_codes
from jishi.web.redirects import safe_target


def _next_url(request) -> str:
    return safe_target(request, request.POST.get("next") or request.META.get("HTTP_REFERER") or "")


@require_POST
def set_currency(request):
    code = request.POST.get("currency", "").upper()
    response = HttpResponseRedirect(_next_url(request))
    if code in list_currency_codes():
        response.set_cookie(CURRENCY_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
        if request.user.is_authenticated:
            update_preferences(user=request.user, currency=code)
    return response


urlpatterns = [path("preferences/currency/", set_currency, name="set_currency")]


@require_POST
def set_language(request):
    """Django's language switch (cookie), and for a signed-in user the profile remembers it too."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        update_preferences(user=request.user, language=language)
    return response


urlpatterns.append(path("preferences/language/", set_language, name="set_language"))

"""The pages' one door for the two errors of a tenant-scoped load, as ``api.errors`` is the API's.

Selectors and services answer an outsider with ``NotFound`` and a member whose role falls short with
``PermissionDenied`` (``jishi.core.errors``). Raised by a page view and not caught there, they become the
site's 404 and 403 pages here, with the error's message (translated when it was raised, in the request's
language), so views load through ``access_*`` and never catch either. Every other ``DomainError`` is the
view's to render, inline on its form; one left uncaught is a bug and stays a 500.

The API maps every error to its JSON body itself (ninja catches inside its views, before any middleware
sees an exception); its requests are left alone here all the same, so no API client ever gets a page.
"""

from __future__ import annotations

from django.shortcuts import render

from jishi.core.errors import NotFound, PermissionDenied

# The app name every ``NinjaAPI.urls`` is included under, whatever the API's path or namespace.
API_APP_NAME = "ninja"


def _is_api(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and API_APP_NAME in match.app_names


class DomainErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _is_api(request):
            return None
        if isinstance(exception, NotFound):
            return render(request, "404.html", {"reason": exception.message}, status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"reason": exception.message}, status=403)
        return None

"""Answers the project gives before and after every app: requests carrying a NUL character are refused at the
door, and an error nothing else handled gets its last answer here.

- ``RefuseNullCharacters``: no text an API client sends may hold U+0000 (PostgreSQL cannot store it, and
  no name, address or search ever needs it). The path, the query string and a JSON body are checked once,
  here, before any route: 422 ``invalid`` naming each field. Pages need no such door: their forms refuse
  NUL field by field (Django's CharField does), and their query parameters are cleaned or ignored.
- ``server_error`` (Django's ``handler500``): a database that is away — restarting, failing over, locked
  past its timeout — is a 503 with ``Retry-After``, as the API's own handlers answer it, wherever it struck
  (a middleware loading the session, a page's view, the API before its router); anything else is the 500 it
  always was. API paths get the API's JSON error body, pages a plain page that needs neither the database
  nor the cache to render.
"""

from __future__ import annotations

import json
import sys

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.views import defaults

from jishi.api.errors import error_body
from jishi.core.database import is_unavailable, retry_after

API_PREFIX = "/api/"


def server_error(request, template_name: str = "500.html"):
    error = sys.exc_info()[1]
    api = request.path.startswith(API_PREFIX)
    if not is_unavailable(error):
        if api:
            return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
        return defaults.server_error(request, template_name)
    if api:
        response = JsonResponse(error_body("busy", "The marketplace is very busy; please try again in a moment."),
                                status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = retry_after()
    return response


NUL = "\x00"
NUL_MESSAGE = "Text may not contain NUL (U+0000) characters."
UNREADABLE = (RequestDataTooBig, SuspiciousOperation, MultiPartParserError, UnreadablePostError, BadRequest,
              UnicodeDecodeError)


def _nul_fields(value, path: str = "") -> list[str]:
    """The dotted names of every string (key or value) holding a NUL in a parsed JSON value."""
    if isinstance(value, str):
        return [path or "__all__"] if NUL in value else []
    if isinstance(value, dict):
        found = [f"{path}.{key}".lstrip(".") for key in value if isinstance(key, str) and NUL in key]
        for key, item in value.items():
            found += _nul_fields(item, f"{path}.{key}".lstrip("."))
        return found
    if isinstance(value, list):
        return [name for index, item in enumerate(value) for name in _nul_fields(item, f"{path}.{index}".lstrip("."))]
    return []


def _query_fields(request) -> list[str]:
    if "%00" not in request.META.get("QUERY_STRING", ""):
        return []  # the common case, without parsing the query string here as well as in the route
    try:
        data = request.GET
    except UNREADABLE:
        return []  # too many fields and the like: the API's own handlers answer it (400), as before
    return [key for key, values in data.lists() if NUL in key or any(NUL in value for value in values)]


def _body_fields(request) -> list[str]:
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type != "application/json":
        return []  # multipart is for files, which are not text; the parser refuses other bodies
    try:
        body = request.body or b"null"
        # In JSON a NUL can only be written as an escape: a body without one is read once, by the route.
        return _nul_fields(json.loads(body)) if b"\\u0000" in body else []
    except (ValueError, *UNREADABLE):
        return []  # unreadable bodies are the parser's to refuse (400), as before


class RefuseNullCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        fields = (["path"] if NUL in request.path_info else []) + _query_fields(request) + _body_fields(request)
        if not fields:
            return self.get_response(request)
        return JsonResponse(error_body("invalid", "Some fields are not valid.",
                                       {name: [NUL_MESSAGE] for name in dict.fromkeys(fields)}), status=422)

"""The project's last answer to an error nothing else handled (Django's ``handler500``): a database that is
away — restarting, failing over, locked past its timeout — is a 503 with ``Retry-After``, as the API's own
handlers answer it, wherever it struck (a middleware loading the session, a page's view, the API before
its router); anything else is the 500 it always was. API paths get the API's JSON error body, pages a
plain page that needs neither the database nor the cache to render.
"""

from __future__ import annotations

import sys

from django.http import HttpResponse, JsonResponse
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

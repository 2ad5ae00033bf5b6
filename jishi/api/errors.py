"""One error body for every API failure: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import Error as DatabaseErrorBase
from django.http import Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from jishi.api.schemas import ErrorOut
from jishi.core.database import is_unavailable, retry_after
from jishi.core.errors import DomainError, from_django_validation

logger = logging.getLogger(__name__)

_HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
               422: "invalid", 429: "throttled", 503: "busy"}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source, parts = parts[0], parts[1:]
        # A body schema is nested under the handler's parameter name; clients never see it.
        if source in {"body", "form"} and len(parts) > 1:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for item in errors:
        message = str(item.get("msg", "Invalid value.")).removeprefix("Value error, ")
        fields.setdefault(_field_name(item.get("loc", ())), []).append(message)
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, code: str, message: str, fields: dict | None = None):
        return api.create_response(request, error_body(code, message, fields), status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        response = respond(request, exc.status, exc.code, exc.message, exc.fields)
        if getattr(exc, "retry_after", None):  # accounts.throttle.Throttled
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def invalid_input(request, exc: ValidationError):
        return respond(request, 422, "invalid", "Some fields are not valid.", validation_fields(exc.errors))

    @api.exception_handler(DjangoValidationError)
    def invalid_model(request, exc: DjangoValidationError):
        err = from_django_validation(exc)
        return respond(request, 422, err.code, err.message, err.fields)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request, exc):
        return respond(request, 401, "not_authenticated", "Sign in or send a valid Bearer token.")

    @api.exception_handler(AuthorizationError)
    def not_authorized(request, exc):
        return respond(request, 403, "permission_denied", "You may not do that.")

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        response = respond(request, 429, "throttled", "Too many requests; try again shortly.")
        if exc.wait:
            response["Retry-After"] = str(max(1, round(exc.wait)))
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code
        return respond(request, status, _HTTP_CODES.get(status, "error"), str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", "Not found.")

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, "permission_denied", "You may not do that.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, 413, "payload_too_large", "The request body is too large.")

    # A body that cannot be read (multipart without a boundary or with broken parts, too many fields, a
    # connection that broke off) is the client's mistake: 400, as Django answers it on pages.
    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(SuspiciousOperation)
    @api.exception_handler(BadRequest)
    @api.exception_handler(UnreadablePostError)
    def unreadable_body(request, exc):
        return respond(request, 400, "bad_request", "The request body could not be read.")

    @api.exception_handler(DatabaseErrorBase)
    def database_unavailable(request, exc: DatabaseErrorBase):
        # The database restarting, failing over or locked past its timeout is not a bug: the client retries
        # after a moment (503, Retry-After, the usual body). Anything else a query raises is ours: 500.
        if not is_unavailable(exc):
            return server_error(request, exc)
        logger.warning("Database unavailable: %s", exc)
        response = respond(request, 503, "busy", "The marketplace is very busy; please try again in a moment.")
        response["Retry-After"] = retry_after()
        return response

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("Unhandled API error", exc_info=exc)
        return respond(request, 500, "server_error", "Something went wrong on our side.")


# --- the error answers each operation declares in the OpenAPI spec -----------------------------------

# When each shared answer comes; an operation's own docstring tells its domain reasons (409s and the like).
ERROR_DESCRIPTIONS = {
    400: "The body could not be read: malformed JSON, form or multipart data.",
    401: "Not signed in: send `Authorization: Bearer <token>` or a session cookie.",
    403: "Signed in, but not allowed: the store role does not permit it, or the session's CSRF token is missing.",
    404: "Nothing with this id or slug that the caller may see.",
    409: "The request conflicts with the current state (see the error code).",
    413: "The request body is too large.",
    422: "Some fields are not valid: `fields` names each one with its messages.",
    429: "Too many requests: wait the `Retry-After` seconds.",
    502: "The payment provider did not answer; nothing was changed.",
    503: "The marketplace is busy; retry shortly.",
}

_BODY_SOURCES = {"body", "form", "file"}


def error_statuses(operation) -> set[int]:
    """The shared error answers an operation can give, from its route, its inputs, its auth and throttles:
    400/413 with a body; 422 with any input; 401/403 with auth; 404 with ids in the path; 429 when
    throttled; 503 anywhere (a database past its lock timeout)."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    statuses = {503}
    if sources & _BODY_SOURCES:
        statuses |= {400, 413}
    if sources:
        statuses.add(422)
    if operation.auth_callbacks:
        statuses |= {401, 403}
    if "{" in operation.path:
        statuses.add(404)
    if operation.throttle_objects:
        statuses.add(429)
    return statuses


def operations(api: NinjaAPI):
    """Every operation mounted on ``api``, with the auth and throttles it has once bound to it."""
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            yield from path_view.operations


def declare_error_responses(api: NinjaAPI) -> None:
    """Merge the shared error answers into every operation's own ``response=`` declarations, so the spec
    names each status an operation can answer, with the one error body (``ErrorOut``). Run once, after
    every router is added."""
    for operation in operations(api):
        declared = operation.response_models
        for status in sorted(error_statuses(operation) - set(declared)):
            declared[status] = operation._create_response_model(ErrorOut)
        descriptions = {status: {"description": text} for status, text in ERROR_DESCRIPTIONS.items()
                        if status in declared}
        operation.openapi_extra = {**(operation.openapi_extra or {}), "responses": descriptions}

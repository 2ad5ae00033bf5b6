"""The one domain exception. Services raise it; the API and the web forms render it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """A rule of the marketplace refused a request.

    ``code`` is a stable machine-readable string (``store.slug_taken``); ``message`` is translated
    text for people; ``fields`` maps input field names to their messages. ``status`` is the HTTP
    status the API answers with.
    """

    status = 422

    def __init__(self, code: str, message: str, *, fields: Mapping[str, Sequence[str]] | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        if status is not None:
            self.status = status

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, fields={self.fields!r})"


class NotFound(DomainError):
    status = 404

    def __init__(self, code: str = "not_found", message: str = "Not found."):
        super().__init__(code, message)


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, code: str = "permission_denied", message: str = "You may not do that."):
        super().__init__(code, message)


def field_error(code: str, field: str, message: str) -> DomainError:
    return DomainError(code, message, fields={field: [message]})


def from_django_validation(error, code: str = "invalid") -> DomainError:
    """Turn a django ``ValidationError`` (from ``full_clean``) into a DomainError with per-field messages."""
    from django.core.exceptions import NON_FIELD_ERRORS

    if hasattr(error, "message_dict"):
        fields = {("__all__" if k == NON_FIELD_ERRORS else k): v for k, v in error.message_dict.items()}
    else:
        fields = {"__all__": list(error.messages)}
    first = next(iter(fields.values()))[0] if fields else str(error)
    return DomainError(code, first, fields=fields)

"""API authentication: a personal access token (``Authorization: Bearer …``) or the browser session."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from jishi.accounts import throttle
from jishi.accounts.selectors import get_user_for_token


def _token_user(request, token: str):
    """The user of a bearer token; a wrong one counts against the caller's address, and an address held
    back for too many is refused (429) before the token is even looked up."""
    address = throttle.client_address(request)
    throttle.ensure_bearer_allowed(address=address)
    user = get_user_for_token(token)
    if user is None:
        throttle.record_bad_token(address=address)
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = _token_user(request, token)
        if user is not None:
            request.user = user
        return user


class SessionUser(SessionAuth):
    """The browser session; unsafe methods still need the CSRF token, as on pages."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


token_or_session = [TokenAuth(), SessionUser()]


def optional_user(request):
    """The caller on a public route (``auth=None``): token or session user, else None."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return _token_user(request, header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None

"""API authentication: a personal access token (``Authorization: Bearer …``) or the browser session."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from jishi.accounts.selectors import get_user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = get_user_for_token(token)
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
        return get_user_for_token(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None

"""The sign-in forms' throttle, shared by the shop's login page and the operator's admin login."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from jishi.accounts import throttle
from jishi.core.errors import DomainError


class ThrottledSignInMixin:
    """For an ``AuthenticationForm``: refuses while a failure backoff holds the email at this address
    (``self.throttled`` then holds the error, for a 429 answer), counts failures, forgets them on success."""

    throttled: DomainError | None = None

    def clean(self):
        email, address = self.cleaned_data.get("username") or "", throttle.client_address(self.request)
        try:
            throttle.ensure_sign_in_allowed(email=email, address=address)
        except DomainError as error:
            self.throttled = error
            raise forms.ValidationError(error.message, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(email=email, address=address)
            raise
        if self.get_user() is not None:
            throttle.record_success(email=email, address=address)
        return cleaned


class AdminLoginForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The operator's admin login, throttled like the shop's."""

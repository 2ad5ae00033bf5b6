"""The registry of payment providers, by name. ``PAYMENT_PROVIDER`` names the one new payments use; a
webhook names its provider in its URL, so payments opened before a switch still settle."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from jishi.core.errors import NotFound
from jishi.payments.providers.base import PaymentProvider
from jishi.payments.providers.sandbox import SandboxProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {SandboxProvider.name: SandboxProvider}


def register(provider_class: type[PaymentProvider]) -> type[PaymentProvider]:
    PROVIDERS[provider_class.name] = provider_class
    return provider_class


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (the configured one when omitted); ``payment.unknown_provider`` (404)."""
    provider_class = PROVIDERS.get(name or settings.PAYMENT_PROVIDER)
    if provider_class is None:
        raise NotFound("payment.unknown_provider", _("No such payment provider."))
    return provider_class()

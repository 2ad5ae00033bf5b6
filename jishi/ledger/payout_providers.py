"""Payout providers: how money reaches a seller's bank.

A provider gets a payout that is already in transit in the ledger and answers with its reference. It
reports the outcome later, as banks do, by calling ``ledger.payouts.settle_payout`` or ``fail_payout``
(from a webhook view or, for the sandbox, a job). A real provider is one more class here or in its own
package, named by the ``PAYOUT_PROVIDER`` setting.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from jishi.core.jobs import enqueue


class PayoutProvider(Protocol):
    name: str

    def send(self, *, payout, account_number: str) -> str:
        """Start the transfer of ``payout`` to ``account_number``; returns the provider's reference."""


class SandboxPayoutProvider:
    """Pays out in a job after commit: every account succeeds except numbers ending in ``0000``, which the
    sandbox bank refuses (to try failures)."""

    name = "sandbox"
    REFUSED_SUFFIX = "0000"

    def send(self, *, payout, account_number: str) -> str:
        from jishi.ledger.tasks import finish_sandbox_payout

        refused = account_number.endswith(self.REFUSED_SUFFIX)
        enqueue(finish_sandbox_payout, payout.id, refused)
        return f"sandbox_po_{payout.id}"


def get_payout_provider() -> PayoutProvider:
    return import_string(settings.PAYOUT_PROVIDER)()

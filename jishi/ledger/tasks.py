"""Celery entry points for the ledger; each only calls a service."""

from celery import shared_task
from django.utils.translation import gettext_noop

from jishi.ledger import payouts


@shared_task(name="jishi.ledger.tasks.pay_out_due_stores")
def pay_out_due_stores() -> int:
    return len(payouts.pay_out_due_stores())


@shared_task(name="jishi.ledger.tasks.send_payout")
def send_payout(payout_id: int) -> str:
    return payouts.send_payout(payout_id=payout_id).reference


@shared_task(name="jishi.ledger.tasks.finish_sandbox_payout")
def finish_sandbox_payout(payout_id: int, refused: bool) -> str:
    if refused:
        return payouts.fail_payout(payout_id=payout_id,
                                   reason=gettext_noop("The bank refused the account number.")).status
    return payouts.settle_payout(payout_id=payout_id).status

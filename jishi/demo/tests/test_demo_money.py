"""The demo's money: payments, releases less commission, refunds and payouts, and books that reconcile."""

import pytest
from django.core.management import call_command

from jishi.ledger.models import EntryKind, Payout, PayoutStatus
from jishi.ledger.reconciliation import reconcile
from jishi.ledger.selectors import Entry
from jishi.orders.models import OrderLine

pytestmark = pytest.mark.django_db


def test_the_demo_history_moves_money_and_the_books_reconcile(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # jobs run after commit, as in `jishi demo`
        call_command("demo", products=300, no_images=True)
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert {EntryKind.CAPTURE, EntryKind.RELEASE, EntryKind.REFUND, EntryKind.PAYOUT,
            EntryKind.PAYOUT_SETTLED, EntryKind.PAYOUT_FAILED} <= kinds
    assert Payout.objects.filter(status=PayoutStatus.PAID, scheduled=True).exists()
    assert Payout.objects.filter(status=PayoutStatus.FAILED).exists()  # the account the sandbox bank refuses
    assert OrderLine.objects.values("commission_rate").distinct().count() >= 2
    report = reconcile()
    assert report.ok, report.problems
    capsys.readouterr()
    call_command("ledger", "check")
    assert capsys.readouterr().out.startswith("ledger ok")

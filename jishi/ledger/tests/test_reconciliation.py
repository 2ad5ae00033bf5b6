"""The operator's reconciliation: `jishi ledger check` and the admin report, with the cross-checks of
each order's escrow."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jishi.cli import main
from jishi.ledger.models import Account, AccountKind, Entry, EntryKind, Posting
from jishi.ledger.reconciliation import reconcile
from jishi.orders.models import Order, OrderStatus
from jishi.payments.alerts import raise_alert
from jishi.payments.models import AlertKind

pytestmark = pytest.mark.django_db


def test_sound_books_reconcile_and_the_command_says_so(money, capsys):
    report = reconcile()
    assert report.ok, report.problems
    assert [(row.order_id, row.amount.amount) for row in report.open_escrow] == [(money.waiting.id, 200)]
    assert str(report.escrow_total["CNY"].amount) == "200.00"
    call_command("ledger", "check")
    out = capsys.readouterr().out
    assert out.startswith("ledger ok: 3 entries") and out.count("\n") == 1


def test_an_unsealed_entry_makes_the_check_fail_with_a_non_zero_exit(money, capsys):
    Entry.objects.create(kind=EntryKind.CAPTURE, event_key="capture:payment:half-written")  # the triggers allow it
    with pytest.raises(CommandError) as failed:
        call_command("ledger", "check")
    assert failed.value.returncode == 1
    assert "1 problem(s)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["ledger", "check"])
    assert exited.value.code == 1
    assert "1 entries were left unsealed" in capsys.readouterr().err


def test_the_cli_passes_ledger_through(money, capsys):
    main(["ledger", "check"])  # no SystemExit: everything reconciles
    assert "ledger ok" in capsys.readouterr().out


def test_a_closed_order_still_holding_escrow_is_a_problem(money):
    # Cancelled without its refund (what a bug in a refund path would leave): the money is stuck.
    Order.objects.filter(pk=money.waiting.pk).update(status=OrderStatus.CANCELLED)
    report = reconcile()
    assert not report.ok and report.check.ok
    assert any(f"order {money.waiting.id} is cancelled but holds" in p for p in report.problems)
    assert "1 order problem(s)" in report.summary()


def test_an_escrow_moved_by_anything_but_capture_release_or_refund_is_a_problem(money):
    escrow = Account.objects.get(kind=AccountKind.ESCROW, order=money.done)
    cash = Account.objects.get(kind=AccountKind.CASH, currency="CNY")  # the completed order was paid in CNY
    entry = Entry.objects.create(kind=EntryKind.PAYOUT, event_key="payout:odd")
    Posting.objects.bulk_create([Posting(entry=entry, account=escrow, currency="CNY", amount=-100),
                                 Posting(entry=entry, account=cash, currency="CNY", amount=100)])
    Entry.objects.filter(pk=entry.pk).update(posted=True)
    assert any("the wrong way" in p for p in reconcile().problems)


def test_the_admin_shows_the_report_linked_from_the_index(admin_client, money):
    index = admin_client.get("/admin/").content.decode()
    assert "/admin/ledger/entry/reconciliation/" in index
    page = admin_client.get("/admin/ledger/entry/reconciliation/").content.decode()
    assert "The books reconcile." in page and "Escrow per open order" in page and f"#{money.waiting.id}" in page
    assert "Seller payable" in page and "950.00" in page
    assert "Open payment alerts" in page and "payment alert needs your attention" not in page


def test_the_admin_report_links_the_open_payment_alerts(admin_client, money):
    raise_alert(kind=next(iter(AlertKind.values)), message="Amount does not match")
    page = admin_client.get("/admin/ledger/entry/reconciliation/").content.decode()
    assert "1 payment alert needs your attention" in page and "/admin/payments/paymentalert/?resolved__exact=0" in page


def test_the_report_is_for_staff_with_ledger_access_only(client, money):
    client.force_login(money.owner)
    assert client.get("/admin/ledger/entry/reconciliation/").status_code == 302

"""The duties-and-taxes report across periods: a refund counts in the period it is made; of tax collected
in an earlier period it is a correction of that period, listed with the day the tax was collected; a
period never owes a negative amount (the rest is a credit); a period once reported never changes.

A store in Hangzhou (CNY) and one in Kyoto (JPY) sell to Lyon under the EU's IOSS. At these rates
EUR 1 = CNY 8 = JPY 160; France charges a flat EUR 3 duty per tariff line and 20 % VAT on value + duty."""

import datetime as dt

import pytest
from django.test import TestCase

from jishi.core import clock
from jishi.ledger.reconciliation import reconcile
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.payments import sandbox
from jishi.tax.selectors import authority_totals, tax_owed
from tests.factories import AddressFactory, UserFactory, buy_now, make_product, open_store_for, store_refund

pytestmark = pytest.mark.django_db

REPORT = "/admin/tax/destinationrule/report/"


def cny(amount) -> Money:
    return Money(amount, "CNY")


def eur(amount) -> Money:
    return Money(amount, "EUR")


@pytest.fixture
def lyon(rates):
    _store, tea_access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    _kyoto, ink_access = open_store_for(name="Kyoto Ink", currency_code="JPY", country="JP")
    buyer = UserFactory()
    address = AddressFactory(user=buyer, country="FR", city="Lyon", postal_code="69001")
    variants = {"tea": make_product(tea_access, title="Dragon Well", price="400.00", stock=10).variants.get(),
                "cup": make_product(tea_access, title="Tea cup", price="100.00", stock=10).variants.get(),
                "ink": make_product(ink_access, title="Sumi ink", price="6000", stock=10).variants.get()}
    start = clock.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    periods = ((start, start + dt.timedelta(days=30)), (start + dt.timedelta(days=30), start + dt.timedelta(days=60)))

    def bought(name: str, *, day: int):
        """Bought and paid on ``day`` of the two periods (0 is the first day of the first)."""
        with clock.frozen(start + dt.timedelta(days=day, hours=10)):
            group = buy_now(buyer, variants[name], 1, charge_currency="EUR", address=address)
            with TestCase.captureOnCommitCallbacks(execute=True):
                sandbox.pay(group)
        return group.orders.get()

    return bought, periods, start


def _report(period):
    since, until = period
    return {(row.country, row.amount.currency): row for row in tax_owed(since=since, until=until)}


def test_a_refund_in_a_later_period_is_a_correction_and_never_makes_that_period_owe_less_than_nothing(lyon):
    bought, (november, december), start = lyon
    tea = bought("tea", day=1)  # CNY 400 = EUR 50: duty EUR 3, VAT EUR 10.60 → CNY 108.80
    assert cny(tea.duty_total + tea.tax_total) == cny("108.80")
    [first] = _report(november).values()
    assert (first.collected, first.refunded, first.corrections, first.amount) == (
        cny("108.80"), cny(0), cny(0), cny("108.80"))

    cup = bought("cup", day=31)  # CNY 100 = EUR 12.50: duty EUR 3, VAT EUR 3.10 → CNY 48.80
    assert cny(cup.duty_total + cup.tax_total) == cny("48.80")
    with clock.frozen(start + dt.timedelta(days=32)):
        store_refund(tea, order_money(tea).refundable)  # all of November's order back, in December
        store_refund(cup, cny("50.00"))  # part of December's own order

    row = _report(december)["FR", "CNY"]
    cup_back = order_money(cup).tax_refunded  # 48.80 × 50 / 148.80, rounded half-up
    assert cup_back == cny("16.40")
    assert row.collected == cny("48.80") and row.orders == 1
    assert row.refunded == cup_back  # of tax collected in the same period
    assert row.corrections == cny("108.80")  # of November's tax
    assert row.amount == cny(0) and row.credit == cny("76.40")  # never a negative amount owed
    [correction] = row.corrected
    assert (correction.order_id, correction.collected_on) == (tea.id, (start + dt.timedelta(days=1)).date())
    assert (correction.amount, correction.amount_local) == (cny("108.80"), eur("13.60"))
    assert row.amount_local == eur(0) and row.credit_local == eur("9.55")
    [france] = authority_totals(list(_report(december).values()))
    assert (france.amount, france.credit) == (eur(0), eur("9.55"))

    # November, reported again after December's refunds, is what it was: a filed return never changes.
    again = _report(november)["FR", "CNY"]
    assert (again.collected, again.refunded, again.corrections, again.amount) == (
        cny("108.80"), cny(0), cny(0), cny("108.80"))
    # Both months as one period: every refund is of tax collected in it.
    whole = tax_owed(since=november[0], until=december[1])[0]
    assert (whole.collected, whole.refunded, whole.corrections) == (cny("157.60"), cny("125.20"), cny(0))
    assert whole.amount == cny("32.40") and not whole.credit
    assert check_ledger().ok and not reconcile().problems


def test_an_authority_owes_its_periods_net_across_currencies_and_its_credit_only_beyond_that(lyon):
    bought, (_november, december), start = lyon
    tea = bought("tea", day=2)
    ink = bought("ink", day=40)  # JPY 6000 = EUR 37.50: duty EUR 3, VAT EUR 8.10 → JPY 1,776
    assert Money(ink.duty_total + ink.tax_total, "JPY") == Money(1776, "JPY")
    with clock.frozen(start + dt.timedelta(days=41)):
        store_refund(tea, order_money(tea).refundable)

    rows = _report(december)
    cny_row, jpy_row = rows["FR", "CNY"], rows["FR", "JPY"]
    # The CNY row alone would go negative: it owes nothing and shows the credit.
    assert (cny_row.collected, cny_row.corrections, cny_row.amount, cny_row.credit) == (
        cny(0), cny("108.80"), cny(0), cny("108.80"))
    assert jpy_row.amount_local == eur("11.10")
    # France is owed EUR 11.10 − 13.60 for December: nothing, with EUR 2.50 to claim back.
    [france] = authority_totals(list(rows.values()))
    assert (france.amount, france.credit) == (eur(0), eur("2.50"))


def test_the_report_page_and_csv_show_corrections_and_credit_apart(lyon, admin_client):
    bought, (_november, december), start = lyon
    tea = bought("tea", day=3)
    with clock.frozen(start + dt.timedelta(days=35)):
        store_refund(tea, order_money(tea).refundable)
    since, until = december[0].date(), (december[1] - dt.timedelta(days=1)).date()

    page = admin_client.get(REPORT, {"since": since.isoformat(), "until": until.isoformat()}).content.decode()
    assert "Corrections to earlier periods" in page
    assert f"#{tea.id}" in page and (start + dt.timedelta(days=3)).date().isoformat() in page
    assert "<strong>0.00</strong>" in page and "108.80" in page and "credit 13.60 EUR" in page
    assert "-108.80" not in page and "-13.60" not in page
    csv = admin_client.get(REPORT, {"since": since.isoformat(), "until": until.isoformat(), "format": "csv"})
    header, row = csv.content.decode().strip().splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert (values["collected"], values["refunded"], values["owed"]) == ("0.00", "0.00", "0.00")
    assert (values["corrections"], values["credit"], values["credit_local"]) == ("108.80", "108.80", "13.60")

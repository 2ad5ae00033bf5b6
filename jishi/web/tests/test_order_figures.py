"""Every money figure a store or a buyer reads about an order, on its page and in the API, is the figure of
the app that owns it: the order for what was priced, tax for the duties and taxes collected, the ledger for
what was refunded and what the store keeps. Five orders: domestic, IOSS to France (collected at checkout),
DAP to France (due on delivery), a partial refund before release, a refund after release.

A store in Hangzhou sells in CNY at 5 % commission with free shipping. At these rates EUR 1 = CNY 8 and
USD 1 = CNY 6.40; France charges a flat EUR 3 duty per tariff line and 20 % VAT on value + duty, at
checkout for parcels up to EUR 150."""

import re

import pytest
from django.test import TestCase

from jishi.ledger.selectors import order_money, seller_share
from jishi.ledger.tests.conftest import complete
from jishi.money.rules import Money
from jishi.payments import sandbox
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for, store_refund

pytestmark = pytest.mark.django_db


def cny(amount) -> Money:
    return Money(amount, "CNY")


@pytest.fixture
def tea(rates):
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    owner = store.memberships.get().user
    buyer = UserFactory(name="Claire Martin")
    home = AddressFactory(user=buyer, country="CN", city="Hangzhou", postal_code="310013")
    lyon = AddressFactory(user=buyer, country="FR", city="Lyon", postal_code="69001")

    def order(price: str, quantity: int, *, to=home, charge_currency="CNY"):
        """Placed and paid through the sandbox gateway."""
        variant = make_product(access, title="Dragon Well", price=price, stock=10).variants.get()
        group = buy_now(buyer, variant, quantity, charge_currency=charge_currency, address=to)
        with TestCase.captureOnCommitCallbacks(execute=True):
            sandbox.pay(group)
        return group.orders.get()

    return type("Tea", (), {"store": store, "access": access, "owner": owner, "buyer": buyer, "home": home,
                            "lyon": lyon, "order": staticmethod(order)})


# --- reading the figures as people read them -----------------------------------------------------------


def seller_page(client, tea, order) -> str:
    client.force_login(tea.owner)
    response = client.get(f"/seller/{tea.store.slug}/orders/{order.id}/")
    assert response.status_code == 200
    return response.content.decode()


def buyer_page(client, tea, order) -> str:
    client.force_login(tea.buyer)
    response = client.get(f"/orders/{order.id}/")
    assert response.status_code == 200
    return response.content.decode()


def figure(page: str, name: str) -> str | None:
    """The amount the seller page shows on its ``order-<name>`` line (``None`` when there is no such line)."""
    found = re.search(rf'<dd class="[^"]*\border-{name}\b[^"]*">(.*?)</dd>', page, re.S)
    return found.group(1).strip() if found else None


def buyer_figure(page: str, name: str) -> str | None:
    found = re.search(rf'<div class="order-{name}"><dt>.*?</dt><dd>(.*?)</dd>', page, re.S)
    return found.group(1).strip() if found else None


def store_api(client, tea, order) -> dict:
    response = client.get(f"/api/v1/stores/{tea.store.slug}/orders/{order.id}", **bearer(tea.owner))
    assert response.status_code == 200
    return response.json()


def buyer_api(client, tea, order) -> dict:
    response = client.get(f"/api/v1/orders/{order.id}", **bearer(tea.buyer))
    assert response.status_code == 200
    return response.json()


def api_figures(body: dict) -> tuple:
    return (body["currency"], body["refunded"], body["tax_to_authority"], body["commission"], body["seller_net"],
            body["released"])


def assert_is_the_ledgers(order, *, commission: str, net: str) -> None:
    """Once released, the ledger charged and credited exactly what was shown before."""
    money = order_money(order)
    assert money.commission_charged - money.commission_returned == cny(commission)
    assert money.seller_net == cny(net)


# --- a domestic order ------------------------------------------------------------------------------------


def test_seller_page_figures_domestic_order(client, tea):
    order = tea.order("100.00", 2)

    page = seller_page(client, tea, order)

    assert (figure(page, "items"), figure(page, "shipping"), figure(page, "total")) == (
        "CN¥200.00", "CN¥0.00", "CN¥200.00")
    assert figure(page, "duty") is None and figure(page, "import-tax") is None
    assert figure(page, "refunded") is None and figure(page, "tax-authority") is None
    assert (figure(page, "commission"), figure(page, "net")) == ("−CN¥10.00", "CN¥190.00")
    assert "Credited to your balance when receipt is confirmed" in page
    complete(order, tea.access)
    assert_is_the_ledgers(order, commission="10.00", net="190.00")
    after = seller_page(client, tea, order)
    assert (figure(after, "commission"), figure(after, "net")) == ("−CN¥10.00", "CN¥190.00")
    assert "Credited to your balance." in after


def test_api_figures_domestic_order(client, tea):
    order = tea.order("100.00", 2)

    before = store_api(client, tea, order)

    assert api_figures(before) == ("CNY", "0.00", "0.00", "10.00", "190.00", False)
    complete(order, tea.access)
    assert api_figures(store_api(client, tea, order)) == ("CNY", "0.00", "0.00", "10.00", "190.00", True)
    assert_is_the_ledgers(order, commission="10.00", net="190.00")
    body = buyer_api(client, tea, order)
    assert (body["refunded"], body["charge_refunded"]) == ("0.00", "0.00")
    assert "seller_net" not in body and "commission" not in body
    assert "Refunded to you" not in buyer_page(client, tea, order)


# --- an IOSS order to France: duties and VAT collected at checkout ---------------------------------------


def test_seller_page_figures_ioss_order(client, tea):
    order = tea.order("400.00", 2, to=tea.lyon, charge_currency="EUR")
    # CNY 800 = EUR 100, under EUR 150: duty EUR 3 (CNY 24), VAT 20 % of EUR 103 = EUR 20.60 (CNY 164.80).
    assert (order.duty_total, order.tax_total, order.landed_cost["tax_name"]) == (24, cny("164.80").amount, "VAT")

    page = seller_page(client, tea, order)

    assert (figure(page, "items"), figure(page, "duty"), figure(page, "import-tax"), figure(page, "total")) == (
        "CN¥800.00", "CN¥24.00", "CN¥164.80", "CN¥988.80")
    assert "Duties collected" in page and "Import VAT collected" in page
    assert figure(page, "tax-authority") == "−CN¥188.80"
    assert (figure(page, "commission"), figure(page, "net")) == ("−CN¥40.00", "CN¥760.00")
    assert "948.80" not in page
    assert seller_share(order).net == cny("760.00")
    complete(order, tea.access)
    assert_is_the_ledgers(order, commission="40.00", net="760.00")
    assert figure(seller_page(client, tea, order), "net") == "CN¥760.00"


def test_api_figures_ioss_order(client, tea):
    order = tea.order("400.00", 2, to=tea.lyon, charge_currency="EUR")

    body = store_api(client, tea, order)

    assert (body["duty_total"], body["tax_total"], body["total"]) == ("24.00", "164.80", "988.80")
    assert api_figures(body) == ("CNY", "0.00", "188.80", "40.00", "760.00", False)
    complete(order, tea.access)
    assert api_figures(store_api(client, tea, order)) == ("CNY", "0.00", "188.80", "40.00", "760.00", True)
    assert_is_the_ledgers(order, commission="40.00", net="760.00")


# --- a DAP order to France: duties and taxes due on delivery, not collected ------------------------------


def test_seller_page_figures_dap_order(client, tea):
    order = tea.order("1000.00", 2, to=tea.lyon, charge_currency="EUR")
    # CNY 2,000 = EUR 250, above EUR 150: nothing collected; VAT 20 % of EUR 250 = EUR 50 (CNY 400) on delivery.
    assert (order.duty_total, order.tax_total, order.due_on_delivery) == (0, 0, cny("400.00").amount)

    page = seller_page(client, tea, order)

    assert (figure(page, "items"), figure(page, "total")) == ("CN¥2,000.00", "CN¥2,000.00")
    assert figure(page, "duty") is None and figure(page, "import-tax") is None
    assert figure(page, "tax-authority") is None
    assert "Duties collected" not in page and "Import VAT collected" not in page
    assert "Import taxes collected" not in page
    assert "About CN¥400.00 of duties and taxes is due from the buyer on delivery" in page
    assert (figure(page, "commission"), figure(page, "net")) == ("−CN¥100.00", "CN¥1,900.00")
    complete(order, tea.access)
    assert_is_the_ledgers(order, commission="100.00", net="1900.00")


def test_api_figures_dap_order(client, tea):
    order = tea.order("1000.00", 2, to=tea.lyon, charge_currency="EUR")

    body = store_api(client, tea, order)

    assert (body["duty_total"], body["tax_total"], body["due_on_delivery"]) == ("0.00", "0.00", "400.00")
    assert api_figures(body) == ("CNY", "0.00", "0.00", "100.00", "1900.00", False)
    complete(order, tea.access)
    assert_is_the_ledgers(order, commission="100.00", net="1900.00")


# --- a partial refund before release ---------------------------------------------------------------------


def test_seller_page_figures_partial_refund_before_release(client, tea):
    order = tea.order("100.00", 2, charge_currency="USD")
    client.force_login(tea.owner)
    posted = client.post(f"/seller/{tea.store.slug}/orders/{order.id}/refund/",
                         {"amount": "50.00", "reason": "One tin dented"})
    assert posted.status_code == 302

    page = seller_page(client, tea, order)

    assert (figure(page, "total"), figure(page, "refunded")) == ("CN¥200.00", "−CN¥50.00")
    # The commission shrinks with what escrow still holds: 10.00 × 150 / 200.
    assert (figure(page, "commission"), figure(page, "net")) == ("−CN¥7.50", "CN¥142.50")
    assert "CN¥190.00" not in page and "−CN¥10.00" not in page
    complete(order, tea.access)
    assert_is_the_ledgers(order, commission="7.50", net="142.50")
    after = seller_page(client, tea, order)
    assert (figure(after, "commission"), figure(after, "net")) == ("−CN¥7.50", "CN¥142.50")


def test_buyer_page_and_api_figures_partial_refund_before_release(client, tea):
    order = tea.order("100.00", 2, charge_currency="USD")
    assert order.charge_total == Money("31.25", "USD").amount
    store_refund(order, cny("50.00"))

    page = buyer_page(client, tea, order)

    # CNY 50 of CNY 200 is a quarter of the USD 31.25 paid: USD 7.8125, rounded half-up.
    assert buyer_figure(page, "refunded") == "CN¥50.00"
    assert buyer_figure(page, "charge-refunded") == "$7.81"
    assert "Refunded in USD, the currency you paid in" in page
    money = order_money(order)
    assert (money.refunded, money.charge_refunded) == (cny("50.00"), Money("7.81", "USD"))
    body = buyer_api(client, tea, order)
    assert (body["currency"], body["refunded"], body["charge_currency"], body["charge_refunded"]) == (
        "CNY", "50.00", "USD", "7.81")
    assert api_figures(store_api(client, tea, order)) == ("CNY", "50.00", "0.00", "7.50", "142.50", False)


# --- a refund after release ------------------------------------------------------------------------------


def test_seller_page_figures_refund_after_release(client, tea):
    order = tea.order("400.00", 2, to=tea.lyon, charge_currency="EUR")
    complete(order, tea.access)
    # A tenth back after release: CNY 18.88 of it is the tax (188.80 / 10) and goes back from tax payable;
    # CNY 80.00 comes back from the store's balance with its commission, 40.00 × 80 / 800 = 4.00.
    store_refund(order, cny("98.88"))

    page = seller_page(client, tea, order)

    assert (figure(page, "total"), figure(page, "refunded"), figure(page, "tax-authority")) == (
        "CN¥988.80", "−CN¥98.88", "−CN¥169.92")
    assert (figure(page, "commission"), figure(page, "net")) == ("−CN¥36.00", "CN¥684.00")
    assert "Credited to your balance." in page
    assert_is_the_ledgers(order, commission="36.00", net="684.00")


def test_buyer_page_and_api_figures_refund_after_release(client, tea):
    order = tea.order("400.00", 2, to=tea.lyon, charge_currency="EUR")
    complete(order, tea.access)
    store_refund(order, cny("98.88"))

    page = buyer_page(client, tea, order)

    assert (buyer_figure(page, "refunded"), buyer_figure(page, "charge-refunded")) == ("CN¥98.88", "€12.36")
    body = buyer_api(client, tea, order)
    assert (body["refunded"], body["charge_currency"], body["charge_refunded"]) == ("98.88", "EUR", "12.36")
    assert api_figures(store_api(client, tea, order)) == ("CNY", "98.88", "169.92", "36.00", "684.00", True)
    assert_is_the_ledgers(order, commission="36.00", net="684.00")


def test_the_store_figures_add_up_on_the_page_in_every_case(client, tea):
    """Total − refunded − taxes for the authority − commission = yours after commission, in the API."""
    cases = [tea.order("100.00", 2), tea.order("400.00", 2, to=tea.lyon, charge_currency="EUR"),
             tea.order("1000.00", 2, to=tea.lyon, charge_currency="EUR")]
    store_refund(cases[0], cny("50.00"))
    complete(cases[1], tea.access)
    store_refund(cases[1], cny("98.88"))
    for order in cases:
        body = store_api(client, tea, order)
        total, refunded, taxes, commission, net = (Money(body[name], "CNY") for name in (
            "total", "refunded", "tax_to_authority", "commission", "seller_net"))
        assert total - refunded - taxes - commission == net, order.id

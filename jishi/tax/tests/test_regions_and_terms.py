"""Provinces and states, and who pays at the border, through the quote API, checkout and the seller's own
settings: a store in Hangzhou (CNY) sells a cotton T-shirt (HS 6109.10, made in China) for CNY 400 to
Toronto and to Los Angeles. At these rates EUR 1 = CNY 8 = CAD 1.50 = USD 1.25, so the shirt is CAD 75.00
or USD 62.50, shipped free.

Worked by hand:
- Ontario, DAP: value for duty CAD 75 (FOB), MFN 18 % → duty 13.50; GST 5 % and Ontario's part of the HST
  8 % on 75 + 13.50 = 88.50 → 4.43 + 7.08 = 11.51, all due on delivery (no collection at the sale).
- California, DAP: sales tax 7.25 % on the price (USD 62.50) → 4.53, charged at checkout (marketplace
  facilitator); duty at the border on the FOB value, 16.5 % MFN + 7.5 % Section 301 → 15.00 on delivery.
- A store that ships DDP: the same duty and taxes, all charged at checkout.
"""

from types import SimpleNamespace

import pytest

from jishi.api.tests.test_api_errors import assert_error
from jishi.catalog.models import Variant
from jishi.checkout.services import place_order_group
from jishi.core.errors import DomainError
from jishi.money.rules import Money
from jishi.money.services import set_rate
from jishi.orders.selectors import customs_declaration
from jishi.shipping.tests.conftest import shop
from tests.factories import AddressFactory, UserFactory, bearer

pytestmark = pytest.mark.django_db

QUOTE = "/api/v1/shipping/quote"


@pytest.fixture
def shirts(rates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        set_rate(currency="CAD", rate="1.5")
    made = shop("Hangzhou Cotton", template=None, price="400.00")
    Variant.objects.filter(pk=made.variant.pk).update(hs_code="6109.10", origin_country="CN")
    return made


def _landed(client, shirts, country, region=""):
    response = client.post(QUOTE, {"items": [{"variant_id": shirts.variant.id}], "country": country,
                                   "region": region, "currency": "USD"}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["stores"][0]["landed_cost"]


def _figures(landed) -> tuple:
    return (landed["duty_collection"], landed["duty_local"], landed["collection"], landed["tax_local"],
            landed["terms"])


def test_a_quote_to_ontario_adds_the_provinces_part_of_the_hst_by_code_or_by_name(client, shirts):
    by_code, by_name = _landed(client, shirts, "CA", "ON"), _landed(client, shirts, "CA", "ontario")
    assert by_code == by_name
    assert _figures(by_code) == ("on_delivery", "13.50", "on_delivery", "11.51", "DAP")
    assert (by_code["region"]["code"], by_code["region"]["tax_local"], by_code["tax_base"]) == ("ON", "7.08", "88.50")
    national = _landed(client, shirts, "CA")
    assert national["tax_local"] == "4.43" and "region_missing" in national["remarks"]


def test_a_quote_to_california_charges_sales_tax_now_and_leaves_the_duty_to_the_border(client, shirts):
    landed = _landed(client, shirts, "US", "CA")
    assert _figures(landed) == ("on_delivery", "15.00", "checkout", "4.53", "DAP")
    assert landed["due_on_delivery_charge"] == "15.00" and "prepaid" not in landed["remarks"]
    oregon = _landed(client, shirts, "US", "Oregon")  # no sales tax: nothing is charged at checkout
    assert (oregon["tax_local"], oregon["collection"], oregon["region"]["code"]) == ("0.00", "checkout", "OR")


@pytest.mark.parametrize(("country", "region"), [("CA", "Narnia"), ("US", "ON"), ("CA", "x" * 100)])
def test_an_unknown_region_is_refused_on_its_field(client, shirts, country, region):
    response = client.post(QUOTE, {"items": [{"variant_id": shirts.variant.id}], "country": country,
                                   "region": region}, content_type="application/json")
    error = assert_error(response, 422, "tax.unknown_region")
    assert list(error["fields"]) == ["region"]


def test_the_seller_chooses_ddp_through_the_api_and_buyers_prepay_what_the_border_would_ask(client, shirts):
    patch = client.patch(f"/api/v1/stores/{shirts.store.slug}", {"import_terms": "DDP"},
                         content_type="application/json", **shirts.auth)
    assert patch.status_code == 200 and patch.json()["import_terms"] == "DDP"
    assert _figures(_landed(client, shirts, "CA", "ON")) == ("checkout", "13.50", "checkout", "11.51", "DDP")
    landed = _landed(client, shirts, "US", "CA")
    assert _figures(landed) == ("checkout", "15.00", "checkout", "4.53", "DDP")
    assert landed["due_on_delivery"] == "0.00" and "prepaid" in landed["remarks"]
    bad = client.patch(f"/api/v1/stores/{shirts.store.slug}", {"import_terms": "CIF"},
                       content_type="application/json", **shirts.auth)
    assert list(assert_error(bad, 422, "store.invalid")["fields"]) == ["import_terms"]


def _buyer(country, region=""):
    user = UserFactory(name="Sam Lee", country=country)
    return SimpleNamespace(user=user, auth=bearer(user),
                           address=AddressFactory(user=user, country=country, region=region, city="Toronto",
                                                  postal_code="M5V 2T6"))


def test_checkout_to_canada_or_the_us_needs_the_province_or_state_and_writes_nothing_without(client, shirts):
    buyer = _buyer("CA")
    with pytest.raises(DomainError) as refused:
        place_order_group(buyer=buyer.user, charge_currency="USD", address_id=buyer.address.id,
                          lines=[{"variant_id": shirts.variant.id, "quantity": 1}])
    assert refused.value.code == "checkout.invalid" and list(refused.value.fields) == ["address.region"]
    response = client.post("/api/v1/checkout", {
        "lines": [{"variant_id": shirts.variant.id}], "charge_currency": "USD",
        "address": {"name": "Sam Lee", "line1": "1 Main St", "city": "Los Angeles", "country": "US",
                    "postal_code": "90012", "region": "Atlantis"}}, content_type="application/json", **buyer.auth)
    assert list(assert_error(response, 422, "tax.unknown_region")["fields"]) == ["address.region"]
    assert not shirts.store.orders.exists()


def test_checkout_freezes_what_the_quote_showed_and_the_customs_papers_follow_it(client, shirts):
    quoted = _landed(client, shirts, "US", "California")
    buyer = _buyer("US", "California")

    group = place_order_group(buyer=buyer.user, charge_currency="USD", address_id=buyer.address.id,
                              lines=[{"variant_id": shirts.variant.id, "quantity": 1}])

    order = group.orders.get()
    frozen = order.landed_cost
    assert _figures(frozen) == _figures(quoted) and frozen["region"] == quoted["region"]
    assert Money(order.tax_total, "CNY") == Money("28.99", "CNY")  # USD 4.53 in the store's currency
    assert not order.duty_total and Money(order.due_on_delivery, "CNY") == Money("96.00", "CNY")
    paper = customs_declaration(order=order)
    assert paper.terms == "DAP" and str(paper.due_on_delivery.amount) == "96.00"


def test_the_seller_chooses_ddp_in_the_settings_page(client, shirts):
    client.force_login(shirts.owner)
    url = f"/seller/{shirts.store.slug}/settings/"
    page = client.get(url).content.decode()
    assert 'name="import_terms"' in page and "Duties and import taxes abroad" in page
    data = {"name": shirts.store.name, "slug": shirts.store.slug, "country": "CN", "base_currency": "CNY",
            "description": "", "import_terms": "DDP"}
    assert client.post(url, data).status_code == 302
    shirts.store.refresh_from_db()
    assert shirts.store.import_terms == "DDP"
    refused = client.post(url, {**data, "import_terms": "EXW"})
    assert refused.status_code == 200 and "import_terms" in refused.context["form"].errors
    shirts.store.refresh_from_db()
    assert shirts.store.import_terms == "DDP"


def test_the_checkout_page_asks_for_the_state_inline_and_then_shows_the_sales_tax(client, shirts):
    buyer = UserFactory(name="Sam Lee", country="US")
    client.force_login(buyer)
    new_address = {"address_id": "new", "address-name": "Sam Lee", "address-line1": "1 Main St",
                   "address-city": "Los Angeles", "address-postal_code": "90012", "address-country": "US",
                   "variant": shirts.variant.id, "quantity": 1}
    page = client.post("/checkout/", new_address)
    assert page.status_code == 200 and "region" in page.context["address_form"].errors
    assert not shirts.store.orders.exists()
    page = client.post("/checkout/", {**new_address, "address-region": "Narnia"})
    assert page.status_code == 200 and "region" in page.context["address_form"].errors
    shown = client.post("/checkout/", {**new_address, "address-region": "CA", "refresh": "1"}).content.decode()
    assert "Import taxes (sales tax)" in shown and "More due on delivery" in shown
    placed = client.post("/checkout/", {**new_address, "address-region": "CA"})
    assert placed.status_code == 302
    order = shirts.store.orders.get()
    assert order.landed_cost["region"]["code"] == "CA" and order.tax_total

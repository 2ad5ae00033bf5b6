"""What the contract test found, pinned: each of these answered 500 before."""

import pytest

from jishi.api.tests.test_api_errors import assert_error
from jishi.ledger.models import Payout
from tests.factories import bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    store, access = open_store_for(name="Findings Store")
    return store, make_product(access), bearer(store.memberships.get().user)


@pytest.mark.parametrize("field", ["translations", "category", "status", "option_names", "default_language"])
def test_a_product_patch_with_null_is_a_422_naming_the_field(client, seller, field):
    _store, product, auth = seller
    response = client.patch(f"/api/v1/products/{product.id}", {field: None}, content_type="application/json", **auth)
    assert field in assert_error(response, 422, "invalid")["fields"]


@pytest.mark.parametrize("field", ["price", "stock", "sku", "options"])
def test_a_variant_patch_with_null_is_a_422_naming_the_field(client, seller, field):
    _store, product, auth = seller
    variant = product.variants.get()
    response = client.patch(f"/api/v1/variants/{variant.id}", {field: None}, content_type="application/json", **auth)
    assert field in assert_error(response, 422, "invalid")["fields"]


def test_an_address_patch_with_null_is_a_422(client, seller):
    _store, _product, auth = seller
    created = client.post("/api/v1/me/addresses", {"name": "A B", "line1": "1 Road", "city": "Town", "country": "HK"},
                          content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    response = client.patch(f"/api/v1/me/addresses/{created.json()['id']}", {"city": None},
                            content_type="application/json", **auth)
    assert "city" in assert_error(response, 422, "invalid")["fields"]


def test_a_payout_in_an_unknown_currency_is_a_422(client, seller):
    store, _product, auth = seller
    response = client.post(f"/api/v1/stores/{store.slug}/payouts", {"currency": "ZUB", "amount": "10"},
                           content_type="application/json", **auth)
    assert "currency" in assert_error(response, 422, "ledger.invalid")["fields"]
    assert not Payout.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "no-at-sign", "password": "x" * 12}, "email"),
    ({"email": "a@example.com", "password": "x" * 12, "currency": "DOLLARS"}, "currency"),
    ({"email": "a@example.com", "password": "x" * 12, "country": "CHN"}, "country"),
])
def test_sign_up_states_formats_and_names_the_field(client, body, field):
    assert field in assert_error(client.post("/api/v1/auth/signup", body, content_type="application/json"),
                                 422, "invalid")["fields"]


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Tea", "country": "China", "base_currency": "CNY"}, "country"),
    ({"name": "Tea", "country": "CN", "base_currency": "yuan"}, "base_currency"),
])
def test_opening_a_store_states_code_formats(client, seller, body, field):
    auth = seller[2]
    response = client.post("/api/v1/stores", body, content_type="application/json", **auth)
    assert field in assert_error(response, 422, "invalid")["fields"]


def test_the_spec_states_enums_lengths_minimums_and_formats(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ProductIn"]["properties"]["status"]["enum"] == ["draft", "active", "archived"]
    assert schemas["TranslationIn"]["properties"]["language"]["enum"] == ["en", "zh-hans"]
    assert schemas["SignUpIn"]["properties"]["email"]["format"] == "email"
    assert schemas["StoreIn"]["properties"]["base_currency"]["pattern"] == "^[A-Za-z]{3}$"
    assert schemas["VariantIn"]["properties"]["price"]["anyOf"][0]["exclusiveMinimum"] == 0
    assert schemas["CartLineIn"]["properties"]["quantity"]["minimum"] == 1
    assert schemas["AddressIn"]["properties"]["line1"]["maxLength"] == 200
    assert "enum" in schemas["RefundRequestIn"]["properties"]["reason"]

"""Shipping templates under a store, and the public shipping quote, through the API."""

import copy
import datetime as dt

import pytest

from jishi.api.tests.test_api_errors import assert_error
from jishi.core import clock
from jishi.shipping.models import Method, ShippingTemplate, Zone
from jishi.shipping.tests.conftest import TEMPLATE, shop
from jishi.stores.models import Membership, Role
from tests.factories import UserFactory, bearer

pytestmark = pytest.mark.django_db

QUOTE = "/api/v1/shipping/quote"


def _url(store, template_id=None):
    return f"/api/v1/stores/{store.slug}/shipping-templates" + (f"/{template_id}" if template_id else "")


def _json(client, method, url, body=None, auth=None):
    return getattr(client, method)(url, body, content_type="application/json", **(auth or {}))


def test_the_owner_lists_creates_replaces_and_deletes_templates(client, tea, django_assert_max_num_queries):
    express_only = {**copy.deepcopy(TEMPLATE), "name": "Express only", "is_default": True}
    express_only["zones"] = [{"name": "World", "is_rest_of_world": True, "methods": [
        {"kind": "express", "first_amount": "99.5", "days_min": 2, "days_max": 4}]}]

    created = _json(client, "post", _url(tea.store), express_only, tea.auth)

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["is_default"] is True and body["currency"] == "CNY"
    assert body["zones"][0]["methods"][0] == {**body["zones"][0]["methods"][0], "first_amount": "99.50",
                                               "currency": "CNY", "kind": "express", "free_over": None}
    with django_assert_max_num_queries(5):
        listed = client.get(_url(tea.store), **tea.auth).json()
    assert [t["name"] for t in listed["items"]] == ["Express only", "Main"] and listed["total"] == 2
    assert [t["is_default"] for t in listed["items"]] == [True, False]

    renamed = _json(client, "put", _url(tea.store, tea.template.id), {**TEMPLATE, "name": "Asia and Europe",
                                                                       "is_default": True}, tea.auth)
    assert renamed.status_code == 200 and renamed.json()["is_default"] is True
    assert ShippingTemplate.objects.get(pk=body["id"]).is_default is False

    assert client.delete(_url(tea.store, tea.template.id), **tea.auth).status_code == 204
    assert ShippingTemplate.objects.get(store=tea.store).is_default is True  # the other took over
    last = client.delete(_url(tea.store, body["id"]), **tea.auth)
    assert_error(last, 409, "shipping.last_template")
    assert ShippingTemplate.objects.filter(store=tea.store).count() == 1


def test_bad_templates_are_refused_per_field_and_nothing_is_written(client, tea):
    before = (ShippingTemplate.objects.count(), Zone.objects.count(), Method.objects.count())
    bad = copy.deepcopy(TEMPLATE)
    bad["zones"][0]["countries"] = ["JP", "XX"]
    bad["zones"][1]["methods"][0]["first_amount"] = "-3"
    response = _json(client, "post", _url(tea.store), bad, tea.auth)
    error = assert_error(response, 422, "shipping.invalid")
    assert set(error["fields"]) == {"zones.0.countries", "zones.1.methods.0.first_amount"}
    taken = _json(client, "post", _url(tea.store), TEMPLATE, tea.auth)
    assert_error(taken, 422, "shipping.name_taken")
    wrong_type = _json(client, "post", _url(tea.store), {**TEMPLATE, "handling_days": "soon"}, tea.auth)
    assert wrong_type.status_code == 422 and "error" in wrong_type.json()
    assert (ShippingTemplate.objects.count(), Zone.objects.count(), Method.objects.count()) == before


def test_each_method_says_whether_it_goes_by_post_or_courier(client, tea):
    mixed = {**copy.deepcopy(TEMPLATE), "name": "Post and courier"}
    mixed["zones"][1]["methods"][0]["transport"] = "post"
    body = _json(client, "post", _url(tea.store), mixed, tea.auth).json()
    assert [m["transport"] for m in body["zones"][1]["methods"]] == ["post", "courier"]  # courier unless told
    assert Method.objects.get(pk=body["zones"][1]["methods"][0]["id"]).transport == "post"
    mixed["zones"][0]["methods"][1]["transport"] = "pigeon"
    refused = _json(client, "put", _url(tea.store, body["id"]), mixed, tea.auth)
    assert refused.status_code == 422 and "zones.0.methods.1.transport" in refused.json()["error"]["fields"]
    assert Method.objects.get(pk=body["zones"][1]["methods"][0]["id"]).transport == "post"  # nothing written


def test_other_stores_members_buyers_and_strangers_cannot_reach_the_templates(client, tea):
    other = shop("Osaka Knives", "JPY", "JP", template=None)
    staff = UserFactory()
    Membership.objects.create(store=tea.store, user=staff, role=Role.STAFF)
    before = list(Method.objects.order_by("id").values_list("id", "first_amount"))
    for auth in (other.auth, bearer(UserFactory())):
        assert_error(client.get(_url(tea.store), **auth), 404, "store.not_found")
        assert_error(client.get(_url(tea.store, tea.template.id), **auth), 404, "store.not_found")
        assert_error(_json(client, "put", _url(tea.store, tea.template.id), TEMPLATE, auth), 404, "store.not_found")
        assert_error(client.delete(_url(tea.store, tea.template.id), **auth), 404, "store.not_found")
    # A template id of another store under one's own store is not found either.
    assert_error(client.get(_url(other.store, tea.template.id), **other.auth), 404, "shipping.template_not_found")
    assert client.get(_url(tea.store)).status_code == 401
    # Staff may read the store's templates but not change them.
    assert client.get(_url(tea.store), **bearer(staff)).status_code == 200
    assert_error(_json(client, "post", _url(tea.store), {**TEMPLATE, "name": "X"}, bearer(staff)), 403,
                 "store.role_required")
    assert list(Method.objects.order_by("id").values_list("id", "first_amount")) == before


def _quote(client, body, **auth):
    return client.post(QUOTE, body, content_type="application/json", **auth)


def test_a_quote_gives_each_store_its_methods_in_both_currencies_with_dates(client, tea, rates,
                                                                            django_assert_max_num_queries):
    knives = shop("Osaka Knives", "JPY", "JP", template=None, price="12000")  # flat rate, no templates yet
    knives.store.shipping_rate = 1500
    knives.store.save(update_fields=["shipping_rate"])
    monday = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    with clock.frozen(monday), django_assert_max_num_queries(10):  # tax tables: 5 when cold
        response = _quote(client, {"items": [{"variant_id": tea.variant.id, "quantity": 2},
                                             {"variant_id": knives.variant.id, "quantity": 1}],
                                   "country": "jp", "currency": "USD"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["country"] == "JP" and body["display_currency"] == "USD"
    tea_part, knives_part = body["stores"]
    assert tea_part["store"]["slug"] == tea.store.slug and tea_part["can_ship"] and tea_part["problem"] is None
    assert tea_part["items_total"] == "176.00" and tea_part["currency"] == "CNY"
    # 1 CNY = 0.15625 USD: standard 20 + 5 = 25 CNY → 3.91 USD; express 60 + 10 = 70 CNY → 10.94 USD.
    assert [(m["kind"], m["cost"], m["display_cost"], m["delivery_from"], m["delivery_to"])
            for m in tea_part["methods"]] == [
        ("standard", "25.00", "3.91", "2026-11-27", "2026-12-02"),
        ("express", "70.00", "10.94", "2026-11-25", "2026-11-26")]
    assert "landed_cost" in tea_part
    assert [(m["kind"], m["cost"], m["currency"]) for m in knives_part["methods"]] == [("standard", "1500", "JPY")]


def test_a_store_that_cannot_ship_there_says_so_in_the_quote(client, tea):
    response = _quote(client, {"items": [{"variant_id": tea.variant.id}], "country": "BR"})
    part = response.json()["stores"][0]
    assert response.status_code == 200
    assert part["can_ship"] is False and part["methods"] == [] and part["landed_cost"] is None
    assert part["problem"]["code"] == "shipping.no_zone" and "Brazil" in part["problem"]["message"]


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"items": [{"variant_id": 1}], "country": "XX"}, "shipping.invalid", "country"),
    ({"items": [{"variant_id": 1}], "country": "FR", "currency": "ZZZ"}, "shipping.invalid", "currency"),
    ({"items": [], "country": "FR"}, "shipping.invalid", "items"),
    ({"items": [{"variant_id": "VARIANT", "quantity": 0}], "country": "FR"}, "shipping.invalid", "items.0.quantity"),
    ({"items": [{"variant_id": 999999}], "country": "FR"}, "shipping.invalid", "items.0.variant_id"),
    ({"items": [{"variant_id": "VARIANT", "quantity": -2}], "country": "FR"}, "shipping.invalid", "items.0.quantity"),
])
def test_bad_quotes_get_clear_errors(client, tea, body, code, field):
    for item in body["items"]:
        if item.get("variant_id") == "VARIANT":
            item["variant_id"] = tea.variant.id
    error = assert_error(_quote(client, body), 422, code)
    assert field in error["fields"]


def test_too_many_items_wrong_types_and_missing_weight_are_4xx(client, tea):
    many = _quote(client, {"items": [{"variant_id": n} for n in range(1, 102)], "country": "FR"})
    assert many.status_code == 422 and "error" in many.json()
    typed = _quote(client, {"items": [{"variant_id": "abc"}], "country": "FR"})
    assert typed.status_code == 422 and "error" in typed.json()
    # Europe ships economy per weight and express per item: a weightless item still ships express.
    weightless = shop("Light Shop", template=TEMPLATE, weight=0)
    only_weight = copy.deepcopy(TEMPLATE)
    only_weight["name"] = "By weight"
    del only_weight["zones"][1]["methods"][1]
    from jishi.shipping.services import update_template

    update_template(access=weightless.access, template_id=weightless.template.id, data=only_weight)
    error = assert_error(_quote(client, {"items": [{"variant_id": weightless.variant.id}], "country": "FR"}), 422,
                         "shipping.missing_weight")
    assert list(error["fields"]) == ["items.0.variant_id"]
    # A product of a withdrawn store's catalogue is not for sale.
    from jishi.catalog.services import update_product

    update_product(access=tea.access, product=tea.product, status="archived")
    gone = assert_error(_quote(client, {"items": [{"variant_id": tea.variant.id}], "country": "JP"}), 422,
                        "shipping.invalid")
    assert "items.0.variant_id" in gone["fields"]

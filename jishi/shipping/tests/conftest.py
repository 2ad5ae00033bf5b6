"""A store in Hangzhou with a template for Asia, Europe and the rest of the world, and helpers."""

from types import SimpleNamespace

import pytest

from jishi.shipping.services import create_template
from tests.factories import UserFactory, bearer, make_product, open_store_for

TEMPLATE = {
    "name": "Main", "ship_from": "CN", "handling_days": 1, "zones": [
        {"name": "Japan and Korea", "countries": ["JP", "KR"], "methods": [
            {"kind": "standard", "first_amount": "20", "additional_amount": "5", "days_min": 3, "days_max": 6},
            {"kind": "express", "first_amount": "60", "additional_amount": "10", "days_min": 1, "days_max": 2}]},
        {"name": "Europe", "countries": ["FR", "DE"], "methods": [
            {"kind": "economy", "pricing": "per_weight", "first_amount": "40", "additional_amount": "15",
             "free_over": "1000", "days_min": 10, "days_max": 20},
            {"kind": "express", "first_amount": "150", "additional_amount": "20", "days_min": 3, "days_max": 5}]},
    ]}


def shop(name="Hangzhou Tea", currency="CNY", country="CN", *, template=TEMPLATE, price="88.00", weight=500):
    from jishi.catalog.services import update_variant

    store, access = open_store_for(name=name, country=country, currency_code=currency)
    product = make_product(access, title="Green Tea", price=price, stock=20)
    variant = product.variants.get()
    update_variant(access=access, variant=variant, data={"weight_grams": weight})
    # A store opens without templates, shipping at its flat rate; give it the one a test needs as its default.
    made = create_template(access=access, data=template) if template else None
    owner = store.memberships.get().user
    return SimpleNamespace(store=store, access=access, product=product, variant=variant, template=made, owner=owner,
                           auth=bearer(owner))


@pytest.fixture
def tea(rates):
    return shop()


@pytest.fixture
def buyer():
    user = UserFactory(name="Mei Lin")
    return SimpleNamespace(user=user, auth=bearer(user))

"""Seller centre: the printable commercial invoice / customs declaration of a cross-border order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.catalog.models import Variant
from jishi.orders.services import mark_paid
from jishi.stores.models import Membership, Role
from tests.factories import AddressFactory, UserFactory, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lyon(rates):
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    buyer = UserFactory(email="claire.private@example.com")
    address = AddressFactory(user=buyer, name="Claire Martin", line1="3 Rue de la République", city="Lyon",
                             postal_code="69001", country="FR")
    home = AddressFactory(user=buyer, name="Claire Martin", city="Hangzhou", country="CN")
    return {"store": store, "access": access, "owner": store.memberships.get().user, "buyer": buyer,
            "address": address, "home": home}


def _tea(access, title="Dragon Well Green Tea", *, hs_code="0902.10", weight=250, origin="CN"):
    variant = make_product(access, title=title, price="88.00", stock=20).variants.get()
    Variant.objects.filter(pk=variant.pk).update(hs_code=hs_code, weight_grams=weight, origin_country=origin)
    return Variant.objects.get(pk=variant.pk)


def _buy(lyon, *variants, address=None):
    from jishi.checkout.services import place_order_group

    group = place_order_group(buyer=lyon["buyer"], charge_currency="EUR", address_id=(address or lyon["address"]).id,
                              lines=[{"variant_id": v.id, "quantity": 2} for v in variants])
    mark_paid(group)
    return group.orders.get()


def _urls(store, order):
    base = f"/seller/{store.slug}/orders/{order.id}/"
    return {"detail": base, "customs": f"{base}customs-declaration/"}


def test_a_cross_border_order_links_to_a_printable_declaration_with_everything_customs_asks(client, lyon):
    order = _buy(lyon, _tea(lyon["access"]))
    client.force_login(lyon["owner"])
    urls = _urls(lyon["store"], order)
    assert urls["customs"] in client.get(urls["detail"]).content.decode()

    page = client.get(urls["customs"]).content.decode()
    for text in ("Commercial invoice", "Hangzhou Tea", "China", "Claire Martin", "69001", "France",
                 "Dragon Well Green Tea", "0902.10", "176.00", "0.5 kg", "Declared value", "DDP", f"#{order.id}",
                 'data-print', "packing-slip"):
        assert text in page, text
    assert "claire.private@example.com" not in page
    assert "<script>" not in page and " onclick=" not in page and "style=" not in page


def test_a_domestic_order_has_no_link_and_no_declaration(client, lyon):
    order = _buy(lyon, _tea(lyon["access"]), address=lyon["home"])
    client.force_login(lyon["owner"])
    urls = _urls(lyon["store"], order)
    assert "customs-declaration" not in client.get(urls["detail"]).content.decode()
    assert client.get(urls["customs"]).status_code == 404


def test_missing_hs_codes_and_weights_are_pointed_out_but_never_printed(client, lyon):
    order = _buy(lyon, _tea(lyon["access"], hs_code="", weight=0, origin=""))
    client.force_login(lyon["owner"])
    page = client.get(_urls(lyon["store"], order)["customs"]).content.decode()
    assert "Some lines have no HS code." in page and "Some lines have no weight." in page
    assert "no-print" in page


def test_outsiders_get_404_and_anonymous_visitors_log_in(client, lyon):
    order = _buy(lyon, _tea(lyon["access"]))
    url = _urls(lyon["store"], order)["customs"]
    other_store, _ = open_store_for(name="Other Store")
    for user in (other_store.memberships.get().user, lyon["buyer"]):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(other_store.memberships.get().user)
    assert client.get(_urls(other_store, order)["customs"]).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_staff_may_print_the_declaration(client, lyon):
    order = _buy(lyon, _tea(lyon["access"]))
    staff = UserFactory()
    Membership.objects.create(store=lyon["store"], user=staff, role=Role.STAFF)
    client.force_login(staff)
    assert client.get(_urls(lyon["store"], order)["customs"]).status_code == 200


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_declaration_renders_in_english_and_chinese(client, lyon, language):
    order = _buy(lyon, _tea(lyon["access"]))
    client.force_login(lyon["owner"])
    client.cookies["django_language"] = language
    page = client.get(_urls(lyon["store"], order)["customs"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ("商业发票" if language == "zh-hans" else "Commercial invoice") in page


def test_the_declaration_costs_the_same_queries_for_1_or_6_lines(client, lyon):
    client.force_login(lyon["owner"])
    one = _buy(lyon, _tea(lyon["access"]))
    six = _buy(lyon, *[_tea(lyon["access"], title=f"Tea {n}") for n in range(6)])
    counts = []
    for order in (one, six):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_urls(lyon["store"], order)["customs"]).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

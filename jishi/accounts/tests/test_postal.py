"""Addresses in each country's conventional order, wherever one is shown."""

import pytest
from django.template import Context, Template
from django.utils import translation

from jishi.accounts.postal import postal_lines
from tests.factories import AddressFactory

ADDRESSES = [
    ("US", {"name": "Ada Byron", "line1": "1600 Amphitheatre Pkwy", "line2": "Suite 5", "city": "Mountain View",
            "region": "CA", "postal_code": "94043"},
     ["Ada Byron", "1600 Amphitheatre Pkwy", "Suite 5", "MOUNTAIN VIEW, CA 94043", "United States"]),
    ("GB", {"name": "Tom Jones", "line1": "10 Downing Street", "city": "London", "postal_code": "SW1A 2AA"},
     ["Tom Jones", "10 Downing Street", "LONDON", "SW1A 2AA", "United Kingdom"]),
    ("DE", {"name": "Max Muster", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117"},
     ["Max Muster", "Unter den Linden 1", "10117 Berlin", "Germany"]),
    ("BR", {"name": "Ana Souza", "line1": "Avenida Paulista 1000", "city": "São Paulo", "region": "SP",
            "postal_code": "01310-100"},
     ["Ana Souza", "Avenida Paulista 1000", "SÃO PAULO-SP", "01310-100", "Brazil"]),
    # In Chinese script: from the postal code and province down to the person.
    ("CN", {"name": "李小梅", "line1": "文三路18号", "city": "杭州市", "region": "浙江省", "postal_code": "310000"},
     ["310000", "浙江省杭州市", "文三路18号", "李小梅", "China"]),
    # In Latin letters: the person first, the province and postal code last.
    ("CN", {"name": "Lin Xiaomei", "line1": "18 Wensan Road", "city": "Hangzhou", "region": "Zhejiang",
            "postal_code": "310000"},
     ["Lin Xiaomei", "18 Wensan Road", "Hangzhou", "ZHEJIANG, 310000", "China"]),
    # Japan's layout has no city line: the city leads the street, after the prefecture.
    ("JP", {"name": "佐藤春樹", "line1": "梅田2-1", "city": "大阪市", "region": "大阪府", "postal_code": "530-0001"},
     ["〒530-0001", "大阪府", "大阪市梅田2-1", "佐藤春樹", "Japan"]),
    ("JP", {"name": "Sato Haruki", "line1": "2-1 Umeda", "city": "Osaka", "region": "Osaka",
            "postal_code": "530-0001"},
     ["Sato Haruki", "2-1 Umeda", "Osaka, OSAKA", "530-0001", "Japan"]),
]


@pytest.mark.parametrize(("country", "fields", "expected"), ADDRESSES)
def test_an_address_reads_in_its_countrys_order(country, fields, expected):
    assert postal_lines({**fields, "country": country}, language="en") == expected


def test_the_country_name_is_in_the_readers_language():
    address = {"name": "Ana", "line1": "Avenida Paulista 1000", "city": "São Paulo", "postal_code": "01310-100",
               "country": "BR"}
    assert postal_lines(address, language="zh-hans")[-1] == "巴西"


def test_nothing_the_buyer_typed_is_lost_for_an_unusual_country():
    address = {"name": "X", "line1": "1 Road", "city": "Town", "region": "North", "postal_code": "999",
               "country": "QQ"}
    assert postal_lines(address, language="en") == ["X", "1 Road", "TOWN, North 999", "QQ"]
    assert postal_lines({}, language="en") == []


@pytest.mark.django_db
def test_the_template_filter_reads_a_saved_address_and_a_frozen_one_alike():
    saved = AddressFactory(name="Camille Martin", line1="12 Rue de la République", city="Lyon", postal_code="69002",
                           country="FR", phone="+33 4 72 00 00 00")
    frozen = {"name": saved.name, "line1": saved.line1, "line2": "", "city": saved.city, "region": "",
              "postal_code": saved.postal_code, "country": "FR", "phone": saved.phone}
    template = Template("{% load jishi %}{{ address|postal_address }}|{{ address|postal_text }}")
    with translation.override("zh-hans"):
        from_model = template.render(Context({"address": saved}))
        from_dict = template.render(Context({"address": frozen}))
    assert from_model == from_dict
    html, text = from_model.split("|")
    assert html == "Camille Martin<br>12 Rue de la République<br>69002 LYON<br>法国"
    assert text.splitlines() == ["Camille Martin", "12 Rue de la République", "69002 LYON", "法国"]


def test_the_filter_escapes_what_the_buyer_typed():
    template = Template("{% load jishi %}{{ address|postal_address }}")
    html = template.render(Context({"address": {"name": "<b>x</b>", "line1": "1 Rd", "city": "Lyon",
                                                "postal_code": "69002", "country": "FR"}}))
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.django_db
def test_the_order_mail_ships_to_the_address_in_its_countrys_order(rates, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.factories import UserFactory, buy_now, make_product, open_store_for

    _store, access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    variant = make_product(access, title="Green Tea", price="88.00", stock=5).variants.get()
    buyer = UserFactory(preferred_language="en")
    address = AddressFactory(user=buyer, name="Ana Souza", line1="Avenida Paulista 1000", city="São Paulo",
                             region="SP", postal_code="01310-100", country="BR")
    with django_capture_on_commit_callbacks(execute=True):
        buy_now(buyer, variant, 1, charge_currency="CNY", address=address)
    to_store = next(m for m in mail.outbox if buyer.email not in m.to)
    assert "Ana Souza\n  Avenida Paulista 1000\n  SÃO PAULO-SP\n  01310-100\n  Brazil\n" in to_store.body

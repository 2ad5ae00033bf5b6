"""The shopper's country, language and currency: changed together in the top bar of every page (or on the
profile page), kept in the browser for a signed-out shopper and in the profile for a signed-in one."""

import re

import pytest
from django.test import Client

from jishi.accounts.models import User
from tests.factories import PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def top_bar(client, url="/") -> dict[str, str]:
    """What the top bar shows as chosen: language, currency and ship-to country."""
    page = client.get(url).content.decode()
    chosen = {}
    for name in ("language", "currency", "country"):
        select = re.search(rf'<select id="[a-z-]+" name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select, f"no {name} choice in the top bar"
        found = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))
        chosen[name] = found.group(1) if found else ""
    return chosen


def choose(client, **choices):
    for name, value in choices.items():
        path = {"language": "/preferences/language/", "currency": "/preferences/currency/",
                "country": "/preferences/ship-to/"}[name]
        assert client.post(path, {name: value, "next": "/"}).status_code == 302


def test_a_signed_out_shopper_changes_all_three_in_the_top_bar_and_the_browser_keeps_them(client, tea):
    assert top_bar(client)["country"] == ""  # not known yet: the picker asks

    choose(client, language="zh-hans", currency="JPY", country="jp")

    assert top_bar(client) == {"language": "zh-hans", "currency": "JPY", "country": "JP"}
    # Every page, not just the home page; and the product page prices shipping to that country.
    assert top_bar(client, f"/p/{tea.product.id}/")["country"] == "JP"
    page = client.get(f"/p/{tea.product.id}/").content.decode()
    assert "日本" in page and "¥" in page


def test_a_bad_country_is_refused_with_a_message_and_changes_nothing(client, tea):
    choose(client, country="FR")
    response = client.post("/preferences/ship-to/", {"country": "XX", "next": "/"}, follow=True)
    assert "Choose a country from the list." in response.content.decode()
    assert top_bar(client)["country"] == "FR"


def test_a_signed_in_shoppers_choices_are_saved_to_the_profile_and_follow_them_to_another_browser(client, tea):
    shopper = UserFactory()
    AddressFactory(user=shopper, country="FR", is_default=True)
    client.force_login(shopper)
    # Until they choose, their default address decides (the top bar says so without reading it).
    assert top_bar(client)["country"] == "" and "As my default address" in client.get("/").content.decode()
    assert "Shipping to France" in client.get(f"/p/{tea.product.id}/").content.decode()

    choose(client, language="zh-hans", currency="JPY", country="KR")

    shopper.refresh_from_db()
    assert (shopper.preferred_language, shopper.preferred_currency, shopper.country) == ("zh-hans", "JPY", "KR")
    elsewhere = Client()
    assert elsewhere.post("/accounts/login/", {"username": shopper.email, "password": PASSWORD}).status_code == 302
    assert top_bar(elsewhere) == {"language": "zh-hans", "currency": "JPY", "country": "KR"}


def test_the_profile_page_changes_the_same_three_and_the_top_bar_follows_at_once(client, tea):
    shopper = UserFactory()
    client.force_login(shopper)
    choose(client, country="JP")

    response = client.post("/accounts/profile/", {"name": "Mei", "language": "en", "currency": "USD",
                                                  "country": "DE"})

    assert response.status_code == 302
    assert top_bar(client) == {"language": "en", "currency": "USD", "country": "DE"}
    assert User.objects.get(pk=shopper.pk).country == "DE"

"""Opening a store from a signed-out visit: one form makes the account and the store, or neither."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from jishi.core.countries import country_from_accept_language
from jishi.core.errors import DomainError
from jishi.stores.models import Membership, Role, Store
from jishi.stores.services import open_store_with_account
from tests.factories import UserFactory, open_store_for

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD = {"email": "Mei@Example.com", "password": "lantern-river-42", "name": "Mei's Kitchen", "country": "GB",
        "base_currency": "GBP"}


def _nothing_written():
    return not User.objects.exists() and not Store.objects.exists() and not Membership.objects.exists()


@pytest.mark.parametrize(("header", "country"), [
    ("en-GB,en;q=0.9", "GB"), ("zh-CN,zh;q=0.9", "CN"), ("de", "DE"), ("fr;q=0.2, ja;q=0.8", "JP"),
    ("pt-BR", "BR"), ("", "US"), ("*", "US"), ("xx-yy, ;q=abc", "US"),
])
def test_the_country_comes_from_the_browsers_languages(header, country):
    assert country_from_accept_language(header) == country


def test_a_visitor_opens_a_store_with_one_form_and_is_signed_in(client):
    page = client.get("/seller/open/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert page.status_code == 200
    assert page.context["form"].initial == {"country": "GB", "base_currency": "GBP"}
    assert 'autocomplete="new-password"' in page.content.decode() and "data-reveal" in page.content.decode()
    response = client.post("/seller/open/", GOOD, HTTP_ACCEPT_LANGUAGE="en-GB")
    store = Store.objects.get()
    user = User.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/seller/{store.slug}/products/add/"
    assert (user.email, user.country, store.slug, store.country, store.base_currency_id) == (
        "mei@example.com", "GB", "meis-kitchen", "GB", "GBP")
    assert Membership.objects.get(store=store).user == user and Membership.objects.get().role == Role.OWNER
    # signed in: the next page (the first product) opens without logging in
    assert client.get(response["Location"]).status_code == 200
    assert user.check_password(GOOD["password"])


def test_chinese_browsers_get_china_and_yuan(client):
    page = client.get("/seller/open/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert page.context["form"].initial == {"country": "CN", "base_currency": "CNY"}
    assert "开" in page.content.decode()  # the page itself is in Chinese


@pytest.mark.parametrize(("change", "fields"), [
    ({"email": "not-an-email"}, {"email"}),
    ({"email": ""}, {"email"}),
    ({"password": "short"}, {"password"}),
    ({"password": "password123"}, {"password"}),  # too common
    ({"password": "12345678901"}, {"password"}),  # numbers only
    ({"name": "A"}, {"name"}),
    ({"name": ""}, {"name"}),
    ({"country": "XX"}, {"country"}),
    ({"base_currency": "ABC"}, {"base_currency"}),
    ({"slug": "admin"}, {"slug"}),
    ({"password": "short", "name": "A"}, {"password", "name"}),  # every problem at once
    ({"email": "", "password": "", "name": ""}, {"email", "password", "name"}),
])
def test_every_bad_field_is_shown_inline_and_nothing_is_written(client, change, fields):
    response = client.post("/seller/open/", {**GOOD, **change})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == fields
    assert 'class="errorlist"' in response.content.decode()
    assert _nothing_written()


def test_a_taken_email_is_said_as_sign_up_says_it(client):
    UserFactory(email="mei@example.com")
    response = client.post("/seller/open/", GOOD)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["An account with this email already exists."]
    assert not Store.objects.exists() and User.objects.count() == 1
    assert "/accounts/login/?next=/seller/open/" in response.content.decode()


def test_a_taken_store_address_is_shown_and_no_account_is_left_behind(client):
    open_store_for(name="Tea", slug="meis-kitchen")
    response = client.post("/seller/open/", {**GOOD, "slug": "meis-kitchen"})
    assert response.status_code == 200 and "slug" in response.context["form"].errors
    assert not User.objects.filter(email="mei@example.com").exists() and Store.objects.count() == 1


def test_a_store_name_already_used_gets_its_own_address(client):
    open_store_for(name="Mei's Kitchen")
    response = client.post("/seller/open/", GOOD)
    assert response.status_code == 302 and Store.objects.filter(slug="meis-kitchen-2").exists()


def test_a_failure_after_the_account_is_made_leaves_nothing(client):
    # The last step of opening the store, after the account, the store and its owner are written.
    with mock.patch("jishi.stores.services.public_stores_changed", side_effect=DomainError("x.broken", "Broken")):
        response = client.post("/seller/open/", GOOD)
    assert response.status_code == 200 and response.context["form"].non_field_errors() == ["Broken"]
    assert _nothing_written()
    assert "_auth_user_id" not in client.session


def test_the_service_reports_account_and_store_problems_together():
    with pytest.raises(DomainError) as both:
        open_store_with_account(email="bad", password="x", name="", country="XX", base_currency="CNY")
    assert {"email", "password", "name", "country"} <= set(both.value.fields)
    assert _nothing_written()


def test_sign_ups_through_the_store_form_are_throttled_like_sign_up(client, settings):
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 2
    for n in range(2):
        assert client.post("/seller/open/", {**GOOD, "email": f"s{n}@example.com"}).status_code == 302
        client.logout()
    refused = client.post("/seller/open/", {**GOOD, "email": "s3@example.com"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many sign-ups" in refused.content.decode()
    assert not User.objects.filter(email="s3@example.com").exists()


def test_a_signed_in_shopper_opens_a_store_with_the_name_alone(client):
    shopper = UserFactory(country="")
    client.force_login(shopper)
    page = client.get("/seller/open/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert "email" not in page.context["form"].fields
    initial = page.context["form"].initial
    assert initial == {"country": "DE", "base_currency": "EUR"}
    response = client.post("/seller/open/", {"name": "Berlin Bikes", **initial})
    store = Store.objects.get()
    assert response["Location"] == f"/seller/{store.slug}/products/add/"
    assert Membership.objects.get(store=store).user == shopper and User.objects.count() == 1


def test_the_separate_sign_up_still_works(client):
    response = client.post("/accounts/signup/", {"email": "x@example.com", "password": "lantern-river-42",
                                                 "password_again": "lantern-river-42", "name": ""})
    assert response.status_code == 302 and User.objects.filter(email="x@example.com").exists()

"""Accounts: sign-up, login, passwords, profile, address book, personal access tokens."""

import datetime as dt
import re

import pytest
from django.core import mail

from jishi.accounts.models import Address, PersonalAccessToken, User
from jishi.accounts.services import create_address
from jishi.core import clock
from tests.factories import PASSWORD, AddressFactory, UserFactory, bearer

pytestmark = pytest.mark.django_db
JSON = "application/json"
GOOD_PASSWORD = "a-long-enough-passphrase-42"


def test_sign_up_on_the_page_logs_in_and_returns(client):
    response = client.post("/accounts/signup/?next=/seller/open/", {
        "email": "Mei@Example.com", "name": "Mei", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD,
        "next": "/seller/open/"})
    assert response.status_code == 302 and response["Location"] == "/seller/open/"
    user = User.objects.get(email="mei@example.com")
    assert client.get("/accounts/profile/").status_code == 200
    assert user.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize(("data", "field"), [
    ({"email": "not-an-email", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD}, "email"),
    ({"email": "a@example.com", "password": "123", "password_again": "123"}, "password"),
    ({"email": "a@example.com", "password": GOOD_PASSWORD, "password_again": "different-one-42"}, "password_again"),
])
def test_sign_up_errors_are_shown_inline_and_nothing_is_saved(client, data, field):
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b'class="errorlist"' in response.content
    assert not User.objects.exists()


def test_duplicate_email_is_refused_whatever_the_case(client):
    UserFactory(email="taken@example.com")
    response = client.post("/api/v1/auth/signup", {"email": "TAKEN@example.com", "password": GOOD_PASSWORD},
                           content_type=JSON)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account.email_taken"
    assert "email" in response.json()["error"]["fields"]
    assert User.objects.count() == 1


def test_api_sign_up_validates_every_field(client):
    response = client.post("/api/v1/auth/signup", {"email": "x@example.com", "password": GOOD_PASSWORD,
                                                    "currency": "XXX", "country": "ZZ"}, content_type=JSON)
    assert response.status_code == 422
    assert {"currency", "country"} <= set(response.json()["error"]["fields"])
    wrong_type = client.post("/api/v1/auth/signup", {"email": 5, "password": []}, content_type=JSON)
    assert wrong_type.status_code == 422 and {"email", "password"} <= set(wrong_type.json()["error"]["fields"])


def test_login_with_email_and_logout(client):
    user = UserFactory(email="lin@example.com", preferred_language="zh-hans")
    wrong = client.post("/accounts/login/", {"username": "lin@example.com", "password": "nope"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    ok = client.post("/accounts/login/", {"username": "lin@example.com", "password": PASSWORD})
    assert ok.status_code == 302
    assert ok.cookies["jishi_language"].value == "zh-hans"  # the saved language follows the user
    assert client.get("/accounts/profile/").context["user"] == user
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_password_change_and_reset(client):
    user = UserFactory(email="reset@example.com")
    client.force_login(user)
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": GOOD_PASSWORD,
                                        "new_password2": GOOD_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    client.logout()

    client.post("/accounts/reset/", {"email": "reset@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "brand-new-secret-77",
                                                  "new_password2": "brand-new-secret-77"})
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-77") and not user.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/reset/", "/accounts/password/"])
def test_the_account_pages_and_mail_name_the_site_not_the_host(client, settings, path):
    settings.SITE_NAME, settings.ALLOWED_HOSTS = "Lakeside Market", ["shop.example.test"]
    if path == "/accounts/password/":
        client.force_login(UserFactory())
    page = client.get(path, HTTP_HOST="shop.example.test")
    assert page.context["site_name"] == "Lakeside Market"
    html = page.content.decode()
    assert "Lakeside Market" in html and "shop.example.test" not in html


def test_the_password_reset_mail_names_the_site(client, settings):
    settings.SITE_NAME, settings.ALLOWED_HOSTS = "Lakeside Market", ["shop.example.test"]
    UserFactory(email="reset@example.com")
    client.post("/accounts/reset/", {"email": "reset@example.com"}, HTTP_HOST="shop.example.test")
    assert "Lakeside Market" in mail.outbox[0].subject


def test_profile_saves_preferences_and_rejects_unknown_values(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"name": "Wang", "language": "zh-hans", "currency": "JPY",
                                                  "country": "JP"})
    assert response.status_code == 302 and response.cookies["jishi_currency"].value == "JPY"
    user.refresh_from_db()
    assert (user.name, user.preferred_language, user.preferred_currency, user.country) == ("Wang", "zh-hans", "JPY", "JP")
    bad = client.patch("/api/v1/me", {"currency": "ABC", "language": "fr", "country": "XX"}, content_type=JSON)
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"currency", "language", "country"}
    user.refresh_from_db()
    assert user.preferred_currency == "JPY"


@pytest.mark.parametrize(("country", "postal_code", "ok"), [("US", "", False), ("US", "94105", True),
                                                             ("HK", "", True), ("DE", "!!", False), ("XX", "1", False)])
def test_postal_code_is_required_where_the_country_uses_one(client, country, postal_code, ok):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/api/v1/me/addresses", {"name": "A B", "line1": "1 Road", "city": "Town",
                                                    "country": country, "postal_code": postal_code},
                           content_type=JSON)
    assert (response.status_code == 201) is ok
    assert Address.objects.filter(user=user).exists() is ok
    if not ok:
        assert set(response.json()["error"]["fields"]) & {"postal_code", "country"}


def test_address_book_pages_and_default_address(client):
    user = UserFactory()
    client.force_login(user)
    client.post("/accounts/addresses/new/", {"name": "Home", "line1": "1 Lake Rd", "city": "Hangzhou",
                                             "postal_code": "310000", "country": "CN"})
    client.post("/accounts/addresses/new/", {"name": "Office", "line1": "2 Hill Rd", "city": "Hangzhou",
                                             "postal_code": "310001", "country": "CN", "phone": "+86 571 1234 5678"})
    home, office = Address.objects.get(name="Home"), Address.objects.get(name="Office")
    assert home.is_default and not office.is_default
    client.post(f"/accounts/addresses/{office.id}/default/")
    home.refresh_from_db(), office.refresh_from_db()
    assert office.is_default and not home.is_default
    client.post(f"/accounts/addresses/{office.id}/delete/")
    home.refresh_from_db()
    assert home.is_default
    bad = client.post("/accounts/addresses/new/", {"name": "X", "line1": "1", "city": "Y", "country": "US",
                                                   "phone": "call me"})
    assert {"postal_code", "phone"} <= set(bad.context["form"].errors)


def test_another_users_address_is_not_found_and_unchanged(client):
    address = AddressFactory(city="Hangzhou")
    intruder = UserFactory()
    client.force_login(intruder)
    assert client.get(f"/accounts/addresses/{address.id}/").status_code == 404
    assert client.post(f"/accounts/addresses/{address.id}/delete/").status_code == 404
    assert client.patch(f"/api/v1/me/addresses/{address.id}", {"city": "Elsewhere"}, content_type=JSON).status_code == 404
    assert client.delete(f"/api/v1/me/addresses/{address.id}").status_code == 404
    address.refresh_from_db()
    assert address.city == "Hangzhou"


def test_tokens_are_shown_once_and_work_until_revoked(client):
    UserFactory(email="dev@example.com")
    created = client.post("/api/v1/auth/tokens", {"email": "dev@example.com", "password": PASSWORD, "name": "ci"},
                          content_type=JSON)
    assert created.status_code == 201
    token = created.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/me", **auth).json()["email"] == "dev@example.com"
    listed = client.get("/api/v1/auth/tokens", **auth).json()
    assert listed[0]["name"] == "ci" and "token" not in listed[0]
    assert token not in str(PersonalAccessToken.objects.values_list("token_hash", flat=True))
    assert client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_wrong_credentials_get_one_answer(client):
    UserFactory(email="dev@example.com")
    for email, password in (("dev@example.com", "wrong"), ("nobody@example.com", PASSWORD)):
        response = client.post("/api/v1/auth/tokens", {"email": email, "password": password, "name": "x"},
                               content_type=JSON)
        assert response.status_code == 401 and response.json()["error"]["code"] == "auth.invalid_credentials"


def test_an_expired_token_is_refused(client):
    user = UserFactory()
    auth = bearer(user)
    PersonalAccessToken.objects.update(expires_at=clock.now() - dt.timedelta(minutes=1))
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_token_page_shows_the_new_token_once(client):
    client.force_login(UserFactory())
    first = client.post("/accounts/tokens/", {"name": "laptop"})
    assert first.context["new_token"].startswith("jsh_")
    again = client.get("/accounts/tokens/")
    assert again.context["new_token"] is None and first.context["new_token"].encode() not in again.content


def test_list_pages_use_a_constant_number_of_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    client.force_login(user)
    create_address(user=user, data={"name": "A", "line1": "1", "city": "C", "country": "HK"})
    bearer(user)
    with django_assert_max_num_queries(7):
        client.get("/accounts/addresses/")
    with django_assert_max_num_queries(7):
        client.get("/accounts/tokens/")
    for n in range(9):
        create_address(user=user, data={"name": f"A{n}", "line1": "1", "city": "C", "country": "HK"})
        bearer(user)
    with django_assert_max_num_queries(7):
        client.get("/accounts/addresses/")
    with django_assert_max_num_queries(7):
        client.get("/accounts/tokens/")


def test_another_users_token_cannot_be_listed_or_revoked(client):
    owner, intruder = UserFactory(), UserFactory()
    bearer(owner)
    token = PersonalAccessToken.objects.get(user=owner)
    auth = bearer(intruder)
    assert [t["id"] for t in client.get("/api/v1/auth/tokens", **auth).json()] != [token.id]
    assert client.delete(f"/api/v1/auth/tokens/{token.id}", **auth).status_code == 404
    client.force_login(intruder)
    assert client.post(f"/accounts/tokens/{token.id}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_operators_pages_name_the_site(client, settings):
    settings.SITE_NAME = "Lakeside Market"
    page = client.get("/admin/login/").content.decode()
    assert "Lakeside Market" in page and "Django administration" not in page

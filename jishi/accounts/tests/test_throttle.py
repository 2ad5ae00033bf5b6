"""Throttling that slows guessers and bulk sign-ups but cannot be turned against a real user."""

import datetime as dt
import re

import pytest

from jishi.accounts import throttle
from jishi.accounts.models import PersonalAccessToken, User
from jishi.core import clock
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
OFFICE, HOME, ELSEWHERE = "203.0.113.7", "198.51.100.20", "192.0.2.99"


def token_call(client, email, password, address=OFFICE):
    return client.post("/api/v1/auth/tokens", {"email": email, "password": password, "name": "cli"},
                       content_type=JSON, REMOTE_ADDR=address)


def login_page(client, email, password, address=OFFICE):
    return client.post("/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def fail(client, email, times, address=OFFICE):
    for _ in range(times):
        assert token_call(client, email, "wrong guess", address).status_code == 401


def assert_throttled(response, code="auth.throttled", retry_after=None):
    assert response.status_code == 429
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    if retry_after is not None:
        assert response["Retry-After"] == str(retry_after)
    return int(response["Retry-After"])


def test_the_wait_doubles_after_the_free_failures_up_to_the_ceiling():
    waits = [throttle.backoff_seconds(failures=n, free=5, maximum=900) for n in range(1, 18)]
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_guessing_one_account_from_one_address_backs_off_exponentially(client):
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        fail(client, "seller@example.com", 5)  # the free failures: no wait yet
        assert token_call(client, "seller@example.com", "wrong guess").status_code == 401  # the 6th: 1 s
        # Even the right password waits, and the answer says for how long.
        assert_throttled(token_call(client, "seller@example.com", PASSWORD), retry_after=1)
        assert not PersonalAccessToken.objects.exists()
    with clock.frozen(START + dt.timedelta(seconds=1)):
        assert token_call(client, "seller@example.com", "wrong guess").status_code == 401  # the 7th: 2 s
        assert_throttled(token_call(client, "seller@example.com", PASSWORD), retry_after=2)
    with clock.frozen(START + dt.timedelta(seconds=3)):
        assert token_call(client, "seller@example.com", PASSWORD).status_code == 201


def test_the_wait_never_exceeds_the_configured_ceiling(client, settings):
    settings.SIGN_IN_MAX_WAIT_SECONDS = 60
    UserFactory(email="seller@example.com")
    at = START
    for _ in range(15):
        with clock.frozen(at):
            assert token_call(client, "seller@example.com", "wrong guess").status_code == 401
        at += dt.timedelta(seconds=61)
    with clock.frozen(at - dt.timedelta(seconds=61)):
        assert_throttled(token_call(client, "seller@example.com", PASSWORD), retry_after=60)


def test_a_guesser_elsewhere_does_not_hold_the_account_back_at_home_and_success_forgets(client):
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        fail(client, "seller@example.com", 6, address=ELSEWHERE)
        assert_throttled(token_call(client, "seller@example.com", PASSWORD, address=ELSEWHERE))
        # The (account, address) bucket is the guesser's own: the seller at home signs in.
        assert token_call(client, "seller@example.com", PASSWORD, address=HOME).status_code == 201
        # ...and that success forgets the account's failures, though not the guesser's address.
        fail(client, "seller@example.com", 5, address=HOME)
        assert token_call(client, "seller@example.com", PASSWORD, address=HOME).status_code == 201
        assert_throttled(token_call(client, "seller@example.com", PASSWORD, address=ELSEWHERE))


def test_guessing_spread_over_many_addresses_is_held_per_account_but_not_where_the_owner_signs_in(client, settings):
    settings.SIGN_IN_ACCOUNT_FREE_FAILURES = 20
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        assert login_page(client, "seller@example.com", PASSWORD, address=HOME).status_code == 302
        client.logout()
        for n in range(21):  # one or two guesses each from many addresses: no pair bucket fills
            assert token_call(client, "seller@example.com", "wrong", address=f"10.0.{n}.1").status_code == 401
        # A new address meets the account's backoff...
        assert_throttled(token_call(client, "seller@example.com", PASSWORD, address="10.9.9.9"), retry_after=1)
        # ...but the address the seller signed in from before does not: nobody can lock them out there.
        assert token_call(client, "seller@example.com", PASSWORD, address=HOME).status_code == 201


def test_a_burst_of_random_emails_from_one_address_does_not_block_a_seller_behind_it(client):
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        for n in range(60):  # a fuzz run, or a noisy neighbour behind the same office NAT
            assert token_call(client, f"nobody{n}@example.com", "x").status_code == 401
        page = login_page(client, "seller@example.com", PASSWORD)
        assert page.status_code == 302


def test_the_address_ceiling_holds_unknown_accounts_but_not_those_that_signed_in_there(client, settings):
    settings.SIGN_IN_ADDRESS_FREE_FAILURES = 30
    regular, newcomer = UserFactory(email="regular@example.com"), UserFactory(email="new@example.com")
    with clock.frozen(START):
        assert login_page(client, regular.email, PASSWORD).status_code == 302
        client.logout()
        for n in range(31):
            assert token_call(client, f"nobody{n}@example.com", "x").status_code == 401
        assert_throttled(token_call(client, newcomer.email, PASSWORD), retry_after=1)
        assert token_call(client, newcomer.email, PASSWORD, address=HOME).status_code == 201
        assert login_page(client, regular.email, PASSWORD).status_code == 302


def test_ipv6_clients_are_counted_per_64_network(client):
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        for n in range(6):  # hopping addresses inside one /64 does not escape the backoff
            assert token_call(client, "seller@example.com", "x", address=f"2001:db8:1:2::{n + 1}").status_code == 401
        assert_throttled(token_call(client, "seller@example.com", PASSWORD, address="2001:db8:1:2::ff"))
        assert token_call(client, "seller@example.com", PASSWORD, address="2001:db8:1:3::1").status_code == 201


def test_the_login_page_shows_the_wait_inline_and_answers_429(client):
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        for _ in range(6):
            assert login_page(client, "seller@example.com", "wrong").status_code == 200
        page = login_page(client, "seller@example.com", PASSWORD)
        assert page.status_code == 429 and page["Retry-After"] == "1"
        assert "Too many failed attempts. Try again in 1 second." in page.content.decode()
        assert '_auth_user_id' not in client.session
        client.cookies.load({"jishi_language": "zh-hans"})
        chinese = login_page(client, "seller@example.com", PASSWORD).content.decode()
        assert "失败次数过多，请" in chinese


def test_a_long_wait_is_told_in_minutes(client, settings):
    settings.SIGN_IN_FREE_FAILURES = 0
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        for n in range(9):
            with clock.frozen(START + dt.timedelta(seconds=600 * n)):
                token_call(client, "seller@example.com", "wrong")
        with clock.frozen(START + dt.timedelta(seconds=4800)):
            response = token_call(client, "seller@example.com", PASSWORD)
    assert_throttled(response, retry_after=256)
    assert response.json()["error"]["message"] == "Too many failed attempts. Try again in 5 minutes."


# --- sign-up and tokens -------------------------------------------------------------------------------

def signup_call(client, n, address=OFFICE):
    return client.post("/api/v1/auth/signup", {"email": f"new{n}@example.com", "password": "a-long-passphrase-42"},
                       content_type=JSON, REMOTE_ADDR=address)


def test_sign_ups_are_limited_per_address_per_hour(client, settings):
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 3
    with clock.frozen(START + dt.timedelta(minutes=45)):
        assert [signup_call(client, n).status_code for n in range(3)] == [201, 201, 201]
        wait = assert_throttled(signup_call(client, 3), code="account.throttled")
        assert wait == 15 * 60  # until the hour's window closes
        assert not User.objects.filter(email="new3@example.com").exists()
        assert signup_call(client, 4, address=HOME).status_code == 201  # another address has its own count
        page = client.post("/accounts/signup/", {"email": "new5@example.com", "password": "a-long-passphrase-42",
                                                 "password_again": "a-long-passphrase-42"}, REMOTE_ADDR=OFFICE)
        assert page.status_code == 429 and page["Retry-After"] == str(15 * 60)
        assert "Too many sign-ups from your network. Try again in 15 minutes." in page.content.decode()
        assert not User.objects.filter(email="new5@example.com").exists()
    with clock.frozen(START + dt.timedelta(hours=1)):
        assert signup_call(client, 6).status_code == 201


def test_new_tokens_are_limited_per_account_per_hour(client, settings):
    settings.TOKENS_PER_ACCOUNT_PER_HOUR = 2
    seller, other = UserFactory(email="seller@example.com"), UserFactory(email="other@example.com")
    with clock.frozen(START):
        assert [token_call(client, seller.email, PASSWORD).status_code for _ in range(2)] == [201, 201]
        assert_throttled(token_call(client, seller.email, PASSWORD), code="token.throttled", retry_after=3600)
        # The page shares the count, and says so inline.
        client.force_login(seller)
        page = client.post("/accounts/tokens/", {"name": "laptop"})
        assert page.status_code == 429 and page["Retry-After"] == "3600"
        assert "Too many new tokens. Try again in 60 minutes." in page.content.decode()
        assert PersonalAccessToken.objects.filter(user=seller).count() == 2
        assert token_call(client, other.email, PASSWORD).status_code == 201
    with clock.frozen(START + dt.timedelta(hours=1)):
        assert client.post("/accounts/tokens/", {"name": "laptop"}).status_code == 200
        assert PersonalAccessToken.objects.filter(user=seller).count() == 3


def test_the_spec_declares_429_on_every_throttled_operation(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/auth/signup", "/api/v1/auth/tokens"):
        responses = paths[path]["post"]["responses"]
        assert "429" in responses and re.search("ErrorOut", str(responses["429"]))


def test_behind_a_proxy_the_address_the_proxy_saw_is_the_one_counted(client, settings):
    settings.BEHIND_PROXY = True
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        for n in range(6):  # the client forges the first X-Forwarded-For entry; the proxy appends the real one
            client.post("/api/v1/auth/tokens", {"email": "seller@example.com", "password": "x", "name": "cli"},
                        content_type=JSON, HTTP_X_FORWARDED_FOR=f"10.1.1.{n}, {ELSEWHERE}")
        assert_throttled(client.post("/api/v1/auth/tokens", {"email": "seller@example.com", "password": PASSWORD,
                                                             "name": "cli"}, content_type=JSON,
                                     HTTP_X_FORWARDED_FOR=f"10.2.2.2, {ELSEWHERE}"))
        # Every request came from the proxy's own REMOTE_ADDR; another client behind it is not held back.
        assert client.post("/api/v1/auth/tokens", {"email": "seller@example.com", "password": PASSWORD,
                                                   "name": "cli"}, content_type=JSON,
                           HTTP_X_FORWARDED_FOR=HOME).status_code == 201


def test_the_operators_admin_login_is_throttled_too(client):
    UserFactory(email="operator@example.com", is_staff=True, is_superuser=True)
    with clock.frozen(START):
        for _ in range(6):
            page = client.post("/admin/login/", {"username": "operator@example.com", "password": "wrong"},
                               REMOTE_ADDR=OFFICE)
            assert page.status_code == 200
        page = client.post("/admin/login/", {"username": "operator@example.com", "password": PASSWORD},
                           REMOTE_ADDR=OFFICE)
        assert "Too many failed attempts. Try again in 1 second." in page.content.decode()
        assert "_auth_user_id" not in client.session
    with clock.frozen(START + dt.timedelta(seconds=1)):
        page = client.post("/admin/login/", {"username": "operator@example.com", "password": PASSWORD},
                           REMOTE_ADDR=OFFICE)
        assert page.status_code == 302

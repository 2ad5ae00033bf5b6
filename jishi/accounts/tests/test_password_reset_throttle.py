"""Password-reset requests are limited per email address and per client address, and the limit tells nobody
which email addresses have an account."""

import datetime as dt
import re

import pytest
from django.core import mail

from jishi.core import clock
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
OFFICE, HOME = "203.0.113.7", "198.51.100.20"
URL = "/accounts/reset/"
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def ask(client, email, address=OFFICE):
    return client.post(URL, {"email": email}, REMOTE_ADDR=address)


def assert_refused(response):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert b"Too many password-reset requests" in response.content
    return response


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR = 3
    settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 10


def test_an_account_gets_three_links_an_hour_then_waits(client):
    UserFactory(email="seller@example.com")
    with clock.frozen(START):
        for _ in range(3):
            assert ask(client, "seller@example.com").status_code == 302
        assert len(mail.outbox) == 3
        refused = assert_refused(ask(client, "seller@example.com"))
        assert refused["Retry-After"] == "3600"
        assert b"seller@example.com" in refused.content  # the form keeps what was typed
        assert len(mail.outbox) == 3
    with clock.frozen(START + dt.timedelta(hours=1)):
        assert ask(client, "seller@example.com").status_code == 302
        assert len(mail.outbox) == 4


def test_the_limit_does_not_tell_which_addresses_have_an_account(client):
    UserFactory(email="real@example.com")
    with clock.frozen(START):
        answers = {}
        for email in ("real@example.com", "nobody@example.com"):
            statuses = [ask(client, email, address=f"192.0.2.{n}").status_code for n in range(4)]
            refusal = ask(client, email, address="192.0.2.99")
            page = CSRF.sub(b"", refusal.content.replace(email.encode(), b"EMAIL"))
            answers[email] = (statuses, refusal.status_code, refusal["Retry-After"], page)
        assert answers["real@example.com"] == answers["nobody@example.com"]
        assert answers["real@example.com"][:2] == ([302, 302, 302, 429], 429)
        assert len(mail.outbox) == 3  # only the real account was mailed


def test_one_address_asking_for_many_emails_is_held_back(client):
    with clock.frozen(START):
        for n in range(10):
            assert ask(client, f"guess{n}@example.com").status_code == 302
        assert_refused(ask(client, "guess-more@example.com"))
        # Someone else, elsewhere, is not held back by it.
        assert ask(client, "guess-more@example.com", address=HOME).status_code == 302


def test_a_bad_email_is_an_inline_message_and_costs_nothing(client):
    with clock.frozen(START):
        for _ in range(5):
            response = client.post(URL, {"email": "not an email"}, REMOTE_ADDR=OFFICE)
            assert response.status_code == 200 and b"valid email" in response.content
        assert ask(client, "someone@example.com").status_code == 302


def test_the_refusal_is_translated(client):
    with clock.frozen(START):
        for _ in range(3):
            ask(client, "mei@example.com")
        response = client.post(URL, {"email": "mei@example.com"}, REMOTE_ADDR=OFFICE, HTTP_ACCEPT_LANGUAGE="zh-hans",
                               HTTP_COOKIE="jishi_language=zh-hans")
        assert response.status_code == 429
        assert "密码重置请求过多".encode() in response.content

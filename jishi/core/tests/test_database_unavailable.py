"""A database that is away — restarting, failing over, locked past its timeout — answers 503 with Retry-After,
in the API's error body and as a plain page, wherever it struck; any other database error stays a 500."""

from unittest import mock

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client

from jishi.core.database import is_unavailable
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AWAY = ["terminating connection due to administrator command", "the database system is shutting down",
        "the database system is starting up", "the database system is in recovery mode",
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
        "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally",
        "deadlock detected", "canceling statement due to lock timeout", "database is locked",
        "unable to open database file", "disk I/O error",
        "cannot execute INSERT in a read-only transaction"]


@pytest.mark.parametrize("message", AWAY)
def test_what_says_the_database_is_away(message):
    assert is_unavailable(OperationalError(message))


def test_what_is_a_bug_not_an_outage():
    assert is_unavailable(InterfaceError("connection already closed"))
    wrapped = OperationalError("error")
    wrapped.__cause__ = psycopg.OperationalError("the database system is shutting down")
    assert is_unavailable(wrapped)
    for error in (OperationalError("no such table: catalog_product"), IntegrityError("duplicate key value"),
                  ValueError("database is locked"), None):
        assert not is_unavailable(error)


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


def _away(*args, **kwargs):
    raise OperationalError("terminating connection due to administrator command")


def test_the_api_answers_503_with_retry_after(quiet_client, settings):
    with mock.patch("jishi.api.catalog.get_category_tree", _away):
        response = quiet_client.get("/api/v1/categories")
    assert response.status_code == 503 and response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert response.json()["error"]["code"] == "busy"


def test_a_page_answers_503_with_retry_after(quiet_client):
    with mock.patch("jishi.web.views.storefront.get_category_tree", _away):
        response = quiet_client.get("/")
    assert response.status_code == 503 and response["Retry-After"]
    assert "back in a moment" in response.content.decode()


def test_a_database_lost_while_the_session_loads_is_503_too(quiet_client):
    quiet_client.force_login(UserFactory())

    def gone(self):
        raise InterfaceError("connection already closed")

    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", gone):
        page = quiet_client.get("/orders/")
        api = quiet_client.get("/api/v1/me")
    assert page.status_code == 503 and page["Retry-After"]
    assert api.status_code == 503 and api.json()["error"]["code"] == "busy"


def test_any_other_database_error_stays_a_500(quiet_client):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: catalog_category")

    with mock.patch("jishi.api.catalog.get_category_tree", broken):
        api = quiet_client.get("/api/v1/categories")
    with mock.patch("jishi.web.views.storefront.get_category_tree", broken):
        page = quiet_client.get("/")
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error" and "Retry-After" not in api
    assert page.status_code == 500 and "Retry-After" not in page

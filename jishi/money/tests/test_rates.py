"""FX rates: seeded offline at install, snapshots with timestamps, operator changes, API."""

import datetime as dt
from decimal import Decimal

import pytest

from jishi.core.errors import DomainError
from jishi.money import services
from jishi.money.models import Currency, ExchangeRate
from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table, list_current_rates
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_install_seeds_ecb_reference_rates_with_their_date():
    table = get_rate_table()
    assert {"USD", "JPY", "CNY", "GBP", "KRW"} <= set(table.per_eur)
    assert table.as_of is not None and table.as_of.tzinfo is not None
    assert Currency.objects.filter(code="EUR").exists()
    assert all(r.source == "ECB" for r in list_current_rates())


def test_a_new_snapshot_supersedes_without_editing_the_old_one(django_capture_on_commit_callbacks):
    before = get_rate_table().per_eur["USD"]
    old_count = ExchangeRate.objects.filter(currency="USD").count()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_rate(currency="usd", rate="1.2000", as_of=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    assert ExchangeRate.objects.filter(currency="USD").count() == old_count + 1
    assert get_rate_table().per_eur["USD"] == Decimal("1.2")
    assert ExchangeRate.objects.filter(currency="USD", rate=before).exists()
    assert get_rate_table().convert(Money("12", "USD"), "EUR") == Money("10", "EUR")


@pytest.mark.parametrize(("currency", "rate", "field"), [
    ("XXX1", "1", "currency"), ("USD", "-1", "rate"), ("USD", "0", "rate"), ("USD", "abc", "rate"),
    ("EUR", "1", "currency"),
])
def test_bad_rates_are_refused_and_nothing_is_written(currency, rate, field):
    count = ExchangeRate.objects.count()
    with pytest.raises(DomainError) as error:
        services.set_rate(currency=currency, rate=rate)
    assert field in error.value.fields
    assert ExchangeRate.objects.count() == count


def test_rates_api_lists_current_rates_and_currencies(client):
    rates = client.get("/api/v1/rates").json()
    usd = next(r for r in rates if r["currency"] == "USD")
    assert usd["base"] == "EUR" and Decimal(usd["rate"]) > 0 and usd["as_of"].startswith("2026-")
    currencies = {c["code"]: c for c in client.get("/api/v1/currencies").json()}
    assert currencies["JPY"]["minor_units"] == 0 and currencies["USD"]["minor_units"] == 2


def test_only_operators_record_rates_through_the_api(client, django_capture_on_commit_callbacks):
    shopper = UserFactory()
    client.force_login(shopper)
    denied = client.post("/api/v1/rates", {"currency": "USD", "rate": "1.3"}, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert get_rate_table().per_eur["USD"] != Decimal("1.3")

    operator = UserFactory(is_staff=True)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/rates", {"currency": "USD", "rate": "1.3"}, content_type="application/json")
    assert created.status_code == 201
    assert get_rate_table().per_eur["USD"] == Decimal("1.3")
    bad = client.post("/api/v1/rates", {"currency": "USD", "rate": "-2"}, content_type="application/json")
    assert bad.status_code == 422 and "rate" in bad.json()["error"]["fields"]

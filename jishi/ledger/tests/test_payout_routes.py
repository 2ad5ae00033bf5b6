"""The payout account and the payout history through the API: the owner sets the account, owner and
managers read it (masked) and list payouts with their status; staff, other stores, buyers and anonymous
callers reach none of it, and a refused write changes nothing."""

import json

import pytest

from jishi.api.tests.test_api_errors import assert_error
from jishi.ledger import payouts
from jishi.ledger.models import Payout, PayoutAccount, PayoutStatus
from jishi.ledger.tests.conftest import with_payout_account

pytestmark = pytest.mark.django_db


def _put(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", **headers)


def _account_url(money):
    return f"/api/v1/stores/{money.store.slug}/payout-account"


def test_the_owner_sets_the_payout_account_and_managers_read_it_masked(client, money):
    url = _account_url(money)
    assert_error(client.get(url, **money.auth.owner), 404, "ledger.no_payout_account")
    response = _put(client, url, {"holder": "  Hangzhou   Tea Co. ", "number": "de89 3704-0044 0532 0130 00"},
                    **money.auth.owner)
    assert response.status_code == 200, response.content
    assert response.json()["holder"] == "Hangzhou Tea Co." and response.json()["number"] == "•••• 3000"
    stored = PayoutAccount.objects.get(store=money.store)
    assert stored.number == "DE89370400440532013000" and stored.updated_by == money.owner
    read = client.get(url, **money.auth.manager)
    assert read.status_code == 200 and read.json()["number"] == "•••• 3000" and "0532" not in read.content.decode()


def test_a_bad_account_is_refused_field_by_field(client, money):
    response = _put(client, _account_url(money), {"holder": " ", "number": "12"}, **money.auth.owner)
    assert_error(response, 422, "ledger.invalid")
    assert set(response.json()["error"]["fields"]) == {"holder", "number"}
    assert_error(_put(client, _account_url(money), {"holder": "A"}, **money.auth.owner), 422, "invalid")
    assert not PayoutAccount.objects.exists()


def test_only_the_owner_says_where_payouts_go(client, money):
    with_payout_account(money.store)
    body = {"holder": "Somebody Else", "number": "GB29NWBK60161331926819"}
    assert_error(_put(client, _account_url(money), body, **money.auth.manager), 403, "store.role_required")
    for auth in (money.auth.staff, money.auth.outsider, money.auth.buyer):
        assert client.get(_account_url(money), **auth).status_code in (403, 404)
        assert _put(client, _account_url(money), body, **auth).status_code in (403, 404)
    for auth in (money.auth.outsider, money.auth.buyer):
        assert_error(client.get(_account_url(money), **auth), 404, "store.not_found")
    assert client.get(_account_url(money)).status_code == 401
    assert _put(client, _account_url(money), body).status_code == 401
    assert PayoutAccount.objects.get().number == "DE89370400440532013000"


def test_payouts_newest_first_with_status_and_failure_reason(client, money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    first = payouts.request_payout(access=money.access, amount="200.00")
    payouts.fail_payout(payout_id=first.id, reason="The bank refused the account.")
    second = payouts.request_payout(access=money.access, amount="300.00")
    url = f"/api/v1/stores/{money.store.slug}/payouts"
    body = client.get(url, **money.auth.manager).json()
    assert body["total"] == 2 and [p["id"] for p in body["items"]] == [second.id, first.id]
    latest, failed = body["items"]
    assert (latest["status"], latest["amount"], latest["currency"]) == ("in_transit", "300.00", "CNY")
    assert (failed["status"], failed["failure_reason"]) == ("failed", "The bank refused the account.")
    only_failed = client.get(f"{url}?status=failed", **money.auth.owner).json()
    assert [p["id"] for p in only_failed["items"]] == [first.id] and only_failed["total"] == 1
    paged = client.get(f"{url}?page=2&page_size=1", **money.auth.owner).json()
    assert [p["id"] for p in paged["items"]] == [first.id] and paged["page"] == 2
    assert_error(client.get(f"{url}?status=lost", **money.auth.owner), 422, "ledger.invalid")
    assert Payout.objects.filter(status=PayoutStatus.FAILED).count() == 1


def test_nobody_else_lists_a_stores_payouts(client, money):
    url = f"/api/v1/stores/{money.store.slug}/payouts"
    assert_error(client.get(url, **money.auth.staff), 403, "store.role_required")
    for auth in (money.auth.outsider, money.auth.buyer):
        assert_error(client.get(url, **auth), 404, "store.not_found")
    assert client.get(url).status_code == 401

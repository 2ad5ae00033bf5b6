"""The store's money through the API and the seller centre: balance, transactions (paged, CSV), payouts,
payout account; owner and managers only, constant queries."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.api.tests.test_api_errors import assert_error
from jishi.ledger.models import Payout, PayoutAccount, PayoutStatus
from jishi.ledger.tests.conftest import complete, pay, with_payout_account
from jishi.stores.models import Membership, Role
from tests.factories import UserFactory, buy_now

pytestmark = pytest.mark.django_db


def _post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body) if body is not None else "", content_type="application/json", **headers)


def _sell(money, times: int):
    for _ in range(times):
        group = buy_now(money.buyer, money.tea, 1, charge_currency="CNY", address=money.address)
        pay(group)
        complete(group.orders.get(), money.access)


# --- API -------------------------------------------------------------------------------------------


def test_the_balance_in_escrow_available_in_transit_and_paid_out(client, money):
    body = client.get(f"/api/v1/stores/{money.store.slug}/balance", **money.auth.manager).json()
    assert body == {"items": [{"currency": "CNY", "in_escrow": "200.00", "available": "950.00", "in_transit": "0.00",
                               "paid_out": "0.00", "commission": "50.00", "payout_minimum": "160.00"}]}


def test_transactions_newest_first_with_their_orders_and_paged(client, money):
    url = f"/api/v1/stores/{money.store.slug}/transactions"
    body = client.get(url, **money.auth.owner).json()
    assert (body["total"], body["page"], body["page_size"]) == (3, 1, 20)
    latest, release, capture = body["items"]
    assert (latest["kind"], latest["order_id"], latest["in_escrow"], latest["available"]) == (
        "capture", money.waiting.id, "200.00", "0.00")
    assert (release["kind"], release["description"], release["order_id"]) == ("release", "Escrow released", money.done.id)
    assert (release["in_escrow"], release["available"], release["commission"]) == ("-1000.00", "950.00", "-50.00")
    assert capture["in_escrow"] == "1000.00" and capture["currency"] == "CNY"
    second = client.get(f"{url}?page=2&page_size=2", **money.auth.owner).json()
    assert [t["id"] for t in second["items"]] == [capture["id"]] and second["total"] == 3
    assert_error(client.get(f"{url}?page_size=1000", **money.auth.owner), 422, "invalid")


def test_transactions_take_the_same_queries_however_many_there_are(client, money):
    url = f"/api/v1/stores/{money.store.slug}/transactions"
    client.get(url, **money.auth.owner)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **money.auth.owner).json()["total"] == 3
    _sell(money, 6)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url, **money.auth.owner).json()["items"]) == 15
    assert len(many) == len(few) <= 6


def test_a_payout_through_the_api_once_per_idempotency_key(client, money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    url = f"/api/v1/stores/{money.store.slug}/payouts"
    headers = {**money.auth.owner, "HTTP_IDEMPOTENCY_KEY": "payout-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, url, {"amount": "500.00"}, **headers)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["amount"], body["currency"], body["status"], body["scheduled"]) == ("500.00", "CNY", "in_transit", False)
    again = _post(client, url, {"amount": "500.00"}, **headers)
    assert again.status_code == 201 and again.json()["id"] == body["id"] and Payout.objects.count() == 1
    assert_error(_post(client, url, {"amount": "600.00"}, **headers), 422, "idempotency.key_reused")
    assert Payout.objects.get().status == PayoutStatus.PAID
    balance = client.get(f"/api/v1/stores/{money.store.slug}/balance", **money.auth.owner).json()["items"][0]
    assert (balance["available"], balance["paid_out"]) == ("450.00", "500.00")


def test_payouts_below_the_minimum_or_above_the_balance_get_4xx_and_change_nothing(client, money):
    with_payout_account(money.store)
    url = f"/api/v1/stores/{money.store.slug}/payouts"
    assert "amount" in assert_error(_post(client, url, {"amount": "100"}, **money.auth.owner), 422,
                                    "ledger.below_minimum")["fields"]
    assert_error(_post(client, url, {"amount": "5000"}, **money.auth.owner), 409, "ledger.insufficient_balance")
    assert_error(_post(client, url, {"amount": "-1"}, **money.auth.owner), 422, "ledger.invalid")
    assert_error(_post(client, url, {"amount": "lots"}, **money.auth.owner), 422, "invalid")
    assert_error(_post(client, url, {"currency": "XXX"}, **money.auth.owner), 409, "ledger.currency_unavailable")
    assert not Payout.objects.exists()
    PayoutAccount.objects.all().delete()
    assert_error(_post(client, url, {}, **money.auth.owner), 409, "ledger.no_payout_account")


@pytest.mark.parametrize("path", ["balance", "transactions"])
def test_only_owners_and_managers_see_the_money(client, money, path):
    url = f"/api/v1/stores/{money.store.slug}/{path}"
    assert client.get(url, **money.auth.manager).status_code == 200
    assert_error(client.get(url, **money.auth.staff), 403, "store.role_required")
    assert_error(client.get(url, **money.auth.outsider), 404, "store.not_found")
    assert_error(client.get(url, **money.auth.buyer), 404, "store.not_found")
    assert client.get(url).status_code == 401


def test_only_owners_and_managers_pay_out(client, money):
    with_payout_account(money.store)
    url = f"/api/v1/stores/{money.store.slug}/payouts"
    assert_error(_post(client, url, {}, **money.auth.staff), 403, "store.role_required")
    assert_error(_post(client, url, {}, **money.auth.outsider), 404, "store.not_found")
    assert_error(_post(client, url, {}, **money.auth.buyer), 404, "store.not_found")
    assert _post(client, url, {}).status_code == 401
    assert not Payout.objects.exists()
    assert _post(client, url, {}, **money.auth.manager).status_code == 201


# --- pages -----------------------------------------------------------------------------------------


def test_the_balance_page_shows_the_money_transactions_and_payouts(client, money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    client.force_login(money.owner)
    url = f"/seller/{money.store.slug}/money/"
    page = client.get(url).content.decode()
    for text in ("In escrow", "CN¥200.00", "Available", "CN¥950.00", "Paid out", "Escrow released", "Payment captured",
                 f"/seller/{money.store.slug}/orders/{money.done.id}/", "•••• 3000", "CN¥160.00", "every 7 days"):
        assert text in page, text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}payouts/", {"amount": "300", "currency": "CNY"}, follow=True)
    page = response.content.decode()
    assert "A payout of CN¥300.00 is on its way to •••• 3000." in page and "In transit" in page
    assert "CN¥650.00" in page and f'href="#payout-{Payout.objects.get().id}"' in page
    page = client.get(url).content.decode()  # the sandbox bank answered after the request
    assert "Payout settled" in page and "CN¥300.00" in page


def test_the_balance_page_shows_payout_errors_on_the_form(client, money):
    with_payout_account(money.store)
    client.force_login(money.owner)
    url = f"/seller/{money.store.slug}/money/payouts/"
    below = client.post(url, {"amount": "100", "currency": "CNY"})
    assert below.status_code == 422 and "Payouts start at" in below.content.decode()
    above = client.post(url, {"amount": "9999", "currency": "CNY"})
    assert above.status_code == 409 and "Only 950.00 CNY is available to pay out." in above.content.decode()
    assert not Payout.objects.exists()


def test_the_owner_sets_the_payout_account_and_managers_may_not(client, money):
    url = f"/seller/{money.store.slug}/money/payout-account/"
    client.force_login(money.manager)
    page = client.get(f"/seller/{money.store.slug}/money/").content.decode()
    assert "Add a payout account first" in page and "Save payout account" not in page
    assert client.post(url, {"holder": "Me", "number": "DE89370400440532013000"}).status_code == 403
    client.force_login(money.owner)
    bad = client.post(url, {"holder": "Hangzhou Tea", "number": "12"})
    assert bad.status_code == 422 and "6 to 34 letters and digits" in bad.content.decode()
    assert client.post(url, {"holder": "Hangzhou Tea", "number": "DE89 3704 0044 0532 0130 00"}).status_code == 302
    assert PayoutAccount.objects.get(store=money.store).number == "DE89370400440532013000"


def test_transactions_export_as_csv(client, money):
    client.force_login(money.manager)
    response = client.get(f"/seller/{money.store.slug}/money/transactions.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Date", "Transaction", "Kind", "Order"] and len(rows) == 4
    assert rows[2][2:4] == ["Escrow released", str(money.done.id)] and rows[2][6:] == ["-1000.00", "950.00", "0.00", "-50.00"]


@pytest.mark.parametrize("path", ["", "transactions.csv"])
def test_the_money_pages_are_for_owners_and_managers_of_the_store(client, money, path):
    url = f"/seller/{money.store.slug}/money/{path}"
    client.force_login(money.staff)
    assert client.get(url).status_code == 403
    client.force_login(money.outsider)
    assert client.get(url).status_code == 404
    client.force_login(money.buyer)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("path", ["payouts/", "payout-account/"])
def test_outsiders_cannot_pay_out_nor_change_the_account_from_the_page(client, money, path):
    account = with_payout_account(money.store)
    url = f"/seller/{money.store.slug}/money/{path}"
    data = {"amount": "300", "holder": "Thief", "number": "GB00THIEF00000001"}
    for user, status in ((money.staff, 403), (money.outsider, 404), (money.buyer, 404)):
        client.force_login(user)
        assert client.post(url, data).status_code == status
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not Payout.objects.exists()
    assert PayoutAccount.objects.get().number == account.number


def test_the_balance_page_takes_the_same_queries_however_much_money_moved(client, money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    client.force_login(money.owner)
    url = f"/seller/{money.store.slug}/money/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _sell(money, 30)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}payouts/", {"amount": "500"})
    Membership.objects.create(store=money.store, user=UserFactory(), role=Role.MANAGER)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 12, [q["sql"] for q in many]

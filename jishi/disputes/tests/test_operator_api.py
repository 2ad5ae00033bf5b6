"""The operator through the API: escalated refund requests and their decisions, the marketplace's own
refunds (safe to retry), suspending and reinstating stores, and the reconciliation report. Nobody but
staff reaches any of it, and a refused call changes nothing."""

from __future__ import annotations

import json

import pytest

from jishi.catalog.selectors import get_visible_product
from jishi.disputes.models import RefundRequest, RefundRequestStatus
from jishi.disputes.tests.test_decisions_and_history import _escalated, run_jobs  # noqa: F401 (fixture)
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.orders.models import Order, OrderStatus
from jishi.payments.alerts import raise_alert
from jishi.payments.models import AlertKind, Refund
from jishi.stores.models import Store, StoreEvent, StoreStatus
from tests.factories import UserFactory, bearer

pytestmark = pytest.mark.django_db

API = "/api/v1/operator"


@pytest.fixture
def operator():
    return bearer(UserFactory(is_staff=True, name="Zhou Min"))


def _post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body if body is not None else {}), content_type="application/json", **headers)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    return error


def _refundable(order) -> Money:
    return order_money(Order.objects.get(pk=order.pk)).refundable


# --- refund requests ---------------------------------------------------------------------------------


def test_the_list_shows_escalated_requests_by_default(client, shipped, run_jobs, operator):  # noqa: F811
    escalated = _escalated(shipped, run_jobs, goods_return=False)
    body = client.get(f"{API}/refund-requests", **operator).json()
    assert [r["id"] for r in body["items"]] == [escalated.id] and body["total"] == 1
    assert body["items"][0]["status"] == "escalated" and body["items"][0]["amount"] == "100.00"
    assert client.get(f"{API}/refund-requests?status=refunded", **operator).json()["total"] == 0
    assert client.get(f"{API}/refund-requests?status=", **operator).json()["total"] == 1
    _error(client.get(f"{API}/refund-requests?status=lost", **operator), 422, "refund_request.invalid")
    one = client.get(f"{API}/refund-requests/{escalated.id}", **operator).json()
    assert one["actions"] == ["decide"] and one["events"][-1]["to_status"] == "escalated"


def test_deciding_for_the_buyer_refunds_now(client, shipped, run_jobs, operator):  # noqa: F811
    escalated = _escalated(shipped, run_jobs, goods_return=False)
    before = _refundable(shipped.order)
    with run_jobs():
        response = _post(client, f"{API}/refund-requests/{escalated.id}/decide",
                         {"decision": "for_buyer", "amount": "60.00", "note": "The photos show the damage."},
                         **operator)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "refunded" and body["decision"] == "for_buyer" and body["refunded_amount"] == "60.00"
    assert body["events"][-1]["by"] == "operator" and body["actions"] == []
    assert _refundable(shipped.order) == before - Money("60.00", "CNY")
    assert Refund.objects.get(order=shipped.order).amount == 60
    again = _post(client, f"{API}/refund-requests/{escalated.id}/decide", {"decision": "for_seller", "note": "x"},
                  **operator)
    assert "cannot be decided now" in _error(again, 409, "refund_request.illegal_transition")["message"]
    assert Refund.objects.count() == 1 and check_ledger().ok


def test_deciding_for_the_buyer_on_return_waits_for_the_goods(client, shipped, run_jobs, operator):  # noqa: F811
    escalated = _escalated(shipped, run_jobs, goods_return=True)
    with run_jobs():
        response = _post(client, f"{API}/refund-requests/{escalated.id}/decide",
                         {"decision": "for_buyer", "refund": "on_return", "note": "Send it back first."}, **operator)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted" and response.json()["decision"] == "for_buyer"
    assert not Refund.objects.exists()
    assert RefundRequest.objects.get(pk=escalated.pk).status == RefundRequestStatus.ACCEPTED


def test_the_decisions_that_cannot_be_made(client, shipped, run_jobs, operator):  # noqa: F811
    escalated = _escalated(shipped, run_jobs, goods_return=False)
    url = f"{API}/refund-requests/{escalated.id}/decide"
    on_return = _error(_post(client, url, {"decision": "for_buyer", "refund": "on_return"}, **operator), 422,
                       "refund_request.invalid")
    assert "refund" in on_return["fields"]
    without_note = _error(_post(client, url, {"decision": "for_seller"}, **operator), 422, "refund_request.invalid")
    assert "note" in without_note["fields"]
    _error(_post(client, url, {"decision": "maybe"}, **operator), 422, "invalid")
    _error(_post(client, url, {"decision": "for_buyer", "amount": "9999"}, **operator), 422, "refund_request.invalid")
    assert RefundRequest.objects.get(pk=escalated.pk).status == RefundRequestStatus.ESCALATED
    assert not Refund.objects.exists()


def test_deciding_for_the_seller_closes_the_request(client, shipped, run_jobs, operator):  # noqa: F811
    escalated = _escalated(shipped, run_jobs, goods_return=False)
    with run_jobs():
        response = _post(client, f"{API}/refund-requests/{escalated.id}/decide",
                         {"decision": "for_seller", "note": "The tin arrived whole."}, **operator)
    assert response.json()["status"] == "closed" and response.json()["decision_note"] == "The tin arrived whole."
    assert not Refund.objects.exists()


# --- the marketplace's own refunds -------------------------------------------------------------------


def test_an_operator_refund_once_per_idempotency_key(client, shipped, run_jobs, operator):  # noqa: F811
    url = f"{API}/orders/{shipped.order.id}/refunds"
    headers = {**operator, "HTTP_IDEMPOTENCY_KEY": "goodwill-1"}
    body = {"amount": "30.00", "reason": "Goodwill for the late delivery."}
    with run_jobs():
        first = _post(client, url, body, **headers)
    assert first.status_code == 201, first.content
    assert (first.json()["amount"], first.json()["currency"], first.json()["status"]) == ("30.00", "CNY", "succeeded")
    again = _post(client, url, body, **headers)
    assert again.status_code == 201 and again.json() == first.json()
    _error(_post(client, url, {**body, "amount": "31.00"}, **headers), 422, "idempotency.key_reused")
    assert Refund.objects.count() == 1
    event = Order.objects.get(pk=shipped.order.pk).events.order_by("-id").first()
    assert (event.kind, event.by) == ("refund", "operator")
    _error(_post(client, url, {"amount": "100000", "reason": "Too much"}, **operator), 422, "refund.invalid")
    assert Refund.objects.count() == 1 and check_ledger().ok


def test_refunding_all_of_a_paid_order_cancels_it(client, trade, run_jobs, operator):  # noqa: F811
    left = _refundable(trade.order)
    with run_jobs():
        response = _post(client, f"{API}/orders/{trade.order.id}/refunds",
                         {"amount": str(left.amount), "reason": "Seller cannot ship.", "restock": True}, **operator)
    assert response.status_code == 201, response.content
    assert Order.objects.get(pk=trade.order.pk).status == OrderStatus.CANCELLED


# --- stores ------------------------------------------------------------------------------------------


def test_suspending_and_reinstating_a_store(client, trade, run_jobs, operator):  # noqa: F811
    product_id = trade.variant.product_id
    url = f"{API}/stores/{trade.store.slug}"
    _error(_post(client, f"{url}/suspend", {"reason": "   "}, **operator), 422, "store.invalid")
    assert Store.objects.get(pk=trade.store.pk).status == StoreStatus.ACTIVE
    with run_jobs():
        response = _post(client, f"{url}/suspend", {"reason": "Counterfeit goods reported"}, **operator)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    assert response.json()["suspension_reason"] == "Counterfeit goods reported" and response.json()["suspended_at"]
    assert get_visible_product(product_id=product_id) is None
    with run_jobs():
        back = _post(client, f"{url}/reinstate", **operator)
    assert back.json()["status"] == "active" and back.json()["suspension_reason"] == ""
    assert get_visible_product(product_id=product_id) is not None
    with run_jobs():
        assert _post(client, f"{url}/reinstate", **operator).json()["status"] == "active"
    kinds = list(StoreEvent.objects.filter(store=trade.store).values_list("kind", flat=True))
    assert kinds.count("store.suspended") == 1 and kinds.count("store.reinstated") == 1
    _error(_post(client, f"{API}/stores/no-such-store/suspend", {"reason": "x"}, **operator), 404, "store.not_found")


# --- the books ---------------------------------------------------------------------------------------


def test_the_reconciliation_report(client, trade, operator):
    body = client.get(f"{API}/reconciliation", **operator).json()
    assert body["ok"] is True and body["problems"] == [] and body["entries"] > 0
    held = [row for row in body["open_escrow"] if row["order_id"] == trade.order.id]
    assert held and held[0]["amount"]["currency"] == "CNY" and held[0]["store_name"] == "Hangzhou Tea"
    assert held[0]["amount"]["amount"] == str(order_money(trade.order).escrow.amount.quantize(
        Money("1", "CNY").amount.__class__("0.01")))
    assert {"currency": "CNY", "amount": held[0]["amount"]["amount"]} in body["escrow_total"]
    assert any(t["kind"] == "escrow" and t["currency"] == "CNY" for t in body["totals"])
    assert body["open_alerts"] == []
    raise_alert(AlertKind.values[0], "Amount does not match", group_id=trade.order.group_id, seen="12.00")
    alert = client.get(f"{API}/reconciliation?limit=5", **operator).json()["open_alerts"][0]
    assert alert["message"] == "Amount does not match" and alert["details"] == {"seen": "12.00"}
    _error(client.get(f"{API}/reconciliation?limit=0", **operator), 422, "invalid")


# --- nobody else ---------------------------------------------------------------------------------------


def test_nobody_but_staff_reaches_the_operator_api(client, shipped, run_jobs):  # noqa: F811
    escalated = _escalated(shipped, run_jobs, goods_return=False)
    order = shipped.order
    calls = [
        ("get", f"{API}/refund-requests", None),
        ("get", f"{API}/refund-requests/{escalated.id}", None),
        ("post", f"{API}/refund-requests/{escalated.id}/decide", {"decision": "for_buyer", "note": "mine"}),
        ("post", f"{API}/orders/{order.id}/refunds", {"amount": "10.00", "reason": "mine"}),
        ("post", f"{API}/stores/{shipped.store.slug}/suspend", {"reason": "mine"}),
        ("post", f"{API}/stores/{shipped.store.slug}/reinstate", None),
        ("get", f"{API}/reconciliation", None),
    ]
    callers = {"the buyer": bearer(shipped.buyer), "the store's owner": bearer(shipped.owner),
               "another user": bearer(UserFactory())}
    for method, url, body in calls:
        for who, auth in callers.items():
            response = client.get(url, **auth) if method == "get" else _post(client, url, body, **auth)
            assert response.status_code == 404, (who, url, response.content)
        anonymous = client.get(url) if method == "get" else _post(client, url, body)
        assert anonymous.status_code == 401, url
    assert RefundRequest.objects.get(pk=escalated.pk).status == RefundRequestStatus.ESCALATED
    assert not Refund.objects.exists()
    assert Store.objects.get(pk=shipped.store.pk).status == StoreStatus.ACTIVE

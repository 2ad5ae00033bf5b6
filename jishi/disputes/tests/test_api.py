"""Refund requests and store refunds through the API: the whole flow, bad input, illegal steps, tenancy on
every route, idempotent refunds and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.api.tests.test_api_errors import assert_error
from jishi.disputes.models import RefundRequest
from jishi.payments.models import Refund
from jishi.stores.models import Membership, Role
from tests.factories import UserFactory, bearer, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(shipped):
    staff = UserFactory()
    Membership.objects.create(store=shipped.store, user=staff, role=Role.STAFF)
    _other, other_access = open_store_for(name="Osaka Ramen", currency_code="JPY")
    shipped.auth = bearer(shipped.buyer)
    shipped.owner_auth = bearer(shipped.owner)
    shipped.staff_auth = bearer(staff)
    shipped.other_buyer = bearer(UserFactory())
    shipped.outsider = bearer(other_access.membership.user)
    shipped.base = f"/api/v1/orders/{shipped.order.id}/refund-requests"
    shipped.store_base = f"/api/v1/stores/{shipped.store.slug}"
    return shipped


def _post(client, url, body=None, **auth):
    return client.post(url, body if body is not None else {}, content_type="application/json", **auth)


def _open(client, api, **body):
    response = _post(client, api.base, {"reason": "damaged", **body}, **api.auth)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_flow_with_goods_coming_back(client, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        opened = _open(client, api, amount="60.50", goods_return=True, details="Cracked lid")
    assert opened["status"] == "open" and opened["amount"] == "60.50" and opened["currency"] == "CNY"
    assert opened["actions"] == ["withdraw"] and opened["events"][0]["due_at"] == opened["due_at"]
    url = f"{api.store_base}/refund-requests/{opened['id']}"
    seen = client.get(url, **api.owner_auth).json()
    assert seen["actions"] == ["accept", "reject"]
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _post(client, f"{url}/accept", **api.owner_auth)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    mine = f"{api.base}/{opened['id']}"
    assert client.get(mine, **api.auth).json()["actions"] == ["return", "withdraw"]
    bad = _post(client, f"{mine}/return", {"carrier": "S", "tracking_number": "no"}, **api.auth)
    error = assert_error(bad, 422, "refund_request.invalid")
    assert set(error["fields"]) == {"carrier", "tracking_number"}
    with django_capture_on_commit_callbacks(execute=True):
        sent = _post(client, f"{mine}/return", {"carrier": "SF Express", "tracking_number": "SF55566677"}, **api.auth)
    assert sent.json()["status"] == "return_shipped" and sent.json()["return_tracking_number"] == "SF55566677"
    with django_capture_on_commit_callbacks(execute=True):
        done = _post(client, f"{url}/confirm-return", {"restock": True}, **api.owner_auth)
    body = done.json()
    assert body["status"] == "refunded" and body["refunded_amount"] == "60.50"
    assert [e["to_status"] for e in body["events"]] == ["open", "accepted", "return_shipped", "refunded"]
    assert [e["by"] for e in body["events"]] == ["buyer", "store", "buyer", "store"]
    listed = client.get(api.base, **api.auth).json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "refunded"


def test_rejection_and_escalation(client, api, django_capture_on_commit_callbacks):
    opened = _open(client, api)
    assert opened["amount"] == "200.00"  # everything refundable when no amount is given
    url = f"{api.store_base}/refund-requests/{opened['id']}"
    assert_error(_post(client, f"{url}/reject", {"reason": ""}, **api.owner_auth), 422, "refund_request.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        rejected = _post(client, f"{url}/reject", {"reason": "It arrived intact."}, **api.owner_auth).json()
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "It arrived intact."
    with django_capture_on_commit_callbacks(execute=True):
        escalated = _post(client, f"{api.base}/{opened['id']}/escalate", {"note": "Photos attached."}, **api.auth)
    assert escalated.json()["status"] == "escalated" and escalated.json()["actions"] == []
    assert_error(_post(client, f"{api.base}/{opened['id']}/withdraw", **api.auth), 409,
                 "refund_request.illegal_transition")


def test_bad_input_and_illegal_steps_get_clear_errors(client, api):
    assert_error(_post(client, api.base, {"reason": "bored"}, **api.auth), 422, "refund_request.invalid")
    error = assert_error(_post(client, api.base, {"reason": "damaged", "amount": "999"}, **api.auth), 422,
                         "refund_request.invalid")
    assert "amount" in error["fields"]
    assert_error(_post(client, api.base, {"reason": "damaged", "amount": "lots"}, **api.auth), 422, "invalid")
    assert_error(_post(client, api.base, {"reason": "damaged", "amount": "-5"}, **api.auth), 422,
                 "refund_request.invalid")
    opened = _open(client, api, amount="10")
    assert_error(_post(client, api.base, {"reason": "damaged"}, **api.auth), 409, "refund_request.already_open")
    url = f"{api.store_base}/refund-requests/{opened['id']}"
    assert_error(_post(client, f"{url}/confirm-return", **api.owner_auth), 409, "refund_request.illegal_transition")
    assert_error(_post(client, f"{api.base}/{opened['id']}/return",
                       {"carrier": "SF Express", "tracking_number": "SF123456"}, **api.auth), 409,
                 "refund_request.illegal_transition")
    assert_error(client.get(f"{api.store_base}/refund-requests?status=nope", **api.owner_auth), 422,
                 "refund_request.invalid")
    assert RefundRequest.objects.get().status == "open"


def test_tenancy_on_every_route(client, api):
    opened = _open(client, api, amount="10")
    mine = f"{api.base}/{opened['id']}"
    theirs = f"{api.store_base}/refund-requests/{opened['id']}"
    buyer_routes = [("get", api.base), ("get", mine), ("post", api.base), ("post", f"{mine}/return"),
                    ("post", f"{mine}/escalate"), ("post", f"{mine}/withdraw")]
    body = {"reason": "damaged", "carrier": "SF Express", "tracking_number": "SF123456"}
    for method, url in buyer_routes:
        response = getattr(client, method)(url, body, content_type="application/json", **api.other_buyer) \
            if method == "post" else client.get(url, **api.other_buyer)
        assert response.status_code == 404, (url, response.content)
        anonymous = _post(client, url, body) if method == "post" else client.get(url)
        assert anonymous.status_code == 401, url
        as_store = getattr(client, method)(url, body, content_type="application/json", **api.owner_auth) \
            if method == "post" else client.get(url, **api.owner_auth)
        assert as_store.status_code == 404, url
    store_routes = [("get", f"{api.store_base}/refund-requests"), ("get", theirs), ("post", f"{theirs}/accept"),
                    ("post", f"{theirs}/reject"), ("post", f"{theirs}/confirm-return"),
                    ("post", f"{api.store_base}/orders/{api.order.id}/refunds")]
    store_body = {"reason": "Sorry", "amount": "1"}
    for method, url in store_routes:
        outsider = _post(client, url, store_body, **api.outsider) if method == "post" else client.get(url, **api.outsider)
        assert outsider.status_code == 404, (url, outsider.content)
        buyer = _post(client, url, store_body, **api.auth) if method == "post" else client.get(url, **api.auth)
        assert buyer.status_code == 404, url
        anonymous = _post(client, url, store_body) if method == "post" else client.get(url)
        assert anonymous.status_code == 401, url
    for url in (f"{theirs}/accept", f"{theirs}/reject", f"{api.store_base}/orders/{api.order.id}/refunds"):
        assert_error(_post(client, url, store_body, **api.staff_auth), 403, "store.role_required")
    assert client.get(theirs, **api.staff_auth).status_code == 200  # staff see requests, managers answer them
    assert RefundRequest.objects.get().status == "open" and not Refund.objects.exists()


def test_a_store_refund_is_idempotent(client, api, django_capture_on_commit_callbacks):
    url = f"{api.store_base}/orders/{api.order.id}/refunds"
    body = {"amount": "20.00", "reason": "Late, sorry.", "restock": False}
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, url, body, HTTP_IDEMPOTENCY_KEY="r-1", **api.owner_auth)
        again = _post(client, url, body, HTTP_IDEMPOTENCY_KEY="r-1", **api.owner_auth)
    assert first.status_code == 201 and again.status_code == 201 and first.json() == again.json()
    assert first.json()["amount"] == "20.00" and first.json()["currency"] == "CNY"
    assert Refund.objects.count() == 1
    assert_error(_post(client, url, {**body, "amount": "21.00"}, HTTP_IDEMPOTENCY_KEY="r-1", **api.owner_auth), 422,
                 "idempotency.key_reused")
    assert_error(_post(client, url, {**body, "amount": "500"}, **api.owner_auth), 422, "refund.invalid")
    assert_error(_post(client, url, {"amount": "1", "reason": " "}, **api.owner_auth), 422, "refund.invalid")
    assert Refund.objects.count() == 1


def test_the_store_list_costs_the_same_for_one_request_or_many(client, api, rates):
    from tests.factories import buy_now

    _open(client, api, amount="10")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{api.store_base}/refund-requests", **api.owner_auth)
        assert response.status_code == 200
        return len(queries), response.json()["total"]

    count()  # the first call also records the token's use
    one, total = count()
    assert total == 1 and one <= 5
    from jishi.orders.services import mark_paid

    for _ in range(3):  # more requests on other orders of the store (no money needed to list them)
        group = buy_now(api.buyer, api.variant, 1)
        mark_paid(group)
        order = group.orders.get()
        RefundRequest.objects.create(order=order, store=api.store, buyer=api.buyer, reason="damaged",
                                     currency="CNY", amount="1")
    many, total = count()
    assert total == 4 and many == one

"""POST /api/v1/order-groups/{id}/payments: the buyer starts paying; nobody else can."""

import datetime as dt

import pytest

from jishi.core import clock
from jishi.orders.services import cancel_order
from jishi.payments.models import Payment
from jishi.payments.sandbox import pay
from tests.factories import UserFactory, bearer

pytestmark = pytest.mark.django_db

JSON = "application/json"  # a POST without a body: nothing to parse


def _url(group):
    return f"/api/v1/order-groups/{group.pk}/payments"


def test_the_buyer_starts_a_payment_and_is_told_where_to_pay(client, group):
    response = client.post(_url(group), content_type=JSON, **bearer(group.buyer))
    assert response.status_code == 201, response.content
    body = response.json()
    payment = Payment.objects.get()
    assert body["id"] == payment.id and body["status"] == "created" and body["group_id"] == group.pk
    assert (body["amount"], body["currency"]) == (str(group.charge_total.quantize(payment.amount.__class__("0.01"))),
                                                  "USD")
    assert body["redirect_url"] == f"http://testserver/pay/sandbox/{payment.token}/"
    assert client.get(body["redirect_url"]).status_code == 200


def test_the_same_idempotency_key_answers_the_same_payment(client, group):
    headers = {**bearer(group.buyer), "HTTP_IDEMPOTENCY_KEY": "pay-1"}
    first = client.post(_url(group), content_type=JSON, **headers)
    again = client.post(_url(group), content_type=JSON, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Payment.objects.count() == 1
    changed = client.post(_url(group), data=b'{"x": 1}', content_type="application/json", **headers)
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency.key_reused"
    assert Payment.objects.count() == 1
    assert client.post(_url(group), content_type=JSON, **{**headers, "HTTP_IDEMPOTENCY_KEY": "pay-2"}).status_code == 201
    assert Payment.objects.count() == 2


def test_another_buyer_a_store_member_and_anonymous_cannot_start_it(client, shop, group):
    access, _variant, _buyer = shop
    for user in (UserFactory(), access.membership.user):
        response = client.post(_url(group), content_type=JSON, **bearer(user))
        assert response.status_code == 404 and response.json()["error"]["code"] == "order_group.not_found"
    assert client.post(_url(group), content_type=JSON).status_code == 401
    assert client.post("/api/v1/order-groups/99999999999999999999/payments", content_type=JSON, **bearer(group.buyer)).status_code in (404, 422)
    assert client.post("/api/v1/order-groups/abc/payments", content_type=JSON, **bearer(group.buyer)).status_code == 422
    assert not Payment.objects.exists()


def test_a_group_that_is_not_awaiting_payment_is_refused_clearly(client, group):
    pay(group)
    response = client.post(_url(group), content_type=JSON, **bearer(group.buyer))
    assert response.status_code == 409 and response.json()["error"]["code"] == "payment.not_payable"
    assert Payment.objects.count() == 1


def test_a_cancelled_or_lapsed_group_cannot_be_paid(client, group, shop):
    with clock.shifted(dt.timedelta(hours=2)):
        assert client.post(_url(group), content_type=JSON, **bearer(group.buyer)).status_code == 409
    cancel_order(order=group.orders.get(), by="buyer")
    assert client.post(_url(group), content_type=JSON, **bearer(group.buyer)).status_code == 409
    assert not Payment.objects.exists()


def test_starting_a_payment_takes_a_constant_number_of_queries(client, group, django_assert_max_num_queries):
    headers = {**bearer(group.buyer), "HTTP_IDEMPOTENCY_KEY": "q-1"}
    with django_assert_max_num_queries(16):
        assert client.post(_url(group), content_type=JSON, **headers).status_code == 201


def test_the_webhook_for_a_one_order_group_takes_a_pinned_number_of_queries(client, group, django_assert_max_num_queries):
    from jishi.payments.services import start_payment
    from jishi.payments.tests.conftest import event_body, post_signed

    payment = start_payment(group=group)
    # One order; mark_paid moves each order of a group; its mail is one outbox row.
    with django_assert_max_num_queries(25):
        assert post_signed(client, event_body(payment)).status_code == 200

"""A group's payments through the API (a declined card leaves its trace), a ``return_url`` the hosted page
sends the shopper back to (only on allowed hosts), and no payment into a suspended store."""

import pytest

from jishi.payments.models import Payment
from jishi.stores.services import reinstate_store, suspend_store
from tests.factories import UserFactory, bearer

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _url(group):
    return f"/api/v1/order-groups/{group.pk}/payments"


def _start(client, group, body=None, **headers):
    return client.post(_url(group), body if body is not None else {}, content_type=JSON,
                       **{**bearer(group.buyer), **headers})


def _submit(client, payment_id, card, capture):
    token = Payment.objects.get(pk=payment_id).token
    with capture(execute=True):
        return client.post(f"/pay/sandbox/{token}/", {"card_number": card, "expiry": "12/34", "cvc": "123"})


def test_a_declined_card_leaves_its_trace_and_the_next_payment_succeeds(client, group,
                                                                         django_capture_on_commit_callbacks):
    declined = _start(client, group).json()
    _submit(client, declined["id"], "4000 0000 0000 0002", django_capture_on_commit_callbacks)
    paid = _start(client, group).json()
    _submit(client, paid["id"], "4242 4242 4242 4242", django_capture_on_commit_callbacks)

    response = client.get(_url(group), **bearer(group.buyer))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(p["id"], p["status"]) for p in items] == [(paid["id"], "succeeded"), (declined["id"], "failed")]
    assert items[1]["failure_code"] == "card_declined" and items[1]["failed_at"]
    assert items[1]["failure_message"] == "Your card was declined. Try another card."
    assert items[1]["card_last4"] == "0002" and items[0]["card_last4"] == "4242"
    assert items[0]["failure_code"] == items[0]["failure_message"] == "" and items[0]["succeeded_at"]
    chinese = client.get(_url(group), HTTP_ACCEPT_LANGUAGE="zh-Hans", **bearer(group.buyer)).json()["items"]
    assert chinese[1]["failure_message"] != items[1]["failure_message"]


def test_only_the_buyer_reads_a_groups_payments(client, group, shop):
    _start(client, group)
    access, _, _ = shop
    for other in (UserFactory(), access.membership.user):
        assert client.get(_url(group), **bearer(other)).status_code == 404
        assert client.post(_url(group), {}, content_type=JSON, **bearer(other)).status_code == 404
    assert client.get(_url(group)).status_code == 401
    assert Payment.objects.count() == 1


def test_the_hosted_page_sends_the_shopper_back_to_an_allowed_return_url(client, group, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.PAYMENT_RETURN_URL_ALLOWED_HOSTS = ["shop.example.com"]
    back = "https://shop.example.com/checkout/done?cart=7"
    response = _start(client, group, {"return_url": back})
    assert response.status_code == 201 and response.json()["return_url"] == back
    payment_id = response.json()["id"]
    page = _submit(client, payment_id, "4242 4242 4242 4242", django_capture_on_commit_callbacks)
    assert page.status_code == 302
    assert page["Location"] == f"https://shop.example.com/checkout/done?cart=7&payment={payment_id}&status=succeeded"


def test_a_path_on_this_site_is_a_return_url_too(client, group):
    response = _start(client, group, {"return_url": "/orders/"})
    assert response.status_code == 201 and response.json()["return_url"] == "/orders/"


@pytest.mark.parametrize("url", ["https://evil.example.net/steal", "//evil.example.net/", "javascript:alert(1)",
                                 "ftp://shop.example.com/", "https://shop.example.com.evil.net/",
                                 "https://shop.example.com/" + "x" * 500])
def test_a_return_url_off_the_allow_list_is_refused_and_nothing_starts(client, group, settings, url):
    settings.PAYMENT_RETURN_URL_ALLOWED_HOSTS = ["shop.example.com"]
    response = _start(client, group, {"return_url": url})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] in ("payment.invalid", "invalid") and "return_url" in error["fields"]
    assert not Payment.objects.exists()


def test_no_payment_into_a_suspended_store(client, group, shop):
    access, _, _ = shop
    operator = UserFactory(is_staff=True)
    suspend_store(store=access.store, reason="Checking papers", actor=operator)
    response = _start(client, group)
    assert response.status_code == 409 and response.json()["error"]["code"] == "payment.store_suspended"
    assert not Payment.objects.exists()
    reinstate_store(store=access.store, actor=operator)
    assert _start(client, group).status_code == 201

"""Buyer protection on the pages: the buyer's refund request on the order page, the store's answers and
refunds in the seller centre, and the operator's arbitration pages; tenancy on every route, inline errors,
and lists whose query count does not grow."""

import re

import pytest
from django.urls import reverse

from jishi.disputes import services
from jishi.disputes.models import RefundRequest
from jishi.orders.services import mark_paid
from jishi.payments.models import Refund
from jishi.stores.models import Membership, Role
from tests.factories import UserFactory, buy_now, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(shipped):
    shipped.outsider = open_store_for(name="Osaka Ramen", currency_code="JPY")[1].membership.user
    shipped.staff_member = UserFactory()
    Membership.objects.create(store=shipped.store, user=shipped.staff_member, role=Role.STAFF)
    shipped.operator = UserFactory(is_staff=True)
    return shipped


def _open(pages, **kwargs):
    return services.open_refund_request(order=pages.order, buyer=pages.buyer, reason="damaged",
                                        amount=kwargs.pop("amount", "40"), **kwargs)


def test_the_buyer_asks_for_a_refund_on_the_order_page(client, pages, django_capture_on_commit_callbacks):
    client.force_login(pages.buyer)
    page = client.get(reverse("web:order_detail", args=[pages.order.id]))
    assert b"Ask for a refund" in page.content and b'name="amount" value="200.00"' in page.content
    url = reverse("web:order_refund_request", args=[pages.order.id])
    bad = client.post(url, {"reason": "", "amount": "500"})
    assert bad.status_code == 200 and b"Choose a reason." in bad.content
    assert not RefundRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"reason": "damaged", "amount": "40", "goods_return": "on", "details": "Cracked"})
    assert done.status_code == 302
    request = RefundRequest.objects.get()
    assert request.goods_return and str(request.amount) == "40.000"
    page = client.get(reverse("web:order_detail", args=[pages.order.id]))
    assert b"Withdraw the request" in page.content and b"Refund request #" in page.content
    assert b"Awaiting the store" in page.content and b"Ask for a refund" not in page.content


def test_the_store_answers_and_the_buyer_sends_the_goods_back(client, pages, django_capture_on_commit_callbacks):
    request = _open(pages, goods_return=True)
    client.force_login(pages.owner)
    detail = reverse("web:seller_order_detail", args=[pages.store.slug, pages.order.id])
    assert b"Accept: the buyer sends the goods back" in client.get(detail).content
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("web:seller_refund_accept", args=[pages.store.slug, request.id])).status_code == 302
    client.force_login(pages.buyer)
    url = reverse("web:order_refund_return", args=[pages.order.id, request.id])
    bad = client.post(url, {"carrier": "", "tracking_number": ""})
    assert bad.status_code == 200 and b"Name the carrier" in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"carrier": "SF Express", "tracking_number": "SF24681357"})
    client.force_login(pages.owner)
    page = client.get(detail)
    assert b"SF24681357" in page.content and b"The goods are back" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:seller_refund_confirm_return", args=[pages.store.slug, request.id]), {"restock": "on"})
    request.refresh_from_db()
    assert request.status == "refunded" and Refund.objects.get().amount == request.amount


def test_the_store_rejects_with_a_reason_and_refunds_on_its_own(client, pages, django_capture_on_commit_callbacks):
    request = _open(pages)
    client.force_login(pages.owner)
    reject = reverse("web:seller_refund_reject", args=[pages.store.slug, request.id])
    bad = client.post(reject, {"reason": ""})
    assert bad.status_code == 200 and b"Tell the buyer why you reject the request." in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reject, {"reason": "Used."})
    refund = reverse("web:seller_order_refund", args=[pages.store.slug, pages.order.id])
    too_much = client.post(refund, {"amount": "999", "reason": "Goodwill"})
    assert too_much.status_code == 200 and b"can still be refunded" in too_much.content
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(refund, {"amount": "5", "reason": "Goodwill"}).status_code == 302
    assert Refund.objects.get().requested_by == "store"


def test_tenancy_on_every_page_route(client, pages):
    request = _open(pages)
    buyer_posts = [reverse("web:order_refund_request", args=[pages.order.id]),
                   *(reverse(name, args=[pages.order.id, request.id]) for name in
                     ("web:order_refund_return", "web:order_refund_escalate", "web:order_refund_withdraw"))]
    store_posts = [reverse(name, args=[pages.store.slug, request.id]) for name in
                   ("web:seller_refund_accept", "web:seller_refund_reject", "web:seller_refund_confirm_return")]
    store_posts.append(reverse("web:seller_order_refund", args=[pages.store.slug, pages.order.id]))
    store_list = reverse("web:seller_refund_requests", args=[pages.store.slug])
    operator = [reverse("web:operator_refund_requests"), reverse("web:operator_refund_request", args=[request.id]),
                reverse("web:operator_order_refund", args=[pages.order.id])]
    body = {"reason": "x", "amount": "1", "carrier": "SF Express", "tracking_number": "SF123456"}
    for url in [*buyer_posts, *store_posts, *operator]:
        assert client.post(url, body).status_code == 302  # anonymous: to the login page
    assert client.get(store_list).status_code == 302
    client.force_login(UserFactory())  # another buyer
    for url in [*buyer_posts, *store_posts, *operator]:
        assert client.post(url, body).status_code == 404, url
    client.force_login(pages.outsider)  # another store's member
    for url in [*buyer_posts, *store_posts, *operator]:
        assert client.post(url, body).status_code == 404, url
    assert client.get(store_list).status_code == 404
    client.force_login(pages.staff_member)  # the store's staff: may look, not answer or refund
    for url in store_posts:
        assert client.post(url, body).status_code == 403, url
    assert client.get(store_list).status_code == 200
    client.force_login(pages.owner)  # the store is not the buyer
    for url in buyer_posts:
        assert client.post(url, body).status_code == 404, url
    request.refresh_from_db()
    assert request.status == "open" and not Refund.objects.exists() and RefundRequest.objects.count() == 1


def test_the_operator_decides_an_escalated_request(client, pages, django_capture_on_commit_callbacks):
    request = _open(pages)
    services.reject_refund_request(access=pages.access, request=request, reason="No.")
    services.escalate_refund_request(request=request, buyer=pages.buyer, note="Please look.")
    client.force_login(pages.operator)
    listing = client.get(reverse("web:operator_refund_requests"))
    assert listing.status_code == 200 and f"R{request.id}".encode() in listing.content
    url = reverse("web:operator_refund_request", args=[request.id])
    page = client.get(url)
    assert b"Please look." in page.content and b"Record the decision" in page.content
    bad = client.post(url, {"decision": "for_seller", "note": ""})
    assert bad.status_code == 200 and b"Tell both sides why" in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "for_buyer", "amount": "30", "note": ""}).status_code == 302
    request.refresh_from_db()
    assert request.status == "refunded" and request.decision == "for_buyer" and str(request.refunded_amount) == "30.000"
    refund_page = reverse("web:operator_order_refund", args=[pages.order.id])
    assert client.get(refund_page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(refund_page, {"amount": "10", "reason": "Goodwill", "restock": ""}).status_code == 302
    assert Refund.objects.filter(requested_by="operator").count() == 2


def test_the_operator_chooses_to_refund_once_the_goods_are_back(client, pages, django_capture_on_commit_callbacks):
    request = _open(pages, goods_return=True)
    services.accept_refund_request(access=pages.access, request=request)
    services.add_return_tracking(request=RefundRequest.objects.get(pk=request.pk), buyer=pages.buyer,
                                 carrier="SF Express", tracking_number="SF5550001")
    services.reject_refund_request(access=pages.access, request=RefundRequest.objects.get(pk=request.pk),
                                   reason="Not ours.")
    services.escalate_refund_request(request=RefundRequest.objects.get(pk=request.pk), buyer=pages.buyer)
    client.force_login(pages.operator)
    url = reverse("web:operator_refund_request", args=[request.id])
    page = client.get(url).content.decode()
    # Both options are offered; waiting for the goods is the one chosen unless the operator says otherwise.
    assert re.search(r'value="on_return"[^>]*checked', page) and not re.search(r'value="now"[^>]*checked', page)
    assert "Refund now, without waiting for the return" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"decision": "for_buyer", "amount": "40", "note": "", "refund": "on_return"})
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted" and request.refund_id is None and not Refund.objects.exists()


def test_list_pages_cost_the_same_for_one_request_or_many(client, pages, django_assert_max_num_queries):
    _open(pages)
    for _ in range(4):
        group = buy_now(pages.buyer, pages.variant, 1)
        mark_paid(group)
        RefundRequest.objects.create(order=group.orders.get(), store=pages.store, buyer=pages.buyer,
                                     reason="other", currency="CNY", amount="1")
    client.force_login(pages.owner)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("web:seller_refund_requests", args=[pages.store.slug]))
    assert page.content.count(b"#refund") == 5
    client.force_login(pages.operator)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("web:operator_refund_requests") + "?status=open")
    assert page.status_code == 200 and len(re.findall(rb"/operator/refund-requests/\d+/", page.content)) == 5

"""The sandbox's hosted page: approve, decline, insufficient funds, bad input, and no card number kept."""

import pytest
from django.apps import apps
from django.db import models

from jishi.orders.models import GroupStatus
from jishi.payments.models import Payment, PaymentStatus, WebhookDelivery
from jishi.payments.services import start_payment

pytestmark = pytest.mark.django_db


def _page(payment):
    return f"/pay/sandbox/{payment.token}/"


def _submit(client, payment, card, capture, **extra):
    with capture(execute=True):
        return client.post(_page(payment), {"card_number": card, "expiry": "12/34", "cvc": "123", **extra})


def test_the_page_shows_the_amount_and_the_test_cards(client, group):
    payment = start_payment(group=group)
    page = client.get(_page(payment)).content.decode()
    assert "$27.50" in page and "4242 4242 4242 4242" in page and "4000 0000 0000 0002" in page
    assert "4000 0000 0000 9995" in page and 'name="card_number"' in page
    assert client.get(_page(payment), HTTP_ACCEPT_LANGUAGE="zh-CN").status_code == 200


def test_approving_with_the_success_card_pays_the_group(client, group, django_capture_on_commit_callbacks):
    payment = start_payment(group=group)
    response = _submit(client, payment, "4242 4242 4242 4242", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == f"/orders/groups/{group.pk}/?payment={payment.pk}&status=succeeded"
    payment.refresh_from_db()
    group.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.card_last4 == "4242"
    assert group.status == GroupStatus.PAID
    # The page cannot be used twice.
    again = _submit(client, payment, "4242424242424242", django_capture_on_commit_callbacks)
    assert again.status_code == 409 and "can be used only once" in again.content.decode()
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize("card,code,shown", [("4000 0000 0000 0002", "card_declined", "declined"),
                                             ("4000000000009995", "insufficient_funds", "insufficient funds")])
def test_a_declined_card_fails_the_payment_and_the_shopper_can_try_again(client, group, card, code, shown,
                                                                         django_capture_on_commit_callbacks):
    client.force_login(group.buyer)
    payment = start_payment(group=group)
    response = _submit(client, payment, card, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    payment.refresh_from_db()
    group.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == code
    assert group.status == GroupStatus.PENDING_PAYMENT
    page = client.get(response["Location"]).content.decode()
    assert shown in page and "Pay now" in page
    retry = client.post(f"/orders/groups/{group.pk}/pay/")
    assert retry.status_code == 302 and retry["Location"] == group.payments.first().redirect_url
    # The failed attempt stays on the group's page after the flash message is gone.
    later = client.get(f"/orders/groups/{group.pk}/").content.decode()
    assert "Payment attempts" in later and "Failed" in later and shown in later and f"card ending {card[-4:]}" in later
    assert group.payments.count() == 2


def test_declining_on_the_page_fails_the_payment(client, group, django_capture_on_commit_callbacks):
    payment = start_payment(group=group)
    response = _submit(client, payment, "", django_capture_on_commit_callbacks, cancel="1")
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "cancelled_by_shopper"


@pytest.mark.parametrize("card", ["", "1234", "4242 4242 4242 4241", "x" * 39, "４２４２４２４２４２４２４２４２"])
def test_any_other_card_is_a_field_error_and_sends_nothing(client, group, card, django_capture_on_commit_callbacks):
    payment = start_payment(group=group)
    response = _submit(client, payment, card, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.context["form"].errors["card_number"]
    assert not WebhookDelivery.objects.exists()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED


def test_an_unknown_page_is_not_found(client):
    assert client.get("/pay/sandbox/nope/").status_code == 404
    assert client.post("/pay/sandbox/nope/", {"card_number": "4242424242424242"}).status_code == 404


def test_pay_now_is_only_for_the_groups_buyer(client, group):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.post(f"/orders/groups/{group.pk}/pay/").status_code == 404
    client.logout()
    assert client.post(f"/orders/groups/{group.pk}/pay/").status_code == 302  # to the login page
    assert not Payment.objects.exists()
    client.force_login(group.buyer)
    assert client.get(f"/orders/groups/{group.pk}/pay/").status_code == 405


def test_the_order_page_offers_pay_now_while_pending(client, group):
    client.force_login(group.buyer)
    order = group.orders.get()
    assert "Pay now" in client.get(f"/orders/{order.pk}/").content.decode()


def test_no_card_number_is_stored_anywhere(client, group, django_capture_on_commit_callbacks):
    cards = ["4000000000000002", "4000000000009995", "4242424242424242"]  # the failures first: pay last
    for card in cards:
        payment = start_payment(group=group)
        spaced = " ".join(card[i:i + 4] for i in range(0, 16, 4))
        _submit(client, payment, spaced, django_capture_on_commit_callbacks)
    found = []
    for model in apps.get_models():
        text_fields = [f.attname for f in model._meta.concrete_fields
                       if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not text_fields:
            continue
        for row in model.objects.values_list(*text_fields):
            blob = " ".join(str(value) for value in row).replace(" ", "")
            found += [(model.__name__, card) for card in cards if card in blob or card[:12] in blob]
    assert not found
    assert Payment.objects.filter(card_last4="4242").exists()

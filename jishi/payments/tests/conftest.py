import json

import pytest

from jishi.core import clock
from jishi.payments.providers.base import signature
from tests.factories import UserFactory, buy_now, make_product, open_store_for

WEBHOOK = "/api/v1/payments/webhooks/sandbox"


@pytest.fixture
def shop(rates):
    """A CNY store with one product, and a buyer."""
    _, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    variant = make_product(access, title="Green Tea", price="88.00", stock=5).variants.get()
    return access, variant, UserFactory()


@pytest.fixture
def group(shop):
    _, variant, buyer = shop
    return buy_now(buyer, variant, 2)


def event_body(payment, *, type="payment.succeeded", event_id="evt_1", amount=None, currency=None, **extra) -> bytes:
    data = {"reference": payment.reference, "amount": str(payment.amount if amount is None else amount),
            "currency": currency or payment.currency, **extra}
    return json.dumps({"id": event_id, "type": type, "created": 0, "data": data}).encode()


def post_signed(client, body: bytes, *, at=None, secret=None, provider="sandbox"):
    stamp = int((at or clock.now()).timestamp())
    return client.post(f"/api/v1/payments/webhooks/{provider}", data=body, content_type="application/json",
                       HTTP_JISHI_SIGNATURE=signature(body, timestamp=stamp, secret=secret))

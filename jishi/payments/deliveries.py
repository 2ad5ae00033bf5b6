"""Sending webhooks to the site: stored deliveries, signed at each attempt, retried with backoff.

A delivery is a job after commit (Celery with Redis, in-process otherwise); an attempt that fails is
tried again by ``retry_due`` (beat, or the embedded sweeper) after 30 s, 1 min, 2 min … up to an hour,
and given up (with an alert for the operator) after ``MAX_ATTEMPTS``. An attempt claims its row with a
conditional update and holds no transaction while it waits for the endpoint, so two sweepers never send
the same attempt and the endpoint (this site) can write meanwhile, on SQLite too.

The transport is the ``PAYMENT_WEBHOOK_TRANSPORT`` setting: ``post_over_http`` in production, or
``post_in_process`` (Django's test client against this site's own URLs) for tests and the demo.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import import_string

from jishi.core import clock
from jishi.core.jobs import enqueue
from jishi.payments.models import AlertKind, DeliveryStatus, PaymentAlert, WebhookDelivery
from jishi.payments.providers.base import signed_headers

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
# How long an attempt keeps its claim: a sweeper that died mid-attempt is retried after this.
CLAIM_SECONDS = 120


def backoff(attempts: int) -> dt.timedelta:
    """The wait after ``attempts`` failed attempts: 30 s, 1 min, 2 min, … at most an hour."""
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def webhook_url(provider: str) -> str:
    return settings.SITE_URL + reverse("api:payment_webhook", kwargs={"provider": provider})


def post_over_http(url: str, headers: dict, body: bytes) -> tuple[int, str]:
    if not url.startswith(("http://", "https://")):
        return 0, "not an http(s) URL"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read(300).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(300).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return 0, str(error)[:300]


def post_in_process(url: str, headers: dict, body: bytes) -> tuple[int, str]:
    from django.test import Client

    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name.lower() != "content-type"}
    response = Client(raise_request_exception=False).post(urlsplit(url).path, data=body,
                                                         content_type="application/json", **extra)
    return response.status_code, response.content[:300].decode("utf-8", "replace")


def _transport():
    return import_string(settings.PAYMENT_WEBHOOK_TRANSPORT)


def create_delivery(*, provider: str, event: dict) -> WebhookDelivery:
    """Store ``event`` for sending and send it after commit (once per event id)."""
    from jishi.payments.tasks import deliver_webhook

    delivery, created = WebhookDelivery.objects.get_or_create(
        provider=provider, event_id=event["id"],
        defaults={"url": webhook_url(provider), "body": json.dumps(event, separators=(",", ":"))})
    if created:
        enqueue(deliver_webhook, delivery.pk)
    return delivery


def attempt(delivery_id: int, *, transport=None) -> bool:
    """Send one delivery if it is due and nobody else is sending it; True once it was accepted (2xx)."""
    now = clock.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING,
                                             next_attempt_at__lte=now).update(
        next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.DELIVERED).exists()
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    body = delivery.body.encode()
    try:
        status, text = (transport or _transport())(delivery.url, signed_headers(body), body)
    except Exception as error:  # a transport that blew up is one more failed attempt, not a lost event
        logger.exception("Webhook delivery %s failed", delivery_id)
        status, text = 0, f"{type(error).__name__}: {error}"[:300]
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_response": f"{status} {text}"[:300]}
    if 200 <= status < 300:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=clock.now())
    elif attempts >= MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.GAVE_UP)
    else:
        fields.update(next_attempt_at=clock.now() + backoff(attempts))
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)
        if fields.get("status") == DeliveryStatus.GAVE_UP:
            PaymentAlert.objects.create(
                kind=AlertKind.DELIVERY_FAILED,
                message=f"Webhook {delivery.event_id} was refused {attempts} times; last answer: {status} {text}"[:500],
                details={"delivery_id": delivery_id, "event_id": delivery.event_id})
    return fields.get("status") == DeliveryStatus.DELIVERED


def retry_due(*, batch: int = 100) -> int:
    """Attempt the deliveries whose next attempt is due; returns how many were accepted."""
    due = list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=clock.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:batch])
    return sum(1 for pk in due if attempt(pk))

"""Celery entry points for payments; each only calls a service."""

from celery import shared_task

from jishi.payments import deliveries


@shared_task(name="jishi.payments.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> bool:
    # Failures are retried by ``retry_webhook_deliveries`` from the row's own backoff, not by Celery.
    return deliveries.attempt(delivery_id)


@shared_task(name="jishi.payments.tasks.retry_webhook_deliveries")
def retry_webhook_deliveries() -> int:
    return deliveries.retry_due()

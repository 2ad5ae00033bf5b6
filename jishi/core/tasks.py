"""Celery entry points for core; each only calls a service."""

from celery import shared_task

from jishi.core import idempotency


@shared_task(name="jishi.core.tasks.purge_expired_idempotency_keys")
def purge_expired_idempotency_keys() -> int:
    return idempotency.purge_expired()

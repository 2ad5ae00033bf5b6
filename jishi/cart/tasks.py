"""Celery entry points for carts; each only calls a service."""

from celery import shared_task

from jishi.cart import services


@shared_task(name="jishi.cart.tasks.purge_abandoned_carts")
def purge_abandoned_carts() -> int:
    return services.purge_abandoned_carts()

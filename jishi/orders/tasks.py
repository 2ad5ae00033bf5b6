"""Celery entry points for orders; each only calls a service."""

import logging

from celery import shared_task

from jishi.core.jobs import enqueue
from jishi.orders import notifications, services

logger = logging.getLogger(__name__)


@shared_task(name="jishi.orders.tasks.process_due")
def process_due() -> dict:
    report = services.process_due()
    return {"expired_groups": report.expired_groups, "confirmed_orders": report.confirmed_orders}


@shared_task(name="jishi.orders.tasks.send_order_mail", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=6)
def send_order_mail(order_id: int, kind: str) -> int:
    return notifications.send_order_mail(order_id=order_id, kind=kind)


@shared_task(name="jishi.orders.tasks.send_orders_mail")
def send_orders_mail(order_ids: list[int], kind: str) -> int:
    """The mail of several orders in one job, each as ``send_order_mail`` sends it. An order whose mail
    fails gets a job of its own, which retries with backoff, so the others' mail is not sent twice."""
    sent = 0
    for order_id in order_ids:
        try:
            sent += notifications.send_order_mail(order_id=order_id, kind=kind)
        except Exception:
            logger.warning("Order mail %s of order %s failed; retrying it alone", kind, order_id, exc_info=True)
            enqueue(send_order_mail, order_id, kind)
    return sent

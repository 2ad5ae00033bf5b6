"""Celery entry points for orders; each only calls a service."""

import logging

from celery import shared_task
from django.core.mail import get_connection

from jishi.core.jobs import enqueue
from jishi.orders import notifications, selectors, services
from jishi.search import services as search_index

logger = logging.getLogger(__name__)


@shared_task(name="jishi.orders.tasks.process_due")
def process_due() -> dict:
    report = services.process_due()
    return {"expired_groups": report.expired_groups, "confirmed_orders": report.confirmed_orders}


@shared_task(name="jishi.orders.tasks.send_order_mail")
def send_order_mail(order_id: int, kind: str) -> int:
    return notifications.send_order_mail(order_id=order_id, kind=kind)


@shared_task(name="jishi.orders.tasks.send_store_suspended_mail")
def send_store_suspended_mail(store_id: int, buyer_id: int | None = None) -> int:
    """Tell each buyer with open orders at a store just suspended what happens to them, one message each
    (``buyer_id``: that buyer only). A buyer whose mail fails gets a job of their own, which retries with
    backoff, so the others are not told twice."""
    messages = notifications.store_suspended_mail(store_id=store_id, buyer_id=buyer_id)
    connection = get_connection()
    if buyer_id is not None:
        return connection.send_messages(list(messages.values())) or 0
    sent = 0
    for buyer, message in messages.items():
        try:
            sent += connection.send_messages([message]) or 0
        except Exception:
            logger.warning("Store-suspended mail of store %s to buyer %s failed; retrying it alone", store_id, buyer,
                           exc_info=True)
            enqueue(send_store_suspended_mail, store_id, buyer)
    return sent


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


@shared_task(name="jishi.orders.tasks.refresh_search_sales")
def refresh_search_sales() -> int:
    """Rank "best selling" in the search index by units sold (hourly, and after a rebuild); returns the
    documents changed. Orders sit above the catalogue and its index, so the counts go down from here."""
    return search_index.set_sales(units=selectors.units_sold())

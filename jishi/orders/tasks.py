"""Celery entry points for orders; each only calls a service."""

from celery import shared_task

from jishi.orders import notifications, services


@shared_task(name="jishi.orders.tasks.process_due")
def process_due() -> dict:
    report = services.process_due()
    return {"expired_groups": report.expired_groups, "confirmed_orders": report.confirmed_orders}


@shared_task(name="jishi.orders.tasks.send_order_mail", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, max_retries=6)
def send_order_mail(order_id: int, kind: str) -> int:
    return notifications.send_order_mail(order_id=order_id, kind=kind)

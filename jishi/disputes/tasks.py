"""Celery entry points for buyer protection; each only calls a service."""

from celery import shared_task

from jishi.disputes import notifications, services


@shared_task(name="jishi.disputes.tasks.process_due")
def process_due() -> dict:
    report = services.process_due()
    return {"accepted": report.accepted, "returns_confirmed": report.returns_confirmed, "closed": report.closed}


@shared_task(name="jishi.disputes.tasks.send_refund_request_mail")
def send_refund_request_mail(request_id: int, kind: str) -> int:
    return notifications.send_refund_request_mail(request_id=request_id, kind=kind)

"""Celery entry points for core; each only calls a service."""

from celery import shared_task
from django.core.mail import EmailMessage

from jishi.core import idempotency, jobs


@shared_task(name="jishi.core.tasks.purge_expired_idempotency_keys")
def purge_expired_idempotency_keys() -> int:
    return idempotency.purge_expired()


@shared_task(name="jishi.core.tasks.run_job")
def run_job(job_id: int) -> bool:
    # Failures are retried from the row's own backoff by the relay, never by Celery: one retry policy.
    return jobs.run(job_id)


@shared_task(name="jishi.core.tasks.relay_jobs")
def relay_jobs() -> int:
    return jobs.relay()


@shared_task(name="jishi.core.tasks.send_mail")
def send_mail(subject: str, body: str, to: str) -> int:
    """One plain-text mail composed by the service that decided on it (from DEFAULT_FROM_EMAIL)."""
    return EmailMessage(subject, body, None, [to], headers=jobs.message_id("mail", to)).send()


@shared_task(name="jishi.core.tasks.purge_finished_jobs")
def purge_finished_jobs() -> int:
    return jobs.purge_finished()

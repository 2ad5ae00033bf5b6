"""The Celery application: jobs and timers on Redis in production mode.

Started by ``jishi worker`` (a worker with beat). In embedded mode (no ``REDIS_URL``) nothing here talks
to a broker: ``core.jobs`` runs tasks in-process after commit and ``jishi serve`` runs the beat schedule
in a thread.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishi.settings")

app = Celery("jishi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one timer table, for Celery beat and for the embedded sweeper alike.
app.conf.beat_schedule = {
    "process-due-orders": {"task": "jishi.orders.tasks.process_due", "schedule": 60.0},
    "process-due-refund-requests": {"task": "jishi.disputes.tasks.process_due", "schedule": 60.0},
    "purge-expired-idempotency-keys": {"task": "jishi.core.tasks.purge_expired_idempotency_keys",
                                       "schedule": 3600.0},
    "purge-abandoned-carts": {"task": "jishi.cart.tasks.purge_abandoned_carts", "schedule": 24 * 3600.0},
    # The outbox's relay: hands over the jobs a lost message, a down broker or a dead worker left behind.
    "relay-jobs": {"task": "jishi.core.tasks.relay_jobs", "schedule": 10.0},
    "purge-finished-jobs": {"task": "jishi.core.tasks.purge_finished_jobs", "schedule": 3600.0},
    "retry-webhook-deliveries": {"task": "jishi.payments.tasks.retry_webhook_deliveries", "schedule": 60.0},
    # Daily; each store is paid out at most once per PAYOUT_SCHEDULE_DAYS (weekly by default).
    "pay-out-due-stores": {"task": "jishi.ledger.tasks.pay_out_due_stores", "schedule": 24 * 3600.0},
    "refresh-search-sales": {"task": "jishi.orders.tasks.refresh_search_sales", "schedule": 3600.0},
}

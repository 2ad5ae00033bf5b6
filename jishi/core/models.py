from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jishi.core import clock


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for one write, with the response it got, kept for 24 hours.

    Scoped per user and route, so two clients (or two routes) never share keys. The row is written in
    the same transaction as the work it guards: either both exist or neither does.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=120)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="one_idempotency_key_per_scope")]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DEAD = "dead", _("Dead")


class Job(models.Model):
    """Work a committed change must cause — a mail, an index update, a webhook delivery — written in the same
    transaction as the change (the transactional outbox), so it exists exactly when the change does.

    ``core.jobs`` hands a row to Celery (or runs it in this process in embedded mode) after the commit, and its
    relay hands again whatever a lost message, a dead worker or a down broker left behind. A row is run by
    whoever claims it (a conditional update), retried with backoff, and declared dead after
    ``JOB_MAX_ATTEMPTS``; the broker is only ever a transport.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    run_after = models.DateTimeField(_("due"), default=clock.now)
    # When the row was last handed to the broker; the relay hands it again only after a while.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # A claim: a worker that died mid-run lets the row go again when this passes.
    leased_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["run_after", "id"], condition=Q(status__in=["queued", "running"]),
                         name="job_pending"),
            models.Index(fields=["status", "finished_at"], name="job_finished"),
        ]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r} {self.status}"

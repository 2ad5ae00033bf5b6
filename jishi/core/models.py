from django.db import models

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

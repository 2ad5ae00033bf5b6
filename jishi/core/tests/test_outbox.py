"""The jobs' outbox: a job is a row written with the change that causes it, so it survives a lost message, a
broker that is down at commit and a worker killed mid-run; it runs once per claim, is retried with
backoff, and dies loudly after ``JOB_MAX_ATTEMPTS``."""

import contextlib
import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import OperationalError, transaction

from jishi.celery import app
from jishi.core import clock, jobs
from jishi.core import tasks as core_tasks
from jishi.core.models import Job, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RUNS: list[tuple] = []


def note(*args):
    RUNS.append(args)


def flaky(*args):
    RUNS.append(args)
    raise ConnectionError("the mail server is down")


NOTE = f"{__name__}.note"
FLAKY = f"{__name__}.flaky"


@pytest.fixture(autouse=True)
def embedded(settings):
    settings.REDIS_URL = ""
    RUNS.clear()
    yield
    jobs._broker["down_until"] = 0.0  # a broker refused by a test is not refused for the next


@pytest.fixture
def lost(monkeypatch):
    """Hand-overs after commit vanish, as messages do when Redis goes away."""
    monkeypatch.setattr(jobs, "_dispatch", lambda job_id: True)


def _later(seconds: float):
    return clock.shifted(dt.timedelta(seconds=seconds))


def test_the_job_is_written_with_the_change_and_runs_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        UserFactory(email="placed@example.com")
        job = jobs.enqueue(NOTE, 7, "placed")
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED and RUNS == []
    assert RUNS == [(7, "placed")]
    done = Job.objects.get(pk=job.pk)
    assert (done.status, done.attempts, done.finished_at is not None) == (JobStatus.DONE, 1, True)


def test_a_lost_hand_over_is_handed_over_again_by_the_relay(lost, monkeypatch, settings,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(NOTE, 1)
    assert RUNS == [] and Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert jobs.relay() == 0  # just handed over: the relay leaves it to its first hand-over a while
    with _later(settings.JOB_REDISPATCH_SECONDS + 1):
        monkeypatch.setattr(jobs, "_dispatch", jobs.run)  # the broker is back
        assert jobs.relay() == 1
    assert RUNS == [(1,)] and Job.objects.get(pk=job.pk).status == JobStatus.DONE


NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@contextlib.contextmanager
def broker_at(url: str):
    """Celery's broker moved to ``url`` for a while; the app forgets its connection pools on the way in and
    out (as after a fork), so no connection made for one broker is used for the other. The pools stay open:
    kombu keeps them by broker address and hands the same ones out again."""
    previous = app.conf.broker_url

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url = previous


def test_a_broker_down_at_commit_fails_nothing_and_the_job_waits(settings, caplog,
                                                                 django_capture_on_commit_callbacks):
    settings.REDIS_URL = NOWHERE
    with broker_at(NOWHERE), caplog.at_level(logging.WARNING, logger="jishi.core.jobs"), \
            django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(NOTE, 2)  # the commit stands; handing over fails quietly
    assert any("relay will hand it over" in r.getMessage() for r in caplog.records)
    settings.REDIS_URL = ""
    with _later(settings.JOB_REDISPATCH_SECONDS + 1):
        assert jobs.relay() == 1
    assert RUNS == [(2,)] and Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_row_handed_over_twice_runs_once():
    job = Job.objects.create(task=NOTE, args=[3])
    assert jobs.run(job.pk) is True
    assert jobs.run(job.pk) is False
    assert RUNS == [(3,)]


def test_a_failure_is_retried_with_backoff_then_declared_dead(settings, caplog):
    settings.JOB_MAX_ATTEMPTS = 3
    job = Job.objects.create(task=FLAKY, args=["mail"])
    with caplog.at_level(logging.ERROR, logger="jishi.core.jobs"):
        assert jobs.run(job.pk) is False
        failed = Job.objects.get(pk=job.pk)
        assert failed.status == JobStatus.QUEUED and failed.attempts == 1
        assert "ConnectionError: the mail server is down" in failed.last_error
        assert failed.run_after == pytest.approx(clock.now() + dt.timedelta(seconds=10), abs=dt.timedelta(seconds=2))
        assert jobs.relay() == 0 and jobs.run(job.pk) is False  # not due yet
        with _later(11):
            assert jobs.relay() == 1
        assert Job.objects.get(pk=job.pk).attempts == 2
        with _later(11 + 21):
            assert jobs.relay() == 1
    dead = Job.objects.get(pk=job.pk)
    assert (dead.status, dead.attempts) == (JobStatus.DEAD, 3) and len(RUNS) == 3
    assert any("is dead after 3 attempts" in r.getMessage() for r in caplog.records)
    with _later(3600 * 24):
        assert jobs.relay() == 0  # nothing retries a dead job by itself
    assert jobs.count_dead() == 1


def test_the_operator_sees_dead_jobs_and_runs_them_again(admin_client, monkeypatch):
    job = Job.objects.create(task=NOTE, args=[4], status=JobStatus.DEAD, attempts=10, last_error="Boom")
    index = admin_client.get("/admin/").content.decode()
    assert "1 background job died" in index and "/admin/core/job/?status__exact=dead" in index
    listed = admin_client.get("/admin/core/job/?status__exact=dead").content.decode()
    assert NOTE in listed
    response = admin_client.post("/admin/core/job/", {"action": "run_again", "_selected_action": [job.pk]})
    assert response.status_code == 302
    revived = Job.objects.get(pk=job.pk)
    assert (revived.status, revived.attempts) == (JobStatus.QUEUED, 0)
    assert jobs.relay() == 1 and RUNS == [(4,)]
    assert "background job died" not in admin_client.get("/admin/").content.decode()


def test_the_index_shows_every_apps_alerts_and_panels(admin_client):
    from jishi.payments.alerts import raise_alert
    from jishi.payments.models import AlertKind

    Job.objects.create(task=NOTE, status=JobStatus.DEAD)
    raise_alert(AlertKind.values[0], "Amount does not match")
    index = admin_client.get("/admin/").content.decode()
    assert "1 background job died" in index and "1 payment alert needs your attention" in index
    assert "/admin/ledger/entry/reconciliation/" in index and "Site administration" not in index


def test_a_worker_killed_mid_run_lets_the_row_go_when_its_claim_lapses(settings):
    job = Job.objects.create(task=NOTE, args=[5], status=JobStatus.RUNNING, attempts=1,
                             leased_until=clock.now() + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS))
    assert jobs.relay() == 0 and jobs.run(job.pk) is False  # its runner may still be at it
    with _later(settings.JOB_LEASE_SECONDS + 1):
        assert jobs.relay() == 1
    assert RUNS == [(5,)]
    assert (Job.objects.get(pk=job.pk).status, Job.objects.get(pk=job.pk).attempts) == (JobStatus.DONE, 2)


def test_done_rows_are_purged_after_the_keeping_days_and_dead_ones_stay(settings):
    old = Job.objects.create(task=NOTE, status=JobStatus.DONE, finished_at=clock.now() - dt.timedelta(days=8))
    recent = Job.objects.create(task=NOTE, status=JobStatus.DONE, finished_at=clock.now() - dt.timedelta(days=1))
    dead = Job.objects.create(task=NOTE, status=JobStatus.DEAD, finished_at=clock.now() - dt.timedelta(days=30))
    assert jobs.purge_finished() == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, dead.pk} and old.pk not in {recent.pk}


def test_an_invitation_mail_waits_in_the_outbox_while_mail_cannot_be_sent(monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    from jishi.stores.models import Role
    from jishi.stores.services import invite_member
    from tests.factories import open_store_for

    _store, access = open_store_for()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(core_tasks.EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_member(access=access, email="helper@example.com", role=Role.STAFF)
    assert invitation.pk and mail.outbox == []
    waiting = Job.objects.get(task="jishi.core.tasks.send_mail")
    assert waiting.status == JobStatus.QUEUED and "SMTP is down" in waiting.last_error
    monkeypatch.undo()
    with _later(11):
        assert jobs.relay() == 1
    assert [m.to for m in mail.outbox] == [["helper@example.com"]]
    # Keyed by its row: were it sent again, it would be the same message to the mail servers.
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<job{waiting.pk}-mail-")


def test_a_mail_sent_again_by_the_same_job_is_the_same_message():
    job = Job.objects.create(task="jishi.core.tasks.send_mail", args=["Hello", "Body", "mei@example.com"])
    assert jobs.run(job.pk)
    # The worker died after sending, before the row was marked done: the row runs again.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    assert jobs.run(job.pk)
    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    other = Job.objects.create(task="jishi.core.tasks.send_mail", args=["Hello", "Body", "mei@example.com"])
    assert jobs.run(other.pk) and mail.outbox[2].extra_headers["Message-ID"] != first.extra_headers["Message-ID"]


def test_nothing_after_the_commit_can_fail_the_request_that_committed(monkeypatch, caplog,
                                                                      django_capture_on_commit_callbacks):
    def database_gone(job_id):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(jobs, "run", database_gone)
    with caplog.at_level(logging.ERROR, logger="jishi.core.jobs"), django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(NOTE, 6)  # no exception reaches the caller
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert any("relay will hand it over" in r.getMessage() for r in caplog.records)

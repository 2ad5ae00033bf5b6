"""Idempotency keys: a repeated write answers as the first one did and changes nothing."""

import datetime as dt

import pytest
from django.conf import settings

from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.core.idempotency import MAX_KEY_LENGTH, clean_key, purge_expired, request_hash, run_once
from jishi.core.models import IdempotencyKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCOPE = "POST /api/v1/checkout"


class Work:
    """A write that counts how often it really ran and answers with a new order number each time."""

    def __init__(self, status: int = 201, fails: Exception | None = None):
        self.runs, self.status, self.fails = 0, status, fails

    def __call__(self):
        self.runs += 1
        if self.fails is not None:
            raise self.fails
        return self.status, {"order_group": 1000 + self.runs, "total": "55.94", "currency": "USD"}


def _fingerprint(body) -> str:
    return request_hash(method="post", path="/api/v1/checkout", body=body)


@pytest.fixture
def user():
    return UserFactory()


def test_the_first_request_runs_and_its_response_is_kept(user):
    work = Work()

    answer = run_once(user=user, scope=SCOPE, key="order-1", fingerprint=_fingerprint({"a": 1}), work=work)

    assert (answer.status_code, answer.body["order_group"], work.runs) == (201, 1001, 1)
    kept = IdempotencyKey.objects.get()
    assert (kept.user_id, kept.scope, kept.key, kept.status_code, kept.response) == (
        user.id, SCOPE, "order-1", 201, answer.body)


def test_a_repeat_gets_the_stored_answer_without_running_again(user):
    work = Work()
    first = run_once(user=user, scope=SCOPE, key="order-1", fingerprint=_fingerprint({"a": 1}), work=work)

    again = run_once(user=user, scope=SCOPE, key="order-1", fingerprint=_fingerprint({"a": 1}), work=work)

    assert (again.status_code, again.body) == (first.status_code, first.body) == (201, {
        "order_group": 1001, "total": "55.94", "currency": "USD"})
    assert work.runs == 1 and IdempotencyKey.objects.count() == 1


def test_a_stored_error_answer_is_replayed_too(user):
    work = Work(status=409)
    run_once(user=user, scope=SCOPE, key="k", fingerprint="f", work=work)

    assert run_once(user=user, scope=SCOPE, key="k", fingerprint="f", work=work).status_code == 409
    assert work.runs == 1


def test_the_same_key_with_another_request_is_refused(user):
    work = Work()
    run_once(user=user, scope=SCOPE, key="order-1", fingerprint=_fingerprint({"quantity": 1}), work=work)

    with pytest.raises(DomainError) as refused:
        run_once(user=user, scope=SCOPE, key="order-1", fingerprint=_fingerprint({"quantity": 2}), work=work)

    assert (refused.value.code, refused.value.status) == ("idempotency.key_reused", 422)
    assert list(refused.value.fields) == ["Idempotency-Key"]
    assert work.runs == 1
    assert IdempotencyKey.objects.get().request_hash == _fingerprint({"quantity": 1})


def test_the_fingerprint_covers_method_path_and_body_but_not_key_order():
    assert _fingerprint({"a": 1, "b": [1, 2]}) == request_hash(method="POST", path="/api/v1/checkout",
                                                               body={"b": [1, 2], "a": 1})
    assert len({_fingerprint({"a": 1}), _fingerprint({"a": 2}), _fingerprint({"a": 1, "b": None}),
                request_hash(method="PUT", path="/api/v1/checkout", body={"a": 1}),
                request_hash(method="POST", path="/api/v1/orders", body={"a": 1})}) == 5


def test_work_that_fails_leaves_no_key_and_may_be_retried(user):
    failing = Work(fails=DomainError("checkout.out_of_stock", "Only 1 left.", status=409))

    with pytest.raises(DomainError):
        run_once(user=user, scope=SCOPE, key="order-1", fingerprint="f", work=failing)

    assert not IdempotencyKey.objects.exists()
    work = Work()
    answer = run_once(user=user, scope=SCOPE, key="order-1", fingerprint="f", work=work)
    assert (answer.status_code, work.runs) == (201, 1)


def test_what_the_failed_work_wrote_is_rolled_back_with_it(user):
    def half_done():
        UserFactory(email="written-then-failed@example.com")
        raise RuntimeError("provider down")

    with pytest.raises(RuntimeError):
        run_once(user=user, scope=SCOPE, key="k", fingerprint="f", work=half_done)

    assert not IdempotencyKey.objects.exists()
    assert not type(user).objects.filter(email="written-then-failed@example.com").exists()


def test_keys_belong_to_one_user_and_one_scope(user):
    work = Work()
    run_once(user=user, scope=SCOPE, key="same", fingerprint="f", work=work)

    other_user = run_once(user=UserFactory(), scope=SCOPE, key="same", fingerprint="other", work=work)
    other_scope = run_once(user=user, scope="POST /api/v1/cart/lines", key="same", fingerprint="other", work=work)

    assert (other_user.body["order_group"], other_scope.body["order_group"], work.runs) == (1002, 1003, 3)
    assert IdempotencyKey.objects.filter(key="same").count() == 3


def test_without_a_key_the_work_simply_runs(user):
    work = Work()

    run_once(user=user, scope=SCOPE, key=None, fingerprint="f", work=work)
    run_once(user=user, scope=SCOPE, key=None, fingerprint="f", work=work)

    assert work.runs == 2 and not IdempotencyKey.objects.exists()


def test_a_key_is_free_again_after_it_expires(user):
    start = clock.now()
    work = Work()
    with clock.frozen(start):
        run_once(user=user, scope=SCOPE, key="k", fingerprint="first", work=work)
    with clock.frozen(start + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS) - dt.timedelta(minutes=1)):
        assert run_once(user=user, scope=SCOPE, key="k", fingerprint="first", work=work).body["order_group"] == 1001
        with pytest.raises(DomainError):
            run_once(user=user, scope=SCOPE, key="k", fingerprint="second", work=work)
    assert work.runs == 1

    with clock.frozen(start + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, seconds=1)):
        answer = run_once(user=user, scope=SCOPE, key="k", fingerprint="second", work=work)

    assert answer.body["order_group"] == 1002 and work.runs == 2
    kept = IdempotencyKey.objects.get()
    assert (kept.request_hash, kept.response["order_group"]) == ("second", 1002)


def test_purging_deletes_only_expired_keys(user):
    start = clock.now()
    for hours_ago, key in ((settings.IDEMPOTENCY_KEY_HOURS + 1, "old"), (settings.IDEMPOTENCY_KEY_HOURS * 3, "older"),
                           (settings.IDEMPOTENCY_KEY_HOURS - 1, "recent"), (0, "new")):
        with clock.frozen(start - dt.timedelta(hours=hours_ago)):
            run_once(user=user, scope=SCOPE, key=key, fingerprint="f", work=Work())

    with clock.frozen(start):
        assert purge_expired() == 2

    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"recent", "new"}
    assert purge_expired(start + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=-1)) == 1
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"new"}


@pytest.mark.parametrize("raw", ["", "   ", "x" * (MAX_KEY_LENGTH + 1), "bad\x00key", "tab\tinside", "new\nline"])
def test_empty_overlong_or_unprintable_keys_are_refused(raw):
    with pytest.raises(DomainError) as refused:
        clean_key(raw)

    assert (refused.value.code, refused.value.status) == ("idempotency.invalid_key", 422)
    assert list(refused.value.fields) == ["Idempotency-Key"]


def test_a_good_key_is_kept_as_sent_without_surrounding_spaces():
    assert clean_key("  3f2b-order-1  ") == "3f2b-order-1"
    assert clean_key("x" * MAX_KEY_LENGTH) == "x" * MAX_KEY_LENGTH
    assert clean_key("订单-1") == "订单-1"
    assert clean_key(None) is None

"""The flash-sale hot path keeps its meaning while it got cheaper: per-request memo tokens, transactions
without needless savepoints, hand-written reads, one mail job per change."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jishi.accounts.selectors import get_user_for_token
from jishi.accounts.services import issue_token
from jishi.catalog.models import Product, ProductTranslation, Variant
from jishi.catalog.selectors import get_variants_for_sale
from jishi.core import memo
from jishi.core.transactions import atomic_part, atomic_whole, in_atomic_whole
from jishi.orders import tasks
from jishi.orders.services import _notify
from tests.factories import UserFactory, bearer, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


def _statements(captured) -> list[str]:
    return [query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries]


def test_memo_tokens_are_read_once_per_request_and_a_change_shows_on_the_next():
    first, second = memo.SharedVersionMemo("tests:memo:a"), memo.SharedVersionMemo("tests:memo:b")
    builds = []
    memo._begin_request()
    try:
        assert first.get(lambda: builds.append("a1") or "a1") == "a1"
        # Another node changes the data in the middle of this request: this request keeps its view.
        cache.set("tests:memo:a", "changed elsewhere", None)
        assert first.get(lambda: builds.append("a2") or "a2") == "a1"
        assert second.get(lambda: "b1") == "b1"
        # A change this request makes shows at once.
        second.invalidate()
        assert second.get(lambda: "b2") == "b2"
    finally:
        memo._end_request()
    memo._begin_request()
    try:
        assert first.get(lambda: builds.append("a3") or "a3") == "a3"  # the next request sees the change
    finally:
        memo._end_request()
    assert builds == ["a1", "a3"]
    # Outside requests every read asks the cache.
    cache.set("tests:memo:a", "changed again", None)
    assert first.get(lambda: "a4") == "a4"


def test_a_request_reads_all_memo_tokens_in_one_round_trip(client, monkeypatch):
    reads = []
    original = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: reads.append(tuple(keys)) or original(keys, *a, **k))
    for key in memo._KEYS:  # (made on first use; that first read is not what this measures)
        memo._read_token(key)
    monkeypatch.setattr(memo, "_read_token", lambda key: pytest.fail(f"{key} read alone"))
    for _ in range(2):
        assert client.get("/api/v1/currencies").status_code == 200
    assert len(reads) == 2 and set(reads[0]) == memo._KEYS


def test_blocks_inside_a_whole_transaction_take_no_savepoint_and_others_keep_theirs():
    with CaptureQueriesContext(connection) as captured, atomic_whole():
        assert in_atomic_whole()
        with atomic_part():
            assert not in_atomic_whole()
            UserFactory()
    assert "SAVEPOINT" not in _statements(captured)[1:]  # (the test's own transaction holds one around the whole)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        assert not in_atomic_whole()
        with pytest.raises(RuntimeError), atomic_part():
            UserFactory(email="undone@example.com")
            raise RuntimeError("caught, and the transaction goes on")
        UserFactory(email="kept@example.com")
    assert "SAVEPOINT" in _statements(captured)


def test_the_token_lookup_is_one_query_and_marks_use_once_a_minute(django_assert_num_queries):
    user = UserFactory()
    token, plain = issue_token(user=user, name="cli")
    with django_assert_num_queries(2):  # the user, and the first use's mark
        assert get_user_for_token(plain) == user
    with django_assert_num_queries(1):
        found = get_user_for_token(plain)
    assert found == user and found.email == user.email and found.is_active is True
    token.refresh_from_db()
    assert token.last_used_at is not None
    user.is_active = False
    user.save()
    assert get_user_for_token(plain) is None


def test_a_token_call_without_a_session_gets_the_anonymous_display_currency(client):
    user = UserFactory(preferred_currency="EUR")
    response = client.get("/api/v1/cart", **bearer(user))
    assert response.status_code == 200 and response.json()["display_currency"] == "EUR"  # the token's user's
    client.cookies["jishi_currency"] = "CNY"
    assert client.get("/api/v1/cart", **bearer(user)).json()["display_currency"] == "CNY"


def test_variants_for_sale_in_one_query_with_the_titles_as_cards_choose_them(django_assert_num_queries):
    _store, access = open_store_for(name="Tea House")
    product = make_product(access, title="Oolong", stock=4)
    variant = product.variants.get()
    with django_assert_num_queries(1):
        items = get_variants_for_sale([variant.id, 2**70, "x"], "zh-hans", thumbnails=False)
    item = items[variant.id]
    assert list(items) == [variant.id] and item.title == "Oolong 中文" and item.thumbnail_url == ""
    assert item.variant == Variant.objects.get(pk=variant.pk) and item.variant.price == variant.price
    assert item.store.name == "Tea House" and item.is_for_sale and item.product.stock_total == 4
    # The product's own language, then English, then any.
    assert get_variants_for_sale([variant.id], "de")[variant.id].title == "Oolong"
    Product.objects.filter(pk=product.pk).update(default_language="zh-hans")
    assert get_variants_for_sale([variant.id], "de")[variant.id].title == "Oolong 中文"
    Product.objects.filter(pk=product.pk).update(default_language="fr")
    assert get_variants_for_sale([variant.id], "de")[variant.id].title == "Oolong"
    ProductTranslation.objects.filter(product=product, language="en").delete()
    assert get_variants_for_sale([variant.id], "de")[variant.id].title == "Oolong 中文"
    ProductTranslation.objects.filter(product=product).delete()
    assert get_variants_for_sale([variant.id], "en")[variant.id].title == f"#{product.id}"


def _two_store_order_ids():
    buyer = UserFactory(email="buyer@example.com")
    variants = [make_product(open_store_for(name=name)[1], title=name).variants.get() for name in ("Tea", "Silk")]
    return [buy_now(buyer, variant).orders.get().id for variant in variants]


def test_the_orders_of_one_change_share_one_mail_job(monkeypatch, settings):
    settings.REDIS_URL = ""
    order_ids = _two_store_order_ids()
    queued = []
    monkeypatch.setattr("jishi.orders.services.enqueue", lambda task, *args: queued.append((task, args)))
    _notify(order_ids, "paid")
    _notify(order_ids[:1], "shipped")
    assert queued == [("jishi.orders.tasks.send_orders_mail", (order_ids, "paid")),
                      ("jishi.orders.tasks.send_order_mail", (order_ids[0], "shipped"))]
    mail.outbox.clear()
    assert tasks.send_orders_mail(order_ids, "paid") == len(mail.outbox) == 4
    together = sorted((m.subject, tuple(m.to), m.body) for m in mail.outbox)
    mail.outbox.clear()
    for order_id in order_ids:
        tasks.send_order_mail(order_id, "paid")
    assert sorted((m.subject, tuple(m.to), m.body) for m in mail.outbox) == together


def test_an_order_whose_mail_fails_is_retried_alone(monkeypatch, settings):
    settings.REDIS_URL = ""
    order_ids = _two_store_order_ids()
    retried = []
    original = tasks.notifications.send_order_mail

    def flaky(*, order_id, kind):
        if order_id == order_ids[0]:
            raise ConnectionError("the mail server hung up")
        return original(order_id=order_id, kind=kind)

    monkeypatch.setattr(tasks.notifications, "send_order_mail", flaky)
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args: retried.append((task.name, args)))
    mail.outbox.clear()
    assert tasks.send_orders_mail(order_ids, "placed") == 2
    assert retried == [("jishi.orders.tasks.send_order_mail", (order_ids[0], "placed"))]
    assert all(f"#{order_ids[1]} " in m.subject for m in mail.outbox)

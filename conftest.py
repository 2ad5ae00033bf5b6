"""Fixtures for every test: fast password hashing, an isolated cache, and factories."""

import uuid

import pytest
from django.core.cache import caches
from django.utils import translation


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Jobs run in-process after commit, so tests see their effects; the Celery test turns the broker on.
    settings.REDIS_URL = ""
    # Payment webhooks reach the site through Django's test client, never over the network.
    settings.PAYMENT_WEBHOOK_TRANSPORT = "jishi.payments.deliveries.post_in_process"
    # Tests change data inside a transaction that never commits, so the page cache's tokens would not move:
    # pages render afresh, except in the page cache's own tests, which turn it on.
    settings.PAGE_CACHE = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # A fresh key prefix gives each test an empty cache, on local memory and on a shared Redis alike.
    cache = caches["default"]
    previous = cache.key_prefix
    cache.key_prefix = f"test-{uuid.uuid4().hex}"
    # A request in Chinese leaves that language active in the thread; each test starts in English.
    translation.activate("en")
    yield
    cache.key_prefix = previous


@pytest.fixture
def rates(django_capture_on_commit_callbacks):
    """Round rates, so conversions can be checked by hand: 1 EUR = 1.25 USD = 8 CNY = 160 JPY = 0.4 KWD
    (store-to-USD rates are then CNY 0.15625, JPY 0.0078125, KWD 3.125)."""
    from jishi.money.selectors import get_rate_table
    from jishi.money.services import set_rate

    with django_capture_on_commit_callbacks(execute=True):
        for code, rate in (("USD", "1.25"), ("CNY", "8"), ("JPY", "160"), ("KWD", "0.4")):
            set_rate(currency=code, rate=rate)
    return get_rate_table()

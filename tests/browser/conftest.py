"""Browser tests: the system's Chromium, driven by Playwright, against the site on a live server.

Write a journey as a plain test that takes ``page`` (and usually ``market``)::

    def test_a_shopper_opens_a_product(page, market):
        page.goto("/")                                  # relative to the live server
        page.get_by_role("link", name="Silk Scarf").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Silk Scarf")

Fixtures

``page``
    A Playwright page in a fresh browser context (no cookies, browser language en-US, UTC), pointed at
    the live server, so ``page.goto("/c/womens-clothing/")`` works. Every test that takes it runs twice:
    ``[desktop-chromium]`` (1280×800) and ``[phone-chromium]`` (390×844, mobile, touch; ``-k phone``
    picks these). Steps wait up to 20 s, ``expect`` up to 10 s. When the test ends, it fails if the page
    logged a console error, threw an uncaught error or broke the Content-Security-Policy; when a test
    fails, a full-page screenshot is saved under the test's ``tmp_path`` and its path printed with it.
``form_factor``
    ``"desktop"`` or ``"phone"``, for the rare step that differs between the two.
``browser_errors``
    What ``page`` collected. ``browser_errors.allow("status of 404")`` lets messages containing that text
    pass for the rest of the test (a page that is meant to answer 404 logs a failed load).
``new_page``
    ``new_page()`` opens another page in its own context (another person: no shared cookies) at the same
    size, watched for errors like ``page``.
``log_in``
    ``log_in(page, email, next="/")`` signs a page in through the login form (password
    ``tests.factories.PASSWORD``) and lands on ``next``.
``shot``
    ``shot("product")`` saves a full-page screenshot of ``page`` (``shot(name, other_page)`` of another)
    as ``<name>-<form factor>.png`` under the test's ``tmp_path``; run with ``--basetemp=DIR`` to look.
``market``
    A small marketplace made through the services, committed so the server sees it: an operator
    (``market.operator``, staff and superuser), a shopper (``market.shopper``, no address yet), two stores
    in two countries with their owners (``market.cn_store`` "Hangzhou Silk", CN/CNY, owned by
    ``market.cn_owner``; ``market.us_store`` "Austin Boots", US/USD, owned by ``market.us_owner``;
    ``market.cn_access``/``us_access`` for the services), active products with a photo each, titled in
    English and Chinese ("Silk Scarf" / "Silk Scarf 中文"): ``market.scarf`` 100 CNY in women's T-shirts,
    ``market.boot`` 40 USD in boots, sizes S0–S2 (SKUs BOOT-0…2), ``market.teacup`` 60 CNY in teaware;
    and round exchange rates: 1 EUR = 8 CNY = 1.25 USD. Every password is ``tests.factories.PASSWORD``.
``live_server``
    pytest-django's live server, bound to 127.0.0.1; ``live_server.url`` is its address.

Every test here has a transactional database, restored from the migrations (categories, currencies,
rates) before it starts, because the server answers from its own threads and must see committed rows:
make data in the test or a fixture (the ORM and the services work as usual), never in a module-level
or session-wide fixture. The page cache is on, as in production. Without a Chromium (``chromium`` or
``chromium-browser`` on the PATH, or ``CHROMIUM_PATH``) these tests are skipped; browsers are never
downloaded.
"""

import io
import os
import shutil
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, make_product, open_store_for

NO_BROWSER = "chromium not found; install Debian's chromium to run the browser tests"
# Generous waits: two test workers and two browsers may share two busy cores. Only a failing step waits.
STEP_TIMEOUT_MS = 20_000
expect.set_options(timeout=10_000)

FORM_FACTORS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
}


def system_chromium() -> str | None:
    """The system's Chromium: ``CHROMIUM_PATH``, else ``chromium`` or ``chromium-browser`` on the PATH."""
    candidates = [os.environ.get("CHROMIUM_PATH", "")]
    candidates += [shutil.which(name) or "" for name in ("chromium", "chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Keep pytest-django's order for the whole run: tests on a rolled-back database, then transactional
    ones (these among them), then the rest. pytest-playwright gives browser tests a session-wide parameter,
    and pytest's grouping by it would otherwise run them, and their flushes, before database tests."""
    from pytest_django.plugin import pytest_collection_modifyitems as order_as_django_does

    order_as_django_does(items)


# --- the browser and its pages -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches this executable instead of a browser build of its own."""
    path = system_chromium()
    if path is None:
        pytest.skip(NO_BROWSER)
    return {**browser_type_launch_args, "executable_path": path}


@pytest.fixture(scope="session")
def _database_before_the_event_loop(django_db_setup):
    """What Django's test database set-up left on this thread's connections, read before Playwright starts."""
    from django.db import connections

    return {alias: connections[alias].__dict__.get("_test_serialized_contents") for alias in connections}


@pytest.fixture(scope="session")
def playwright(_database_before_the_event_loop, playwright):
    """pytest-playwright's Playwright, made to live with Django in one thread.

    Playwright's sync API marks an event loop as running in the test's thread between two browser steps.
    Django then takes ORM calls for calls from async code (allowed here: the test is synchronous) and
    hands out other connection objects, which lack the migrated data that restores the database before
    each transactional test; they get it back.
    """
    from django.db import connections

    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    for alias, contents in _database_before_the_event_loop.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents
    yield playwright
    if unsafe is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, on the loopback address only."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _live_database(_fast_and_isolated, live_server, django_db_serialized_rollback, settings):
    """Every browser test gets the live server and a transactional database restored from the migrations.

    The server answers each request in a thread of its own, with cache connections of its own: they get
    the key prefix that isolates this test's cache, so the server and the test share cached versions.
    Data is committed here, so the page cache is on, as in production.
    """
    from django.core.cache import caches

    prefix = caches["default"].key_prefix
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    settings.PAGE_CACHE = True


class BrowserErrors:
    """Console errors, uncaught page errors and CSP violations seen on the test's pages."""

    def __init__(self):
        self.messages: list[str] = []
        self.allowed: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.messages.append(
            f"console: {message.text} [{message.location.get('url') or page.url}]"))
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))

    def allow(self, text: str) -> None:
        """Let messages containing ``text`` pass for the rest of the test."""
        self.allowed.append(text)

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(text in m for text in self.allowed)]


@pytest.fixture
def browser_errors():
    return BrowserErrors()


@pytest.fixture(params=list(FORM_FACTORS))
def form_factor(request) -> str:
    return request.param


@pytest.fixture
def new_page(new_context, live_server, form_factor, browser_errors, request, tmp_path):
    """``new_page()`` → a page in a new browser context at the test's size, watched for errors."""
    pages = []

    def open_page():
        context = new_context(base_url=live_server.url, locale="en-US", timezone_id="UTC",
                              **FORM_FACTORS[form_factor])
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        browser_errors.watch(page)
        pages.append(page)
        return page

    yield open_page
    errors = browser_errors.unexpected()
    report = getattr(request.node, "rep_call", None)
    if errors or (report is not None and report.failed):
        for number, page in enumerate(pages):
            path = tmp_path / f"failure-{form_factor}-{number}.png"
            try:
                page.screenshot(path=path, full_page=True)
                print(f"screenshot of {page.url}: {path}")
            except Exception as error:  # a page that crashed has no picture to give
                print(f"no screenshot of page {number}: {error}")
    assert not errors, "the browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shot(page, form_factor, tmp_path):
    """``shot("product")`` saves a full-page screenshot of ``page`` (or of ``shot(name, other_page)``) under
    ``tmp_path`` and returns its path; ``pytest --basetemp=DIR`` keeps them somewhere to look at."""

    def take(name: str, of=None):
        path = tmp_path / f"{name}-{form_factor}.png"
        (of or page).screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def browser_context_args():
    """Contexts are made by ``new_page`` with the live server's address and the form factor's size."""
    return {}


@pytest.fixture
def log_in():
    """``log_in(page, email, next="/")``: sign in through the login form, then land on ``next``."""

    def sign_in(page, email: str, *, password: str = PASSWORD, next: str = "/"):
        page.goto(f"/accounts/login/?next={quote(next)}")
        form = page.locator("main form")
        form.locator("input[name=username]").fill(email)
        form.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"{email} could not log in"

    return sign_in


# --- a small marketplace ---------------------------------------------------------------------------------

def photo(colour: str) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (480, 480), colour).save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{colour}.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def market(rates):
    """Two stores in two countries, three products with photos, an operator and a shopper (see above)."""
    from jishi.accounts.models import User
    from jishi.catalog.services import add_image

    operator = User.objects.create_superuser(email="operator@example.com", password=PASSWORD, name="Olga Operator")
    shopper = UserFactory(email="shopper@example.com", name="Sam Shopper")
    cn_owner = UserFactory(email="silk@example.com", name="Li Wei")
    us_owner = UserFactory(email="boots@example.com", name="Ann Austin")
    cn_store, cn_access = open_store_for(cn_owner, name="Hangzhou Silk", country="CN", currency_code="CNY")
    us_store, us_access = open_store_for(us_owner, name="Austin Boots", country="US", currency_code="USD")
    scarf = make_product(cn_access, title="Silk Scarf", price="100.00", category="womens-t-shirts", sku_prefix="SCARF")
    boot = make_product(us_access, title="Leather Boot", price="40.00", category="boots", variants=3,
                        sku_prefix="BOOT")
    teacup = make_product(cn_access, title="Celadon Tea Cup", price="60.00", category="teaware", sku_prefix="CUP")
    for product, access, colour in ((scarf, cn_access, "firebrick"), (boot, us_access, "saddlebrown"),
                                    (teacup, cn_access, "seagreen")):
        add_image(access=access, product=product, upload=photo(colour), alt="")
    return SimpleNamespace(operator=operator, shopper=shopper, cn_owner=cn_owner, us_owner=us_owner,
                           cn_store=cn_store, us_store=us_store, cn_access=cn_access, us_access=us_access,
                           scarf=scarf, boot=boot, teacup=teacup)

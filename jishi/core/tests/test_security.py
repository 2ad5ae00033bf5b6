"""Security headers on every answer, and templates that keep working under the Content-Security-Policy."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

import jishi
from tests.factories import UserFactory, bearer

pytestmark = pytest.mark.django_db
TEMPLATES = Path(jishi.__file__).parent


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/v1/me", "/api/v1/openapi.json", "/admin/login/"])
def test_every_answer_carries_the_security_headers(client, url):
    response = client.get(url)
    csp = directives(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP, secure cookies off


def test_static_files_carry_them_too(client):
    response = client.get("/static/web/jishi.js")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_signed_in_pages_and_token_calls_carry_them(client):
    user = UserFactory()
    assert "Content-Security-Policy" in client.get("/api/v1/me", **bearer(user))
    client.force_login(user)
    assert "Content-Security-Policy" in client.get("/accounts/profile/")


def test_secure_cookies_turn_hsts_on(client, monkeypatch):
    import jishi.settings as module

    monkeypatch.setenv("SECURE_COOKIES", "true")
    secure = importlib.reload(module)
    assert secure.SECURE_HSTS_SECONDS == 31536000 and secure.SESSION_COOKIE_SECURE
    monkeypatch.delenv("SECURE_COOKIES")
    plain = importlib.reload(module)
    assert plain.SECURE_HSTS_SECONDS == 0 and django_settings.SECURE_HSTS_SECONDS == 0


def test_hsts_header_on_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert client.get("/", secure=True)["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/")


def test_the_policy_can_be_replaced_or_only_reported(client, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self' https://cdn.example.com"
    settings.CSP_REPORT_ONLY = True
    response = client.get("/")
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self' https://cdn.example.com"
    assert "Content-Security-Policy" not in response


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_no_template_has_inline_script_handlers_or_styles():
    """The policy blocks them, so they would silently stop working: behaviour belongs in web/jishi.js (wired by
    data- attributes), looks in jishi.css."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("templates/**/*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert offenders == []


def test_pages_load_only_the_sites_own_scripts(client):
    page = client.get("/").content.decode()
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page)
    assert sources and all(src.startswith(django_settings.STATIC_URL) for src in sources)
    assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page


def test_a_store_banner_is_an_image_not_an_inline_style(client):
    from tests.factories import open_store_for

    store, _access = open_store_for(name="Banner Store")
    store.banner = "stores/banner.png"
    store.save(update_fields=["banner"])
    page = client.get(f"/s/{store.slug}/").content.decode()
    assert '<div class="store-banner"><img src="/media/stores/banner.png" alt=""></div>' in page

"""Security edges: mailed links name SITE_URL whatever Host a request claims; a new password ends the
account's personal access tokens; wrong bearer tokens are throttled per client address; waitress passes
a proxy's headers on only behind a proxy."""

import pytest
from django.core import mail

from jishi.accounts.models import PersonalAccessToken
from jishi.accounts.services import issue_token
from jishi.core.serving import waitress_proxy_options
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "an old long pass phrase"


def test_the_reset_link_names_the_site_not_the_requests_host(client, settings):
    settings.SITE_URL = "https://shop.example.com"
    settings.ALLOWED_HOSTS = ["evil.example.net", "testserver"]
    UserFactory(email="mei@example.com")
    client.post("/accounts/reset/", {"email": "mei@example.com"}, HTTP_HOST="evil.example.net")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "https://shop.example.com/accounts/reset/" in body and "evil.example.net" not in body


def test_a_new_password_ends_every_token_of_the_account(client):
    user = UserFactory(email="seller@example.com", password=PASSWORD)
    _row, plain = issue_token(user=user, name="shop script")
    other_row, other_plain = issue_token(user=UserFactory(), name="someone else's")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/v1/me", **headers).status_code == 200
    client.force_login(user)
    changed = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "a brand new phrase 9",
                                                  "new_password2": "a brand new phrase 9"})
    assert changed.status_code == 302
    client.logout()
    assert client.get("/api/v1/me", **headers).status_code == 401
    assert not PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert PersonalAccessToken.objects.get(pk=other_row.pk).revoked_at is None
    # Saving the account for anything else keeps its tokens.
    _again, fresh = issue_token(user=user, name="new script")
    user.refresh_from_db()
    user.name = "Mei"
    user.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200


def test_wrong_bearer_tokens_are_throttled_per_client_address(client, settings):
    settings.BAD_TOKENS_FREE_PER_ADDRESS = 3
    _row, plain = issue_token(user=UserFactory(), name="script")
    guess = {"HTTP_AUTHORIZATION": "Bearer jsh_not-a-real-token", "REMOTE_ADDR": "203.0.113.7"}
    answers = [client.get("/api/v1/me", **guess).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 401]  # the fourth wrong one starts the wait
    held = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain}", REMOTE_ADDR="203.0.113.7")
    assert held.status_code == 429 and int(held["Retry-After"]) >= 1
    assert held.json()["error"]["code"] == "token.throttled"
    public = client.get("/api/v1/stores/no-such-store", **guess)  # public routes that read the token too
    assert public.status_code == 429
    elsewhere = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain}", REMOTE_ADDR="198.51.100.9")
    assert elsewhere.status_code == 200


def test_waitress_passes_proxy_headers_on_only_behind_a_proxy(settings):
    settings.BEHIND_PROXY = False
    assert waitress_proxy_options() == {"clear_untrusted_proxy_headers": True}
    settings.BEHIND_PROXY = True
    assert waitress_proxy_options() == {"clear_untrusted_proxy_headers": False}

"""A NUL character (U+0000) in any text an API client sends answers 422 naming the field, never 500 — PostgreSQL
refuses NUL in text — and changes nothing. One door checks the path, the query string and JSON bodies; the
fuzz test below sends NUL in every string field of every operation the served spec describes."""

import json

import pytest

from jishi.accounts.models import User
from jishi.stores.models import Store
from tests.factories import UserFactory, bearer, open_store_for

pytestmark = pytest.mark.django_db

NUL_TEXT = "a\x00b"


def _send(client, method: str, url: str, body=None, **headers):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json", **headers)


def _refused(response, *fields: str) -> None:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(fields) <= set(error["fields"]), error["fields"]


def test_the_routes_found_answering_500(client):
    user = UserFactory(name="Mei", email="mei@example.com", password="a long pass phrase 1")
    store, _access = open_store_for(user, name="Hangzhou Tea")
    auth = bearer(user)
    _refused(_send(client, "patch", "/api/v1/me", {"name": f"Mei{NUL_TEXT}"}, **auth), "name")
    _refused(_send(client, "patch", f"/api/v1/stores/{store.slug}", {"name": NUL_TEXT}, **auth), "name")
    _refused(_send(client, "post", "/api/v1/auth/tokens", {"email": f"mei{NUL_TEXT}@example.com",
                                                           "password": "x", "name": "script"}), "email")
    assert User.objects.get(pk=user.pk).name == "Mei"
    assert Store.objects.get(pk=store.pk).name == "Hangzhou Tea"


def test_the_query_the_path_and_nested_fields_are_checked_too(client):
    auth = bearer(UserFactory())
    _refused(client.get("/api/v1/search?q=tea%00"), "q")
    _refused(client.get("/api/v1/stores/tea%00shop"), "path")
    _refused(_send(client, "post", "/api/v1/checkout",
                   {"lines": [{"variant_id": 1, "quantity": 1}], "address": {"name": NUL_TEXT}}, **auth),
             "address.name")
    _refused(_send(client, "post", "/api/v1/checkout", {"lines": [{"variant_id": 1, "quantity": 1}],
                                                        f"note{NUL_TEXT}": 1}, **auth))


# --- every operation ----------------------------------------------------------------------------------


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return _resolve(spec, options[0]) if options else {"type": "null"}
    return schema


def _example(spec: dict, schema: dict, depth: int = 0):
    """A value of ``schema`` whose every string is ``NUL_TEXT`` (numbers and flags plain)."""
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {name: _example(spec, sub, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(spec, schema.get("items", {}), depth + 1)]
    return {"string": NUL_TEXT, "integer": 1, "number": 1, "boolean": True}.get(kind, NUL_TEXT)


def _has_text(value) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, dict):
        return any(_has_text(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_text(item) for item in value)
    return False


def test_nul_in_any_string_field_of_any_operation_is_a_422(client):
    seller = UserFactory()
    store, _access = open_store_for(seller, name="Fuzz Store")
    auth = bearer(seller)
    spec = client.get("/api/v1/openapi.json").json()
    tried = 0
    for path, operations in spec["paths"].items():
        url = path.replace("{slug}", store.slug)
        for name in ("provider",):
            url = url.replace("{" + name + "}", "sandbox")
        while "{" in url:  # any other id: a number that names nothing, the path itself stays valid
            start = url.index("{")
            url = url[:start] + "1" + url[url.index("}", start) + 1:]
        for method, operation in operations.items():
            strings = [p["name"] for p in operation.get("parameters", [])
                       if p["in"] == "query" and _resolve(spec, p.get("schema", {})).get("type") == "string"]
            body_schema = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                           .get("schema"))
            body = _example(spec, body_schema) if body_schema else None
            if not strings and not _has_text(body):
                continue
            query = "&".join(f"{name}=a%00b" for name in strings)
            target = f"{url}?{query}" if query else url
            response = _send(client, method, target, body if body_schema else None, **auth)
            tried += 1
            assert response.status_code == 422, (method, target, response.status_code, response.content[:300])
            assert response.json()["error"]["code"] == "invalid"
    assert tried >= 30, tried


# --- pages --------------------------------------------------------------------------------------------
# Pages have no door of their own: Django's form fields refuse NUL (ProhibitNullCharactersValidator), so a
# form shows it inline like any other mistake, and search cleans its words before it looks.


def test_a_page_form_shows_nul_inline_and_saves_nothing(client):
    response = client.post("/accounts/signup/", {"email": "nul@example.com", "name": NUL_TEXT,
                                                 "password": "x-Long-pass-1", "password_again": "x-Long-pass-1"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not User.objects.filter(email="nul@example.com").exists()


def test_searching_pages_for_nul_is_no_error(client):
    for url in ("/products/?q=%00", "/products/?q=tea%00", "/search/suggestions/?q=%00"):
        assert client.get(url).status_code < 500, url

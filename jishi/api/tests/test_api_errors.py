"""One error body for every API failure, and a complete OpenAPI spec."""

import pytest

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def test_unknown_route_is_a_json_404(client):
    assert client.get("/api/v1/nothing-here").status_code == 404


def test_missing_credentials_is_401_in_the_error_format(client):
    assert_error(client.post("/api/v1/rates", {"currency": "USD", "rate": "1"}, content_type="application/json"),
                 401, "not_authenticated")


def test_a_bad_bearer_token_is_401(client):
    response = client.post("/api/v1/rates", {"currency": "USD", "rate": "1"}, content_type="application/json",
                           HTTP_AUTHORIZATION="Bearer jsh_not-a-real-token")
    assert_error(response, 401, "not_authenticated")


def test_wrong_types_name_the_field(client, admin_user):
    client.force_login(admin_user)
    error = assert_error(client.post("/api/v1/rates", {"currency": "USD", "rate": "lots"},
                                     content_type="application/json"), 422, "invalid")
    assert "rate" in error["fields"]


def test_malformed_json_is_a_400(client, admin_user):
    client.force_login(admin_user)
    assert_error(client.post("/api/v1/rates", "{not json", content_type="application/json"), 400, "bad_request")


def test_openapi_spec_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Jishi API"
    assert "/api/v1/rates" in spec.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"openapi.json" in docs.content


def test_an_oversized_body_is_a_413_not_a_crash(client, admin_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(admin_user)
    body = '{"currency": "USD", "rate": "1", "padding": "' + "x" * 5000 + '"}'
    assert_error(client.post("/api/v1/rates", body, content_type="application/json"), 413, "payload_too_large")


def test_a_json_list_where_an_object_belongs_is_a_422(client, admin_user):
    client.force_login(admin_user)
    assert_error(client.post("/api/v1/rates", "[1, 2]", content_type="application/json"), 422, "invalid")

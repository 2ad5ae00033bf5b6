"""The OpenAPI spec keeps the API's promises: every operation names each error status it can answer, with the
one error body, and its request schemas state the real limits of what the API accepts."""

import pytest

pytestmark = pytest.mark.django_db

UNSAFE = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec():
    from jishi.api.app import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def _error_ref(spec, response) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_declares_the_errors_it_can_answer(spec):
    missing = []
    for path, method, operation in _operations(spec):
        declared = {int(status) for status in operation["responses"]}
        expected = {503}
        if operation.get("security"):  # auth required
            expected |= {401, 403}
        if operation.get("requestBody"):
            expected |= {400, 413, 422}
        if operation.get("parameters"):
            expected.add(422)
        if "{" in path:
            expected.add(404)
        if not expected <= declared:
            missing.append(f"{method.upper()} {path}: {sorted(expected - declared)}")
    assert not missing, "\n".join(missing)


def test_every_error_answer_has_the_shared_error_body(spec):
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert _error_ref(spec, response) == "#/components/schemas/ErrorOut", (method, path, status)
                assert response["description"], (method, path, status)
    error = spec["components"]["schemas"]["ErrorOut"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert error["required"] == ["error"]
    assert set(detail["required"]) == {"code", "message", "fields"}


def test_throttled_operations_declare_429(spec):
    paths = spec["paths"]
    for path, method in [("/api/v1/auth/signup", "post"), ("/api/v1/auth/tokens", "post")]:
        assert "429" in {str(s) for s in paths[path][method]["responses"]}, path


def test_public_reads_do_not_claim_to_need_a_sign_in(spec):
    for path in ["/api/v1/products", "/api/v1/categories", "/api/v1/search", "/api/v1/tax/rules"]:
        responses = {int(s) for s in spec["paths"][path]["get"]["responses"]}
        assert 401 not in responses and 200 in responses, path


def test_every_write_is_declared_with_auth_or_on_purpose_public(spec):
    public_writes = {("post", "/api/v1/auth/signup"), ("post", "/api/v1/auth/tokens"),
                     ("post", "/api/v1/shipping/quote"), ("post", "/api/v1/payments/webhooks/{provider}")}
    for path, method, operation in _operations(spec):
        if method in UNSAFE and (method, path) not in public_writes:
            assert operation.get("security"), f"{method.upper()} {path} takes no credentials"


def test_the_spec_counts_many_operations_and_statuses(spec):
    operations = list(_operations(spec))
    assert len(operations) >= 70
    statuses = {int(s) for _p, _m, op in operations for s in op["responses"]}
    assert {400, 401, 403, 404, 409, 413, 422, 429, 503} <= statuses


def test_the_served_spec_is_the_same(client, spec):
    served = client.get("/api/v1/openapi.json").json()
    assert served["paths"].keys() == spec["paths"].keys()
    assert {str(s) for s in served["paths"]["/api/v1/me"]["get"]["responses"]} >= {"200", "401", "403"}

"""A body that cannot be read is the client's mistake: the API answers 400 with its error body, pages a 400
page, never a 500, and nothing is written."""

import pytest

from jishi.accounts.models import Address
from jishi.api.tests.test_api_errors import assert_error
from jishi.catalog.models import ProductImage
from tests.factories import bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db

NO_BOUNDARY = "multipart/form-data"
BROKEN_PARTS = b'--zz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nxx'
ONLY_A_BOUNDARY = b"--zz\r\nbroken"


@pytest.fixture
def seller():
    store, access = open_store_for(name="Upload Store")
    product = make_product(access)
    owner = store.memberships.get().user
    return store, product, owner, bearer(owner)


def _post(client, url, body, content_type, auth):
    return client.generic("POST", url, body, content_type=content_type, **auth)


def test_multipart_without_a_boundary_is_a_400_on_an_upload(client, seller):
    _store, product, _owner, auth = seller
    response = _post(client, f"/api/v1/products/{product.id}/images", b"x", NO_BOUNDARY, auth)
    assert_error(response, 400, "bad_request")
    assert not ProductImage.objects.exists()


def test_multipart_without_a_boundary_is_a_400_on_a_json_route(client, seller):
    auth = seller[3]
    assert_error(_post(client, "/api/v1/me/addresses", b"x", NO_BOUNDARY, auth), 400, "bad_request")
    assert not Address.objects.exists()


@pytest.mark.parametrize("body", [BROKEN_PARTS, ONLY_A_BOUNDARY, b""])
def test_broken_parts_are_a_4xx_naming_the_missing_file(client, seller, body):
    _store, product, _owner, auth = seller
    response = _post(client, f"/api/v1/products/{product.id}/images", body, "multipart/form-data; boundary=zz", auth)
    error = assert_error(response, 422, "invalid")
    assert "image" in error["fields"]
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize(("body", "content_type"), [
    (b"{not json", "application/json"),
    (b"\xff\xfe{", "application/json"),
    (b"a=%ZZ&&==", "application/x-www-form-urlencoded"),
    (ONLY_A_BOUNDARY, "multipart/form-data; boundary=zz"),
])
def test_a_malformed_json_or_form_body_is_a_400(client, seller, body, content_type):
    assert_error(_post(client, "/api/v1/me/addresses", body, content_type, seller[3]), 400, "bad_request")
    assert not Address.objects.exists()


def test_an_unknown_charset_is_read_as_utf8(client, seller):
    response = _post(client, "/api/v1/me/addresses", b'{"name": "A"}', "application/json; charset=no-such", seller[3])
    assert "line1" in assert_error(response, 422, "invalid")["fields"]


def test_too_many_form_fields_is_a_400_not_a_crash(client, seller, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    _store, product, _owner, auth = seller
    body = "&".join(f"f{n}=1" for n in range(50)).encode()
    response = _post(client, f"/api/v1/products/{product.id}/images", body, "application/x-www-form-urlencoded", auth)
    assert_error(response, 400, "bad_request")


# --- pages ------------------------------------------------------------------------------------------


def test_a_page_post_without_a_multipart_boundary_is_a_400_page(client, seller):
    store, product, owner, _auth = seller
    client.force_login(owner)
    url = f"/seller/{store.slug}/products/{product.id}/images/"
    response = client.generic("POST", url, b"x", content_type=NO_BOUNDARY)
    assert response.status_code == 400
    assert b"We could not read that request" in response.content and b"\xe6\x97\xa0\xe6\xb3\x95" in response.content
    assert not ProductImage.objects.exists()


def test_a_page_post_with_broken_parts_is_not_a_500(client, seller):
    store, product, owner, _auth = seller
    client.force_login(owner)
    url = f"/seller/{store.slug}/products/{product.id}/images/"
    response = client.generic("POST", url, BROKEN_PARTS, content_type="multipart/form-data; boundary=zz")
    assert 300 <= response.status_code < 500
    assert not ProductImage.objects.exists()


def test_the_sign_in_page_answers_a_broken_multipart_body_with_a_400_page(client):
    response = client.generic("POST", "/accounts/login/", b"x", content_type=NO_BOUNDARY)
    assert response.status_code == 400 and b"We could not read that request" in response.content

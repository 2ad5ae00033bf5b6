"""A preference form's ``next`` that is not a path (a view name, a word) sends the shopper home, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("route, field, value", [("/preferences/ship-to/", "country", "DE"),
                                                 ("/preferences/currency/", "currency", "EUR")])
@pytest.mark.parametrize("target", ["abc", "web:home", "a.b"])
def test_a_next_that_is_not_a_path_redirects_without_error(client, route, field, value, target):
    response = client.post(route, {field: value, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"  # not "abc", which the browser would resolve against the form's address


def test_a_path_or_an_address_on_this_site_is_followed(client):
    assert client.post("/preferences/currency/", {"currency": "EUR", "next": "/products/?page=2"})["Location"] \
        == "/products/?page=2"
    assert client.post("/preferences/currency/", {"currency": "EUR"},
                       HTTP_REFERER="http://testserver/c/tea/")["Location"] == "http://testserver/c/tea/"
    assert client.post("/preferences/currency/", {"currency": "EUR", "next": "//evil.example/"})["Location"] == "/"

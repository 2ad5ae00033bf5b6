"""The operator's pages name the site once: "Jishi operator" above, "<page> | Jishi" in the browser's tab."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_operator_pages_name_the_site_once(client, admin_user, settings):
    settings.SITE_NAME = "Hangzhou Market"
    client.force_login(admin_user)
    for url, page in (("/admin/", "Operator"), ("/admin/stores/store/", "Select store to change")):
        html = client.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        header = re.search(r'id="site-name"><a [^>]*>(.*?)</a>', html, re.S).group(1).strip()
        assert title == f"{page} | Hangzhou Market"
        assert header == "Hangzhou Market operator"

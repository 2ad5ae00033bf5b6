"""Stores: the one-minute store, roles, invitations, suspension, and tenancy on every route."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jishi.core.errors import DomainError
from jishi.stores.models import Invitation, Membership, Role, Store, StoreEvent, StoreStatus
from jishi.stores.selectors import access_store
from jishi.stores.services import invite_member, suspend_store
from tests.factories import UserFactory, bearer, make_product, member_of, open_store_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_open_a_store_in_one_step(client):
    user = UserFactory(country="JP")
    client.force_login(user)
    form = client.get("/seller/open/")
    assert form.context["form"].initial == {"country": "JP", "base_currency": "JPY"}
    response = client.post("/seller/open/", {"name": "Kyoto Tea House", "country": "JP", "base_currency": "JPY"})
    store = Store.objects.get()
    assert response["Location"] == f"/seller/{store.slug}/products/add/"  # the first product comes next
    assert (store.slug, store.status, store.base_currency_id) == ("kyoto-tea-house", "active", "JPY")
    assert Membership.objects.get(store=store).role == Role.OWNER and Membership.objects.get().user == user
    assert client.get(f"/s/{store.slug}/").status_code == 200
    assert StoreEvent.objects.filter(store=store, kind="store.opened", actor=user).exists()


def test_anonymous_visitors_get_the_form_with_an_account(client):
    response = client.get("/seller/open/")
    assert response.status_code == 200
    assert {"email", "password", "name", "country", "base_currency"} <= set(response.context["form"].fields)


def test_slugs_are_derived_unique_and_checked():
    first, _ = open_store_for(name="Silk Road")
    second, _ = open_store_for(name="Silk Road")
    chinese, _ = open_store_for(name="西湖茶庄")
    assert (first.slug, second.slug) == ("silk-road", "silk-road-2")
    assert chinese.slug.startswith("store-")
    with pytest.raises(DomainError) as taken:
        open_store_for(name="Other", slug="silk-road")
    assert taken.value.status == 409 and "slug" in taken.value.fields
    with pytest.raises(DomainError) as reserved:
        open_store_for(name="Other", slug="admin")
    assert "slug" in reserved.value.fields
    assert Store.objects.count() == 3


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "A", "country": "CN", "base_currency": "CNY"}, "name"),
    ({"name": "x" * 81, "country": "CN", "base_currency": "CNY"}, "name"),
    ({"name": "Shop", "country": "XX", "base_currency": "CNY"}, "country"),
    ({"name": "Shop", "country": "CN", "base_currency": "ABC"}, "base_currency"),
    ({"name": "Shop", "country": "CN", "base_currency": "CNY", "slug": "a"}, "slug"),
])
def test_bad_store_input_gets_a_clear_error_and_nothing_is_saved(client, payload, field):
    user = UserFactory()
    response = client.post("/api/v1/stores", payload, content_type=JSON, **bearer(user))
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Store.objects.exists() and not Membership.objects.exists()


def test_the_page_shows_a_taken_slug_inline(client):
    open_store_for(name="Taken", slug="taken")
    client.force_login(UserFactory())
    response = client.post("/seller/open/", {"name": "Mine", "country": "CN", "base_currency": "CNY",
                                             "slug": "taken"})
    assert response.status_code == 200 and "slug" in response.context["form"].errors


def test_api_opens_reads_and_updates_a_store(client):
    owner = UserFactory()
    auth = bearer(owner)
    created = client.post("/api/v1/stores", {"name": "Osaka Goods", "country": "JP", "base_currency": "JPY"},
                          content_type=JSON, **auth)
    assert created.status_code == 201 and created.json()["role"] == "owner"
    slug = created.json()["slug"]
    assert client.get(f"/api/v1/stores/{slug}").json()["status"] is None  # the public view
    patched = client.patch(f"/api/v1/stores/{slug}", {"description": "Fine things"}, content_type=JSON, **auth)
    assert patched.status_code == 200 and patched.json()["description"] == "Fine things"
    assert [s["slug"] for s in client.get("/api/v1/stores", **auth).json()] == [slug]


@pytest.mark.parametrize(("role", "settings_status", "members_status"), [
    (Role.OWNER, 200, 200), (Role.MANAGER, 200, 403), (Role.STAFF, 403, 403)])
def test_roles_decide_what_a_member_may_open(client, role, settings_status, members_status):
    store, _ = open_store_for()
    user = store.memberships.get().user if role == Role.OWNER else member_of(store, role)
    client.force_login(user)
    assert client.get(f"/seller/{store.slug}/").status_code == 200
    assert client.get(f"/seller/{store.slug}/products/").status_code == 200
    assert client.get(f"/seller/{store.slug}/settings/").status_code == settings_status
    assert client.get(f"/seller/{store.slug}/members/").status_code == members_status


def test_invitations_by_email(client, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://shop.example.com"
    store, access = open_store_for()
    with django_capture_on_commit_callbacks(execute=True):
        invite_member(access=access, email="Helper@Example.com", role=Role.STAFF)
    assert len(mail.outbox) == 1 and store.name in mail.outbox[0].subject
    # The link is the site's own address, whatever Host the inviting request came with.
    link = mail.outbox[0].body.split("Accept here: ")[1].split()[0]
    assert link.startswith("https://shop.example.com/")
    link = link.removeprefix("https://shop.example.com")

    client.force_login(UserFactory(email="someone-else@example.com"))
    wrong = client.post(link)
    assert wrong.status_code == 200 and wrong.context["error"]
    assert not Membership.objects.filter(role=Role.STAFF).exists()

    helper = UserFactory(email="helper@example.com")
    client.force_login(helper)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=helper).role == Role.STAFF
    assert client.get(link).status_code == 404  # used up
    with pytest.raises(DomainError):
        invite_member(access=access, email="helper@example.com", role=Role.MANAGER)


def test_owner_manages_the_team_but_stays_owner(client):
    store, access = open_store_for()
    staff = member_of(store, Role.STAFF)
    owner = store.memberships.get(role=Role.OWNER)
    client.force_login(owner.user)
    membership = Membership.objects.get(user=staff)
    client.post(f"/seller/{store.slug}/members/{membership.id}/role/", {"role": "manager"})
    assert Membership.objects.get(user=staff).role == Role.MANAGER
    client.post(f"/seller/{store.slug}/members/{owner.id}/remove/")
    assert Membership.objects.filter(pk=owner.pk).exists()
    client.post(f"/seller/{store.slug}/members/{membership.id}/remove/")
    assert not Membership.objects.filter(user=staff).exists()
    assert StoreEvent.objects.filter(store=store, kind="member.removed").exists()


def test_suspension_hides_the_store_and_tells_its_members(client, admin_user):
    store, access = open_store_for(name="Gone Soon")
    product = make_product(access)
    client.force_login(admin_user)
    client.post("/admin/stores/store/", {"action": "suspend_stores", "_selected_action": [store.id],
                                         "reason": "Counterfeit goods reported"})
    store.refresh_from_db()
    assert store.status == StoreStatus.SUSPENDED and store.suspension_reason == "Counterfeit goods reported"
    assert StoreEvent.objects.filter(store=store, kind="store.suspended", actor=admin_user).exists()
    client.logout()
    assert client.get(f"/s/{store.slug}/").status_code == 404
    assert client.get(f"/p/{product.id}/").status_code == 404
    assert client.get(f"/api/v1/stores/{store.slug}").status_code == 404
    client.force_login(store.memberships.get().user)
    dashboard = client.get(f"/seller/{store.slug}/")
    assert b"Counterfeit goods reported" in dashboard.content
    fresh = access_store(user=store.memberships.get().user, slug=store.slug)
    with pytest.raises(DomainError) as refused:
        make_product(fresh, title="Another")
    assert refused.value.code == "store.suspended"


def test_suspension_needs_a_reason(admin_user):
    store, _ = open_store_for()
    with pytest.raises(DomainError):
        suspend_store(store=store, reason="  ", actor=admin_user)
    store.refresh_from_db()
    assert store.status == StoreStatus.ACTIVE


def _png(size=(120, 120)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def test_logo_upload_is_checked(client, settings):
    store, _ = open_store_for()
    client.force_login(store.memberships.get().user)
    data = {"name": store.name, "slug": store.slug, "country": "CN", "base_currency": "CNY", "description": ""}
    bad = client.post(f"/seller/{store.slug}/settings/",
                      {**data, "logo": SimpleUploadedFile("logo.png", b"plain text", content_type="image/png")})
    assert bad.status_code == 200 and "logo" in bad.context["form"].errors
    store.refresh_from_db()
    assert not store.logo
    settings.MAX_IMAGE_UPLOAD_BYTES = 50
    too_big = client.post(f"/seller/{store.slug}/settings/",
                          {**data, "logo": SimpleUploadedFile("logo.png", _png(), content_type="image/png")})
    assert "logo" in too_big.context["form"].errors
    settings.MAX_IMAGE_UPLOAD_BYTES = 5_000_000
    good = client.post(f"/seller/{store.slug}/settings/",
                       {**data, "logo": SimpleUploadedFile("logo.png", _png(), content_type="image/png")})
    assert good.status_code == 302
    store.refresh_from_db()
    assert store.logo


def test_base_currency_is_locked_once_products_exist(client):
    store, access = open_store_for()
    make_product(access)
    response = client.patch(f"/api/v1/stores/{store.slug}", {"base_currency": "USD"}, content_type=JSON,
                            **bearer(store.memberships.get().user))
    assert response.status_code == 409 and response.json()["error"]["code"] == "store.currency_locked"
    store.refresh_from_db()
    assert store.base_currency_id == "CNY"


def test_a_member_of_store_a_cannot_touch_store_b(client):
    store_a, _ = open_store_for(name="Store A")
    store_b, _ = open_store_for(name="Store B")
    staff_b = member_of(store_b, Role.STAFF)
    invitation_b = Invitation.objects.create(store=store_b, email="x@example.com", role="staff", token_hash="h")
    owner_a = store_a.memberships.get().user
    client.force_login(owner_a)
    staff_b_membership = Membership.objects.get(user=staff_b)
    for url in ("", "settings/", "members/", "products/", "products/new/"):
        assert client.get(f"/seller/{store_b.slug}/{url}").status_code == 404, url
    for url, data in (("settings/", {"name": "Hijacked", "slug": store_b.slug, "country": "CN",
                                       "base_currency": "CNY"}),
                      (f"members/{staff_b_membership.id}/remove/", {}),
                      (f"members/{staff_b_membership.id}/role/", {"role": "manager"}),
                      (f"invitations/{invitation_b.id}/revoke/", {}),
                      ("members/", {"email": "spy@example.com", "role": "manager"})):
        assert client.post(f"/seller/{store_b.slug}/{url}", data).status_code == 404, url
    auth = bearer(owner_a)
    api = f"/api/v1/stores/{store_b.slug}"
    assert client.patch(api, {"name": "Hijacked"}, content_type=JSON, **auth).status_code == 404
    assert client.get(f"{api}/members", **auth).status_code == 404
    assert client.post(f"{api}/invitations", {"email": "spy@example.com", "role": "staff"}, content_type=JSON,
                       **auth).status_code == 404
    assert client.patch(f"{api}/members/{staff_b_membership.id}", {"role": "manager"}, content_type=JSON,
                        **auth).status_code == 404
    assert client.delete(f"{api}/members/{staff_b_membership.id}", **auth).status_code == 404
    assert client.delete(f"{api}/invitations/{invitation_b.id}", **auth).status_code == 404
    store_b.refresh_from_db()
    assert store_b.name == "Store B"
    assert Membership.objects.get(user=staff_b).role == Role.STAFF
    assert Invitation.objects.filter(store=store_b).count() == 1 and not Invitation.objects.get().revoked_at


def test_members_page_queries_do_not_grow_with_the_team(client, django_assert_max_num_queries):
    store, _ = open_store_for()
    client.force_login(store.memberships.get().user)
    member_of(store, Role.STAFF)
    with django_assert_max_num_queries(9):
        client.get(f"/seller/{store.slug}/members/")
    for _ in range(10):
        member_of(store, Role.STAFF)
    with django_assert_max_num_queries(9):
        assert client.get(f"/seller/{store.slug}/members/").status_code == 200


def test_an_operator_rename_in_the_admin_reaches_search_and_locks_the_currency(admin_user, rf,
                                                                               django_capture_on_commit_callbacks):
    from django.contrib import admin
    from django.forms import model_to_dict

    from jishi.catalog.search import parse_search_params, search_products
    from jishi.stores.admin import StoreAdmin

    store, access = open_store_for(name="Old Harbour")
    product = make_product(access, title="Brass Lamp")
    store_admin = StoreAdmin(Store, admin.site)
    request = rf.post("/")
    request.user = admin_user
    assert "base_currency" in store_admin.get_readonly_fields(request, store)  # it has products
    form = store_admin.get_form(request, store)(
        {**model_to_dict(store), "name": "Harbour Lights"}, instance=store)
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        store_admin.save_model(request, form.save(commit=False), form, change=True)
    params = parse_search_params({"q": "harbour lights"})
    assert [h.product.id for h in search_products(params=params, language="en", currency="USD").hits] == [product.id]

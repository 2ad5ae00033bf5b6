"""Products through services, pages and the API: bad input, summaries, tenancy, visibility."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jishi.catalog.models import Product, ProductImage, ProductTranslation, Variant
from jishi.catalog.services import set_stock, update_product
from jishi.core.errors import DomainError
from jishi.money.services import record_rate_change
from jishi.stores.models import Membership, Role
from jishi.stores.services import suspend_store
from tests.factories import UserFactory, bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


def payload(**overrides):
    body = {"category": "womens-t-shirts", "status": "active", "option_names": ["size"],
            "translations": [{"language": "en", "title": "Linen Tee"}, {"language": "zh-hans", "title": "亚麻T恤"}],
            "variants": [{"sku": "TEE-S", "options": {"size": "S"}, "price": "59.00", "stock": 3},
                         {"sku": "TEE-M", "options": {"size": "M"}, "price": "69.50", "stock": 4,
                          "hs_code": "6109.10", "origin_country": "cn", "weight_grams": 180}]}
    body.update(overrides)
    return body


@pytest.fixture
def seller():
    store, access = open_store_for(name="Linen House")
    return store, access, store.memberships.get().user


def test_create_a_product_through_the_api(client, seller):
    store, _access, owner = seller
    response = client.post(f"/api/v1/stores/{store.slug}/products", payload(), content_type=JSON, **bearer(owner))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["price_min"], body["price_max"], body["stock_total"], body["currency"]) == ("59.00", "69.50", 7, "CNY")
    assert {v["sku"]: v["hs_code"] for v in body["variants"]} == {"TEE-S": "", "TEE-M": "610910"}
    assert body["variants"][1]["origin_country"] == "CN"
    product = Product.objects.get()
    assert product.sort_price > 0 and ProductTranslation.objects.filter(product=product).count() == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"variants": [{"sku": "A", "price": "-1", "stock": 1}]}, "variants.0.price"),
    ({"variants": [{"sku": "A", "price": "1e12", "stock": 1}]}, "variants.0.price"),
    ({"variants": [{"sku": "A", "price": "1.005", "stock": 1}]}, "variants.0.price"),
    ({"variants": [{"sku": "A", "price": "1", "stock": -3}]}, "variants.0.stock"),
    ({"variants": [{"sku": "A", "price": "1", "stock": 1, "origin_country": "XX"}]}, "variants.0.origin_country"),
    ({"variants": [{"sku": "bad sku", "price": "1", "stock": 1}]}, "variants.0.sku"),
    ({"variants": [{"sku": "A", "price": "1"}, {"sku": "A", "price": "2"}]}, "variants.1.sku"),
    ({"variants": []}, "variants"),
    ({"category": "womens-clothing"}, "category"),
    ({"category": "no-such-category"}, "category"),
    ({"translations": [{"language": "en", "title": ""}]}, "translations"),
    ({"translations": [{"language": "fr", "title": "Bonjour"}]}, "translations.0.language"),
    ({"status": "published"}, "status"),
    ({"option_names": ["a", "b", "c", "d"]}, "option_names"),
])
def test_bad_product_input_is_refused_whole(client, seller, change, field):
    store, _access, owner = seller
    body = payload(**change)
    if "variants" in change and "option_names" not in change:
        body["option_names"] = []
    response = client.post(f"/api/v1/stores/{store.slug}/products", body, content_type=JSON, **bearer(owner))
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Product.objects.exists() and not Variant.objects.exists()


def test_wrong_types_are_a_422_naming_the_field(client, seller):
    store, _access, owner = seller
    body = payload(variants=[{"sku": "A", "price": "lots", "stock": "many"}])
    response = client.post(f"/api/v1/stores/{store.slug}/products", body, content_type=JSON, **bearer(owner))
    assert response.status_code == 422
    assert {"variants.0.price", "variants.0.stock"} <= set(response.json()["error"]["fields"])


def test_a_third_bad_variant_leaves_nothing_behind(seller):
    _store, access, _owner = seller
    with pytest.raises(DomainError):
        make_product(access, variants=3, price="10.00")  # fine
        update_product(access=access, product=Product.objects.get(), variants=[
            {"sku": "X1", "price": "1"}, {"sku": "X2", "price": "2"}, {"sku": "X3", "price": "-3"}], option_names=[])
    assert set(Variant.objects.values_list("sku", flat=True)) == {f"P1-{access.store.id}-{n}" for n in range(3)}


def test_duplicate_sku_within_a_store_is_a_conflict_but_fine_elsewhere(client, seller):
    store, access, owner = seller
    make_product(access, sku_prefix="DUP")
    response = client.post(f"/api/v1/stores/{store.slug}/products",
                           payload(option_names=[], variants=[{"sku": "DUP-0", "price": "1"}]),
                           content_type=JSON, **bearer(owner))
    assert response.status_code == 409 and response.json()["error"]["code"] == "catalog.sku_taken"
    _other, other_access = open_store_for(name="Elsewhere")
    make_product(other_access, sku_prefix="DUP")
    assert Variant.objects.filter(sku="DUP-0").count() == 2


def test_summaries_follow_variant_changes(client, seller):
    store, access, owner = seller
    product = make_product(access, variants=2, price="10.00", stock=5)
    auth = bearer(owner)
    variant = product.variants.first()
    client.patch(f"/api/v1/variants/{variant.id}", {"price": "25.00"}, content_type=JSON, **auth)
    client.put(f"/api/v1/variants/{product.variants.last().id}/stock", {"stock": 0}, content_type=JSON, **auth)
    client.post(f"/api/v1/products/{product.id}/variants", {"sku": "NEW", "options": {"size": "XL"}, "price": "7.50",
                                                             "stock": 2}, content_type=JSON, **auth)
    product.refresh_from_db()
    assert (product.price_min, product.price_max, product.stock_total) == (Decimal("7.5"), Decimal("25"), 7)
    bad = client.put(f"/api/v1/variants/{variant.id}/stock", {"stock": -1}, content_type=JSON, **auth)
    assert bad.status_code == 422
    variant.refresh_from_db()
    assert variant.stock == 5


def test_sort_prices_follow_exchange_rates(seller, django_capture_on_commit_callbacks):
    _store, access, _owner = seller
    product = make_product(access, price="100.00")
    before = Product.objects.get(pk=product.pk).sort_price
    with django_capture_on_commit_callbacks(execute=True):
        record_rate_change(currency="CNY", rate="14.8652")  # the yuan halves against the euro
    after = Product.objects.get(pk=product.pk).sort_price
    assert abs(after - before / 2) < Decimal("0.05")


def test_publishing_needs_a_variant_and_the_last_variant_of_an_active_product_stays(client, seller):
    _store, access, owner = seller
    product = make_product(access)
    response = client.delete(f"/api/v1/variants/{product.variants.get().id}", **bearer(owner))
    assert response.status_code == 409 and Variant.objects.filter(product=product).exists()


def _png(size=(200, 150)):
    out = io.BytesIO()
    Image.new("RGB", size, "purple").save(out, "PNG")
    return out.getvalue()


def test_images_upload_with_thumbnails_and_bad_files_are_refused(client, seller, settings):
    _store, access, owner = seller
    product = make_product(access)
    auth = bearer(owner)
    good = client.post(f"/api/v1/products/{product.id}/images",
                       {"image": SimpleUploadedFile("p.png", _png(), content_type="image/png")}, **auth)
    assert good.status_code == 201 and good.json()["thumbnail_url"]
    text = client.post(f"/api/v1/products/{product.id}/images",
                       {"image": SimpleUploadedFile("p.jpg", b"I am text", content_type="image/jpeg")}, **auth)
    assert text.status_code == 422 and text.json()["error"]["code"] == "upload.not_an_image"
    settings.MAX_IMAGE_UPLOAD_BYTES = 100
    big = client.post(f"/api/v1/products/{product.id}/images",
                      {"image": SimpleUploadedFile("p.png", _png((600, 600)), content_type="image/png")}, **auth)
    assert big.status_code == 422 and big.json()["error"]["code"] == "upload.too_large"
    assert ProductImage.objects.count() == 1


def test_the_product_editor_page_creates_and_shows_row_errors(client, seller):
    store, _access, owner = seller
    client.force_login(owner)
    form = {"category": "", "status": "active", "default_language": "en", "title_en": "Silk Scarf",
            "title_zh": "真丝围巾", "description_en": "", "description_zh": "", "option_names": "colour",
            "variant_id": ["", ""], "option_0": ["Red", "Blue"], "option_1": ["", ""], "option_2": ["", ""],
            "sku": ["SC-R", "SC-B"], "price": ["120", "-5"], "stock": ["3", "2"], "weight_grams": ["", ""],
            "hs_code": ["", ""], "origin_country": ["CN", "CN"]}
    from jishi.catalog.selectors import get_category_tree

    form["category"] = str(get_category_tree().by_slug("necklaces").id)
    bad = client.post(f"/seller/{store.slug}/products/new/", form)
    assert bad.status_code == 200 and 1 in bad.context["row_errors"] and not Product.objects.exists()
    assert "Row 2" in bad.content.decode()
    form["price"] = ["120", "99.5"]
    good = client.post(f"/seller/{store.slug}/products/new/", form)
    product = Product.objects.get()
    assert good["Location"] == f"/seller/{store.slug}/products/{product.id}/"
    assert product.option_names == ["colour"] and product.price_max == Decimal("120")
    page = client.get(good["Location"])
    assert page.status_code == 200 and b"SC-B" in page.content


def test_staff_may_edit_but_not_delete(client, seller):
    store, access, _owner = seller
    product = make_product(access)
    staff = UserFactory()
    Membership.objects.create(store=store, user=staff, role=Role.STAFF)
    auth = bearer(staff)
    assert client.patch(f"/api/v1/products/{product.id}", {"status": "draft"}, content_type=JSON, **auth).status_code == 200
    denied = client.delete(f"/api/v1/products/{product.id}", **auth)
    assert denied.status_code == 403 and Product.objects.filter(pk=product.pk).exists()
    client.force_login(staff)
    assert client.post(f"/seller/{store.slug}/products/{product.id}/delete/").status_code == 403


def test_a_member_of_store_a_cannot_see_or_change_store_bs_products(client, seller):
    store_b, access_b, _owner_b = seller
    product = make_product(access_b, title="B's tee", status="draft")
    variant, image_owner = product.variants.get(), product
    store_a, _access_a = open_store_for(name="Store A")
    owner_a = store_a.memberships.get().user
    auth = bearer(owner_a)
    assert client.get(f"/api/v1/products/{product.id}", **auth).status_code == 404
    assert client.patch(f"/api/v1/products/{product.id}", {"status": "active"}, content_type=JSON, **auth).status_code == 404
    assert client.delete(f"/api/v1/products/{product.id}", **auth).status_code == 404
    assert client.post(f"/api/v1/products/{product.id}/variants", {"sku": "X", "price": "1"}, content_type=JSON,
                       **auth).status_code == 404
    assert client.patch(f"/api/v1/variants/{variant.id}", {"price": "1"}, content_type=JSON, **auth).status_code == 404
    assert client.put(f"/api/v1/variants/{variant.id}/stock", {"stock": 0}, content_type=JSON, **auth).status_code == 404
    assert client.delete(f"/api/v1/variants/{variant.id}", **auth).status_code == 404
    assert client.post(f"/api/v1/stores/{store_b.slug}/products", payload(), content_type=JSON, **auth).status_code == 404
    assert client.post(f"/api/v1/products/{image_owner.id}/images",
                       {"image": SimpleUploadedFile("p.png", _png(), content_type="image/png")}, **auth).status_code == 404
    client.force_login(owner_a)
    for url in (f"products/{product.id}/", "products/", "products/new/"):
        assert client.get(f"/seller/{store_b.slug}/{url}").status_code == 404
    assert client.post(f"/seller/{store_b.slug}/products/{product.id}/delete/").status_code == 404
    assert client.post(f"/seller/{store_b.slug}/variants/{variant.id}/stock/", {"stock": 0}).status_code == 404
    assert client.post(f"/seller/{store_b.slug}/products/{product.id}/images/",
                       {"image": SimpleUploadedFile("p.png", _png(), content_type="image/png")}).status_code == 404
    image = ProductImage.objects.create(product=product, image="b.jpg", thumbnail="b.jpg")
    assert client.post(f"/seller/{store_b.slug}/images/{image.id}/remove/").status_code == 404
    assert client.post(f"/seller/{store_a.slug}/images/{image.id}/remove/").status_code == 404
    assert client.delete(f"/api/v1/images/{image.id}", **auth).status_code == 404
    assert ProductImage.objects.filter(pk=image.pk).exists()
    # own store, someone else's ids
    assert client.get(f"/seller/{store_a.slug}/products/{product.id}/").status_code == 404
    assert client.post(f"/seller/{store_a.slug}/variants/{variant.id}/stock/", {"stock": 0}).status_code == 404
    product.refresh_from_db(), variant.refresh_from_db()
    assert (product.status, variant.stock, variant.price) == ("draft", 10, Decimal("99.00"))


def test_members_see_drafts_the_public_does_not(client, seller):
    _store, access, owner = seller
    draft = make_product(access, status="draft")
    assert client.get(f"/api/v1/products/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/products/{draft.id}", **bearer(owner)).status_code == 200


def test_a_suspended_stores_products_vanish_from_the_api_at_once(client, seller, admin_user):
    store, access, _owner = seller
    product = make_product(access)
    assert client.get("/api/v1/products").json()["total"] == 1
    suspend_store(store=store, reason="Fraud", actor=admin_user)
    assert client.get("/api/v1/products").json()["total"] == 0
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404


def test_product_list_api_filters_and_validates(client, seller):
    _store, access, _owner = seller
    make_product(access, title="Red Kettle", category="kettles", price="300.00")
    make_product(access, title="Blue Tee", price="50.00")
    assert [p["title"] for p in client.get("/api/v1/products?q=kettle").json()["items"]] == ["Red Kettle"]
    assert client.get("/api/v1/products?category=home-appliances").json()["total"] == 1
    cheap_first = client.get("/api/v1/products?sort=price_asc").json()["items"]
    assert [p["title"] for p in cheap_first] == ["Blue Tee", "Red Kettle"]
    for bad in ("page=0", "page_size=500", "sort=random", "page=abc"):
        response = client.get(f"/api/v1/products?{bad}")
        assert response.status_code == 422 and response.json()["error"]["fields"], bad
    assert client.get("/api/v1/products?category=nope").status_code == 404


def test_product_list_api_has_constant_queries(client, seller, django_assert_max_num_queries):
    _store, access, _owner = seller
    make_product(access)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/products").json()["items"]) == 1
    for n in range(19):
        make_product(access, title=f"Tee {n}")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/products").json()["items"]) == 20


def test_seller_product_list_has_constant_queries(client, seller, django_assert_max_num_queries):
    store, access, owner = seller
    client.force_login(owner)
    make_product(access)
    with django_assert_max_num_queries(11):
        client.get(f"/seller/{store.slug}/products/")
    for n in range(15):
        make_product(access, title=f"Tee {n}")
    with django_assert_max_num_queries(11):
        assert client.get(f"/seller/{store.slug}/products/").status_code == 200


def test_quick_stock_edit_with_htmx(client, seller):
    store, access, owner = seller
    variant = make_product(access).variants.get()
    client.force_login(owner)
    response = client.post(f"/seller/{store.slug}/variants/{variant.id}/stock/", {"stock": "42"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'value="42"' in response.content
    bad = client.post(f"/seller/{store.slug}/variants/{variant.id}/stock/", {"stock": "-2"}, HTTP_HX_REQUEST="true")
    assert b"errorlist" in bad.content
    variant.refresh_from_db()
    assert variant.stock == 42
    set_stock(access=access, variant=variant, stock=7)
    assert Product.objects.get().stock_total == 7


def test_top_level_category_follows_the_product_and_the_tree(client, seller):
    from jishi.catalog.models import Category
    from jishi.catalog.selectors import get_category_tree
    from jishi.catalog.services import refresh_category_roots

    _store, access, _owner = seller
    product = make_product(access, title="Kettle", category="kettles")
    assert product.category_root.slug == "home-appliances"
    update_product(access=access, product=product, category="womens-t-shirts")
    product.refresh_from_db()
    assert product.category_root.slug == "womens-clothing"
    assert [c.title for c in client.get("/c/womens-clothing/").context["cards"]] == ["Kettle"]
    # The operator moves "Tops" under Men's Clothing: its products follow.
    Category.objects.filter(slug="womens-tops").update(parent=get_category_tree().by_slug("mens-clothing"))
    refresh_category_roots()
    product.refresh_from_db()
    assert product.category_root.slug == "mens-clothing"
    assert client.get("/c/womens-clothing/").context["cards"] == []
    assert [c.title for c in client.get("/c/mens-clothing/").context["cards"]] == ["Kettle"]


def test_price_sorting_inside_a_category_of_several_leaves(client, seller):
    _store, access, _owner = seller
    for title, price, leaf in (("Mid", "50.00", "womens-t-shirts"), ("Dear", "90.00", "womens-blouses"),
                               ("Cheap", "10.00", "womens-sweaters")):
        make_product(access, title=title, price=price, category=leaf)
    titles = [c.title for c in client.get("/c/womens-tops/?sort=price_desc").context["cards"]]
    assert titles == ["Dear", "Mid", "Cheap"]
    assert [p["title"] for p in client.get("/api/v1/products?category=womens-tops&sort=price_asc").json()["items"]] == \
        ["Cheap", "Mid", "Dear"]

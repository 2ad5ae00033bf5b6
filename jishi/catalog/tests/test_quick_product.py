"""The quick product form: a title, photos, a price, stock and a category put a product on sale."""

import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from jishi.catalog import rules, services
from jishi.catalog.category_suggestions import suggest_categories
from jishi.catalog.models import Product, ProductImage, ProductStatus, Variant
from jishi.catalog.rules import (
    Invalid,
    clean_option_values,
    guess_title_language,
    option_combinations,
    quick_combinations,
    sku_stem,
    suggest_skus,
)
from jishi.catalog.selectors import get_category_tree
from jishi.catalog.services import create_live_product
from jishi.core.errors import DomainError
from jishi.stores.services import suspend_store
from tests.factories import UserFactory, make_product, open_store_for

pytestmark = pytest.mark.django_db


def _png(size=(200, 150), colour="purple"):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _photo(name="p.png", colour="purple"):
    return SimpleUploadedFile(name, _png(colour=colour), content_type="image/png")


def _leaf(slug="womens-t-shirts"):
    return get_category_tree().by_slug(slug).id


@pytest.fixture
def seller():
    store, access = open_store_for(name="Brooklyn Tees", country="US", currency_code="USD")
    return store, access, store.memberships.get().user


@pytest.fixture
def signed_in(client, seller):
    client.force_login(seller[2])
    return client


def _url(store, tail=""):
    return f"/seller/{store.slug}/products/add/{tail}"


def _form(**changes):
    return {"title": "Cotton T-shirt", "price": "19.99", "stock": "25", "category": str(_leaf()), **changes}


# --- the page ---------------------------------------------------------------------------------------

def test_the_page_offers_grouped_categories_one_field_per_answer_and_a_default_stock(signed_in, seller):
    store, _access, _owner = seller
    page = signed_in.get(_url(store))
    html = page.content.decode()
    assert page.status_code == 200 and page.context["first"] is True
    assert '<optgroup label="Women&#x27;s Clothing › Tops">' in html and 'enctype="multipart/form-data"' in html
    assert 'name="photos"' in html and " multiple" in html and 'value="1"' in html  # stock starts at 1
    assert "data-filter-select" in html and "Price (USD)" in html


def test_a_product_goes_live_with_its_photos_and_shows_its_page(signed_in, seller):
    store, _access, _owner = seller
    response = signed_in.post(_url(store), {**_form(), "photos": [_photo("a.png"), _photo("b.png", "teal")]})
    product = Product.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/{product.id}/"
    assert product.status == ProductStatus.ACTIVE and product.default_language == "en"
    assert (product.price_min, product.stock_total, product.currency) == (Decimal("19.99"), 25, "USD")
    variant = product.variants.get()
    assert (variant.origin_country, variant.sku) == ("US", "COTTON-T-SHIRT")
    images = list(product.images.order_by("position"))
    assert len(images) == 2 and all(i.thumbnail.name and i.width == 200 for i in images)
    assert product.translations.get().title == "Cotton T-shirt"
    live = signed_in.get(response["Location"])
    assert live.status_code == 200 and "Cotton T-shirt" in live.content.decode()


def test_a_chinese_title_is_saved_as_chinese_and_a_blank_stock_means_one(signed_in, seller):
    store, _access, _owner = seller
    signed_in.post(_url(store), _form(title="纯棉T恤", stock=""))
    product = Product.objects.get()
    assert product.default_language == "zh-hans" and product.translations.get().language == "zh-hans"
    assert product.stock_total == 1 and product.variants.get().sku == "ITEM"


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"price": ""}, "price"),
    ({"price": "abc"}, "price"),
    ({"price": "-3"}, "price"),
    ({"price": "1.999"}, "price"),
    ({"stock": "-1"}, "stock"),
    ({"stock": "many"}, "stock"),
    ({"category": ""}, "category"),
    ({"category": "999999"}, "category"),
    ({"option_0_name": "Size", "option_0_values": ""}, "option_0_values"),
    ({"option_0_name": "", "option_0_values": "S, M"}, "option_0_name"),
    ({"option_0_name": "Size", "option_0_values": "S", "option_1_name": "size", "option_1_values": "X"},
     "option_0_name"),
])
def test_every_bad_answer_is_shown_on_its_field_and_nothing_is_written(signed_in, seller, change, field):
    store, _access, _owner = seller
    response = signed_in.post(_url(store), {**_form(**change), "photos": [_photo()]})
    assert response.status_code == 200, response.get("Location")
    assert field in response.context["form"].errors, response.context["form"].errors
    assert response.context["photos_lost"] is True  # and the page asks for the photos again
    assert not Product.objects.exists() and not ProductImage.objects.exists() and not Variant.objects.exists()


def test_an_empty_form_names_every_missing_answer_at_once(signed_in, seller):
    store, _access, _owner = seller
    response = signed_in.post(_url(store), {"title": "", "price": "", "stock": "", "category": ""})
    assert set(response.context["form"].errors) == {"title", "price", "category"}
    assert not Product.objects.exists()


def test_a_category_with_subcategories_is_refused(signed_in, seller):
    store, _access, _owner = seller
    response = signed_in.post(_url(store), _form(category=str(_leaf("womens-tops"))))
    assert "category" in response.context["form"].errors and not Product.objects.exists()


def test_bad_uploads_are_refused_inline(signed_in, seller, settings):
    store, _access, _owner = seller
    text = SimpleUploadedFile("p.jpg", b"I am text", content_type="image/jpeg")
    response = signed_in.post(_url(store), {**_form(), "photos": [_photo(), text]})
    assert response.context["form"].errors["photos"] == ["Upload a JPEG, PNG, WebP or GIF image."]
    settings.MAX_IMAGE_UPLOAD_BYTES = 100
    big = signed_in.post(_url(store), {**_form(), "photos": [_photo()]})
    assert "larger than" in big.context["form"].errors["photos"][0]
    settings.MAX_IMAGE_UPLOAD_BYTES = 5 * 1024 * 1024
    many = signed_in.post(_url(store), {**_form(), "photos": [_photo(f"{n}.png") for n in range(11)]})
    assert many.context["form"].errors["photos"] == ["A product has at most 10 images."]
    assert not Product.objects.exists() and not ProductImage.objects.exists()


def test_a_failure_while_saving_the_photos_leaves_no_product(signed_in, seller):
    store, _access, _owner = seller
    with mock.patch.object(ProductImage, "save", side_effect=DomainError("x.broken", "Broken")):
        response = signed_in.post(_url(store), {**_form(), "photos": [_photo()]})
    assert response.status_code == 200 and "Broken" in response.content.decode()
    assert not Product.objects.exists() and not Variant.objects.exists()


def test_sizes_and_colours_make_one_variant_per_combination(signed_in, seller):
    store, _access, _owner = seller
    response = signed_in.post(_url(store), _form(option_0_name="Size", option_0_values="S, M, L, m",
                                                 option_1_name="Colour", option_1_values="Red，Blue"))
    product = Product.objects.get()
    assert response.status_code == 302 and product.option_names == ["Size", "Colour"]
    variants = list(product.variants.order_by("position"))
    assert [v.options for v in variants] == [{"Size": s, "Colour": c} for s in "SML" for c in ("Red", "Blue")]
    assert {v.price for v in variants} == {Decimal("19.99")} and {v.stock for v in variants} == {25}
    assert [v.sku for v in variants][:2] == ["COTTON-T-SHIRT-S-RED", "COTTON-T-SHIRT-S-BLUE"]
    assert {v.origin_country for v in variants} == {"US"}


def test_the_variants_table_follows_the_options_and_edits_apply_per_variant(signed_in, seller):
    store, _access, _owner = seller
    table = signed_in.get(_url(store, "variants/"), {"option_0_name": "Size", "option_0_values": "S, XL"},
                          HTTP_HX_REQUEST="true")
    html = table.content.decode()
    assert table.status_code == 200 and html.count('name="variant_key"') == 2 and "XL" in html
    keys = [r["key"] for r in table.context["rows"]]
    response = signed_in.post(_url(store), {
        **_form(option_0_name="Size", option_0_values="S, XL"), "variant_key": keys,
        "variant_price": ["", "24.50"], "variant_stock": ["3", ""], "variant_sku": ["", "TEE-XL"]})
    assert response.status_code == 302
    variants = {v.options["Size"]: v for v in Variant.objects.all()}
    assert (variants["S"].price, variants["S"].stock) == (Decimal("19.99"), 3)
    assert (variants["XL"].price, variants["XL"].stock, variants["XL"].sku) == (Decimal("24.50"), 25, "TEE-XL")


def test_without_javascript_the_variants_table_comes_from_a_preview_button(signed_in, seller):
    store, _access, _owner = seller
    page = signed_in.post(_url(store), {**_form(option_0_name="Colour", option_0_values="Red, Blue"), "preview": "1"})
    assert page.status_code == 200 and not Product.objects.exists()
    assert page.content.decode().count('name="variant_key"') == 2 and page.context["open_options"]
    assert page.context["form"].errors == {}


def test_a_bad_price_in_the_variants_table_is_shown_on_its_row(signed_in, seller):
    store, _access, _owner = seller
    key = '["XL"]'
    response = signed_in.post(_url(store), {**_form(option_0_name="Size", option_0_values="S, XL"),
                                            "variant_key": [key], "variant_price": ["-4"], "variant_stock": [""],
                                            "variant_sku": [""]})
    assert response.status_code == 200 and response.context["row_errors"] == {1: ["Price: A price cannot be negative."]}
    assert not Product.objects.exists()


def test_too_many_combinations_are_refused(signed_in, seller):
    store, _access, _owner = seller
    values = ", ".join(str(n) for n in range(11))
    response = signed_in.post(_url(store), _form(option_0_name="A", option_0_values=values,
                                                 option_1_name="B", option_1_values=values))
    assert response.status_code == 200 and "at most 100" in response.content.decode()
    assert not Product.objects.exists()


def test_made_up_skus_never_collide_with_the_stores_own(seller):
    store, access, _owner = seller
    make_product(access, sku_prefix="COTTON-T-SHIRT")  # takes COTTON-T-SHIRT-0
    Variant.objects.filter(store=store).update(sku="cotton-t-shirt")
    first = create_live_product(access=access, title="Cotton T-shirt", category="womens-t-shirts", price="5",
                                stock=1)
    second = create_live_product(access=access, title="Cotton T-shirt", category="womens-t-shirts", price="5",
                                 stock=1, options=[{"name": "Size", "values": "S, M"}],
                                 variants=[{"options": {"Size": "S"}, "sku": "COTTON-T-SHIRT-S"},
                                           {"options": {"Size": "M"}}])
    assert first.variants.get().sku == "COTTON-T-SHIRT-2"
    assert [v.sku for v in second.variants.order_by("position")] == ["COTTON-T-SHIRT-S", "COTTON-T-SHIRT-M"]
    skus = list(Variant.objects.filter(store=store).values_list("sku", flat=True))
    assert len({s.casefold() for s in skus}) == len(skus)


def test_a_made_up_sku_taken_meanwhile_is_made_again(seller):
    store, access, _owner = seller
    # Another product takes the made-up SKU between the check and the insert: the service makes a new one.
    real = Variant.objects.filter
    calls = {"n": 0}

    def stale_first_time(*args, **kwargs):
        queryset = real(*args, **kwargs)
        if kwargs.get("store") == store and not calls["n"]:
            calls["n"] += 1
            make_product(access, sku_prefix="GIFT")
            Variant.objects.filter(store=store, sku="GIFT-0").update(sku="GIFT-BOX")
            return real(pk__in=[])
        return queryset

    with mock.patch.object(Variant.objects, "filter", side_effect=stale_first_time):
        product = create_live_product(access=access, title="Gift box", category="womens-t-shirts", price="5",
                                      stock=1)
    assert product.variants.get().sku == "GIFT-BOX-2"


def test_made_up_skus_read_only_the_stores_skus_they_could_collide_with(seller):
    store, access, _owner = seller
    make_product(access, sku_prefix="UNRELATED", variants=3)
    make_product(access, sku_prefix="silk-scarf")  # takes silk-scarf-0, compared case-blind
    with CaptureQueriesContext(connection) as queries:
        product = create_live_product(access=access, title="Silk scarf", category="womens-t-shirts", price="5",
                                      stock=1, options=[{"name": "Colour", "values": "Red, 0"}])
    assert [v.sku for v in product.variants.order_by("position")] == ["SILK-SCARF-RED", "SILK-SCARF-0-2"]
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith("SELECT") and '"sku"' in q["sql"].split("FROM")[0]]
    assert reads and all("SILK-SCARF" in sql.upper() for sql in reads), reads


def test_a_typed_sku_already_taken_is_refused_at_once_on_its_row(seller):
    store, access, _owner = seller
    make_product(access, sku_prefix="MINE")  # takes MINE-0
    with (mock.patch.object(services, "create_product", wraps=services.create_product) as create,
          pytest.raises(DomainError) as refused):
        create_live_product(access=access, title="Tee", category="womens-t-shirts", price="5", stock=1,
                            options=[{"name": "Size", "values": "S, M"}],
                            variants=[{"options": {"Size": "S"}}, {"options": {"Size": "M"}, "sku": "MINE-0"}])
    assert refused.value.code == "catalog.sku_taken" and create.call_count == 1
    assert set(refused.value.fields) == {"variants.1.sku"}
    assert Variant.objects.filter(store=store).count() == 1


def test_a_typed_sku_taken_in_a_race_is_not_retried(seller):
    store, access, _owner = seller
    # The constraint, not the check, catches the race: the service asks which row lost and names it.
    make_product(access, sku_prefix="MINE")
    taken = {"variants.0.sku": ["This SKU is already used in your store."]}
    with (mock.patch.object(services, "_sku_conflicts", side_effect=[{}, taken]) as check,
          pytest.raises(DomainError) as refused):
        create_live_product(access=access, title="Tee", category="womens-t-shirts", price="5", stock=1,
                            variants=[{"options": {}, "sku": "MINE-0"}])
    assert refused.value.code == "catalog.sku_taken" and set(refused.value.fields) == {"variants.0.sku"}
    assert check.call_count == 2 and Variant.objects.filter(store=store).count() == 1


def test_only_members_who_may_edit_the_catalogue_reach_the_form(client, seller):
    store, access, _owner = seller
    outsider = UserFactory()
    client.force_login(outsider)
    for tail in ("", "variants/", "categories/?title=tee"):
        assert client.get(_url(store, tail)).status_code == 404
    assert client.post(_url(store), _form()).status_code == 404
    assert not Product.objects.exists()


def test_a_suspended_store_cannot_add_products(signed_in, seller):
    store, _access, _owner = seller
    suspend_store(store=store, reason="Checks", actor=UserFactory(is_staff=True))
    response = signed_in.post(_url(store), _form())
    assert response.status_code == 302 and not Product.objects.exists()


def test_a_suspended_store_is_told_why_by_the_service_before_the_form_is_shown(signed_in, seller):
    store, _access, _owner = seller
    suspend_store(store=store, reason="Checks", actor=UserFactory(is_staff=True))
    response = signed_in.get(_url(store), follow=True)
    assert response.redirect_chain[0] == (f"/seller/{store.slug}/", 302)
    assert "This store is suspended; its catalogue cannot change." in [str(m) for m in response.context["messages"]]


def test_the_title_field_is_the_forms_own_widget_and_asks_for_suggestions(signed_in, seller):
    store, _access, _owner = seller
    html = signed_in.get(_url(store)).content.decode()
    title = html[html.index('<input type="text" name="title"'):]
    title = title[:title.index(">") + 1]
    for attribute in ('maxlength="200"', 'autocomplete="off"', "autofocus", "required", 'id="id_title"',
                      f'hx-get="/seller/{store.slug}/products/add/categories/"', 'hx-target="#category-suggestions"',
                      'hx-trigger="input changed delay:400ms"', 'hx-sync="this:replace"'):
        assert attribute in title, (attribute, title)
    assert html.count('name="title"') == 1


def test_the_full_editor_still_works_and_suggests_the_stores_origin(signed_in, seller):
    store, _access, _owner = seller
    page = signed_in.get(f"/seller/{store.slug}/products/new/")
    assert page.status_code == 200 and 'placeholder="US"' in page.content.decode()


# --- category suggestions ---------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "slug"), [
    ("Cotton T-shirt", "womens-t-shirts"),
    ("iPhone 15 case", "phone-cases"),
    ("Wireless headphones", "headphones"),
    ("蓝牙耳机", "headphones"),
    ("手机壳 透明", "phone-cases"),
    ("Organic green tea 250g", "green-tea"),
])
def test_categories_are_suggested_from_the_title(title, slug):
    suggestions = suggest_categories(title)
    assert 1 <= len(suggestions) <= 3 and suggestions[0].category.slug == slug


def test_nothing_is_suggested_for_nothing():
    assert suggest_categories("") == [] and suggest_categories("zzqx") == []


def test_products_already_listed_vote_for_their_category(seller):
    _store, access, _owner = seller
    for _n in range(3):
        make_product(access, title="Zorblax gadget", category="power-banks")
    assert suggest_categories("zorblax")[0].category.slug == "power-banks"


def test_suggestions_arrive_as_buttons_that_pick_the_category(signed_in, seller, django_assert_max_num_queries):
    store, _access, _owner = seller
    with django_assert_max_num_queries(8):
        response = signed_in.get(_url(store, "categories/"), {"title": "wireless headphones"},
                                 HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'data-pick-category="{_leaf("headphones")}"' in html and "Audio" in html
    assert html.count("data-pick-category=") <= 3
    # Picking needs jishi.js, which unhides them; without it they would be buttons that do nothing.
    assert "<div data-category-picks hidden>" in html
    signed_in.cookies["jishi_language"] = "zh-hans"
    chinese = signed_in.get(_url(store, "categories/"), {"title": "耳机"})
    assert "耳机" in chinese.content.decode()


# --- rules ------------------------------------------------------------------------------------------

def test_option_values_and_combinations():
    assert clean_option_values("S, M,, m ; L、XL，XXL") == ["S", "M", "L", "XL", "XXL"]
    assert option_combinations([("Size", ["S", "M"]), ("Colour", ["Red"])]) == [
        {"Size": "S", "Colour": "Red"}, {"Size": "M", "Colour": "Red"}]
    assert option_combinations([]) == []
    with pytest.raises(ValueError):
        clean_option_values("x" * 41)


def test_the_quick_options_make_their_combinations_up_to_the_variant_limit(monkeypatch):
    axes, combinations = quick_combinations([{"name": "Size", "values": "S, M"}, {"name": "", "values": "x"},
                                             {"name": "Colour", "values": ""}])
    assert axes == [("Size", ["S", "M"])] and combinations == [{"Size": "S"}, {"Size": "M"}]
    assert quick_combinations([]) == ([], [])
    monkeypatch.setattr(rules, "MAX_VARIANTS", 3)
    with pytest.raises(Invalid, match="That makes 4 variants; a product has at most 3."):
        quick_combinations([{"name": "A", "values": "1, 2"}, {"name": "B", "values": "1, 2"}])


def test_sku_suggestions_are_readable_and_unique():
    assert suggest_skus("Café crème 250 g", [], taken=set()) == ["CAFE-CREME-250-G"]
    assert suggest_skus("绿茶", [], taken={"ITEM"}) == ["ITEM-2"]
    assert suggest_skus("Tee", [{"Size": "S"}, {"Size": "大"}], taken={"tee-s"}) == ["TEE-S-2", "TEE-2"]
    assert suggest_skus("Tee", [], taken=set(), count=2) == ["TEE-1", "TEE-2"]
    assert sku_stem("Café crème 250 g") == "CAFE-CREME-250-G" and sku_stem("绿茶") == "ITEM"
    made = suggest_skus("x" * 100, [{"a": "y"}, {"a": "大"}], taken=set())
    assert all(sku.startswith(sku_stem("x" * 100)) for sku in made)
    assert all(len(s) <= 64 for s in suggest_skus("x" * 100, [{"a": "y" * 40, "b": "z" * 40}], taken=set()))


def test_the_title_language_is_guessed_from_its_script():
    languages = {"en", "zh-hans"}
    assert guess_title_language("Silk scarf", languages=languages, fallback="zh-hans") == "en"
    assert guess_title_language("真丝 scarf", languages=languages, fallback="en") == "zh-hans"
    assert guess_title_language("", languages=languages, fallback="zh-hans") == "zh-hans"

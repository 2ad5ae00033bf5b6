"""A new seller's first minute: from "Open a store" on the home page to a live product, in two forms."""

import io
import json
import re
import time

from playwright.sync_api import expect

from jishi.catalog.models import Product, ProductStatus

EMAIL = "mei@example.com"
TYPED = {"email": EMAIL, "password": "lantern-river-42", "store name": "Mei's Kitchen",
         "title": "Cotton T-shirt", "price": "19.99", "stock": "25"}


def _png(tmp_path, colour: str):
    from PIL import Image

    path = tmp_path / f"{colour}.png"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_a_new_seller_goes_from_open_a_store_to_a_live_product_in_two_forms(page, form_factor, shot, tmp_path):
    photos = [_png(tmp_path, "teal"), _png(tmp_path, "orange")]
    submitted = []  # forms sent by the browser (a navigation), not the htmx helpers along the way
    page.on("request", lambda r: submitted.append(r.url) if r.method == "POST" and r.is_navigation_request() else None)
    started = time.monotonic()
    page.goto("/")
    page.get_by_role("link", name="Open a store").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open your store")
    # Country and currency come from the browser's language (en-US): nothing to type there.
    expect(page.get_by_label("Country")).to_have_value("US")
    expect(page.get_by_label("Currency you price in")).to_have_value("USD")

    page.get_by_label("Email").fill(TYPED["email"])
    page.get_by_label("Password").fill(TYPED["password"])
    page.get_by_role("button", name="Show").click()  # the password can be checked by eye
    expect(page.get_by_label("Password")).to_have_attribute("type", "text")
    page.get_by_label("Store name").fill(TYPED["store name"])
    shot("open-store")
    page.get_by_role("button", name="Open my store").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your first product")
    expect(page.locator("#messages")).to_contain_text("Your store is live")
    page.get_by_label("What are you selling?").fill(TYPED["title"])
    page.get_by_label("Photos").set_input_files(photos)
    page.get_by_label("Price (USD)").fill(TYPED["price"])
    page.get_by_label("How many do you have?").fill(TYPED["stock"])
    # The category is one click on a suggestion made from the title.
    suggestion = page.locator("[data-pick-category]", has_text="T-shirts").first
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator("#id_category")).not_to_have_value("")
    shot("first-product")
    page.get_by_role("button", name="Put it on sale").click()

    expect(page).to_have_url(re.compile(r"/p/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TYPED["title"])
    expect(page.locator(".gallery-main")).to_have_js_property("complete", True)
    seconds = time.monotonic() - started
    shot("live-product")

    product = Product.objects.get()
    assert product.status == ProductStatus.ACTIVE and product.images.count() == 2
    assert product.category.slug in ("womens-t-shirts", "mens-t-shirts")
    variant = product.variants.get()
    assert (variant.origin_country, str(variant.price), variant.stock) == ("US", "19.990", 25)
    assert len(submitted) == 2, submitted
    print(json.dumps({"journey": "first_minute", "form_factor": form_factor, "forms": len(submitted),
                      "fields_typed": len(TYPED), "characters_typed": sum(len(v) for v in TYPED.values()),
                      "files_picked": len(photos), "clicks_to_choose": 1, "seconds": round(seconds, 2)}))


def test_the_one_form_shows_its_errors_inline_and_keeps_the_answers(page, shot):
    page.goto("/seller/open/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_label("Store name").fill("Mei's Kitchen")
    page.get_by_role("button", name="Open my store").click()
    expect(page.locator(".field.has-error")).to_have_count(2)
    expect(page.get_by_label("Store name")).to_have_value("Mei's Kitchen")
    shot("open-store-errors")


def test_sizes_become_variants_with_a_price_of_their_own(page, log_in, shot):
    from tests.factories import UserFactory, open_store_for

    owner = UserFactory(email="ann@example.com")
    store, _access = open_store_for(owner, name="Austin Tees", country="US", currency_code="USD")
    log_in(page, owner.email, next=f"/seller/{store.slug}/products/add/")
    page.get_by_label("What are you selling?").fill("Linen shirt")
    page.get_by_label("Price (USD)").fill("30")
    page.locator("#id_category").select_option(label="Shirts")
    page.get_by_text("Add sizes or colours").click()
    page.get_by_label("Option 1:", exact=True).fill("Size")
    page.get_by_label("Values of option 1").fill("S, M, XL")
    rows = page.locator(".quick-variants-table tbody tr")
    expect(rows).to_have_count(3)
    rows.nth(2).locator("input[name=variant_price]").fill("34")
    page.get_by_label("Values of option 1").fill("S, M, XL, XXL")  # the table follows, keeping what was typed
    expect(rows).to_have_count(4)
    expect(rows.nth(2).locator("input[name=variant_price]")).to_have_value("34")
    shot("variants")
    page.get_by_role("button", name="Put it on sale").click()
    expect(page).to_have_url(re.compile(r"/p/\d+/$"))
    product = Product.objects.get()
    assert {v.options["Size"]: str(v.price) for v in product.variants.all()} == {
        "S": "30.000", "M": "30.000", "XL": "34.000", "XXL": "30.000"}

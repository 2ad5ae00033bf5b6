"""A signed-in shopper fills one cart from two stores, checks out once and pays on the sandbox gateway."""

import re

from playwright.sync_api import expect

from tests.factories import AddressFactory


def test_a_shopper_buys_from_two_stores_in_one_checkout(page, market, log_in, shot):
    AddressFactory(user=market.shopper, name="Sam Shopper", line1="1 Rue de Rivoli", city="Paris",
                   postal_code="75001", country="FR")
    log_in(page, market.shopper.email, next=f"/p/{market.boot.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leather Boot")

    # Picking a size swaps the buy box in place; the cart count in the header follows each addition.
    page.locator("label.option-pill", has_text="S2").click()
    expect(page.locator("#variant-panel")).to_contain_text("BOOT-2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-added")).to_contain_text("Added to your cart.")
    expect(page.locator("#header-cart")).to_contain_text("Cart (1)")

    page.goto(f"/p/{market.scarf.id}/")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#header-cart")).to_contain_text("Cart (3)")

    page.locator("#header-cart").click()
    expect(page.get_by_role("heading", name="Austin Boots")).to_be_visible()
    expect(page.get_by_role("heading", name="Hangzhou Silk")).to_be_visible()
    shot("cart")
    page.get_by_role("link", name="Check out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    expect(page.locator(".checkout-store")).to_have_count(2)
    expect(page.locator(".checkout-address")).to_contain_text("75001 PARIS")
    shot("checkout")
    page.get_by_role("button", name="Place order").click()

    expect(page.locator("#messages")).to_contain_text("Your order is placed.")
    expect(page.locator("#header-cart")).to_contain_text("Cart (0)")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry").fill("12/34")
    page.get_by_label("CVC").fill("123")
    shot("payment")
    page.get_by_role("button", name=re.compile("^Approve and pay")).click()
    expect(page.get_by_role("heading", name="Your order is paid")).to_be_visible()
    expect(page.locator(".badge", has_text="Paid")).to_have_count(2)
    shot("paid")

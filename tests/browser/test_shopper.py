"""A shopper browses in their own language and currency, with the controls every page shows."""

import re

from playwright.sync_api import expect


def test_a_shopper_switches_to_chinese_and_euros_and_opens_a_product(page, market, shot):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option("zh-hans")  # the page submits the choice by itself
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label("币种").select_option("EUR")
    expect(page.get_by_label("币种")).to_have_value("EUR")

    page.locator("main").get_by_role("link", name="女装", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("女装")
    card = page.locator("a.product-card", has_text="Silk Scarf 中文")
    expect(card.locator(".price-main")).to_have_text("≈ €12.50")  # 100 CNY at 8 CNY to the euro
    expect(page.locator("a.product-card", has_text="Leather Boot")).to_have_count(0)  # boots are not women's clothing
    shot("category")

    card.click()
    expect(page).to_have_url(re.compile(rf"/p/{market.scarf.id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Silk Scarf 中文")
    buy_box = page.locator(".buy-box")
    expect(buy_box.locator(".price-main").first).to_have_text("≈ €12.50")
    expect(buy_box.locator(".price-own").first).to_contain_text("100.00")
    expect(buy_box).to_contain_text("买家保障")
    expect(page.get_by_role("button", name="加入购物车")).to_be_visible()
    expect(page.locator(".gallery-main")).to_have_js_property("complete", True)
    shot("product")

    # Both choices stay with the shopper on the next page.
    page.get_by_role("link", name="进店逛逛").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".product-card .price-main").first).to_contain_text("€")

"""The operator suspends a store from the admin, and its products leave the storefront at once."""

from playwright.sync_api import expect


def test_the_operator_suspends_a_store_and_its_product_page_answers_404(page, new_page, market, log_in,
                                                                        browser_errors, shot):
    shopper = page
    shopper.goto(f"/p/{market.scarf.id}/")
    expect(shopper.get_by_role("heading", level=1)).to_have_text("Silk Scarf")

    operator = new_page()
    log_in(operator, market.operator.email)
    operator.get_by_role("link", name="Marketplace admin").click()
    operator.locator("#stores-store").get_by_role("link", name="Stores").click()
    operator.locator("#result_list tr", has_text="Hangzhou Silk").locator("input.action-select").check()
    operator.locator("select[name=action]").select_option(label="Suspend selected stores")
    operator.locator("#changelist-form button[name=index]").click()
    operator.get_by_label("Reason shown to the store's members").fill("Counterfeit goods reported by buyers.")
    shot("admin-reason", operator)
    operator.get_by_role("button", name="Suspend").click()
    expect(operator.locator(".messagelist")).to_contain_text("Suspended; their products are hidden now.")
    expect(operator.locator("#result_list tr", has_text="Hangzhou Silk")).to_contain_text("Suspended")
    shot("admin-suspended", operator)

    # The shopper who had the product open reloads it: gone, with a page that says so.
    browser_errors.allow("status of 404")
    assert shopper.reload().status == 404
    expect(shopper.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    shot("suspended-product")
    assert shopper.goto(f"/s/{market.cn_store.slug}/").status == 404
    # Searching and browsing no longer find it, while the other store's products stay.
    shopper.goto("/products/")
    expect(shopper.locator("a.product-card", has_text="Leather Boot")).to_have_count(1)
    expect(shopper.locator("a.product-card", has_text="Silk Scarf")).to_have_count(0)
    expect(shopper.locator("a.product-card", has_text="Celadon Tea Cup")).to_have_count(0)

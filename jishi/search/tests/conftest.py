"""A small bilingual catalogue built through the services, as sellers build theirs."""

import pytest

from tests.factories import open_store_for


def add_product(access, *, en: str | None = None, zh: str | None = None, category: str = "green-tea",
                price: str = "10.00", stock: int = 5, status: str = "active", options: dict | None = None,
                description: str = ""):
    from jishi.catalog.models import Product
    from jishi.catalog.services import create_product

    translations = []
    if en:
        translations.append({"language": "en", "title": en, "description": description})
    if zh:
        translations.append({"language": "zh-hans", "title": zh, "description": ""})
    number = Product.objects.count() + 1
    variant = {"sku": f"S{number}", "price": price, "stock": stock, **({"options": options} if options else {})}
    return create_product(access=access, category=category, status=status, translations=translations,
                          variants=[variant], option_names=list(options or {}),
                          default_language="en" if en else "zh-hans")


@pytest.fixture
def catalogue(db):
    tea_store, tea = open_store_for(name="West Lake Leaves", country="CN", currency_code="CNY")
    gadget_store, gadgets = open_store_for(name="Austin Gadgets", country="US", currency_code="USD")
    return {
        "tea_store": tea_store, "tea": tea, "gadget_store": gadget_store, "gadgets": gadgets,
        "green_tea": add_product(tea, en="Green Tea", zh="西湖龙井绿茶", price="80.00"),
        "gift_box": add_product(tea, en="Green Tea Gift Box with Green Tea Cups and a Green Tea Scoop",
                                category="teaware", price="300.00"),
        "oolong": add_product(tea, en="Oolong Tea", zh="乌龙茶", category="oolong-tea", price="60.00", stock=0),
        "case_zh": add_product(gadgets, zh="透明防摔手机壳", category="phone-cases", price="9.00"),
        "case_en": add_product(gadgets, en="Clear Silicone Cover for Smartphones", category="phone-cases",
                               price="12.00"),
        "headphones": add_product(gadgets, en="Wireless Bluetooth Headphones", category="headphones",
                                  price="59.00", options={"colour": "Midnight Navy"},
                                  description="Forty hours of music on one charge."),
        "archived": add_product(tea, en="Green Tea Archived Edition", status="archived"),
    }

"""The demo marketplace has the promised shape (thousands on sale, small and large stores, prices a shopper
would believe), and `--if-empty` leaves a running marketplace alone."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum

from jishi.accounts.models import User
from jishi.catalog.models import Category, Product, ProductTranslation, Variant
from jishi.catalog.selectors import get_category_tree
from jishi.demo.prices import band, leaf_price
from jishi.disputes.models import RefundRequest
from jishi.money.rules import minor_units
from jishi.money.selectors import get_rate_table
from jishi.orders.models import Order, OrderEvent, OrderGroup, OrderStatus
from jishi.stores.models import Store

pytestmark = pytest.mark.django_db


def test_default_categories_are_a_three_level_bilingual_tree():
    tree = get_category_tree()
    leaves = [c for c in tree.by_id.values() if not tree.children.get(c.id)]
    assert len(leaves) >= 90 and len(tree.roots) >= 12
    assert all(len(tree.ancestors(leaf)) == 2 for leaf in leaves)
    assert all(c.names.get("en") and c.names.get("zh-hans") for c in Category.objects.all())


def test_demo_builds_a_believable_marketplace(capsys):
    call_command("demo", products=400, no_images=True)
    out = capsys.readouterr().out
    assert "shopper@demo.jishi.test" in out and "jishi-demo" in out
    assert Store.objects.count() >= 40
    assert Store.objects.values("country").distinct().count() >= 8
    assert Store.objects.values("base_currency").distinct().count() >= 8
    assert Product.objects.count() == 400
    assert Product.objects.filter(status="active").count() >= 380
    assert Product.objects.values("category").distinct().count() >= 30
    assert not Product.objects.annotate(n=Count("variants")).filter(n=0).exists()
    assert ProductTranslation.objects.filter(language="zh-hans").count() == 400
    for variant in Variant.objects.all()[:300]:
        assert -variant.price.normalize().as_tuple().exponent <= max(minor_units(variant.currency), 0) or \
            variant.price == variant.price.quantize(Decimal(1))
    for product in Product.objects.annotate(low=Min("variants__price"), high=Max("variants__price"),
                                            stock=Sum("variants__stock"))[:200]:
        assert (product.price_min, product.price_max, product.stock_total) == (product.low, product.high, product.stock)
        assert product.sort_price > 0
    assert User.objects.filter(email="operator@demo.jishi.test", is_staff=True).exists()


def test_demo_has_a_history_of_orders_in_every_state():
    call_command("demo", products=300, no_images=True)
    # Delivered orders complete at once, so no order rests in "delivered"; its event is on the timeline.
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values) - {OrderStatus.DELIVERED}
    assert OrderEvent.objects.filter(to_status=OrderStatus.DELIVERED).exists()
    seller_store = Store.objects.get(memberships__user__email="seller@demo.jishi.test", memberships__role="owner")
    assert Order.objects.filter(store=seller_store).count() >= 5
    assert Order.objects.filter(buyer__email="shopper@demo.jishi.test").exists()
    assert OrderGroup.objects.filter(orders__isnull=False).annotate(n=Count("orders")).filter(n__gt=1).exists()
    # Refund requests waiting for the seller, turned down, with the marketplace, and paid out.
    assert {"open", "rejected", "escalated", "refunded"} <= set(RefundRequest.objects.values_list("status", flat=True))
    assert RefundRequest.objects.filter(store=seller_store, status="open").exists()
    assert RefundRequest.objects.filter(status="refunded", goods_return=True, return_confirmed_at__isnull=False).exists()
    assert RefundRequest.objects.filter(decision="for_buyer").exists()


def test_if_empty_leaves_an_existing_marketplace_alone(capsys):
    call_command("demo", products=50, no_images=True)
    call_command("demo", products=50, no_images=True, if_empty=True)
    assert Product.objects.count() == 50


def _usd(amount, currency, per_eur) -> float:
    in_eur = Decimal(amount) / (per_eur[currency] if currency != "EUR" else Decimal(1))
    return float(in_eur * per_eur["USD"])


# Independent of the demo's own table: what nobody would believe, in US dollars (lowest, highest).
SENSIBLE = {"phone-cases": (1, 50), "screen-protectors": (1, 30), "phone-chargers": (2, 60), "pens": (0.5, 40),
            "laptops": (200, 4500), "smartphones": (60, 3000), "monitors": (60, 1200), "bicycles": (120, 2500),
            "seat-covers": (8, 200), "mens-t-shirts": (3, 70), "green-tea": (3, 150), "sweets": (1, 40),
            "robot-vacuums": (80, 1000), "luggage": (35, 600), "rings": (3, 300)}


def test_the_default_demo_has_thousands_on_sale_stores_small_and_large_and_believable_prices(capsys):
    call_command("demo", no_images=True, no_search_index=True)
    statuses = dict(Product.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["active"] >= 5000 and statuses["draft"] > 0 and statuses["archived"] > 0
    sizes = sorted(Store.objects.annotate(n=Count("products")).values_list("n", flat=True))
    assert sizes[0] == 3 and sizes[-1] >= 500 and sizes[len(sizes) // 2] < 50  # a heavy tail

    per_eur = get_rate_table().per_eur
    tree = get_category_tree()
    prices: dict[str, list[float]] = {}
    for slug, price, currency in Variant.objects.values_list("product__category__slug", "price", "currency"):
        prices.setdefault(slug, []).append(_usd(price, currency, per_eur))
    leaves = {c.slug for c in tree.by_id.values() if not tree.children.get(c.id)}
    assert set(prices) == leaves  # every leaf sells something
    for slug, usd in prices.items():
        low, high = band(*leaf_price(slug, {}))
        # Shops round by up to ~15 %; more storage or a bigger size costs up to 40 % (and 10 % more again).
        assert low / 1.16 <= min(usd) and max(usd) <= high * 1.4 * 1.1 * 1.16, slug
    for slug, (lowest, highest) in SENSIBLE.items():
        assert lowest <= min(prices[slug]) and max(prices[slug]) <= highest, (slug, min(prices[slug]),
                                                                              max(prices[slug]))
    # Shops in yen and won write whole units; in dollars, euros and pounds prices end in .99 or .49.
    for price, currency in Variant.objects.values_list("price", "currency"):
        if currency in ("JPY", "KRW"):
            assert price == price.to_integral_value()
        if currency in ("USD", "EUR", "GBP", "AUD", "CAD", "SGD"):
            assert f"{price:.2f}"[-3:] in (".99", ".49") or (price >= 1000 and price % 10 == 9), price

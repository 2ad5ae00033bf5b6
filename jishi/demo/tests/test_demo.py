"""The demo marketplace has the promised shape, and `--if-empty` leaves a running marketplace alone."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum

from jishi.accounts.models import User
from jishi.catalog.models import Category, Product, ProductTranslation, Variant
from jishi.catalog.selectors import get_category_tree
from jishi.money.rules import minor_units
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


def test_if_empty_leaves_an_existing_marketplace_alone(capsys):
    call_command("demo", products=50, no_images=True)
    call_command("demo", products=50, no_images=True, if_empty=True)
    assert Product.objects.count() == 50

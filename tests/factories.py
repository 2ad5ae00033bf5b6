"""factory-boy factories shared by every test module."""

import factory

from jishi.accounts.models import Address, User
from jishi.catalog.models import Product

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    name = factory.Faker("name")
    line1 = "1 Main Street"
    city = "Hangzhou"
    postal_code = "310000"
    country = "CN"


# --- building through the services, as users do ------------------------------------------------------

def open_store_for(user=None, *, name: str = "Test Store", country: str = "CN", currency_code: str = "CNY", **kwargs):
    """A live store opened by ``user`` (made when omitted) and the owner's StoreAccess."""
    from jishi.stores.selectors import access_store
    from jishi.stores.services import open_store

    user = user or UserFactory()
    store = open_store(owner=user, name=name, country=country, base_currency=currency_code, **kwargs)
    return store, access_store(user=user, slug=store.slug)


def leaf_category(slug: str = "womens-t-shirts"):
    from jishi.catalog.selectors import get_category_tree

    return get_category_tree().by_slug(slug)


def make_product(access, *, title: str = "Cotton T-shirt", price: str = "99.00", stock: int = 10,
                 variants: int = 1, status: str = "active", category: str = "womens-t-shirts", sku_prefix: str = ""):
    """A product created through ``catalog.services.create_product`` (summaries and all)."""
    from jishi.catalog.services import create_product

    prefix = sku_prefix or f"P{Product.objects.count() + 1}-{access.store.id}"
    option_names = ["size"] if variants > 1 else []
    rows = [{"sku": f"{prefix}-{n}", "price": price, "stock": stock,
             **({"options": {"size": f"S{n}"}} if variants > 1 else {})} for n in range(variants)]
    return create_product(access=access, category=category, status=status, option_names=option_names,
                          translations=[{"language": "en", "title": title, "description": "Soft and sturdy."},
                                        {"language": "zh-hans", "title": f"{title} 中文", "description": "柔软"}],
                          variants=rows)


def bearer(user) -> dict:
    from jishi.accounts.services import issue_token

    _token, plain = issue_token(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def buy_now(buyer, variant, quantity: int = 1, *, charge_currency: str = "USD", address=None):
    """Place an order group for ``buyer`` through checkout, "buy now" style; returns the group."""
    from jishi.checkout.services import place_order_group

    address = address or AddressFactory(user=buyer)
    return place_order_group(buyer=buyer, charge_currency=charge_currency, address_id=address.id,
                             lines=[{"variant_id": variant.id, "quantity": quantity}])


def store_refund(order, amount, *, reason: str = "Refunded by the store"):
    """A store's own refund of ``amount`` (Money) through the refund engine, its after-commit work run."""
    from django.test import TestCase

    from jishi.orders.rules import STORE
    from jishi.payments.refunds import refund_order

    with TestCase.captureOnCommitCallbacks(execute=True):
        return refund_order(order=order, amount=amount, reason=reason, by=STORE)


def member_of(store, role):
    """A new user who is a member of ``store`` with ``role``."""
    from jishi.stores.models import Membership

    user = UserFactory()
    Membership.objects.create(store=store, user=user, role=role)
    return user

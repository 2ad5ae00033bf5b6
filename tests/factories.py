"""factory-boy factories shared by every test module."""

from decimal import Decimal

import factory

from jishi.accounts.models import Address, User
from jishi.catalog.models import Category, Product, ProductStatus, ProductTranslation, Variant
from jishi.money.models import Currency
from jishi.stores.models import Membership, Role, Store

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


def currency(code: str) -> Currency:
    from jishi.money.services import ensure_currency

    return ensure_currency(code)


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    slug = factory.Sequence(lambda n: f"store-{n}")
    name = factory.Sequence(lambda n: f"Store {n}")
    country = "CN"
    base_currency = factory.LazyFunction(lambda: currency("CNY"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    store = factory.SubFactory(StoreFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    names = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title(), "zh-hans": f"类目{o.slug}"})


class ProductFactory(factory.django.DjangoModelFactory):
    """An active product with one translation and one variant, summaries filled in."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    category = factory.SubFactory(CategoryFactory)
    status = ProductStatus.ACTIVE
    currency = factory.LazyAttribute(lambda o: o.store.base_currency_id)
    price_min = Decimal("10.00")
    price_max = Decimal("10.00")
    sort_price = Decimal("1.40")
    stock_total = 5

    @factory.post_generation
    def translations(obj, create, extracted, **kwargs):
        if create:
            ProductTranslation.objects.create(product=obj, language="en", title=extracted or f"Product {obj.pk}",
                                              description="A fine thing.")

    @factory.post_generation
    def variants(obj, create, extracted, **kwargs):
        if create and extracted is None:
            Variant.objects.create(product=obj, store=obj.store, sku=f"SKU-{obj.pk}", price=obj.price_min,
                                   currency=obj.currency, stock=obj.stock_total)

"""Build a believable demo marketplace with bulk inserts: stores in many countries and currencies,
products with variants, bilingual titles and shared generated pictures.

Rows are written in batches inside one transaction per table, so 100,000 products take minutes, not
hours, on SQLite. The catalogue summaries (price range, stock, sort price) are computed here from the
variants the generator makes, exactly as ``catalog.services.refresh_summary`` would.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from PIL import Image, ImageDraw, ImageFont

from jishi.accounts.models import User
from jishi.catalog.models import Product, ProductImage, ProductStatus, ProductTranslation, Variant
from jishi.catalog.selectors import get_category_tree
from jishi.core import clock
from jishi.demo.orders import generate_order_history
from jishi.demo.vocabulary import (
    ADJECTIVES,
    DESCRIPTIONS,
    MARKETS,
    PROFILES,
    ROOT_PROFILES,
    STORE_WORDS,
)
from jishi.money.rules import Money, minor_units
from jishi.money.selectors import get_rate_table
from jishi.search.services import rebuild_index
from jishi.stores.models import Membership, Role, Store

DEMO_PASSWORD = "jishi-demo"  # noqa: S105  (published demo logins, documented in the README)
SHOPPER, SELLER, OPERATOR = "shopper@demo.jishi.test", "seller@demo.jishi.test", "operator@demo.jishi.test"
BATCH = 2000
PICTURES = 60


@dataclass
class Report:
    stores: int
    products: int
    variants: int
    seconds: float


def singular(name: str) -> str:
    word = name.split(" & ")[0]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _price(rng: random.Random, usd_range: tuple[int, int], currency: str, per_eur: dict) -> Decimal:
    usd = Decimal(rng.uniform(*usd_range)).quantize(Decimal("0.01"))
    local = usd / per_eur["USD"] * (per_eur.get(currency, Decimal(1)) if currency != "EUR" else Decimal(1))
    units = minor_units(currency)
    if units == 0:
        step = Decimal(100) if local > 5000 else Decimal(10) if local > 500 else Decimal(1)
        return max(step, (local / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)
    # Shop prices end in .99 or .49 like real ones.
    whole = local.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(Decimal("0.99"), whole - Decimal("0.01") if rng.random() < 0.7 else whole - Decimal("0.51"))


def _pictures(rng: random.Random) -> list[tuple[str, str]]:
    """Draw a set of simple product pictures once; many products share them."""
    palette = ["#e4572e", "#29335c", "#f3a712", "#669bbc", "#a8c686", "#8e44ad", "#2a9d8f", "#e76f51", "#264653"]
    made = []
    for index in range(PICTURES):
        background, accent = rng.sample(palette, 2)
        image = Image.new("RGB", (480, 480), background)
        draw = ImageDraw.Draw(image)
        shape = index % 3
        if shape == 0:
            draw.rounded_rectangle((110, 120, 370, 380), radius=36, fill=accent)
        elif shape == 1:
            draw.ellipse((100, 100, 380, 380), fill=accent)
        else:
            draw.polygon([(240, 90), (390, 380), (90, 380)], fill=accent)
        draw.ellipse((200, 200, 280, 280), fill="#ffffff")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        path = default_storage.save(f"demo/product-{index}.jpg", ContentFile(out.getvalue()))
        thumb = image.resize((240, 240))
        out = io.BytesIO()
        thumb.save(out, "JPEG", quality=78)
        thumb_path = default_storage.save(f"demo/product-{index}-thumb.jpg", ContentFile(out.getvalue()))
        made.append((path, thumb_path))
    return made


def _store_images(rng: random.Random, stores: list[Store]) -> None:
    """A logo with the store's initial for every store, and one of a few banners."""
    palette = ["#e4572e", "#29335c", "#f3a712", "#669bbc", "#2a9d8f", "#8e44ad", "#264653", "#e76f51"]
    font = ImageFont.load_default(size=110)
    banners = []
    for index in range(6):
        first, second = rng.sample(palette, 2)
        banner = Image.new("RGB", (1200, 300), first)
        draw = ImageDraw.Draw(banner)
        for step in range(8):
            x = rng.randint(0, 1200)
            draw.ellipse((x - 160, 150 - 160 + step * 8, x + 160, 150 + 160), fill=second if step % 2 else first)
        out = io.BytesIO()
        banner.save(out, "JPEG", quality=78)
        banners.append(default_storage.save(f"demo/banner-{index}.jpg", ContentFile(out.getvalue())))
    for index, store in enumerate(stores):
        logo = Image.new("RGB", (200, 200), palette[index % len(palette)])
        draw = ImageDraw.Draw(logo)
        initial = next((ch for ch in store.slug if ch.isalpha()), "J").upper()
        draw.text((100, 104), initial, fill="#ffffff", font=font, anchor="mm")
        out = io.BytesIO()
        logo.save(out, "PNG", optimize=True)
        store.logo = default_storage.save(f"demo/logo-{store.slug}.png", ContentFile(out.getvalue()))
        store.banner = banners[index % len(banners)]
    Store.objects.bulk_update(stores, ["logo", "banner"], batch_size=BATCH)


def _users(count: int) -> tuple[list[User], dict[str, User]]:
    password = make_password(DEMO_PASSWORD)
    now = clock.now()
    specials = [User(email=SHOPPER, name="Lin Xiaomei", password=password, date_joined=now, country="CN",
                     preferred_language="zh-hans", preferred_currency="CNY"),
                User(email=SELLER, name="Alex Chen", password=password, date_joined=now, country="US"),
                User(email=OPERATOR, name="Operator", password=password, date_joined=now, is_staff=True,
                     is_superuser=True)]
    owners = [User(email=f"owner{n}@demo.jishi.test", name=f"Store owner {n}", password=password, date_joined=now)
              for n in range(1, count + 1)]
    created = User.objects.bulk_create(specials + owners, batch_size=BATCH)
    return created[3:], {u.email: u for u in created[:3]}


def _shipping_rate(currency: str, per_eur: dict) -> Decimal:
    """About US$6 in the store's currency, rounded the way a store would write it."""
    local = Decimal(6) / per_eur["USD"] * (per_eur.get(currency, Decimal(1)) if currency != "EUR" else Decimal(1))
    step = Decimal(100) if local > 1000 else Decimal(1)
    return (local / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _stores(rng: random.Random, owners: list[User], special: dict[str, User], per_eur: dict) -> list[Store]:
    now = clock.now()
    stores = []
    for index in range(len(owners)):
        country, currency, cities = MARKETS[index % len(MARKETS)]
        city_en, city_zh = cities[(index // len(MARKETS)) % len(cities)]
        word_en, word_zh = STORE_WORDS[(index * 7) % len(STORE_WORDS)]
        name = f"{city_zh}{word_zh} {city_en} {word_en}" if country == "CN" else f"{city_en} {word_en}"
        slug = f"{city_en}-{word_en}-{index + 1}".lower().replace(" ", "-").replace("ã", "a")
        stores.append(Store(slug=slug, name=name, country=country, base_currency_id=currency,
                            shipping_rate=_shipping_rate(currency, per_eur),
                            description=f"{name}: independent store from {city_en}. 来自{city_zh}的独立店铺。",
                            is_featured=index < 8, created_at=now - dt.timedelta(days=rng.randint(100, 900))))
    stores = Store.objects.bulk_create(stores, batch_size=BATCH)
    memberships = [Membership(store=s, user=o, role=Role.OWNER) for s, o in zip(stores, owners, strict=True)]
    # The demo seller owns the first store outright and manages the second.
    memberships[0] = Membership(store=stores[0], user=special[SELLER], role=Role.OWNER)
    memberships.append(Membership(store=stores[1], user=special[SELLER], role=Role.MANAGER))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return stores


def _option_grid(rng: random.Random, axes: dict[str, list[str]]) -> tuple[list[str], list[dict]]:
    if rng.random() < 0.25:
        return [], [{}]
    names = list(axes)[: rng.choice([1, len(axes)])]
    combos = [{}]
    for name in names:
        values = rng.sample(axes[name], k=min(len(axes[name]), rng.randint(1, 3)))
        combos = [{**c, name: v} for c in combos for v in values]
    return names, combos[:6]


def generate(*, products: int, seed: int = 42, images: bool = True, search_index: bool = True, stdout=None) -> Report:
    started = time.monotonic()
    rng = random.Random(seed)
    say = stdout.write if stdout else (lambda _text: None)
    tree = get_category_tree()
    leaves = [c for c in tree.by_id.values() if not tree.children.get(c.id)]
    root_of = {leaf.id: (tree.ancestors(leaf) or [leaf])[0] for leaf in leaves}
    table = get_rate_table()
    per_eur = table.per_eur
    platform = settings.PLATFORM_CURRENCY
    store_count = max(40, products // 2500)
    _roomy_cache()

    with transaction.atomic():
        owners, special = _users(store_count)
        stores = _stores(rng, owners, special, per_eur)
    say(f"  {len(stores)} stores in {len({s.country for s in stores})} countries\n")
    pictures = _pictures(rng) if images else []
    if images:
        _store_images(rng, stores)

    now = clock.now()
    factor = {code: table.convert(Money(1_000_000, code), platform).amount / 1_000_000
              for code in {s.base_currency_id for s in stores}}
    made_products = made_variants = 0
    for start in range(0, products, BATCH):
        size = min(BATCH, products - start)
        rows, details = [], []
        for offset in range(size):
            number = start + offset
            store = stores[rng.randrange(len(stores))]
            leaf = leaves[number % len(leaves)]
            profile = PROFILES[ROOT_PROFILES.get(root_of[leaf.id].slug, "general")]
            adjective, modifier = rng.choice(ADJECTIVES), rng.choice(profile["modifiers"])
            noun_en, noun_zh = singular(leaf.names["en"]), leaf.names.get("zh-hans", leaf.names["en"])
            title_en = f"{adjective[0]} {modifier[0]} {noun_en}"
            title_zh = f"{adjective[1]}{modifier[1]}{noun_zh}"
            axes, combos = _option_grid(rng, profile["axes"])
            base = _price(rng, profile["usd"], store.base_currency_id, per_eur)
            variants = []
            for index, options in enumerate(combos):
                bump = Decimal(1 + 0.08 * index)
                price = Money(base * bump, store.base_currency_id).amount if index else base
                variants.append(Variant(
                    store=store, sku=f"D{number + 1:06d}-{index + 1}", options=options, price=price,
                    currency=store.base_currency_id, stock=0 if rng.random() < 0.08 else rng.randint(1, 500),
                    weight_grams=rng.randint(*profile["grams"]), position=index,
                    hs_code=f"{profile['hs']}{rng.randint(10, 99)}", origin_country=store.country,
                    created_at=now, updated_at=now))
            prices = [v.price for v in variants]
            status = ProductStatus.ACTIVE if rng.random() > 0.02 else rng.choice([ProductStatus.DRAFT,
                                                                               ProductStatus.ARCHIVED])
            created = now - dt.timedelta(minutes=rng.randint(0, 90 * 24 * 60))
            rows.append(Product(
                store=store, category_id=leaf.id, category_root_id=root_of[leaf.id].id, status=status, default_language="zh-hans" if store.country == "CN"
                else "en", option_names=axes, currency=store.base_currency_id, price_min=min(prices),
                price_max=max(prices), sort_price=(min(prices) * factor[store.base_currency_id]).quantize(
                    Decimal("0.0001")), stock_total=sum(v.stock for v in variants), created_at=created,
                updated_at=created))
            city = next(c for m in MARKETS if m[0] == store.country for c in m[2])
            details.append((variants, title_en, title_zh, store, city))
        with transaction.atomic():
            Product.objects.bulk_create(rows, batch_size=BATCH)
            translations, variants, images_rows = [], [], []
            for product, (product_variants, title_en, title_zh, store, city) in zip(rows, details,
                                                                                         strict=True):
                context = {"title": title_en, "store": store.name, "city": city[0], "store_zh": store.name,
                           "city_zh": city[1]}
                translations.append(ProductTranslation(product=product, language="en", title=title_en,
                                                       description=DESCRIPTIONS["en"].format(**context)))
                translations.append(ProductTranslation(product=product, language="zh-hans", title=title_zh,
                                                       description=DESCRIPTIONS["zh-hans"].format(
                                                           **{**context, "title": title_zh})))
                for variant in product_variants:
                    variant.product = product
                    variants.append(variant)
                if pictures:
                    path, thumb = pictures[product.id % len(pictures)]
                    images_rows.append(ProductImage(product=product, image=path, thumbnail=thumb, width=480,
                                                    height=480, created_at=now, updated_at=now))
            ProductTranslation.objects.bulk_create(translations, batch_size=BATCH)
            Variant.objects.bulk_create(variants, batch_size=BATCH)
            ProductImage.objects.bulk_create(images_rows, batch_size=BATCH)
        made_products += len(rows)
        made_variants += len(variants)
        say(f"  {made_products:,} products\n")
    _refresh_planner_statistics()
    history = generate_order_history(seed=seed, shopper=special[SHOPPER])
    say(f"  {history.orders} orders in {history.groups} checkouts\n")
    if search_index:
        index = rebuild_index()
        say(f"  search index: {index.documents:,} products in {index.seconds:.1f} s\n")
    return Report(stores=len(stores), products=made_products, variants=made_variants,
                  seconds=time.monotonic() - started)


def _roomy_cache() -> None:
    """SQLite keeps 2 MB of pages by default; past a few hundred thousand products every batch then
    rereads the tables' indexes from disk. 256 MB keeps them in memory for a million (this connection only)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")


def _refresh_planner_statistics() -> None:
    """After a bulk load PostgreSQL plans blind until autovacuum runs; ANALYZE now, as after any import."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("catalog_product", "catalog_producttranslation", "catalog_variant", "catalog_productimage",
                          "stores_store"):
                cursor.execute(f"ANALYZE {table}")


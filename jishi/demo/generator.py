"""Build a believable demo marketplace with bulk inserts: stores in many countries and currencies,
products with variants, bilingual titles and shared generated pictures.

Stores are sized along a heavy tail (many of a handful of products, a few of hundreds) and sell what
their name promises; prices follow each leaf category's typical range (``prices``), and one product in
``STATUS_EVERY`` is a draft and another archived, on top of those on sale.

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
from jishi.catalog.indexing import rebuild_index
from jishi.catalog.models import Product, ProductImage, ProductStatus, ProductTranslation, Variant
from jishi.catalog.selectors import get_category_tree, listings_changed
from jishi.core import clock
from jishi.demo.orders import generate_order_history
from jishi.demo.pictures import PictureBook
from jishi.demo.prices import draw_usd, leaf_price, option_factor, shop_price
from jishi.demo.vocabulary import (
    ADJECTIVES,
    DESCRIPTIONS,
    LEAF_AXES,
    LEAF_MODIFIERS,
    LEAF_PRICES,
    MARKETS,
    PROFILES,
    ROOT_PROFILES,
    STORE_FOCUS,
    STORE_WORDS,
)
from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table
from jishi.orders.selectors import units_sold
from jishi.stores.models import Membership, Role, Store
from jishi.stores.selectors import public_stores_changed

DEMO_PASSWORD = "jishi-demo"  # noqa: S105  (published demo logins, documented in the README)
SHOPPER, SELLER, OPERATOR = "shopper@demo.jishi.test", "seller@demo.jishi.test", "operator@demo.jishi.test"
BATCH = 2000
# Store sizes follow a Pareto tail (shape ``STORE_TAIL``) over a floor of ``SMALLEST_STORE`` products: many
# stores of a handful, a few of hundreds.
STORE_TAIL = 1.0
SMALLEST_STORE = 3
# One product in ``STATUS_EVERY`` is a draft and another one archived; the rest are on sale.
STATUS_EVERY = 50


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
                User(email=OPERATOR, name="Zhou Min", password=password, date_joined=now, is_staff=True,
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


def _store_word(index: int) -> tuple[str, str]:
    return STORE_WORDS[(index * 7) % len(STORE_WORDS)]


def _stores(rng: random.Random, owners: list[User], special: dict[str, User], per_eur: dict) -> list[Store]:
    now = clock.now()
    stores = []
    for index in range(len(owners)):
        country, currency, cities = MARKETS[index % len(MARKETS)]
        city_en, city_zh = cities[(index // len(MARKETS)) % len(cities)]
        word_en, word_zh = _store_word(index)
        name = f"{city_zh}{word_zh} {city_en} {word_en}" if country == "CN" else f"{city_en} {word_en}"
        slug = f"{city_en}-{word_en}-{index + 1}".lower().replace(" ", "-").replace("ã", "a")
        stores.append(Store(slug=slug, name=name, country=country, base_currency_id=currency,
                            shipping_rate=_shipping_rate(currency, per_eur),
                            description=f"{name}: independent store from {city_en}. 来自{city_zh}的独立店铺。",
                            is_featured=index < 8, created_at=now - dt.timedelta(days=rng.randint(100, 900))))
        stores[-1].demo_city = (city_en, city_zh)  # where its products ship from, in their descriptions
    stores = Store.objects.bulk_create(stores, batch_size=BATCH)
    memberships = [Membership(store=s, user=o, role=Role.OWNER) for s, o in zip(stores, owners, strict=True)]
    # The demo seller owns the first store outright and manages the second.
    memberships[0] = Membership(store=stores[0], user=special[SELLER], role=Role.OWNER)
    memberships.append(Membership(store=stores[1], user=special[SELLER], role=Role.MANAGER))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    return stores


def store_count(products: int) -> int:
    """About one store per 50 products for a small demo, growing slowly past that (600 for a million)."""
    return max(40, min(products // 50, 200 + products // 2500))


def store_sizes(products: int, stores: int) -> list[int]:
    """How many products each store sells, smallest first, summing to ``products``: ``SMALLEST_STORE``
    each while there are enough, the rest spread along a Pareto tail whose top two are level (so no
    single store owns the marketplace)."""
    floor = min(SMALLEST_STORE, products // stores)
    weights = [(1 - min(1 - 2 / stores, (i + 0.5) / stores)) ** (-1 / STORE_TAIL) - 1 for i in range(stores)]
    spare, total = products - floor * stores, sum(weights)
    shares = [spare * w / total for w in weights]
    sizes = [floor + int(share) for share in shares]
    by_remainder = sorted(range(stores), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_remainder[: products - sum(sizes)]:
        sizes[i] += 1
    return sizes


def _place_sizes(rng: random.Random, sizes: list[int]) -> list[int]:
    """Sizes in store order: the first six stores (the demo seller's two, and those the order history
    uses) are among the larger ones, the rest are shuffled."""
    ordered = sorted(sizes, reverse=True)
    first = [ordered.pop(min(rank, len(ordered) - 1)) for rank in (2, 4, 5, 6, 7, 8) if ordered]
    rng.shuffle(ordered)
    return first + ordered


@dataclass(frozen=True, slots=True)
class LeafKind:
    """What the generator needs about a leaf category, worked out once."""

    id: int
    root_id: int
    slug: str
    root_slug: str
    noun_en: str
    noun_zh: str
    modifiers: list
    axes: dict
    median: float
    spread: float
    grams: tuple[int, int]
    hs: str


def _leaf_kinds(leaves: list, root_of: dict) -> dict[int, LeafKind]:
    kinds = {}
    for leaf in leaves:
        root = root_of[leaf.id]
        profile = PROFILES[ROOT_PROFILES.get(root.slug, "general")]
        median, spread = leaf_price(leaf.slug, profile)
        typical = LEAF_PRICES.get(leaf.slug, (0, 0, 0))[2]
        kinds[leaf.id] = LeafKind(
            id=leaf.id, root_id=root.id, slug=leaf.slug, root_slug=root.slug, noun_en=singular(leaf.names["en"]),
            noun_zh=leaf.names.get("zh-hans", leaf.names["en"]),
            modifiers=LEAF_MODIFIERS.get(leaf.slug, profile["modifiers"]),
            axes=LEAF_AXES.get(leaf.slug, profile["axes"]), median=median, spread=spread,
            grams=(int(typical * 0.8), int(typical * 1.25) + 1) if typical else profile["grams"], hs=profile["hs"])
    return kinds


def _store_leaves(rng: random.Random, sizes: list[int], kinds: dict[int, LeafKind]) -> list[list[LeafKind]]:
    """The categories each store sells: what its name promises (a "Tech" store sells electronics), one
    root for a small store, a few for a large one."""
    every = list(kinds.values())
    roots = sorted({kind.root_slug for kind in every})
    chosen = []
    for index, size in enumerate(sizes):
        promised = [slug for slug in STORE_FOCUS.get(_store_word(index)[0], []) if slug in roots]
        pool = promised or roots
        picked = rng.sample(pool, min(len(pool), 1 if size < 20 else 2 if size < 200 else 4))
        if size >= 200 and promised:
            picked.append(rng.choice(roots))
        chosen.append([kind for kind in every if kind.root_slug in picked] or every)
    return chosen


def _option_grid(rng: random.Random, axes: dict[str, list[str]]) -> tuple[list[str], list[dict]]:
    if rng.random() < 0.25:
        return [], [{}]
    names = list(axes)[: rng.choice([1, len(axes)])]
    combos = [{}]
    for name in names:
        values = rng.sample(axes[name], k=min(len(axes[name]), rng.randint(1, 3)))
        combos = [{**c, name: v} for c in combos for v in values]
    return names, combos[:6]


def _status(number: int) -> str:
    if number % STATUS_EVERY == 7:
        return ProductStatus.DRAFT
    if number % STATUS_EVERY == 32:
        return ProductStatus.ARCHIVED
    return ProductStatus.ACTIVE


def generate(*, products: int, seed: int = 42, images: bool = True, search_index: bool = True, stdout=None) -> Report:
    started = time.monotonic()
    rng = random.Random(seed)
    say = stdout.write if stdout else (lambda _text: None)
    tree = get_category_tree()
    leaves = [c for c in tree.by_id.values() if not tree.children.get(c.id)]
    root_of = {leaf.id: (tree.ancestors(leaf) or [leaf])[0] for leaf in leaves}
    kinds = _leaf_kinds(leaves, root_of)
    table = get_rate_table()
    per_eur = table.per_eur
    platform = settings.PLATFORM_CURRENCY
    _roomy_cache()

    with transaction.atomic():
        owners, special = _users(store_count(products))
        stores = _stores(rng, owners, special, per_eur)
    say(f"  {len(stores)} stores in {len({s.country for s in stores})} countries\n")
    book = PictureBook() if images else None
    if images:
        _store_images(rng, stores)

    sizes = _place_sizes(rng, store_sizes(products, len(stores)))
    sells = _store_leaves(rng, sizes, kinds)
    every = list(kinds.values())
    owner_of = [index for index, size in enumerate(sizes) for _ in range(size)]
    rng.shuffle(owner_of)
    now = clock.now()
    currencies = {s.base_currency_id for s in stores}
    factor = {code: table.convert(Money(1_000_000, code), platform).amount / 1_000_000 for code in currencies}
    usd_to = {code: float(table.convert(Money(1_000_000, "USD"), code).amount / 1_000_000) for code in currencies}
    made_products = made_variants = 0
    for start in range(0, products, BATCH):
        size = min(BATCH, products - start)
        rows, details = [], []
        for offset in range(size):
            number = start + offset
            store_index = owner_of[number]
            store, currency = stores[store_index], stores[store_index].base_currency_id
            pool = sells[store_index] if rng.random() < 0.85 else every
            kind = pool[rng.randrange(len(pool))]
            adjective, modifier = rng.choice(ADJECTIVES), rng.choice(kind.modifiers)
            title_en = f"{adjective[0]} {modifier[0]} {kind.noun_en}"
            title_zh = f"{adjective[1]}{modifier[1]}{kind.noun_zh}"
            axes, combos = _option_grid(rng, kind.axes)
            local = draw_usd(rng, kind.median, kind.spread) * usd_to[currency]
            variants = []
            for index, options in enumerate(combos):
                bump = 1.0 if index == 0 or rng.random() < 0.75 else rng.choice((1.05, 1.1))
                variants.append(Variant(
                    store=store, sku=f"D{number + 1:06d}-{index + 1}", options=options,
                    price=shop_price(local * option_factor(options, kind.axes) * bump, currency),
                    currency=currency, stock=0 if rng.random() < 0.08 else rng.randint(1, 500),
                    weight_grams=rng.randint(*kind.grams), position=index,
                    hs_code=f"{kind.hs}{rng.randint(10, 99)}", origin_country=store.country,
                    created_at=now, updated_at=now))
            prices = [v.price for v in variants]
            created = now - dt.timedelta(minutes=rng.randint(0, 90 * 24 * 60))
            rows.append(Product(
                store=store, category_id=kind.id, category_root_id=kind.root_id, status=_status(number),
                default_language="zh-hans" if store.country == "CN" else "en", option_names=axes,
                currency=currency, price_min=min(prices), price_max=max(prices),
                sort_price=(min(prices) * factor[currency]).quantize(Decimal("0.0001")),
                stock_total=sum(v.stock for v in variants), created_at=created, updated_at=created))
            picture = book.get(kind.slug, kind.root_slug, title_en) if book else None
            details.append((variants, title_en, title_zh, store, store.demo_city, picture))
        with transaction.atomic():
            Product.objects.bulk_create(rows, batch_size=BATCH)
            translations, variants, images_rows = [], [], []
            for product, (product_variants, title_en, title_zh, store, city, picture) in zip(rows, details,
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
                if picture:
                    images_rows.append(ProductImage(product=product, image=picture[0], thumbnail=picture[1],
                                                    width=480, height=480, created_at=now, updated_at=now))
            ProductTranslation.objects.bulk_create(translations, batch_size=BATCH)
            Variant.objects.bulk_create(variants, batch_size=BATCH)
            ProductImage.objects.bulk_create(images_rows, batch_size=BATCH)
        made_products += len(rows)
        made_variants += len(variants)
        say(f"  {made_products:,} products\n")
    _refresh_planner_statistics()
    history = generate_order_history(seed=seed, shopper=special[SHOPPER], operator=special[OPERATOR])
    say(f"  {history.orders} orders in {history.groups} checkouts, {history.refund_requests} refund requests\n")
    if search_index:
        index = rebuild_index(sales=units_sold())  # "best selling" ranks by the order history just made
        say(f"  search index: {index.documents:,} products in {index.seconds:.1f} s\n")
    # The rows went in by bulk insert, past the services: pages cached before the demo are stale.
    listings_changed()
    public_stores_changed()
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


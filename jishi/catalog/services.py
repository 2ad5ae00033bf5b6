"""Writes for the catalogue: products, their translations, variants (SKUs), stock and images.

Invariants kept here: a SKU is unique within its store (checked first, and by the database constraint
for races); prices are quantized to the store currency's minor units and never negative; a product's
summary columns (price range, total stock, sort price) always match its variants; nothing is half-saved —
every function is one transaction and raises ``DomainError`` with per-field messages before writing.
Writes need a ``StoreAccess`` (see ``stores.selectors.access_store``) whose role allows them, on an
active store.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from jishi.catalog import indexing
from jishi.catalog.models import Category, Product, ProductImage, ProductStatus, ProductTranslation, Variant
from jishi.catalog.rules import (
    MAX_VARIANTS,
    Invalid,
    Problems,
    clean_option_names,
    clean_option_values,
    clean_price,
    clean_stock,
    clean_translations,
    clean_variant,
    clean_variants,
    guess_title_language,
    quick_combinations,
    sku_stem,
    suggest_skus,
)
from jishi.catalog.selectors import get_category_tree, invalidate_category_tree, listings_changed
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.core.images import make_thumbnail, read_image
from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table
from jishi.search import services as search_index

MAX_IMAGES = 10
VARIANT_FIELDS = ("sku", "options", "price", "stock", "weight_grams", "hs_code", "origin_country", "per_buyer_limit")


def _require(access, action: str) -> None:
    access.require(action)
    if not access.store.is_active:
        raise DomainError("store.suspended", _("This store is suspended; its catalogue cannot change."), status=409)


def _raise_if(problems: Problems) -> None:
    if problems.fields:
        first = next(iter(problems.fields.values()))[0]
        raise DomainError("catalog.invalid", first, fields=problems.fields)


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _leaf_category(value, problems: Problems) -> Category | None:
    tree = get_category_tree()
    category = None
    if isinstance(value, Category):
        category = tree.by_id.get(value.id)
    elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        category = tree.by_id.get(int(value))
    elif isinstance(value, str):
        category = tree.by_slug(value.strip())
    if category is None:
        problems.add("category", _("Choose a category."))
        return None
    if tree.children.get(category.id):
        problems.add("category", _("Choose the most specific category (one without subcategories)."))
        return None
    return category


def _clean_status(value, problems: Problems) -> str | None:
    if value not in ProductStatus.values:
        problems.add("status", _("Choose draft, active or archived."))
        return None
    return value


def _sku_conflicts(store_id: int, variants: list[dict], *, exclude_product: int | None = None) -> dict:
    skus = [v["sku"] for v in variants if v.get("sku")]
    taken = Variant.objects.filter(store_id=store_id, sku__in=skus)
    if exclude_product is not None:
        taken = taken.exclude(product_id=exclude_product)
    taken_skus = set(taken.values_list("sku", flat=True))
    return {f"variants.{i}.sku": [_("This SKU is already used in your store.")]
            for i, v in enumerate(variants) if v.get("sku") in taken_skus}


def _sku_taken(fields: dict | None = None) -> DomainError:
    fields = fields or {"sku": [_("This SKU is already used in your store.")]}
    return DomainError("catalog.sku_taken", _("This SKU is already used in your store."), fields=fields, status=409)


def _sort_price(amount, currency: str):
    if amount is None:
        return None
    table = get_rate_table()
    target = settings.PLATFORM_CURRENCY
    if not (table.can_convert(currency) and table.can_convert(target)):
        return None
    return table.convert(Money(amount, currency), target).amount


def refresh_summary(product: Product) -> None:
    """Recompute the listing summary from the variants (call inside the writing transaction)."""
    totals = Variant.objects.filter(product=product).aggregate(low=Min("price"), high=Max("price"),
                                                               stock=Sum("stock"))
    product.price_min, product.price_max = totals["low"], totals["high"]
    product.stock_total = totals["stock"] or 0
    product.sort_price = _sort_price(product.price_min, product.currency)
    product.updated_at = clock.now()
    Product.objects.filter(pk=product.pk).update(price_min=product.price_min, price_max=product.price_max,
                                                 stock_total=product.stock_total, sort_price=product.sort_price,
                                                 updated_at=product.updated_at)
    # Every catalogue write ends here, so the search index follows it in the same transaction, and the
    # cached storefront pages after it.
    indexing.index_products([product.pk])
    listings_changed()


def refresh_category_roots() -> None:
    """After the operator moves categories: re-file every product under its new top-level category."""
    invalidate_category_tree()
    tree = get_category_tree()
    with transaction.atomic():
        for root in tree.roots:
            Product.objects.filter(category_id__in=tree.descendant_ids(root)).exclude(
                category_root=root).update(category_root=root)


def refresh_sort_prices() -> int:
    """Re-rank every product after an exchange-rate change: one UPDATE per currency, no row loop."""
    table = get_rate_table()
    target = settings.PLATFORM_CURRENCY
    updated = 0
    for currency in Product.objects.values_list("currency", flat=True).distinct().order_by():
        if not (table.can_convert(currency) and table.can_convert(target)):
            continue
        factor = table.convert(Money(1_000_000, currency), target).amount / 1_000_000
        updated += Product.objects.filter(currency=currency).update(sort_price=F("price_min") * factor)
    indexing.refresh_prices()
    listings_changed()
    return updated


def _write_translations(product: Product, translations: dict[str, dict]) -> None:
    ProductTranslation.objects.filter(product=product).exclude(language__in=list(translations)).delete()
    existing = {t.language: t for t in ProductTranslation.objects.filter(product=product)}
    for language, text in translations.items():
        row = existing.get(language)
        if row is None:
            ProductTranslation.objects.create(product=product, language=language, **text)
        elif (row.title, row.description) != (text["title"], text["description"]):
            row.title, row.description = text["title"], text["description"]
            row.save(update_fields=["title", "description"])


def _default_language(requested, translations: dict, problems: Problems) -> str:
    if requested:
        if requested not in translations:
            problems.add("default_language", _("The main language needs a title."))
        return requested
    return "en" if "en" in translations else next(iter(translations), "en")


def create_product(*, access, category, translations, variants, option_names=None,
                   status: str = ProductStatus.DRAFT, default_language: str | None = None) -> Product:
    """Create a product with its translations and variants in one transaction.

    Raises ``catalog.invalid`` (422) listing every bad field, ``catalog.sku_taken`` (409),
    ``store.role_required`` (403), ``store.suspended`` (409).
    """
    _require(access, "edit_catalog")
    store = access.store
    problems = Problems({})
    leaf = _leaf_category(category, problems)
    status = _clean_status(status, problems)
    names = problems.check("option_names", clean_option_names, option_names) or []
    texts = clean_translations(translations, _languages(), problems)
    cleaned = clean_variants(variants, option_names=names, currency=store.base_currency_id, problems=problems)
    language = _default_language(default_language, texts, problems)
    _raise_if(problems)
    conflicts = _sku_conflicts(store.id, cleaned)
    if conflicts:
        raise _sku_taken(conflicts)
    try:
        with transaction.atomic():
            product = Product.objects.create(store=store, category=leaf, category_root=get_category_tree().root_of(leaf),
                                             status=status, option_names=names,
                                             default_language=language, currency=store.base_currency_id)
            _write_translations(product, texts)
            Variant.objects.bulk_create([_new_variant(product, v, position=i) for i, v in enumerate(cleaned)])
            refresh_summary(product)
    except IntegrityError:
        raise _sku_taken()
    return product


def _new_variant(product: Product, data: dict, *, position: int) -> Variant:
    fields = {k: v for k, v in data.items() if k not in ("id", "stock_seen")}
    return Variant(product=product, store_id=product.store_id, currency=product.currency, position=position,
                   **fields)


def _existing_variant_inputs(product: Product) -> list[dict]:
    return [{"id": v.id, **{attr: getattr(v, attr) for attr in VARIANT_FIELDS}} for v in product.variants.all()]


def update_product(*, access, product: Product, category=None, translations=None, option_names=None,
                   variants=None, status: str | None = None, default_language: str | None = None) -> Product:
    """Change any part of a product. ``variants``, when given, is the whole new set: rows with an ``id``
    update that variant, rows without one are added, and variants left out are removed.

    Raises the errors of ``create_product``, and ``catalog.variant_not_found`` for a foreign variant id.
    """
    _require(access, "edit_catalog")
    problems = Problems({})
    changes: dict = {}
    if category is not None:
        leaf = _leaf_category(category, problems)
        changes["category"] = leaf
        changes["category_root"] = get_category_tree().root_of(leaf) if leaf else None
    if status is not None:
        changes["status"] = _clean_status(status, problems)
    names = product.option_names
    if option_names is not None:
        names = problems.check("option_names", clean_option_names, option_names) or []
        changes["option_names"] = names
    texts = None
    if translations is not None:
        texts = clean_translations(translations, _languages(), problems)
    current_texts = texts if texts is not None else {
        t.language: {} for t in ProductTranslation.objects.filter(product=product)}
    if default_language is not None or texts is not None:
        changes["default_language"] = _default_language(
            default_language or (product.default_language if product.default_language in current_texts else None),
            current_texts, problems)
    cleaned = None
    if variants is not None or option_names is not None:
        source = variants if variants is not None else _existing_variant_inputs(product)
        cleaned = clean_variants(source, option_names=names, currency=product.currency, problems=problems)
        known = set(product.variants.values_list("id", flat=True))
        for i, v in enumerate(cleaned):
            if v["id"] is not None and v["id"] not in known:
                problems.add(f"variants.{i}.id", _("This variant does not belong to the product."))
    _raise_if(problems)
    if changes.get("status") == ProductStatus.ACTIVE and cleaned == []:
        raise DomainError("catalog.cannot_publish", _("Add a variant before publishing."),
                          fields={"status": [_("Add a variant before publishing.")]})
    if cleaned is not None:
        conflicts = _sku_conflicts(product.store_id, cleaned, exclude_product=product.id)
        if conflicts:
            raise _sku_taken(conflicts)
    try:
        with transaction.atomic():
            locked = Product.objects.select_for_update().get(pk=product.pk)
            for attr, value in changes.items():
                setattr(locked, attr, value)
            locked.updated_at = clock.now()
            locked.save()
            if texts is not None:
                _write_translations(locked, texts)
            if cleaned is not None:
                _replace_variants(locked, cleaned)
            refresh_summary(locked)
    except IntegrityError:
        raise _sku_taken()
    return locked


def _replace_variants(product: Product, cleaned: list[dict]) -> None:
    keep = {v["id"] for v in cleaned if v["id"] is not None}
    Variant.objects.filter(product=product).exclude(id__in=keep).delete()
    current = {v.id: v for v in Variant.objects.select_for_update().filter(product=product).order_by("id")}
    # Free the SKUs first so two variants may swap SKUs in one save without tripping the constraint.
    for variant in current.values():
        variant.sku = f"~{variant.id}"
    Variant.objects.bulk_update(list(current.values()), ["sku"])
    changed, created = [], []
    for position, data in enumerate(cleaned):
        if data["id"] is None:
            created.append(_new_variant(product, data, position=position))
            continue
        variant = current[data["id"]]
        stock_now = variant.stock
        for attr in VARIANT_FIELDS:
            setattr(variant, attr, data[attr])
        if data.get("stock_seen") is not None:
            # The seller edited a copy; checkouts may have reserved units since. Their change applies as a
            # difference, so units sold meanwhile are not put back on sale.
            variant.stock = max(0, stock_now + data["stock"] - data["stock_seen"])
        variant.position = position
        variant.updated_at = clock.now()
        changed.append(variant)
    Variant.objects.bulk_update(changed, [*VARIANT_FIELDS, "position", "updated_at"])
    Variant.objects.bulk_create(created)


def set_product_status(*, access, product: Product, status: str) -> Product:
    """Publish, unpublish or archive. Publishing needs a title and at least one variant."""
    if status == ProductStatus.ACTIVE:
        counts = Product.objects.filter(pk=product.pk).aggregate(variants=Count("variants", distinct=True),
                                                                  titles=Count("translations", distinct=True))
        if not counts["variants"] or not counts["titles"]:
            raise DomainError("catalog.cannot_publish", _("Add a title and a variant before publishing."),
                              fields={"status": [_("Add a title and a variant before publishing.")]})
    return update_product(access=access, product=product, status=status)


def delete_product(*, access, product: Product) -> None:
    _require(access, "delete_products")
    with transaction.atomic():
        images = list(ProductImage.objects.filter(product=product))
        search_index.remove_products(product_ids=[product.pk])
        listings_changed()
        product.delete()
        transaction.on_commit(lambda: _delete_files(images))


def _delete_files(images: list[ProductImage]) -> None:
    for image in images:
        image.image.delete(save=False)
        image.thumbnail.delete(save=False)


def add_variant(*, access, product: Product, data: dict) -> Variant:
    """Add one SKU. Raises ``catalog.invalid`` / ``catalog.sku_taken``."""
    _require(access, "edit_catalog")
    problems = Problems({})
    if product.variants.count() >= MAX_VARIANTS:
        problems.add("variants", _("A product has at most 100 variants."))
    cleaned = clean_variant(data, index=0, option_names=product.option_names, currency=product.currency,
                            problems=problems)
    _raise_if(_unprefixed(problems))
    same_options = [v for v in product.variants.all() if v.options == cleaned["options"]]
    if same_options and product.option_names:
        raise DomainError("catalog.invalid", _("Two variants have the same options."),
                          fields={"options": [_("Two variants have the same options.")]})
    if Variant.objects.filter(store_id=product.store_id, sku=cleaned["sku"]).exists():
        raise _sku_taken()
    try:
        with transaction.atomic():
            variant = _new_variant(product, cleaned, position=product.variants.count())
            variant.save()
            refresh_summary(product)
    except IntegrityError:
        raise _sku_taken()
    return variant


def _unprefixed(problems: Problems) -> Problems:
    return Problems({key.removeprefix("variants.0."): msgs for key, msgs in problems.fields.items()})


def update_variant(*, access, variant: Variant, data: dict) -> Variant:
    """Change some fields of one SKU; the others keep their values."""
    _require(access, "edit_catalog")
    product = variant.product
    merged = {**_existing_variant_inputs_one(variant), **{k: v for k, v in data.items() if v is not None}}
    problems = Problems({})
    cleaned = clean_variant(merged, index=0, option_names=product.option_names, currency=product.currency,
                            problems=problems)
    _raise_if(_unprefixed(problems))
    if Variant.objects.filter(store_id=variant.store_id, sku=cleaned["sku"]).exclude(pk=variant.pk).exists():
        raise _sku_taken()
    try:
        with transaction.atomic():
            # Only the fields sent are written: a stale copy of the stock must never overwrite what
            # checkouts reserved since this variant was read.
            changed = [attr for attr in VARIANT_FIELDS if attr in data]
            for attr in changed:
                setattr(variant, attr, cleaned[attr])
            variant.updated_at = clock.now()
            variant.save(update_fields=[*changed, "updated_at"])
            refresh_summary(product)
    except IntegrityError:
        raise _sku_taken()
    return variant


def _existing_variant_inputs_one(variant: Variant) -> dict:
    return {attr: getattr(variant, attr) for attr in VARIANT_FIELDS}


def delete_variant(*, access, variant: Variant) -> None:
    """Remove a SKU; an active product keeps at least one."""
    _require(access, "edit_catalog")
    product = variant.product
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        if locked.status == ProductStatus.ACTIVE and locked.variants.count() <= 1:
            raise DomainError("catalog.last_variant", _("An active product needs at least one variant."),
                              status=409)
        variant.delete()
        refresh_summary(locked)


def set_stock(*, access, variant: Variant, stock, seen=None) -> Variant:
    """Set a SKU's stock to an absolute count (what the seller counted on the shelf).

    With ``seen`` (the count the seller's page showed) the change applies as a difference instead, so
    units that checkouts reserved since the page was shown stay sold.
    """
    _require(access, "edit_catalog")
    try:
        value = clean_stock(stock)
        seen = clean_stock(seen) if seen not in (None, "") else None
    except Invalid as exc:
        raise DomainError("catalog.invalid", str(exc), fields={"stock": [str(exc)]})
    with transaction.atomic():
        if seen is None:
            Variant.objects.filter(pk=variant.pk).update(stock=value, updated_at=clock.now())
        else:
            Variant.objects.filter(pk=variant.pk).update(stock=Greatest(F("stock") + (value - seen), 0),
                                                         updated_at=clock.now())
        variant.stock = Variant.objects.values_list("stock", flat=True).get(pk=variant.pk)
        refresh_summary(variant.product)
    return variant


def add_image(*, access, product: Product, upload, alt: str = "") -> ProductImage:
    """Store an uploaded photo and its thumbnail. Raises ``upload.*`` errors for bad files."""
    _require(access, "edit_catalog")
    if ProductImage.objects.filter(product=product).count() >= MAX_IMAGES:
        raise DomainError("catalog.too_many_images", _too_many_images(), fields={"image": [_too_many_images()]})
    checked = read_image(upload, field="image")
    thumbnail = make_thumbnail(checked)
    with transaction.atomic():
        position = ProductImage.objects.filter(product=product).count()
        image = _save_image(product, checked, thumbnail, alt=alt, position=position)
        listings_changed()
    return image


def _too_many_images() -> str:
    return _("A product has at most %(count)s images.") % {"count": MAX_IMAGES}


def _save_image(product: Product, checked, thumbnail, *, alt: str, position: int) -> ProductImage:
    """Write a checked photo and its thumbnail, then their row (call inside the writing transaction). The
    files are removed again when the row cannot be saved; the caller removes them if it rolls back later."""
    image = ProductImage(product=product, width=checked.width, height=checked.height, alt=alt[:200],
                         position=position)
    try:
        image.image.save(checked.content.name, checked.content, save=False)
        image.thumbnail.save(thumbnail.name, thumbnail, save=False)
        image.save()
    except BaseException:
        _delete_files([image])
        raise
    return image


def remove_image(*, access, image: ProductImage) -> None:
    _require(access, "edit_catalog")
    with transaction.atomic():
        image.delete()
        listings_changed()
        transaction.on_commit(lambda: _delete_files([image]))


# --- stock reserved and returned by orders ----------------------------------------------------------
# Checkout calls these inside its placing transaction; cancellation and expiry inside theirs. Rows are
# taken in primary-key order (variants, then products), so concurrent checkouts queue instead of
# deadlocking, and each variant costs one conditional UPDATE: stock can never go below zero.


_TAKE_STOCK_SQL = (f"UPDATE {Variant._meta.db_table} SET stock = stock - %s "  # noqa: S608  (our table name)
                   "WHERE id = %s AND stock >= %s")
# The products' summary never goes below zero (GREATEST, which SQLite lacks, written portably).
_SHIFT_STOCK_TOTAL_SQL = (f"UPDATE {Product._meta.db_table} SET stock_total = "  # noqa: S608  (our table name)
                          "CASE WHEN stock_total + %s > 0 THEN stock_total + %s ELSE 0 END WHERE id = %s")


def reserve_stock(units: dict[int, int], *, product_of: dict[int, int]) -> dict[int, int]:
    """Take ``units`` (variant id → quantity) off sale: ``UPDATE … SET stock = stock - q WHERE stock >= q``.

    Returns the variants that could not be reserved with the units they have left (empty when all were);
    the caller then rolls its transaction back. ``product_of`` maps each variant to its product, whose
    stock summary follows.
    """
    # The flash-sale hot rows: plain statements (the ORM's update costs three times the CPU to compile),
    # each row held from here to the commit.
    short = []
    with connection.cursor() as cursor:
        for variant_id in sorted(units):
            cursor.execute(_TAKE_STOCK_SQL, [units[variant_id], variant_id, units[variant_id]])
            if cursor.rowcount != 1:
                short.append(variant_id)
    if short:
        return dict(Variant.objects.filter(pk__in=short).values_list("id", "stock"))
    _shift_stock_totals(units, product_of, sign=-1)
    return {}


def release_stock(units: dict[int, int], *, product_of: dict[int, int]) -> None:
    """Put reserved units back on sale (an order cancelled or expired before shipment)."""
    for variant_id in sorted(units):
        Variant.objects.filter(pk=variant_id).update(stock=F("stock") + units[variant_id])
    _shift_stock_totals(units, product_of, sign=1)


def _shift_stock_totals(units: dict[int, int], product_of: dict[int, int], *, sign: int) -> None:
    by_product: dict[int, int] = {}
    for variant_id, quantity in units.items():
        if product_of.get(variant_id):
            by_product[product_of[variant_id]] = by_product.get(product_of[variant_id], 0) + quantity
    with connection.cursor() as cursor:
        for product_id in sorted(by_product):
            delta = sign * by_product[product_id]
            cursor.execute(_SHIFT_STOCK_TOTAL_SQL, [delta, delta, product_id])
    indexing.sync_stock(by_product)
    listings_changed()


# --- the quick product form: live in one step ------------------------------------------------------


def check_catalog_editable(*, access) -> None:
    """Raise what a catalogue write would (``store.role_required``, ``store.suspended``): for pages that
    should not offer a form the service is bound to refuse."""
    _require(access, "edit_catalog")


def _check_quick_options(options, problems: Problems) -> None:
    """Every problem of ``options`` as typed (a list of {"name", "values"}; rows with neither are ignored),
    on its own field."""
    names = []
    for index, option in enumerate(options or []):
        name = str(option.get("name") or "").strip()
        values = problems.check(f"options.{index}.values", clean_option_values, option.get("values"))
        if not name and not values:
            continue
        if not name:
            problems.add(f"options.{index}.name", _("Name this option, like size or colour."))
        elif not values:
            problems.add(f"options.{index}.values", _("List its values, separated by commas."))
        names.append(name)
    if names and all(names):
        problems.check("options", clean_option_names, names)


def _taken_rows(error: DomainError, store_id: int, variants: list[dict]) -> dict[int, list[str]]:
    """The rows whose SKU ``error`` (``catalog.sku_taken``) refused, with their messages. A race caught by
    the database constraint does not say which row lost; the store is asked again."""
    fields = error.fields
    if not any(key.startswith("variants.") for key in fields):
        fields = _sku_conflicts(store_id, variants)
    return {int(key.split(".")[1]): messages for key, messages in fields.items() if key.startswith("variants.")}


def create_live_product(*, access, title: str, category, price=None, stock=None, photos=(), options=None,
                        variants=None, language: str | None = None) -> Product:
    """A product on sale at once, from the few answers of the quick form.

    ``title`` is in the seller's language (guessed from the text when ``language`` is not given). Without
    ``variants`` the product has one variant, or one per combination of ``options`` (a list of
    ``{"name": "Size", "values": "S, M, L"}``), each with ``price`` and ``stock``; ``variants`` (dicts with
    ``options``, ``price``, ``stock`` and optional ``sku``) sets them one by one instead. Empty SKUs are
    made up, unique in the store; the origin is the store's country. ``photos`` are checked and
    thumbnailed before anything is written, and saved with the product in its transaction.

    Raises ``catalog.invalid`` (every bad field at once: ``title``, ``category``, ``price``, ``stock``,
    ``photos``, ``options.N.name``/``values``, ``variants.N.*``), ``upload.*`` for a bad photo,
    ``catalog.sku_taken``, ``store.role_required``, ``store.suspended``.
    """
    _require(access, "edit_catalog")
    store = access.store
    problems = Problems({})
    title = str(title or "").strip()
    if not title:
        problems.add("title", _("Give the product a title."))
    elif len(title) > 200:
        problems.add("title", _("Keep the title under 200 characters."))
    _leaf_category(category, problems)
    _check_quick_options(options, problems)
    axes, combinations = [], []
    if not any(key == "options" or key.startswith("options.") for key in problems.fields):
        try:
            axes, combinations = quick_combinations(options)
        except Invalid as exc:
            problems.add("options", str(exc))
    rows = ([dict(v) for v in variants] if variants is not None
            else [{"options": c} for c in combinations] or [{"options": {}}])
    if not rows:
        problems.add("variants", _("Add at least one variant with a SKU, price and stock."))
    # A row without its own price or stock takes the product's.
    if any(row.get("price") in (None, "") for row in rows) or price not in (None, ""):
        if price in (None, ""):
            problems.add("price", _("Enter a price."))
        else:
            price = problems.check("price", clean_price, price, store.base_currency_id)
    # A seller listing something has at least one of it.
    stock = problems.check("stock", clean_stock, 1 if stock in (None, "") else stock)
    for index, row in enumerate(rows):
        if row.get("price") in (None, ""):
            row["price"] = price
        else:
            problems.check(f"variants.{index}.price", clean_price, row["price"], store.base_currency_id)
        if row.get("stock") in (None, ""):
            row["stock"] = stock
        else:
            problems.check(f"variants.{index}.stock", clean_stock, row["stock"])
        row["origin_country"] = row.get("origin_country") or store.country
    uploads = [p for p in (photos or []) if p is not None]
    if len(uploads) > MAX_IMAGES:
        problems.add("photos", _too_many_images())
    checked = []
    for upload in uploads[:MAX_IMAGES]:
        try:
            checked.append(read_image(upload, field="photos"))
        except DomainError as error:
            for message in error.fields.get("photos", [error.message]):
                if message not in problems.fields.get("photos", []):
                    problems.add("photos", message)
    _raise_if(problems)
    language = language or guess_title_language(title, languages=_languages(), fallback="en")
    thumbnails = [make_thumbnail(c) for c in checked]
    typed = [str(row.get("sku") or "").strip() for row in rows]
    blanks = [index for index, sku in enumerate(typed) if not sku]
    for attempt in range(3):
        skus = list(typed)
        if blanks:
            # Only SKUs sharing the made-up ones' stem can collide with them: the store's others stay unread.
            taken = set(Variant.objects.filter(store=store, sku__istartswith=sku_stem(title))
                        .values_list("sku", flat=True)) | set(typed)
            made = suggest_skus(title, [rows[i].get("options") or {} for i in blanks] if axes else [],
                                taken=taken, count=len(blanks))
            for index, sku in zip(blanks, made, strict=True):
                skus[index] = sku
        inputs = [{**row, "sku": sku} for row, sku in zip(rows, skus, strict=True)]
        saved: list[ProductImage] = []
        try:
            with transaction.atomic():
                product = create_product(access=access, category=category, status=ProductStatus.ACTIVE,
                                         option_names=[name for name, _values in axes], variants=inputs,
                                         translations=[{"language": language, "title": title, "description": ""}],
                                         default_language=language)
                for position, (image, thumbnail) in enumerate(zip(checked, thumbnails, strict=True)):
                    saved.append(_save_image(product, image, thumbnail, alt=title, position=position))
        except DomainError as error:
            _delete_files(saved)
            if error.code != "catalog.sku_taken":
                raise
            taken_rows = _taken_rows(error, store.id, inputs)
            refused = {index: messages for index, messages in taken_rows.items() if index not in blanks}
            if refused:  # the seller's own SKU: making new ones cannot help
                raise _sku_taken({f"variants.{index}.sku": messages for index, messages in refused.items()})
            if attempt < 2:
                continue  # another product took a made-up SKU meanwhile: make new ones
            raise
        except BaseException:
            _delete_files(saved)
            raise
        return product
    raise AssertionError("unreachable")

"""Seller centre: the store's products, the product editor (variants, translations, images), stock."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jishi.catalog import services
from jishi.catalog.category_suggestions import suggest_categories
from jishi.catalog.models import ProductStatus
from jishi.catalog.rules import Invalid, quick_combinations
from jishi.catalog.selectors import (
    access_image,
    access_product,
    access_variant,
    build_cards,
    list_store_products,
)
from jishi.core.errors import DomainError
from jishi.core.pagination import paginate, parse_page_number
from jishi.orders.selectors import product_units_awaiting_payment, units_awaiting_payment
from jishi.stores.selectors import store_has_products
from jishi.web.access import store_access
from jishi.web.forms.catalog import (
    ProductForm,
    QuickProductForm,
    blank_row,
    option_axes,
    quick_options,
    quick_variant_rows,
    rows_from_variants,
    variant_input,
    variant_rows_from_post,
)
from jishi.web.forms.errors import add_domain_errors


def _language() -> str:
    return translation.get_language() or "en"


@login_required
def product_list(request, slug: str):
    access = store_access(request, slug, "edit_catalog")
    status = request.GET.get("status", "")
    status = status if status in ProductStatus.values else ""
    title = request.GET.get("q", "").strip()[:100]
    page = paginate(list_store_products(store=access.store, status=status or None, title=title or None),
                    page=parse_page_number(request.GET.get("page")), per_page=25)
    return render(request, "web/seller/catalog/products.html", {
        "access": access, "page": page, "cards": build_cards(page.items, _language()), "status": status,
        "q": title, "statuses": ProductStatus.choices, "held": product_units_awaiting_payment(product_ids=[p.id for p in page.items])})


def _editor_context(access, product, form, rows, axes, row_errors, images, held) -> dict:
    return {"access": access, "product": product, "form": form, "rows": rows, "axes": axes,
            "row_errors": row_errors, "images": images, "held": held}


COLUMN_LABELS = {"sku": gettext_lazy("SKU"), "price": gettext_lazy("Price"), "stock": gettext_lazy("Stock"),
                 "weight_grams": gettext_lazy("Weight"), "hs_code": gettext_lazy("HS code"),
                 "origin_country": gettext_lazy("Origin"), "options": gettext_lazy("Options"), "id": "#",
                 "per_buyer_limit": gettext_lazy("Limit per buyer")}


def _indexed(parts: list[str], head: str) -> bool:
    """Whether an error's field path is ``head.<n>.<field>`` (a variant row, a translation, an option)."""
    return parts[0] == head and len(parts) == 3 and parts[1].isdigit()


def _split_errors(form, error: DomainError, form_field) -> dict[int, list[str]]:
    """Variant messages go to their table row; the rest to the form field ``form_field(name, parts)``
    names for each path. Returns the rows' messages."""
    row_errors: dict[int, list[str]] = {}
    fields: dict[str, list[str]] = {}
    for name, msgs in error.fields.items():
        parts = name.split(".")
        if _indexed(parts, "variants"):
            label = COLUMN_LABELS.get(parts[2], parts[2])
            row_errors.setdefault(int(parts[1]), []).extend(f"{label}: {m}" for m in msgs)
        else:
            fields.setdefault(form_field(name, parts), []).extend(msgs)
    if fields or not row_errors:
        add_domain_errors(form, DomainError(error.code, error.message, fields=fields))
    return row_errors


def _editor_field(name: str, parts: list[str]) -> str:
    """Translation messages go to that language's title or description field."""
    if _indexed(parts, "translations"):
        title_field, text_field = list(ProductForm.LANGUAGE_FIELDS.values())[min(int(parts[1]), 1)]
        return text_field if parts[2] == "description" else title_field
    return name


@login_required
def product_editor(request, slug: str, product_id: int | None = None):
    access = store_access(request, slug, "edit_catalog")
    product = access_product(access=access, product_id=product_id) if product_id else None
    if product is None:
        initial = {"status": ProductStatus.DRAFT, "default_language": _language()}
        variants = []
    else:
        texts = {t.language: t for t in product.translations.all()}
        initial = {"category": product.category_id, "status": product.status,
                   "default_language": product.default_language, "option_names": ", ".join(product.option_names),
                   "title_en": getattr(texts.get("en"), "title", ""),
                   "description_en": getattr(texts.get("en"), "description", ""),
                   "title_zh": getattr(texts.get("zh-hans"), "title", ""),
                   "description_zh": getattr(texts.get("zh-hans"), "description", "")}
        variants = list(product.variants.all())
    form = ProductForm(request.POST or None, initial=initial, language=_language())
    axes = option_axes(request.POST.get("option_names") if request.method == "POST" else initial.get("option_names"))
    rows = variant_rows_from_post(request.POST, axes) if request.method == "POST" else (
        rows_from_variants(variants, axes) or [blank_row()])
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        fields = {"category": form.cleaned_data["category"], "translations": form.translations(),
                  "option_names": [a for a in axes if a], "variants": [variant_input(r, axes) for r in rows],
                  "status": form.cleaned_data["status"], "default_language": form.cleaned_data["default_language"]}
        try:
            if product is None:
                product = services.create_product(access=access, **fields)
                messages.success(request, _("Product created."))
            else:
                services.update_product(access=access, product=product, **fields)
                messages.success(request, _("Product saved."))
        except DomainError as error:
            row_errors = _split_errors(form, error, _editor_field)
            product = access_product(access=access, product_id=product_id) if product_id else None
        else:
            return redirect("web:seller_product_edit", slug, product.id)
    rows = rows + [blank_row()] if request.method != "POST" or not rows else rows
    images = list(product.images.all()) if product else []
    held = units_awaiting_payment(variant_ids=[v.id for v in variants])
    return render(request, "web/seller/catalog/editor.html",
                  _editor_context(access, product, form, rows, axes, row_errors, images, held))


QUICK_FIELDS = {"title": "title", "price": "price", "stock": "stock", "category": "category", "photos": "photos",
                "options": "option_0_name"}


def _quick_axes_and_rows(data) -> tuple[list[dict], list[dict], str | None]:
    """The options as posted, one table row per combination of their values, and why there is no table
    (a problem with the options, or too many combinations) when there is none."""
    options = quick_options(data)
    try:
        _axes, combinations = quick_combinations(options)
    except Invalid as exc:
        return options, [], str(exc)
    return options, quick_variant_rows(data, combinations), None


def _quick_field(name: str, parts: list[str]) -> str:
    """Option messages go to the option fields, the rest to the quick form's field of that name."""
    if _indexed(parts, "options"):
        return f"option_{parts[1]}_{parts[2]}"
    return QUICK_FIELDS.get(parts[0], "__all__")


@login_required
def product_add(request, slug: str):
    """The quick product form: a title, photos, a price, stock and a category put a product on sale."""
    access = store_access(request, slug, "edit_catalog")
    try:
        services.check_catalog_editable(access=access)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:seller_dashboard", slug)
    currency = access.store.base_currency_id
    form = QuickProductForm(request.POST or None, request.FILES or None, initial={"stock": 1},
                            language=_language(), currency=currency,
                            suggest_url=reverse("web:seller_category_suggestions", args=[slug]))
    options, rows, options_problem = _quick_axes_and_rows(request.POST)
    row_errors: dict[int, list[str]] = {}
    photos_lost = False
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        variants = ([{"options": r["options"], "price": r["price"], "stock": r["stock"], "sku": r["sku"]}
                     for r in rows] if rows else None)
        try:
            product = services.create_live_product(
                access=access, title=form.cleaned_data["title"], category=form.cleaned_data["category"],
                price=form.cleaned_data["price"], stock=form.cleaned_data["stock"],
                photos=request.FILES.getlist("photos"), options=options, variants=variants)
        except DomainError as error:
            row_errors = _split_errors(form, error, _quick_field)
        else:
            messages.success(request, _("Your product is on sale. This is its page as shoppers see it."))
            return redirect("web:product", product.id)
    if request.method == "POST":
        # A page drawn again cannot keep the chosen files: say so rather than let them vanish.
        photos_lost = bool(request.FILES.getlist("photos"))
    first = not store_has_products(access.store)
    return render(request, "web/seller/catalog/quick.html", {
        "access": access, "form": form, "rows": rows, "row_errors": row_errors, "options": options,
        "options_problem": options_problem, "photos_lost": photos_lost, "first": first, "currency": currency,
        "suggestions": _suggestions(request.POST.get("title", "")) if request.method == "POST" else [],
        "open_options": any(o["name"] or o["values"] for o in options)})


@login_required
def product_add_variants(request, slug: str):
    """The variants table of the quick form, redrawn as the options are typed (htmx)."""
    access = store_access(request, slug, "edit_catalog")
    _options, rows, options_problem = _quick_axes_and_rows(request.GET)
    return render(request, "web/seller/catalog/quick_variants.html", {
        "access": access, "rows": rows, "row_errors": {}, "options_problem": options_problem,
        "currency": access.store.base_currency_id})


@login_required
def category_suggestions(request, slug: str):
    """Up to three categories for the title being typed (htmx), as buttons that choose one."""
    store_access(request, slug, "edit_catalog")
    title = request.GET.get("title", "")
    return render(request, "web/seller/catalog/category_suggestions.html", {"suggestions": _suggestions(title)})


def _suggestions(title: str) -> list[tuple[int, str]]:
    language = _language()
    return [(s.category.id, s.label(language)) for s in suggest_categories(title[:200])]


@login_required
@require_POST
def product_delete(request, slug: str, product_id: int):
    access = store_access(request, slug, "delete_products")
    product = access_product(access=access, product_id=product_id)
    try:
        services.delete_product(access=access, product=product)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:seller_product_edit", slug, product_id)
    messages.success(request, _("Product deleted."))
    return redirect("web:seller_products", slug)


@login_required
@require_POST
def image_upload(request, slug: str, product_id: int):
    access = store_access(request, slug, "edit_catalog")
    product = access_product(access=access, product_id=product_id)
    try:
        services.add_image(access=access, product=product, upload=request.FILES.get("image"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Image added."))
    return redirect("web:seller_product_edit", slug, product.id)


@login_required
@require_POST
def image_remove(request, slug: str, image_id: int):
    access = store_access(request, slug, "edit_catalog")
    image = access_image(access=access, image_id=image_id)
    product_id = image.product_id
    services.remove_image(access=access, image=image)
    return redirect("web:seller_product_edit", slug, product_id)


@login_required
@require_POST
def variant_stock(request, slug: str, variant_id: int):
    """Quick stock edit (htmx answers with the updated cell; without JS, back to the editor)."""
    access = store_access(request, slug, "edit_catalog")
    variant = access_variant(access=access, variant_id=variant_id)
    error = None
    try:
        services.set_stock(access=access, variant=variant, stock=request.POST.get("stock", ""),
                           seen=request.POST.get("stock_seen"))
    except DomainError as exc:
        error = exc.message
        variant.refresh_from_db()
    if request.headers.get("HX-Request"):
        return render(request, "web/seller/catalog/stock_cell.html",
                      {"access": access, "variant": variant, "error": error,
                       "held": units_awaiting_payment(variant_ids=[variant.id])}, status=200)
    if error:
        messages.error(request, error)
    return redirect("web:seller_product_edit", slug, variant.product_id)


urlpatterns = [
    path("seller/<slug:slug>/products/", product_list, name="seller_products"),
    path("seller/<slug:slug>/products/new/", product_editor, name="seller_product_new"),
    path("seller/<slug:slug>/products/add/", product_add, name="seller_product_add"),
    path("seller/<slug:slug>/products/add/variants/", product_add_variants, name="seller_product_add_variants"),
    path("seller/<slug:slug>/products/add/categories/", category_suggestions, name="seller_category_suggestions"),
    path("seller/<slug:slug>/products/<int:product_id>/", product_editor, name="seller_product_edit"),
    path("seller/<slug:slug>/products/<int:product_id>/delete/", product_delete, name="seller_product_delete"),
    path("seller/<slug:slug>/products/<int:product_id>/images/", image_upload, name="seller_product_image"),
    path("seller/<slug:slug>/images/<int:image_id>/remove/", image_remove, name="seller_image_remove"),
    path("seller/<slug:slug>/variants/<int:variant_id>/stock/", variant_stock, name="seller_variant_stock"),
]

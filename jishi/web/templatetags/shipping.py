"""Shipping on pages: the product editor's "ships with" form (kept apart from the product form: it saves on
its own), the product page's estimate, the top bar's "Ship to" picker and its country options."""

from functools import cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from jishi.shipping.selectors import template_choices

register = template.Library()


@cache
def _country_options(locale: str) -> str:
    from jishi.core.countries import country_choices

    return "".join(f'<option value="{code}">{escape(name)}</option>' for code, name in country_choices(locale))


@register.simple_tag
def country_options(selected: str = ""):
    """The ``<option>``s of every country, in the page's language, ``selected`` marked: built once per
    language, because the list is long (about 250) and sits in every page's top bar."""
    from django.utils import translation

    options = _country_options("zh_Hans" if translation.get_language() == "zh-hans" else "en")
    if selected:
        options = options.replace(f'value="{selected}">', f'value="{selected}" selected>', 1)
    return mark_safe(options)  # noqa: S308  (codes are ISO letters; names escaped above)


@register.inclusion_tag("web/seller/shipping/product_template.html")
def product_shipping_form(access, product):
    return {"access": access, "product": product, "choices": template_choices(store=access.store)}


@register.inclusion_tag("web/storefront/shipping_estimate.html", takes_context=True)
def shipping_estimate(context, product, variant):
    """Shipping cost and delivery dates of one unit of ``variant`` to the shopper's country, in their
    currency; a country picker when the country is not known (or to change it)."""
    from jishi.money.selectors import get_rate_table
    from jishi.shipping.selectors import problem_message, quote_variant
    from jishi.web.views.shipping import shopper_country

    request = context["request"]
    country = shopper_country(request)
    estimate, cheapest, shown, message = None, None, None, ""
    if country and variant is not None:
        estimate = quote_variant(variant=variant, store=product.store, template_id=product.shipping_template_id,
                                 country=country)
        cheapest = estimate.cheapest
        if cheapest is None:
            message = problem_message(estimate, product.store.name)
        else:
            rates, display = get_rate_table(), getattr(request, "display_currency", "") or ""
            if display and display != cheapest.cost.currency and rates.can_convert(display) \
                    and rates.can_convert(cheapest.cost.currency):
                shown = rates.convert(cheapest.cost, display)
    return {"request": request, "country": country, "estimate": estimate, "cheapest": cheapest, "shown": shown,
            "message": message, "next": request.get_full_path()}


@register.inclusion_tag("web/partials/ship_to.html", takes_context=True)
def ship_to_picker(context):
    """The top bar's "ship to" choice, beside language and currency: the country the shopper chose, changed
    here. Until they choose, a signed-in shopper's default address decides (not read here: no query)."""
    from jishi.web.views.shipping import chosen_country

    request = context["request"]
    return {"country": chosen_country(request),
            "signed_in": request.user.is_authenticated, "next": request.get_full_path(),
            "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def cart_shipping(context, view):
    """Store id → how that store's cart lines ship to the shopper's country: ``{"country", "offer",
    "message"}`` (three queries for the whole cart), or {} when the country is not known."""
    from jishi.money.rules import Money
    from jishi.shipping.rules import ShipLine
    from jishi.shipping.selectors import LineToShip, problem_message, quote_shipping
    from jishi.web.views.shipping import shopper_country

    country = shopper_country(context["request"])
    if not country or not view.groups:
        return {}
    stores = {group.store.id: group.store for group in view.groups}
    lines = [LineToShip(store_id=group.store.id, template_id=line.item.product.shipping_template_id,
                        line=ShipLine(variant_id=line.item.variant.id, quantity=line.quantity,
                                      weight_grams=line.item.variant.weight_grams,
                                      unit_price=Money(line.state.price_now, line.item.variant.currency)))
             for group in view.groups for line in group.lines]
    offers = quote_shipping(stores=stores, lines=lines, country=country)
    return {store_id: {"country": country, "offer": offer,
                       "message": "" if offer.can_ship else problem_message(offer, stores[store_id].name)}
            for store_id, offer in offers.items()}

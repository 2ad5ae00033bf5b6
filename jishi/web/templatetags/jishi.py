"""Template helpers: prices in the shopper's currency and locale, countries, translated names."""

from __future__ import annotations

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from jishi.accounts.postal import postal_lines
from jishi.core.countries import country_name
from jishi.money.formatting import format_day, format_moment, format_money, format_number
from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    return format_money(value) if value is not None else ""


@register.simple_tag(takes_context=True)
def price(context, amount, currency: str):
    """The store's own price, plus an approximate conversion when the shopper displays another currency."""
    if amount is None:
        return ""
    own = Money(amount, currency)
    request = context.get("request")
    display = getattr(request, "display_currency", currency)
    text = format_money(own)
    table = _rate_table(request)
    if display != currency and table.can_convert(display) and table.can_convert(currency):
        approx = format_money(table.convert(own, display))
        return _price_html(approx, text, approximate=True)
    return _price_html(text, "", approximate=False)


def _rate_table(request):
    """One rate table per request, however many prices a page shows."""
    if request is None:
        return get_rate_table()
    if not hasattr(request, "_jishi_rate_table"):
        request._jishi_rate_table = get_rate_table()
    return request._jishi_rate_table


def _price_html(main: str, secondary: str, *, approximate: bool):
    from django.utils.html import format_html

    if approximate:
        return format_html('<span class="price"><span class="price-main">≈ {}</span>'
                           '<span class="price-own">{}</span></span>', main, secondary)
    return format_html('<span class="price"><span class="price-main">{}</span></span>', main)


@register.simple_tag(takes_context=True)
def product_cards(context, cards):
    """The cards of a product grid. Built here rather than by including a template per card: a listing
    shows dozens, and on a page that is not cached they were a quarter of its rendering time."""
    from django.urls import reverse
    from django.utils.html import format_html, format_html_join

    link = reverse("web:product", args=[0]).removesuffix("0/")

    def thumb(card):
        if card.thumbnail_url:
            return format_html('<img src="{}" alt="" loading="lazy" width="240" height="240">', card.thumbnail_url)
        return format_html('<span class="thumb-placeholder" aria-hidden="true">{}</span>', card.title[:1])

    return format_html_join("", '<a class="product-card" href="{}{}/">\n  <div class="thumb">{}</div>\n'
                                '  <div class="body">\n    <span class="title">{}</span>\n    {}\n'
                                '    <span class="store">{} · {}</span>\n  </div>\n</a>',
                            ((link, card.product.id, thumb(card), card.title,
                              price(context, card.product.price_min, card.product.currency),
                              card.product.store.name, country(card.product.store.country)) for card in cards))


@register.filter
def number(value) -> str:
    return format_number(value) if value is not None else ""


@register.filter
def day(value) -> str:
    return format_day(value) if value else ""


@register.filter
def moment(value) -> str:
    """Date and time of day, in the active time zone and the page's language."""
    return format_moment(value, tzinfo=timezone.get_current_timezone()) if value else ""


@register.filter
def amount_in(amount, currency: str) -> str:
    """A stored amount in its own currency, never converted: what an order was priced or charged."""
    return format_money(Money(amount, currency)) if amount is not None and currency else ""


@register.filter
def country(code: str) -> str:
    return country_name(code, "zh_Hans" if translation.get_language() == "zh-hans" else "en") if code else ""


@register.filter
def localized_name(category) -> str:
    return category.name_in(translation.get_language() or "en")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def percent(rate) -> str:
    """A rate as a percentage in the page's language: 0.0525 → "5.25%"."""
    if rate in (None, ""):
        return ""
    from babel.numbers import format_percent

    from jishi.money.formatting import babel_locale

    return format_percent(rate, format="#,##0.##%", locale=babel_locale())


@register.filter
def postal_address(address) -> str:
    """An address (``accounts.Address`` or an order's frozen dict) in its country's order, one <br> per line."""
    from django.utils.html import format_html_join

    lines = postal_lines(address, language=translation.get_language() or "en")
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))


@register.filter
def postal_text(address) -> str:
    """The same lines for plain-text mail."""
    return "\n".join(postal_lines(address, language=translation.get_language() or "en"))

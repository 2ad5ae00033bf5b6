"""Writes for shipping templates. Owns: a store's templates, their zones and methods.

Invariants kept here: a store with templates has exactly one default (the first one made is the
default; choosing another moves the mark; deleting the default hands it to the next by name, and the
products that named the deleted template fall back to the default); a template is saved whole (its
zones and methods replaced in one transaction) after ``rules.clean_template`` found nothing wrong;
every change writes a ``ShippingEvent``. Templates are store settings: ``edit_store`` is required.

A store without templates ships everywhere at its own flat rate: shipping reads ``Store.shipping_rate``,
``country`` and ``base_currency`` from the store row (``selectors.StoreTemplates``), so a store sells and
ships the moment it opens, and a new flat rate applies at once, without stores ever calling this app
(shipping sits above stores). The first template the seller makes becomes the default, and from then on
the templates alone decide what shipping costs.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jishi.catalog.models import Product
from jishi.core.countries import is_country
from jishi.core.errors import DomainError, field_error
from jishi.shipping.models import Method, ShippingEvent, ShippingTemplate, Zone
from jishi.shipping.rules import CleanTemplate, clean_template
from jishi.shipping.selectors import access_template, invalidate_store_templates
from jishi.stores.models import Store

EDIT = "edit_store"


def _texts() -> dict[str, str]:
    return {
        "name": _("A name has 1 to 80 characters."),
        "country": _("Choose a country."),
        "handling": _("Enter the handling time as whole days, from 0 to 60."),
        "zones": _("Add at least one zone."),
        "too_many_zones": _("A template has at most 50 zones."),
        "countries": _("%(code)s is not a country code."),
        "country_twice": _("%(code)s is already in another zone."),
        "no_countries": _("Name the zone's countries, or make it the rest of the world."),
        "methods": _("Add at least one shipping method to the zone."),
        "kind": _("Choose economy, standard or express."),
        "kind_twice": _("A zone has one method of each kind."),
        "pricing": _("Choose per item or per weight."),
        "transport": _("Choose post or courier."),
        "amount": _("Enter an amount from zero up, like 12.50."),
        "days": _("Enter whole days, from 0 to 120."),
        "days_order": _("The latest day cannot come before the earliest."),
        "one_rest": _("Only one zone can be the rest of the world."),
    }


def check_template(*, store: Store, data: dict) -> CleanTemplate:
    """``data`` checked for ``store`` (pure; raises ``shipping.invalid`` 422 with per-field messages)."""
    cleaned, problems = clean_template(data, currency=store.base_currency_id, is_country=is_country, texts=_texts())
    if problems:
        raise DomainError("shipping.invalid", next(iter(problems.values()))[0], fields=problems)
    return cleaned


def _check_writable(access) -> None:
    access.require(EDIT)
    if not access.store.is_active:
        raise DomainError("store.suspended", _("This store is suspended."), status=403)


def _write_zones(template: ShippingTemplate, cleaned: CleanTemplate) -> None:
    template.zones.all().delete()
    zones = Zone.objects.bulk_create([
        Zone(template=template, name=zone.name, countries=list(zone.countries), is_rest_of_world=zone.is_rest_of_world,
             position=position) for position, zone in enumerate(cleaned.zones)])
    Method.objects.bulk_create([
        Method(zone=zone, kind=method.kind, name=method.name, pricing=method.pricing, transport=method.transport,
               first_amount=method.first_amount, additional_amount=method.additional_amount,
               free_over=method.free_over, days_min=method.days_min, days_max=method.days_max)
        for zone, clean_zone in zip(zones, cleaned.zones, strict=True) for method in clean_zone.methods])


def _name_taken() -> DomainError:
    return field_error("shipping.name_taken", "name", _("The store has a template with that name already."))


def create_template(*, access, data: dict, is_default: bool = False) -> ShippingTemplate:
    """A new template for ``access.store``; the store's first template becomes its default.

    Raises ``shipping.invalid`` (422), ``shipping.name_taken`` (422), ``store.role_required`` /
    ``store.suspended`` (403).
    """
    _check_writable(access)
    store = access.store
    cleaned = check_template(store=store, data=data)
    with transaction.atomic():
        transaction.on_commit(invalidate_store_templates)
        has_default = ShippingTemplate.objects.select_for_update().filter(store=store, is_default=True).exists()
        if is_default and has_default:
            ShippingTemplate.objects.filter(store=store, is_default=True).update(is_default=False)
        try:
            with transaction.atomic():
                template = ShippingTemplate.objects.create(
                    store=store, name=cleaned.name, ship_from=cleaned.ship_from, handling_days=cleaned.handling_days,
                    currency=store.base_currency_id, is_default=is_default or not has_default)
        except IntegrityError as error:
            raise _name_taken() from error
        _write_zones(template, cleaned)
        ShippingEvent.objects.create(store=store, actor=access.membership.user, kind="template_created",
                                     data={"template_id": template.id, "name": template.name})
    return access_template(access=access, template_id=template.id)


def update_template(*, access, template_id, data: dict, is_default: bool | None = None) -> ShippingTemplate:
    """Replace a template's settings, zones and methods. Making it the default takes the mark from the
    other; a default cannot be un-made directly (choose another). Errors as ``create_template``, and
    ``shipping.template_not_found`` (404) for another store's template."""
    _check_writable(access)
    store = access.store
    template = access_template(access=access, template_id=template_id)
    cleaned = check_template(store=store, data=data)
    with transaction.atomic():
        transaction.on_commit(invalidate_store_templates)
        if is_default and not template.is_default:
            ShippingTemplate.objects.filter(store=store, is_default=True).update(is_default=False)
            template.is_default = True
        template.name, template.ship_from, template.handling_days = cleaned.name, cleaned.ship_from, cleaned.handling_days
        template.currency = store.base_currency_id
        try:
            with transaction.atomic():
                template.save()
        except IntegrityError as error:
            raise _name_taken() from error
        _write_zones(template, cleaned)
        ShippingEvent.objects.create(store=store, actor=access.membership.user, kind="template_updated",
                                     data={"template_id": template.id, "name": template.name})
    return access_template(access=access, template_id=template.id)


def make_default_template(*, access, template_id) -> ShippingTemplate:
    """Make one of the store's templates the one its products use unless they name another."""
    _check_writable(access)
    template = access_template(access=access, template_id=template_id)
    with transaction.atomic():
        transaction.on_commit(invalidate_store_templates)
        ShippingTemplate.objects.filter(store=access.store, is_default=True).exclude(pk=template.pk) \
            .update(is_default=False)
        ShippingTemplate.objects.filter(pk=template.pk).update(is_default=True)
        ShippingEvent.objects.create(store=access.store, actor=access.membership.user, kind="template_made_default",
                                     data={"template_id": template.id, "name": template.name})
    template.is_default = True
    return template


def delete_template(*, access, template_id) -> None:
    """Delete a template; its products fall back to the default, and when it was the default the next
    template by name becomes the default. The last template cannot be deleted (``shipping.last_template``,
    409): once a seller has said where they ship, one click must not send them back to the flat rate to
    every country."""
    _check_writable(access)
    template = access_template(access=access, template_id=template_id)
    with transaction.atomic():
        transaction.on_commit(invalidate_store_templates)
        others = ShippingTemplate.objects.select_for_update().filter(store=access.store).exclude(pk=template.pk) \
            .order_by("name", "id")
        successor = others.first()
        if successor is None:
            raise DomainError("shipping.last_template",
                              _("A store needs at least one shipping template; make another before deleting this one."),
                              status=409)
        Product.objects.filter(store=access.store, shipping_template=template).update(shipping_template=None)
        template.delete()
        if template.is_default:
            ShippingTemplate.objects.filter(pk=successor.pk).update(is_default=True)
        ShippingEvent.objects.create(store=access.store, actor=access.membership.user, kind="template_deleted",
                                     data={"template_id": template_id, "name": template.name})


def set_product_template(*, access, product, template_id) -> None:
    """Ship ``product`` with one of the store's templates, or with the default when ``template_id`` is
    empty. Needs ``edit_catalog``; another store's template is ``shipping.template_not_found`` (404)."""
    access.require("edit_catalog")
    chosen = access_template(access=access, template_id=template_id).id if template_id not in (None, "") else None
    with transaction.atomic():
        Product.objects.filter(pk=product.pk, store=access.store).update(shipping_template=chosen)
        ShippingEvent.objects.create(store=access.store, actor=access.membership.user, kind="product_template_chosen",
                                     data={"product_id": product.pk, "template_id": chosen})
    product.shipping_template_id = chosen

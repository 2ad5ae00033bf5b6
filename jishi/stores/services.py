"""Writes for stores: opening a store, its settings, its team, and operator suspension.

Every change writes a ``StoreEvent`` audit row (who, what, when) in the same transaction. Mail goes
out only after commit. Invariants: one owner per store (database constraint), the owner cannot be
removed, slugs are unique and never collide with the site's own paths.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from babel.numbers import get_territory_currencies
from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jishi.accounts.rules import is_operator
from jishi.core import clock, jobs
from jishi.core.countries import is_country
from jishi.core.errors import DomainError, NotFound, PermissionDenied, field_error
from jishi.core.images import read_image
from jishi.money.models import Currency
from jishi.money.rules import minor_units, quantize, to_decimal
from jishi.money.selectors import list_currency_codes
from jishi.search import services as search_index
from jishi.stores.models import ImportTerms, Invitation, Membership, Role, Store, StoreEvent, StoreStatus
from jishi.stores.selectors import public_stores_changed

MAX_STORES_PER_OWNER = 20
RESERVED_SLUGS = frozenset({"admin", "api", "seller", "static", "media", "accounts", "new", "open", "i18n",
                            "preferences", "invitations", "jishi", "store", "stores", "products", "search", "help"})


def _event(store: Store, actor, kind: str, **data) -> None:
    StoreEvent.objects.create(store=store, actor=actor, kind=kind, data=data)


def default_currency_for(country: str) -> str | None:
    """The country's own currency when the marketplace supports it."""
    codes = set(list_currency_codes())
    for code in get_territory_currencies(country.upper(), tender=True, non_tender=False) if is_country(country) else []:
        if code in codes:
            return code
    return None


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not 2 <= len(name) <= 80:
        raise field_error("store.invalid", "name", _("A store name has 2 to 80 characters."))
    return name


def _clean_country(country: str) -> str:
    if not is_country(country or ""):
        raise field_error("store.invalid", "country", _("Choose a country."))
    return country.upper()


def _clean_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if not Currency.objects.filter(code=code, is_active=True).exists():
        raise field_error("store.invalid", "base_currency", _("Choose a currency the marketplace supports."))
    return code


def _slug_taken() -> DomainError:
    return DomainError("store.slug_taken", _("This store address is taken."), status=409,
                       fields={"slug": [_("This store address is taken; try another.")]})


def _clean_typed_slug(slug: str) -> str:
    cleaned = slugify(slug or "")[:60].strip("-")
    if len(cleaned) < 3:
        raise field_error("store.invalid", "slug", _("Use at least 3 letters, digits or dashes."))
    if cleaned in RESERVED_SLUGS:
        raise field_error("store.slug_reserved", "slug", _("This address is reserved; choose another."))
    return cleaned


def _derive_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-")
    if len(base) < 3 or base in RESERVED_SLUGS:
        base = f"store-{secrets.token_hex(3)}"
    taken = set(Store.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def open_store(*, owner, name: str, country: str, base_currency: str, slug: str | None = None) -> Store:
    """Open a live store owned by ``owner`` in one step.

    The store can sell and ship as soon as this transaction commits: until its seller makes a shipping
    template, every order is quoted at the store's flat rate (``Store.shipping_rate``, zero at first), a
    column of this app that shipping reads. Shipping sits above stores, so opening a store asks nothing of it.

    Raises ``store.invalid`` (422) for a bad name, country or currency, ``store.slug_taken`` (409)
    when a typed address is in use, ``store.too_many`` (409) past 20 stores per owner.
    """
    name = _clean_name(name)
    country = _clean_country(country)
    currency = _clean_currency(base_currency)
    typed = bool(slug and slug.strip())
    slug = _clean_typed_slug(slug) if typed else _derive_slug(name)
    if Membership.objects.filter(user=owner, role=Role.OWNER).count() >= MAX_STORES_PER_OWNER:
        raise DomainError("store.too_many", _("You can own at most 20 stores."), status=409)
    try:
        with transaction.atomic():
            if typed and Store.objects.filter(slug=slug).exists():
                raise _slug_taken()
            store = Store.objects.create(slug=slug, name=name, country=country, base_currency_id=currency)
            Membership.objects.create(store=store, user=owner, role=Role.OWNER)
            _event(store, owner, "store.opened", name=name)
            public_stores_changed()
    except IntegrityError:
        raise _slug_taken()
    return store


def _store_input_problems(*, name: str, country: str, base_currency: str, slug: str | None) -> dict[str, list[str]]:
    """Every problem with a new store's name, country, currency and typed address, without writing."""
    fields: dict[str, list[str]] = {}
    checks = [(_clean_name, name), (_clean_country, country), (_clean_currency, base_currency)]
    if slug and slug.strip():
        checks.append((_clean_typed_slug, slug))
    for clean, value in checks:
        try:
            clean(value)
        except DomainError as error:
            for field, messages in error.fields.items():
                fields.setdefault(field, []).extend(messages)
    return fields


def open_store_with_account(*, email: str, password: str, name: str, country: str, base_currency: str,
                            slug: str | None = None, language: str = "", currency: str = "") -> tuple:
    """Sign a visitor up and open their store, in one transaction: both are made, or neither.

    Every problem with the account and the store is reported at once, under the fields of both forms
    (``email``, ``password``, ``name``, ``country``, ``base_currency``, ``slug``). Raises ``account.invalid``,
    ``account.email_taken`` (409), ``store.invalid`` and ``store.slug_taken`` (409). Returns (user, store).
    """
    from jishi.accounts import services as accounts  # accounts never imports stores

    store_problems = _store_input_problems(name=name, country=country, base_currency=base_currency, slug=slug)
    with transaction.atomic():
        try:
            user = accounts.sign_up(email=email, password=password, language=language, currency=currency,
                                    country=country if is_country(country or "") else "")
        except DomainError as error:
            if not store_problems:
                raise
            fields = {**store_problems, **error.fields}
            raise DomainError(error.code, error.message, fields=fields, status=error.status)
        if store_problems:  # raised inside the transaction: the account just made is rolled back
            raise DomainError("store.invalid", next(iter(store_problems.values()))[0], fields=store_problems)
        store = open_store(owner=user, name=name, country=country, base_currency=base_currency, slug=slug)
    return user, store


def _clean_shipping_rate(raw, currency: str):
    try:
        value = to_decimal(raw)
    except (TypeError, ValueError):
        raise field_error("store.invalid", "shipping_rate", _("Enter the shipping charge as a number, like 12.50."))
    if value < 0 or value >= Decimal("1e9"):
        raise field_error("store.invalid", "shipping_rate", _("Enter a shipping charge from zero up."))
    if quantize(value, currency) != value:
        raise field_error("store.invalid", "shipping_rate",
                          _("%(currency)s amounts have at most %(places)s decimals.") % {
                              "currency": currency, "places": minor_units(currency)})
    return quantize(value, currency)


def update_store(*, access, name=None, description=None, country=None, slug=None, base_currency=None,
                 logo=None, banner=None, shipping_rate=None, import_terms=None) -> Store:
    """Change a store's settings (owner or manager). Uploads are checked before anything is saved.

    ``import_terms`` (``DAP`` or ``DDP``) says who pays duties and import taxes at a border the law leaves
    to the parcel: the buyer on delivery, or the store, prepaid by the buyer at checkout.

    Raises ``store.invalid``, ``store.slug_taken``, ``store.currency_locked`` (409, once products exist),
    ``upload.*`` for a bad logo or banner, ``store.suspended`` (409).
    """
    access.require("edit_store")
    store = access.store
    if not store.is_active:
        raise DomainError("store.suspended", _("This store is suspended."), status=409)
    changes: dict = {}
    if name is not None:
        changes["name"] = _clean_name(name)
    if description is not None:
        if len(description) > 4000:
            raise field_error("store.invalid", "description", _("Keep the description under 4,000 characters."))
        changes["description"] = description.strip()
    if country is not None:
        changes["country"] = _clean_country(country)
    if slug is not None and slug != store.slug:
        changes["slug"] = _clean_typed_slug(slug)
    if base_currency is not None and base_currency.upper() != store.base_currency_id:
        if store.products.exists():
            raise DomainError("store.currency_locked", _("The currency cannot change once the store has products."),
                              status=409, fields={"base_currency": [_("Locked: the store has products.")]})
        changes["base_currency_id"] = _clean_currency(base_currency)
    if shipping_rate is not None:
        changes["shipping_rate"] = _clean_shipping_rate(shipping_rate, changes.get("base_currency_id",
                                                                                 store.base_currency_id))
    if import_terms is not None:
        if import_terms not in ImportTerms.values:
            raise field_error("store.invalid", "import_terms", _("Choose DAP or DDP."))
        changes["import_terms"] = import_terms
    images = {}
    for field, upload in (("logo", logo), ("banner", banner)):
        if upload is not None:
            images[field] = read_image(upload, field=field)
    try:
        with transaction.atomic():
            if "slug" in changes and Store.objects.filter(slug=changes["slug"]).exclude(pk=store.pk).exists():
                raise _slug_taken()
            for attr, value in changes.items():
                setattr(store, attr, value)
            for field, checked in images.items():
                getattr(store, field).save(checked.content.name, checked.content, save=False)
            store.updated_at = clock.now()
            store.save()
            _event(store, access.membership.user, "store.updated",
                   fields=sorted([*changes, *images]))
            store_changed(store=store, fields={name.removesuffix("_id") for name in changes})
    except IntegrityError:
        raise _slug_taken()
    return store


def store_changed(*, store: Store, fields: set[str]) -> None:
    """What follows a change to these fields of a store, in the changing transaction (the seller centre's
    settings or the operator's admin): cached pages and the search index. A new flat rate, country or
    currency needs nothing more: shipping reads them from the store row for a store without templates."""
    public_stores_changed()
    if {"name", "country"} & fields:
        # Products are found by these. The catalogue sits above stores: its job is asked for by name.
        jobs.enqueue("jishi.catalog.tasks.index_store_products", store.id)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(*, access, email: str, role: str) -> Invitation:
    """Invite someone by email as manager or staff (owner only). The email goes out after commit."""
    access.require("manage_members", _("Only the owner manages the team."))
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except Exception:
        raise field_error("member.invalid", "email", _("Enter a valid email address."))
    if role not in (Role.MANAGER, Role.STAFF):
        raise field_error("member.invalid", "role", _("Choose manager or staff."))
    store = access.store
    if Membership.objects.filter(store=store, user__email__iexact=email).exists():
        raise field_error("member.exists", "email", _("This person is already a member."))
    token = secrets.token_urlsafe(32)
    # The link names SITE_URL, never the request's Host header: a forged Host must not redirect invitations.
    link = settings.SITE_URL + reverse("web:accept_invitation", args=[token])
    subject = _("You are invited to %(store)s on %(site)s") % {"store": store.name, "site": settings.SITE_NAME}
    body = _("%(inviter)s invited you to help run %(store)s as %(role)s.\n\nAccept here: %(link)s\n\n"
             "Sign in (or sign up) with this email address to accept.") % {
        "inviter": access.membership.user.get_full_name(), "store": store.name,
        "role": Role(role).label, "link": link}
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(store=store, email=email, role=role, token_hash=_hash(token),
                                                   invited_by=access.membership.user)
            _event(store, access.membership.user, "member.invited", email=email, role=role)
            # The mail is a job of the outbox, written with the invitation: it is sent even if the mail
            # server or the broker is down right now (the token exists only in it: the row is purged once done).
            jobs.enqueue("jishi.core.tasks.send_mail", subject, body, email)
    except IntegrityError:
        raise DomainError("member.already_invited", _("This email has an open invitation already."), status=409,
                          fields={"email": [_("This email has an open invitation already.")]})
    return invitation


def get_open_invitation(token: str) -> Invitation:
    invitation = (Invitation.objects.select_related("store")
                  .filter(token_hash=_hash(token or ""), accepted_at__isnull=True, revoked_at__isnull=True).first())
    if invitation is None:
        raise NotFound("invitation.not_found", _("This invitation is not valid any more."))
    return invitation


def accept_invitation(*, user, token: str) -> Membership:
    """Join the store as the invited role. The signed-in account must have the invited email."""
    with transaction.atomic():
        invitation = get_open_invitation(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise NotFound("invitation.not_found", _("This invitation is not valid any more."))
        if invitation.email.lower() != user.email.lower():
            raise DomainError("invitation.wrong_account",
                              _("This invitation is for %(email)s. Sign in with that account to accept.")
                              % {"email": invitation.email}, status=403)
        membership, created = Membership.objects.get_or_create(store=invitation.store, user=user,
                                                               defaults={"role": invitation.role})
        invitation.accepted_at = clock.now()
        invitation.save(update_fields=["accepted_at"])
        _event(invitation.store, user, "member.joined", role=membership.role)
    return membership


def revoke_invitation(*, access, invitation_id: int) -> None:
    access.require("manage_members", _("Only the owner manages the team."))
    with transaction.atomic():
        updated = Invitation.objects.filter(store=access.store, pk=invitation_id, accepted_at__isnull=True,
                                            revoked_at__isnull=True).update(revoked_at=clock.now())
        if not updated:
            raise NotFound("invitation.not_found", _("Invitation not found."))
        _event(access.store, access.membership.user, "member.invitation_revoked", invitation=invitation_id)


def _member(access, membership_id: int) -> Membership:
    access.require("manage_members", _("Only the owner manages the team."))
    membership = Membership.objects.select_related("user").filter(store=access.store, pk=membership_id).first()
    if membership is None:
        raise NotFound("member.not_found", _("Member not found."))
    if membership.role == Role.OWNER:
        raise DomainError("member.owner", _("The owner stays with the store."), status=409)
    return membership


def change_role(*, access, membership_id: int, role: str) -> Membership:
    if role not in (Role.MANAGER, Role.STAFF):
        raise field_error("member.invalid", "role", _("Choose manager or staff."))
    with transaction.atomic():
        membership = _member(access, membership_id)
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _event(access.store, access.membership.user, "member.role_changed", member=membership.user.email,
               old=old, new=role)
    return membership


def remove_member(*, access, membership_id: int) -> None:
    with transaction.atomic():
        membership = _member(access, membership_id)
        membership.delete()
        _event(access.store, access.membership.user, "member.removed", member=membership.user.email)


def _require_operator(actor) -> None:
    if not is_operator(actor):
        raise PermissionDenied("store.operator_only",
                               _("Only the marketplace's staff may suspend or reinstate a store."))


def suspend_store(*, store: Store, reason: str, actor) -> Store:
    """Operator action: hide the store and its products everywhere at once; members see the reason.

    After commit, each buyer with an open order at the store is told once what happens to it and to their
    money (one job for the whole suspension; orders sits above stores, so it is asked for by name). A
    store already suspended gets its new reason and nobody is told twice. Raises ``store.operator_only``
    (403) for anyone but staff and ``store.invalid`` (422) without a reason.
    """
    _require_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("store.invalid", "reason", _("Give the store a reason for the suspension."))
    with transaction.atomic():
        was_active = Store.objects.select_for_update().filter(pk=store.pk, status=StoreStatus.ACTIVE).exists()
        Store.objects.filter(pk=store.pk).update(status=StoreStatus.SUSPENDED, suspension_reason=reason[:2000],
                                                 suspended_at=clock.now(), updated_at=clock.now())
        if was_active:
            jobs.enqueue("jishi.orders.tasks.send_store_suspended_mail", store.pk)
        search_index.remove_store(store_id=store.pk)
        _event(store, actor, "store.suspended", reason=reason[:2000])
        public_stores_changed()
    store.refresh_from_db()
    return store


def reinstate_store(*, store: Store, actor) -> Store:
    """Operator action: the store and its products are back on sale. A store that is not suspended is
    answered as it is (asked twice, nothing happens twice); ``store.operator_only`` (403) for anyone but
    staff."""
    _require_operator(actor)
    with transaction.atomic():
        reinstated = Store.objects.filter(pk=store.pk, status=StoreStatus.SUSPENDED).update(
            status=StoreStatus.ACTIVE, suspension_reason="", suspended_at=None, updated_at=clock.now())
        if reinstated:
            jobs.enqueue("jishi.catalog.tasks.index_store_products", store.pk)  # its products come back
            _event(store, actor, "store.reinstated")
            public_stores_changed()
    store.refresh_from_db()
    return store

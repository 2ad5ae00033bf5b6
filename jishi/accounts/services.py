"""Writes for accounts: sign-up, preferences, addresses and personal access tokens.

Every public function is one transaction and raises ``DomainError`` with per-field messages for bad
input; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jishi.accounts.models import Address, PersonalAccessToken, User
from jishi.accounts.rules import ADDRESS_FIELDS, clean_address
from jishi.accounts.tokens import hash_token, new_token
from jishi.core import clock
from jishi.core.countries import is_country
from jishi.core.errors import DomainError, NotFound, field_error
from jishi.money.selectors import list_currency_codes


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def sign_up(*, email: str, password: str, name: str = "", language: str = "", currency: str = "",
            country: str = "") -> User:
    """Create a shopper account (any account can open a store later).

    Raises ``account.invalid`` for a bad email or weak password, ``account.email_taken`` for a duplicate.
    """
    email = normalize_email(email)
    fields: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        fields["email"] = [_("Enter a valid email address.")]
    if len(name) > 120:
        fields["name"] = [_("Keep the name under 120 characters.")]
    try:
        validate_password(password or "", user=User(email=email, name=name))
    except ValidationError as exc:
        fields["password"] = list(exc.messages)
    if fields:
        raise DomainError("account.invalid", next(iter(fields.values()))[0], fields=fields)
    prefs = _clean_preferences(language=language, currency=currency, country=country)
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise _email_taken()
            return User.objects.create_user(email=email, password=password, name=name.strip(), **prefs)
    except IntegrityError:
        raise _email_taken()


def _email_taken() -> DomainError:
    return DomainError("account.email_taken", _("An account with this email already exists."), status=409,
                       fields={"email": [_("An account with this email already exists.")]})


def _clean_preferences(*, language: str | None = None, currency: str | None = None,
                       country: str | None = None) -> dict:
    from django.conf import settings

    cleaned: dict[str, str] = {}
    fields: dict[str, list[str]] = {}
    if language:
        if language not in dict(settings.LANGUAGES):
            fields["language"] = [_("Choose English or Simplified Chinese.")]
        cleaned["preferred_language"] = language
    if currency:
        code = currency.strip().upper()
        if code not in list_currency_codes():
            fields["currency"] = [_("Choose a currency the marketplace supports.")]
        cleaned["preferred_currency"] = code
    if country:
        if not is_country(country):
            fields["country"] = [_("Unknown country.")]
        cleaned["country"] = country.upper()
    if fields:
        raise DomainError("account.invalid", next(iter(fields.values()))[0], fields=fields)
    return cleaned


def update_preferences(*, user: User, language: str | None = None, currency: str | None = None,
                       country: str | None = None, name: str | None = None) -> User:
    """Save the profile's language, currency, country and name. Blank strings clear a preference."""
    changes = _clean_preferences(language=language, currency=currency, country=country)
    for attr, value in (("preferred_language", language), ("preferred_currency", currency), ("country", country)):
        if value == "":
            changes[attr] = ""
    if name is not None:
        if len(name) > 120:
            raise field_error("account.invalid", "name", _("Keep the name under 120 characters."))
        changes["name"] = name.strip()
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
        for attr, value in changes.items():
            setattr(user, attr, value)
    return user


def issue_token(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[PersonalAccessToken, str]:
    """Create a personal access token; returns the row and the plain token, which is never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise field_error("token.invalid", "name", _("Give the token a name of 1 to 100 characters."))
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise field_error("token.invalid", "expires_in_days", _("Choose between 1 and 3650 days."))
    plain = new_token()
    expires_at = clock.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = PersonalAccessToken.objects.create(user=user, name=name, prefix=plain[:12],
                                               token_hash=hash_token(plain), expires_at=expires_at)
    return token, plain


def revoke_token(*, user: User, token_id: int) -> None:
    updated = PersonalAccessToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now())
    if not updated:
        raise NotFound("token.not_found", _("Token not found."))


MAX_ADDRESSES = 50


def _clean_address_or_raise(data: dict) -> dict:
    cleaned, problems = clean_address(data)
    if problems:
        raise DomainError("address.invalid", next(iter(problems.values()))[0], fields=problems)
    return cleaned


def create_address(*, user: User, data: dict, make_default: bool = False) -> Address:
    """Add an address to the user's book; the first one becomes the default."""
    cleaned = _clean_address_or_raise(data)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        count = Address.objects.filter(user=user).count()
        if count >= MAX_ADDRESSES:
            raise DomainError("address.too_many", _("An address book holds at most 50 addresses."), status=409)
        if make_default and count:
            Address.objects.filter(user=user, is_default=True).update(is_default=False)
        return Address.objects.create(user=user, is_default=make_default or count == 0, **cleaned)


def update_address(*, address: Address, data: dict) -> Address:
    merged = {field: data.get(field, getattr(address, field)) for field in ADDRESS_FIELDS}
    cleaned = _clean_address_or_raise(merged)
    for field, value in cleaned.items():
        setattr(address, field, value)
    address.updated_at = clock.now()
    address.save()
    return address


def set_default_address(*, address: Address) -> Address:
    with transaction.atomic():
        Address.objects.filter(user_id=address.user_id, is_default=True).update(is_default=False)
        Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True
    return address


def delete_address(*, address: Address) -> None:
    """Remove an address; when it was the default, the newest remaining one takes its place."""
    with transaction.atomic():
        address.delete()
        if address.is_default:
            newest = Address.objects.filter(user_id=address.user_id).order_by("-created_at", "-id").first()
            if newest is not None:
                Address.objects.filter(pk=newest.pk).update(is_default=True)

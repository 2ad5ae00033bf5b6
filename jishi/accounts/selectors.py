"""Reads for accounts: token lookup, a user's addresses and tokens."""

from __future__ import annotations

from django.db.models import Q

from jishi.accounts.models import Address, PersonalAccessToken, User
from jishi.accounts.tokens import TOKEN_PREFIX, hash_token
from jishi.core import clock
from jishi.core.errors import NotFound


def get_user_for_token(token: str) -> User | None:
    """The active user a live (unrevoked, unexpired) token belongs to, or None; marks it used."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = clock.now()
    found = (PersonalAccessToken.objects.select_related("user")
             .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
             .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).first())
    if found is None:
        return None
    # One write per minute at most: tokens are used on every call.
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        PersonalAccessToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def list_tokens(*, user: User) -> list[PersonalAccessToken]:
    return list(PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True))


def list_addresses(*, user: User) -> list[Address]:
    return list(Address.objects.filter(user=user))


def access_address(*, user: User, address_id: int) -> Address:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFound("address.not_found", "Address not found.")
    return address

"""Reads for accounts: token lookup, a user's addresses and tokens."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from jishi.accounts.models import Address, PersonalAccessToken, User
from jishi.accounts.tokens import TOKEN_PREFIX, hash_token
from jishi.core import clock
from jishi.core.errors import NotFound


def _token_user_sql() -> str:
    """The user of a live token, with the token's id and whether its last-use mark is stale, in one query.

    Written out (it runs on every API call): the ORM spends four times the CPU building the same query.
    """
    users, tokens = User._meta.db_table, PersonalAccessToken._meta.db_table
    user_columns = ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)
    return (f'SELECT {user_columns}, t."id" AS token_id, '  # noqa: S608  (our own table and column names)
            '(t."last_used_at" IS NULL OR t."last_used_at" < %s) AS token_stale '
            f'FROM "{users}" u INNER JOIN "{tokens}" t ON t."user_id" = u."id" '
            'WHERE t."token_hash" = %s AND t."revoked_at" IS NULL AND u."is_active" '
            'AND (t."expires_at" IS NULL OR t."expires_at" > %s)')


_TOKEN_USER_SQL = _token_user_sql()
TOKEN_MARK_EVERY = dt.timedelta(seconds=60)


def get_user_for_token(token: str) -> User | None:
    """The active user a live (unrevoked, unexpired) token belongs to, or None; marks it used."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = clock.now()
    adapt = connection.ops.adapt_datetimefield_value
    found = next(iter(User.objects.raw(_TOKEN_USER_SQL, [adapt(now - TOKEN_MARK_EVERY), hash_token(token), adapt(now)])),
                 None)
    if found is None:
        return None
    # One write per minute at most: tokens are used on every call.
    if found.token_stale:
        PersonalAccessToken.objects.filter(pk=found.token_id).update(last_used_at=now)
    return found


def list_tokens(*, user: User) -> list[PersonalAccessToken]:
    return list(PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True))


def list_addresses(*, user: User) -> list[Address]:
    return list(Address.objects.filter(user=user))


def get_address_fields(*, user: User, address_id: int, fields: tuple[str, ...]) -> dict | None:
    """Just ``fields`` (text fields) of one of ``user``'s addresses, or None: one query, written out since
    every checkout runs it (the ORM spends four times the CPU building it)."""
    columns = ", ".join(f'"{Address._meta.get_field(name).column}"' for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "{Address._meta.db_table}" '  # noqa: S608  (our own names)
                       'WHERE "id" = %s AND "user_id" = %s', [address_id, user.pk])
        row = cursor.fetchone()
    return None if row is None else dict(zip(fields, row, strict=True))


def access_address(*, user: User, address_id: int) -> Address:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFound("address.not_found", _("Address not found."))
    return address

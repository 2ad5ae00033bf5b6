"""Transactions that roll back whole, and the blocks inside them that need no savepoint of their own.

A nested ``transaction.atomic()`` costs two round trips (``SAVEPOINT`` and ``RELEASE SAVEPOINT``) so that
an error inside can be caught and the outer transaction carry on. When the outer block is a unit of
work that any error rolls back whole (nothing inside catches and goes on), the savepoint buys nothing:
open that block with ``atomic_whole()`` and the blocks directly inside it with ``atomic_part()``. Inside
any other transaction (a caller's, a test's) ``atomic_part()`` keeps its savepoint.
"""

from __future__ import annotations

from django.db import transaction


def atomic_whole(using: str | None = None) -> transaction.Atomic:
    """``transaction.atomic()`` for a unit of work that an error anywhere inside rolls back whole."""
    block = transaction.atomic(using=using)
    block.rolls_back_whole = True
    return block


def in_atomic_whole(using: str | None = None) -> bool:
    """Whether the innermost open atomic block is an ``atomic_whole()``."""
    connection = transaction.get_connection(using)
    return bool(connection.in_atomic_block and connection.atomic_blocks
                and getattr(connection.atomic_blocks[-1], "rolls_back_whole", False))


def atomic_part(using: str | None = None) -> transaction.Atomic:
    """``transaction.atomic()``, without a savepoint directly inside an ``atomic_whole()`` block (an error
    then marks that whole block for rollback, which is what it does anyway)."""
    return transaction.atomic(using=using, savepoint=not in_atomic_whole(using))

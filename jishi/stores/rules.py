"""Who may do what in a store. Pure data and functions: no database.

Roles: the owner does everything; a manager runs the store and its catalogue but not its team;
staff keep the catalogue and stock up to date and ship orders; cancelling or refunding an order (and
answering a refund request) takes a manager; so do the store's money and payouts, though only the
owner says where payouts go.
"""

from __future__ import annotations

from jishi.stores.models import Role

PERMISSIONS: dict[str, frozenset[str]] = {
    "view_store": frozenset({Role.OWNER, Role.MANAGER, Role.STAFF}),
    "edit_catalog": frozenset({Role.OWNER, Role.MANAGER, Role.STAFF}),
    "delete_products": frozenset({Role.OWNER, Role.MANAGER}),
    "edit_store": frozenset({Role.OWNER, Role.MANAGER}),
    "manage_members": frozenset({Role.OWNER}),
    "view_orders": frozenset({Role.OWNER, Role.MANAGER, Role.STAFF}),
    "fulfil_orders": frozenset({Role.OWNER, Role.MANAGER, Role.STAFF}),
    "cancel_orders": frozenset({Role.OWNER, Role.MANAGER}),
    "refund_orders": frozenset({Role.OWNER, Role.MANAGER}),
    "view_money": frozenset({Role.OWNER, Role.MANAGER}),
    "request_payouts": frozenset({Role.OWNER, Role.MANAGER}),
    "edit_payout_account": frozenset({Role.OWNER}),
}


def can(role: str | None, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"Unknown store action {action!r}")
    return role in PERMISSIONS[action]

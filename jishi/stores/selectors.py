"""Reads for stores: tenant-scoped loads (``access_*`` answer not-found to outsiders) and lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jishi.accounts.rules import is_operator
from jishi.core.errors import NotFound, PermissionDenied
from jishi.core.memo import SharedVersionMemo
from jishi.stores.models import Invitation, Membership, Store, StoreStatus
from jishi.stores.rules import can

# Moves with everything the storefront shows of stores (names, pictures, which are open): cached pages key
# on it (``web.page_cache``).
PUBLIC_STORES: SharedVersionMemo[None] = SharedVersionMemo("stores:public:token")


def public_stores_changed() -> None:
    """A store opened, changed or was suspended: cached pages are stale once the transaction commits."""
    PUBLIC_STORES.invalidate_on_commit()


@dataclass(frozen=True)
class StoreAccess:
    """A store as seen by one of its members."""

    store: Store
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    def can(self, action: str) -> bool:
        return can(self.role, action)

    def require(self, action: str, message: str = "") -> None:
        """Raise PermissionDenied ``store.role_required`` (403) unless this member's role allows ``action``:
        the one door every store-scoped service goes through."""
        if not self.can(action):
            raise PermissionDenied("store.role_required",
                                   message or _("Your role in this store does not allow that."))


def access_store(*, user, slug: str, action: str = "view_store") -> StoreAccess:
    """Load a store for one of its members allowed to do ``action``.

    Raises NotFound ``store.not_found`` when the store does not exist or ``user`` is not a member
    (outsiders cannot tell the two apart), PermissionDenied ``store.role_required`` when the member's
    role does not allow ``action``. Suspended stores load, so members can see why they are suspended;
    services refuse writes to them.
    """
    access = member_access(user=user, slug=slug)
    if access is None:
        raise NotFound("store.not_found", _("Store not found."))
    access.require(action)
    return access


def member_access(*, user, store_id: int | None = None, slug: str | None = None) -> StoreAccess | None:
    """``user``'s access to the store named by ``store_id`` or ``slug``, whatever their role; None for
    outsiders. For doors that answer outsiders their own way: a store's public profile, or a product,
    variant or image reached by its id, whose not-found is its own."""
    if user is None or not user.is_authenticated or (store_id is None and not slug):
        return None
    where = {"store_id": store_id} if store_id is not None else {"store__slug": slug}
    membership = (Membership.objects.select_related("store", "store__base_currency", "user")
                  .filter(user=user, **where).first())
    return StoreAccess(store=membership.store, membership=membership) if membership else None


def list_memberships(*, user) -> list[Membership]:
    """``user``'s memberships with their stores, by store name."""
    return list(Membership.objects.filter(user=user).select_related("store").order_by("store__name"))


def list_stores_for_member(*, user) -> list[Store]:
    return [m.store for m in list_memberships(user=user)]


def list_store_members(*, store) -> list[Membership]:
    """A store's members with their accounts, oldest first."""
    return list(Membership.objects.filter(store=store).select_related("user").order_by("created_at", "id"))


def list_open_invitations(*, store) -> list[Invitation]:
    return list(Invitation.objects.filter(store=store, accepted_at__isnull=True, revoked_at__isnull=True)
                .order_by("created_at", "id"))


def get_store_for_operator(*, user, slug: str) -> Store:
    """Any store, whatever its status, for the marketplace's staff only (everyone else: ``store.not_found``,
    as if there were no such store)."""
    store = Store.objects.filter(slug=str(slug)[:100]).first() if is_operator(user) else None
    if store is None:
        raise NotFound("store.not_found", _("Store not found."))
    return store


def get_public_store(*, slug: str) -> Store | None:
    return Store.objects.filter(slug=slug, status=StoreStatus.ACTIVE).select_related("base_currency").first()


def list_member_users(*, store_id: int) -> list:
    """Everyone who works in the store (for order mail)."""
    return [m.user for m in Membership.objects.filter(store_id=store_id).select_related("user").order_by("id")]


def store_has_products(store: Store) -> bool:
    """Whether the store has listed anything yet, in any status (pages greet a first product)."""
    return store.products.exists()

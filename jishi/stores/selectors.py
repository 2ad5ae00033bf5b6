"""Reads for stores: tenant-scoped loads (``access_*`` answer not-found to outsiders) and lists."""

from __future__ import annotations

from jishi.stores.models import Membership, Store, StoreStatus


def list_stores_for_member(*, user) -> list[Store]:
    return [m.store for m in Membership.objects.filter(user=user).select_related("store").order_by("store__name")]


def get_public_store(*, slug: str) -> Store | None:
    return Store.objects.filter(slug=slug, status=StoreStatus.ACTIVE).select_related("base_currency").first()

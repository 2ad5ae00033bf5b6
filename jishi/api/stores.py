"""Stores: open one, read and change it, and manage its team."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema
from pydantic import Field

from jishi.api.auth import optional_user
from jishi.api.schemas import AmountOrZero, CountryCode, CurrencyCode, Email, ErrorOut, one_of
from jishi.core.errors import NotFound
from jishi.money.rules import quantize
from jishi.stores import services
from jishi.stores.models import ImportTerms, Membership, Store
from jishi.stores.selectors import (
    access_store,
    get_public_store,
    list_memberships,
    list_open_invitations,
    list_store_members,
    member_access,
)

router = Router(tags=["stores"])


class StoreIn(Schema):
    name: str = Field(max_length=200)
    country: CountryCode
    base_currency: CurrencyCode
    slug: str | None = Field(None, max_length=100, description="Letters, digits and dashes, 3 to 60 of them; "
                                                               "made from the name when left out.")


class StorePatch(Schema):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    country: CountryCode | None = None
    slug: str | None = Field(None, max_length=100)
    base_currency: CurrencyCode | None = None
    shipping_rate: AmountOrZero | None = Field(None, description="Flat shipping charge per order, in the store's "
                                                                 "currency.")
    import_terms: str | None = one_of(ImportTerms.values, default=None, max_length=3, description=(
        "Where the law leaves duties and import taxes to the border: DAP, the buyer pays them on delivery; "
        "DDP, the buyer prepays them at checkout and the store settles them."))


class StoreOut(Schema):
    slug: str
    name: str
    country: str
    base_currency: str
    shipping_rate: Decimal = Field(description="Flat shipping charge per order, in base_currency.")
    import_terms: str = Field(description="DAP or DDP: who pays duties and import taxes due at the border.")
    description: str
    logo_url: str | None
    banner_url: str | None
    created_at: dt.datetime
    status: str | None = None
    suspension_reason: str | None = None
    role: str | None = None


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: str
    since: dt.datetime


class InvitationIn(Schema):
    email: Email
    role: str = one_of(["manager", "staff"], max_length=10)


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    created_at: dt.datetime


class RoleIn(Schema):
    role: str = one_of(["manager", "staff"], max_length=10)


def store_out(store: Store, role: str | None = None) -> StoreOut:
    member_view = role is not None
    return StoreOut(slug=store.slug, name=store.name, country=store.country, base_currency=store.base_currency_id,
                    shipping_rate=quantize(Decimal(store.shipping_rate), store.base_currency_id),
                    import_terms=store.import_terms,
                    description=store.description, logo_url=store.logo.url if store.logo else None,
                    banner_url=store.banner.url if store.banner else None, created_at=store.created_at,
                    status=store.status if member_view else None,
                    suspension_reason=store.suspension_reason if member_view else None, role=role)


def _member_out(m: Membership) -> MemberOut:
    return MemberOut(id=m.id, email=m.user.email, name=m.user.name, role=m.role, since=m.created_at)


@router.post("", response={201: StoreOut, 409: ErrorOut, 422: ErrorOut})
def open_store(request, payload: StoreIn):
    """Open a live store owned by the caller."""
    store = services.open_store(owner=request.auth, **payload.dict())
    return 201, store_out(store, role="owner")


@router.get("", response=list[StoreOut])
def my_stores(request):
    """The stores the caller is a member of, with the caller's role."""
    return [store_out(m.store, role=m.role) for m in list_memberships(user=request.auth)]


@router.get("/{slug}", auth=None, response={200: StoreOut, 404: ErrorOut})
def get_store(request, slug: str):
    """A live store's public profile; its members also see status and any suspension reason."""
    access = member_access(user=optional_user(request), slug=slug)
    if access is not None:
        return store_out(access.store, role=access.role)
    store = get_public_store(slug=slug)
    if store is None:
        raise NotFound("store.not_found", "Store not found.")
    return store_out(store)


@router.patch("/{slug}", response={200: StoreOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def update_store(request, slug: str, payload: StorePatch):
    access = access_store(user=request.auth, slug=slug, action="edit_store")
    store = services.update_store(access=access, **payload.dict(exclude_unset=True))
    return store_out(store, role=access.role)


@router.get("/{slug}/members", response={200: list[MemberOut], 404: ErrorOut})
def list_members(request, slug: str):
    access = access_store(user=request.auth, slug=slug)
    return [_member_out(m) for m in list_store_members(store=access.store)]


@router.post("/{slug}/invitations", response={201: InvitationOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                               422: ErrorOut})
def invite_member(request, slug: str, payload: InvitationIn):
    access = access_store(user=request.auth, slug=slug, action="manage_members")
    invitation = services.invite_member(access=access, email=payload.email, role=payload.role)
    return 201, invitation


@router.get("/{slug}/invitations", response={200: list[InvitationOut], 403: ErrorOut, 404: ErrorOut})
def list_invitations(request, slug: str):
    access = access_store(user=request.auth, slug=slug, action="manage_members")
    return list_open_invitations(store=access.store)


@router.delete("/{slug}/invitations/{invitation_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def revoke_invitation(request, slug: str, invitation_id: int):
    access = access_store(user=request.auth, slug=slug, action="manage_members")
    services.revoke_invitation(access=access, invitation_id=invitation_id)
    return 204, None


@router.patch("/{slug}/members/{membership_id}", response={200: MemberOut, 403: ErrorOut, 404: ErrorOut,
                                                          409: ErrorOut, 422: ErrorOut})
def change_role(request, slug: str, membership_id: int, payload: RoleIn):
    access = access_store(user=request.auth, slug=slug, action="manage_members")
    return _member_out(services.change_role(access=access, membership_id=membership_id, role=payload.role))


@router.delete("/{slug}/members/{membership_id}", response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def remove_member(request, slug: str, membership_id: int):
    access = access_store(user=request.auth, slug=slug, action="manage_members")
    services.remove_member(access=access, membership_id=membership_id)
    return 204, None

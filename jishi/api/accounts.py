"""Sign-up, personal access tokens, the caller's profile and address book."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from ninja import Router, Schema
from pydantic import Field

from jishi.accounts import selectors, services, throttle
from jishi.api.schemas import (
    CountryCode,
    CountryOrBlank,
    CurrencyOrBlank,
    Email,
    ErrorOut,
    LanguageOrBlank,
    PostalAddressOut,
)
from jishi.core.errors import DomainError

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"])


class SignUpIn(Schema):
    email: Email
    password: str = Field(min_length=1, max_length=128)
    name: str = Field("", max_length=120)
    language: LanguageOrBlank = ""
    currency: CurrencyOrBlank = ""
    country: CountryOrBlank = ""


class UserOut(Schema):
    id: int
    email: str
    name: str
    preferred_language: str
    preferred_currency: str
    country: str
    date_joined: dt.datetime


class TokenIn(Schema):
    email: str = Field(max_length=254, json_schema_extra={"format": "email"})
    password: str = Field(max_length=128)
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="None: the token never expires.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None


class NewTokenOut(TokenOut):
    token: str


class ProfileIn(Schema):
    name: str | None = Field(None, max_length=120)
    language: LanguageOrBlank | None = None
    currency: CurrencyOrBlank | None = None
    country: CountryOrBlank | None = None


class AddressIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field("", max_length=32)
    line1: str = Field(min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: CountryCode
    is_default: bool = False


class AddressPatch(Schema):
    """Only the fields sent change; none of them may be null."""

    name: str = Field(None, min_length=1, max_length=120)
    phone: str = Field(None, max_length=32)
    line1: str = Field(None, min_length=1, max_length=200)
    line2: str = Field(None, max_length=200)
    city: str = Field(None, min_length=1, max_length=100)
    region: str = Field(None, max_length=100)
    postal_code: str = Field(None, max_length=20)
    country: CountryCode = None


class AddressOut(PostalAddressOut):
    id: int
    is_default: bool


@auth_router.post("/signup", auth=None, response={201: UserOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def signup(request, payload: SignUpIn):
    """Create an account. Any account can shop and open stores. Sign-ups per address are limited per hour
    (429 with ``Retry-After``)."""
    throttle.count_sign_up(address=throttle.client_address(request))
    return 201, services.sign_up(**payload.dict())


@auth_router.post("/tokens", auth=None, response={201: NewTokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def create_token(request, payload: TokenIn):
    """Exchange an email and password for a personal access token. The token is in this answer only.

    Failed attempts slow down further ones, and new tokens per account are limited per hour: 429 with
    ``Retry-After``."""
    email, address = services.normalize_email(payload.email), throttle.client_address(request)
    throttle.ensure_sign_in_allowed(email=email, address=address)
    user = authenticate(request, username=email, password=payload.password)
    if user is None:
        throttle.record_failure(email=email, address=address)
        raise DomainError("auth.invalid_credentials", "The email or password is not right.", status=401)
    throttle.record_success(email=email, address=address)
    throttle.count_token_creation(user_id=user.pk)
    token, plain = services.issue_token(user=user, name=payload.name, expires_in_days=payload.expires_in_days)
    return 201, NewTokenOut(token=plain, **TokenOut.from_orm(token).dict())


@auth_router.get("/tokens", response=list[TokenOut])
def list_tokens(request):
    return selectors.list_tokens(user=request.auth)


@auth_router.delete("/tokens/{token_id}", response={204: None, 404: ErrorOut})
def revoke_token(request, token_id: int):
    services.revoke_token(user=request.auth, token_id=token_id)
    return 204, None


@me_router.get("", response=UserOut)
def me(request):
    return request.auth


@me_router.patch("", response={200: UserOut, 422: ErrorOut})
def update_me(request, payload: ProfileIn):
    return services.update_preferences(user=request.auth, **payload.dict(exclude_unset=True))


@me_router.get("/addresses", response=list[AddressOut])
def list_addresses(request):
    return selectors.list_addresses(user=request.auth)


@me_router.post("/addresses", response={201: AddressOut, 409: ErrorOut, 422: ErrorOut})
def create_address(request, payload: AddressIn):
    data = payload.dict()
    make_default = data.pop("is_default")
    return 201, services.create_address(user=request.auth, data=data, make_default=make_default)


@me_router.get("/addresses/{address_id}", response={200: AddressOut, 404: ErrorOut})
def get_address(request, address_id: int):
    return selectors.access_address(user=request.auth, address_id=address_id)


@me_router.patch("/addresses/{address_id}", response={200: AddressOut, 404: ErrorOut, 422: ErrorOut})
def update_address(request, address_id: int, payload: AddressPatch):
    address = selectors.access_address(user=request.auth, address_id=address_id)
    return services.update_address(address=address, data=payload.dict(exclude_unset=True))


@me_router.post("/addresses/{address_id}/default", response={200: AddressOut, 404: ErrorOut})
def make_default_address(request, address_id: int):
    address = selectors.access_address(user=request.auth, address_id=address_id)
    return services.set_default_address(address=address)


@me_router.delete("/addresses/{address_id}", response={204: None, 404: ErrorOut})
def delete_address(request, address_id: int):
    services.delete_address(address=selectors.access_address(user=request.auth, address_id=address_id))
    return 204, None

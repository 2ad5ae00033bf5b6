"""Reads for buyer protection, tenant-scoped: a buyer reaches only requests on their own orders, a store's
members only requests on the store's orders, the operator (staff) all of them. A miss answers
not-found, so outsiders cannot tell whether a request exists."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from jishi.accounts.rules import is_operator
from jishi.core.errors import NotFound
from jishi.core.ids import parse_id
from jishi.disputes.models import RefundRequest, RefundRequestEvent, RefundRequestStatus
from jishi.ledger.selectors import order_money
from jishi.money.rules import Money


def _not_found() -> NotFound:
    return NotFound("refund_request.not_found", _("Refund request not found."))


def _detailed(queryset):
    return queryset.select_related("order", "store", "buyer").prefetch_related(
        Prefetch("events", queryset=RefundRequestEvent.objects.select_related("actor").order_by("created_at", "id")))


def access_refund_request(*, user, order_id, request_id) -> RefundRequest:
    """One of ``user``'s refund requests on their order ``order_id``, with its events."""
    if user is None or not user.is_authenticated:
        raise _not_found()
    found = _detailed(RefundRequest.objects.filter(buyer=user, order_id=parse_id(order_id),
                                                   pk=parse_id(request_id))).first()
    if found is None:
        raise _not_found()
    return found


def access_store_refund_request(*, access, request_id) -> RefundRequest:
    """One refund request on ``access.store``'s orders (``access`` from ``stores.selectors.access_store``)."""
    found = _detailed(RefundRequest.objects.filter(store=access.store, pk=parse_id(request_id))).first()
    if found is None:
        raise _not_found()
    return found


def access_operator_refund_request(*, user, request_id) -> RefundRequest:
    """Any refund request, for the marketplace's staff only."""
    if not is_operator(user):
        raise _not_found()
    found = _detailed(RefundRequest.objects.filter(pk=parse_id(request_id))).first()
    if found is None:
        raise _not_found()
    return found


def list_order_refund_requests(*, order) -> list[RefundRequest]:
    """Every request on ``order``, newest first, with their events (an order has a handful at most)."""
    return list(_detailed(RefundRequest.objects.filter(order=order)).order_by("-created_at", "-id"))


def current_refund_request(requests: list[RefundRequest]) -> RefundRequest | None:
    """The active request among ``requests`` (from ``list_order_refund_requests``), else the latest one."""
    for found in requests:
        if found.active:
            return found
    return requests[0] if requests else None


def list_store_refund_requests(*, store, status: str | None = None):
    queryset = RefundRequest.objects.filter(store=store).select_related("order")
    if status in RefundRequestStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def list_operator_refund_requests(*, user, status: str | None = RefundRequestStatus.ESCALATED):
    """Every store's refund requests, for the marketplace's staff only (others get not-found); by default
    the escalated ones waiting for a decision, the one due first on top."""
    if not is_operator(user):
        raise _not_found()
    queryset = RefundRequest.objects.select_related("order", "store", "buyer")
    if status in RefundRequestStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("due_at", "created_at", "id") if status else queryset.order_by("-created_at", "-id")


def refundable(order) -> Money:
    """What can still go back to the buyer of ``order``, in its store currency (from the ledger)."""
    return order_money(order).refundable

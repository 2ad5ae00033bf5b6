"""Buyer protection pages: the buyer's refund request on their order page, the store's answers and refunds
in the seller centre, and the operator's arbitration pages (staff only, under /operator/).

Every action is a plain form post that comes back to the page it was made on; errors show inline there.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.core.errors import DomainError, PermissionDenied
from jishi.core.pagination import paginate, parse_page_number
from jishi.disputes import rules, selectors, services
from jishi.disputes.models import Decision, RefundRequestStatus
from jishi.money.rules import Money, quantize
from jishi.orders.selectors import access_operator_order, access_order, access_store_order
from jishi.payments import refunds
from jishi.web.access import store_access
from jishi.web.forms.errors import add_domain_errors
from jishi.web.forms.refunds import (
    REFUND_NOW,
    REFUND_ON_RETURN,
    ConfirmReturnForm,
    DecideForm,
    EscalateForm,
    RefundForm,
    RefundRequestForm,
    RejectForm,
    ReturnForm,
)
from jishi.web.timeline import order_timeline
from jishi.web.views.order_pages import render_buyer_order, render_store_order, with_money

PER_PAGE = 25


def _act(form, action, *, done: str, request, back, again):
    """Run ``action`` with the form's data: back to the page when done, else the page again with the error."""
    if form.is_valid():
        try:
            action(**form.cleaned_data)
        except PermissionDenied:
            raise  # the 403 page (web.errors), not a message on the form
        except DomainError as error:
            add_domain_errors(form, error)
            return again(status=409 if error.status == 409 else 200)
        messages.success(request, done)
        return back()
    return again(status=200)


# --- the buyer --------------------------------------------------------------------------------------


def _buyer_page(request, order_id: int, name: str, form):
    return lambda status: render_buyer_order(request, access_order(user=request.user, order_id=order_id), refund_forms={name: form},
                                             status=status)


@login_required
@require_POST
def request_refund(request, order_id: int):
    order = access_order(user=request.user, order_id=order_id)
    form = RefundRequestForm(request.POST)
    return _act(form, lambda reason, amount, goods_return, details: services.open_refund_request(
        order=order, buyer=request.user, reason=reason, amount=amount, goods_return=goods_return, details=details),
        done=_("Your refund request is sent. The store has %(days)s days to answer; until then your order "
               "is not confirmed automatically.") % {"days": _days("REFUND_RESPONSE_DAYS")},
        request=request, back=lambda: redirect("web:order_detail", order.id),
        again=_buyer_page(request, order.id, "request_form", form))


@login_required
@require_POST
def refund_return(request, order_id: int, request_id: int):
    found = selectors.access_refund_request(user=request.user, order_id=order_id, request_id=request_id)
    form = ReturnForm(request.POST)
    return _act(form, lambda carrier, tracking_number: services.add_return_tracking(
        request=found, buyer=request.user, carrier=carrier, tracking_number=tracking_number),
        done=_("Thank you. The store will confirm when the goods arrive, and you are refunded then."),
        request=request, back=lambda: redirect("web:order_detail", found.order_id),
        again=_buyer_page(request, found.order_id, "return_form", form))


@login_required
@require_POST
def refund_escalate(request, order_id: int, request_id: int):
    found = selectors.access_refund_request(user=request.user, order_id=order_id, request_id=request_id)
    form = EscalateForm(request.POST)
    return _act(form, lambda note: services.escalate_refund_request(request=found, buyer=request.user, note=note),
                done=_("The marketplace will look at your request and decide."),
                request=request, back=lambda: redirect("web:order_detail", found.order_id),
                again=_buyer_page(request, found.order_id, "escalate_form", form))


@login_required
@require_POST
def refund_withdraw(request, order_id: int, request_id: int):
    found = selectors.access_refund_request(user=request.user, order_id=order_id, request_id=request_id)
    try:
        services.withdraw_refund_request(request=found, buyer=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your refund request is withdrawn."))
    return redirect("web:order_detail", found.order_id)


def _days(setting: str) -> int:
    from django.conf import settings

    return getattr(settings, setting)


# --- the store --------------------------------------------------------------------------------------


def _store_page(request, access, order_id: int, name: str, form):
    return lambda status: render_store_order(request, access, access_store_order(access=access, order_id=order_id),
                                             refund_forms={name: form}, status=status)


def _store_back(access, order_id: int):
    return lambda: redirect("web:seller_order_detail", access.store.slug, order_id)


@login_required
@require_POST
def store_accept(request, slug: str, request_id: int):
    access = store_access(request, slug, "refund_orders")
    found = selectors.access_store_refund_request(access=access, request_id=request_id)
    try:
        services.accept_refund_request(access=access, request=found)
    except PermissionDenied:
        raise  # the 403 page (web.errors), not a message on the page
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You accepted the request: the buyer sends the goods back.") if found.goods_return
                         else _("You accepted the request and the buyer is refunded."))
    return redirect("web:seller_order_detail", access.store.slug, found.order_id)


@login_required
@require_POST
def store_reject(request, slug: str, request_id: int):
    access = store_access(request, slug, "refund_orders")
    found = selectors.access_store_refund_request(access=access, request_id=request_id)
    form = RejectForm(request.POST)
    return _act(form, lambda reason: services.reject_refund_request(access=access, request=found, reason=reason),
                done=_("You rejected the request; the buyer may ask the marketplace to decide."), request=request,
                back=_store_back(access, found.order_id),
                again=_store_page(request, access, found.order_id, "reject_form", form))


@login_required
@require_POST
def store_confirm_return(request, slug: str, request_id: int):
    access = store_access(request, slug, "refund_orders")
    found = selectors.access_store_refund_request(access=access, request_id=request_id)
    form = ConfirmReturnForm(request.POST)
    return _act(form, lambda restock: services.confirm_return(access=access, request=found, restock=restock),
                done=_("Return confirmed: the buyer is refunded."), request=request,
                back=_store_back(access, found.order_id),
                again=_store_page(request, access, found.order_id, "confirm_form", form))


@login_required
@require_POST
def store_refund(request, slug: str, order_id: int):
    access = store_access(request, slug, "refund_orders")
    order = access_store_order(access=access, order_id=order_id)
    form = RefundForm(request.POST)
    return _act(form, lambda amount, reason, restock: refunds.refund_store_order(
        access=access, order=order, amount=amount, reason=reason, restock=restock),
        done=_("The refund is on its way to the buyer."), request=request, back=_store_back(access, order.id),
        again=_store_page(request, access, order.id, "refund_form", form))


@login_required
def store_refund_requests(request, slug: str):
    access = store_access(request, slug, "view_orders")
    status = request.GET.get("status", "")
    status = status if status in RefundRequestStatus.values else ""
    page = paginate(selectors.list_store_refund_requests(store=access.store, status=status or None),
                    page=parse_page_number(request.GET.get("page")), per_page=PER_PAGE)
    for found in page.items:
        with_money(found)
    return render(request, "web/seller/refunds/list.html", {
        "access": access, "page": page, "requests": page.items, "status": status,
        "statuses": RefundRequestStatus.choices})


# --- the operator -----------------------------------------------------------------------------------


@login_required
def operator_refund_requests(request):
    status = request.GET.get("status", RefundRequestStatus.ESCALATED)
    status = status if status in RefundRequestStatus.values else ""
    page = paginate(selectors.list_operator_refund_requests(user=request.user, status=status or None),
                    page=parse_page_number(request.GET.get("page")), per_page=PER_PAGE)
    for found in page.items:
        with_money(found)
    return render(request, "web/operator/refund_requests.html", {
        "page": page, "requests": page.items, "status": status, "statuses": RefundRequestStatus.choices})


@login_required
def operator_refund_request(request, request_id: int):
    found = selectors.access_operator_refund_request(user=request.user, request_id=request_id)
    form = DecideForm(request.POST or None, initial={"amount": quantize(found.amount, found.currency)},
                      goods_return=found.goods_return)

    def page(status: int = 200):
        fresh = selectors.access_operator_refund_request(user=request.user, request_id=request_id)
        order = access_operator_order(user=request.user, order_id=fresh.order_id)
        return render(request, "web/operator/refund_request.html", {
            "refund_request": with_money(fresh), "order": order, "form": form,
            "can_decide": "decide" in rules.actions_for(fresh.status, rules.OPERATOR),
            "refundable": selectors.refundable(order),
            "steps": order_timeline(order, audience="store", refund_requests=[fresh]),
        }, status=status)

    if request.method != "POST":
        return page()
    return _act(form, lambda decision, amount, note, refund=REFUND_NOW: services.decide_refund_request(
        request=found, operator=request.user, for_buyer=decision == Decision.FOR_BUYER, amount=amount or None,
        note=note, refund_on_return=refund == REFUND_ON_RETURN), done=_("Decision recorded; both sides are told."), request=request,
        back=lambda: redirect("web:operator_refund_request", found.pk), again=page)


@login_required
def operator_order_refund(request, order_id: int):
    order = access_operator_order(user=request.user, order_id=order_id)
    form = RefundForm(request.POST or None)

    def page(status: int = 200):
        return render(request, "web/operator/order_refund.html", {
            "order": order, "form": form, "refundable": selectors.refundable(order),
            "total": Money(order.total, order.currency)}, status=status)

    if request.method != "POST":
        return page()
    return _act(form, lambda amount, reason, restock: refunds.refund_order_as_operator(
        operator=request.user, order=order, amount=amount, reason=reason, restock=restock),
        done=_("The refund is on its way to the buyer."), request=request,
        back=lambda: redirect("web:operator_order_refund", order.pk), again=page)


urlpatterns = [
    path("orders/<int:order_id>/refund-request/", request_refund, name="order_refund_request"),
    path("orders/<int:order_id>/refund-requests/<int:request_id>/return/", refund_return,
         name="order_refund_return"),
    path("orders/<int:order_id>/refund-requests/<int:request_id>/escalate/", refund_escalate,
         name="order_refund_escalate"),
    path("orders/<int:order_id>/refund-requests/<int:request_id>/withdraw/", refund_withdraw,
         name="order_refund_withdraw"),
    path("seller/<slug:slug>/refund-requests/", store_refund_requests, name="seller_refund_requests"),
    path("seller/<slug:slug>/refund-requests/<int:request_id>/accept/", store_accept, name="seller_refund_accept"),
    path("seller/<slug:slug>/refund-requests/<int:request_id>/reject/", store_reject, name="seller_refund_reject"),
    path("seller/<slug:slug>/refund-requests/<int:request_id>/confirm-return/", store_confirm_return,
         name="seller_refund_confirm_return"),
    path("seller/<slug:slug>/orders/<int:order_id>/refund/", store_refund, name="seller_order_refund"),
    path("operator/refund-requests/", operator_refund_requests, name="operator_refund_requests"),
    path("operator/refund-requests/<int:request_id>/", operator_refund_request, name="operator_refund_request"),
    path("operator/orders/<int:order_id>/refund/", operator_order_refund, name="operator_order_refund"),
]

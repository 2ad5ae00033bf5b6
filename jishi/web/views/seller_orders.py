"""Seller centre: the store's orders, one order with its history and the moves the store may make, packing slips
and customs declarations.

The buyer shows up only as the name and address the order ships to: never their email or account.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.core.errors import DomainError, PermissionDenied
from jishi.core.pagination import paginate, parse_page_number
from jishi.money.rules import Money
from jishi.orders import services
from jishi.orders.models import OrderStatus
from jishi.orders.selectors import (
    access_store_order,
    attach_lines,
    count_store_orders_by_status,
    customs_declaration,
    list_store_orders,
)
from jishi.payments import refunds
from jishi.web.access import store_access
from jishi.web.forms.trade import CancelForm, ShipForm
from jishi.web.views.order_pages import render_store_order, with_lines

PER_PAGE = 25


def _show_error(form: forms.Form, error: DomainError) -> None:
    """Field messages beside their fields; anything else (an illegal move, a conflict) above the form."""
    known = {name: msgs for name, msgs in error.fields.items() if name in form.fields}
    for name, msgs in known.items():
        for message in msgs:
            form.add_error(name, message)
    if not known:
        form.add_error(None, error.message)


@login_required
def order_list(request, slug: str):
    access = store_access(request, slug, "view_orders")
    status = request.GET.get("status", "")
    status = status if status in OrderStatus.values else ""
    counts = count_store_orders_by_status(store=access.store)
    everything = sum(counts.values())
    page = paginate(list_store_orders(store=access.store, status=status or None),
                    page=parse_page_number(request.GET.get("page")), per_page=PER_PAGE,
                    total=counts.get(status, 0) if status else everything)
    orders = attach_lines(page.items)
    for order in orders:
        order.total_money = Money(order.total, order.currency)
        order.more_lines = max(0, len(order.line_list) - 2)
    chips = [{"value": "", "label": _("All"), "count": everything},
             *({"value": value, "label": label, "count": counts.get(value, 0)} for value, label in OrderStatus.choices)]
    return render(request, "web/seller/orders/list.html", {
        "access": access, "page": page, "orders": orders, "status": status, "chips": chips,
        "order_counts": counts})


@login_required
def order_detail(request, slug: str, order_id: int):
    access = store_access(request, slug, "view_orders")
    return render_store_order(request, access, access_store_order(access=access, order_id=order_id))


def _move(request, access, order, form, action, success: str):
    """Run one store move from a posted form: back to the order when done, else the page with the error."""
    if form.is_valid():
        try:
            action(**form.cleaned_data)
        except PermissionDenied:
            raise  # the 403 page (web.errors), not a message on the form
        except DomainError as error:
            _show_error(form, error)
            fresh = access_store_order(access=access, order_id=order.id)
            forms_ = {"ship_form": form} if isinstance(form, ShipForm) else {"cancel_form": form}
            return render_store_order(request, access, fresh, status=409 if error.status == 409 else 200, **forms_)
        messages.success(request, success)
        return redirect("web:seller_order_detail", access.store.slug, order.id)
    forms_ = {"ship_form": form} if isinstance(form, ShipForm) else {"cancel_form": form}
    return render_store_order(request, access, order, **forms_)


@login_required
@require_POST
def order_ship(request, slug: str, order_id: int):
    access = store_access(request, slug, "fulfil_orders")
    order = access_store_order(access=access, order_id=order_id)
    return _move(request, access, order, ShipForm(request.POST),
                 lambda carrier, tracking_number: services.ship_order(
                     access=access, order=order, carrier=carrier, tracking_number=tracking_number),
                 _("Order #%(number)s is marked as shipped. The buyer can now follow it.") % {"number": order.id})


@login_required
@require_POST
def order_cancel(request, slug: str, order_id: int):
    access = store_access(request, slug, "cancel_orders")
    order = access_store_order(access=access, order_id=order_id)
    return _move(request, access, order, CancelForm(request.POST),
                 lambda reason: refunds.cancel_store_order(access=access, order=order, reason=reason),
                 _("Order #%(number)s is cancelled and its units are back on sale.") % {"number": order.id})


@login_required
def packing_slip(request, slug: str, order_id: int):
    access = store_access(request, slug, "view_orders")
    order = with_lines(access_store_order(access=access, order_id=order_id))
    return render(request, "web/seller/orders/packing_slip.html", {
        "access": access, "order": order,
        "address": order.shipping_address if isinstance(order.shipping_address, dict) else {}})


@login_required
def customs_papers(request, slug: str, order_id: int):
    """The printable commercial invoice / customs declaration of a cross-border order (404 for a domestic one)."""
    access = store_access(request, slug, "view_orders")
    order = access_store_order(access=access, order_id=order_id)
    paper = customs_declaration(order)
    return render(request, "web/seller/orders/customs_declaration.html", {
        "access": access, "order": order, "paper": paper, "address": paper.recipient})


urlpatterns = [
    path("seller/<slug:slug>/orders/", order_list, name="seller_orders"),
    path("seller/<slug:slug>/orders/<int:order_id>/", order_detail, name="seller_order_detail"),
    path("seller/<slug:slug>/orders/<int:order_id>/ship/", order_ship, name="seller_order_ship"),
    path("seller/<slug:slug>/orders/<int:order_id>/cancel/", order_cancel, name="seller_order_cancel"),
    path("seller/<slug:slug>/orders/<int:order_id>/packing-slip/", packing_slip, name="seller_packing_slip"),
    path("seller/<slug:slug>/orders/<int:order_id>/customs-declaration/", customs_papers,
         name="seller_customs_declaration"),
]

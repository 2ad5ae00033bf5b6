"""The buyer's orders: what one checkout placed, the list of their orders, each order with its history and
the moves the buyer may make (cancel before payment, confirm receipt after shipment)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.core.errors import DomainError
from jishi.core.pagination import paginate, parse_page_number
from jishi.money.rules import Money
from jishi.orders import selectors, services
from jishi.orders.models import GroupStatus, OrderStatus
from jishi.orders.rules import BUYER
from jishi.payments.rules import failure_message
from jishi.payments.selectors import list_group_payments
from jishi.web.forms.trade import CancelOrderForm
from jishi.web.views.order_pages import render_buyer_order

PER_PAGE = 10


def _status_filter(raw) -> str:
    return raw if raw in OrderStatus.values else ""


@login_required
def order_list(request):
    status = _status_filter(request.GET.get("status", ""))
    page = paginate(selectors.list_buyer_orders(user=request.user, status=status or None),
                    page=parse_page_number(request.GET.get("page")), per_page=PER_PAGE)
    selectors.attach_lines(page.items)
    return render(request, "web/orders/list.html", {"page": page, "orders": page.items, "status": status,
                                                    "statuses": OrderStatus.choices})


@login_required
def order_detail(request, order_id: int):
    return render_buyer_order(request, selectors.access_order(user=request.user, order_id=order_id))


def _buyer_move(request, order_id: int, move, done: str):
    order = selectors.access_order(user=request.user, order_id=order_id)
    try:
        move(order)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("web:order_detail", order.id)


@login_required
@require_POST
def order_cancel(request, order_id: int):
    form = CancelOrderForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    return _buyer_move(request, order_id, lambda order: services.cancel_order(
        order=order, by=BUYER, actor=request.user, reason=reason), _("Your order is cancelled."))


@login_required
@require_POST
def order_confirm(request, order_id: int):
    return _buyer_move(request, order_id, lambda order: services.confirm_receipt(
        order=order, by=BUYER, actor=request.user), _("Thank you! You confirmed that your order arrived."))


@login_required
def order_group(request, group_id: int):
    """What one checkout placed: each store's order and the amount to pay for them all."""
    group = selectors.access_order_group(user=request.user, group_id=group_id)
    orders = list(group.orders.all())
    payments = list_group_payments(group=group)
    for payment in payments:
        payment.failure_message = failure_message(payment.failure_code)
    return render(request, "web/orders/group.html", {
        "group": group, "orders": orders, "GroupStatus": GroupStatus, "payments": payments,
        "amount_due": Money(selectors.charge_amount_due(group.orders.all()), group.charge_currency),
        "converted": any(order.currency != group.charge_currency for order in orders),
    })


urlpatterns = [
    path("orders/", order_list, name="orders"),
    path("orders/groups/<int:group_id>/", order_group, name="order_group"),
    path("orders/<int:order_id>/", order_detail, name="order_detail"),
    path("orders/<int:order_id>/cancel/", order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/confirm/", order_confirm, name="order_confirm"),
]

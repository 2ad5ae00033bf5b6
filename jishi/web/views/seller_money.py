"""Seller centre: the store's money (in escrow, available, in transit, paid out), its transactions with a
CSV export, payouts on request and the payout account. Owner and managers only."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.core.errors import DomainError
from jishi.core.pagination import paginate, parse_page_number
from jishi.ledger import payouts
from jishi.ledger.selectors import (
    get_payout_account,
    get_store_balances,
    list_store_payouts,
    list_store_transactions,
    store_transaction,
)
from jishi.money.formatting import format_money
from jishi.money.rules import Money
from jishi.orders.selectors import count_store_orders_by_status
from jishi.web.access import store_access
from jishi.web.forms.errors import add_domain_errors
from jishi.web.forms.money import PayoutAccountForm, PayoutForm

PER_PAGE = 25
RECENT_PAYOUTS = 10


def _minimum(currency: str):
    try:
        return payouts.payout_minimum(currency)
    except DomainError:
        return None


def _render(request, access, *, payout_form=None, account_form=None, status: int = 200):
    store = access.store
    balances = get_store_balances(store=store)
    page = paginate(list_store_transactions(store_id=store.id), page=parse_page_number(request.GET.get("page")),
                    per_page=PER_PAGE)
    account = get_payout_account(store_id=store.id)
    return render(request, "web/seller/money/balance.html", {
        "access": access, "balances": balances, "page": page,
        "minimums": {b.currency: _minimum(b.currency) for b in balances},
        "schedule_days": settings.PAYOUT_SCHEDULE_DAYS,
        "transactions": [store_transaction(row) for row in page.items],
        "payouts": list_store_payouts(store_id=store.id)[:RECENT_PAYOUTS], "payout_account": account,
        "can_pay_out": access.can("request_payouts"), "can_edit_account": access.can("edit_payout_account"),
        "payout_form": payout_form or PayoutForm(initial={"currency": store.base_currency_id}),
        "account_form": account_form or PayoutAccountForm(
            initial={"holder": account.holder} if account else {"holder": store.name}),
        "order_counts": count_store_orders_by_status(store=store),
    }, status=status)


@login_required
def balance(request, slug: str):
    return _render(request, store_access(request, slug, "view_money"))


@login_required
@require_POST
def request_payout(request, slug: str):
    access = store_access(request, slug, "request_payouts")
    form = PayoutForm(request.POST)
    if form.is_valid():
        try:
            payout = payouts.request_payout(access=access, amount=form.cleaned_data["amount"] or None,
                                            currency=form.cleaned_data["currency"] or None)
        except DomainError as error:
            add_domain_errors(form, error)
            return _render(request, access, payout_form=form, status=409 if error.status == 409 else 422)
        messages.success(request, _("A payout of %(amount)s is on its way to %(account)s.") % {
            "amount": format_money(Money(payout.amount, payout.currency)), "account": payout.destination})
        return redirect("web:seller_money", access.store.slug)
    return _render(request, access, payout_form=form, status=422)


@login_required
@require_POST
def payout_account(request, slug: str):
    access = store_access(request, slug, "edit_payout_account")
    form = PayoutAccountForm(request.POST)
    if form.is_valid():
        try:
            payouts.set_payout_account(access=access, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
            return _render(request, access, account_form=form, status=422)
        messages.success(request, _("Payout account saved."))
        return redirect("web:seller_money", access.store.slug)
    return _render(request, access, account_form=form, status=422)


class _Echo:
    def write(self, value: str) -> str:
        return value


def transactions_csv(request, slug: str):
    """Every transaction of the store, newest first, as CSV (streamed, so any length is fine)."""
    access = store_access(request, slug, "view_money")
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([_("Date"), _("Transaction"), _("Kind"), _("Order"), _("Payout"), _("Currency"),
                               _("In escrow"), _("Available"), _("In transit"), _("Commission")])
        for row in list_store_transactions(store_id=access.store.id).iterator(chunk_size=500):
            t = store_transaction(row)
            yield writer.writerow([t.created_at.isoformat(), t.id, t.label, t.order_id or "", t.payout_id or "",
                                   t.currency, t.escrow.amount, t.available.amount, t.in_transit.amount,
                                   t.commission.amount])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.store.slug}-transactions.csv"'
    return response


urlpatterns = [
    path("seller/<slug:slug>/money/", balance, name="seller_money"),
    path("seller/<slug:slug>/money/transactions.csv", login_required(transactions_csv), name="seller_money_csv"),
    path("seller/<slug:slug>/money/payouts/", request_payout, name="seller_payout_request"),
    path("seller/<slug:slug>/money/payout-account/", payout_account, name="seller_payout_account"),
]

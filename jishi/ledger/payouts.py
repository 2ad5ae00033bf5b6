"""Writes for paying sellers: their payout account, payouts on request and on schedule, and the outcome
the payout provider reports.

Invariants kept here:
- a payout takes money only from the store's available balance (its seller payable), never more than is
  there: the payable account row is locked while the balance is read and the payout recorded, so two
  payouts cannot both spend the same money;
- each payout posts ``payout`` once when it starts, then exactly one of ``payout_settled`` or
  ``payout_failed`` (a failed payout makes the money available again); a repeated report changes nothing;
- the provider is called only after commit, so it never hears of a payout that was rolled back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError, field_error
from jishi.core.jobs import enqueue
from jishi.ledger import rules, services
from jishi.ledger.models import Account, Payout, PayoutAccount, PayoutStatus
from jishi.ledger.payout_providers import get_payout_provider
from jishi.ledger.selectors import account_balance, list_payable_balances
from jishi.money.rules import Money, UnknownCurrency, normalize_code
from jishi.money.selectors import get_rate_table
from jishi.stores.models import StoreStatus


def payout_minimum(currency: str) -> Money:
    """The smallest payout in ``currency``: ``PAYOUT_MINIMUM`` converted at the current rates."""
    minimum = Money(Decimal(settings.PAYOUT_MINIMUM), settings.PAYOUT_MINIMUM_CURRENCY)
    rates = get_rate_table()
    if not (rates.can_convert(currency) and rates.can_convert(minimum.currency)):
        raise DomainError("ledger.currency_unavailable",
                          _("Payouts in this currency are not possible right now; try again later."), status=409)
    return rates.convert(minimum, currency)


def set_payout_account(*, access, holder: str, number: str) -> PayoutAccount:
    """Set where the store's payouts go (the owner only). Raises ``ledger.invalid`` for a bad holder or number."""
    access.require("edit_payout_account")
    holder, number = rules.clean_payout_account(holder=holder, number=number)
    with transaction.atomic():
        account, _created = PayoutAccount.objects.update_or_create(
            store=access.store, defaults={"holder": holder, "number": number, "updated_by": access.membership.user,
                                          "updated_at": clock.now()})
    return account


def request_payout(*, access, amount=None, currency: str | None = None) -> Payout:
    """Pay out ``amount`` (everything available when left out) of the store's balance in ``currency`` (the
    store's own by default) to its payout account.

    Raises ``store.role_required`` (403), ``ledger.invalid`` for a bad amount, ``store.suspended`` and
    ``ledger.no_payout_account`` (409), ``ledger.below_minimum`` (422) and ``ledger.insufficient_balance``
    (409). Locks the store's seller payable account.
    """
    access.require("request_payouts")
    store = access.store
    if not store.is_active:
        raise DomainError("store.suspended", _("This store is suspended."), status=409)
    try:
        currency = normalize_code(currency or store.base_currency_id)
    except UnknownCurrency:  # not an ISO 4217 code at all (one without a rate is refused below, 409)
        raise field_error("ledger.invalid", "currency", _("Choose a currency the marketplace supports."))
    wanted = None if amount in (None, "") else rules.clean_payout_amount(amount, currency)
    return _start_payout(store_id=store.id, currency=currency, amount=wanted, requested_by=access.membership.user)


def _start_payout(*, store_id: int, currency: str, amount: Money | None, requested_by=None,
                  scheduled: bool = False) -> Payout:
    minimum = payout_minimum(currency)
    destination = PayoutAccount.objects.filter(store_id=store_id).first()
    if destination is None:
        raise DomainError("ledger.no_payout_account",
                          _("Add a payout account first: where should the money go?"), status=409)
    payable = rules.seller_payable(store_id, currency)
    provider = get_payout_provider()
    with transaction.atomic():
        # The account row exists once the store has ever been owed money; without it nothing is available.
        list(Account.objects.select_for_update().filter(key=payable.key))
        available = account_balance(payable)
        amount = amount or available
        rules.check_payout(amount, available=available, minimum=minimum)
        payout = Payout.objects.create(store_id=store_id, currency=currency, amount=amount.amount,
                                       provider=provider.name, destination=destination.masked,
                                       requested_by=requested_by, scheduled=scheduled, created_at=clock.now())
        services.record_payout(payout_id=payout.id, store_id=store_id, amount=amount)
        enqueue(_send_task(), payout.id)
    return payout


def _send_task():
    from jishi.ledger.tasks import send_payout

    return send_payout


def send_payout(*, payout_id: int) -> Payout:
    """Hand an in-transit payout to its provider (a job after commit); a payout already sent is left alone."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.reference or payout.status != PayoutStatus.IN_TRANSIT:
        return payout
    number = PayoutAccount.objects.values_list("number", flat=True).get(store_id=payout.store_id)
    reference = get_payout_provider().send(payout=payout, account_number=number)
    Payout.objects.filter(pk=payout.pk, reference="").update(reference=reference[:120])
    payout.reference = reference
    return payout


def _finish(payout_id: int, status: str, **fields) -> Payout:
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        if payout.status != PayoutStatus.IN_TRANSIT:
            return payout  # reported before: nothing changes
        for name, value in {"status": status, **fields}.items():
            setattr(payout, name, value)
        payout.save(update_fields=["status", *fields])
        amount = Money(payout.amount, payout.currency)
        record = services.record_payout_settled if status == PayoutStatus.PAID else services.record_payout_failed
        record(payout_id=payout.id, store_id=payout.store_id, amount=amount)
    return payout


def settle_payout(*, payout_id: int) -> Payout:
    """The provider paid the payout into the seller's bank. Locks the payout; a repeat changes nothing."""
    return _finish(payout_id, PayoutStatus.PAID, settled_at=clock.now())


def fail_payout(*, payout_id: int, reason: str) -> Payout:
    """The provider could not pay: the money is available to the seller again. Locks the payout."""
    return _finish(payout_id, PayoutStatus.FAILED, failed_at=clock.now(), failure_reason=reason[:300])


def pay_out_due_stores() -> list[Payout]:
    """The payout schedule: pay out everything available to each store with a payout account whose
    balance is at least the minimum, unless it had a payout in the last ``PAYOUT_SCHEDULE_DAYS`` days.

    Runs daily (Celery beat or the embedded sweeper), so each store is paid about once a schedule period
    whichever day its balance grew; safe to run twice, since a store paid out has nothing left.
    """
    since = clock.now() - dt.timedelta(days=settings.PAYOUT_SCHEDULE_DAYS)
    balances = list_payable_balances()
    store_ids = {store_id for store_id, _money in balances}
    # A failed payout counts too: a refused account is tried once a period, not every day.
    recent = set(Payout.objects.filter(store_id__in=store_ids, created_at__gt=since).values_list("store_id", flat=True))
    ready = set(PayoutAccount.objects.filter(store_id__in=store_ids - recent, store__status=StoreStatus.ACTIVE)
                .values_list("store_id", flat=True))
    started = []
    for store_id, available in balances:
        if store_id not in ready:
            continue
        try:
            started.append(_start_payout(store_id=store_id, currency=available.currency, amount=None,
                                         scheduled=True))
        except DomainError:
            continue  # below the minimum, or spent meanwhile: next time
    return started

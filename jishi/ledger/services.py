"""Writes to the ledger: one sealed journal entry per money event.

The ``record_*`` functions are the accounting of each event: capture, a payment that came after its
order group expired, release, refund (or clawback), refund settled, payout, payout settled or failed.
Callers (payments, buyer protection, payouts) call them inside their own transaction, after locking the
row the event belongs to (the order group, the order, the refund or the payout), so one event is never
recorded twice; ``event_key`` is unique as the last guard, and recording an event again returns the
entry written the first time.
"""

from __future__ import annotations

from django.db import transaction

from jishi.core import clock
from jishi.ledger import rules
from jishi.ledger.models import Account, Entry, EntryKind, Posting
from jishi.ledger.rules import AccountRef, Unbalanced
from jishi.ledger.selectors import account_balance, order_money
from jishi.money.rules import Money


def _accounts(refs: list[AccountRef]) -> dict[AccountRef, Account]:
    """The accounts behind ``refs``, created on first use (two or three queries whatever their number)."""
    by_key = {ref.key: ref for ref in refs}
    found = {account.key: account for account in Account.objects.filter(key__in=list(by_key))}
    missing = [Account(key=key, kind=ref.kind, currency=ref.currency, store_id=ref.store_id, order_id=ref.order_id,
                       country=ref.country or None)
               for key, ref in by_key.items() if key not in found]
    if missing:
        Account.objects.bulk_create(missing, ignore_conflicts=True)
        found.update({account.key: account for account in Account.objects.filter(key__in=[a.key for a in missing])})
    return {ref: found[ref.key] for ref in refs}


def post_entry(*, kind: str, event_key: str, postings: list[tuple[AccountRef, Money]], memo: str = "",
               order=None) -> Entry:
    """Write and seal one balanced entry for the event ``event_key`` (or return the one already written).

    Raises ``rules.Unbalanced`` before writing anything when the postings do not sum to zero per currency.
    """
    existing = Entry.objects.filter(event_key=event_key).first()
    if existing is not None:
        return existing
    lines = rules.net_postings(postings)
    with transaction.atomic():
        accounts = _accounts([ref for ref, _ in lines])
        entry = Entry.objects.create(kind=kind, event_key=event_key, memo=memo[:300], order=order,
                                     created_at=clock.now())
        Posting.objects.bulk_create([Posting(entry=entry, account=accounts[ref], currency=ref.currency, amount=minor)
                                     for ref, minor in lines])
        Entry.objects.filter(pk=entry.pk).update(posted=True)
    entry.posted = True
    return entry


# --- the money events -------------------------------------------------------------------------------


def record_capture(*, payment_id: int, amount: Money, orders) -> Entry:
    """The shopper's payment arrived: cash in the charge currency, into each order's escrow in its store's
    currency at the order's frozen rate (through FX clearing when the currencies differ), less the
    duties and taxes collected at checkout, which go to the destination's tax payable.

    ``amount`` must be the sum of the orders' charge totals (payments refuses a mismatch before this).
    """
    postings: list[tuple[AccountRef, Money]] = []
    charged = Money.zero(amount.currency)
    for order in orders:
        order_charge = Money(order.charge_total, order.charge_currency)
        charged += order_charge
        postings += rules.through_fx(rules.cash(amount.currency), order_charge, rules.escrow(order),
                                     Money(order.total, order.currency))
        # Duties and taxes collected at checkout are the destination's, not the seller's: they go on
        # from escrow to the tax authority's account in the same entry.
        collected = Money(order.duty_total + order.tax_total, order.currency)
        if collected:
            postings += [(rules.escrow(order), collected),
                         (rules.tax_payable(order.destination_country, order.currency), -collected)]
    if charged != amount:
        raise Unbalanced(f"payment {payment_id} of {amount} does not match its orders' {charged}")
    return post_entry(kind=EntryKind.CAPTURE, event_key=f"capture:payment:{payment_id}", postings=postings,
                      memo=f"payment {payment_id}", order=orders[0] if len(orders) == 1 else None)


def record_late_payment(*, payment_id: int, amount: Money) -> Entry:
    """Money arrived for an order group that had expired: it is owed back to the shopper at once."""
    return post_entry(kind=EntryKind.LATE_PAYMENT, event_key=f"late_payment:payment:{payment_id}",
                      postings=[(rules.cash(amount.currency), amount), (rules.refunds(amount.currency), -amount)],
                      memo=f"payment {payment_id} after expiry")


def record_release(*, order, commission_total: Money) -> Entry | None:
    """Receipt confirmed: what is left in the order's escrow goes to the seller, minus the commission.

    ``commission_total`` is the commission on the whole order (from its frozen line rates); after partial
    refunds the commission shrinks in proportion to what is left. Returns ``None`` when nothing is left.
    """
    money = order_money(order)
    remaining = money.escrow
    if not remaining:
        return None
    fee = rules.release_commission(commission_total, remaining=remaining, seller_paid=money.seller_paid)
    postings = [(rules.escrow(order), remaining),
                (rules.seller_payable(order.store_id, order.currency), -(remaining - fee))]
    if fee:
        postings.append((rules.commission(order.currency), -fee))
    return post_entry(kind=EntryKind.RELEASE, event_key=f"release:order:{order.id}", postings=postings,
                      memo=f"order {order.id} completed", order=order)


def record_refund(*, refund_id: int, order, amount: Money) -> Entry:
    """Money goes back to the shopper: out of the order's escrow before release, or back from the seller's
    balance (and the commission that went with it) after release; converted into the charge currency at
    the order's frozen rate, and owed to the shopper (``refunds``) until the provider settles it.

    Duties and taxes collected at checkout go back with it, in proportion (all that is left of them
    when the refund completes the order), out of the destination's tax payable.

    Raises ``Unbalanced`` when ``amount`` is more than can be refunded.
    """
    money = order_money(order)
    if amount > money.refundable or not amount:
        raise Unbalanced(f"cannot refund {amount} of order {order.id} (refundable {money.refundable})")
    charged = rules.charge_share(amount, order_total=money.paid, refunded_before=money.refunded,
                                 charge_total=Money(order.charge_total, order.charge_currency),
                                 charge_refunded_before=money.charge_refunded)
    to_shopper = rules.refunds(order.charge_currency)
    tax_part = rules.tax_share(amount, paid=money.paid, refunded_before=money.refunded,
                               tax_collected=money.tax_collected, tax_refunded_before=money.tax_refunded)
    seller_part = amount - tax_part
    kind = EntryKind.REFUND
    if money.escrow >= seller_part:
        source = rules.escrow(order)
        postings = rules.through_fx(source, amount, to_shopper, charged)
    else:
        source = payable = rules.seller_payable(order.store_id, order.currency)
        fee_back = rules.commission_share(seller_part, released=money.released,
                                          refunded_before=money.refunded_after_release,
                                          commission_charged=money.commission_charged,
                                          commission_returned_before=money.commission_returned)
        postings = rules.through_fx(payable, amount, to_shopper, charged)
        if fee_back:
            postings += [(payable, -fee_back), (rules.commission(order.currency), fee_back)]
        if account_balance(payable) < seller_part - fee_back:
            kind = EntryKind.CLAWBACK
    if tax_part:
        postings += [(source, -tax_part), (rules.tax_payable(order.destination_country, order.currency), tax_part)]
    return post_entry(kind=kind, event_key=f"refund:{refund_id}", postings=postings,
                      memo=f"refund {refund_id} of order {order.id}", order=order)


def record_refund_settled(*, refund_id: int, amount: Money, order=None) -> Entry:
    """The provider paid the refund out: the debt to the shopper leaves with the cash."""
    return post_entry(kind=EntryKind.REFUND_SETTLED, event_key=f"refund_settled:{refund_id}",
                      postings=[(rules.refunds(amount.currency), amount), (rules.cash(amount.currency), -amount)],
                      memo=f"refund {refund_id} settled", order=order)


def record_payout(*, payout_id: int, store_id: int, amount: Money) -> Entry:
    """A payout leaves the seller's available balance and is in transit to their bank."""
    return post_entry(kind=EntryKind.PAYOUT, event_key=f"payout:{payout_id}",
                      postings=[(rules.seller_payable(store_id, amount.currency), amount),
                                (rules.payouts_in_transit(store_id, amount.currency), -amount)],
                      memo=f"payout {payout_id}")


def record_payout_settled(*, payout_id: int, store_id: int, amount: Money) -> Entry:
    return post_entry(kind=EntryKind.PAYOUT_SETTLED, event_key=f"payout_settled:{payout_id}",
                      postings=[(rules.payouts_in_transit(store_id, amount.currency), amount),
                                (rules.cash(amount.currency), -amount)],
                      memo=f"payout {payout_id} settled")


def record_payout_failed(*, payout_id: int, store_id: int, amount: Money) -> Entry:
    """The bank refused the payout: the money is available to the seller again."""
    return post_entry(kind=EntryKind.PAYOUT_FAILED, event_key=f"payout_failed:{payout_id}",
                      postings=[(rules.payouts_in_transit(store_id, amount.currency), amount),
                                (rules.seller_payable(store_id, amount.currency), -amount)],
                      memo=f"payout {payout_id} failed")

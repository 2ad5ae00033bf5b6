"""The ledger's arithmetic, pure: which account is which, minor units, balance checks, commission and payouts.

Each money event is a list of ``(AccountRef, Money)`` postings, debit positive. ``net_postings`` turns it
into what is written: one posting per account, zeros dropped, refused unless it sums to zero in every
currency (the database checks the same again when the entry is sealed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jishi.core.errors import DomainError, field_error
from jishi.ledger.models import CREDIT_NORMAL, AccountKind
from jishi.money.rules import Money, minor_units, quantize, to_decimal


@dataclass(frozen=True)
class AccountRef:
    kind: str
    currency: str
    store_id: int | None = None
    order_id: int | None = None
    country: str = ""

    @property
    def key(self) -> str:
        key = f"{self.kind}:{self.currency}"
        if self.store_id is not None:
            key += f":s{self.store_id}"
        if self.order_id is not None:
            key += f":o{self.order_id}"
        if self.country:
            key += f":c{self.country}"
        return key


def cash(currency: str) -> AccountRef:
    return AccountRef(AccountKind.CASH, currency)


def fx_clearing(currency: str) -> AccountRef:
    return AccountRef(AccountKind.FX_CLEARING, currency)


def commission(currency: str) -> AccountRef:
    return AccountRef(AccountKind.COMMISSION, currency)


def refunds(currency: str) -> AccountRef:
    return AccountRef(AccountKind.REFUNDS, currency)


def escrow(order) -> AccountRef:
    return AccountRef(AccountKind.ESCROW, order.currency, store_id=order.store_id, order_id=order.id)


def seller_payable(store_id: int, currency: str) -> AccountRef:
    return AccountRef(AccountKind.SELLER_PAYABLE, currency, store_id=store_id)


def payouts_in_transit(store_id: int, currency: str) -> AccountRef:
    return AccountRef(AccountKind.PAYOUTS_IN_TRANSIT, currency, store_id=store_id)


def tax_payable(country: str, currency: str) -> AccountRef:
    """Duties and import taxes collected at checkout for ``country``'s authority, in ``currency``."""
    return AccountRef(AccountKind.TAX_PAYABLE, currency, country=country)


class Unbalanced(ValueError):
    """The postings of one event do not sum to zero in some currency."""


def to_minor(money: Money) -> int:
    return int(money.amount.scaleb(minor_units(money.currency)))


def from_minor(amount: int, currency: str) -> Money:
    return Money(Decimal(amount).scaleb(-minor_units(currency)), currency)


def shown(kind: str, minor: int, currency: str) -> Money:
    """A balance as people read it: credit-normal accounts (what is owed or earned) flipped positive."""
    return from_minor(-minor if kind in CREDIT_NORMAL else minor, currency)


def net_postings(postings: list[tuple[AccountRef, Money]]) -> list[tuple[AccountRef, int]]:
    amounts: dict[AccountRef, int] = defaultdict(int)
    for ref, money in postings:
        if money.currency != ref.currency:
            raise Unbalanced(f"{money} posted to {ref.key}")
        amounts[ref] += to_minor(money)
    totals: dict[str, int] = defaultdict(int)
    for ref, minor in amounts.items():
        totals[ref.currency] += minor
    off = {code: total for code, total in totals.items() if total}
    if off:
        raise Unbalanced(f"postings do not balance: {off}")
    lines = [(ref, minor) for ref, minor in amounts.items() if minor]
    if len(lines) < 2:
        raise Unbalanced("an entry needs two postings or more")
    return lines


def through_fx(source: AccountRef, amount: Money, target: AccountRef, converted: Money) -> list[tuple[AccountRef, Money]]:
    """Move ``amount`` out of ``source`` (debit) and ``converted`` into ``target`` (credit); when the two
    currencies differ, the conversion passes through FX clearing in each currency."""
    if amount.currency == converted.currency:
        if amount != converted:
            raise Unbalanced(f"{amount} cannot become {converted} in the same currency")
        return [(source, amount), (target, -amount)]
    return [(source, amount), (fx_clearing(amount.currency), -amount),
            (fx_clearing(converted.currency), converted), (target, -converted)]


def line_commission(line_total: Money, rate: Decimal) -> Money:
    return Money(line_total.amount * rate, line_total.currency)


def share(whole: Money, part: Money, of: Money) -> Money:
    """``whole`` × ``part`` / ``of``, rounded half-up: the commission that goes with part of an order."""
    if not of.amount:
        return Money.zero(whole.currency)
    return Money(quantize(whole.amount * part.amount / of.amount, whole.currency), whole.currency)


def rate_for(category_id: int | None, *, rates: dict[int | None, Decimal], parent_of: dict[int, int | None]) -> Decimal:
    """The commission rate of a category: its own, else its nearest ancestor's, else the default."""
    seen: set[int] = set()
    while category_id is not None and category_id not in seen:
        if category_id in rates:
            return rates[category_id]
        seen.add(category_id)
        category_id = parent_of.get(category_id)
    return rates.get(None, Decimal("0.05"))


def charge_share(amount: Money, *, order_total: Money, refunded_before: Money, charge_total: Money,
                 charge_refunded_before: Money) -> Money:
    """What a refund of ``amount`` (store currency) is in the charge currency: its share of the charge,
    taken cumulatively (``returned_share``), and exactly what is left of the charge when the refund
    completes the order, so refunds never add up to more or less than the shopper paid."""
    if amount.currency == charge_total.currency:
        return amount
    return returned_share(amount, of=order_total, taken_before=refunded_before, whole=charge_total,
                          returned_before=charge_refunded_before)


def returned_share(part: Money, *, of: Money, taken_before: Money, whole: Money, returned_before: Money,
                   at_most: Money | None = None) -> Money:
    """What goes back of ``whole`` when ``part`` more of ``of`` is taken back: in proportion, rounded
    half-up, and all that is left of ``whole`` once everything is taken back. ``whole`` may be in another
    currency than ``of`` (a charge in the shopper's currency for an order in the store's).

    The proportion is of everything taken back so far (``taken_before`` + ``part``) less what earlier
    returns gave (``returned_before``), so the roundings of many small refunds never add up: a hundred
    refunds each "owing" 0.4 of a yen give back 40 yen, not 0 (or 100)."""
    left = whole - returned_before
    if not left:
        return Money.zero(whole.currency)
    if taken_before + part >= of:
        return left
    due = min(share(whole, taken_before + part, of) - returned_before, left)
    if at_most is not None:
        due = min(due, at_most)
    return max(Money.zero(whole.currency), due)


def commission_share(seller_part: Money, *, released: Money, refunded_before: Money, commission_charged: Money,
                     commission_returned_before: Money) -> Money:
    """The commission a refund after release gives back to the seller with ``seller_part``, in proportion
    to what was released (``refunded_before``: what earlier refunds took back from the seller after
    release)."""
    return returned_share(seller_part, of=released, taken_before=refunded_before, whole=commission_charged,
                          returned_before=commission_returned_before)


def tax_share(amount: Money, *, paid: Money, refunded_before: Money, tax_collected: Money,
              tax_refunded_before: Money) -> Money:
    """The duties and taxes a refund of ``amount`` gives back, in proportion to what was paid: a full
    refund always empties the order's part of tax payable, and the escrow's part of a refund never takes
    it below zero (a share is never more than the refund)."""
    return returned_share(amount, of=paid, taken_before=refunded_before, whole=tax_collected,
                          returned_before=tax_refunded_before, at_most=amount)


# --- commission on an order -------------------------------------------------------------------------


def order_commission(lines, currency: str) -> Money:
    """The commission on an order's items at the rates frozen on its lines (shipping carries none)."""
    return sum((line_commission(Money(line.line_total, line.currency), line.commission_rate) for line in lines),
               Money.zero(currency))


def release_commission(commission_total: Money, *, remaining: Money, seller_paid: Money) -> Money:
    """The commission a release of ``remaining`` (what the order's escrow still holds) charges: the order's
    ``commission_total`` in proportion to what is left of the seller's part of the payment
    (``seller_paid``, duties and taxes aside) after refunds, never more than is released. A CNY 200
    order at 5 % with CNY 50 refunded before release is charged 10.00 × 150 / 200 = 7.50."""
    return min(share(commission_total, remaining, seller_paid), remaining)


# --- payouts ----------------------------------------------------------------------------------------

PAYOUT_ACCOUNT_NUMBER = re.compile(r"^[A-Z0-9]{6,34}$")


def clean_payout_account(*, holder: str, number: str) -> tuple[str, str]:
    """The account holder and number as stored: the number without spaces or dashes, upper case."""
    holder = " ".join((holder or "").split())
    number = re.sub(r"[\s-]", "", number or "").upper()
    problems: dict[str, list[str]] = {}
    if not holder or len(holder) > 120:
        problems["holder"] = [_("Enter the account holder's name (up to 120 characters).")]
    if not PAYOUT_ACCOUNT_NUMBER.match(number):
        problems["number"] = [_("Enter an account number or IBAN: 6 to 34 letters and digits.")]
    if problems:
        raise DomainError("ledger.invalid", next(iter(problems.values()))[0], fields=problems)
    return holder, number


def clean_payout_amount(raw, currency: str) -> Money:
    """A positive amount in ``currency``, at most its minor units; refused with a field message otherwise."""
    try:
        amount = to_decimal(raw)
    except (TypeError, ValueError):
        amount = None
    if amount is None or amount <= 0 or amount != quantize(amount, currency) or amount >= Decimal("1e12"):
        raise field_error("ledger.invalid", "amount", _("Enter an amount above zero in %(currency)s, like %(example)s.")
                          % {"currency": currency, "example": Money(100, currency).amount})
    return Money(amount, currency)


def check_payout(amount: Money, *, available: Money, minimum: Money) -> None:
    """A payout is at least the minimum and at most what is available (409 when the balance is short)."""
    if amount < minimum:
        raise field_error("ledger.below_minimum", "amount", _("Payouts start at %(minimum)s.") % {
            "minimum": f"{minimum.amount} {minimum.currency}"})
    if amount > available:
        message = _("Only %(available)s is available to pay out.") % {
            "available": f"{available.amount} {available.currency}"}
        raise DomainError("ledger.insufficient_balance", message, fields={"amount": [message]}, status=409)

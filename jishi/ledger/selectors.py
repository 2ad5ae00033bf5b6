"""Reads of the ledger. Every balance is derived from the postings of sealed entries.

Sections: an order's money, reconciliation, commission rates, a store's money (balance, transactions,
payouts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from jishi.core.memo import SharedVersionMemo
from jishi.ledger.models import Account, AccountKind, CommissionRate, Entry, EntryKind, Payout, PayoutAccount, Posting
from jishi.ledger.rules import AccountRef, from_minor, order_commission, rate_for, release_commission, shown
from jishi.money.rules import Money

REFUND_KINDS = (EntryKind.REFUND, EntryKind.CLAWBACK)


def _sealed():
    return Posting.objects.filter(entry__posted=True)


def account_balance(ref: AccountRef) -> Money:
    """The balance of one account as people read it (what is owed shows positive)."""
    minor = _sealed().filter(account__key=ref.key).aggregate(total=Sum("amount"))["total"] or 0
    return shown(ref.kind, minor, ref.currency)


@dataclass(frozen=True)
class OrderMoney:
    """Where an order's money is, in its store's currency (``charge_refunded`` in the charge currency)."""

    paid: Money
    released: Money
    refunded: Money
    refunded_from_escrow: Money
    charge_refunded: Money
    commission_charged: Money
    commission_returned: Money
    # Duties and import taxes collected at checkout: part of ``paid``, moved to tax payable at capture.
    tax_collected: Money
    tax_refunded: Money

    @property
    def escrow(self) -> Money:
        return self.paid - self.tax_collected - self.released - self.refunded_from_escrow

    @property
    def seller_paid(self) -> Money:
        """What the buyer paid that belongs to the seller (all but the duties and taxes collected)."""
        return self.paid - self.tax_collected

    @property
    def tax_refundable(self) -> Money:
        return self.tax_collected - self.tax_refunded

    @property
    def refundable(self) -> Money:
        return self.paid - self.refunded

    @property
    def refunded_after_release(self) -> Money:
        """What refunds took back from the seller's balance (taxes aside), once the order was released."""
        return self.refunded - self.refunded_from_escrow - self.tax_refunded

    @property
    def seller_net(self) -> Money:
        """What the seller keeps of this order so far: released, less commission and later refunds."""
        return self.released - self.commission_charged + self.commission_returned - self.refunded_after_release


def order_money(order) -> OrderMoney:
    """One query: the order's escrow postings and the postings of the entries recorded for the order."""
    rows = (_sealed().filter(Q(account__order_id=order.id) | Q(entry__order_id=order.id))
            .values_list("entry__kind", "account__kind", "currency").annotate(total=Sum("amount")))
    sums: dict[tuple[str, str, str], int] = {(k, a, c): t for k, a, c, t in rows}

    def total(kinds, account_kind, currency=order.currency) -> Money:
        kinds = (kinds,) if isinstance(kinds, str) else kinds
        return from_minor(sum(sums.get((kind, account_kind, currency), 0) for kind in kinds), currency)

    escrow_refunds = total(REFUND_KINDS, AccountKind.ESCROW)
    after_release = total(REFUND_KINDS, AccountKind.SELLER_PAYABLE) + total(REFUND_KINDS, AccountKind.COMMISSION)
    tax_refunded = total(REFUND_KINDS, AccountKind.TAX_PAYABLE)
    captured = -total(EntryKind.CAPTURE, AccountKind.ESCROW)
    # A group's capture names no single order and tax payable is per country, so what went to tax
    # payable for this order is read from the order, which froze it (only once it was captured).
    tax_collected = Money(getattr(order, "duty_total", 0) + getattr(order, "tax_total", 0), order.currency) \
        if captured else Money.zero(order.currency)
    return OrderMoney(
        paid=captured + tax_collected,
        released=total(EntryKind.RELEASE, AccountKind.ESCROW),
        refunded=escrow_refunds + after_release + tax_refunded,
        refunded_from_escrow=escrow_refunds,
        charge_refunded=-total(REFUND_KINDS, AccountKind.REFUNDS, order.charge_currency),
        commission_charged=-total(EntryKind.RELEASE, AccountKind.COMMISSION),
        commission_returned=total(REFUND_KINDS, AccountKind.COMMISSION),
        tax_collected=tax_collected,
        tax_refunded=tax_refunded,
    )


@dataclass(frozen=True)
class SellerShare:
    """What a store gets of one order, in its currency: the figures its order page and the API show.

    Once escrow is released they are what the ledger booked: the commission charged less what refunds
    after release gave back, and ``OrderMoney.seller_net``. Before release the ledger has credited
    nothing, so they are what release will credit if nothing else changes, by the rule release applies
    (``rules.release_commission`` on what escrow holds); before the payment is captured, on what the
    order froze. Either way ``paid − refunded − taxes − commission == net``."""

    paid: Money  # what the buyer paid (before capture: the order's total, still to pay)
    refunded: Money  # given back to the buyer so far, their duties and taxes included
    taxes: Money  # duties and import taxes collected less what refunds gave back: the authority's
    commission: Money
    net: Money  # "yours after commission"
    released: bool  # True: credited to the store's balance; False: what release will credit


def seller_share(order, *, money: OrderMoney | None = None) -> SellerShare:
    """``order``'s ``SellerShare``: one query for its money (none when the caller passes ``money``) and,
    before release, its lines for their frozen commission rates (nothing more when prefetched)."""
    money = money or order_money(order)
    if money.released:
        return SellerShare(paid=money.paid, refunded=money.refunded, taxes=money.tax_refundable,
                           commission=money.commission_charged - money.commission_returned, net=money.seller_net,
                           released=True)
    commission_total = order_commission(order.lines.all(), order.currency)
    if money.paid:
        fee = release_commission(commission_total, remaining=money.escrow, seller_paid=money.seller_paid)
        return SellerShare(paid=money.paid, refunded=money.refunded, taxes=money.tax_refundable, commission=fee,
                           net=money.escrow - fee, released=False)
    zero = Money.zero(order.currency)
    if order.cancelled_at is not None:  # cancelled before any payment arrived: nothing will come
        return SellerShare(paid=zero, refunded=zero, taxes=zero, commission=zero, net=zero, released=False)
    # Awaiting payment: capture will bring what the order froze, its duties and taxes to the authority.
    paid, taxes = Money(order.total, order.currency), Money(order.duty_total + order.tax_total, order.currency)
    fee = release_commission(commission_total, remaining=paid - taxes, seller_paid=paid - taxes)
    return SellerShare(paid=paid, refunded=zero, taxes=taxes, commission=fee, net=paid - taxes - fee, released=False)


# --- reconciliation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountTotal:
    kind: str
    currency: str
    balance: Money  # as people read it
    accounts: int

    @property
    def label(self) -> str:
        return AccountKind(self.kind).label


@dataclass
class LedgerCheck:
    """The reconciliation report: totals per kind of account and currency, and what is off."""

    totals: list[AccountTotal] = field(default_factory=list)
    sums: dict[str, Money] = field(default_factory=dict)  # raw debit − credit per currency: zero when sound
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        state = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        sums = ", ".join(f"{code} {money.amount}" for code, money in sorted(self.sums.items())) or "no postings"
        return f"ledger {state}: {self.entries} entries; sum per currency: {sums}"


def check_ledger() -> LedgerCheck:
    """Check the books: every sealed entry balances, the ledger sums to zero per currency, no account
    that can only hold money went negative, and no entry was left unsealed. A constant number of queries."""
    report = LedgerCheck(entries=Entry.objects.filter(posted=True).count())
    rows = (_sealed().values_list("account__kind", "currency")
            .annotate(total=Sum("amount"), accounts=Count("account", distinct=True)).order_by("account__kind", "currency"))
    per_currency: dict[str, int] = defaultdict(int)
    for kind, currency, total, accounts in rows:
        per_currency[currency] += total
        report.totals.append(AccountTotal(kind, currency, shown(kind, total, currency), accounts))
    report.sums = {code: from_minor(total, code) for code, total in per_currency.items()}
    for code, total in sorted(per_currency.items()):
        if total:
            report.problems.append(f"the ledger does not sum to zero in {code}: {from_minor(total, code)}")
    for entry_id, currency, total in (_sealed().values_list("entry_id", "currency").annotate(total=Sum("amount"))
                                      .exclude(total=0)[:20]):
        report.problems.append(f"entry {entry_id} does not balance in {currency}: {from_minor(total, currency)}")
    open_entries = Entry.objects.filter(posted=False).count()
    if open_entries:
        report.problems.append(f"{open_entries} entries were left unsealed")
    for key, kind, currency, total in _negative_accounts():
        report.problems.append(f"{key} is negative: {shown(kind, total, currency)}")
    return report


def _negative_accounts():
    """Escrow and payouts in transit can never be negative; a seller's payable only after a clawback."""
    clawed_back = Entry.objects.filter(kind=EntryKind.CLAWBACK, posted=True).values("order__store_id")
    never_below_zero = Q(kind__in=[AccountKind.ESCROW, AccountKind.PAYOUTS_IN_TRANSIT, AccountKind.REFUNDS,
                                   AccountKind.TAX_PAYABLE]) | Q(
        kind=AccountKind.SELLER_PAYABLE) & ~Q(store_id__in=clawed_back)
    return (Account.objects.filter(never_below_zero)
            .annotate(total=Sum("postings__amount", filter=Q(postings__entry__posted=True)))
            .filter(total__gt=0).values_list("key", "kind", "currency", "total")[:20])


@dataclass(frozen=True)
class TaxPayableMove:
    """One entry's movement on one tax-payable account: ``amount`` is what it added to what is owed
    (collected positive, refunded negative)."""

    entry_kind: str
    event_key: str
    order_id: int | None  # the entry's order; a capture of several orders names none
    country: str
    amount: Money


def tax_payable_moves(*, since, until) -> list[TaxPayableMove]:
    """Every movement on the tax-payable accounts by entries recorded in [``since``, ``until``). One query."""
    rows = (_sealed().filter(account__kind=AccountKind.TAX_PAYABLE, entry__created_at__gte=since,
                             entry__created_at__lt=until)
            .order_by("entry__created_at", "entry_id", "id")
            .values_list("entry__kind", "entry__event_key", "entry__order_id", "account__country", "currency",
                         "amount"))
    return [TaxPayableMove(kind, key, order_id, country, shown(AccountKind.TAX_PAYABLE, amount, currency))
            for kind, key, order_id, country, currency, amount in rows]


def escrow_by_order(*, limit: int = 200) -> list[tuple[int, Money]]:
    """Open escrow per order (largest first): what the platform holds for goods not yet received."""
    rows = (Account.objects.filter(kind=AccountKind.ESCROW)
            .annotate(total=Sum("postings__amount", filter=Q(postings__entry__posted=True)))
            .exclude(total=0).order_by("total").values_list("order_id", "currency", "total")[:limit])
    return [(order_id, shown(AccountKind.ESCROW, total, currency)) for order_id, currency, total in rows]



# --- commission rates -------------------------------------------------------------------------------

_RATES: SharedVersionMemo[dict] = SharedVersionMemo("ledger:commission-rates:token")


def get_commission_rates() -> dict[int | None, Decimal]:
    """Category id (``None`` for the platform default) → rate; one small table, kept per process."""
    return _RATES.get(lambda: dict(CommissionRate.objects.values_list("category_id", "rate")))


def invalidate_commission_rates() -> None:
    _RATES.invalidate()


class _Parents:
    """``rules.rate_for``'s parent map, read from the memoised category tree."""

    def __init__(self, tree):
        self.by_id = tree.by_id

    def get(self, category_id, default=None):
        node = self.by_id.get(category_id)
        return node.parent_id if node is not None else default


def commission_rate_resolver() -> Callable[[int | None], Decimal]:
    """A function from category id to its commission rate (own, nearest ancestor's, or the default), for
    pricing many lines with no query per line."""
    from jishi.catalog.selectors import get_category_tree

    rates, parents = get_commission_rates(), _Parents(get_category_tree())
    return lambda category_id: rate_for(category_id, rates=rates, parent_of=parents)


# --- a store's money --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreBalance:
    """One currency of a store's money: waiting in escrow, available to pay out, on its way to the bank,
    paid out so far, and the commission its orders were charged (net of commission given back)."""

    currency: str
    escrow: Money
    available: Money
    in_transit: Money
    paid_out: Money
    commission: Money


def _store_postings(store_id: int):
    """The postings on a store's accounts, and the commission postings of entries for its orders."""
    return _sealed().filter(Q(account__store_id=store_id)
                            | Q(account__kind=AccountKind.COMMISSION, entry__order__store_id=store_id))


def get_store_balances(*, store) -> list[StoreBalance]:
    """The store's balance in each currency it holds money in, its own currency first (always shown).
    One query."""
    rows = (_store_postings(store.id).values_list("account__kind", "currency", "entry__kind")
            .annotate(total=Sum("amount")).order_by())
    raw: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for kind, currency, entry_kind, total in rows:
        raw[currency][(kind, entry_kind)] += total

    def balance(code: str) -> StoreBalance:
        sums = raw.get(code, {})

        def of(kind: str) -> Money:
            return shown(kind, sum(t for (k, _e), t in sums.items() if k == kind), code)

        settled = sums.get((AccountKind.PAYOUTS_IN_TRANSIT, EntryKind.PAYOUT_SETTLED), 0)
        return StoreBalance(currency=code, escrow=of(AccountKind.ESCROW), available=of(AccountKind.SELLER_PAYABLE),
                            in_transit=of(AccountKind.PAYOUTS_IN_TRANSIT), paid_out=from_minor(settled, code),
                            commission=of(AccountKind.COMMISSION))

    own = store.base_currency_id
    return [balance(own), *(balance(code) for code in sorted(raw) if code != own)]


@dataclass(frozen=True)
class StoreTransaction:
    """One ledger entry as it moved a store's money (each amount positive when the store gained)."""

    id: int
    kind: str
    created_at: object
    order_id: int | None
    payout_id: int | None
    currency: str
    escrow: Money
    available: Money
    in_transit: Money
    commission: Money

    @property
    def label(self) -> str:
        return str(EntryKind(self.kind).label)


def list_store_transactions(*, store_id: int):
    """The store's transactions, newest first: one row per entry and currency (a values queryset to page;
    turn rows into ``StoreTransaction`` with ``store_transaction``)."""
    def part(kind: str) -> Sum:
        return Sum("amount", filter=Q(account__kind=kind))

    return (_store_postings(store_id)
            .values("entry_id", "entry__kind", "entry__created_at", "entry__order_id", "entry__event_key", "currency")
            # A capture for several stores' orders names no order; the store's escrow account does.
            .annotate(escrow_order=Max("account__order_id"),
                      escrow=part(AccountKind.ESCROW), available=part(AccountKind.SELLER_PAYABLE),
                      in_transit=part(AccountKind.PAYOUTS_IN_TRANSIT), commission=part(AccountKind.COMMISSION))
            .order_by("-entry__created_at", "-entry_id", "currency"))


def store_transaction(row: dict) -> StoreTransaction:
    code = row["currency"]
    key = row["entry__event_key"]
    payout_id = int(key.rsplit(":", 1)[1]) if key.split(":", 1)[0] in PAYOUT_EVENTS else None
    return StoreTransaction(
        id=row["entry_id"], kind=row["entry__kind"], created_at=row["entry__created_at"],
        order_id=row["entry__order_id"] or row["escrow_order"], payout_id=payout_id, currency=code,
        escrow=shown(AccountKind.ESCROW, row["escrow"] or 0, code),
        available=shown(AccountKind.SELLER_PAYABLE, row["available"] or 0, code),
        in_transit=shown(AccountKind.PAYOUTS_IN_TRANSIT, row["in_transit"] or 0, code),
        # Commission as the store sees it: charged shows negative, given back positive.
        commission=from_minor(row["commission"] or 0, code))


PAYOUT_EVENTS = frozenset({EntryKind.PAYOUT, EntryKind.PAYOUT_SETTLED, EntryKind.PAYOUT_FAILED})


def list_store_payouts(*, store_id: int, status: str | None = None):
    """The store's payouts, newest first (a queryset: callers slice the page they show), optionally in one
    ``status``."""
    payouts = Payout.objects.filter(store_id=store_id).select_related("requested_by").order_by("-created_at", "-id")
    return payouts.filter(status=status) if status else payouts


def get_payout_account(*, store_id: int) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(store_id=store_id).first()


def list_payable_balances() -> list[tuple[int, Money]]:
    """(store id, available balance) for every store with money available, largest first."""
    rows = (Account.objects.filter(kind=AccountKind.SELLER_PAYABLE)
            .annotate(total=Sum("postings__amount", filter=Q(postings__entry__posted=True)))
            .filter(total__lt=0).order_by("total").values_list("store_id", "currency", "total"))
    return [(store_id, shown(AccountKind.SELLER_PAYABLE, total, currency)) for store_id, currency, total in rows]

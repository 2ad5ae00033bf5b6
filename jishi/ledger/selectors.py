"""Reads of the ledger. Every balance is derived from the postings of sealed entries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from jishi.ledger.models import Account, AccountKind, Entry, EntryKind, Posting
from jishi.ledger.rules import AccountRef, from_minor, shown
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

    @property
    def escrow(self) -> Money:
        return self.paid - self.released - self.refunded_from_escrow

    @property
    def refundable(self) -> Money:
        return self.paid - self.refunded

    @property
    def seller_net(self) -> Money:
        """What the seller keeps of this order so far: released, less commission and later refunds."""
        return (self.released - self.commission_charged + self.commission_returned
                - (self.refunded - self.refunded_from_escrow))


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
    return OrderMoney(
        paid=-total(EntryKind.CAPTURE, AccountKind.ESCROW),
        released=total(EntryKind.RELEASE, AccountKind.ESCROW),
        refunded=escrow_refunds + after_release,
        refunded_from_escrow=escrow_refunds,
        charge_refunded=-total(REFUND_KINDS, AccountKind.REFUNDS, order.charge_currency),
        commission_charged=-total(EntryKind.RELEASE, AccountKind.COMMISSION),
        commission_returned=total(REFUND_KINDS, AccountKind.COMMISSION),
    )


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
    never_below_zero = Q(kind__in=[AccountKind.ESCROW, AccountKind.PAYOUTS_IN_TRANSIT, AccountKind.REFUNDS]) | Q(
        kind=AccountKind.SELLER_PAYABLE) & ~Q(store_id__in=clawed_back)
    return (Account.objects.filter(never_below_zero)
            .annotate(total=Sum("postings__amount", filter=Q(postings__entry__posted=True)))
            .filter(total__gt=0).values_list("key", "kind", "currency", "total")[:20])


def escrow_by_order(*, limit: int = 200) -> list[tuple[int, Money]]:
    """Open escrow per order (largest first): what the platform holds for goods not yet received."""
    rows = (Account.objects.filter(kind=AccountKind.ESCROW)
            .annotate(total=Sum("postings__amount", filter=Q(postings__entry__posted=True)))
            .exclude(total=0).order_by("total").values_list("order_id", "currency", "total")[:limit])
    return [(order_id, shown(AccountKind.ESCROW, total, currency)) for order_id, currency, total in rows]


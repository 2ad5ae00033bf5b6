"""The operator's reconciliation report: the books' own check (``selectors.check_ledger``) cross-checked
against the orders, with the money held per open order. The payment alerts still open are payments' to
list (``payments.selectors.list_open_alerts``); the ledger sits below payments and reads only the books.

Read only, and a constant number of queries whatever the size of the books.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, Sum

from jishi.ledger.models import Account, AccountKind, EntryKind, Posting
from jishi.ledger.rules import shown
from jishi.ledger.selectors import LedgerCheck, check_ledger
from jishi.money.rules import Money

# Orders that are over: nothing of theirs may stay in escrow.
CLOSED_STATUSES = ("completed", "cancelled", "refunded")
# What may move an order's escrow, and which way: paid in by a capture, out by a release or a refund.
ESCROW_IN = (EntryKind.CAPTURE,)
ESCROW_OUT = (EntryKind.RELEASE, EntryKind.REFUND, EntryKind.CLAWBACK)


@dataclass(frozen=True)
class OrderEscrow:
    order_id: int
    status: str
    store_name: str
    amount: Money


@dataclass
class Reconciliation:
    check: LedgerCheck
    open_escrow: list[OrderEscrow] = field(default_factory=list)
    escrow_total: dict[str, Money] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        line = self.check.summary()
        extra = len(self.problems) - len(self.check.problems)
        if extra:
            line += f"; {extra} order problem(s)"
        return line


def reconcile(*, limit: int = 200) -> Reconciliation:
    """The books' check plus, per order: escrow = paid − released − refunded (nothing but captures paid in,
    nothing but releases and refunds taken out), and no escrow left on a completed, cancelled or refunded
    order. ``limit`` bounds the lists shown, never the checks."""
    report = Reconciliation(check=check_ledger())
    report.problems = list(report.check.problems)
    wrong_way = (Posting.objects.filter(entry__posted=True, account__kind=AccountKind.ESCROW)
                 .filter(Q(entry__kind__in=ESCROW_IN, amount__gt=0) | Q(entry__kind__in=ESCROW_OUT, amount__lt=0)
                         | ~Q(entry__kind__in=[*ESCROW_IN, *ESCROW_OUT]))
                 .values_list("entry_id", "entry__kind", "account__order_id")[:20])
    for entry_id, kind, order_id in wrong_way:
        report.problems.append(f"entry {entry_id} ({kind}) moves the escrow of order {order_id} the wrong way: "
                               "escrow is no longer paid − released − refunded")
    held = (Account.objects.filter(kind=AccountKind.ESCROW)
            .annotate(total=Sum("postings__amount", filter=Q(postings__entry__posted=True)))
            .exclude(total=0).exclude(total__isnull=True))
    for order_id, status, currency, total in (held.filter(order__status__in=CLOSED_STATUSES)
                                              .values_list("order_id", "order__status", "currency", "total")[:20]):
        report.problems.append(f"order {order_id} is {status} but holds {shown(AccountKind.ESCROW, total, currency)} "
                               "in escrow")
    report.escrow_total = {t.currency: t.balance for t in report.check.totals if t.kind == AccountKind.ESCROW}
    report.open_escrow = [
        OrderEscrow(order_id=order_id, status=status, store_name=store_name,
                    amount=shown(AccountKind.ESCROW, total, currency))
        for order_id, status, store_name, currency, total in (
            held.exclude(order__status__in=CLOSED_STATUSES).order_by("total")
            .values_list("order_id", "order__status", "store__name", "currency", "total")[:limit])]
    return report

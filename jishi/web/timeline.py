"""An order's history as a page shows it: when, what happened (a status move or a refund), who, and the
note, with the steps of its refund requests (and their deadlines) in between.

The buyer and the store see the same events and name the actors from their own side, from who acted as
the event stored it (``by``), never guessed from the user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jishi.disputes.models import RefundRequestStatus
from jishi.money.rules import Money
from jishi.orders.models import Actor, EventKind, OrderStatus
from jishi.orders.services import EXPIRED_NOTE


@dataclass(frozen=True)
class Step:
    when: dt.datetime
    from_label: str
    to_label: str
    to_status: str
    who: str
    note: str
    # A refund request's step: the request's number and the deadline of the step it opened.
    refund_request: int | None = None
    deadline: dt.datetime | None = None
    # A refund of the order: what went back, in the order's currency.
    refund: Money | None = None

    @property
    def placed(self) -> bool:
        return not self.from_label and self.refund_request is None and self.refund is None


def _who(order, by: str, actor, audience: str) -> str:
    if by == Actor.BUYER:
        return _("You") if audience == "buyer" else _("Buyer")
    if by == Actor.STORE:
        return order.store.name if audience == "buyer" else (actor.name if actor else "") or _("Store member")
    if by == Actor.OPERATOR:
        return _("The marketplace")
    return _("The marketplace") if audience == "buyer" else _("Automatic")


def _note(note: str) -> str:
    return _("Not paid in time.") if note == EXPIRED_NOTE else note


def _order_step(order, event, audience: str) -> Step:
    who = _who(order, event.by, event.actor, audience)
    if event.kind == EventKind.REFUND:
        return Step(when=event.created_at, from_label="", to_label="", to_status="refund", who=who,
                    note=event.note, refund=Money(event.amount, event.currency))
    label = OrderStatus(event.to_status).label if event.to_status in OrderStatus.values else event.to_status
    source = OrderStatus(event.from_status).label if event.from_status in OrderStatus.values else event.from_status
    return Step(when=event.created_at, from_label=source, to_label=label, to_status=event.to_status, who=who,
                note=_note(event.note))


def order_timeline(order, *, audience: str, refund_requests=()) -> list[Step]:
    """``order.events`` (prefetched with their actors) as steps for the ``audience`` "buyer" or "store",
    merged in time with the events of ``refund_requests`` (from ``disputes.selectors``)."""
    steps = [_order_step(order, event, audience) for event in order.events.all()]
    steps += [_refund_request_step(order, request, event, audience) for request in refund_requests
              for event in request.events.all()]
    return sorted(steps, key=lambda step: step.when)


def _refund_request_step(order, request, event, audience: str) -> Step:
    def label(status: str) -> str:
        return RefundRequestStatus(status).label if status in RefundRequestStatus.values else status

    return Step(when=event.created_at, from_label=label(event.from_status) if event.from_status else "",
                to_label=label(event.to_status), to_status=f"refund-{event.to_status}",
                who=_who(order, event.by, event.actor, audience), note=event.note, refund_request=request.pk,
                deadline=event.due_at)

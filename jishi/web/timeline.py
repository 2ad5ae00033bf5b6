"""An order's history as a page shows it: when, from which status to which, who, and the note, with the
steps of its refund requests (and their deadlines) in between.

The buyer and the store see the same events and name the actors from their own side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jishi.orders.models import OrderStatus
from jishi.orders.services import EXPIRED_NOTE, REFUND_NOTE


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

    @property
    def placed(self) -> bool:
        return not self.from_label and self.refund_request is None


def _label(status: str) -> str:
    return OrderStatus(status).label if status in OrderStatus.values else status


def _who(order, event, audience: str) -> str:
    if event.actor_id is None:
        return _("The marketplace") if audience == "buyer" else _("Automatic")
    if event.actor_id == order.buyer_id:
        return _("You") if audience == "buyer" else _("Buyer")
    if audience == "buyer":
        return order.store.name
    return event.actor.name or _("Store member")


def _note(note: str) -> str:
    if note == EXPIRED_NOTE:
        return _("Not paid in time.")
    if note.startswith(REFUND_NOTE):
        return _("Refunded %(amount)s") % {"amount": note.removeprefix(REFUND_NOTE)}
    return note


def order_timeline(order, *, audience: str, refund_requests=()) -> list[Step]:
    """``order.events`` (prefetched with their actors) as steps for the ``audience`` "buyer" or "store",
    merged in time with the events of ``refund_requests`` (from ``disputes.selectors``)."""
    steps = [Step(when=event.created_at, from_label=_label(event.from_status) if event.from_status else "",
                  to_label=_label(event.to_status), to_status=event.to_status, who=_who(order, event, audience),
                  note=_note(event.note))
             for event in order.events.all()]
    steps += [_refund_step(order, request, event, audience) for request in refund_requests
              for event in request.events.all()]
    return sorted(steps, key=lambda step: step.when)


def _refund_step(order, request, event, audience: str) -> Step:
    from jishi.disputes.models import RefundRequestStatus

    def label(status: str) -> str:
        return RefundRequestStatus(status).label if status in RefundRequestStatus.values else status

    if event.by == "buyer":
        who = _("You") if audience == "buyer" else _("Buyer")
    elif event.by == "store":
        who = order.store.name if audience == "buyer" else (event.actor.name if event.actor else "") or _("Store member")
    elif event.by == "operator":
        who = _("The marketplace")
    else:
        who = _("The marketplace") if audience == "buyer" else _("Automatic")
    return Step(when=event.created_at, from_label=label(event.from_status) if event.from_status else "",
                to_label=label(event.to_status), to_status=f"refund-{event.to_status}", who=who, note=event.note,
                refund_request=request.pk, deadline=event.due_at)

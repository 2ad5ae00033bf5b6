"""An order's history as a page shows it: when, from which status to which, who, and the note.

The buyer and the store see the same events and name the actors from their own side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jishi.orders.models import OrderStatus
from jishi.orders.services import EXPIRED_NOTE


@dataclass(frozen=True)
class Step:
    when: dt.datetime
    from_label: str
    to_label: str
    to_status: str
    who: str
    note: str

    @property
    def placed(self) -> bool:
        return not self.from_label


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


def order_timeline(order, *, audience: str) -> list[Step]:
    """``order.events`` (prefetched with their actors) as steps for the ``audience`` "buyer" or "store"."""
    return [Step(when=event.created_at, from_label=_label(event.from_status) if event.from_status else "",
                 to_label=_label(event.to_status), to_status=event.to_status, who=_who(order, event, audience),
                 note=_("Not paid in time.") if event.note == EXPIRED_NOTE else event.note)
            for event in order.events.all()]

"""A history of orders for the demo: every status, several stores, over the last weeks, with the money
that moved: payments, releases of escrow less commission, refunds and payouts (``jishi ledger check``
passes on the demo).

Orders go through the real services (checkout, payment door, shipping, receipt, cancellation, refund
requests and the marketplace's decisions on them) with the clock set back in time, so timelines, stock
and totals are exactly what real use would leave behind. Requests still waiting for an answer were opened
within their deadline, so the timers leave them for the store and the buyer to act on.
Mail is not sent for the demo's past.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.test.utils import override_settings

from jishi.accounts.models import User
from jishi.accounts.services import create_address
from jishi.catalog.models import ProductStatus, Variant
from jishi.catalog.selectors import get_category_tree
from jishi.checkout.services import place_order_group
from jishi.core import clock
from jishi.disputes import services as disputes
from jishi.disputes.models import RefundReason, RefundRequest
from jishi.ledger import payouts
from jishi.ledger.models import CommissionRate
from jishi.ledger.selectors import invalidate_commission_rates, order_money
from jishi.money.rules import Money, quantize
from jishi.orders import services
from jishi.orders.rules import BUYER, STORE, SYSTEM
from jishi.payments.refunds import cancel_store_order, refund_order
from jishi.payments.sandbox import pay
from jishi.stores.models import Store
from jishi.stores.selectors import access_store

ADDRESSES = [
    {"name": "Lin Xiaomei", "phone": "+86 571 8502 2088", "line1": "18 Wensan Road", "city": "Hangzhou",
     "region": "Zhejiang", "postal_code": "310012", "country": "CN"},
    {"name": "Camille Martin", "phone": "+33 4 72 00 00 00", "line1": "12 Rue de la République", "city": "Lyon",
     "postal_code": "69002", "country": "FR"},
    {"name": "Ana Souza", "phone": "+55 11 3000 0000", "line1": "Avenida Paulista 1000", "city": "São Paulo",
     "region": "SP", "postal_code": "01310-100", "country": "BR"},
    {"name": "Sato Haruki", "phone": "+81 6 6000 0000", "line1": "2-1 Umeda", "city": "Osaka",
     "postal_code": "530-0001", "country": "JP"},
]
CARRIERS = [("SF Express", "SF"), ("China Post EMS", "EE"), ("DHL Express", "JD"), ("Yamato", "YT")]
# What happens to each order after it is placed, and how many of each the demo makes.
STORIES = {"awaiting_payment": 2, "paid": 4, "shipped": 3, "completed": 5, "cancelled_by_buyer": 1,
           "cancelled_by_store": 1, "expired": 1, "refunded": 1, "partly_refunded": 1,
           "refund_requested": 2, "refund_accepted": 1, "refund_returned": 1, "refund_rejected": 1,
           "refund_escalated": 1, "refund_decided": 1}
# Stories with a refund request: the buyer asks after shipment and the store (or the marketplace) answers.
REFUND_STORIES = {story for story in STORIES if story.startswith("refund_")}
# What the buyers say: (reason, details, goods go back).
COMPLAINTS = [(RefundReason.DAMAGED, "The box was crushed and the item is cracked.", False),
              (RefundReason.NOT_AS_DESCRIBED, "The colour is quite different from the photos.", True),
              (RefundReason.WRONG_ITEM, "I ordered a different size.", True),
              (RefundReason.NOT_RECEIVED, "Tracking has not moved for a week.", False)]
# The operator's commission rates beside the 5 % default (top-level category slug → rate).
COMMISSION_RATES = {"consumer-electronics": Decimal("0.03"), "phones-accessories": Decimal("0.03"),
                    "womens-clothing": Decimal("0.08"), "jewellery-watches": Decimal("0.1")}
# Payout accounts of the first stores; the sandbox bank refuses numbers ending in 0000 (the second one's).
PAYOUT_ACCOUNTS = ["DE89370400440532013000", "GB29NWBK60161331920000", "FR1420041010050500013M02606",
                   "NL91ABNA0417164300", "ES9121000418450200051332", "IT60X0542811101000000123456"]


@dataclass
class Report:
    groups: int
    orders: int
    refund_requests: int = 0


def _buyers(rng: random.Random, shopper: User) -> list[tuple[User, int]]:
    """The demo shopper and three store owners who also shop, each with an address."""
    others = list(User.objects.filter(email__startswith="owner").order_by("id")[10:13])
    buyers = []
    for user, address in zip([shopper, *others], ADDRESSES, strict=False):
        buyers.append((user, create_address(user=user, data=address).id))
    return buyers


def _stocked_variants(store_ids: list[int]) -> dict[int, list[Variant]]:
    by_store: dict[int, list[Variant]] = {}
    for variant in (Variant.objects.filter(store_id__in=store_ids, stock__gte=20,
                                           product__status=ProductStatus.ACTIVE).order_by("id")[:400]):
        by_store.setdefault(variant.store_id, []).append(variant)
    return by_store


def _play(story: str, group, access_of, buyer, operator, rng: random.Random, placed: dt.datetime) -> None:
    later = placed + dt.timedelta(minutes=rng.randint(2, 20))
    if story == "awaiting_payment":
        return
    if story == "expired":
        with clock.frozen(placed + dt.timedelta(hours=1)):
            services.expire_group(group.id)
        return
    if story == "cancelled_by_buyer":
        with clock.frozen(later):
            for order in group.orders.all():
                services.cancel_order(order=order, by=BUYER, actor=buyer, reason="Ordered the wrong size.")
        return
    with clock.frozen(later):
        pay(group)  # the sandbox's hosted page and its signed webhook, as a shopper pays
    for order in group.orders.select_related("store"):
        access = access_of[order.store_id]
        if story == "cancelled_by_store":
            with clock.frozen(later + dt.timedelta(hours=3)):
                cancel_store_order(access=access, order=order, reason="Sold out in the warehouse, sorry.")
            continue
        if story == "paid":
            continue
        carrier, prefix = rng.choice(CARRIERS)
        sent = later + dt.timedelta(hours=rng.randint(4, 30))
        with clock.frozen(sent):
            services.ship_order(access=access, order=order, carrier=carrier,
                                tracking_number=f"{prefix}{rng.randint(10**9, 10**10 - 1)}")
        if story in REFUND_STORIES:
            _complain(story, order, access, buyer, operator, rng, sent)
            continue
        if story == "refunded":
            with clock.frozen(later + dt.timedelta(days=rng.randint(3, 8))):
                refund_order(order=order, amount=order_money(order).refundable, reason="Arrived damaged; sent back.",
                             by=STORE, actor=access.membership.user, restock=True)
            continue
        if story in ("completed", "partly_refunded"):
            with clock.frozen(later + dt.timedelta(days=rng.randint(3, 8))):
                if rng.random() < 0.6:
                    services.confirm_receipt(order=order, by=BUYER, actor=buyer)
                else:
                    services.confirm_receipt(order=order, by=SYSTEM)
        if story == "partly_refunded":
            # A scratch noticed after receipt: a goodwill refund, taken back from the store's balance.
            with clock.frozen(later + dt.timedelta(days=9)):
                refund_order(order=order, amount=Money(order.total * Decimal("0.2"), order.currency),
                             reason="Scratched on arrival.", by=STORE, actor=access.membership.user)


def _complain(story: str, order, access, buyer, operator, rng: random.Random, sent: dt.datetime) -> None:
    """A refund request on a shipped order and what became of it, through the buyer protection services."""
    reason, details, goods_return = COMPLAINTS[order.pk % len(COMPLAINTS)]
    if story == "refund_returned":
        goods_return = True
    elif story == "refund_accepted":
        goods_return = False
    # Some ask for everything back, some for part of it.
    amount = None if rng.random() < 0.5 else quantize(Decimal(order.total) * Decimal("0.4"), order.currency)
    now = clock.now()
    asked = (now - dt.timedelta(hours=rng.randint(2, 40)) if story == "refund_requested"
             else sent + dt.timedelta(days=1, hours=rng.randint(0, 12)))
    with clock.frozen(asked):
        request = disputes.open_refund_request(order=order, buyer=buyer, reason=reason, amount=amount,
                                               goods_return=goods_return, details=details)
    if story == "refund_requested":
        return  # the store has not answered yet: the seller's refund requests page has it waiting
    step = asked + dt.timedelta(hours=rng.randint(6, 20))
    if story in ("refund_accepted", "refund_returned"):
        with clock.frozen(step):
            disputes.accept_refund_request(access=access, request=request)
        if story == "refund_returned":
            carrier, prefix = rng.choice(CARRIERS)
            with clock.frozen(step + dt.timedelta(days=1)):
                disputes.add_return_tracking(request=request, buyer=buyer, carrier=carrier,
                                             tracking_number=f"{prefix}{rng.randint(10**9, 10**10 - 1)}")
            with clock.frozen(step + dt.timedelta(days=3)):
                disputes.confirm_return(access=access, request=request, restock=True)
        return
    with clock.frozen(step):
        disputes.reject_refund_request(access=access, request=request,
                                       reason="The photos show the item was used; we cannot take it back.")
    if story == "refund_rejected":
        return  # the buyer can still take it to the marketplace
    with clock.frozen(step + dt.timedelta(days=1)):
        disputes.escalate_refund_request(request=request, buyer=buyer,
                                         note="The store refuses, but the item was like this in the box.")
    if story == "refund_decided" and operator is not None:
        with clock.frozen(step + dt.timedelta(days=2)):
            disputes.decide_refund_request(request=request, operator=operator, for_buyer=True,
                                           note="The delivery photos support the buyer.")


# No server runs while the demo is made: the sandbox's webhooks reach the site in-process.
@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                   PAYMENT_WEBHOOK_TRANSPORT="jishi.payments.deliveries.post_in_process")
def generate_order_history(*, seed: int, shopper: User, operator: User | None = None) -> Report:
    rng = random.Random(seed)
    stores = list(Store.objects.order_by("id")[:6])
    access_of = {}
    for store in stores:
        owner = store.memberships.get(role="owner").user
        access_of[store.id] = access_store(user=owner, slug=store.slug)
    stock = _stocked_variants([s.id for s in stores])
    buyers = _buyers(rng, shopper)
    now = clock.now()
    groups = orders = 0
    _commission_rates()
    plan = [story for story, count in STORIES.items() for _ in range(count)]
    for index, story in enumerate(plan):
        buyer, address_id = buyers[index % len(buyers)]
        # The demo seller's two stores appear in every order; some orders span a third store too.
        chosen = [stores[index % 2]] + ([stores[2 + index % 4]] if index % 3 == 0 else [])
        lines = [{"variant_id": rng.choice(stock[s.id]).id, "quantity": rng.randint(1, 3)}
                 for s in chosen if stock.get(s.id)]
        if not lines:
            continue
        recent = story == "awaiting_payment"
        placed = now - (dt.timedelta(minutes=rng.randint(1, 10)) if recent else
                        dt.timedelta(days=rng.randint(10, 40) if story in ("completed", "partly_refunded")
                                     else rng.randint(7, 9) if story in REFUND_STORIES else rng.randint(1, 9),
                                     hours=rng.randint(0, 23)))
        with clock.frozen(placed):
            group = place_order_group(buyer=buyer, charge_currency=buyer.preferred_currency or "USD",
                                      language=buyer.preferred_language or "en", lines=lines, address_id=address_id)
        _play(story, group, access_of, buyer, operator, rng, placed)
        groups += 1
        orders += len(lines)
    _payouts(stores, access_of, now)
    return Report(groups=groups, orders=orders,
                  refund_requests=RefundRequest.objects.filter(store__in=stores).count())


def _commission_rates() -> None:
    tree = get_category_tree()
    for slug, rate in COMMISSION_RATES.items():
        if (category := tree.by_slug(slug)) is not None:
            CommissionRate.objects.update_or_create(category=category, defaults={"rate": rate})
    invalidate_commission_rates()


def _payouts(stores: list[Store], access_of: dict, now: dt.datetime) -> None:
    """Payout accounts for the stores, then this week's scheduled payouts: settled by the sandbox bank,
    except the one to the account it refuses, whose money is available again."""
    for store, number in zip(stores, PAYOUT_ACCOUNTS, strict=False):
        with clock.frozen(now - dt.timedelta(days=30)):
            payouts.set_payout_account(access=access_of[store.id], holder=store.name, number=number)
    with clock.frozen(now - dt.timedelta(days=2)):
        payouts.pay_out_due_stores()

"""A store whose money has moved: orders paid (captured into escrow), one completed (released), and the
people who may or may not see it."""

from types import SimpleNamespace

import pytest

from jishi.ledger import services as ledger
from jishi.ledger.models import PayoutAccount
from jishi.money.rules import Money
from jishi.orders.rules import BUYER
from jishi.orders.services import confirm_receipt, mark_paid, ship_order
from jishi.stores.models import Membership, Role
from jishi.stores.selectors import access_store
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for


def pay(group):
    """Paid as the payments app does it: the group becomes paid and the capture is booked."""
    mark_paid(group)
    ledger.record_capture(payment_id=group.id, amount=Money(group.charge_total, group.charge_currency),
                          orders=list(group.orders.order_by("id")))


def complete(order, access):
    ship_order(access=access, order=order, carrier="SF Express", tracking_number="SF123456789")
    return confirm_receipt(order=order, by=BUYER, actor=order.buyer)


@pytest.fixture
def money(rates):
    """Hangzhou Tea (CNY) sold 10 × CNY 100.00 (completed: released) and 2 × CNY 100.00 (paid, in escrow).

    Commission is the platform default 5 %; shipping is free. So: available 950.00, in escrow 200.00."""
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    tea = make_product(access, title="Green Tea", price="100.00", stock=100).variants.get()
    buyer = UserFactory()
    address = AddressFactory(user=buyer)
    done = buy_now(buyer, tea, 10, charge_currency="CNY", address=address)
    pay(done)
    complete(done.orders.get(), access)
    waiting = buy_now(buyer, tea, 2, charge_currency="USD", address=address)
    pay(waiting)
    owner = store.memberships.get(role=Role.OWNER).user
    manager, staff = UserFactory(), UserFactory()
    Membership.objects.create(store=store, user=manager, role=Role.MANAGER)
    Membership.objects.create(store=store, user=staff, role=Role.STAFF)
    other_store, _other = open_store_for(name="Osaka Ramen", currency_code="JPY")
    return SimpleNamespace(
        store=store, access=access, owner=owner, manager=manager, staff=staff, buyer=buyer, tea=tea,
        address=address, done=done.orders.get(), waiting=waiting.orders.get(),
        manager_access=access_store(user=manager, slug=store.slug),
        outsider=other_store.memberships.get().user, other_store=other_store,
        auth=SimpleNamespace(owner=bearer(owner), manager=bearer(manager), staff=bearer(staff),
                             outsider=bearer(other_store.memberships.get().user), buyer=bearer(buyer)))


def with_payout_account(store, number: str = "DE89370400440532013000"):
    return PayoutAccount.objects.update_or_create(store=store, defaults={"holder": store.name, "number": number})[0]

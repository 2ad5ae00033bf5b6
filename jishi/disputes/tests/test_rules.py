"""The refund request state machine and input checks, pure."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jishi.core.errors import DomainError
from jishi.disputes import rules
from jishi.disputes.models import ACTIVE_STATUSES, RefundRequestStatus
from jishi.money.rules import Money

S = RefundRequestStatus
SIDES = (rules.BUYER, rules.STORE, rules.OPERATOR, rules.SYSTEM)


def test_every_action_is_a_move_the_state_machine_allows():
    for name, (side, sources, target) in rules.ACTIONS.items():
        for source in sources:
            targets = [target] if target else (
                [S.ACCEPTED, S.REFUNDED] if name == "accept" else [S.REFUNDED, S.CLOSED])
            assert all(rules.can_move(source, t, side) for t in targets), (name, source)


def test_ended_requests_offer_nothing_and_nothing_leaves_them():
    for status in (S.REFUNDED, S.CLOSED):
        assert all(not rules.actions_for(status, side) for side in SIDES)
        assert all(not rules.moves_for(status, side) for side in SIDES)


@given(st.lists(st.tuples(st.sampled_from(S.values), st.sampled_from(SIDES)), max_size=30))
def test_a_random_walk_only_takes_allowed_steps_and_ends_for_good(steps):
    status = S.OPEN
    for target, side in steps:
        try:
            rules.check_move(status, target, side)
        except DomainError as error:
            assert error.code == "refund_request.illegal_transition" and error.status == 409
            continue
        assert status in ACTIVE_STATUSES  # nothing moves an ended request
        status = target


def test_a_paused_window_resumes_with_what_was_left_but_never_less_than_a_day():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert rules.resumed_auto_confirm(now=now, left=dt.timedelta(days=4), current=None) == now + dt.timedelta(days=4)
    assert rules.resumed_auto_confirm(now=now, left=dt.timedelta(hours=2), current=None) == now + dt.timedelta(days=1)
    assert rules.resumed_auto_confirm(now=now, left=None, current=None) is None


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2))
def test_any_amount_up_to_the_refundable_is_accepted_and_beyond_it_refused(amount):
    refundable = Money("200", "USD")
    if amount <= refundable.amount:
        assert rules.clean_amount(str(amount), refundable=refundable) == Money(amount, "USD")
    else:
        with pytest.raises(DomainError):
            rules.clean_amount(str(amount), refundable=refundable)


def test_amounts_respect_the_currencys_minor_units():
    with pytest.raises(DomainError):
        rules.clean_amount("10.5", refundable=Money("100", "JPY"))
    assert rules.clean_amount("10", refundable=Money("100", "JPY")) == Money("10", "JPY")

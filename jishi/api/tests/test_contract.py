"""The API keeps the contract its OpenAPI spec states.

schemathesis reads the served spec and generates requests from it for every operation, valid ones and invalid
ones, and sends them through the WSGI application in this process as a seller with a store, products, an
address, a shipping template and an order to fulfil. No answer may be a 5xx, every status must be declared
for its operation, and every answer must match its declared schema and content type.

Generation is derandomized (Hypothesis derives each operation's examples from its name) and has no
deadline, so a run is the same run every time, however slow the machine.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jishi.orders.services import mark_paid
from jishi.shipping.models import ShippingTemplate
from jishi.wsgi import application
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for

pytestmark = [pytest.mark.django_db, pytest.mark.contract]

# Cases per operation: valid requests aimed at the seller's own objects, and invalid ones (wrong types,
# missing fields, out-of-range values) with whatever ids Hypothesis makes up. The operator's routes go
# with a staff token, the rest as the seller.
# CONTRACT_SCALE=10 in the environment sends ten times as many, for a deeper run by hand.
SCALE = max(1, int(os.environ.get("CONTRACT_SCALE") or 1))
POSITIVE_EXAMPLES = 3 * SCALE
NEGATIVE_EXAMPLES = 2 * SCALE
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CONFIG = SchemathesisConfig.from_str("""
[generation]
deterministic = true
""")


@pytest.fixture
def world():
    """A seller's store with products, a shipping template, an address and a paid order from a buyer."""
    store, access = open_store_for(name="Contract Store", currency_code="CNY")
    tea = make_product(access, title="Green Tea", price="88.00", stock=50)
    make_product(access, title="Oolong", price="42.00", stock=50, variants=2)
    seller = store.memberships.get().user
    address = AddressFactory(user=seller)
    buyer = UserFactory()
    group = buy_now(buyer, tea.variants.get(), 1, charge_currency="CNY", address=AddressFactory(user=buyer))
    mark_paid(group)
    return {
        "headers": {"Authorization": bearer(seller)["HTTP_AUTHORIZATION"]},
        # The operator's routes are sent with a staff token, so they answer more than 404.
        "operator_headers": {"Authorization": bearer(UserFactory(is_staff=True))["HTTP_AUTHORIZATION"]},
        "ids": {"slug": store.slug, "product_id": tea.id, "variant_id": tea.variants.get().id,
                "order_id": group.orders.get().id, "address_id": address.id,
                "template_id": ShippingTemplate.objects.filter(store=store).values_list("id", flat=True).first(),
                "country": "US", "provider": "sandbox"},
    }


@pytest.fixture
def api_schema():
    # The test client keeps the test's database connection across requests, where a bare WSGI call closes it
    # when the request finishes: do as the test client does while the generated requests run.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, strategy, examples: int, headers: dict, tally: dict) -> str | None:
    """Runs ``examples`` generated cases of one operation; answers the failure report, if any."""

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        tally["cases"] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        check()
    except FailureGroup as exc:
        return f"{operation.label}: {exc}"
    except Unsatisfiable:  # nothing invalid to send: an operation without any input
        return None
    return None


def test_the_api_keeps_its_contract(api_schema, world):
    tally = {"cases": 0, "operations": 0}
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        tally["operations"] += 1
        names = {p.name for p in operation.path_parameters}
        own = {name: value for name, value in world["ids"].items() if name in names and value is not None}
        headers = world["operator_headers"] if operation.path.startswith("/api/v1/operator/") else world["headers"]
        for mode, examples, fixed in [(GenerationMode.POSITIVE, POSITIVE_EXAMPLES, own),
                                      (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, None)]:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            failure = _run(operation, strategy, examples, headers, tally)
            if failure:
                failures.append(failure)
    print(f"contract: {tally['cases']} generated cases over {tally['operations']} operations")
    assert tally["operations"] >= 70 and tally["cases"] >= 200
    assert not failures, "\n\n".join(failures)

"""The tax rules API (public reads, no writes), the operator's rule editing and report, and the
landed-cost breakdown on the checkout page and in the order API."""

import datetime as dt
from decimal import Decimal

import pytest

from jishi.core import clock
from jishi.payments.sandbox import pay
from jishi.tax.models import DestinationRule, DutyRate
from jishi.tax.selectors import get_rule, invalidate_rules, landed_cost_for
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db

RULES = "/api/v1/tax/rules"


def test_everyone_reads_the_seeded_rules_in_a_list_envelope(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # the five tax tables, once per process
        body = client.get(RULES, {"page_size": 100}).json()

    assert body["total"] == 36 and body["page"] == 1 and body["page_size"] == 100
    fr = next(rule for rule in body["items"] if rule["country"] == "FR")
    assert fr["vat_rate_percent"] == "20.000" or Decimal(fr["vat_rate_percent"]) == 20
    assert (fr["collect_limit"], fr["thresholds_currency"], fr["collect_at_checkout"]) == ("150.00", "EUR", True)
    assert fr["effective_from"] == "2026-11-24"


def test_one_country_with_its_duty_rates_and_thresholds_in_the_legal_currency(client):
    body = client.get(f"{RULES}/pl").json()

    assert (body["country"], body["currency"], body["thresholds_currency"]) == ("PL", "PLN", "EUR")
    assert (body["duty_de_minimis"], body["flat_duty_per_tariff_line"]) == ("150.00", "3.00")
    # A member of the EU reads the Union's common tariff, seeded with its source and date.
    assert body["customs_union"] == "EU" and body["threshold_basis"] == "goods" and body["valuation"] == "cif"
    shirts = next(row for row in body["duty_rates"] if row["hs_code"] == "6109")
    assert Decimal(shirts["rate_percent"]) == 12 and shirts["origins"] == [] and shirts["measure"] == ""
    assert "Combined Nomenclature" in shirts["source"] and shirts["effective_from"] == "2026-01-01"
    # An operator's row for the union is read at once by every member.
    DutyRate.objects.create(country="EU", hs_code="9503", rate=Decimal("4.7"), effective_from=dt.date(2026, 12, 1))
    invalidate_rules()
    toys = [row for row in client.get(f"{RULES}/FR").json()["duty_rates"] if row["hs_code"] == "9503"]
    assert [Decimal(row["rate_percent"]) for row in toys] == [Decimal("4.7")]


def test_an_unknown_country_is_a_422_and_a_country_without_a_rule_a_404(client):
    bad = client.get(f"{RULES}/XX1")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "tax.unknown_country"
    missing = client.get(f"{RULES}/AQ")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "tax.no_rule"


def test_the_api_has_no_write_route_even_for_staff(client):
    staff = UserFactory(is_staff=True)
    response = client.post(RULES, {"country": "FR"}, content_type="application/json", **bearer(staff))
    assert response.status_code == 405
    assert DestinationRule.objects.count() == 36


def test_a_new_version_takes_over_from_its_effective_date_and_the_old_one_before(client):
    DestinationRule.objects.create(country="GB", effective_from=dt.date(2027, 4, 1), currency="GBP", tax_name="VAT",
                                   vat_rate=Decimal("22"), thresholds_currency="GBP", collect_at_checkout=True,
                                   collect_limit=Decimal("135"), vat_de_minimis=0, duty_de_minimis=Decimal("135"))
    from jishi.tax.selectors import invalidate_rules

    invalidate_rules()
    assert get_rule("GB").vat_rate == 20
    assert get_rule("GB", at=dt.date(2027, 4, 1)).vat_rate == 22
    assert client.get(f"{RULES}/GB", {"at": "2027-04-02"}).json()["vat_rate_percent"] in ("22.000", "22")
    with clock.frozen(dt.datetime(2027, 5, 1, tzinfo=dt.UTC)):
        assert get_rule("GB").vat_rate == 22


def test_the_operator_edits_rules_in_the_admin_and_every_quote_sees_it_at_once(admin_client):
    rule = get_rule("DE")
    page = admin_client.get(f"/admin/tax/destinationrule/{rule.pk}/change/")
    assert page.status_code == 200
    data = {name: ("" if value is None else value) for name, value in {
        "country": "DE", "effective_from": "2026-11-24", "currency": "EUR", "tax_name": "VAT",
        "confidence": "high", "vat_rate": "7", "default_duty_rate": "", "thresholds_currency": "EUR",
        "vat_de_minimis": "0", "duty_de_minimis": "150", "collect_at_checkout": "on", "collect_limit": "150",
        "flat_duty_per_tariff_line": "3", "threshold_basis": "goods", "valuation": "cif",
        "tax_base_includes_shipping": "on", "border_terms": "any", "customs_value_percent": "100",
        "duty_bands": "[]", "notes": "", "source": ""}.items()}
    assert admin_client.post(f"/admin/tax/destinationrule/{rule.pk}/change/", data).status_code == 302
    assert get_rule("DE").vat_rate == 7


def test_landed_cost_for_refuses_an_unknown_country_and_defaults_a_line_without_hs_code(rates):
    from types import SimpleNamespace

    from jishi.core.errors import DomainError
    from jishi.money.rules import Money

    line = SimpleNamespace(total=Money("2000.00", "CNY"), hs_code="")  # EUR 250, above the IOSS limit
    with pytest.raises(DomainError) as error:
        landed_cost_for(destination="ZZZ", ship_from="CN", lines=[line], shipping=Money(0, "CNY"),
                        per_eur=rates.per_eur)
    assert error.value.code == "tax.unknown_country" and error.value.status == 422
    cost = landed_cost_for(destination="au", ship_from="CN", lines=[SimpleNamespace(total=Money("8000", "CNY"),
                                                                                    hs_code="")],
                           shipping=Money(0, "CNY"), per_eur={**rates.per_eur, "AUD": Decimal("1.6")})
    # CNY 8,000 = AUD 1,600, above AUD 1,000: the default 5 % duty applies to a line without an HS code.
    assert cost.collection == "on_delivery" and cost.duty_local == Money("80.00", "AUD")


@pytest.fixture
def lyon_order(rates):
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    tea = make_product(access, price="400.00", stock=10).variants.get()
    buyer = UserFactory()
    address = AddressFactory(user=buyer, country="FR", city="Lyon", postal_code="69001")
    group = buy_now(buyer, tea, 2, charge_currency="EUR", address=address)
    return store, access, buyer, group


def test_the_order_api_shows_the_frozen_breakdown(client, lyon_order):
    store, access, buyer, group = lyon_order
    order = group.orders.get()

    body = client.get(f"/api/v1/orders/{order.id}", **bearer(buyer)).json()

    assert body["destination_country"] == "FR"
    assert body["duty_total"] == "24.00" and Decimal(body["tax_total"]) == order.tax_total
    assert body["due_on_delivery"] == "0.00"
    assert Decimal(body["total"]) == order.items_total + order.shipping_total + order.duty_total + order.tax_total
    assert client.get(f"/api/v1/orders/{order.id}", **bearer(UserFactory())).status_code == 404


def test_the_tax_report_is_the_operators_with_a_csv_export(client, admin_client, lyon_order):
    store, access, buyer, group = lyon_order
    pay(group)
    order = group.orders.get()
    today = clock.now().date().isoformat()

    page = admin_client.get("/admin/tax/destinationrule/report/", {"since": today, "until": today})
    assert page.status_code == 200 and "FR" in page.content.decode()
    csv = admin_client.get("/admin/tax/destinationrule/report/", {"since": today, "until": today, "format": "csv"})
    lines = csv.content.decode().strip().splitlines()
    assert lines[0].startswith("country,currency,collected,refunded,owed,orders")
    owed = order.duty_total + order.tax_total
    assert lines[1].startswith(f"FR,CNY,{owed:.2f},0.00,{owed:.2f},1")
    assert "/admin/tax/destinationrule/report/" in admin_client.get("/admin/").content.decode()
    client.force_login(buyer)
    assert client.get("/admin/tax/destinationrule/report/").status_code == 302


def test_the_checkout_page_shows_duties_and_taxes_per_store(client, rates):
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    cheap = make_product(access, title="Green Tea", price="400.00", stock=10).variants.get()
    buyer = UserFactory(country="FR")
    AddressFactory(user=buyer, country="FR", city="Lyon", postal_code="69001")
    client.force_login(buyer)

    page = client.get("/checkout/", {"variant": cheap.id, "quantity": 1}).content.decode()
    assert "Duties" in page and "Import taxes (VAT)" in page
    assert "More due on delivery" not in page

    dear = make_product(access, title="Old Pu'er", price="3000.00", stock=10).variants.get()
    page = client.get("/checkout/", {"variant": dear.id, "quantity": 1}).content.decode()
    assert "More due on delivery" in page and "≈" in page


def test_the_buyers_order_page_shows_the_frozen_duties_and_taxes(client, lyon_order):
    store, access, buyer, group = lyon_order
    order = group.orders.get()
    client.force_login(buyer)

    page = client.get(f"/orders/{order.id}/").content.decode()

    assert "Duties" in page and "Import taxes" in page
    client.force_login(UserFactory())
    assert client.get(f"/orders/{order.id}/").status_code == 404


def test_the_seeded_origin_and_special_rules_are_read_through_the_api(client):
    ca = client.get(f"{RULES}/CA").json()
    assert [(o["origins"], o["match"], o["vat_de_minimis"], o["duty_de_minimis"]) for o in ca["origin_rules"]] == [
        (["MX", "US"], "made_in", "40.00", "150.00")]
    kr = client.get(f"{RULES}/KR").json()["origin_rules"][0]
    assert (kr["origins"], kr["vat_de_minimis"], kr["effective_until"]) == (["US"], "200.00", None)
    mx = client.get(f"{RULES}/MX").json()["origin_rules"][0]
    assert mx["vat_rate_percent"] in ("0.000", "0") and [b["rate"] for b in mx["duty_bands"]] == ["17", "19"]
    br = client.get(f"{RULES}/BR").json()
    assert [(b["above"], b["rate"], b["deduct"]) for b in br["duty_bands"]] == [
        ("0.00", "20", "0.00"), ("50.00", "60", "20.00"), ("3000.00", "60", "0.00")]
    assert client.get(f"{RULES}/JP").json()["customs_value_percent"] in ("60.000", "60")
    norway = client.get(f"{RULES}/NO").json()
    assert norway["collect_limit_per_item"] is True and norway["de_minimis_per_item"] is True
    assert ca["origin_rules"][0]["transport"] == "courier"
    assert client.get(f"{RULES}/JP").json()["never_relieved"] == ["22", "24", "4202", "4203", "61", "6216", "64"]
    regions = {row["region"]: row for row in client.get(f"{RULES}/CA").json()["regional_taxes"]}
    assert len(regions) == 13 and Decimal(regions["ON"]["rate_percent"]) == 8 and regions["QC"]["tax_name"] == "GST + QST"
    assert len(client.get(f"{RULES}/US").json()["regional_taxes"]) == 51
    listed = {rule["country"]: rule for rule in client.get(RULES, {"page_size": 100}).json()["items"]}
    assert listed["CA"]["origin_rules"] == ca["origin_rules"] and listed["FR"]["origin_rules"] == []
    # Before the seed's date nothing was in force.
    assert client.get(f"{RULES}/CA", {"at": "2026-01-01"}).status_code == 404


def test_an_origin_rule_ends_on_its_effective_until(client):
    from jishi.tax.models import OriginRule
    from jishi.tax.selectors import invalidate_rules

    OriginRule.objects.filter(country="KR").update(effective_until=dt.date(2027, 1, 1))
    invalidate_rules()

    assert client.get(f"{RULES}/KR", {"at": "2026-12-31"}).json()["origin_rules"]
    assert client.get(f"{RULES}/KR", {"at": "2027-01-01"}).json()["origin_rules"] == []


def _origin_form(**changes):
    data = {"country": "KR", "origins": "us", "match": "shipped_from", "effective_from": "2027-01-01",
            "effective_until": "", "vat_rate": "", "vat_de_minimis": "250", "duty_de_minimis": "250",
            "default_duty_rate": "", "duty_bands": "[]", "notes": "", "source": ""}
    return {**data, **changes}


def test_the_operator_adds_an_origin_rule_in_the_admin_and_quotes_use_it_from_its_date(admin_client, rates):
    from types import SimpleNamespace

    from jishi.money.rules import Money
    from jishi.tax.models import OriginRule

    assert admin_client.get("/admin/tax/originrule/").status_code == 200
    response = admin_client.post("/admin/tax/originrule/add/", _origin_form())
    assert response.status_code == 302
    added = OriginRule.objects.get(effective_from=dt.date(2027, 1, 1))
    assert added.origins == "US" and added.duty_bands == []

    per_eur = {**rates.per_eur, "USD": Decimal("1.25"), "KRW": Decimal("1500")}
    line = SimpleNamespace(total=Money("225.00", "USD"), hs_code="6109", quantity=1, origin_country="")

    def quote(day):
        with clock.frozen(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)):
            return landed_cost_for(destination="KR", ship_from="US", lines=[line], shipping=Money(0, "USD"),
                                   per_eur=per_eur)

    # USD 225: above KORUS's USD 200 until the new rule, under its USD 250 from then.
    assert quote(dt.date(2026, 12, 31)).total and quote(dt.date(2027, 1, 1)).origin_rule["effective_from"] == "2027-01-01"
    assert not quote(dt.date(2027, 1, 1)).total


@pytest.mark.parametrize(("changes", "field"), [
    ({"origins": "US,XX"}, "origins"),
    ({"origins": " , "}, "origins"),
    ({"country": "ZZ"}, "country"),
    ({"duty_bands": '{"above": 1}'}, "duty_bands"),
    ({"duty_bands": '[{"above": "50"}]'}, "duty_bands"),
    ({"duty_bands": '[{"above": "50", "rate": "abc"}]'}, "duty_bands"),
    ({"duty_bands": '[{"above": "50", "rate": "120"}]'}, "duty_bands"),
    ({"duty_bands": '[{"above": "-1", "rate": "10"}]'}, "duty_bands"),
    ({"duty_bands": '[{"above": "5", "rate": "10"}, {"above": "5.0", "rate": "12"}]'}, "duty_bands"),
    ({"duty_bands": "not json"}, "duty_bands"),
    ({"effective_until": "2026-12-31"}, None),  # before it starts: refused by the database check, shown inline
])
def test_the_admin_refuses_bad_origin_rules_inline_and_writes_nothing(admin_client, changes, field):
    from jishi.tax.models import OriginRule

    before = OriginRule.objects.count()
    response = admin_client.post("/admin/tax/originrule/add/", _origin_form(**changes))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors and (field is None or field in errors)
    assert OriginRule.objects.count() == before


def test_the_admin_sorts_and_stores_duty_bands_as_decimal_strings(admin_client):
    from jishi.tax.models import OriginRule

    bands = '[{"above": 117, "rate": 19}, {"above": "50", "rate": "17", "deduct": "0"}]'
    assert admin_client.post("/admin/tax/originrule/add/", _origin_form(duty_bands=bands)).status_code == 302
    stored = OriginRule.objects.get(effective_from=dt.date(2027, 1, 1)).duty_bands
    assert stored == [{"above": "50", "rate": "17", "deduct": "0"}, {"above": "117", "rate": "19", "deduct": "0"}]

"""Worked cases, one table per destination: each figure was worked out by hand from the destination's
own rules (the source is named above each block), then asked of the engine over the rules the migrations
seeded — on SQLite and on PostgreSQL alike.

For each destination the table has, where the law has a threshold: a case just under (or at) it and one
just over, one whose shipping straddles it, a consignment of several items, one converted across the
threshold from a store's other currency, and one rounding case in a zero-decimal currency. Figures are in
the destination's currency unless a case says ``store=``: then also the store's, rounded in its units.

Exchange rates (units per EUR) are round so the arithmetic can be followed: USD 1.25 (so KRW 1,200, BRL
4.80, MXN 17, IDR 14,400 and ILS 3.20 per USD; CAD 1.20 per USD), CNY 8, JPY 160, GBP 0.85, CAD 1.50 …
Goods are made where they ship from (China) unless a case says otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from jishi.money.rules import Money
from jishi.tax.rules import Collection, CustomsLine, Remark, landed_cost
from jishi.tax.selectors import get_terms

pytestmark = pytest.mark.django_db

D = Decimal
ON = dt.date(2026, 12, 7)
PER_EUR = {"USD": D("1.25"), "CNY": D("8"), "JPY": D("160"), "GBP": D("0.85"), "PLN": D("4.25"), "SEK": D("11"),
           "KRW": D("1500"), "AUD": D("1.6"), "CAD": D("1.5"), "BRL": D("6"), "SGD": D("1.5"), "CHF": D("0.95"),
           "NOK": D("11.5"), "IDR": D("18000"), "NZD": D("1.8"), "HKD": D("10"), "MXN": D("21.25"), "TRY": D("45"),
           "AED": D("4.6"), "SAR": D("4.7"), "ILS": D("4"), "INR": D("100"), "MYR": D("5"), "THB": D("40"),
           "PHP": D("65"), "VND": D("30000"), "ZAR": D("20")}

CHECKOUT, DELIVERY, NONE = Collection.CHECKOUT, Collection.ON_DELIVERY, Collection.NONE


@dataclass(frozen=True)
class Case:
    """One parcel to ``to`` and what it owes: ``lines`` as (amount, HS code[, quantity[, made in]]) in the
    store's ``currency`` (default: the destination's), ``tax``/``duty`` as (how collected, amount)."""

    to: str
    lines: list
    shipping: str = "0"
    tax: tuple[str, str] = (DELIVERY, "0")
    duty: tuple[str, str] | None = None  # None: collected like the tax, amount 0
    currency: str = ""
    ship_from: str = "CN"
    region: str = ""
    transport: str = "courier"
    prepay: str = "DAP"
    store: tuple[str, str] | None = None  # (duty, tax) in the store's currency
    remarks: tuple[str, ...] = field(default_factory=tuple)


def judge(case: Case):
    terms = get_terms(case.to, at=ON)
    currency = case.currency or terms.currency
    lines = [CustomsLine(Money(line[0], currency), line[1], quantity=line[2] if len(line) > 2 else 1,
                         origin=line[3] if len(line) > 3 else "") for line in case.lines]
    return landed_cost(terms=terms, destination=case.to, ship_from=case.ship_from, lines=lines,
                       shipping=Money(case.shipping, currency), per_eur=PER_EUR, charge_currency=currency,
                       charge_rate=D(1), region=case.region, transport=case.transport, prepay=case.prepay)


CASES: dict[str, Case] = {
    # --- European Union. IOSS: VAT at checkout when the consignment's *intrinsic value* (goods, transport
    # left out: Delegated Regulation (EU) 2015/2446 art. 1(48)) is at most EUR 150 (VAT Directive arts.
    # 369l–369x); from 2026-07-01 a flat EUR 3 duty per distinct tariff subheading for those consignments
    # (Council, 2026-02-11). Above it: duty at the Common Customs Tariff on the CIF value, import VAT on
    # CIF value + duty (VAT Directive art. 86). Between two member states nothing is imported (UCC art. 4).
    "FR under": Case("FR", [("149.99", "6109")], tax=(CHECKOUT, "30.60"), duty=(CHECKOUT, "3.00")),  # 20 % × 152.99
    "FR over": Case("FR", [("150.01", "6109")], tax=(DELIVERY, "33.60"), duty=(DELIVERY, "18.00")),  # 12 %; 20 % × 168.0112
    "FR shipping straddles": Case("FR", [("145.00", "6109")], "10.00", tax=(CHECKOUT, "31.60"),
                                  duty=(CHECKOUT, "3.00")),  # EUR 145 ≤ 150; VAT on 145 + 10 + 3
    "FR two tariff lines": Case("FR", [("100.00", "6109"), ("40.00", "9503")], "10.00", tax=(CHECKOUT, "31.20"),
                                duty=(CHECKOUT, "6.00")),  # 2 × EUR 3; 20 % × 156
    "FR from CNY over": Case("FR", [("1200.08", "6109")], currency="CNY", tax=(DELIVERY, "33.60"),
                             duty=(DELIVERY, "18.00")),  # CNY 1,200.08 = EUR 150.01
    "FR from JPY rounding": Case("FR", [("24003", "6109")], currency="JPY", tax=(DELIVERY, "33.60"),
                                 duty=(DELIVERY, "18.00"), store=("2880", "5376")),  # EUR 150.01875
    "FR from Germany": Case("FR", [("500.00", "6109")], ship_from="DE", tax=(NONE, "0"),
                            remarks=(Remark.CUSTOMS_UNION,)),
    "DE at the limit": Case("DE", [("150.00", "6109")], tax=(CHECKOUT, "29.07"), duty=(CHECKOUT, "3.00")),  # 19 % × 153
    "DE over, footwear": Case("DE", [("150.01", "6403")], tax=(DELIVERY, "30.78"),
                              duty=(DELIVERY, "12.00")),  # 8 %; 19 % × 162.0108
    "DE shipping straddles": Case("DE", [("140.00", "6109")], "20.00", tax=(CHECKOUT, "30.97"),
                                  duty=(CHECKOUT, "3.00")),  # 19 % × 163
    "DE three items over": Case("DE", [("60.00", "6109"), ("60.00", "6109"), ("40.00", "8517")], "5.00",
                                tax=(DELIVERY, "34.17"), duty=(DELIVERY, "14.85")),  # 12 % × 123.75; 19 % × 179.85
    "DE from USD": Case("DE", [("187.50", "6109")], currency="USD", tax=(CHECKOUT, "29.07"),
                        duty=(CHECKOUT, "3.00")),  # USD 187.50 = EUR 150.00
    "DE from Austria": Case("DE", [("900.00", "6403")], ship_from="AT", tax=(NONE, "0"),
                            remarks=(Remark.CUSTOMS_UNION,)),
    "IE under": Case("IE", [("100.00", "6109")], tax=(CHECKOUT, "23.69"), duty=(CHECKOUT, "3.00")),  # 23 % × 103
    "IE over, toys": Case("IE", [("200.00", "9503")], tax=(DELIVERY, "46.00")),  # toys 0 %
    "IE from Germany": Case("IE", [("90.00", "9503")], ship_from="DE", tax=(NONE, "0"), remarks=(Remark.CUSTOMS_UNION,)),
    "IT shipping straddles": Case("IT", [("150.00", "6109")], "9.99", tax=(CHECKOUT, "35.86"),
                                  duty=(CHECKOUT, "3.00")),  # 22 % × 162.99
    "IT over, bags": Case("IT", [("150.01", "4202")], tax=(DELIVERY, "33.99"), duty=(DELIVERY, "4.50")),  # 3 %
    "ES under": Case("ES", [("50.00", "9503")], tax=(CHECKOUT, "11.13"), duty=(CHECKOUT, "3.00")),  # 21 % × 53
    "ES over": Case("ES", [("300.00", "6403")], tax=(DELIVERY, "68.04"), duty=(DELIVERY, "24.00")),  # 21 % × 324
    "NL three lines under": Case("NL", [("50.00", "6109"), ("50.00", "6204"), ("49.00", "9503")],
                                 tax=(CHECKOUT, "33.18"), duty=(CHECKOUT, "9.00")),  # 3 × EUR 3; 21 % × 158
    "NL over": Case("NL", [("151.00", "6109")], tax=(DELIVERY, "35.52"), duty=(DELIVERY, "18.12")),  # 21 % × 169.12
    "BE under": Case("BE", [("10.00", "6109")], tax=(CHECKOUT, "2.73"), duty=(CHECKOUT, "3.00")),  # 21 % × 13
    "BE over, laptop": Case("BE", [("1000.00", "8471")], tax=(DELIVERY, "210.00")),  # computers 0 %
    "AT shipping straddles": Case("AT", [("120.00", "6109")], "30.00", tax=(CHECKOUT, "30.60"),
                                  duty=(CHECKOUT, "3.00")),  # 20 % × 153
    "AT over, ceramics": Case("AT", [("160.00", "6912")], tax=(DELIVERY, "33.76"), duty=(DELIVERY, "8.80")),  # 5.5 %
    "PT at the limit": Case("PT", [("150.00", "6109")], tax=(CHECKOUT, "35.19"), duty=(CHECKOUT, "3.00")),  # 23 % × 153
    "PT over, jewellery": Case("PT", [("150.01", "7117")], tax=(DELIVERY, "35.88"), duty=(DELIVERY, "6.00")),  # 4 %
    # Poland and Sweden: the same EUR amounts in PLN (4.25) and SEK (11) at the day's rate.
    "PL at the limit": Case("PL", [("637.50", "6109")], tax=(CHECKOUT, "149.56"), duty=(CHECKOUT, "12.75")),
    "PL over": Case("PL", [("637.51", "6109")], tax=(DELIVERY, "164.22"), duty=(DELIVERY, "76.50")),
    "PL shipping straddles": Case("PL", [("600.00", "6109")], "50.00", tax=(CHECKOUT, "152.43"),
                                  duty=(CHECKOUT, "12.75")),  # 23 % × 662.75
    "PL from KRW": Case("PL", [("225000", "6109")], currency="KRW", tax=(CHECKOUT, "149.56"),
                        duty=(CHECKOUT, "12.75"), store=("4500", "52786")),  # KRW 225,000 = EUR 150
    "SE at the limit": Case("SE", [("1650.00", "6109")], tax=(CHECKOUT, "420.75"), duty=(CHECKOUT, "33.00")),
    "SE over, toys": Case("SE", [("1650.01", "9503")], tax=(DELIVERY, "412.50")),
    "SE shipping straddles": Case("SE", [("1600.00", "9503")], "100.00", tax=(CHECKOUT, "433.25"),
                                  duty=(CHECKOUT, "33.00")),  # 25 % × 1,733
    # The remaining kinds for each member, by the same rules: a parcel under the limit, one whose shipping
    # straddles it, two items over it (shipping shared by value: 12 % on the T-shirt's, 8 % on the shoes'
    # CIF value), CNY 1,200.08 = EUR 150.01 across it, and JPY 23,999 = EUR 149.99 just under it, with the
    # store's figures rounded to whole yen.
    "AT under": Case("AT", [("100.00", "6109")], tax=(CHECKOUT, "20.60"), duty=(CHECKOUT, "3.00")),
    "AT two items over": Case("AT", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "41.66"), duty=(DELIVERY, "19.32")),
    "AT from CNY over": Case("AT", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "33.60"), duty=(DELIVERY, "18.00")),
    "AT from JPY rounding": Case("AT", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "30.60"), duty=(CHECKOUT, "3.00"), store=("480", "4896")),
    "BE shipping straddles": Case("BE", [("145.00", "6109")], "10.00",
                                  tax=(CHECKOUT, "33.18"), duty=(CHECKOUT, "3.00")),
    "BE two items over": Case("BE", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "43.75"), duty=(DELIVERY, "19.32")),
    "BE from CNY over": Case("BE", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "35.28"), duty=(DELIVERY, "18.00")),
    "BE from JPY rounding": Case("BE", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "32.13"), duty=(CHECKOUT, "3.00"), store=("480", "5141")),
    "ES shipping straddles": Case("ES", [("145.00", "6109")], "10.00",
                                  tax=(CHECKOUT, "33.18"), duty=(CHECKOUT, "3.00")),
    "ES two items over": Case("ES", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "43.75"), duty=(DELIVERY, "19.32")),
    "ES from CNY over": Case("ES", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "35.28"), duty=(DELIVERY, "18.00")),
    "ES from JPY rounding": Case("ES", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "32.13"), duty=(CHECKOUT, "3.00"), store=("480", "5141")),
    "IT under": Case("IT", [("100.00", "6109")], tax=(CHECKOUT, "22.66"), duty=(CHECKOUT, "3.00")),
    "IT two items over": Case("IT", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "45.83"), duty=(DELIVERY, "19.32")),
    "IT from CNY over": Case("IT", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "36.96"), duty=(DELIVERY, "18.00")),
    "IT from JPY rounding": Case("IT", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "33.66"), duty=(CHECKOUT, "3.00"), store=("480", "5386")),
    "NL shipping straddles": Case("NL", [("145.00", "6109")], "10.00",
                                  tax=(CHECKOUT, "33.18"), duty=(CHECKOUT, "3.00")),
    "NL two items over": Case("NL", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "43.75"), duty=(DELIVERY, "19.32")),
    "NL from CNY over": Case("NL", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "35.28"), duty=(DELIVERY, "18.00")),
    "NL from JPY rounding": Case("NL", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "32.13"), duty=(CHECKOUT, "3.00"), store=("480", "5141")),
    "PT under": Case("PT", [("100.00", "6109")], tax=(CHECKOUT, "23.69"), duty=(CHECKOUT, "3.00")),
    "PT shipping straddles": Case("PT", [("145.00", "6109")], "10.00",
                                  tax=(CHECKOUT, "36.34"), duty=(CHECKOUT, "3.00")),
    "PT two items over": Case("PT", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "47.91"), duty=(DELIVERY, "19.32")),
    "PT from CNY over": Case("PT", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "38.64"), duty=(DELIVERY, "18.00")),
    "PT from JPY rounding": Case("PT", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "35.19"), duty=(CHECKOUT, "3.00"), store=("480", "5630")),
    "IE shipping straddles": Case("IE", [("145.00", "6109")], "10.00",
                                  tax=(CHECKOUT, "36.34"), duty=(CHECKOUT, "3.00")),
    "IE two items over": Case("IE", [("100.00", "6109"), ("80.00", "6403")], "9.00",
                              tax=(DELIVERY, "47.91"), duty=(DELIVERY, "19.32")),
    "IE from CNY over": Case("IE", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "38.64"), duty=(DELIVERY, "18.00")),
    "IE from JPY rounding": Case("IE", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "35.19"), duty=(CHECKOUT, "3.00"), store=("480", "5630")),
    "SE under": Case("SE", [("1100.00", "6109")], tax=(CHECKOUT, "283.25"), duty=(CHECKOUT, "33.00")),
    "SE two items over": Case("SE", [("1100.00", "6109"), ("880.00", "6403")], "99.00",
                              tax=(DELIVERY, "572.88"), duty=(DELIVERY, "212.52")),
    "SE from CNY over": Case("SE", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "462.03"), duty=(DELIVERY, "198.01")),
    "SE from JPY rounding": Case("SE", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "420.73"), duty=(CHECKOUT, "33.00"), store=("480", "6120")),
    "PL two items over": Case("PL", [("425.00", "6109"), ("340.00", "6403")], "38.25",
                              tax=(DELIVERY, "203.63"), duty=(DELIVERY, "82.11")),
    "PL from CNY over": Case("PL", [("1200.08", "6109")], currency="CNY",
                             tax=(DELIVERY, "164.23"), duty=(DELIVERY, "76.51")),
    "PL from JPY rounding": Case("PL", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "149.55"), duty=(CHECKOUT, "12.75"), store=("480", "5630")),
    "DE from JPY rounding": Case("DE", [("23999", "6109")], currency="JPY",
                                 tax=(CHECKOUT, "29.07"), duty=(CHECKOUT, "3.00"), store=("480", "4651")),
    # --- United Kingdom. Consignments of intrinsic value ≤ GBP 135: UK VAT at the sale, charged by the
    # marketplace (VAT Act 1994 s. 5A, Sch. 9A); no duty (Taxation (Cross-border Trade) Act 2018). Above:
    # duty on the CIF value at the UK Global Tariff, import VAT on value + duty.
    "GB at the limit": Case("GB", [("135.00", "6109")], tax=(CHECKOUT, "27.00")),
    "GB over": Case("GB", [("135.01", "6109")], tax=(DELIVERY, "30.24"), duty=(DELIVERY, "16.20")),  # 12 %
    "GB shipping straddles": Case("GB", [("130.00", "6109")], "10.00", tax=(CHECKOUT, "28.00")),  # 20 % × 140
    "GB two items over": Case("GB", [("100.00", "6109"), ("50.00", "6403")], "10.00", tax=(DELIVERY, "35.41"),
                              duty=(DELIVERY, "17.07")),  # 12 % × 106.67 + 8 % × 53.33; 20 % × 177.07
    "GB from EUR under": Case("GB", [("158.82", "6109")], currency="EUR", tax=(CHECKOUT, "27.00")),  # GBP 134.997
    "GB from EUR over": Case("GB", [("158.83", "6109")], currency="EUR", tax=(DELIVERY, "30.24"),
                             duty=(DELIVERY, "16.20")),  # GBP 135.0055
    "GB from JPY rounding": Case("GB", [("25400", "6109")], currency="JPY", tax=(CHECKOUT, "26.99"),
                                 store=("0", "5080")),  # GBP 134.9375; 26.99 GBP = 5,080.47 JPY
    # --- Norway. VOEC: goods of a value under NOK 3,000 *per item* get VAT at the sale, on the price with
    # shipping, and no duty (Skatteetaten, VOEC guidance; Merverdiavgiftsloven § 3-30).
    "NO at the limit": Case("NO", [("3000.00", "9503")], "100.00", tax=(CHECKOUT, "775.00")),  # 25 % × 3,100
    "NO over": Case("NO", [("3000.01", "9503")], "100.00", tax=(DELIVERY, "775.00"),
                    remarks=(Remark.UNRATED,)),  # no duty table for Norway: said, not zero
    "NO items each under": Case("NO", [("6000.00", "6109", 3), ("3000.00", "9503")], "200.00",
                                tax=(CHECKOUT, "2300.00")),  # 25 % × 9,200
    "NO from EUR just under": Case("NO", [("260.86", "9503")], currency="EUR", tax=(CHECKOUT, "749.97")),
    "NO from EUR just over": Case("NO", [("260.87", "9503")], currency="EUR",
                                  tax=(DELIVERY, "750.00")),  # NOK 3,000.005 states as 3,000.01
    "NO shipping straddles": Case("NO", [("2950.00", "9503")], "100.00", tax=(CHECKOUT, "762.50")),  # 25 % × 3,050
    "NO from JPY rounding": Case("NO", [("41739", "9503")], currency="JPY", tax=(CHECKOUT, "750.00"),
                                store=("0", "10435")),  # NOK 2,999.99; 750 NOK = JPY 10,434.78
    # --- Switzerland. Platforms are deemed suppliers since 2025-01-01 (MWSTG art. 20a): Swiss VAT at the
    # sale on every consignment, on the price with shipping; no duty on industrial goods since 2024.
    "CH small": Case("CH", [("10.00", "9503")], tax=(CHECKOUT, "0.81")),
    "CH 62.01": Case("CH", [("62.01", "6109")], tax=(CHECKOUT, "5.02")),
    "CH with shipping": Case("CH", [("100.00", "6109")], "15.00", tax=(CHECKOUT, "9.32")),  # 8.1 % × 115 = 9.315
    "CH two items": Case("CH", [("3000.00", "8471"), ("2000.00", "6109")], tax=(CHECKOUT, "405.00")),
    "CH from EUR": Case("CH", [("100.00", "6109")], currency="EUR", tax=(CHECKOUT, "7.70")),  # CHF 95 × 8.1 %
    "CH from JPY rounding": Case("CH", [("16000", "6109")], currency="JPY", tax=(CHECKOUT, "7.70"),
                                 store=("0", "1297")),  # CHF 7.70 = JPY 1,296.84
    # --- United States. No duty-free de minimis since 2025-08-29 (EO 14324, continued 2026-02-20): duty
    # at the HTSUS rate on the FOB value (19 USC 1401a), plus Section 301 on Chinese goods (List 4A 7.5 %);
    # state sales tax by the marketplace facilitator at the sale, on the goods' price (state base rate).
    "US T-shirt to California": Case("US", [("50.00", "6109")], region="CA", tax=(CHECKOUT, "3.63"),
                                     duty=(DELIVERY, "12.00")),  # 16.5 % + 7.5 %; 7.25 % × 50
    "US shipping is not in the value": Case("US", [("50.00", "6109")], "10.00", region="CA", tax=(CHECKOUT, "3.63"),
                                            duty=(DELIVERY, "12.00")),
    "US DDP": Case("US", [("50.00", "6109")], region="CA", prepay="DDP", tax=(CHECKOUT, "3.63"),
                   duty=(CHECKOUT, "12.00"), remarks=(Remark.PREPAID,)),
    "US made in Vietnam": Case("US", [("50.00", "6109", 1, "VN")], region="TX", tax=(CHECKOUT, "3.13"),
                               duty=(DELIVERY, "8.25")),  # no Section 301; 6.25 % × 50
    "US two items to New York": Case("US", [("40.00", "6109"), ("200.00", "8471")], region="NY",
                                     tax=(CHECKOUT, "9.60"), duty=(DELIVERY, "9.60")),  # 24 % × 40; 4 % × 240
    "US Oregon": Case("US", [("40.00", "6109")], region="OR", tax=(CHECKOUT, "0.00"), duty=(DELIVERY, "9.60")),
    "US no state given": Case("US", [("40.00", "6109")], tax=(DELIVERY, "0.00"), duty=(DELIVERY, "9.60"),
                              remarks=(Remark.REGION_MISSING,)),
    "US from CNY": Case("US", [("400.00", "6109")], currency="CNY", region="CA", tax=(CHECKOUT, "4.53"),
                        duty=(DELIVERY, "15.00")),  # USD 62.50
    "US from JPY rounding": Case("US", [("8000", "6109")], currency="JPY", region="CA", tax=(CHECKOUT, "4.53"),
                                 duty=(DELIVERY, "15.00"), store=("1920", "580")),  # USD 4.53 = JPY 579.84
    "US a code without a rate": Case("US", [("40.00", "3926")], region="WA", tax=(CHECKOUT, "2.60"),
                                     duty=(DELIVERY, "0.00"), remarks=(Remark.UNRATED,)),
    # --- Canada. Post and courier: nothing up to CAD 20 (Postal Imports Remission Order; CBSA Courier LVS);
    # CUSMA goods from the US or Mexico by courier: tax-free to CAD 40, duty-free to CAD 150 (CBSA D8-2-16).
    # Value for duty leaves out transport from abroad (Customs Act s. 48); GST 5 % on value + duty, with
    # the province's part of HST, or PST/QST/RST where the CBSA collects it (Excise Tax Act s. 212).
    "CA at 20": Case("CA", [("20.00", "6109")], region="ON", tax=(DELIVERY, "0.00")),
    "CA over 20, Ontario": Case("CA", [("20.01", "6109")], region="ON", tax=(DELIVERY, "3.07"),
                                duty=(DELIVERY, "3.60")),  # 18 %; 5 % + 8 % of 23.6118
    "CA shipping straddles": Case("CA", [("18.00", "6109")], "5.00", region="ON", tax=(DELIVERY, "0.00")),
    "CA CUSMA by courier": Case("CA", [("35.00", "9503", 1, "US")], "5.00", ship_from="US", region="QC",
                                tax=(DELIVERY, "0.00")),
    "CA CUSMA by post": Case("CA", [("35.00", "9503", 1, "US")], "5.00", ship_from="US", region="QC",
                             transport="post", tax=(DELIVERY, "5.24")),  # 5 % + 9.975 % of 35
    "CA Alberta, bags": Case("CA", [("100.00", "4202")], region="AB", tax=(DELIVERY, "5.55"),
                             duty=(DELIVERY, "11.00")),  # 11 %; GST only on 111
    "CA two items, Nova Scotia": Case("CA", [("30.00", "6109"), ("20.00", "9503")], region="NS",
                                      tax=(DELIVERY, "7.76"), duty=(DELIVERY, "5.40")),  # 18 % × 30; 2.77 + 4.99
    "CA from USD over": Case("CA", [("16.68", "9503")], currency="USD", region="ON",
                             tax=(DELIVERY, "2.60")),  # CAD 20.016; 5 % + 8 %
    "CA from JPY rounding": Case("CA", [("2200", "9503")], currency="JPY", region="BC", tax=(DELIVERY, "2.47"),
                                 store=("0", "263")),  # CAD 20.625; 5 % + 7 %
    # --- Mexico (RGCE 2025): USMCA goods from the US or Canada, no duty or IVA up to USD 50, a single global
    # rate (duty and IVA together) of 17 % to USD 117 and 19 % above; otherwise IVA 16 % from the first peso.
    "MX USMCA at 50": Case("MX", [("850.00", "6109")], ship_from="US", tax=(DELIVERY, "0.00")),
    "MX USMCA over 50": Case("MX", [("850.01", "6109")], ship_from="US", tax=(DELIVERY, "0.00"),
                             duty=(DELIVERY, "144.50")),
    "MX USMCA over 117": Case("MX", [("1989.01", "6109", 1, "US")], ship_from="US", tax=(DELIVERY, "0.00"),
                              duty=(DELIVERY, "377.91")),
    "MX shipping straddles": Case("MX", [("800.00", "6109")], "50.01", ship_from="US", tax=(DELIVERY, "0.00"),
                                  duty=(DELIVERY, "144.50")),  # customs value MXN 850.01
    "MX from China": Case("MX", [("850.00", "6109")], tax=(DELIVERY, "136.00"), remarks=(Remark.UNRATED,)),
    # The kinds left, by the same rules: two USMCA items over USD 50 together (17 % of the whole), USD 50.01
    # from a dollar store (MXN 850.17) and IVA on a Chinese parcel from a yen store.
    "MX USMCA two items over 50": Case("MX", [("500.00", "6109"), ("400.00", "9503")], ship_from="US",
                                       tax=(DELIVERY, "0.00"), duty=(DELIVERY, "153.00")),
    "MX USMCA from USD over 50": Case("MX", [("50.01", "6109")], currency="USD", ship_from="US", tax=(DELIVERY, "0.00"),
                                      duty=(DELIVERY, "144.53"), store=("8.50", "0.00")),  # 17 % × 850.17
    "MX from JPY rounding": Case("MX", [("12345", "6109")], currency="JPY", tax=(DELIVERY, "262.33"),
                                 store=("0", "1975"), remarks=(Remark.UNRATED,)),  # 16 % × MXN 1,639.5703
    # --- Brazil, Remessa Conforme (Lei 14.902/2024; Receita Federal): import tax 20 % up to USD 50, 60 %
    # less USD 20 up to USD 3,000 (on the customs value, freight in), collected at checkout; ICMS 17 % on
    # value + import tax.
    "BR at 50": Case("BR", [("240.00", "6109")], tax=(CHECKOUT, "48.96"), duty=(CHECKOUT, "48.00")),
    "BR over 50": Case("BR", [("240.01", "6109")], tax=(CHECKOUT, "48.96"), duty=(CHECKOUT, "48.01")),
    "BR shipping straddles": Case("BR", [("200.00", "6109")], "40.01", tax=(CHECKOUT, "48.96"),
                                  duty=(CHECKOUT, "48.01")),
    "BR at 3000": Case("BR", [("14400.00", "6109")], tax=(CHECKOUT, "3900.48"), duty=(CHECKOUT, "8544.00")),
    "BR over 3000": Case("BR", [("14400.01", "6109")], tax=(DELIVERY, "3916.80"), duty=(DELIVERY, "8640.01")),
    "BR two items over 50": Case("BR", [("150.00", "6109"), ("100.00", "9503")], tax=(CHECKOUT, "51.68"),
                                 duty=(CHECKOUT, "54.00")),  # 60 % × 250 − 96; 17 % × 304
    "BR from USD over 50": Case("BR", [("50.01", "6109")], currency="USD", tax=(CHECKOUT, "48.97"),
                                duty=(CHECKOUT, "48.03"), store=("10.01", "10.20")),  # BRL 240.048
    "BR from JPY rounding": Case("BR", [("8000", "6109")], currency="JPY", tax=(CHECKOUT, "65.28"),
                                 duty=(CHECKOUT, "84.00"), store=("2240", "1741")),  # BRL 300; tax JPY 1,740.8
    # --- Turkey: ordinary clearance from the first unit since 2026 (duty not in the seed), KDV 20 %.
    "TR": Case("TR", [("4500.00", "6109")], "450.00", tax=(DELIVERY, "990.00"), remarks=(Remark.UNRATED,)),
    "TR two items": Case("TR", [("3000.00", "6109"), ("1500.00", "9503")], "300.00", tax=(DELIVERY, "960.00"),
                         remarks=(Remark.UNRATED,)),
    "TR from EUR": Case("TR", [("99.99", "6109")], "9.99", currency="EUR", tax=(DELIVERY, "989.82"),
                        store=("0.00", "22.00"), remarks=(Remark.UNRATED,)),  # TRY 4,949.10; EUR 21.996
    "TR from JPY rounding": Case("TR", [("9999", "6109")], currency="JPY", tax=(DELIVERY, "562.44"),
                                 store=("0", "2000"), remarks=(Remark.UNRATED,)),  # TRY 2,812.21875
    # --- United Arab Emirates: VAT 5 % from the first dirham; 5 % GCC duty above SAR 1,000 (CIF).
    "AE under": Case("AE", [("978.72", "6109")], tax=(DELIVERY, "48.94")),
    "AE over": Case("AE", [("978.73", "6109")], tax=(DELIVERY, "51.38"), duty=(DELIVERY, "48.94")),
    "AE shipping straddles": Case("AE", [("900.00", "6109")], "78.73", tax=(DELIVERY, "51.38"),
                                  duty=(DELIVERY, "48.94")),
    "AE two items over": Case("AE", [("500.00", "6109"), ("500.00", "9503")], tax=(DELIVERY, "52.50"),
                              duty=(DELIVERY, "50.00")),  # 5 % × 1,000; 5 % × 1,050
    "AE from CNY over": Case("AE", [("1702.15", "6109")], currency="CNY", tax=(DELIVERY, "51.38"),
                             duty=(DELIVERY, "48.94")),  # AED 978.74
    "AE from JPY rounding": Case("AE", [("34000", "6109")], currency="JPY", tax=(DELIVERY, "48.88"),
                                 store=("0", "1700")),  # AED 977.50; VAT 48.875
    # --- Saudi Arabia (ZATCA): VAT 15 %; duty-free up to SAR 1,000 of goods and shipping.
    "SA at 1000": Case("SA", [("1000.00", "6109")], tax=(DELIVERY, "150.00")),
    "SA over": Case("SA", [("1000.01", "6109")], tax=(DELIVERY, "157.50"), duty=(DELIVERY, "50.00")),
    "SA shipping straddles": Case("SA", [("950.00", "6109")], "50.01", tax=(DELIVERY, "157.50"),
                                  duty=(DELIVERY, "50.00")),
    "SA two items over": Case("SA", [("600.00", "6109"), ("500.00", "9503")], tax=(DELIVERY, "173.25"),
                              duty=(DELIVERY, "55.00")),  # 5 % × 1,100; 15 % × 1,155
    "SA from JPY over": Case("SA", [("34043", "6109")], currency="JPY", tax=(DELIVERY, "157.50"),
                             duty=(DELIVERY, "50.00"), store=("1702", "5362")),  # SAR 1,000.01
    # --- Israel: VAT 18 % above USD 130 (ILS 416); duty above USD 500 (duty not in the seed).
    "IL at 130": Case("IL", [("416.00", "6109")], tax=(DELIVERY, "0.00")),
    "IL over": Case("IL", [("416.01", "6109")], tax=(DELIVERY, "74.88")),
    "IL shipping straddles": Case("IL", [("400.00", "6109")], "16.01", tax=(DELIVERY, "74.88")),
    "IL two items over": Case("IL", [("300.00", "6109"), ("150.00", "9503")], tax=(DELIVERY, "81.00")),
    "IL over 500, duty unrated": Case("IL", [("1600.01", "9503")], tax=(DELIVERY, "288.00"), remarks=(Remark.UNRATED,)),
    "IL from USD over": Case("IL", [("130.01", "6109")], currency="USD", tax=(DELIVERY, "74.89"),
                             store=("0.00", "23.40")),  # ILS 416.032
    "IL from JPY rounding": Case("IL", [("17003", "6109")], currency="JPY", tax=(DELIVERY, "76.51"),
                                 store=("0", "3060")),  # ILS 425.075; JPY 3,060.4
    # --- India: personal imports under heading 9804, 10 % basic duty from the first rupee (Budget 2026);
    # IGST 18 % on CIF value + duty.
    "IN": Case("IN", [("1000.00", "6109")], tax=(DELIVERY, "198.00"), duty=(DELIVERY, "100.00")),
    "IN with shipping": Case("IN", [("1000.00", "6109")], "200.00", tax=(DELIVERY, "237.60"),
                             duty=(DELIVERY, "120.00")),
    "IN two items": Case("IN", [("600.00", "6109"), ("400.00", "9503")], "100.00", tax=(DELIVERY, "217.80"),
                         duty=(DELIVERY, "110.00")),  # 10 % × 1,100; 18 % × 1,210
    "IN from USD": Case("IN", [("12.34", "6109")], currency="USD", tax=(DELIVERY, "195.47"), duty=(DELIVERY, "98.72"),
                        store=("1.23", "2.44")),  # INR 987.20
    "IN from JPY rounding": Case("IN", [("1234", "6109")], currency="JPY", tax=(DELIVERY, "152.71"),
                                 duty=(DELIVERY, "77.13"), store=("123", "244")),  # INR 771.25; duty 77.125
    # --- China, cross-border e-commerce retail imports (Caiguanshui [2018] No. 49): up to CNY 5,000 a
    # transaction (price, freight and insurance), duty 0 % and VAT at 70 % of 13 % = 9.1 %, collected at
    # checkout; above it, general trade (VAT 13 %).
    "CN at 5000": Case("CN", [("5000.00", "6109", 1, "CN")], ship_from="HK", tax=(CHECKOUT, "455.00")),
    "CN over": Case("CN", [("5000.01", "6109", 1, "CN")], ship_from="HK", tax=(DELIVERY, "650.00")),
    "CN shipping straddles": Case("CN", [("4950.00", "6109", 1, "CN")], "50.01", ship_from="HK", tax=(DELIVERY, "650.00")),
    "CN from JPY": Case("CN", [("100000", "6109")], currency="JPY", ship_from="JP", tax=(CHECKOUT, "455.00"),
                        store=("0", "9100")),  # JPY 100,000 = CNY 5,000
    "CN two items": Case("CN", [("2000.00", "6109", 1, "CN"), ("2500.00", "9503", 1, "CN")], "100.00",
                         ship_from="HK", tax=(CHECKOUT, "418.60")),  # 9.1 % × 4,600
    # --- Hong Kong: a free port.
    "HK": Case("HK", [("5000.00", "6109")], tax=(DELIVERY, "0.00")),
    "HK two items from CNY": Case("HK", [("800.00", "6109"), ("450.00", "9503")], "30.00", currency="CNY",
                                  tax=(DELIVERY, "0.00"), store=("0.00", "0.00")),
    "HK from JPY": Case("HK", [("99999", "8517")], currency="JPY", tax=(DELIVERY, "0.00"), store=("0", "0")),
    # --- Japan (Customs Tariff Temporary Measures Law; Japan Customs): nothing when the taxable value is
    # at most JPY 10,000 — 60 % of the price for personal imports, plus freight (CIF) — except for goods the
    # relief never covers (knitwear, footwear, leather bags, gloves …); then duty and 10 % on value + duty.
    "JP toys at 10000": Case("JP", [("16666", "9503")], tax=(DELIVERY, "0")),  # 9,999.6 states as 10,000
    "JP toys over": Case("JP", [("16668", "9503")], tax=(DELIVERY, "1000")),  # 10,000.8
    "JP shipping straddles": Case("JP", [("15000", "9503")], "1001", tax=(DELIVERY, "1000")),  # 9,000 + 1,001
    "JP knitwear is never relieved": Case("JP", [("10000", "6109")], tax=(DELIVERY, "665"), duty=(DELIVERY, "654"),
                                          remarks=(Remark.NEVER_RELIEVED,)),  # 10.9 % × 6,000; 10 % × 6,654
    "JP toys and a T-shirt": Case("JP", [("10000", "9503"), ("5000", "6109")], tax=(DELIVERY, "333"),
                                  duty=(DELIVERY, "327"), remarks=(Remark.NEVER_RELIEVED,)),  # only the T-shirt
    "JP over with duty": Case("JP", [("30000", "6109")], "2000", tax=(DELIVERY, "2218"),
                              duty=(DELIVERY, "2180")),  # 18,000 + 2,000 at 10.9 %
    "JP from CNY": Case("JP", [("900.00", "9503")], "50.00", currency="CNY", tax=(DELIVERY, "1180"),
                        store=("0.00", "59.00")),  # JPY 10,800 + 1,000
    # --- Korea (Korea Customs Service, list clearance; Customs Act art. 94): personal imports up to USD
    # 150 of goods, USD 200 shipped from the US (KORUS), free; above, duty at the tariff and VAT 10 % on CIF
    # value + duty.
    "KR at 150": Case("KR", [("180000", "9503")], tax=(DELIVERY, "0")),
    "KR over": Case("KR", [("180001", "9503")], tax=(DELIVERY, "19440"), duty=(DELIVERY, "14400")),  # 8 %
    "KR shipping straddles": Case("KR", [("170000", "9503")], "20000", tax=(DELIVERY, "0")),
    "KR KORUS at 200": Case("KR", [("240000", "9503")], ship_from="US", tax=(DELIVERY, "0")),
    "KR KORUS over": Case("KR", [("240001", "9503")], ship_from="US", tax=(DELIVERY, "25920"),
                          duty=(DELIVERY, "19200")),
    "KR T-shirts": Case("KR", [("200000", "6109")], tax=(DELIVERY, "22600"), duty=(DELIVERY, "26000")),  # 13 %
    "KR from USD over": Case("KR", [("150.01", "9503")], currency="USD", tax=(DELIVERY, "19441"),
                             duty=(DELIVERY, "14401"), store=("12.00", "16.20")),  # KRW 180,012
    # --- Singapore (IRAS, GST on imported low-value goods; GST Act s. 18A): GST 9 % at the sale on items of
    # a value (transport out) up to SGD 400 each, on the price with delivery; above, import GST at the border.
    "SG at 400": Case("SG", [("400.00", "6109")], tax=(CHECKOUT, "36.00")),
    "SG over": Case("SG", [("400.01", "6109")], tax=(DELIVERY, "36.00")),
    "SG items each under": Case("SG", [("300.00", "6109"), ("300.00", "9503")], "20.00", tax=(CHECKOUT, "55.80"),
                                duty=(DELIVERY, "0.00")),  # the consignment (SGD 600) clears at the border
    "SG shipping straddles": Case("SG", [("390.00", "6109")], "20.00", tax=(CHECKOUT, "36.90")),
    "SG from CNY over": Case("SG", [("2133.40", "6109")], currency="CNY", tax=(DELIVERY, "36.00")),  # SGD 400.01
    "SG from JPY rounding": Case("SG", [("42666", "6109")], currency="JPY", tax=(CHECKOUT, "36.00"),
                                store=("0", "3840")),  # SGD 399.99
    # --- Malaysia, Sales Tax (Low Value Goods) Order 2023: 10 % at the sale on goods up to MYR 500.
    "MY at 500": Case("MY", [("500.00", "6109")], tax=(CHECKOUT, "50.00")),
    "MY over": Case("MY", [("500.01", "6109")], tax=(DELIVERY, "50.00"), remarks=(Remark.UNRATED,)),
    "MY shipping straddles": Case("MY", [("480.00", "6109")], "30.00", tax=(CHECKOUT, "48.00")),
    "MY items each under": Case("MY", [("300.00", "6109"), ("300.00", "9503")], tax=(CHECKOUT, "60.00"),
                                duty=(DELIVERY, "0.00"), remarks=(Remark.UNRATED,)),  # consignment over MYR 500
    "MY from CNY over": Case("MY", [("800.02", "6109")], currency="CNY", tax=(DELIVERY, "50.00"),
                             remarks=(Remark.UNRATED,)),  # MYR 500.01
    "MY from JPY rounding": Case("MY", [("15999", "6109")], currency="JPY", tax=(CHECKOUT, "50.00"),
                                 store=("0", "1600")),  # MYR 499.97
    # --- Thailand: VAT 7 % on all imports since 2024-07-05, duty from THB 1 since 2026 (not in the seed).
    "TH": Case("TH", [("1000.00", "6109")], "100.00", tax=(DELIVERY, "77.00"), remarks=(Remark.UNRATED,)),
    "TH two items": Case("TH", [("600.00", "6109"), ("400.00", "9503")], "50.00", tax=(DELIVERY, "73.50"),
                         remarks=(Remark.UNRATED,)),
    "TH from CNY": Case("TH", [("99.99", "6109")], currency="CNY", tax=(DELIVERY, "35.00"),
                        store=("0.00", "7.00")),  # THB 499.95; 7 % = 34.9965
    "TH from JPY rounding": Case("TH", [("1001", "6109")], currency="JPY", tax=(DELIVERY, "17.52"),
                                 store=("0", "70")),  # THB 250.25
    # --- Indonesia (PMK 199/2019 as amended): free up to USD 3 FOB; above, 7.5 % duty and 11 % VAT.
    "ID at 3": Case("ID", [("43200.00", "9503")], tax=(DELIVERY, "0.00")),
    "ID over": Case("ID", [("43300.00", "9503")], tax=(DELIVERY, "5120.23"), duty=(DELIVERY, "3247.50")),
    "ID shipping straddles": Case("ID", [("43000.00", "9503")], "1000.00", tax=(DELIVERY, "0.00")),
    "ID two items over": Case("ID", [("30000.00", "9503"), ("20000.00", "6912")], "5000.00",
                              tax=(DELIVERY, "6503.75"), duty=(DELIVERY, "4125.00")),  # 7.5 % × 55,000; 11 % × 59,125
    "ID from USD over": Case("ID", [("3.01", "9503")], currency="USD", tax=(DELIVERY, "5125.43"),
                             duty=(DELIVERY, "3250.80"), store=("0.23", "0.36")),  # IDR 43,344
    "ID from JPY rounding": Case("ID", [("500", "9503")], currency="JPY", tax=(DELIVERY, "6651.56"),
                                 duty=(DELIVERY, "4218.75"), store=("38", "59")),  # IDR 56,250; duty JPY 37.5
    # --- Philippines (CMTA s. 423): free up to PHP 10,000 FOB; above, VAT 12 % (duty not in the seed).
    "PH at 10000": Case("PH", [("10000.00", "6109")], tax=(DELIVERY, "0.00")),
    "PH over": Case("PH", [("10000.01", "6109")], tax=(DELIVERY, "1200.00")),
    "PH shipping straddles": Case("PH", [("9500.00", "6109")], "1000.00", tax=(DELIVERY, "0.00")),
    "PH two items over": Case("PH", [("6000.00", "6109"), ("4500.00", "9503")], "500.00", tax=(DELIVERY, "1320.00"),
                              remarks=(Remark.UNRATED,)),  # goods PHP 10,500; 12 % × 11,000
    "PH from USD over": Case("PH", [("192.31", "6109")], currency="USD", tax=(DELIVERY, "1200.01"),
                             store=("0.00", "23.08")),  # PHP 10,000.12
    "PH from JPY under": Case("PH", [("24615", "6109")], currency="JPY", tax=(DELIVERY, "0.00"),
                              store=("0", "0")),  # PHP 9,999.84
    "PH from JPY rounding": Case("PH", [("24700", "6109")], currency="JPY", tax=(DELIVERY, "1204.13"),
                                 store=("0", "2964")),  # PHP 10,034.375
    # --- Vietnam: no low-value relief since 2025-02-18 (Decision 01/2025/QD-TTg); VAT 10 %.
    "VN": Case("VN", [("1000000", "6109")], "100000", tax=(DELIVERY, "110000"), remarks=(Remark.UNRATED,)),
    "VN two items": Case("VN", [("600000", "6109"), ("350000", "9503")], "50000", tax=(DELIVERY, "100000"),
                         remarks=(Remark.UNRATED,)),
    "VN from USD": Case("VN", [("9.99", "6109")], currency="USD", tax=(DELIVERY, "23976"),
                        store=("0.00", "1.00")),  # VND 239,760
    "VN from JPY rounding": Case("VN", [("1001", "6109")], currency="JPY", tax=(DELIVERY, "18769"),
                                 store=("0", "100")),  # VND 187,687.5; VAT 18,768.75
    # --- Australia (GST Act Div 84-C; ABF): GST 10 % at the sale on items of a customs value up to AUD
    # 1,000 each, on the price with delivery; a consignment above AUD 1,000 pays duty on the FOB value at
    # the border (5 % general rate) and, where it was not charged at the sale, GST on value, duty and freight.
    "AU at 1000": Case("AU", [("1000.00", "6109")], "20.00", tax=(CHECKOUT, "102.00")),
    "AU over": Case("AU", [("1000.01", "6109")], "20.00", tax=(DELIVERY, "107.00"), duty=(DELIVERY, "50.00")),
    "AU items each under, consignment over": Case("AU", [("600.00", "6109"), ("600.00", "6404")],
                                                  tax=(CHECKOUT, "120.00"), duty=(DELIVERY, "60.00")),
    "AU shipping straddles": Case("AU", [("990.00", "6109")], "30.00", tax=(CHECKOUT, "102.00")),
    "AU from CNY over": Case("AU", [("5000.08", "6109")], currency="CNY", tax=(DELIVERY, "105.00"),
                             duty=(DELIVERY, "50.00"), store=("250.00", "525.00")),  # AUD 1,000.02
    "AU from JPY rounding": Case("AU", [("99999", "6109")], currency="JPY", tax=(CHECKOUT, "100.00"),
                                store=("0", "10000")),  # AUD 999.99; GST 99.999
    # --- New Zealand (GST Act 1985 s. 10(7B); IRD): GST 15 % at the sale on items up to NZD 1,000 each.
    "NZ at 1000": Case("NZ", [("1000.00", "6109")], tax=(CHECKOUT, "150.00")),
    "NZ over": Case("NZ", [("1000.01", "6109")], tax=(DELIVERY, "150.00"), remarks=(Remark.UNRATED,)),
    "NZ shipping straddles": Case("NZ", [("990.00", "6109")], "20.00", tax=(CHECKOUT, "151.50")),
    "NZ items each under": Case("NZ", [("600.00", "6109"), ("600.00", "9503")], tax=(CHECKOUT, "180.00"),
                                duty=(DELIVERY, "0.00"), remarks=(Remark.UNRATED,)),  # consignment over NZD 1,000
    "NZ from CNY over": Case("NZ", [("4444.49", "6109")], currency="CNY", tax=(DELIVERY, "150.00"),
                             remarks=(Remark.UNRATED,)),  # NZD 1,000.01
    "NZ from JPY rounding": Case("NZ", [("88888", "6109")], currency="JPY", tax=(CHECKOUT, "150.00"),
                                store=("0", "13333")),  # NZD 999.99
    # --- South Africa (SARS): low-value consignments pay a flat 20 % in lieu of duty, and VAT 15 %.
    "ZA": Case("ZA", [("400.00", "6109")], "50.00", tax=(DELIVERY, "72.00"), duty=(DELIVERY, "80.00")),
    "ZA two items": Case("ZA", [("250.00", "6109"), ("200.00", "9503")], "40.00", tax=(DELIVERY, "81.00"),
                         duty=(DELIVERY, "90.00")),  # FOB: 20 % × 450; 15 % × 540
    "ZA from USD": Case("ZA", [("24.99", "6109")], currency="USD", tax=(DELIVERY, "71.97"), duty=(DELIVERY, "79.97"),
                        store=("5.00", "4.50")),  # ZAR 399.84
    "ZA from JPY rounding": Case("ZA", [("3001", "6109")], currency="JPY", tax=(DELIVERY, "67.52"),
                                 duty=(DELIVERY, "75.03"), store=("600", "540")),  # ZAR 375.125; duty 75.025
}


@pytest.mark.parametrize("name", list(CASES))
def test_worked_case(name):
    case = CASES[name]
    cost = judge(case)
    duty = case.duty or (case.tax[0], "0")
    local = cost.destination_currency or case.to

    assert (cost.collection, cost.duty_collection) == (case.tax[0], duty[0])
    if case.tax[0] != NONE:
        assert cost.tax_local == Money(case.tax[1], local) and cost.duty_local == Money(duty[1], local)
        assert str(cost.tax_local.amount) == str(Money(case.tax[1], local).amount)
    else:
        assert not cost.total
    if case.store is not None:
        assert (str(cost.duty.amount), str(cost.tax.amount)) == case.store
    for remark in case.remarks:
        assert remark in cost.remarks, cost.remarks
    assert cost.collected + cost.due_on_delivery == cost.total


def test_every_seeded_destination_has_worked_cases():
    from jishi.tax.seed import default_rules

    covered = {case.to for case in CASES.values()}
    assert {rule["country"] for rule in default_rules()} <= covered

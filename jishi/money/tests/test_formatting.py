from jishi.money.formatting import format_day, format_money
from jishi.money.rules import Money


def test_prices_are_formatted_per_locale_with_iso_minor_units():
    assert format_money(Money("1234.5", "USD"), "en") == "$1,234.50"
    assert format_money(Money("1234.5", "USD"), "zh-hans") == "US$1,234.50"
    assert format_money(Money("1234", "JPY"), "en") == "¥1,234"
    assert format_money(Money("99.5", "CNY"), "zh-hans") == "¥99.50"
    assert format_money(Money("1.234", "KWD"), "en").endswith("1.234")


def test_dates_are_formatted_per_locale():
    import datetime as dt

    day = dt.date(2026, 11, 25)
    assert format_day(day, "en") == "Nov 25, 2026"
    assert format_day(day, "zh-hans") == "2026年11月25日"

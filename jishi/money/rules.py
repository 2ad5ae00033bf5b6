"""Money as a value: a Decimal amount that always travels with its ISO 4217 code.

Amounts are quantized to the currency's minor units (JPY 0, USD 2, KWD 3) with half-up rounding.
Arithmetic across two currencies is an error; floats are refused. Pure Python, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

_KNOWN_CODES = frozenset(list_currencies())
# CLDR gives display digits; ISO 4217 minor units differ for a few currencies that are quoted
# without decimals in everyday use but keep them legally.
_ISO_MINOR_UNITS_OVERRIDES = {"HUF": 2, "IDR": 2, "ISK": 0, "TWD": 2, "CZK": 2, "PKR": 2, "RSD": 2}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies met in one operation."""


class UnknownCurrency(ValueError):
    """Not an ISO 4217 code, or no rate is known for it."""


def minor_units(code: str) -> int:
    code = normalize_code(code)
    if code in _ISO_MINOR_UNITS_OVERRIDES:
        return _ISO_MINOR_UNITS_OVERRIDES[code]
    return get_currency_precision(code)


def normalize_code(code: str) -> str:
    if not isinstance(code, str):
        raise UnknownCurrency(f"Currency code must be text, not {type(code).__name__}.")
    upper = code.strip().upper()
    if len(upper) != 3 or upper not in _KNOWN_CODES:
        raise UnknownCurrency(f"Unknown currency code {code!r}.")
    return upper


def to_decimal(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money amounts must be Decimal, int or str, never float.")
    if isinstance(value, bool):
        raise TypeError("A boolean is not an amount.")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{value!r} is not a number.") from exc
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite amount.")
    return result


def quantize(amount: Decimal, code: str) -> Decimal:
    exponent = Decimal(1).scaleb(-minor_units(code))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __init__(self, amount, currency: str):
        code = normalize_code(currency)
        object.__setattr__(self, "currency", code)
        object.__setattr__(self, "amount", quantize(to_decimal(amount), code))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}.")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor) -> Money:
        if isinstance(factor, Money):
            raise TypeError("Cannot multiply two amounts of money.")
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"


def convert(money: Money, to_currency: str, *, rates_per_eur: dict[str, Decimal]) -> Money:
    """Convert through EUR, the base of the reference rates: amount / rate(from) × rate(to)."""
    target = normalize_code(to_currency)
    if target == money.currency:
        return money
    try:
        rate_from = Decimal(1) if money.currency == "EUR" else rates_per_eur[money.currency]
        rate_to = Decimal(1) if target == "EUR" else rates_per_eur[target]
    except KeyError as missing:
        raise UnknownCurrency(f"No exchange rate for {missing.args[0]}.") from None
    return Money(money.amount / rate_from * rate_to, target)

"""Money: exact decimals, ISO 4217 currencies, rounding and VAT."""

from __future__ import annotations

import enum
import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeAlias

import attrs

from ._enums import parse_enum
from ._errors import (
    FloatNotAllowed,
    InvalidAmount,
    InvalidValue,
    MissingExemptionReason,
    UnknownCurrency,
    UnknownVatCategory,
)
from ._words import a_type, either_way, field_name

__all__ = [
    "CURRENCIES",
    "MAX_MINOR_UNITS",
    "DecimalLike",
    "Vat",
    "VatCategory",
    "VatSplit",
    "as_fraction",
    "as_rate",
    "line_amount",
    "minor_unit",
    "pad_amount",
    "round_money",
    "to_decimal",
    "vat_split",
]

# Active ISO 4217 codes and their minor units; most currencies have two places.
_ZERO_PLACES = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_PLACES = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_PLACES = "CLF UYW"
_TWO_PLACES = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)

#: Every currency code onaccount accepts, mapped to its number of minor-unit places.
CURRENCIES: dict[str, int] = {
    **dict.fromkeys(_TWO_PLACES.split(), 2),
    **dict.fromkeys(_ZERO_PLACES.split(), 0),
    **dict.fromkeys(_THREE_PLACES.split(), 3),
    **dict.fromkeys(_FOUR_PLACES.split(), 4),
}

_QUANTA: dict[str, Decimal] = {code: Decimal(1).scaleb(-p) for code, p in CURRENCIES.items()}

#: What amounts, quantities and rates are given as: `to_decimal` takes each exactly, and a
#: type checker refuses a float before `FloatNotAllowed` has to.
DecimalLike: TypeAlias = Decimal | int | str


def check_currency(
    code: object, *, field: str = "currency", obj: object = None, name: str | None = None
) -> str:
    """Return ``code`` if it is an ISO 4217 currency code, else raise `UnknownCurrency`.

    ``field`` opens the refusal's message; ``name`` is its ``field`` (see `field_name`).
    """
    if not isinstance(code, str) or code not in CURRENCIES:
        advice = "use a three-letter code such as 'EUR'"
        if isinstance(code, str) and code.upper() in CURRENCIES:
            advice = f"currency codes are upper case: use {code.upper()!r}"
        raise UnknownCurrency(
            f"{field} {code!r} is not an ISO 4217 currency code; {advice}",
            value=code,
            obj=obj,
            field=field_name(field, name),
        )
    return code


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` as a Decimal quantum (EUR: ``Decimal('0.01')``)."""
    try:
        return _QUANTA[currency]
    except (KeyError, TypeError):
        check_currency(currency)
        raise  # pragma: no cover - check_currency raised already


def pad_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` written with the currency's minor-unit places (``5`` EUR is ``5.00``).

    Only trailing zeros are added: an amount with more places than the currency has (a
    limit of ``100.555``) is returned as it is, never rounded.
    """
    quantum = minor_unit(currency)
    try:
        padded = amount.quantize(quantum)
    except InvalidOperation:  # more digits than the context holds: leave it alone
        return amount
    return unsigned_zero(padded if padded == amount else amount)


def unsigned_zero(amount: Decimal) -> Decimal:
    """``amount``, with zero always positive: ``-0.00`` (a return rounded to nothing) is ``0.00``.

    Decimal keeps the sign of a zero, and every report would print it.
    """
    return amount.copy_abs() if amount.is_zero() else amount


def to_decimal(
    value: object, *, field: str, obj: object = None, name: str | None = None
) -> Decimal:
    """Convert ``value`` to a finite Decimal, refusing floats, booleans and NaN.

    Accepts a `Decimal`, an `int` or a numeric string such as ``"12.50"``. A refusal's
    message opens with ``field``, the words for the value (``unit price``); its ``field``
    is ``name``, the attribute or parameter (``unit_price``), as `field_name` says.
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise FloatNotAllowed(
            f"{field} {value!r} is a bool; pass a Decimal such as Decimal('1')",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        raise FloatNotAllowed(
            f"{field} {value!r} is a float, which cannot hold money exactly; "
            f"pass Decimal('{value!r}') or a string instead",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(
                f"{field} {value!r} is not a decimal number; write it like '12.50'",
                value=value,
                obj=obj,
                field=field_name(field, name),
            ) from None
    else:
        raise FloatNotAllowed(
            f"{field} {value!r} is {a_type(value)}; pass a Decimal",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    if not result.is_finite():
        raise InvalidAmount(
            f"{field} {value!r} is not a finite number; pass a real amount such as Decimal('0')",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    return result


#: Every stored amount (limit, credit, line, purchase total, balance) lies strictly
#: between minus and plus this many minor units of its currency: 10^13 EUR, 10^15 JPY.
#: It keeps sums of them far inside the 64-bit integers databases store.
MAX_MINOR_UNITS = 10**15


def check_stored_amount(
    amount: Decimal,
    currency: str,
    *,
    field: str,
    obj: object = None,
    shown: object = None,
    name: str | None = None,
) -> None:
    """Refuse ``amount`` unless it lies inside the stored range of ``currency``.

    The refusal opens with ``field``; ``name`` is its ``field`` (see `field_name`).
    """
    bound = Decimal(MAX_MINOR_UNITS).scaleb(-CURRENCIES[currency])
    if not -bound < amount < bound:
        limit = bound.quantize(minor_unit(currency))
        raise InvalidAmount(
            f"{field} {amount if shown is None else shown} is outside the range onaccount "
            f"stores: amounts lie between -{limit} {currency} and {limit} {currency}, "
            "exclusive; check the value for a typing error",
            value=amount,
            obj=obj,
            field=field_name(field, name),
        )


def check_minor_units(
    amount: Decimal,
    currency: str,
    *,
    field: str,
    obj: object = None,
    subject: str = "",
    name: str | None = None,
) -> None:
    """Refuse ``amount`` unless it is whole minor units of ``currency`` (EUR: cents).

    The refusal begins with ``subject``, ``"{field} {amount}"`` unless given; ``name``
    is its ``field`` (see `field_name`).
    """
    rounded = round_money(amount, currency)
    if amount != rounded:
        unit = minor_unit(currency)
        # A sliver of a cent rounds to 0, which is no amount to suggest.
        said = (
            f"has more places than {currency} allows; round it to {rounded}"
            if rounded
            else f"is less than {unit} {currency}, the smallest amount {currency} has; give a "
            f"multiple of {unit}, such as {unit.copy_sign(amount)}"
        )
        raise InvalidValue(
            f"{subject or f'{field} {amount}'} {said}",
            value=amount,
            obj=obj,
            field=field_name(field, name),
        )


def check_magnitude(
    value: Decimal,
    *,
    field: str,
    below: int,
    places: int,
    obj: object = None,
    name: str | None = None,
) -> Decimal:
    """``value`` if its size is below 10^``below`` and it has at most ``places`` decimals.

    A refusal opens with ``field``; ``name`` is its ``field`` (see `field_name`).
    """
    if not -(Decimal(10) ** below) < value < Decimal(10) ** below:
        raise InvalidAmount(
            f"{field} {value} is too large; onaccount takes values below 10^{below} "
            "in size, check the value for a typing error",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    exponent = value.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -places
        and value != value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    ):
        raise InvalidAmount(
            f"{field} {value} has more than {places} decimal places; round it to {places}",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    return value


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to the minor unit of ``currency``, half up (0.005 EUR -> 0.01).

    Zero is ``0.00``, never ``-0.00``, however small the negative amount rounded was.
    """
    amount = to_decimal(amount, field="amount")
    return _rounded(amount, minor_unit(currency))


def _rounded(amount: Decimal, quantum: Decimal) -> Decimal:
    # The one rounding of money: every rounded amount, split and line amount comes from here.
    return unsigned_zero(amount.quantize(quantum, ROUND_HALF_UP))


def line_amount(quantity: Decimal, unit_price: Decimal, quantum: Decimal) -> Decimal:
    """A purchase line's amount: ``quantity × unit_price`` rounded half up to ``quantum``.

    The one place this rule is written; every total, statement and export of lines uses
    it. ``quantum`` is the currency's `minor_unit`, looked up once by callers that price
    many lines.
    """
    return _rounded(quantity * unit_price, quantum)


class VatCategory(enum.Enum):
    """VAT category codes of UNCL 5305 as EN 16931 uses them."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"

    @property
    def needs_exemption_reason(self) -> bool:
        """Whether invoices must state why no VAT is charged (EN 16931 BR-E-10 and kin)."""
        return self in _NEEDS_REASON

    @classmethod
    def parse(cls, code: object) -> VatCategory:
        """The category for a code such as ``"S"``, or `UnknownVatCategory`."""
        return parse_enum(
            cls, code, what="VAT category", field="category", error=UnknownVatCategory
        )


_NEEDS_REASON = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
        VatCategory.OUTSIDE_SCOPE,
    }
)


def _to_category(value: object) -> VatCategory:
    return VatCategory.parse(value)


def _to_rate(value: DecimalLike) -> Decimal:
    return to_decimal(value, field="VAT rate", name="rate")


def _optional_reason(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def as_rate(percent: Decimal) -> Decimal:
    """The rate ``percent`` % as the fraction a `Vat` holds: 21 is ``Decimal("0.21")``."""
    return (percent / 100).normalize()


def as_fraction(percent: Decimal) -> str:
    """The hint for a rate given in percent: ``write 21% as 0.21``."""
    return f"rates are fractions: write {percent}% as {as_rate(percent):f}"


@attrs.frozen(cache_hash=True)
class Vat:
    """A VAT category with its rate as a fraction (21 % is ``Decimal("0.21")``).

    Categories other than standard carry a rate of zero; the exempt ones (E, AE, K, G, O)
    carry the reason an invoice has to state.
    """

    category: VatCategory = attrs.field(converter=_to_category)
    rate: Decimal = attrs.field(default=Decimal(0), converter=_to_rate)
    exemption_reason: str | None = attrs.field(default=None, converter=_optional_reason)

    def __attrs_post_init__(self) -> None:
        code = self.category.value
        if self.category is VatCategory.STANDARD:
            if not Decimal(0) < self.rate < Decimal(1):
                hint = (
                    f"; {as_fraction(self.rate)}"
                    if self.rate >= 1
                    else f"; for a rate of 0 % use {either_way('Vat.zero()', 'vat_category Z')}"
                    if self.rate == 0
                    else ""
                )
                raise InvalidValue(
                    f"VAT rate {self.rate} for category S must be above 0 and below 1{hint}",
                    value=self.rate,
                    obj=self,
                    field="rate",
                )
        elif self.rate != 0:
            raise InvalidValue(
                f"VAT rate {self.rate} is not allowed for category {code}, which is always "
                "0; use category S for a charged rate",
                value=self.rate,
                obj=self,
                field="rate",
            )
        if self.category.needs_exemption_reason and self.exemption_reason is None:
            raise MissingExemptionReason(
                f"VAT category {code} needs an exemption reason that invoices state: give "
                f"{either_way('exemption_reason', 'vat_reason')}, such as 'Exempt under "
                "article 11 of the VAT Act'",
                value=code,
                obj=self,
                field="exemption_reason",
            )

    @classmethod
    def standard(cls, rate: DecimalLike) -> Vat:
        """Standard-rated VAT at ``rate`` (a fraction: ``"0.21"`` for 21 %)."""
        return cls(VatCategory.STANDARD, rate)

    @classmethod
    def zero(cls) -> Vat:
        """Zero-rated VAT (category Z)."""
        return cls(VatCategory.ZERO)

    @classmethod
    def exempt(cls, reason: str, category: VatCategory | str = VatCategory.EXEMPT) -> Vat:
        """VAT-exempt (category E, or another exempt category) with the reason invoices need."""
        return cls(category, Decimal(0), reason)

    @property
    def percent(self) -> Decimal:
        """The rate in percent, normalised (``Decimal("21")`` for 21 %)."""
        return _percent(self.rate)

    def __str__(self) -> str:
        return f"{self.category.value} {self.percent}%"


@functools.lru_cache(maxsize=256)
def _percent(rate: Decimal) -> Decimal:
    # Exports write the percent on every line; a shop has a handful of rates.
    result = (rate * 100).normalize()
    # normalize() writes 20 as 2E+1; keep the plain form accounting formats want.
    return result.quantize(Decimal(1)) if result == result.to_integral() else result


def vat_sort_key(vat: Vat) -> tuple[str, Decimal, str]:
    """Order VAT by category code, then rate: the order breakdowns are listed in."""
    return (vat.category.value, vat.rate, vat.exemption_reason or "")


@attrs.frozen
class VatSplit:
    """A VAT-inclusive amount split into its net and VAT parts: ``net + vat == gross``."""

    gross: Decimal
    net: Decimal
    vat: Decimal


def vat_split(gross: Decimal, rate: Decimal, currency: str = "EUR") -> VatSplit:
    """Split a VAT-inclusive ``gross`` at ``rate`` into net and VAT, exact to the cent.

    ``vat = round(gross × rate / (1 + rate))`` and ``net = gross − vat``, so the parts
    always add up to the gross amount.
    """
    gross = to_decimal(gross, field="gross")
    rate = to_decimal(rate, field="VAT rate", name="rate")
    if not Decimal(0) <= rate < Decimal(1):
        raise InvalidValue(
            f"VAT rate {rate} must lie from 0 up to 1; "
            + as_fraction(rate if rate >= 1 else Decimal(21)),
            value=rate,
            field="rate",
        )
    # A zero gross keeps no sign either, so neither does the net it leaves.
    gross = unsigned_zero(gross)
    vat = round_money(gross * rate / (1 + rate), currency)
    return VatSplit(gross=gross, net=gross - vat, vat=vat)

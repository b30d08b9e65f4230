"""Bookings on an account: purchases with lines, credit bookings, and mutations."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal, TypeAlias

import attrs

from ._account import non_empty, optional_text
from ._enums import parse_enum
from ._errors import InvalidValue
from ._money import (
    DecimalLike,
    Vat,
    check_currency,
    check_magnitude,
    check_minor_units,
    check_stored_amount,
    line_amount,
    minor_unit,
    to_decimal,
)
from ._period import to_utc

__all__ = [
    "CreditBooking",
    "CreditKind",
    "CreditKindName",
    "Line",
    "Mutation",
    "MutationKind",
    "Purchase",
    "Transaction",
]


def new_id() -> str:
    """A fresh random identifier."""
    return uuid.uuid4().hex


def _quantity(value: DecimalLike) -> Decimal:
    quantity = to_decimal(value, field="quantity")
    if not quantity:
        raise InvalidValue(
            f"quantity {quantity} makes an empty line; a line sells at least some of a "
            "product (a negative quantity is a return): leave the line out",
            value=value,
            field="quantity",
        )
    return check_magnitude(quantity, field="quantity", below=9, places=6)


def _unit_price(value: DecimalLike) -> Decimal:
    price = to_decimal(value, field="unit price", name="unit_price")
    return check_magnitude(price, field="unit price", below=13, places=6, name="unit_price")


def _vat(value: Vat) -> Vat:
    # Checked for callers without a type checker.
    if not isinstance(value, Vat):
        raise InvalidValue(
            f"VAT {value!r} is not a Vat; pass e.g. Vat.standard('0.21') or Vat.zero()",
            value=value,
            field="vat",
        )
    return value


@attrs.frozen(kw_only=True)
class Line:
    """One product on a receipt. ``unit_price`` includes VAT, as the customer saw it.

    A negative quantity is a return. The line's amount is computed, never passed in:
    ``round(quantity × unit_price)`` in the transaction's currency.
    """

    product: str = attrs.field(validator=non_empty)
    quantity: Decimal = attrs.field(converter=_quantity)
    unit_price: Decimal = attrs.field(converter=_unit_price)
    vat: Vat = attrs.field(converter=_vat)
    code: str | None = attrs.field(default=None, converter=optional_text)
    group: str | None = attrs.field(default=None, converter=optional_text)

    def amount(self, currency: str = "EUR") -> Decimal:
        """``quantity × unit_price`` rounded half up to the currency's minor unit."""
        return line_amount(self.quantity, self.unit_price, minor_unit(currency))


def _aware(value: dt.datetime) -> dt.datetime:
    return to_utc(value, field="transaction instant 'at'", name="at")


def _currency(value: str) -> str:
    return check_currency(value, field="transaction currency", name="currency")


@attrs.frozen(kw_only=True)
class Transaction:
    """One booking on one account at one instant; a `Purchase` or a `CreditBooking`.

    ``amount`` is signed, as it changes the balance: negative for ordinary purchases.
    """

    account: str = attrs.field(validator=non_empty)
    at: dt.datetime = attrs.field(converter=_aware)
    id: str = attrs.field(factory=new_id, validator=non_empty)
    currency: str = attrs.field(default="EUR", converter=_currency)

    @property
    def amount(self) -> Decimal:
        """The signed change to the balance."""
        raise NotImplementedError  # pragma: no cover - every subclass defines it


def _lines(value: Iterable[Line]) -> tuple[Line, ...]:
    result = tuple(value)
    for line in result:
        if not isinstance(line, Line):
            raise InvalidValue(
                f"purchase line {line!r} is not a Line; build it with Line(product=..., "
                "quantity=..., unit_price=..., vat=...)",
                value=line,
                field="lines",
            )
    return result


@attrs.frozen(kw_only=True)
class Purchase(Transaction):
    """A purchase on account: one or more lines, lowering the balance by their total."""

    lines: tuple[Line, ...] = attrs.field(converter=_lines)
    note: str | None = attrs.field(default=None, converter=optional_text)
    total: Decimal = attrs.field(init=False, default=Decimal(0))

    @lines.validator
    def _check_lines(
        self, attribute: attrs.Attribute[tuple[Line, ...]], value: tuple[Line, ...]
    ) -> None:
        if not value:
            raise InvalidValue(
                f"purchase {self.id} on account {self.account} has no lines; a purchase "
                "needs at least one Line",
                value=value,
                obj=self,
                field="lines",
            )

    def __attrs_post_init__(self) -> None:
        total = Decimal(0)
        for line in self.lines:
            # Checked before rounding: past the range the product has more digits than
            # Decimal arithmetic keeps.
            check_stored_amount(
                line.quantity * line.unit_price,
                self.currency,
                field=f"line {line.product!r} of purchase {self.id} amount",
                obj=self,
                name="lines",
            )
            total += line.amount(self.currency)
        check_stored_amount(
            total, self.currency, field=f"purchase {self.id} total", obj=self, name="lines"
        )
        object.__setattr__(self, "total", total)

    @property
    def amount(self) -> Decimal:
        """Minus the total: a purchase lowers the balance."""
        return -self.total


class CreditKind(enum.Enum):
    """Why a credit booking raises the balance."""

    TOP_UP = "top-up"
    PAYMENT = "payment"
    REFUND = "refund"


#: A credit booking kind as its name, which `CreditBooking` takes as well as the member.
CreditKindName: TypeAlias = Literal["top-up", "payment", "refund"]


def _credit_kind(value: CreditKind | CreditKindName) -> CreditKind:
    return parse_enum(CreditKind, value, what="credit booking kind", field="kind")


def _credit_amount(value: DecimalLike) -> Decimal:
    return to_decimal(value, field="credit amount", name="credit")


@attrs.frozen(kw_only=True)
class CreditBooking(Transaction):
    """A top-up, payment or refund: raises the balance by ``credit``."""

    credit: Decimal = attrs.field(converter=_credit_amount)
    kind: CreditKind = attrs.field(default=CreditKind.PAYMENT, converter=_credit_kind)
    reason: str = attrs.field(validator=non_empty)

    def __attrs_post_init__(self) -> None:
        check_stored_amount(
            self.credit,
            self.currency,
            field=f"credit booking {self.id} amount",
            obj=self,
            name="credit",
        )
        if self.credit <= 0:
            raise InvalidValue(
                f"credit booking {self.id} on account {self.account} has amount "
                f"{self.credit}; a credit raises the balance, give an amount above zero",
                value=self.credit,
                obj=self,
                field="credit",
            )
        check_minor_units(
            self.credit, self.currency, field="credit booking amount", obj=self, name="credit"
        )

    @property
    def amount(self) -> Decimal:
        """The credit: it raises the balance."""
        return self.credit


class MutationKind(enum.Enum):
    """What booked a mutation."""

    RUN_CORRECTION = "run-correction"
    UNDO = "undo"
    MANUAL = "manual"
    LIMIT_CHANGE = "limit-change"


def _balance_delta(value: DecimalLike) -> Decimal:
    return to_decimal(value, field="balance delta", name="balance_delta")


def _limit_delta(value: DecimalLike) -> Decimal:
    return to_decimal(value, field="limit delta", name="limit_delta")


def _mutation_at(value: dt.datetime) -> dt.datetime:
    return to_utc(value, field="mutation instant 'at'", name="at")


@attrs.frozen(kw_only=True)
class Mutation:
    """An append-only change to an account's balance and/or limit, with who, when and why."""

    account: str = attrs.field(validator=non_empty)
    kind: MutationKind
    balance_delta: Decimal = attrs.field(default=Decimal(0), converter=_balance_delta)
    limit_delta: Decimal = attrs.field(default=Decimal(0), converter=_limit_delta)
    actor: str = attrs.field(validator=non_empty)
    at: dt.datetime = attrs.field(converter=_mutation_at)
    reason: str = attrs.field(validator=non_empty)
    run_id: str | None = None
    id: str = attrs.field(factory=new_id, validator=non_empty)


_set = object.__setattr__


def stored_line(
    product: str,
    code: str | None,
    group: str | None,
    quantity: Decimal,
    unit_price: Decimal,
    vat: Vat,
) -> Line:
    """A `Line` from values a ledger checked when they were recorded, not checked again.

    Ledgers read millions of lines back; running the validators on each again would
    cost more than the work done with them.
    """
    line = object.__new__(Line)
    _set(line, "product", product)
    _set(line, "quantity", quantity)
    _set(line, "unit_price", unit_price)
    _set(line, "vat", vat)
    _set(line, "code", code)
    _set(line, "group", group)
    return line


def stored_purchase(
    id: str,
    account: str,
    at: dt.datetime,
    currency: str,
    lines: tuple[Line, ...],
    note: str | None,
    total: Decimal | None = None,
) -> Purchase:
    """A `Purchase` from values a ledger checked when they were recorded (see `stored_line`).

    ``total`` is the total the ledger stored with it, if it did; else it is summed again.
    """
    purchase = object.__new__(Purchase)
    _set(purchase, "account", account)
    _set(purchase, "at", at)
    _set(purchase, "id", id)
    _set(purchase, "currency", currency)
    _set(purchase, "lines", lines)
    _set(purchase, "note", note)
    if total is None:
        quantum = minor_unit(currency)
        total = sum(
            (line_amount(line.quantity, line.unit_price, quantum) for line in lines), Decimal(0)
        )
    _set(purchase, "total", total)
    return purchase

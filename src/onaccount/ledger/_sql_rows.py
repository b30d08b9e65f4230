"""Row codecs of the SQL ledger: instants, minor units and bookings to rows and back."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from onaccount._account import Account
from onaccount._errors import (
    InvalidValue,
    StorageError,
)
from onaccount._money import CURRENCIES, Vat, line_amount, minor_unit
from onaccount._transaction import (
    CreditBooking,
    CreditKind,
    Line,
    Mutation,
    Purchase,
    Transaction,
    stored_line,
    stored_purchase,
)
from onaccount._words import field_name
from onaccount.ledger._codec import (
    from_minor,
    to_minor,
)

__all__ = [
    "CHUNK",
    "EPOCH",
    "Decoder",
    "batch_label",
    "chunks",
    "day_of",
    "from_us",
    "line_rows",
    "refused_storage",
    "stored_minor",
    "storing",
    "to_us",
    "transaction_row",
]

# Bound parameters per IN (...) list; SQLite's limit is 32,766 per statement.
CHUNK = 500
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ZERO = Decimal(0)

# -- conversions ---------------------------------------------------------------------


def to_us(instant: dt.datetime) -> int:
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


def stored_minor(amount: Decimal, currency: str, what: str, name: str | None = None) -> int:
    """``amount`` in minor units; a refusal says ``what`` it is, naming ``name``."""
    try:
        return to_minor(amount, CURRENCIES[currency])
    except ValueError:
        raise InvalidValue(
            f"{what} {amount} has more decimal places than {currency} allows; round it "
            f"to {CURRENCIES[currency]} places",
            value=amount,
            field=field_name(what, name),
        ) from None


@contextlib.contextmanager
def storing(what: str) -> Iterator[None]:
    """Turn a driver's refusal into `StorageError` naming ``what``, never the statement.

    The library's checks refuse every value they know to be unstorable; this catches what
    they cannot foresee (a value built past them, a server's own limit). The driver's own
    text would print the SQL and its parameters, customer data included.
    """
    try:
        yield
    except (IntegrityError, OperationalError):
        # Refusals the ledger words itself, and a database that cannot be used right now
        # (locked, gone away): neither is about the value.
        raise
    except (StatementError, UnicodeError, OverflowError) as error:
        cause = error.orig if isinstance(error, StatementError) else error
        raise refused_storage(what, cause or error) from None


def refused_storage(what: str, cause: BaseException) -> StorageError:
    """The `StorageError` for a driver's refusal ``cause`` to store ``what``."""
    # The driver's first line says what is wrong; what follows it quotes the SQL.
    first_line = (str(cause).splitlines() or [""])[0][:200]
    return StorageError(
        f"the database refused to store {what}: {type(cause).__name__}: {first_line}; "
        "check the values for characters or sizes it cannot keep",
        value=what,
    )


def batch_label(batch: Sequence[Transaction | Account | Mutation]) -> str:
    kind = (
        "booking"
        if isinstance(batch[0], Transaction)
        else "account"
        if isinstance(batch[0], Account)
        else "mutation"
    )
    key = batch[0].number if isinstance(batch[0], Account) else batch[0].id
    return f"{kind} {key}" if len(batch) == 1 else f"{len(batch)} {kind}s from {kind} {key} on"


T = TypeVar("T")


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in slices of `CHUNK`, so a statement's parameters stay within limits."""
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def transaction_row(tx: Transaction, amount: int) -> dict[str, Any]:
    if isinstance(tx, Purchase):
        kind, text = "purchase", tx.note
    elif isinstance(tx, CreditBooking):
        kind, text = tx.kind.value, tx.reason
    else:  # pragma: no cover - only two kinds exist
        raise InvalidValue(f"cannot store {tx!r}", value=tx)
    return {
        "id": tx.id,
        "account": tx.account,
        "at_us": to_us(tx.at),
        "kind": kind,
        "currency": tx.currency,
        "amount_minor": amount,
        "text": text,
        "invoice_id": None,
    }


def line_rows(tx: Purchase, places: int) -> list[dict[str, Any]]:
    quantum = minor_unit(tx.currency)
    return [
        {
            "transaction_id": tx.id,
            "position": i,
            "product": line.product,
            "code": line.code,
            "grp": line.group,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "vat_category": line.vat.category.value,
            "vat_rate": str(line.vat.rate),
            "vat_reason": line.vat.exemption_reason,
            "amount_minor": to_minor(line_amount(line.quantity, line.unit_price, quantum), places),
        }
        for i, line in enumerate(tx.lines)
    ]


_K = TypeVar("_K")
_V = TypeVar("_V")
# Values a decoder remembers per kind; past this the memory is started afresh, so a
# stream of all-different values stays small.
_REMEMBERED = 50_000


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(cache) > _REMEMBERED:
        cache.clear()
    cache[key] = value
    return value


class Decoder:
    """Turns rows back into bookings, sharing equal values.

    One Vat per rate, one Decimal per price text and one Line per distinct line row,
    so a long stream costs little time and memory.
    """

    __slots__ = ("_decimals", "_lines", "_totals", "_vats")

    def __init__(self) -> None:
        self._decimals: dict[str, Decimal] = {}
        self._lines: dict[tuple[Any, ...], Line] = {}
        self._totals: dict[tuple[int, str], Decimal] = {}
        self._vats: dict[tuple[str, str, str | None], Vat] = {}

    def decimal(self, text: str) -> Decimal:
        value = self._decimals.get(text)
        if value is None:
            value = _remember(self._decimals, text, Decimal(text))
        return value

    def total(self, amount_minor: int, currency: str) -> Decimal:
        """A purchase's total from its stored amount (stored negative: it is spent)."""
        key = (amount_minor, currency)
        value = self._totals.get(key)
        if value is None:
            value = _remember(self._totals, key, from_minor(-amount_minor, CURRENCIES[currency]))
        return value

    def vat(self, category: str, rate: str, reason: str | None) -> Vat:
        key = (category, rate, reason)
        vat = self._vats.get(key)
        if vat is None:
            vat = _remember(self._vats, key, Vat(category, Decimal(rate), reason))
        return vat

    def line(self, values: tuple[Any, ...]) -> Line:
        """The line of a row's line columns (product to VAT reason), one per distinct row."""
        line = self._lines.get(values)
        if line is None:
            product, code, group, quantity, price, category, rate, reason = values
            line = _remember(
                self._lines,
                values,
                stored_line(
                    product,
                    code,
                    group,
                    self.decimal(quantity),
                    self.decimal(price),
                    self.vat(category, rate, reason),
                ),
            )
        return line

    def lines(self, line_rows: list[Any]) -> tuple[Line, ...]:
        """A purchase's lines, each `Line` shared by every row with the same columns.

        A canteen sells the same few lines over and over, but rarely the same set of
        them twice: lines are looked up one by one, with no call for those seen before.
        """
        known = self._lines.get
        return tuple([known(k) or self.line(k) for k in [r[7:15] for r in line_rows]])

    def transaction(self, head: Any, line_rows: list[Any]) -> Transaction:
        # Row layout: see SQLLedger._select_transactions.
        tx_id, account, at_us, kind, currency, amount_minor, text = head[:7]
        at = EPOCH + dt.timedelta(microseconds=at_us)
        if kind == "purchase":
            return stored_purchase(
                tx_id,
                account,
                at,
                currency,
                self.lines(line_rows),
                text,
                self.total(amount_minor, currency),
            )
        return CreditBooking(
            id=tx_id,
            account=account,
            at=at,
            currency=currency,
            credit=from_minor(amount_minor, CURRENCIES[currency]),
            kind=CreditKind(kind),
            reason=text,
        )


def day_of(at_us: Any, bounds: Sequence[int]) -> Any:
    """The index of the business day holding ``at_us``, as SQL: a binary search of CASEs.

    ``bounds`` are the period's day bounds in microseconds (DST days are 23 or 25 hours
    long, so days cannot be computed by division). Written as literals, so the database
    sees one expression in SELECT and GROUP BY.
    """

    def within(first: int, last: int) -> Any:
        if last - first == 1:
            return sa.literal_column(str(first), sa.Integer)
        middle = (first + last) // 2
        return sa.case(
            (at_us < sa.literal_column(str(int(bounds[middle]))), within(first, middle)),
            else_=within(middle, last),
        )

    if len(bounds) == 2:
        # A bare number in GROUP BY would be read as a column position.
        return sa.case((at_us < sa.literal_column(str(int(bounds[1]))), within(0, 1)))
    return within(0, len(bounds) - 1)

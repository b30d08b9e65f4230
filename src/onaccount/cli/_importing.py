"""Reading accounts and transactions from CSV files, every bad row reported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from onaccount import (
    Account,
    Address,
    BillingDetails,
    CreditBooking,
    Line,
    OnAccountError,
    Purchase,
    Transaction,
    UnknownTimeZone,
    Vat,
)

__all__ = [
    "ACCOUNT_COLUMNS",
    "TRANSACTION_COLUMNS",
    "BadRow",
    "ImportFailed",
    "read_accounts",
    "read_transactions",
]

T = TypeVar("T")
R = TypeVar("R")

#: Columns of an accounts file; only number and name are required.
ACCOUNT_COLUMNS = (
    "number", "name", "kind", "limit", "currency", "group", "tags", "billing_name",
    "email", "vat_id", "iban", "bic", "mandate_id", "mandate_date", "street",
    "postal_code", "city", "country",
)  # fmt: skip

#: Columns of a transactions file. Rows sharing an id are the lines of one purchase;
#: credit bookings (type top-up, payment or refund) give an amount and a reason.
TRANSACTION_COLUMNS = (
    "id", "account", "at", "type", "product", "code", "group", "quantity",
    "unit_price", "vat_category", "vat_rate", "vat_reason", "amount", "currency", "text",
)  # fmt: skip


@attrs.frozen
class BadRow:
    """A row that cannot be imported: its line number in the file and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportFailed(OnAccountError, ValueError):
    """A file with bad rows; nothing of it was imported."""

    def __init__(self, path: Path, bad: list[BadRow]) -> None:
        shown = "; ".join(str(b) for b in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        super().__init__(
            f"{path}: {len(bad)} bad row(s), nothing imported: {shown}{more}; fix them and "
            "import the file again",
            value=tuple(bad),
            field="rows",
        )
        self.bad = tuple(bad)


class _BadRows(Exception):
    """Several rows of one purchase are bad: each is reported with its own line."""

    def __init__(self, bad: list[BadRow]) -> None:
        super().__init__(bad)
        self.bad = bad


@attrs.frozen
class _Dialect:
    delimiter: str
    decimal_comma: bool
    day_first: bool


_DIALECTS = {
    "excel-nl": _Dialect(";", decimal_comma=True, day_first=True),
    "rfc4180": _Dialect(",", decimal_comma=False, day_first=False),
}


def _open_rows(path: Path, dialect: str) -> tuple[_Dialect, Iterator[tuple[int, dict[str, str]]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Excel saves "CSV" in the Windows code page unless asked for "CSV UTF-8".
        line = raw[: error.start].count(b"\n") + 1
        reason = f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as CSV UTF-8"
        raise ImportFailed(path, [BadRow(line, reason)]) from None
    if dialect == "auto":
        header = text.split("\n", 1)[0]
        dialect = "excel-nl" if header.count(";") > header.count(",") else "rfc4180"
    chosen = _DIALECTS[dialect]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=chosen.delimiter)
    if reader.fieldnames is not None:
        reader.fieldnames = [f.strip().lower() for f in reader.fieldnames]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for row in reader:
            if any((v or "").strip() for v in row.values()):
                clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
                yield reader.line_num, clean

    return chosen, rows()


# With a decimal comma a point only groups thousands: 1.234,50, never 2.40.
_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")


def _decimal(text: str, dialect: _Dialect, column: str) -> Decimal:
    if not text:
        raise ValueError(f"{column} is empty")
    if dialect.decimal_comma and "." in text and not _GROUPED.fullmatch(text):
        # Dropping the point would read 2.40 as 240: refuse rather than guess.
        raise ValueError(
            f"{column} {text!r} is not a number with a decimal comma like 2,40; "
            "use --dialect rfc4180 for a file with decimal points"
        )
    value = text.replace(".", "").replace(",", ".") if dialect.decimal_comma else text
    try:
        return Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{column} {text!r} is not a number") from None


def _date(text: str, dialect: _Dialect, column: str) -> dt.date:
    try:
        if dialect.day_first and "-" in text and len(text.split("-")[0]) == 2:
            return dt.datetime.strptime(text, "%d-%m-%Y").date()
        return dt.date.fromisoformat(text)
    except ValueError:
        example = "31-01-2026" if dialect.day_first else "2026-01-31"
        raise ValueError(f"{column} {text!r} is not a date like {example}") from None


def _instant(text: str, dialect: _Dialect, tz: ZoneInfo | None) -> dt.datetime:
    value: dt.datetime | None = None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        if dialect.day_first:
            for pattern in ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M"):
                try:
                    value = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
    if value is None:
        raise ValueError(f"at {text!r} is not a date and time like 2026-10-03T21:40:00+02:00")
    if value.tzinfo is None:
        if tz is None:
            raise ValueError(
                f"at {text!r} has no UTC offset; add one or pass --tz to read local times"
            )
        # Local wall time from the file, placed in the zone the operator named.
        value = value.replace(tzinfo=tz, fold=0)
    return value


def _collect(
    rows: Iterable[tuple[int, R]], build: Callable[[int, R], T], bad: list[BadRow]
) -> list[T]:
    """Build every row, noting each failure with its line rather than stopping."""
    result = []
    for line, row in rows:
        try:
            result.append(build(line, row))
        except _BadRows as failure:
            bad.extend(failure.bad)
        except OnAccountError as error:
            bad.append(BadRow(line, error.message))
        except (ValueError, KeyError) as error:
            bad.append(BadRow(line, str(error).strip("'\"")))
    return result


def read_accounts(path: Path, *, dialect: str = "auto") -> list[Account]:
    """Every account in ``path``, or `ImportFailed` listing every bad row."""
    chosen, rows = _open_rows(path, dialect)
    bad: list[BadRow] = []
    seen: dict[str, int] = {}

    def build(line: int, row: dict[str, str]) -> Account:
        billing_fields = ("billing_name", "email", "vat_id", "iban", "mandate_id", "street")
        address = None
        if row.get("street") or row.get("city"):
            address = Address(
                street=row.get("street") or None,
                postal_code=row.get("postal_code") or None,
                city=row.get("city") or None,
                country=row.get("country") or "NL",
            )
        billing = None
        if any(row.get(f) for f in billing_fields):
            mandate_date = row.get("mandate_date")
            billing = BillingDetails(
                name=row.get("billing_name") or None,
                address=address,
                email=row.get("email") or None,
                vat_id=row.get("vat_id") or None,
                iban=row.get("iban") or None,
                bic=row.get("bic") or None,
                mandate_id=row.get("mandate_id") or None,
                mandate_date=_date(mandate_date, chosen, "mandate_date") if mandate_date else None,
            )
        limit = row.get("limit")
        account = Account(
            number=row.get("number", ""),
            name=row.get("name", ""),
            kind=row.get("kind") or "limit",
            limit=_decimal(limit, chosen, "limit") if limit else Decimal(0),
            currency=row.get("currency") or "EUR",
            group=row.get("group") or None,
            tags=frozenset(t.strip() for t in row.get("tags", "").split("|") if t.strip()),
            billing=billing,
        )
        if account.number in seen:
            raise ValueError(
                f"account {account.number} appears already on line {seen[account.number]}"
            )
        seen[account.number] = line
        return account

    accounts = _collect(rows, build, bad)
    if bad:
        raise ImportFailed(path, bad)
    return accounts


def read_transactions(
    path: Path, *, dialect: str = "auto", tz: str | None = None
) -> list[Transaction]:
    """Every booking in ``path``, or `ImportFailed` listing every bad row."""
    try:
        zone = None if tz is None else ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(
            f"time zone {tz!r} is not in the IANA database; use a name such as 'Europe/Amsterdam'",
            value=tz,
            field="tz",
        ) from None
    chosen, rows = _open_rows(path, dialect)
    bad: list[BadRow] = []
    # A purchase spans consecutive rows with one id: gather them before building it.
    groups: list[tuple[int, list[tuple[int, dict[str, str]]]]] = []
    for line, row in rows:
        if groups and row.get("id") and groups[-1][1][0][1].get("id") == row.get("id"):
            groups[-1][1].append((line, row))
        else:
            groups.append((line, [(line, row)]))
    seen: dict[str, int] = {}

    def line_of(line: int, row: dict[str, str]) -> Line:
        category = row.get("vat_category") or "S"
        rate = row.get("vat_rate")
        return Line(
            product=row.get("product", ""),
            code=row.get("code") or None,
            group=row.get("group") or None,
            quantity=_decimal(row.get("quantity", ""), chosen, "quantity"),
            unit_price=_decimal(row.get("unit_price", ""), chosen, "unit_price"),
            vat=Vat(
                category,
                _decimal(rate, chosen, "vat_rate") if rate else Decimal(0),
                row.get("vat_reason") or None,
            ),
        )

    def build(first_line: int, group: list[tuple[int, dict[str, str]]]) -> Transaction:
        head = group[0][1]
        tx_id = head.get("id") or f"import-{path.name}-{first_line}"
        if tx_id in seen:
            raise ValueError(f"id {tx_id} appears already on line {seen[tx_id]}")
        seen[tx_id] = first_line
        kind = (head.get("type") or "purchase").lower()
        account = head.get("account", "")
        at = _instant(head.get("at", ""), chosen, zone)
        currency = head.get("currency") or "EUR"
        if kind == "purchase":
            # Every bad line of the purchase is reported with its own line number.
            line_bad: list[BadRow] = []
            lines = _collect(group, line_of, line_bad)
            if line_bad:
                raise _BadRows(line_bad)
            return Purchase(
                id=tx_id,
                account=account,
                at=at,
                currency=currency,
                lines=lines,
                note=head.get("text") or None,
            )
        if len(group) > 1:
            raise ValueError(f"credit booking {tx_id} spans {len(group)} rows; give it one")
        return CreditBooking(
            id=tx_id,
            account=account,
            at=at,
            currency=currency,
            credit=_decimal(head.get("amount", ""), chosen, "amount"),
            kind=kind,
            reason=head.get("text", ""),
        )

    transactions = _collect(groups, build, bad)
    if bad:
        raise ImportFailed(path, bad)
    return transactions

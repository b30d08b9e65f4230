"""What a developer would write without onaccount: the baselines of each scenario.

Each baseline does the same work as the library's side of its scenario: the same
groupings (per account: per business day, per product and unit price, per VAT rate),
with Decimal and rounding per line, the same rows written.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")

# (account, instant, ((product, code, quantity, unit_price, vat_rate), ...))
PurchaseTuple = tuple[str, dt.datetime, tuple[tuple[str, str, Decimal, Decimal, Decimal], ...]]


def group(
    purchases: Iterable[PurchaseTuple], bounds: Sequence[dt.datetime], first: dt.date
) -> dict[
    str,
    tuple[
        dict[dt.date, Decimal], dict[tuple[str, Decimal], list[Decimal]], dict[Decimal, Decimal]
    ],
]:
    """Per account: totals per business day, per product and price, gross per VAT rate."""
    start, end = bounds[0], bounds[-1]
    result: dict[str, Any] = {}
    for account, at, lines in purchases:
        if not start <= at < end:
            continue
        slot = result.get(account)
        if slot is None:
            slot = result[account] = ({}, {}, {})
        days, products, vat = slot
        date = first + dt.timedelta(days=bisect.bisect_right(bounds, at) - 1)
        total = Decimal(0)
        for product, _code, quantity, price, rate in lines:
            amount = (quantity * price).quantize(CENT, ROUND_HALF_UP)
            total += amount
            key = (product, price)
            row = products.get(key)
            if row is None:
                products[key] = [quantity, amount]
            else:
                row[0] += quantity
                row[1] += amount
            vat[rate] = vat.get(rate, Decimal(0)) + amount
        days[date] = days.get(date, Decimal(0)) + total
    return result


def sqlite_plan_commit(path: Path, bounds: Sequence[dt.datetime], first: dt.date) -> int:
    """Read the period's uninvoiced purchases, group them, mark them invoiced, in sqlite3."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    lo = int((bounds[0] - epoch).total_seconds() * 1_000_000)
    hi = int((bounds[-1] - epoch).total_seconds() * 1_000_000)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        rows = conn.execute(
            "SELECT t.id, t.account, t.at_us, l.product, l.code, l.quantity, l.unit_price, "
            "l.vat_rate FROM onaccount_transactions t JOIN onaccount_lines l "
            "ON l.transaction_id = t.id WHERE t.at_us >= ? AND t.at_us < ? "
            "AND t.invoice_id IS NULL ORDER BY t.account, t.at_us, t.id, l.position",
            (lo, hi),
        )
        purchases: list[PurchaseTuple] = []
        ids: list[str] = []
        current = None
        head_account, head_at = "", epoch
        lines: list[tuple[str, str, Decimal, Decimal, Decimal]] = []
        for tx_id, account, at_us, product, code, quantity, price, rate in rows:
            if tx_id != current:
                if current is not None:
                    purchases.append((head_account, head_at, tuple(lines)))
                current, head_account = tx_id, account
                head_at = epoch + dt.timedelta(microseconds=at_us)
                lines = []
                ids.append(tx_id)
            lines.append((product, code, Decimal(quantity), Decimal(price), Decimal(rate)))
        if current is not None:
            purchases.append((head_account, head_at, tuple(lines)))
        grouped = group(purchases, bounds, first)
        run = uuid.uuid4().hex
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "UPDATE onaccount_transactions SET invoice_id = ? WHERE id = ?",
            ((run, i) for i in ids),
        )
        for account, (days, _products, _vat) in grouped.items():
            total = sum(days.values(), Decimal(0))
            conn.execute(
                "UPDATE onaccount_accounts SET balance_minor = balance_minor + ? WHERE number = ?",
                (int(total * 100), account),
            )
        conn.execute("COMMIT")
        return len(grouped)
    finally:
        conn.close()


#: The lines table's header as the library writes it by default (Dutch labels).
LINE_HEADER = (
    "Kassadag", "Verkoopdatum", "Verkooptijd", "Rekening", "Naam", "Transactie", "Product",
    "Code", "Aantal", "Stukprijs", "Bedrag", "Valuta", "Btw-categorie", "Btw %",
)  # fmt: skip

# A run's purchase lines, in the order the library writes them: by account, instant, receipt.
_RUN_LINES = (
    "SELECT t.account, a.name, a.currency, a.places, t.id, t.at_us, l.product, l.code, "
    "l.quantity, l.unit_price, l.vat_category, l.vat_rate "
    "FROM onaccount_account_invoices i "
    "JOIN onaccount_transactions t ON t.invoice_id = i.id "
    "JOIN onaccount_lines l ON l.transaction_id = t.id "
    "JOIN onaccount_accounts a ON a.number = t.account "
    "WHERE i.run_id = ? ORDER BY t.account, t.at_us, t.id, l.position"
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _us(instant: dt.datetime) -> int:
    return (instant - _EPOCH) // dt.timedelta(microseconds=1)


# One row of the lines table, typed: the dates, time and Decimals a spreadsheet gets.
LineTuple = tuple[
    dt.date, dt.date, dt.time, str, str, str, str, str | None,
    Decimal, Decimal, Decimal, str, str, Decimal,
]  # fmt: skip


def percent(rate: Decimal) -> Decimal:
    """A VAT rate in percent, plainly written: ``0.21`` is ``21``, ``0.095`` is ``9.5``."""
    value = (rate * 100).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def sqlite_line_rows(
    path: Path, run_id: str, bounds: Sequence[dt.datetime], first: dt.date, tz: str
) -> Iterator[LineTuple]:
    """A committed run's purchase lines read with sqlite3, typed as the lines table has them.

    The business date comes from the period's day bounds (so the day start and the DST
    change of 25 October count exactly), the sale's date and time from the zone, the
    amount is rounded per line half up to the account's minor unit, in Decimal.
    """
    zone = ZoneInfo(tz)
    conn = sqlite3.connect(path)
    try:
        for (account, name, currency, places, tx_id, at_us, product, code, quantity, price,
             category, rate) in conn.execute(_RUN_LINES, (run_id,)):  # fmt: skip
            at = _EPOCH + dt.timedelta(microseconds=at_us)
            local = at.astimezone(zone)
            day = first + dt.timedelta(days=bisect.bisect_right(bounds, at) - 1)
            q, p = Decimal(quantity), Decimal(price)
            amount = (q * p).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
            yield (
                day, local.date(), local.time().replace(tzinfo=None), account, name, tx_id,
                product, code, q, p, amount, currency, category, percent(Decimal(rate)),
            )  # fmt: skip
    finally:
        conn.close()


def csv_lines(rows: Iterable[LineTuple], stream: IO[str]) -> dict[str, Decimal]:
    """The rows through csv.writer, ISO dates, decimal points; the total per account.

    Decimals go to csv.writer as they are: ``str`` writes these plainly (``2.40``, ``-2``).
    """
    writer = csv.writer(stream)
    writer.writerow(LINE_HEADER)
    totals: dict[str, Decimal] = {}
    write = writer.writerow
    for day, sale_date, sale_time, account, *rest in rows:
        write((day.isoformat(), sale_date.isoformat(), sale_time.isoformat("seconds"),
               account, *rest))  # fmt: skip
        totals[account] = totals.get(account, Decimal(0)) + rest[6]
    return totals


def sqlite_csv_lines(
    path: Path, run_id: str, bounds: Sequence[dt.datetime], first: dt.date, tz: str
) -> tuple[bytes, dict[str, Decimal]]:
    """The hand-written CSV lines export of a run on SQLite: its bytes and account totals."""
    buffer = io.StringIO(newline="")
    totals = csv_lines(sqlite_line_rows(path, run_id, bounds, first, tz), buffer)
    return buffer.getvalue().encode("utf-8"), totals


# The number format of each lines column, as the library gives them in Dutch.
_LINE_FORMATS = (
    "dd-mm-yyyy_-", "dd-mm-yyyy_-", "hh:mm:ss_-", None, None, None, None, None,
    "#,##0.###_-", "#,##0.00##_-", '#,##0.00 "EUR"_-', None, None, '0.##"%"_-',
)  # fmt: skip


def xlsx_lines(rows: Iterable[LineTuple], stream: IO[bytes]) -> dict[str, Decimal]:
    """The typed rows appended to an openpyxl write-only sheet, each number and date cell
    with its column's number format; the total per account.

    One styled cell per column is reused row after row (the cheapest way openpyxl's
    write-only mode takes formatted cells); text is appended as plain values.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Regels")
    sheet.append(LINE_HEADER)
    styled: list[Any] = []
    for fmt in _LINE_FORMATS:
        if fmt is None:
            styled.append(None)
            continue
        cell = WriteOnlyCell(sheet)
        cell.number_format = fmt
        styled.append(cell)
    totals: dict[str, Decimal] = {}
    for row in rows:
        cells: list[Any] = []
        for cell, value in zip(styled, row, strict=True):
            if cell is None or value is None:
                cells.append(value)
            else:
                cell.value = value
                cells.append(cell)
        sheet.append(cells)
        totals[row[3]] = totals.get(row[3], Decimal(0)) + row[10]
    book.save(stream)
    return totals


def sqlite_xlsx_lines(
    path: Path, run_id: str, bounds: Sequence[dt.datetime], first: dt.date, tz: str
) -> tuple[bytes, dict[str, Decimal]]:
    """The hand-written XLSX lines export of a run on SQLite: its bytes and account totals."""
    buffer = io.BytesIO()
    totals = xlsx_lines(sqlite_line_rows(path, run_id, bounds, first, tz), buffer)
    return buffer.getvalue(), totals


# Unit prices and quantities are read in thousandths: the generated data has at most
# three decimals (0.125), which the pandas job checks rather than assumes.
_MILLI = 1000


def _millis(texts: Any) -> Any:
    """Decimal texts as exact integer thousandths; refuses a value with more places."""
    import numpy as np

    values = [Decimal(text) * _MILLI for text in texts]
    if any(value != value.to_integral() for value in values):
        raise ValueError("a quantity or price has more than three decimals")
    return np.array([int(value) for value in values], dtype=np.int64)


def pandas_job(
    path: Path, bounds: Sequence[dt.datetime], first: dt.date, tz: str, out: Path
) -> dict[str, int]:
    """The whole job the way it is written with pandas, computing what the library computes.

    Amounts are integer cents, each line's rounded half up from its exact product;
    business dates come from the period's day bounds (the day start and the DST change
    included). The files hold the library's lines table: the same 14 columns under the
    same labels, the sale's local date and time beside the business date. Returns the
    amount invoiced per account, in cents.
    """
    import numpy as np
    import pandas as pd

    lo, hi = _us(bounds[0]), _us(bounds[-1])
    conn = sqlite3.connect(path)
    try:
        frame = pd.read_sql_query(
            "SELECT t.id, t.account, a.name, a.currency, t.at_us, l.product, l.code, "
            "l.quantity, l.unit_price, l.vat_category, l.vat_rate FROM onaccount_transactions t "
            "JOIN onaccount_lines l ON l.transaction_id = t.id "
            "JOIN onaccount_accounts a ON a.number = t.account "
            "WHERE t.at_us >= ? AND t.at_us < ? AND t.invoice_id IS NULL",
            conn,
            params=(lo, hi),
        )
        exact = _millis(frame["quantity"]) * _millis(frame["unit_price"])  # millionths
        # Half up (away from zero) to cents: 10,000 millionths of a euro are a cent.
        cents = np.sign(exact) * ((np.abs(exact) + 5_000) // 10_000)
        frame["amount_cents"] = cents
        frame["amount"] = cents / 100  # for the files only; every sum is in cents
        day = np.searchsorted(np.array([_us(b) for b in bounds]), frame["at_us"], "right") - 1
        frame["business_date"] = pd.Timestamp(first) + pd.to_timedelta(day, "D")
        frame.groupby(["account", "business_date"])["amount_cents"].sum()
        frame.groupby(["account", "product", "unit_price"])[["quantity", "amount_cents"]].sum()
        totals = frame.groupby("account")["amount_cents"].sum()
        local = pd.to_datetime(frame["at_us"], unit="us", utc=True).dt.tz_convert(tz)
        frame["sale_date"] = local.dt.date
        frame["sale_time"] = local.dt.time
        frame["vat_percent"] = _millis(frame["vat_rate"]) / 10
        columns = ["business_date", "sale_date", "sale_time", "account", "name", "id",
                   "product", "code", "quantity", "unit_price", "amount", "currency",
                   "vat_category", "vat_percent"]  # fmt: skip
        table = frame[columns].set_axis(list(LINE_HEADER), axis="columns")
        table.to_csv(out / "lines.csv", index=False)
        table.to_excel(out / "lines.xlsx", index=False, engine="openpyxl")
        run = uuid.uuid4().hex
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "UPDATE onaccount_transactions SET invoice_id = ? WHERE id = ?",
            ((run, i) for i in frame["id"].unique()),
        )
        result = {str(a): int(v) for a, v in totals.items()}
        conn.executemany(
            "UPDATE onaccount_accounts SET balance_minor = balance_minor + ? WHERE number = ?",
            ((v, a) for a, v in result.items()),
        )
        conn.execute("COMMIT")
        return result
    finally:
        conn.close()

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
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

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


LINE_HEADER = (
    "date", "time", "account", "account_name", "transaction", "product", "code",
    "quantity", "unit_price", "amount", "currency", "vat_category", "vat_percent",
)  # fmt: skip


def csv_rows(rows: Iterable[Sequence[object]]) -> bytes:
    """The same rows through csv.writer, ISO dates and decimal points, UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(LINE_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_rows(rows: Iterable[Sequence[object]]) -> bytes:
    """The same typed rows appended to an openpyxl write-only sheet."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Lines")
    sheet.append(LINE_HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def pandas_job(path: Path, bounds: Sequence[dt.datetime], out: Path) -> int:
    """The whole job the way it is usually written with pandas."""
    import pandas as pd

    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    lo = int((bounds[0] - epoch).total_seconds() * 1_000_000)
    hi = int((bounds[-1] - epoch).total_seconds() * 1_000_000)
    conn = sqlite3.connect(path)
    try:
        frame = pd.read_sql_query(
            "SELECT t.id, t.account, a.name, t.at_us, l.product, l.code, l.quantity, "
            "l.unit_price, l.vat_category, l.vat_rate FROM onaccount_transactions t "
            "JOIN onaccount_lines l ON l.transaction_id = t.id "
            "JOIN onaccount_accounts a ON a.number = t.account "
            "WHERE t.at_us >= ? AND t.at_us < ? AND t.invoice_id IS NULL",
            conn,
            params=(lo, hi),
        )
        frame["quantity"] = frame["quantity"].astype(float)
        frame["unit_price"] = frame["unit_price"].astype(float)
        frame["amount"] = (frame["quantity"] * frame["unit_price"]).round(2)
        at = pd.to_datetime(frame["at_us"], unit="us", utc=True).dt.tz_convert("Europe/Amsterdam")
        frame["business_date"] = (at - pd.Timedelta(hours=4)).dt.date
        frame.groupby(["account", "business_date"])["amount"].sum()
        frame.groupby(["account", "product", "unit_price"])[["quantity", "amount"]].sum()
        totals = frame.groupby(["account", "vat_rate"])["amount"].sum().groupby("account").sum()
        columns = ["business_date", "account", "name", "product", "code", "quantity",
                   "unit_price", "amount", "vat_category", "vat_rate"]  # fmt: skip
        frame[columns].to_csv(out / "lines.csv", index=False)
        frame[columns].to_excel(out / "lines.xlsx", index=False, engine="openpyxl")
        run = uuid.uuid4().hex
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "UPDATE onaccount_transactions SET invoice_id = ? WHERE id = ?",
            ((run, i) for i in frame["id"].unique()),
        )
        conn.executemany(
            "UPDATE onaccount_accounts SET balance_minor = balance_minor + ? WHERE number = ?",
            ((round(v * 100), a) for a, v in totals.items()),
        )
        conn.execute("COMMIT")
        return len(totals)
    finally:
        conn.close()

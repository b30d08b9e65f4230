"""The tables the CSV and XLSX exporters share: lines, days and a summary per account."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from onaccount.exporting import (
    Cell,
    ExportDocument,
    ExportProgress,
    Money,
    pad_amount,
    tracked,
    vat_label,
)

__all__ = [
    "DAY_HEADERS",
    "LINE_HEADERS",
    "day_rows",
    "line_rows",
    "summary_headers",
    "summary_rows",
]

#: One row per purchase line.
LINE_HEADERS = (
    "date",
    "time",
    "account",
    "account_name",
    "transaction",
    "product",
    "code",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "vat_category",
    "vat_percent",
)

#: One row per account per business day with purchases.
DAY_HEADERS = ("date", "account", "account_name", "purchases", "amount", "currency")


def line_rows(
    document: ExportDocument, progress: ExportProgress | None = None
) -> Iterator[tuple[Cell, ...]]:
    """The rows under `LINE_HEADERS`; ``progress`` hears of the accounts done."""
    for row in document.lines(progress):
        line = row.line
        yield (
            row.date,
            row.time,
            row.account.number,
            row.account.name,
            row.transaction,
            line.product,
            line.code,
            line.quantity,
            line.unit_price,
            # Line amounts are rounded to the currency's minor unit already.
            Money(row.amount, row.currency),
            row.currency,
            line.vat.category.value,
            line.vat.percent,
        )


def day_rows(
    document: ExportDocument, progress: ExportProgress | None = None
) -> Iterator[tuple[Cell, ...]]:
    """The rows under `DAY_HEADERS`; ``progress`` hears of the accounts done."""
    for row in document.days(progress):
        yield (
            row.date,
            row.account.number,
            row.account.name,
            row.purchases,
            Money(pad_amount(row.total, row.currency), row.currency),
            row.currency,
        )


def summary_headers(document: ExportDocument) -> tuple[str, ...]:
    """The summary's columns: fixed ones plus one VAT column per rate in the document."""
    rates = tuple(f"vat {vat_label(category, rate)}" for category, rate in document.vat_rates())
    return (
        "account",
        "account_name",
        "currency",
        "state",
        "total",
        "net",
        "vat",
        *rates,
        "balance_before",
        "balance_after",
        "limit_before",
        "limit_after",
        "strategy",
    )


def summary_rows(
    document: ExportDocument, progress: ExportProgress | None = None
) -> Iterator[tuple[Cell, ...]]:
    """One row per account under `summary_headers`; ``progress`` hears of each."""
    rates = document.vat_rates()
    for entry in tracked(document.accounts, progress):
        currency = entry.currency
        per_rate = entry.vat_by_rate()
        yield (
            entry.account.number,
            entry.account.name,
            currency,
            entry.state,
            _cash(entry.total, currency),
            _cash(entry.net, currency),
            _cash(entry.tax, currency),
            *(_cash(per_rate.get(key), currency) for key in rates),
            _cash(entry.balance_before, currency),
            _cash(entry.balance_after, currency),
            _cash(entry.limit_before, currency),
            _cash(entry.limit_after, currency),
            document.strategy,
        )


def _cash(value: Decimal | None, currency: str) -> Cell:
    return None if value is None else Money(pad_amount(value, currency), currency)

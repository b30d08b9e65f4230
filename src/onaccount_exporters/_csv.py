"""The ``csv`` exporter: lines, days or a summary, in Dutch Excel or RFC 4180 spelling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP
from typing import BinaryIO

import attrs

from onaccount import minor_unit
from onaccount.exporting import (
    CSV_DIALECTS,
    Cell,
    CsvWriter,
    Exportable,
    ExportDocument,
    Exporter,
    ExportOptions,
    export_document,
    option,
)

from ._tables import DAY_HEADERS, LINE_HEADERS, day_rows, line_rows, summary_headers, summary_rows

__all__ = ["CsvExporter", "CsvOptions"]


@attrs.frozen(kw_only=True)
class CsvOptions(ExportOptions):
    """How the CSV exporter writes."""

    dialect: str = option(
        "excel-nl",
        choices=tuple(CSV_DIALECTS),
        help=(
            "excel-nl: ';' between fields, decimal comma, UTF-8 with BOM, dd-mm-yyyy dates, "
            "for Excel in Dutch; rfc4180: ',' and decimal point, UTF-8 without BOM, ISO "
            "dates, for programs."
        ),
    )
    layout: str = option(
        "lines",
        choices=("lines", "days", "summary"),
        help=(
            "lines: one row per purchase line; days: one row per account per day; summary: "
            "one row per account with totals, VAT per rate, balance and limit."
        ),
    )
    header: bool = option(True, help="Write a header row with the column names first.")


class CsvExporter(Exporter[CsvOptions]):
    """Comma- or semicolon-separated values, one table per file."""

    identifier = "csv"
    title = "CSV"
    description = (
        "A table of purchase lines, days or per-account totals that spreadsheets and "
        "accounting imports read; text that could run as a formula is neutralised."
    )
    media_type = "text/csv"
    extension = "csv"
    Options = CsvOptions

    def write(self, source: Exportable, stream: BinaryIO, options: CsvOptions) -> None:
        """Write ``source`` as one CSV table."""
        document = export_document(source)
        headers: Sequence[str]
        rows: Iterable[Sequence[Cell]]
        if options.layout == "lines":
            headers, rows = LINE_HEADERS, line_rows(document)
        elif options.layout == "days":
            headers, rows = DAY_HEADERS, day_rows(document)
        else:
            headers, rows = summary_headers(document), summary_rows(document)
        with CsvWriter(stream, CSV_DIALECTS[options.dialect]) as writer:
            if options.header:
                writer.writerow(headers)
            if options.layout == "lines":
                _write_lines(document, writer)
            else:
                writer.writerows(rows)


def _write_lines(document: ExportDocument, writer: CsvWriter) -> None:
    """The lines layout, formatting what repeats once: the same cells as `line_rows`.

    A run can hold millions of lines; the account's and the purchase's cells are made
    once and only each line's own cells are formatted per line.
    """
    text, number, date = writer.text, writer.dialect.number, writer.dialect.date
    for entry in document.accounts:
        account = entry.account
        currency = text(account.currency)
        number_cell, name_cell = text(account.number), text(account.name)
        quantum = minor_unit(account.currency)
        last_date: dt.date | None = None
        date_cell = ""
        for day, time, purchase in document.purchases_of(entry):
            if day != last_date:
                last_date, date_cell = day, date(day)
            time_cell = time.isoformat(timespec="seconds")
            id_cell = text(purchase.id)
            for line in purchase.lines:
                vat = line.vat
                amount = (line.quantity * line.unit_price).quantize(quantum, ROUND_HALF_UP)
                writer.write_texts(
                    (
                        date_cell,
                        time_cell,
                        number_cell,
                        name_cell,
                        id_cell,
                        text(line.product),
                        "" if line.code is None else text(line.code),
                        number(line.quantity),
                        number(line.unit_price),
                        number(amount),
                        currency,
                        text(vat.category.value),
                        number(vat.percent),
                    )
                )

"""The ``csv`` exporter: lines, days or a summary, in Dutch Excel or RFC 4180 spelling."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

import attrs

from onaccount import Vat, minor_unit
from onaccount.exporting import (
    CSV_DIALECTS,
    Cell,
    CsvWriter,
    Exportable,
    ExportDocument,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportReport,
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

    def file_label(self, options: CsvOptions) -> str:
        """The layout, so a lines and a days export of one run get two files."""
        return options.layout

    def write(
        self,
        source: Exportable,
        stream: BinaryIO,
        options: CsvOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write ``source`` as one CSV table; the report counts its rows, header aside."""
        document = export_document(source)
        headers: Sequence[str]
        rows: Iterable[Sequence[Cell]]
        if options.layout == "lines":
            headers, rows = LINE_HEADERS, line_rows(document, progress)
        elif options.layout == "days":
            headers, rows = DAY_HEADERS, day_rows(document, progress)
        else:
            headers, rows = summary_headers(document), summary_rows(document, progress)
        with CsvWriter(stream, CSV_DIALECTS[options.dialect]) as writer:
            if options.header:
                writer.writerow(headers)
            if options.layout == "lines":
                _write_lines(document, writer, progress)
            else:
                writer.writerows(rows)
        return ExportReport(
            exporter=self.identifier,
            unit="rows",
            written=writer.rows - int(options.header),
            accounts=len(document.accounts),
        )


def _write_lines(
    document: ExportDocument, writer: CsvWriter, progress: ExportProgress | None = None
) -> None:
    """The lines layout, formatting what repeats once: the same cells as `line_rows`.

    A run can hold millions of lines. The account's and the purchase's fields are made
    once, and a product's fields once per product, unit price and VAT; per line only
    the quantity and the amount are formatted.
    """
    if writer.numbers_need_quotes:
        writer.writerows(line_rows(document, progress))
        return
    writer.write_many_fields(_line_fields(document, writer, progress))


def _line_fields(
    document: ExportDocument, writer: CsvWriter, progress: ExportProgress | None
) -> Iterator[tuple[str, ...]]:
    # Rows come out as three runs of fields, already joined with the delimiter: what the
    # purchase gives, what the product gives around the quantity, and the rest.
    field = writer.field
    sep = writer.dialect.delimiter
    mark = writer.dialect.decimal
    dates: dict[dt.date, str] = {}
    # (product, code, unit price, VAT) -> the product's runs of fields. Keyed by the price
    # and VAT objects, which are kept with them so their ids stay theirs: 2.4 and 2.40
    # are equal but are written as given, and a Vat's hash is a Python call.
    products: dict[tuple[str, str | None, int, int], tuple[str, str, str, Decimal, Vat]] = {}
    for entry, purchases in document.purchases_by_account(progress):
        account = entry.account
        account_fields = f"{sep}{field(account.number)}{sep}{field(account.name)}{sep}"
        currency = f"{sep}{field(account.currency)}{sep}"
        quantum = minor_unit(account.currency)
        for day, time, purchase in purchases:
            date_field = dates.get(day)
            if date_field is None:
                date_field = dates[day] = field(day)
            # Whole seconds, as `field` writes times; isoformat() without arguments is
            # twice as fast, so the microseconds are only dropped when there are any.
            clock = time.isoformat() if not time.microsecond else field(time)
            head = (
                f"{date_field}{sep}{clock}{account_fields}{field(purchase.id, repeats=False)}{sep}"
            )
            for line in purchase.lines:
                price, vat = line.unit_price, line.vat
                key = (line.product, line.code, id(price), id(vat))
                cells = products.get(key)
                if cells is None:
                    if len(products) > 20_000:
                        products.clear()
                    cells = products[key] = (
                        f"{field(line.product)}{sep}{field(line.code)}{sep}",
                        f"{sep}{field(price)}{sep}",
                        f"{field(vat.category.value)}{sep}{field(vat.percent)}",
                        price,
                        vat,
                    )
                quantity = line.quantity
                amount = (quantity * price).quantize(quantum, ROUND_HALF_UP)
                # As `field` writes numbers, zero without a sign and never with an
                # exponent; str() is three times as fast as format() and, for an amount
                # rounded to its minor unit, never writes an exponent.
                amount_field = str(amount) if amount else str(amount.copy_abs())
                quantity_field = str(quantity)
                if not quantity or "E" in quantity_field:
                    quantity_field = field(quantity)
                if mark != ".":
                    quantity_field = quantity_field.replace(".", mark)
                    amount_field = amount_field.replace(".", mark)
                yield (
                    f"{head}{cells[0]}{quantity_field}{cells[1]}{amount_field}{currency}{cells[2]}",
                )

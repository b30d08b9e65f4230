"""The ``xlsx`` exporter: a workbook of a summary, lines and days, or per account."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from onaccount.exporting import (
    ExportDocument,
    ExportProgress,
    Table,
    XlsxTableExporter,
    XlsxTableOptions,
    option,
)

from ._labels import given_options
from ._tables import day_table, line_table, statement_tables, summary_table

__all__ = ["XlsxExporter", "XlsxOptions"]


@attrs.frozen(kw_only=True)
class XlsxOptions(XlsxTableOptions):
    """Which sheets the XLSX exporter writes, besides language and totals."""

    layout: str = option(
        "tables",
        choices=("tables", "statement"),
        help=(
            "tables: a summary sheet, then lines and days; statement: per account its "
            "balance for the period over the days with purchases, and its products."
        ),
    )
    lines: bool = option(True, help="With layout tables: add a sheet of purchase lines.")
    days: bool = option(True, help="With layout tables: add a sheet of days per account.")


class XlsxExporter(XlsxTableExporter[XlsxOptions]):
    """An Excel workbook: typed cells with formats, labels, totals, print set-up.

    ``max_rows`` caps the rows per worksheet; a sheet that needs more continues on
    ``Regels (2)`` and so on. It defaults to Excel's limit.
    """

    identifier = "xlsx"
    title = "Excel workbook"
    description = (
        "A summary sheet per account plus sheets of purchase lines and days, or per "
        "account its balance, days and products, ready to print and attach."
    )
    Options = XlsxOptions

    def file_label(self, options: XlsxOptions) -> str:
        """The layout, language and sheets where not the defaults: ``statement``, ``en``.

        The run's usual workbook is the run's name with ``.xlsx``; a statement workbook
        or an English one is a file of its own beside it.
        """
        # The sheets asked for are the tables layout's; a statement workbook has its own.
        sheets = ("lines", "days") if options.layout == "tables" else ()
        return "-".join(given_options(options, ("layout", "language", *sheets)))

    def tables(
        self, document: ExportDocument, options: XlsxOptions, progress: ExportProgress | None
    ) -> Iterator[Table]:
        """The sheets the options ask for; progress follows the longest."""
        if options.layout == "statement":
            yield from statement_tables(document, options.language, progress)
            return
        yield summary_table(document, None if options.lines else progress)
        if options.lines:
            yield line_table(document, progress)
        if options.days:
            yield day_table(document)

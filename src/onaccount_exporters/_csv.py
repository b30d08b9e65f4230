"""The ``csv`` exporter: lines, days or a summary, in Dutch Excel or RFC 4180 spelling."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from onaccount.exporting import (
    CsvTableExporter,
    CsvTableOptions,
    ExportDocument,
    ExportProgress,
    Table,
    option,
)

from ._labels import given_options
from ._tables import day_table, line_table, summary_table

__all__ = ["CsvExporter", "CsvOptions"]


@attrs.frozen(kw_only=True)
class CsvOptions(CsvTableOptions):
    """How the CSV exporter writes: the table, besides language, dialect and header."""

    layout: str = option(
        "lines",
        choices=("lines", "days", "summary"),
        help=(
            "lines: one row per purchase line; days: one row per account per day; summary: "
            "one row per account with totals, net and VAT per rate, balance and limit."
        ),
    )


class CsvExporter(CsvTableExporter[CsvOptions]):
    """Comma- or semicolon-separated values, one table per file."""

    identifier = "csv"
    title = "CSV"
    description = (
        "A table of purchase lines, days or per-account totals that spreadsheets and "
        "accounting imports read; text that could run as a formula is neutralised."
    )
    Options = CsvOptions

    def file_label(self, options: CsvOptions) -> str:
        """The layout, then the dialect, language and header where not the defaults.

        A lines and a days export of one run get two files, and so do a Dutch export
        for Excel and an rfc4180 one for a program: ``lines``, ``lines-rfc4180``.
        """
        given = given_options(options, ("dialect", "language", "header"))
        return "-".join([options.layout, *given])

    def tables(
        self, document: ExportDocument, options: CsvOptions, progress: ExportProgress | None
    ) -> Iterator[Table]:
        """The one table the layout names."""
        if options.layout == "lines":
            yield line_table(document, progress)
        elif options.layout == "days":
            yield day_table(document, progress)
        else:
            yield summary_table(document, progress)

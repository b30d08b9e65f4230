"""The ``xlsx`` exporter: an Excel workbook with a summary, lines and days sheet."""

from __future__ import annotations

from typing import BinaryIO

import attrs

from onaccount.exporting import (
    EXCEL_MAX_ROWS,
    Exportable,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportReport,
    XlsxWorkbook,
    export_document,
    option,
)

from ._tables import DAY_HEADERS, LINE_HEADERS, day_rows, line_rows, summary_headers, summary_rows

__all__ = ["XlsxExporter", "XlsxOptions"]


@attrs.frozen(kw_only=True)
class XlsxOptions(ExportOptions):
    """Which sheets the XLSX exporter writes besides the summary."""

    lines: bool = option(True, help="Add a sheet with one row per purchase line.")
    days: bool = option(True, help="Add a sheet with one row per account per day.")


class XlsxExporter(Exporter[XlsxOptions]):
    """An Excel workbook: typed cells, frozen headers, autofilters, no formulas.

    ``max_rows`` caps the rows per worksheet, header included; a sheet that needs more
    continues on ``Lines (2)`` and so on. It defaults to Excel's limit.
    """

    identifier = "xlsx"
    title = "Excel workbook"
    description = (
        "A summary sheet per account plus sheets of purchase lines and days, with dates as "
        "dates and amounts as numbers in the account's currency."
    )
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"
    Options = XlsxOptions

    def __init__(self, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
        XlsxWorkbook(max_rows=max_rows)  # refuses a bad cap now rather than at export time
        self.max_rows = max_rows

    def write(
        self,
        source: Exportable,
        stream: BinaryIO,
        options: XlsxOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write ``source`` as a workbook; the report counts the rows of every sheet."""
        document = export_document(source)
        # The lines are the long part, so progress follows them when they are written.
        lines_progress = progress if options.lines else None
        summary_progress = None if options.lines else progress
        written = 0
        with XlsxWorkbook(
            max_rows=self.max_rows, timestamp=document.created_at, title=document.title
        ) as book:
            summary = book.sheet("Summary", summary_headers(document))
            for row in summary_rows(document, summary_progress):
                summary.append(row)
                written += 1
            if options.lines:
                lines = book.sheet("Lines", LINE_HEADERS)
                for row in line_rows(document, lines_progress):
                    lines.append(row)
                    written += 1
            if options.days:
                days = book.sheet("Days", DAY_HEADERS)
                for row in day_rows(document):
                    days.append(row)
                    written += 1
            book.save(stream)
        return ExportReport(
            exporter=self.identifier,
            unit="rows",
            written=written,
            accounts=len(document.accounts),
        )

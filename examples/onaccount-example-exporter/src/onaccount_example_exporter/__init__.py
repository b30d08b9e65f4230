"""An example onaccount exporter plugin: the totals per account, as JSON lines and a workbook.

``totals-jsonl`` writes one JSON object per line with the account, its currency, the
invoiced total split into net and VAT (and, optionally, VAT per rate) and, for plans and
runs, the balance and limit before and after the correction. Amounts are strings such as
``"12.60"`` so they stay exact decimals in every JSON reader.

``totals-xlsx`` writes the same totals as a workbook on onaccount's table base: it
describes the columns and yields the rows; labels, formats, totals and print set-up
come with the base.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import BinaryIO

import attrs

from onaccount.exporting import (
    Column,
    ExportDocument,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportReport,
    Money,
    Registrar,
    Table,
    XlsxTableExporter,
    XlsxTableOptions,
    XlsxWorkbook,
    hookimpl,
    option,
    pad_amount,
    remove_xml_forbidden,
    tracked,
    vat_label,
)

__all__ = [
    "TotalsJsonLines",
    "TotalsOptions",
    "TotalsWorkbook",
    "TotalsWorkbookOptions",
    "onaccount_register_exporters",
]


@attrs.frozen(kw_only=True)
class TotalsOptions(ExportOptions):
    """Options of the totals-jsonl exporter."""

    vat_breakdown: bool = option(True, help="Add the VAT amount per category and rate.")
    keys: str = option(
        "snake",
        choices=("snake", "camel"),
        help="Spell keys like balance_before (snake) or balanceBefore (camel).",
    )


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


class TotalsJsonLines(Exporter[TotalsOptions]):
    """One JSON object per account, one per line, in account number order."""

    identifier = "totals-jsonl"
    title = "Totals (JSON lines)"
    description = (
        "One JSON object per account with its total, net, VAT and the balance correction, "
        "for scripts and data pipelines."
    )
    media_type = "application/jsonl"
    extension = "jsonl"
    Options = TotalsOptions

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: TotalsOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write one line per account and report how many."""
        for entry in tracked(document.billed, progress):
            currency = entry.currency

            def amount(value: Decimal | None, currency: str = currency) -> str | None:
                return None if value is None else str(pad_amount(value, currency))

            record: dict[str, object] = {
                "kind": document.kind.value,
                "period": document.period.label,
                "account": entry.account.number,
                # JSON could carry control characters escaped, but line-based tools
                # downstream often choke on them.
                "name": remove_xml_forbidden(entry.account.name),
                "currency": currency,
                "state": entry.state,
                "total": amount(entry.total),
                "net": amount(entry.net),
                "vat": amount(entry.tax),
            }
            if options.vat_breakdown:
                rates = sorted(entry.vat_by_rate().items(), key=lambda i: (i[0][0].value, i[0][1]))
                record["vat_by_rate"] = {
                    vat_label(category, rate): amount(tax) for (category, rate), tax in rates
                }
            record["balance_before"] = amount(entry.balance_before)
            record["balance_after"] = amount(entry.balance_after)
            record["limit_before"] = amount(entry.limit_before)
            record["limit_after"] = amount(entry.limit_after)
            if options.keys == "camel":
                record = {_camel(key): value for key, value in record.items()}
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            stream.write(line.encode("utf-8") + b"\n")
        count = len(document.billed)
        return ExportReport(exporter=self.identifier, unit="lines", written=count, accounts=count)


@attrs.frozen(kw_only=True)
class TotalsWorkbookOptions(XlsxTableOptions):
    """Options of the totals-xlsx exporter: language and totals, from the table base."""

    title: str = option("Totals", help="The title printed at the top of every page.")


_TOTALS_COLUMNS = (
    Column(name="account", labels={"nl": "Rekening", "en": "Account"}),
    Column(name="name", labels={"nl": "Naam", "en": "Name"}, width=30),
    Column(name="total", labels={"nl": "Totaal", "en": "Total"}, kind="money", total=True),
    Column(name="net", labels={"nl": "Netto", "en": "Net"}, kind="money", total=True),
    Column(name="vat", labels={"nl": "Btw", "en": "VAT"}, kind="money", total=True),
)


class TotalsWorkbook(XlsxTableExporter[TotalsWorkbookOptions]):
    """The totals per account as one sheet, written by onaccount's table base."""

    identifier = "totals-xlsx"
    title = "Totals (Excel)"
    description = "One row per account with its total, net and VAT, ready to print."
    Options = TotalsWorkbookOptions

    def tables(
        self,
        document: ExportDocument,
        options: TotalsWorkbookOptions,
        progress: ExportProgress | None,
    ) -> list[Table]:
        """One table: a row per account."""
        rows = [
            (
                entry.account.number,
                entry.account.name,
                Money(pad_amount(entry.total, entry.currency), entry.currency),
                Money(pad_amount(entry.net, entry.currency), entry.currency),
                Money(pad_amount(entry.tax, entry.currency), entry.currency),
            )
            for entry in tracked(document.billed, progress)
        ]
        return [
            Table(
                titles={"nl": "Totalen", "en": "Totals"},
                columns=_TOTALS_COLUMNS,
                rows=rows,
                page_header=f"{options.title} {document.period.label}",
            )
        ]

    def style_workbook(
        self, book: XlsxWorkbook, document: ExportDocument, options: TotalsWorkbookOptions
    ) -> None:
        """Name the workbook after the title: openpyxl's document properties."""
        book.workbook.properties.subject = options.title


@hookimpl
def onaccount_register_exporters(registry: Registrar) -> None:
    """Add the totals-jsonl and totals-xlsx exporters."""
    registry.add(TotalsJsonLines(), TotalsWorkbook())

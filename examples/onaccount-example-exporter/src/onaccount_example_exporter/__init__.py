"""An example onaccount exporter plugin: one JSON line of totals per account.

Each line is a JSON object with the account, its currency, the invoiced total split into
net and VAT (and, optionally, VAT per rate) and, for plans and runs, the balance and limit
before and after the correction. Amounts are strings such as ``"12.60"`` so they stay
exact decimals in every JSON reader.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import BinaryIO

import attrs

from onaccount.exporting import (
    Exportable,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportReport,
    Registrar,
    export_document,
    hookimpl,
    option,
    pad_amount,
    remove_xml_forbidden,
    tracked,
    vat_label,
)

__all__ = ["TotalsJsonLines", "TotalsOptions", "onaccount_register_exporters"]


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
        source: Exportable,
        stream: BinaryIO,
        options: TotalsOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write one line per account and report how many."""
        document = export_document(source)
        for entry in tracked(document.accounts, progress):
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
        count = len(document.accounts)
        return ExportReport(exporter=self.identifier, unit="lines", written=count, accounts=count)


@hookimpl
def onaccount_register_exporters(registry: Registrar) -> None:
    """Add the totals-jsonl exporter."""
    registry.add(TotalsJsonLines())

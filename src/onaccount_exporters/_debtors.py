"""The ``debtors`` exporter: the debtors (relations) of a run's journal entries, as CSV.

Accounting packages (Exact Online, Twinfield, Yuki, e-Boekhouden, Odoo) import the
debtors before the entries that name them. One row per account the ``journal``
exporter writes an entry for (so not for undone account invoices or zero totals), in
account order: number (the journal's ``debtor``), name, address, e-mail, VAT id,
registration and Peppol id (``scheme:value``), IBAN, BIC and currency, in the same CSV
dialects as the journal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import attrs

from onaccount import BillingDetails
from onaccount.exporting import (
    CSV_DIALECTS,
    Cell,
    CsvWriter,
    ExportDocument,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportReport,
    option,
    tracked,
)

from ._invoices import debtor_name, invoiced, nothing_to_invoice
from ._labels import given_options

__all__ = ["DEBTOR_HEADERS", "DebtorsExporter", "DebtorsOptions"]

#: The columns of a debtors export.
DEBTOR_HEADERS = (
    "number",
    "name",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
    "vat_id",
    "registration",
    "peppol_id",
    "iban",
    "bic",
    "currency",
)


@attrs.frozen(kw_only=True)
class DebtorsOptions(ExportOptions):
    """The CSV spelling of the ``debtors`` exporter: the journal's."""

    dialect: str = option(
        "excel-nl",
        choices=tuple(CSV_DIALECTS),
        help="excel-nl: ';', BOM; rfc4180: ','. Use the journal export's dialect.",
    )
    header: bool = option(True, help="Write a header row with the column names first.")


def _rows(document: ExportDocument, progress: ExportProgress | None) -> Iterator[tuple[Cell, ...]]:
    for entry in tracked(invoiced(document), progress):
        account = entry.account
        billing = account.billing or BillingDetails()
        address = billing.address
        place: tuple[str | None, ...] = (
            (None,) * 4
            if address is None
            else (address.street, address.postal_code, address.city, address.country)
        )
        yield (
            account.number,
            debtor_name(account),
            *place,
            billing.email,
            billing.vat_id,
            None if billing.registration is None else billing.registration.label,
            None if billing.peppol_id is None else billing.peppol_id.label,
            billing.iban,
            billing.bic,
            account.currency,
        )


class DebtorsExporter(Exporter[DebtorsOptions]):
    """The debtors of the journal's entries, for importing before them."""

    identifier = "debtors"
    title = "Debtors (CSV)"
    description = (
        "One row per debtor of the journal export: number, name, address, e-mail, VAT id, "
        "IBAN; accounting packages import these before the entries."
    )
    media_type = "text/csv"
    extension = "debtors.csv"
    Options = DebtorsOptions

    def file_label(self, options: DebtorsOptions) -> str:
        """The dialect and header where not the defaults: ``rfc4180``, ``no-header``.

        So a journal for Excel and one for a program are two files of the same run.
        """
        return "-".join(given_options(options, ("dialect", "header")))

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: DebtorsOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the debtors as one CSV table; the report counts them."""
        with CsvWriter(stream, CSV_DIALECTS[options.dialect]) as writer:
            if options.header:
                writer.writerow(DEBTOR_HEADERS)
            writer.writerows(_rows(document, progress))
        written = writer.rows - int(options.header)
        return ExportReport(
            exporter=self.identifier,
            unit="debtors",
            written=written,
            accounts=written,
            nothing_to_invoice=nothing_to_invoice(document),
        )

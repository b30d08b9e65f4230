"""The ``journal`` exporter: one balanced journal entry per account invoice, as CSV.

Each entry debits the debtors account with the invoice's gross total, credits revenue
with the net amount per GL account and VAT per rate, and so balances to the cent:

- VAT per category and rate follows DESIGN §3 (``tax = round(gross × rate / (1 +
  rate))``), as in the ``ubl`` exporter, and so do the entry's number and date;
- each VAT group's net amount is allocated over the product groups by their gross
  amounts, rounding cents spread by largest remainder (see `_figures.spread`), then
  summed per GL account (``gl_accounts`` maps product groups to accounts, the rest go
  to ``revenue_account``);
- negative amounts (returns, credit notes) move to the other column, so debit and credit
  are never negative.

Rows hold the entry number, date, journal code, invoice number, debtor code (the
account number) and name, GL account, a description, the VAT code, debit, credit and
currency. Undone account invoices and entries that come to nothing are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO, NoReturn

import attrs

from onaccount import minor_unit
from onaccount.exporting import (
    CSV_DIALECTS,
    Cell,
    CsvWriter,
    Exportable,
    ExportDocument,
    ExportedAccount,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportReport,
    InvalidOptions,
    export_document,
    option,
    pad_amount,
    tracked,
    vat_label,
)

from ._figures import VatGroup, figures, spread
from ._invoices import billable, invoice_date, invoice_number

__all__ = ["JOURNAL_HEADERS", "JournalExporter", "JournalOptions"]

#: The columns of a journal export.
JOURNAL_HEADERS = (
    "entry",
    "date",
    "journal",
    "invoice",
    "debtor",
    "debtor_name",
    "gl_account",
    "description",
    "vat_code",
    "debit",
    "credit",
    "currency",
)
_NO_GROUP = "(no group)"


@attrs.frozen(kw_only=True)
class JournalOptions(ExportOptions):
    """The journal, GL accounts and CSV spelling of the ``journal`` exporter."""

    dialect: str = option(
        "excel-nl",
        choices=tuple(CSV_DIALECTS),
        help="excel-nl: ';', decimal comma, BOM, dd-mm-yyyy; rfc4180: ',', decimal point, "
        "ISO dates.",
    )
    header: bool = option(True, help="Write a header row with the column names first.")
    journal: str = option("VK", help="The journal code of every entry, e.g. VK (sales).")
    debtors_account: str = option(
        "1300", help="The GL account debited with each invoice's gross total."
    )
    revenue_account: str = option(
        "8000", help="The revenue GL account of products whose group gl_accounts leaves out."
    )
    gl_accounts: str = option(
        "{}",
        help='Revenue GL accounts by product group, as a JSON object such as {"Drinks": '
        '"8010", "Food": "8020"}.',
    )
    vat_account: str = option("1500", help="The GL account credited with VAT, one line per rate.")
    first_entry: int = option(1, help="The first entry number; entries count on from it.")

    def __attrs_post_init__(self) -> None:
        for name in ("journal", "debtors_account", "revenue_account", "vat_account"):
            if not getattr(self, name).strip():
                self._refuse(name, "is empty; give a code")
        if self.first_entry < 0:
            self._refuse("first_entry", "is below zero; give 0 or more")
        self.revenue_accounts()

    def _refuse(self, name: str, problem: str) -> NoReturn:
        value = getattr(self, name)
        raise InvalidOptions(
            f"JournalOptions option {name!r} {value!r} {problem}",
            value=value,
            obj=self,
            field=name,
        )

    def revenue_accounts(self) -> dict[str, str]:
        """``gl_accounts`` read: product group to GL account."""
        try:
            mapping = json.loads(self.gl_accounts)
        except ValueError:
            mapping = None
        if not isinstance(mapping, dict) or not all(
            isinstance(v, str) and v.strip() for v in mapping.values()
        ):
            self._refuse(
                "gl_accounts",
                "is not a JSON object of product groups to GL account codes; write e.g. "
                '{"Drinks": "8010"}',
            )
        return {str(k): str(v) for k, v in mapping.items()}


@attrs.frozen
class _Posting:
    gl_account: str
    description: str
    vat_code: str | None
    amount: Decimal  # positive: debit; negative: credit


def _revenue(
    group: VatGroup, accounts: dict[str, str], default: str, currency: str
) -> list[_Posting]:
    """The group's net credited per GL account, allocated over product groups by gross."""
    gross: dict[str | None, Decimal] = {}
    for line in group.lines:
        name = line.product.group
        gross[name] = gross.get(name, Decimal(0)) + line.product.amount
    names = sorted(gross, key=lambda n: (n is None, n or ""))
    nets = spread(group.net, [group.exact_net(gross[n]) for n in names], minor_unit(currency))
    per_account: dict[str, tuple[list[str], Decimal]] = {}
    for name, net in zip(names, nets, strict=True):
        gl = default if name is None else accounts.get(name, default)
        listed, total = per_account.get(gl, ([], Decimal(0)))
        per_account[gl] = ([*listed, name or _NO_GROUP], total + net)
    code = vat_label(group.category, group.rate)
    return [
        _Posting(gl, f"{', '.join(listed)} {code}", code, -total)
        for gl, (listed, total) in sorted(per_account.items())
    ]


def postings(entry: ExportedAccount, options: JournalOptions) -> list[_Posting]:
    """The journal lines of one account invoice; their amounts add up to zero."""
    statement = entry.statement
    money = figures(statement)
    currency = statement.currency
    accounts = options.revenue_accounts()
    lines = [
        _Posting(
            options.debtors_account,
            f"{entry.account.name} {statement.period.label}",
            None,
            money.total,
        )
    ]
    for group in money.groups:
        lines.extend(_revenue(group, accounts, options.revenue_account, currency))
        code = vat_label(group.category, group.rate)
        lines.append(_Posting(options.vat_account, f"VAT {code}", code, -group.tax))
    return [line for line in lines if not line.amount.is_zero()]


def _rows(
    document: ExportDocument, options: JournalOptions, progress: ExportProgress | None
) -> Iterator[tuple[Cell, ...]]:
    number = options.first_entry
    date: dt.date = invoice_date(document)
    for entry in tracked(billable(document), progress):
        lines = postings(entry, options)
        if not lines:
            continue
        invoice = invoice_number(document, entry)
        currency = entry.currency
        for line in lines:
            amount = pad_amount(abs(line.amount), currency)
            yield (
                number,
                date,
                options.journal,
                invoice,
                entry.account.number,
                entry.account.name,
                line.gl_account,
                line.description,
                line.vat_code,
                amount if line.amount > 0 else None,
                amount if line.amount < 0 else None,
                currency,
            )
        number += 1


class JournalExporter(Exporter[JournalOptions]):
    """Journal entries for accounting imports: debtors, revenue per GL account, VAT."""

    identifier = "journal"
    title = "Journal entries (CSV)"
    description = (
        "One balanced journal entry per account invoice: the debtor debited with the total, "
        "revenue credited per GL account and VAT per rate, for accounting imports."
    )
    media_type = "text/csv"
    extension = "journal.csv"
    Options = JournalOptions

    def write(
        self,
        source: Exportable,
        stream: BinaryIO,
        options: JournalOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the entries as one CSV table; the report counts its rows, header aside."""
        document = export_document(source)
        with CsvWriter(stream, CSV_DIALECTS[options.dialect]) as writer:
            if options.header:
                writer.writerow(JOURNAL_HEADERS)
            writer.writerows(_rows(document, options, progress))
        return ExportReport(
            exporter=self.identifier,
            unit="rows",
            written=writer.rows - int(options.header),
            accounts=len(billable(document)),
        )

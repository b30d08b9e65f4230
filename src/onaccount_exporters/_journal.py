"""The ``journal`` exporter: one balanced journal entry per account invoice, as CSV.

Each entry debits the debtors account with the invoice's gross total, credits revenue
with the net amount per GL account and VAT per rate, and so balances to the cent:

- VAT per category and rate follows DESIGN §3 (``tax = round(gross × rate / (1 +
  rate))``), as in the ``ubl`` exporter, and so does the entry's number; it is dated on
  the invoice date too, unless ``entry_date`` asks for the period's last day;
- each VAT group's net amount is allocated over the product groups by their gross
  amounts, rounding cents spread by largest remainder (see `_figures.spread`), then
  summed per GL account (``gl_accounts`` maps product groups to accounts, the rest go
  to ``revenue_account``);
- negative amounts move to the other column, so debit and credit are never negative:
  a negative total (a credit note) credits the debtors account.

Rows hold the entry number, date, journal code, invoice number, debtor code (the
account number) and name (as the ``debtors`` exporter names it: the billing name, else
the account's), GL account, a description, the VAT code, debit, credit and currency.
Undone account invoices and zero totals get no entry (see `_invoices`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import BinaryIO, NoReturn

import attrs

from onaccount import InvoiceRun, Ledger, VatCategory, minor_unit
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

from ._archive import settle
from ._errors import ExportRefusal
from ._figures import VatGroup, figures, spread
from ._invoices import debtor_name, invoice_date, invoice_number, invoiced, nothing_to_invoice
from ._labels import given_options

__all__ = [
    "JOURNAL_HEADERS",
    "JournalExporter",
    "JournalOptions",
    "LedgerAccounts",
    "default_accounts_notes",
    "next_journal_entry",
    "numbered",
    "postings",
    "vat_code_refusals",
]

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
#: The words of the entries' descriptions, per language: an accountant reads them.
LEDGER_WORDS: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "vat": "Btw",
        "no_group": "(geen groep)",
        "debtors": "Debiteuren",
        "revenue": "Omzet",
        "sales": "Verkopen op rekening",
    },
    "en": {
        "vat": "VAT",
        "no_group": "(no group)",
        "debtors": "Debtors",
        "revenue": "Revenue",
        "sales": "Sales on account",
    },
}


# Not slotted, so that an exporter's options can combine it with other option sets.
@attrs.frozen(kw_only=True, slots=False)
class LedgerAccounts(ExportOptions):
    """Where a run's entries post: the journal, GL accounts, VAT codes and entry numbers.

    The options of the ``journal`` and ``xaf`` exporters, declared once.
    """

    journal: str = option("VK", help="The journal code of every entry, e.g. VK (sales).")
    language: str = option(
        "nl",
        choices=tuple(LEDGER_WORDS),
        help="nl: descriptions in Dutch ('Btw S 21%', 'Debiteuren'); en: in English.",
    )
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
    vat_account: str = option(
        "1500",
        help="The GL account credited with VAT, one line per rate, for the rates "
        "vat_accounts leaves out.",
    )
    vat_accounts: str = option(
        "{}",
        help='VAT GL accounts by VAT category and rate, as a JSON object such as {"S 21%": '
        '"1510", "S 9%": "1520"}.',
    )
    vat_codes: str = option(
        "{}",
        help="The accounting package's VAT codes by our VAT category and rate, as a JSON "
        'object such as {"S 21%": "VH", "S 9%": "VL", "E 0%": "VV"}; empty: our labels. '
        "When given, every rate a run uses needs a code, but for sales outside the scope "
        "of VAT (category O, such as deposits), which are written without one.",
    )
    entry_date: str = option(
        "invoice",
        choices=("invoice", "period-end"),
        help="invoice: each entry dated on the invoice date (the run's commit day), so "
        "October's run booked on 1 November falls in November; period-end: on the billed "
        "period's last day, so a monthly run's revenue and VAT fall in the month of its "
        "sales (a quarter's in its last month).",
    )
    first_entry: int = option(
        1,
        help="The entry number of the first account invoice; each account invoice is "
        "first_entry plus its place in the run, so an undone or zero one leaves its number "
        "unused. next_journal_entry(ledger, run) gives the number after earlier runs, "
        "which the command line takes unless this option is given.",
    )

    def __attrs_post_init__(self) -> None:
        for name in ("journal", "debtors_account", "revenue_account", "vat_account"):
            if not getattr(self, name).strip():
                self._refuse(name, "is empty; give a code")
        if self.first_entry < 0:
            self._refuse("first_entry", "is below zero; give 0 or more")
        self.revenue_accounts()
        self.vat_gl_accounts()
        self.vat_code_map()

    def _refuse(self, name: str, problem: str) -> NoReturn:
        value = getattr(self, name)
        raise InvalidOptions(
            f"{type(self).__name__} option {name!r} {value!r} {problem}",
            value=value,
            obj=self,
            field=name,
        )

    def entry_day(self, document: ExportDocument) -> dt.date:
        """The day ``document``'s entries are booked on, as ``entry_date`` says."""
        if self.entry_date == "period-end":
            return document.period.last
        return invoice_date(document)

    def revenue_accounts(self) -> dict[str, str]:
        """``gl_accounts`` read: product group to GL account."""
        return self._mapping("gl_accounts", "product groups to GL account codes", "Drinks", "8010")

    def vat_gl_accounts(self) -> dict[str, str]:
        """``vat_accounts`` read: VAT label (``S 21%``) to GL account."""
        return self._mapping("vat_accounts", "VAT rates to GL account codes", "S 21%", "1510")

    def vat_code_map(self) -> dict[str, str]:
        """``vat_codes`` read: VAT label (``S 21%``) to the package's VAT code."""
        return self._mapping("vat_codes", "VAT rates to VAT codes", "S 21%", "VH")

    def _mapping(self, name: str, what: str, key: str, value: str) -> dict[str, str]:
        try:
            mapping = json.loads(getattr(self, name))
        except ValueError:
            mapping = None
        if not isinstance(mapping, dict) or not all(
            isinstance(v, str) and v.strip() for v in mapping.values()
        ):
            example = json.dumps({key: value})
            self._refuse(name, f"is not a JSON object of {what}; write e.g. {example}")
        return {str(k): str(v) for k, v in mapping.items()}


@attrs.frozen(kw_only=True)
class JournalOptions(LedgerAccounts):
    """The GL accounts (see `LedgerAccounts`) and CSV spelling of the ``journal`` exporter."""

    dialect: str = option(
        "excel-nl",
        choices=tuple(CSV_DIALECTS),
        help="excel-nl: ';', decimal comma, BOM, dd-mm-yyyy; rfc4180: ',', decimal point, "
        "ISO dates.",
    )
    header: bool = option(True, help="Write a header row with the column names first.")


@attrs.frozen
class _Posting:
    gl_account: str
    description: str
    vat_code: str | None
    amount: Decimal  # positive: debit; negative: credit
    #: The VAT label (``S 21%``) of a line posting VAT, None for the others.
    vat: str | None = None
    #: Of a revenue line: the VAT label and the part of the group's VAT on it (signed
    #: like ``amount``).
    revenue_vat: tuple[str, Decimal] | None = None


def _revenue(
    group: VatGroup,
    accounts: dict[str, str],
    default: str,
    currency: str,
    code: str | None,
    no_group: str,
) -> list[_Posting]:
    """The group's net credited per GL account, allocated over product groups by gross.

    Each carries its part of the group's VAT, allocated by net the same way, so the
    parts add up to the VAT the entry posts.
    """
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
        per_account[gl] = ([*listed, name or no_group], total + net)
    label = vat_label(group.category, group.rate)
    booked = sorted(per_account.items())
    net = group.net
    shares = [total for _, (_, total) in booked]
    exact = [group.tax * share / net if net else group.tax / len(shares) for share in shares]
    taxes = spread(group.tax, exact, minor_unit(currency))
    return [
        _Posting(gl, f"{', '.join(listed)} {label}", code, -total, revenue_vat=(label, -tax))
        for (gl, (listed, total)), tax in zip(booked, taxes, strict=True)
    ]


def postings(entry: ExportedAccount, options: LedgerAccounts) -> list[_Posting]:
    """The journal lines of one account invoice; their amounts add up to zero."""
    statement = entry.statement
    money = figures(statement)
    currency = statement.currency
    accounts = options.revenue_accounts()
    vat_accounts = options.vat_gl_accounts()
    codes = options.vat_code_map()
    lines = [
        _Posting(
            options.debtors_account,
            f"{entry.account.name} {statement.period.label}",
            None,
            money.total,
        )
    ]
    words = LEDGER_WORDS[options.language]
    for group in money.groups:
        label = vat_label(group.category, group.rate)
        code = _vat_code(codes, label)
        lines.extend(
            _revenue(group, accounts, options.revenue_account, currency, code, words["no_group"])
        )
        gl = vat_accounts.get(label, options.vat_account)
        lines.append(_Posting(gl, f"{words['vat']} {label}", code, -group.tax, vat=label))
    return [line for line in lines if not line.amount.is_zero()]


def numbered(
    document: ExportDocument, options: LedgerAccounts
) -> Iterator[tuple[int, ExportedAccount]]:
    """The entries to write with their numbers: first_entry plus their place in the run.

    Each account invoice keeps its place's number, written or not, so none is reused.
    """
    written = {id(entry) for entry in invoiced(document)}
    for number, entry in enumerate(document.accounts, options.first_entry):
        if id(entry) in written:
            yield number, entry


def _rows(
    document: ExportDocument, options: JournalOptions, progress: ExportProgress | None
) -> Iterator[tuple[Cell, ...]]:
    date: dt.date = options.entry_day(document)
    for number, entry in tracked(list(numbered(document, options)), progress):
        lines = postings(entry, options)
        invoice = invoice_number(document, entry)
        currency = entry.currency
        debtor = debtor_name(entry.account)
        for line in lines:
            amount = pad_amount(abs(line.amount), currency)
            yield (
                number,
                date,
                options.journal,
                invoice,
                entry.account.number,
                debtor,
                line.gl_account,
                line.description,
                line.vat_code,
                amount if line.amount > 0 else None,
                amount if line.amount < 0 else None,
                currency,
            )


#: The options that say where entries post; all left at their defaults is worth a note.
_GL_OPTIONS = ("debtors_account", "revenue_account", "gl_accounts", "vat_account", "vat_accounts")


def default_accounts_notes(options: LedgerAccounts) -> tuple[str, ...]:
    """A note when every GL account is the default: a chart of accounts rarely is."""
    if given_options(options, _GL_OPTIONS):
        return ()
    return (
        f"every entry posts to the default GL accounts: debtors {options.debtors_account}, "
        f"revenue {options.revenue_account} and VAT {options.vat_account}; give your chart "
        "of accounts' with the options debtors_account, revenue_account (or gl_accounts "
        "per product group) and vat_account (or vat_accounts per rate)",
    )


def _vat_code(codes: Mapping[str, str], label: str) -> str | None:
    """The package's code of a rate: our ``label`` without ``vat_codes``, else its code.

    None where ``vat_codes`` has none, which only a rate `_lacks_code` allows.
    """
    return codes.get(label) if codes else label


def _lacks_code(codes: Mapping[str, str], category: VatCategory, label: str) -> bool:
    """Whether a rate needs a code ``vat_codes`` does not give.

    Sales outside the scope of VAT (a crate's deposit) need none: written without a
    code, the package adds no VAT to them.
    """
    return bool(codes) and label not in codes and category is not VatCategory.OUTSIDE_SCOPE


def vat_code_refusals(document: ExportDocument, options: LedgerAccounts) -> list[ExportRefusal]:
    """The account invoices using a VAT rate that a given ``vat_codes`` has no code for."""
    codes = options.vat_code_map()
    if not codes:
        return []
    refusals = []
    for entry in invoiced(document):
        for group in figures(entry.statement).groups:
            label = vat_label(group.category, group.rate)
            if _lacks_code(codes, group.category, label):
                refusals.append(
                    ExportRefusal(
                        account=entry.account.number,
                        field="vat_codes",
                        message=f"account {entry.account.label}: uses VAT {label}, for which "
                        f"option vat_codes has no code; add {json.dumps(label)} with the "
                        "accounting package's code to vat_codes",
                        invoice=invoice_number(document, entry),
                    )
                )
    return refusals


def next_journal_entry(ledger: Ledger, run: InvoiceRun) -> int:
    """The ``first_entry`` of ``run``'s journal: 1 plus the account invoices of earlier runs.

    Each account invoice of every run committed before ``run`` has its own number, so
    the journals of successive runs continue each other and never reuse a number, and
    exporting a run again (after an undo, say) gives the same numbers.
    """
    place = (run.created_at, run.id)
    return 1 + sum(
        len(earlier.invoices)
        for earlier in ledger.runs()
        if (earlier.created_at, earlier.id) < place
    )


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

    def file_label(self, options: JournalOptions) -> str:
        """The dialect, language, header and entry date where not the defaults.

        So a journal for Excel and one for a program are two files of the same run, and
        so are one booked on the invoice date and one on the period's end
        (``period-end``), which would hold the same entry numbers.
        """
        return "-".join(given_options(options, ("dialect", "language", "header", "entry_date")))

    def refusals(
        self,
        source: Exportable,
        options: JournalOptions | Mapping[str, object] | str | None = None,
    ) -> tuple[ExportRefusal, ...]:
        """What writing ``source`` with ``options`` would refuse: rates without a VAT code."""
        return settle(
            self.identifier,
            vat_code_refusals(export_document(source), self.options(options)),
            "list",
        )

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: JournalOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the entries as one CSV table; `ExportRefused` first if a rate has no code.

        The report counts the rows, header aside, and names the accounts with nothing to
        invoice.
        """
        settle(self.identifier, vat_code_refusals(document, options), "raise")
        with CsvWriter(stream, CSV_DIALECTS[options.dialect]) as writer:
            if options.header:
                writer.writerow(JOURNAL_HEADERS)
            writer.writerows(_rows(document, options, progress))
        return ExportReport(
            exporter=self.identifier,
            unit="rows",
            written=writer.rows - int(options.header),
            accounts=len(invoiced(document)),
            nothing_to_invoice=nothing_to_invoice(document),
            notes=default_accounts_notes(options),
        )

"""The ``xaf`` exporter: a run's sales journal as an XML Auditfile Financieel 3.2.

The auditfile Dutch accountants and the Belastingdienst read: the company (the seller,
from `SellerOptions`), its debtors, the GL accounts and VAT codes the entries use, one
period (the month of the entries' date, numbered in the fiscal year: the invoice date,
or with ``entry_date=period-end`` the billed period's last day) and one sales
journal whose transactions are the ``journal`` exporter's entries, with the same
numbers, accounts and amounts (`LedgerAccounts` holds the options both take). Each
transaction's amount is its total debit (which equals its total credit), so the
transactions add up to the file's totalDebit; each transaction line is debit or credit,
never negative; the debtor line names its debtor, each revenue line its VAT code, rate
and VAT.

The auditfile is written into a zip, as ``<run key>.xaf``, beside ``refused.txt`` when
something is refused (or, with ``on_refusal="raise"``, nothing is written): an auditfile
keeps one currency, so accounts in another currency than the first account's are left
out, and without the seller's name or VAT id there is no auditfile. Undone account
invoices and zero totals have no transaction. The header's ``dateCreated`` is the
invoice date, or the day of the run's last undo, not the day of exporting, so exporting
a run again gives the same file until an undo changes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from importlib.metadata import version
from typing import Any, BinaryIO, TypeAlias

import attrs
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import BillingDetails
from onaccount.exporting import (
    Exportable,
    ExportDocument,
    ExportedAccount,
    Exporter,
    ExportProgress,
    ExportReport,
    export_document,
    option,
    pad_amount,
    remove_xml_forbidden,
    vat_label,
)

from ._archive import (
    ON_REFUSAL_CHOICES,
    ON_REFUSAL_HELP,
    REFUSED_MEMBER,
    MemberNames,
    settle,
    write_zip,
)
from ._checks import text
from ._errors import ExportRefusal
from ._figures import figures
from ._invoices import (
    debtor_name,
    invoice_date,
    invoice_number,
    invoiced,
    nothing_to_invoice,
)
from ._journal import (
    LEDGER_WORDS,
    LedgerAccounts,
    default_accounts_notes,
    postings,
    vat_code_refusals,
)
from ._labels import given_options
from ._seller import SellerOptions, compact

__all__ = ["XafExporter", "XafOptions"]

_NAMESPACE = "http://www.auditfiles.nl/XAF/3.2"
# An lxml element; lxml has no type hints, so this is Any to mypy.
_Element: TypeAlias = Any
_ID_LENGTH = 35


@attrs.frozen(kw_only=True)
class XafOptions(LedgerAccounts, SellerOptions):
    """The company (see `SellerOptions`) and its GL accounts (see `LedgerAccounts`)."""

    fiscal_year_start: int = option(
        1,
        help="The month the fiscal year starts, 1 to 12: 1 for the calendar year, 7 for a "
        "season from July to June. The entries are booked in the month of the invoice "
        "date, numbered from it (October is period 10 of a calendar year, 4 from July).",
    )
    on_refusal: str = option("list", choices=ON_REFUSAL_CHOICES, help=ON_REFUSAL_HELP)

    def __attrs_post_init__(self) -> None:
        LedgerAccounts.__attrs_post_init__(self)
        self._check_seller()
        if not 1 <= self.fiscal_year_start <= 12:
            self._refuse("fiscal_year_start", "must be a month from 1 to 12; give e.g. 1 or 7")


def fiscal_period(day: dt.date, first_month: int) -> tuple[str, int, dt.date, dt.date]:
    """The fiscal year holding ``day``, its month's number in it, and that month's days.

    The year is ``2026``, or ``2026/2027`` for one that starts after January.
    """
    start_year = day.year if day.month >= first_month else day.year - 1
    year = str(start_year) if first_month == 1 else f"{start_year}/{start_year + 1}"
    number = (day.month - first_month) % 12 + 1
    days = calendar.monthrange(day.year, day.month)[1]
    return year, number, day.replace(day=1), day.replace(day=days)


def _side(amount: Decimal, zero: str = "C") -> str:
    """``D`` for a debit (above zero), ``C`` for a credit; ``zero`` for nothing."""
    return "D" if amount > 0 else "C" if amount < 0 else zero


def _add(parent: _Element, tag: str, value: object = None) -> _Element:
    element = etree.SubElement(parent, f"{{{_NAMESPACE}}}{tag}")
    if value is not None:
        element.text = remove_xml_forbidden(str(value))
    return element


def _leaf(parent: _Element, tag: str, value: str | None, limit: int | None = None) -> None:
    cleaned = text(value)
    if cleaned:
        _add(parent, tag, cleaned[:limit] if limit else cleaned)


def _address(
    parent: _Element, street: str | None, city: str | None, postal: str | None, country: str
) -> None:
    node = _add(parent, "streetAddress")
    _leaf(node, "streetname", street, 999)
    _leaf(node, "city", city, 50)
    _leaf(node, "postalCode", postal, 10)
    _add(node, "country", country)


def _refusals(document: ExportDocument, options: XafOptions) -> list[ExportRefusal]:
    refusals = vat_code_refusals(document, options)
    for name, why in (
        ("seller_name", "the auditfile names the company (companyName)"),
        ("seller_vat_id", "the auditfile names the company's VAT id (taxRegIdent)"),
    ):
        if text(getattr(options, name)) is None:
            refusals.append(
                ExportRefusal(
                    account=None, field=name, message=f"xaf option {name} is empty: {why}; set it"
                )
            )
    entries = invoiced(document)
    currency = entries[0].currency if entries else None
    for entry in entries:
        account = entry.account
        if entry.currency != currency:
            refusals.append(
                ExportRefusal(
                    account=account.number,
                    field="currency",
                    message=f"account {account.label}: its currency is {entry.currency}, and "
                    f"an auditfile keeps one ({currency}); export it in a run of its own",
                    invoice=invoice_number(document, entry),
                )
            )
        if len(account.number) > _ID_LENGTH:
            refusals.append(
                ExportRefusal(
                    account=account.number,
                    field="number",
                    message=f"account {account.label}: its number is longer than the "
                    f"{_ID_LENGTH} characters an auditfile allows a debtor id; export it in "
                    "another format",
                )
            )
    return refusals


class _Auditfile:
    """Builds one auditfile from a checked document."""

    def __init__(
        self, document: ExportDocument, options: XafOptions, refused: frozenset[str]
    ) -> None:
        self.document = document
        self.options = options
        self.entries = tuple(e for e in invoiced(document) if e.account.number not in refused)
        self.currency = self.entries[0].currency if self.entries else "EUR"
        self.date = options.entry_day(document)
        self.invoiced = invoice_date(document)
        self.accounts: dict[str, tuple[str, str]] = {}
        # Each code's description and the GL account its VAT is posted to, if any is.
        self.vat_codes: dict[str, tuple[str, str | None]] = {}
        self._vat_labels: dict[str, list[str]] = {}
        # The rates in the document's breakdown order: S 9% before S 21%.
        self._rate_order = {
            vat_label(category, rate): place
            for place, (category, rate) in enumerate(document.vat_rates())
        }

    def _date_created(self) -> dt.date:
        """The invoice date, or the day of the run's last undo, in the period's zone.

        Not the day of exporting, so the same run gives the same file; an undo changes
        what the file holds, and so its date.
        """
        zone = zoneinfo.ZoneInfo(self.document.period.tz)
        undone = (e.undone_at for e in self.document.accounts if e.undone_at is not None)
        return max([self.invoiced, *(at.astimezone(zone).date() for at in undone)])

    def build(self) -> bytes:
        options = self.options
        # The entries are dated on the invoice day (after the billed days) or the period's
        # last: booked in that day's month, the period of the fiscal year a package knows.
        year, number, first, last = fiscal_period(self.date, options.fiscal_year_start)
        start, end = first.isoformat(), last.isoformat()
        root = etree.Element(f"{{{_NAMESPACE}}}auditfile", nsmap={None: _NAMESPACE})
        header = _add(root, "header")
        _add(header, "fiscalYear", year)
        _add(header, "startDate", start)
        _add(header, "endDate", end)
        _add(header, "curCode", self.currency)
        _add(header, "dateCreated", self._date_created().isoformat())
        _add(header, "softwareDesc", "onaccount")
        _add(header, "softwareVersion", version("onaccount")[:20])
        company = _add(root, "company")
        _leaf(company, "companyIdent", options.seller_registration, _ID_LENGTH)
        _leaf(company, "companyName", options.seller_name, 999)
        _add(company, "taxRegistrationCountry", options.seller_country)
        _add(company, "taxRegIdent", compact(options.seller_vat_id)[:30])
        _address(
            company,
            options.seller_street,
            options.seller_city,
            options.seller_postal_code,
            options.seller_country,
        )
        self._debtors(_add(company, "customersSuppliers"))
        transactions = self._transactions(number)
        ledger = _add(company, "generalLedger")
        for account, (description, kind) in sorted(self.accounts.items()):
            node = _add(ledger, "ledgerAccount")
            _add(node, "accID", account)
            _add(node, "accDesc", description)
            _add(node, "accTp", kind)
        codes = _add(company, "vatCodes")
        for code, (description, to_pay) in sorted(self.vat_codes.items()):
            node = _add(codes, "vatCode")
            _add(node, "vatID", code)
            _add(node, "vatDesc", description)
            if to_pay is not None:
                _add(node, "vatToPayAccID", to_pay)
        periods = _add(company, "periods")
        node = _add(periods, "period")
        _add(node, "periodNumber", number)
        _add(node, "periodDesc", first.strftime("%Y-%m"))
        _add(node, "startDatePeriod", start)
        _add(node, "endDatePeriod", end)
        company.append(transactions)
        xml: bytes = etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )
        return xml

    def _debtors(self, parent: _Element) -> None:
        for entry in self.entries:
            account = entry.account
            billing = account.billing or BillingDetails()
            node = _add(parent, "customerSupplier")
            _add(node, "custSupID", account.number)
            _leaf(node, "custSupName", debtor_name(account), 50)
            _leaf(node, "eMail", billing.email)
            if billing.registration is not None:
                _add(node, "commerceNr", billing.registration.value)
            vat_id = compact(billing.vat_id)
            if vat_id:
                _add(node, "taxRegistrationCountry", vat_id[:2])
                _add(node, "taxRegIdent", vat_id[:30])
            _add(node, "custSupTp", "C")
            address = billing.address
            if address is not None:
                _address(node, address.street, address.city, address.postal_code, address.country)
            if billing.iban:
                bank = _add(node, "bankAccount")
                _add(bank, "bankAccNr", billing.iban)
                _leaf(bank, "bankIdCd", billing.bic)

    def _transactions(self, period_number: int) -> _Element:
        options = self.options
        node = etree.Element(f"{{{_NAMESPACE}}}transactions")
        count, debit, credit = 0, Decimal(0), Decimal(0)
        counts = _add(node, "linesCount")
        debits = _add(node, "totalDebit")
        credits = _add(node, "totalCredit")
        journal = _add(node, "journal")
        _add(journal, "jrnID", options.journal[:_ID_LENGTH])
        words = LEDGER_WORDS[options.language]
        _add(journal, "desc", words["sales"])
        _add(journal, "jrnTp", "S")
        self._account(options.debtors_account, words["debtors"], "B")
        numbers = {
            id(entry): n for n, entry in enumerate(self.document.accounts, options.first_entry)
        }
        for entry in self.entries:
            transaction = _add(journal, "transaction")
            lines = postings(entry, options)
            # The entry's amount is its debit, which its credit equals: the debtor's total
            # only when no line is negative (returns debit revenue and VAT).
            booked = sum((line.amount for line in lines if line.amount > 0), Decimal(0))
            _add(transaction, "nr", numbers[id(entry)])
            _add(transaction, "desc", f"{entry.account.name} {self.document.period.label}")
            _add(transaction, "periodNumber", period_number)
            _add(transaction, "trDt", self.date.isoformat())
            _add(transaction, "amnt", self._amount(booked))
            _add(transaction, "amntTp", "D")
            invoice = invoice_number(self.document, entry)[:999]
            rates = self._rates(entry)
            for index, line in enumerate(lines, 1):
                kind = _side(line.amount)
                row = _add(transaction, "trLine")
                _add(row, "nr", index)
                _add(row, "accID", line.gl_account)
                _add(row, "docRef", invoice)
                _add(row, "effDate", self.date.isoformat())
                _add(row, "desc", line.description)
                _add(row, "amnt", self._amount(line.amount))
                _add(row, "amntTp", kind)
                if line.gl_account == options.debtors_account and line.vat_code is None:
                    _add(row, "custSupID", entry.account.number)
                    _add(row, "invRef", invoice)
                elif line.vat is not None and line.vat_code is not None:
                    # The VAT itself: its amount is what the revenue lines' VAT adds up to.
                    label = line.vat
                    self._vat_account(line.gl_account, label, words["vat"])
                    # A code listed first by a revenue line has no account to pay yet.
                    if self.vat_codes.get(line.vat_code, (label, None))[1] is None:
                        self.vat_codes[line.vat_code] = (label, line.gl_account)
                else:
                    self._account(line.gl_account, words["revenue"], "P")
                    if line.revenue_vat is not None and line.vat_code is not None:
                        # The taxable amount, under its code: what a VAT return adds up.
                        label, tax = line.revenue_vat
                        # A rate without VAT posts none: its code names no account to pay.
                        self.vat_codes.setdefault(line.vat_code, (label, None))
                        vat = _add(row, "vat")
                        _add(vat, "vatID", line.vat_code)
                        _add(vat, "vatPerc", rates[label])
                        _add(vat, "vatAmnt", self._amount(tax))
                        _add(vat, "vatAmntTp", _side(tax, zero=kind))
                count += 1
                if line.amount > 0:
                    debit += line.amount
                else:
                    credit -= line.amount
        counts.text = str(count)
        debits.text = str(self._amount(debit))
        credits.text = str(self._amount(credit))
        return node

    def _account(self, account: str, description: str, kind: str) -> None:
        self.accounts.setdefault(account, (description, kind))

    def _vat_account(self, account: str, label: str, vat: str) -> None:
        """Describe a VAT GL account by every rate posted to it (one account may hold all)."""
        labels = self._vat_labels.setdefault(account, [])
        if label not in labels:
            labels.append(label)
        ordered = sorted(labels, key=lambda label: self._rate_order.get(label, len(labels)))
        self.accounts[account] = (f"{vat} {', '.join(ordered)}", "B")

    def _amount(self, value: Decimal) -> Decimal:
        return pad_amount(abs(value), self.currency)

    @staticmethod
    def _rates(entry: ExportedAccount) -> dict[str, str]:
        rates = {}
        for group in figures(entry.statement).groups:
            percent = (group.rate * 100).quantize(Decimal("0.001")).normalize()
            rates[vat_label(group.category, group.rate)] = format(percent, "f")
        return rates


class XafExporter(Exporter[XafOptions]):
    """An XML Auditfile Financieel 3.2 of a run's sales journal, debtors and VAT codes."""

    identifier = "xaf"
    title = "XML Auditfile Financieel 3.2"
    description = (
        "The run's sales journal, its debtors, GL accounts and VAT codes as an XAF 3.2 "
        "auditfile for the accountant; the entries are the journal exporter's."
    )
    media_type = "application/zip"
    extension = "xaf.zip"
    Options = XafOptions

    def file_label(self, options: XafOptions) -> str:
        """The language and entry date where not the defaults: ``en``, ``period-end``.

        So an auditfile booked on the period's end is not taken for the one booked on
        the invoice date.
        """
        return "-".join(given_options(options, ("language", "entry_date")))

    def refusals(
        self,
        source: Exportable,
        options: XafOptions | Mapping[str, object] | str | None = None,
    ) -> tuple[ExportRefusal, ...]:
        """What writing ``source`` with ``options`` would refuse, options first."""
        return settle(
            self.identifier, _refusals(export_document(source), self.options(options)), "list"
        )

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: XafOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the auditfile (if the company is named) and ``refused.txt`` in a zip.

        The report counts the transactions; ``progress`` hears of the file as one step.
        """
        refused = settle(self.identifier, _refusals(document, options), options.on_refusal)
        members = []
        written = 0
        if progress is not None:
            progress(0, 1, "auditfiles")
        if not any(r.account is None for r in refused):
            accounts = frozenset(r.account for r in refused if r.account is not None)
            auditfile = _Auditfile(document, options, accounts)
            if auditfile.entries:
                stem = document.run_key or document.run_id or f"draft {document.period.label}"
                members.append((MemberNames()(stem, "xaf"), auditfile.build()))
                written = len(auditfile.entries)
        write_zip(stream, members, refused)
        if progress is not None:
            progress(1, 1, "auditfiles")
        return ExportReport(
            exporter=self.identifier,
            unit="transactions",
            written=written,
            accounts=written,
            refusals=refused,
            refusals_listed_in=REFUSED_MEMBER if refused else None,
            nothing_to_invoice=nothing_to_invoice(document),
            notes=default_accounts_notes(options) if written else (),
        )

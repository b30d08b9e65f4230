"""The ``ubl`` exporter: Peppol BIS Billing 3.0 (EN 16931) invoices and credit notes.

One UBL 2.1 document per account invoice, in a zip: an ``Invoice`` when the total is
zero or more, a ``CreditNote`` (turning the signs, naming the invoice it corrects) when
returns make it negative. Statements and plans give draft documents (``DRAFT-…``
numbers and a note saying so).

- Seller details come from the options, buyer details from the account's billing
  details; the billing period is the ``InvoicePeriod``.
- One line per product and unit price. VAT per category and rate follows DESIGN §3, so
  the payable amount is the POS total to the cent; line net amounts add up exactly to
  each VAT subtotal's taxable amount (see `onaccount_exporters._figures`).
- Payment by SEPA direct debit (59) when the buyer has a mandate and an IBAN, by credit
  transfer (58) otherwise, or as ``payment_means`` says.
- Before anything is written, every account invoice is checked for what EN 16931 and
  Peppol require; one that lacks something is refused, naming the account and the
  field (see `ExportRefusal`). Undone account invoices get no document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import BinaryIO

import attrs

from onaccount import CURRENCIES, BillingDetails, VatCategory
from onaccount.exporting import (
    Exportable,
    ExportDocument,
    ExportedAccount,
    Exporter,
    ExportProgress,
    ExportReport,
    export_document,
    option,
    tracked,
)

from ._archive import (
    ON_REFUSAL_CHOICES,
    ON_REFUSAL_HELP,
    REFUSED_MEMBER,
    MemberNames,
    settle,
    write_zip,
)
from ._checks import (
    iban_problem,
    text,
    vat_id_prefix_ok,
)
from ._errors import ExportRefusal
from ._figures import figures
from ._invoices import (
    debtor_name,
    invoice_date,
    invoice_number,
    invoiced,
    is_credit,
    is_draft,
    nothing_to_invoice,
)
from ._seller import SellerOptions, compact, peppol_endpoint
from ._target2 import debit_day
from ._ubl_xml import Party, Payment, UblDocument, to_xml

__all__ = ["UblExporter", "UblOptions"]

_ACCOUNT_PLACEHOLDER = "{account}"
_DUTCH_LEGAL_SCHEMES = ("0106", "0190")
_NO_ENDPOINT = (
    "Peppol addresses a party by a participant id, never by e-mail (EM), so {what} needs "
    "one (BT-{bt})"
)


@attrs.frozen(kw_only=True)
class UblOptions(SellerOptions):
    """The seller's details (see `SellerOptions`) and how the ``ubl`` exporter writes."""

    payment_means: str = option(
        "auto",
        choices=("auto", "direct-debit", "credit-transfer"),
        help="auto: SEPA direct debit (59) for buyers with a mandate and an IBAN, credit "
        "transfer (58) for the others; direct-debit or credit-transfer: that for every "
        "invoice.",
    )
    payment_days: int = option(
        14,
        help="Days from the invoice date to the due date (BT-9); for a direct debit, the "
        "TARGET2 business day the sepa export collects on by default.",
    )
    credit_note_reference: str = option(
        "",
        help="The invoice a credit note corrects (BT-25), with {account} standing for the "
        "account number, e.g. '2026-09-{account}'; required when returns make a total "
        "negative.",
    )
    on_refusal: str = option("list", choices=ON_REFUSAL_CHOICES, help=ON_REFUSAL_HELP)

    def __attrs_post_init__(self) -> None:
        self._check_seller()
        if not 0 <= self.payment_days <= 366:
            self._refuse(
                "payment_days", f"is {self.payment_days}; give a number of days from 0 to 366"
            )
        rest = self.credit_note_reference.replace(_ACCOUNT_PLACEHOLDER, "")
        if "{" in rest or "}" in rest:
            self._refuse(
                "credit_note_reference",
                f"is {self.credit_note_reference!r}; the only placeholder is {{account}}",
            )


@attrs.frozen
class _Checked:
    documents: tuple[UblDocument, ...]
    refusals: tuple[ExportRefusal, ...]


def _seller(options: UblOptions) -> tuple[Party | None, list[ExportRefusal]]:
    """The seller from the options, or the options it lacks."""
    refusals: list[ExportRefusal] = []

    def lacks(name: str, why: str) -> None:
        refusals.append(
            ExportRefusal(
                account=None,
                field=name,
                message=f"ubl option {name} is empty: {why}; set {name}",
            )
        )

    name = text(options.seller_name)
    if name is None:
        lacks("seller_name", "EN 16931 needs the seller's legal name (BT-27)")
    vat_id = compact(options.seller_vat_id)
    if not vat_id:
        lacks("seller_vat_id", "invoices with VAT need the seller's VAT id (BT-31, BR-S-02)")
    registration = options.registration
    endpoint = options.endpoint
    dutch = options.seller_country == "NL"
    if dutch and (registration is None or registration.scheme not in _DUTCH_LEGAL_SCHEMES):
        lacks(
            "seller_registration",
            "Dutch sellers give their KvK (scheme 0106) or OIN (0190) number (NL-R-003)",
        )
    elif endpoint is None:
        refusals.append(
            ExportRefusal(
                account=None,
                field="seller_registration",
                message="ubl option seller_registration is empty: "
                + _NO_ENDPOINT.format(what="the seller", bt="34")
                + "; set seller_registration (and seller_registration_scheme), or "
                "seller_peppol_id (and seller_peppol_scheme), or a Belgian or Dutch "
                "seller_vat_id",
            )
        )
    address = {
        "seller_street": text(options.seller_street),
        "seller_postal_code": text(options.seller_postal_code),
        "seller_city": text(options.seller_city),
    }
    if dutch:
        for field, value in address.items():
            if value is None:
                lacks(field, "Dutch sellers give street, postal code and city (NL-R-002)")
    if refusals or name is None or endpoint is None:
        return None, refusals
    return (
        Party(
            name=name,
            endpoint=endpoint,
            country=options.seller_country,
            street=address["seller_street"],
            postal_code=address["seller_postal_code"],
            city=address["seller_city"],
            vat_id=vat_id,
            registration=registration,
            creditor_id=compact(options.creditor_id) or None,
            email=text(options.seller_email),
        ),
        [],
    )


class _Account:
    """Checks one account invoice, collecting what it lacks."""

    def __init__(self, document: ExportDocument, entry: ExportedAccount, options: UblOptions):
        self.document = document
        self.entry = entry
        self.options = options
        self.number = invoice_number(document, entry)
        self.refusals: list[ExportRefusal] = []

    def refuse(self, field: str, problem: str) -> None:
        if field.startswith("billing.") and not is_draft(self.document):
            # Setting the detail now does not change this invoice: it is issued already.
            problem += (
                "; a committed run keeps the billing details it was committed with: once "
                "they are set, undo this account invoice and invoice the account again"
            )
        self.refusals.append(
            ExportRefusal(
                account=self.entry.account.number,
                field=field,
                message=f"account {self.entry.account.label}: {problem}",
                invoice=self.number,
            )
        )

    def check(self, seller: Party | None) -> UblDocument | None:
        entry, options = self.entry, self.options
        statement = entry.statement
        currency = statement.currency
        if CURRENCIES[currency] > 2:
            self.refuse(
                "currency",
                f"its currency {currency} has {CURRENCIES[currency]} decimal places; EN 16931 "
                "allows amounts with 2 at most (BR-DEC), so invoice it in another format",
            )
        money = figures(statement)
        categories = money.categories
        outside = VatCategory.OUTSIDE_SCOPE in categories
        if VatCategory.INTRA_COMMUNITY in categories:
            self.refuse(
                "vat",
                "has intra-community supplies (VAT category K), which need a delivery "
                "country onaccount does not record (BR-IC-12); invoice them in another format",
            )
        if outside and len(categories) > 1:
            self.refuse(
                "vat",
                "mixes sales outside the scope of VAT (category O) with taxed ones; EN 16931 "
                "wants them on separate invoices (BR-O-11), so book them on another account",
            )
        buyer = self._buyer(categories, outside)
        credit = is_credit(entry)
        corrects = self._corrects(money.total, currency) if credit else None
        payment = None if credit else self._payment()
        if outside and seller is not None and seller.registration is None:
            self.refuse(
                "seller_registration",
                "sells outside the scope of VAT, so its invoice carries no VAT id and the "
                "seller needs a registration number (BR-CO-26); set option seller_registration",
            )
        if self.refusals or seller is None or buyer is None:
            return None
        if outside:
            seller = attrs.evolve(seller, vat_id=None)
        if payment is None or payment.code != "59":
            seller = attrs.evolve(seller, creditor_id=None)
        issued = invoice_date(self.document)
        draft = is_draft(self.document)
        due = issued + dt.timedelta(days=options.payment_days)
        if payment is not None and payment.code == "59":
            # The invoice announces the debit: due the day the collection takes it.
            due = debit_day(issued, options.payment_days)
        return UblDocument(
            number=self.number,
            credit=credit,
            issue_date=issued,
            due_date=None if credit else due,
            note=(
                f"Draft made from a {self.document.kind.value}: not an invoice" if draft else None
            ),
            currency=currency,
            buyer_reference=text(entry.account.number) or self.number,
            period=(statement.period.first, statement.period.last),
            corrects=corrects,
            seller=seller,
            buyer=buyer,
            payment=payment,
            figures=money,
        )

    def _buyer(self, categories: frozenset[VatCategory], outside: bool) -> Party | None:
        account = self.entry.account
        billing = account.billing or BillingDetails()
        name = text(debtor_name(account))
        if name is None:
            self.refuse("billing.name", "has no printable name; set billing.name")
        address = billing.address
        if address is None:
            self.refuse(
                "billing.address",
                "has no billing address; EN 16931 needs the buyer's address and country "
                "(BT-55); set billing.address",
            )
        elif self.options.seller_country == "NL" and address.country == "NL":
            for field, value in (
                ("street", address.street),
                ("postal_code", address.postal_code),
                ("city", address.city),
            ):
                if text(value) is None:
                    self.refuse(
                        f"billing.address.{field}",
                        f"has no {field.replace('_', ' ')} in its Dutch address; a Dutch "
                        "seller's invoice names the buyer's street, postal code and city "
                        f"(NL-R-004); set billing.address.{field}",
                    )
        vat_id = compact(billing.vat_id)
        if vat_id and not vat_id_prefix_ok(vat_id):
            self.refuse(
                "billing.vat_id",
                f"has VAT id {billing.vat_id!r} without a country prefix; write it like "
                "'NL123456789B01' (BR-CO-9)",
            )
        if VatCategory.REVERSE_CHARGE in categories and not vat_id:
            self.refuse(
                "billing.vat_id",
                "buys under reverse charge (VAT category AE), which needs the buyer's VAT "
                "id (BR-AE-02); set billing.vat_id",
            )
        email = text(billing.email)
        endpoint = peppol_endpoint(billing.peppol_id, billing.registration, vat_id)
        if endpoint is None:
            self.refuse(
                "billing.peppol_id",
                _NO_ENDPOINT.format(what="the buyer", bt="49")
                + ": set billing.peppol_id to its Peppol participant id, or "
                "billing.registration to its KvK (0106), KBO/BCE (0208), OIN (0190) or GLN "
                "(0088) number, or a Belgian or Dutch billing.vat_id",
            )
        registration = billing.registration
        if (
            registration is not None
            and self.options.seller_country == "NL"
            and address is not None
            and address.country == "NL"
            and registration.scheme not in _DUTCH_LEGAL_SCHEMES
        ):
            # NL-R-005: between Dutch parties BT-47 is KvK or OIN; the id stays the address.
            registration = None
        if name is None or address is None or endpoint is None:
            return None
        return Party(
            name=name,
            endpoint=endpoint,
            country=address.country,
            street=text(address.street),
            postal_code=text(address.postal_code),
            city=text(address.city),
            vat_id=None if outside else vat_id or None,
            registration=registration,
            email=email,
        )

    def _corrects(self, total: Decimal, currency: str) -> str | None:
        template = self.options.credit_note_reference
        reference = text(template.replace(_ACCOUNT_PLACEHOLDER, self.entry.account.number))
        if reference is None:
            self.refuse(
                "credit_note_reference",
                f"returns make its total {total} {currency}, so it gets a credit note, which "
                "names the invoice it corrects (BT-25, NL-R-001); set option "
                "credit_note_reference, e.g. '2026-09-{account}'",
            )
        return reference

    def _payment(self) -> Payment:
        billing = self.entry.account.billing or BillingDetails()
        means = self.options.payment_means
        mandate = text(billing.mandate_id)
        iban = compact(billing.iban)
        if means == "direct-debit" or (means == "auto" and mandate and iban):
            if mandate is None:
                self.refuse(
                    "billing.mandate_id",
                    "has no direct-debit mandate; set billing.mandate_id and "
                    "billing.mandate_date, or use payment_means 'credit-transfer'",
                )
            if not iban:
                self.refuse(
                    "billing.iban",
                    "has no IBAN to collect from; set billing.iban, or use payment_means "
                    "'credit-transfer'",
                )
            elif (problem := iban_problem(iban)) is not None:
                self.refuse(
                    "billing.iban",
                    f"has IBAN {billing.iban!r}, which is no IBAN: {problem}; correct "
                    "billing.iban",
                )
            if not compact(self.options.creditor_id):
                self.refuse(
                    "creditor_id",
                    "pays by direct debit, which needs the seller's SEPA creditor id "
                    "(BT-90); set option creditor_id",
                )
            return Payment(code="59", payment_id=self.number, mandate_id=mandate, payer_iban=iban)
        payee = compact(self.options.seller_iban)
        if not payee:
            self.refuse(
                "seller_iban",
                "pays by credit transfer (it has no direct-debit mandate and IBAN), which "
                "needs the seller's IBAN (BT-84, BR-61); set option seller_iban",
            )
        return Payment(
            code="58",
            payment_id=self.number,
            payee_iban=payee,
            payee_bic=compact(self.options.seller_bic) or None,
        )


def _check(document: ExportDocument, options: UblOptions) -> _Checked:
    seller, refusals = _seller(options)
    documents = []
    for entry in invoiced(document):
        account = _Account(document, entry, options)
        checked = account.check(seller)
        refusals.extend(account.refusals)
        if checked is not None:
            documents.append(checked)
    return _Checked(tuple(documents), tuple(refusals))


class UblExporter(Exporter[UblOptions]):
    """UBL 2.1 e-invoices per Peppol BIS Billing 3.0, one per account invoice, in a zip.

    ``refusals`` tells a host beforehand what an export would leave out, and why.
    """

    identifier = "ubl"
    title = "UBL e-invoices (Peppol BIS 3.0)"
    description = (
        "A zip of EN 16931 invoices and credit notes in UBL 2.1, one per account invoice, "
        "for Peppol and accounting software; amounts agree with the POS to the cent."
    )
    media_type = "application/zip"
    extension = "ubl.zip"
    Options = UblOptions

    def refusals(
        self,
        source: Exportable,
        options: UblOptions | Mapping[str, object] | str | None = None,
    ) -> tuple[ExportRefusal, ...]:
        """What writing ``source`` with ``options`` would refuse, options first."""
        checked = _check(export_document(source), self.options(options))
        return settle(self.identifier, checked.refusals, "list")

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: UblOptions,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write one XML document per account invoice, and ``refused.txt`` if any is refused."""
        checked = _check(document, options)
        refused = settle(self.identifier, checked.refusals, options.on_refusal)
        names = MemberNames()
        members = [
            (names(doc.number, "xml"), to_xml(doc))
            for doc in tracked(checked.documents, progress, "invoices")
        ]
        write_zip(stream, members, refused)
        return ExportReport(
            exporter=self.identifier,
            unit="invoices",
            written=len(members),
            accounts=len(members),
            refusals=refused,
            refusals_listed_in=REFUSED_MEMBER if refused else None,
            nothing_to_invoice=nothing_to_invoice(document),
        )

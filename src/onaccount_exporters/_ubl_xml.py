"""UBL 2.1 invoices and credit notes as Peppol BIS Billing 3.0 wants them, built with lxml.

`UblDocument` holds what one document says, checked already; `to_xml` writes it with
every element in schema order and no empty element. A credit note carries the invoice's
figures with the sign turned, so its payable amount is positive.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeAlias

import attrs
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import PartyId, VatCategory
from onaccount.exporting import pad_amount

from ._checks import text
from ._figures import Figures, LineFigure, VatGroup

__all__ = ["CUSTOMIZATION_ID", "PROFILE_ID", "Party", "Payment", "UblDocument", "to_xml"]

#: Peppol BIS Billing 3.0 on EN 16931 (BT-24).
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#: The Peppol billing process (BT-23).
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_PREFIXES = {"cbc": _CBC, "cac": _CAC}
# An lxml element; lxml has no type hints, so this is Any to mypy.
_Element: TypeAlias = Any
# UNCL 7161 unit "one": POS lines count pieces (and weighed goods in their sold unit).
_UNIT = "C62"
_PAYMENT_NAMES = {"58": "SEPA credit transfer", "59": "SEPA direct debit"}
# BR-E-10 and kin want a reason; a reason of nothing but control characters gets this.
_DEFAULT_REASONS = {
    VatCategory.EXEMPT: "Exempt from VAT",
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.INTRA_COMMUNITY: "Intra-community supply",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.OUTSIDE_SCOPE: "Not subject to VAT",
}


@attrs.frozen(kw_only=True)
class Party:
    """A seller or buyer as the document names it; None leaves an element out."""

    name: str
    endpoint: PartyId
    country: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    vat_id: str | None = None
    registration: PartyId | None = None
    creditor_id: str | None = None
    email: str | None = None


@attrs.frozen(kw_only=True)
class Payment:
    """How an invoice is paid: direct debit (59) with a mandate, or credit transfer (58)."""

    code: str
    payment_id: str
    mandate_id: str | None = None
    payer_iban: str | None = None
    payee_iban: str | None = None
    payee_bic: str | None = None


@attrs.frozen(kw_only=True)
class UblDocument:
    """One invoice or credit note, checked and ready to write."""

    number: str
    credit: bool
    issue_date: dt.date
    due_date: dt.date | None
    note: str | None
    currency: str
    buyer_reference: str
    period: tuple[dt.date, dt.date]
    corrects: str | None
    seller: Party
    buyer: Party
    payment: Payment | None
    figures: Figures


def _plain(value: Decimal) -> str:
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def _percent(rate: Decimal) -> str:
    return _plain(rate * 100)


class _Writer:
    """Adds elements, leaving out those without text, so no element is ever empty."""

    def __init__(self, currency: str, sign: int) -> None:
        self.currency = currency
        self.sign = sign

    @staticmethod
    def add(parent: _Element, tag: str, text: str | None = None, **attributes: str) -> _Element:
        prefix, local = tag.split(":")
        element = etree.SubElement(parent, f"{{{_PREFIXES[prefix]}}}{local}", attributes)
        if text is not None:
            element.text = text
        return element

    def leaf(self, parent: _Element, tag: str, text: str | None, **attributes: str) -> None:
        if text:
            self.add(parent, tag, text, **attributes)

    def amount(self, parent: _Element, tag: str, value: Decimal) -> None:
        shown = pad_amount(value * self.sign, self.currency)
        self.add(parent, tag, format(shown, "f"), currencyID=self.currency)


def _party(w: _Writer, parent: _Element, tag: str, party: Party) -> None:
    outer = w.add(parent, tag)
    node = w.add(outer, "cac:Party")
    w.add(node, "cbc:EndpointID", party.endpoint.value, schemeID=party.endpoint.scheme)
    if party.creditor_id:
        w.add(w.add(node, "cac:PartyIdentification"), "cbc:ID", party.creditor_id, schemeID="SEPA")
    w.add(w.add(node, "cac:PartyName"), "cbc:Name", party.name)
    address = w.add(node, "cac:PostalAddress")
    w.leaf(address, "cbc:StreetName", party.street)
    w.leaf(address, "cbc:CityName", party.city)
    w.leaf(address, "cbc:PostalZone", party.postal_code)
    w.add(w.add(address, "cac:Country"), "cbc:IdentificationCode", party.country)
    if party.vat_id:
        tax = w.add(node, "cac:PartyTaxScheme")
        w.add(tax, "cbc:CompanyID", party.vat_id)
        w.add(w.add(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = w.add(node, "cac:PartyLegalEntity")
    w.add(legal, "cbc:RegistrationName", party.name)
    if party.registration:
        registration = party.registration
        w.add(legal, "cbc:CompanyID", registration.value, schemeID=registration.scheme)
    if party.email:
        w.add(w.add(node, "cac:Contact"), "cbc:ElectronicMail", party.email)


def _payment(w: _Writer, parent: _Element, payment: Payment) -> None:
    node = w.add(parent, "cac:PaymentMeans")
    w.add(node, "cbc:PaymentMeansCode", payment.code, name=_PAYMENT_NAMES[payment.code])
    w.add(node, "cbc:PaymentID", payment.payment_id)
    if payment.payee_iban:
        account = w.add(node, "cac:PayeeFinancialAccount")
        w.add(account, "cbc:ID", payment.payee_iban)
        if payment.payee_bic:
            w.add(w.add(account, "cac:FinancialInstitutionBranch"), "cbc:ID", payment.payee_bic)
    if payment.mandate_id:
        mandate = w.add(node, "cac:PaymentMandate")
        w.add(mandate, "cbc:ID", payment.mandate_id)
        if payment.payer_iban:
            w.add(w.add(mandate, "cac:PayerFinancialAccount"), "cbc:ID", payment.payer_iban)


def _category(w: _Writer, parent: _Element, tag: str, group: VatGroup, reasons: bool) -> None:
    node = w.add(parent, tag)
    w.add(node, "cbc:ID", group.category.value)
    if group.category is not VatCategory.OUTSIDE_SCOPE:  # BR-O-05: no rate for O
        w.add(node, "cbc:Percent", _percent(group.rate))
    if reasons and group.category.needs_exemption_reason:
        reason = text("; ".join(group.reasons)) or _DEFAULT_REASONS[group.category]
        w.add(node, "cbc:TaxExemptionReason", reason)
    w.add(w.add(node, "cac:TaxScheme"), "cbc:ID", "VAT")


# BT-127 of a line whose quantities cancel out and whose amount does not.
_CENTS_LEFT = (
    "The quantities sold and returned cancel out; the amount is what rounding each "
    "sale and return to the cent left, written as one unit."
)


def _quantity_and_price(line: LineFigure, sign: int, rate: Decimal) -> tuple[Decimal, Decimal]:
    """The line's quantity and net unit price (BT-146, never negative: BR-27).

    The price is the line's net amount over its quantity, with enough places that
    quantity × price lies within a thousandth of the net amount (Peppol R120 allows
    two hundredths). A negative price becomes a positive one on the negated quantity.
    """
    quantity = line.product.quantity * sign
    if quantity.is_zero():
        if not line.net.is_zero():
            # Sold and returned in other portions, each line rounded on its own: the cents
            # left have no quantity. R120 (quantity times price is the net) holds for one unit.
            net = line.net * sign
            return (Decimal(1), net) if net > 0 else (Decimal(-1), -net)
        price = abs(line.product.unit_price) / (1 + rate)
        return quantity, price.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    places = 3 + len(str(int(abs(quantity))))
    price = (line.net * sign / quantity).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return (-quantity, -price) if price < 0 else (quantity, price)


def _line(
    w: _Writer, parent: _Element, index: int, line: LineFigure, group: VatGroup, credit: bool
) -> None:
    node = w.add(parent, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    w.add(node, "cbc:ID", str(index))
    if line.product.quantity.is_zero() and not line.net.is_zero():
        w.add(node, "cbc:Note", _CENTS_LEFT)
    quantity, price = _quantity_and_price(line, w.sign, group.rate)
    w.add(
        node,
        "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
        _plain(quantity),
        unitCode=_UNIT,
    )
    w.amount(node, "cbc:LineExtensionAmount", line.net)
    item = w.add(node, "cac:Item")
    product = line.product
    code = text(product.code)
    w.add(item, "cbc:Name", text(product.product) or code or f"Item {index}")
    if code:
        w.add(w.add(item, "cac:SellersItemIdentification"), "cbc:ID", code)
    _category(w, item, "cac:ClassifiedTaxCategory", group, reasons=False)
    w.add(w.add(node, "cac:Price"), "cbc:PriceAmount", _plain(price), currencyID=w.currency)


def to_xml(document: UblDocument) -> bytes:
    """The document as UTF-8 XML: an ``Invoice`` or, for a credit, a ``CreditNote``."""
    credit = document.credit
    w = _Writer(document.currency, -1 if credit else 1)
    namespace, name = (_CREDIT_NOTE, "CreditNote") if credit else (_INVOICE, "Invoice")
    prefixes: dict[str | None, str] = {None: namespace, "cbc": _CBC, "cac": _CAC}
    root = etree.Element(f"{{{namespace}}}{name}", nsmap=prefixes)
    w.add(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    w.add(root, "cbc:ProfileID", PROFILE_ID)
    w.add(root, "cbc:ID", document.number)
    w.add(root, "cbc:IssueDate", document.issue_date.isoformat())
    if credit:
        w.add(root, "cbc:CreditNoteTypeCode", "381")
    else:
        if document.due_date is not None:
            w.add(root, "cbc:DueDate", document.due_date.isoformat())
        w.add(root, "cbc:InvoiceTypeCode", "380")
    w.leaf(root, "cbc:Note", document.note)
    w.add(root, "cbc:DocumentCurrencyCode", document.currency)
    w.add(root, "cbc:BuyerReference", document.buyer_reference)
    first, last = document.period
    period = w.add(root, "cac:InvoicePeriod")
    w.add(period, "cbc:StartDate", first.isoformat())
    w.add(period, "cbc:EndDate", last.isoformat())
    if document.corrects:
        reference = w.add(w.add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.add(reference, "cbc:ID", document.corrects)
    _party(w, root, "cac:AccountingSupplierParty", document.seller)
    _party(w, root, "cac:AccountingCustomerParty", document.buyer)
    if document.payment is not None:
        _payment(w, root, document.payment)
    figures = document.figures
    tax_total = w.add(root, "cac:TaxTotal")
    w.amount(tax_total, "cbc:TaxAmount", figures.tax)
    for group in figures.groups:
        subtotal = w.add(tax_total, "cac:TaxSubtotal")
        w.amount(subtotal, "cbc:TaxableAmount", group.net)
        w.amount(subtotal, "cbc:TaxAmount", group.tax)
        _category(w, subtotal, "cac:TaxCategory", group, reasons=True)
    totals = w.add(root, "cac:LegalMonetaryTotal")
    w.amount(totals, "cbc:LineExtensionAmount", figures.net)
    w.amount(totals, "cbc:TaxExclusiveAmount", figures.net)
    w.amount(totals, "cbc:TaxInclusiveAmount", figures.total)
    w.amount(totals, "cbc:PayableAmount", figures.total)
    groups = {(group.category, group.rate): group for group in figures.groups}
    for index, line in enumerate(figures.lines, 1):
        vat = line.product.vat
        _line(w, root, index, line, groups[vat.category, vat.rate], credit)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml

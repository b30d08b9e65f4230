"""The ubl exporter: schema-valid Peppol documents whose totals keep EN 16931's rules."""

from __future__ import annotations

import datetime as dt
import io
import pickle
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import (
    Account,
    Address,
    BillingDetails,
    InvoiceRun,
    InvoiceState,
    Line,
    MemoryLedger,
    OnAccountError,
    PartyId,
    Purchase,
    Vat,
    VatCategory,
    commit_run,
    minor_unit,
    open_account,
    plan_run,
    undo_invoice,
)
from onaccount.exporting import Exportable, ExportError, InvalidOptions, remove_xml_forbidden
from onaccount.testing import SAMPLE_PERIOD, ExporterContract, strategies
from onaccount_exporters import ExportRefused, SepaExporter, UblExporter
from onaccount_exporters._checks import text
from tests.exporters._billing import (
    ADMIN,
    AMS,
    CREDITOR,
    DUTCH,
    RUN_AT,
    SELLER,
    billed_ledger,
    billed_plan,
    billed_run,
    billed_runs,
    billed_statement,
    returns_run,
)
from tests.exporters._ubl_rules import (
    NS,
    assert_en16931_totals,
    assert_no_empty_elements,
    documents,
    lines,
    load_schemas,
    members,
    root_name,
    validate,
)

UBL = UblExporter()
# Each example validates every document against the UBL schema; billable runs are big
# draws, which Hypothesis would otherwise cut short as too large.
_SLOW = settings(max_examples=25, suppress_health_check=[HealthCheck.data_too_large])


@pytest.fixture(scope="session")
def schemas() -> dict[str, Any]:
    """The UBL 2.1 schemas, compiled once per session."""
    return load_schemas()


class TestUblExporter(ExporterContract):
    exporter = UBL
    option_examples = (SELLER, {**SELLER, "payment_means": "credit-transfer"})

    def sources(self) -> list[Exportable]:
        """The samples, and the samples with billing details so documents get written."""
        return [*super().sources(), billed_statement(), billed_plan(), billed_run(), returns_run()]


def _by_number(data: bytes) -> dict[str, Any]:
    return {doc.findtext("cbc:ID", namespaces=NS): doc for doc in documents(data)}


def _check_run(run: InvoiceRun, schemas: dict[str, Any]) -> None:
    """Every document is valid and agrees with its account invoice; the rest is refused.

    A zero total is nothing to invoice: neither a document nor a refusal.
    """
    data = UBL.export_bytes(run, SELLER)
    written = _by_number(data)
    refused = UBL.refusals(run, SELLER)
    active = {
        remove_xml_forbidden(f"{run.key or run.id}-{i.account.number}"): i
        for i in run.invoices
        if i.state is InvoiceState.ACTIVE and i.total != 0
    }
    assert set(written) | {r.invoice for r in refused} == set(active)
    assert not set(written) & {r.invoice for r in refused}
    for number, document in written.items():
        validate(document, schemas)
        assert_no_empty_elements(document)
        assert_en16931_totals(document)
        invoice = active[number]
        statement = invoice.statement
        assert root_name(document) == ("CreditNote" if invoice.total < 0 else "Invoice")
        payable = document.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
        assert Decimal(payable) == abs(invoice.total), "payable is not the POS total"
        assert (
            document.findtext("cbc:DocumentCurrencyCode", namespaces=NS)
            == invoice.account.currency
        )
        sign = -1 if invoice.total < 0 else 1
        found = lines(document)
        assert len(found) == len(statement.products)
        quantum = minor_unit(statement.currency)
        for line, product in zip(found, statement.products, strict=True):
            net = Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=NS)) * sign
            assert abs(net - product.amount / (1 + product.vat.rate)) < quantum
    for refusal in refused:
        assert refusal.account is not None
        last = refusal.field.rsplit(".", 1)[-1]
        assert refusal.field in refusal.message or last in refusal.message.lower()
        assert f"account {refusal.account} " in refusal.message


def _justified(run: InvoiceRun, account: str, field: str) -> bool:
    """Whether a complete-billing account invoice may be refused for ``field``."""
    invoice = run.invoice_for(account)
    categories = {p.vat.category for p in invoice.statement.products}
    billing = invoice.account.billing
    assert billing is not None
    if field == "currency":
        return minor_unit(invoice.account.currency) < Decimal("0.01")
    if field == "vat":
        outside_and_more = VatCategory.OUTSIDE_SCOPE in categories and len(categories) > 1
        return outside_and_more or VatCategory.INTRA_COMMUNITY in categories
    if field == "billing.vat_id":
        return VatCategory.REVERSE_CHARGE in categories and billing.vat_id is None
    if field == "billing.name":
        return text(billing.name) is None and text(invoice.account.name) is None
    return False


@_SLOW
@given(run=billed_runs())
def test_generated_runs_give_valid_documents_that_keep_en16931_arithmetic(
    run: InvoiceRun, schemas: dict[str, Any]
) -> None:
    """Runs whose accounts are billable give schema-valid documents with EN 16931 totals."""
    _check_run(run, schemas)
    for refusal in UBL.refusals(run, SELLER):
        assert refusal.account is not None
        assert _justified(run, refusal.account, refusal.field), refusal.message


# Each example writes every document and validates it against the UBL schema.
@settings(max_examples=15)
@given(run=strategies.runs())
def test_any_generated_run_gives_valid_documents_or_named_refusals(
    run: InvoiceRun, schemas: dict[str, Any]
) -> None:
    """Whatever a run is written is valid; what is left out is named by account and field."""
    _check_run(run, schemas)


def test_a_run_with_returns_gives_a_valid_credit_note(schemas: dict[str, Any]) -> None:
    """Returns that make the total negative give a CreditNote naming the corrected invoice."""
    ((name, xml),) = members(UBL.export_bytes(returns_run(), SELLER)).items()
    assert name == "2026-10-1042.xml"
    (document,) = documents(UBL.export_bytes(returns_run(), SELLER))
    assert root_name(document) == "CreditNote"
    validate(document, schemas)
    assert_en16931_totals(document)
    assert document.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    reference = "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    assert document.findtext(reference, namespaces=NS) == "2026-09-1042"
    payable = document.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
    assert payable == "3.10"
    assert document.find("cac:PaymentMeans", namespaces=NS) is None
    quantities = [line.findtext("cbc:CreditedQuantity", namespaces=NS) for line in lines(document)]
    assert quantities == ["2", "-1"]
    assert b"<cbc:Note>" not in xml


def test_a_credit_note_without_a_reference_is_refused() -> None:
    """Without credit_note_reference a negative total is refused, naming the option."""
    options = {**SELLER, "credit_note_reference": "", "on_refusal": "raise"}
    with pytest.raises(ExportRefused, match="credit_note_reference") as caught:
        UBL.export_bytes(returns_run(), options)
    ((account, field),) = {(r.account, r.field) for r in caught.value.refusals}
    assert (account, field) == ("1042", "credit_note_reference")


def test_a_buyer_without_an_address_is_refused_before_writing() -> None:
    """on_refusal=raise refuses a buyer without address, naming account and field."""
    stream = io.BytesIO()
    with pytest.raises(ExportRefused) as caught:
        UBL.export(billed_run(), stream, {**SELLER, "on_refusal": "raise"})
    assert stream.getvalue() == b""
    refusals = caught.value.refusals
    assert {(r.account, r.field) for r in refusals} == {
        ("-7", "billing.address"),
        ("-7", "billing.peppol_id"),
    }
    assert "account -7 '@admin'" in str(caught.value)
    assert "billing.address" in str(caught.value)


def test_a_committed_run_s_missing_billing_detail_says_to_undo_and_invoice_again() -> None:
    """A run's refusal for billing details says setting them needs a new invoice; a plan's not."""
    (address,) = [r for r in UBL.refusals(billed_run(), SELLER) if r.field == "billing.address"]
    assert address.message.endswith(
        "set billing.address; a committed run keeps the billing details it was committed "
        "with: once they are set, undo this account invoice and invoice the account again"
    )
    (planned,) = [r for r in UBL.refusals(billed_plan(), SELLER) if r.field == "billing.address"]
    assert planned.message.endswith("(BT-55); set billing.address")


def test_a_seller_without_a_vat_id_is_refused_naming_the_option() -> None:
    """Without seller_vat_id no document is written and refused.txt says what to set."""
    options = {k: v for k, v in SELLER.items() if k != "seller_vat_id"}
    refused = UBL.refusals(billed_run(), options)
    assert (refused[0].account, refused[0].field) == (None, "seller_vat_id")
    files = members(UBL.export_bytes(billed_run(), options))
    assert list(files) == ["refused.txt"]
    assert b"(options)\tseller_vat_id\tubl option seller_vat_id is empty" in files["refused.txt"]
    with pytest.raises(ExportRefused, match="seller_vat_id"):
        UBL.export_bytes(billed_run(), {**options, "on_refusal": "raise"})


def test_list_mode_writes_the_others_and_lists_the_refused() -> None:
    """By default the billable accounts are written and refused.txt names the others."""
    files = members(UBL.export_bytes(billed_run(), SELLER))
    assert list(files) == [
        "2026-10-1042.xml",
        "2026-10-2001.xml",
        "2026-10-3003.xml",
        "refused.txt",
    ]
    report = files["refused.txt"].decode().splitlines()
    assert report[0] == "account\tfield\twhat to do"
    assert [row.split("\t")[:2] for row in report[1:]] == [
        ["-7", "billing.address"],
        ["-7", "billing.peppol_id"],
    ]


def test_numbers_dates_parties_and_period_come_from_the_run_and_options() -> None:
    """Number run key + account, commit day, due date, period and both parties are set."""
    document = _by_number(UBL.export_bytes(billed_run(), SELLER))["2026-10-1042"]

    def find(path: str) -> str | None:
        return document.findtext(path, namespaces=NS)

    # 1042 pays by direct debit: due on the business day after Sunday 15 November.
    assert (find("cbc:IssueDate"), find("cbc:DueDate")) == ("2026-11-01", "2026-11-16")
    assert (find("cac:InvoicePeriod/cbc:StartDate"), find("cac:InvoicePeriod/cbc:EndDate")) == (
        "2026-10-01",
        "2026-10-31",
    )
    assert find("cbc:BuyerReference") == "1042"
    seller = "cac:AccountingSupplierParty/cac:Party/"
    assert find(seller + "cac:PartyTaxScheme/cbc:CompanyID") == "NL001234567B01"
    assert find(seller + "cac:PartyLegalEntity/cbc:CompanyID") == "12345678"
    assert find(seller + "cac:PartyIdentification/cbc:ID") == "NL69ZZZ123456780000"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert find(buyer + "cac:PartyLegalEntity/cbc:RegistrationName") == "Team A (Hockey)"
    assert find(buyer + "cbc:EndpointID") == "NL123456789B01"
    assert document.find(buyer + "cbc:EndpointID", namespaces=NS).get("schemeID") == "9944"
    assert find(buyer + "cac:PostalAddress/cbc:PostalZone") == "1234 AB"


def test_payment_is_direct_debit_with_a_mandate_and_credit_transfer_without() -> None:
    """1042 (mandate, IBAN) pays by direct debit (59); 2001 (no mandate) by transfer (58)."""
    written = _by_number(UBL.export_bytes(billed_run(), SELLER))
    debit = written["2026-10-1042"].find("cac:PaymentMeans", namespaces=NS)
    assert debit.findtext("cbc:PaymentMeansCode", namespaces=NS) == "59"
    assert debit.findtext("cac:PaymentMandate/cbc:ID", namespaces=NS) == "ZWA-1042"
    payer = "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"
    assert debit.findtext(payer, namespaces=NS) == "NL20INGB0001234567"
    transfer = written["2026-10-2001"].find("cac:PaymentMeans", namespaces=NS)
    assert transfer.findtext("cbc:PaymentMeansCode", namespaces=NS) == "58"
    payee = "cac:PayeeFinancialAccount/cbc:ID"
    assert transfer.findtext(payee, namespaces=NS) == "NL91ABNA0417164300"
    party = "cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification"
    assert written["2026-10-2001"].find(party, namespaces=NS) is None


def test_exempt_vat_carries_its_reason_and_yen_has_no_decimals(schemas: dict[str, Any]) -> None:
    """The E subtotal states the exemption reason; JPY amounts are whole yen."""
    written = _by_number(UBL.export_bytes(billed_run(), SELLER))
    exempt = written["2026-10-2001"].find(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']", namespaces=NS
    )
    reason = exempt.findtext("cbc:TaxExemptionReason", namespaces=NS)
    assert reason == "Exempt under article 11 of the VAT Act"
    yen = written["2026-10-3003"]
    validate(yen, schemas)
    assert yen.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "1700"


def test_plans_and_statements_give_draft_documents(schemas: dict[str, Any]) -> None:
    """A plan or statement gives valid documents numbered DRAFT-… with a note saying so."""
    for source, kind in ((billed_plan(), "plan"), (billed_statement(), "statement")):
        written = _by_number(UBL.export_bytes(source, SELLER))
        document = written["DRAFT-2026-10-1042"]
        validate(document, schemas)
        assert (
            document.findtext("cbc:Note", namespaces=NS)
            == f"Draft made from a {kind}: not an invoice"
        )
        assert document.findtext("cbc:IssueDate", namespaces=NS) == "2026-11-01"


def test_undone_account_invoices_get_no_document() -> None:
    """After undoing account 1042's invoice the run has no document and no refusal for it."""
    ledger = billed_ledger()
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042", "2001"], "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="Wrong account", at=RUN_AT)
    undone = ledger.run(run.id)
    assert list(_by_number(UBL.export_bytes(undone, SELLER))) == ["2026-10-2001"]
    assert UBL.refusals(undone, SELLER) == ()


def _mixed_run() -> InvoiceRun:
    ledger = MemoryLedger()
    billed = {"billing": DUTCH}
    open_account(ledger, Account(number="1", name="Mixed", limit=100, **billed), actor=ADMIN)
    open_account(
        ledger, Account(number="2", name="Dinar", limit=100, currency="KWD", **billed), actor=ADMIN
    )
    plain = BillingDetails(
        address=Address(street="A 1", postal_code="1234 AB", city="Ede"),
        email="a@b.nl",
        registration=PartyId(scheme="0106", value="87654321"),
    )
    open_account(ledger, Account(number="3", name="Shift", limit=100, billing=plain), actor=ADMIN)
    at = dt.datetime(2026, 10, 5, 12, tzinfo=AMS)
    outside = Vat.exempt("Not subject to VAT", VatCategory.OUTSIDE_SCOPE)
    reverse = Vat.exempt("Reverse charge", VatCategory.REVERSE_CHARGE)
    beer = Vat.standard("0.21")
    for account, currency, vats in (
        ("1", "EUR", (outside, beer)),
        ("2", "KWD", (beer,)),
        ("3", "EUR", (reverse,)),
    ):
        ledger.record(
            Purchase(
                account=account,
                id=f"tx-{account}",
                at=at,
                currency=currency,
                lines=tuple(
                    Line(product=f"P{i}", quantity=1, unit_price="1.000", vat=vat)
                    for i, vat in enumerate(vats)
                ),
            )
        )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1", "2", "3"], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="k", at=RUN_AT)


def test_what_en16931_cannot_express_is_refused_by_account_and_field() -> None:
    """O mixed with taxed sales, 3-decimal currencies and AE without buyer VAT id are refused."""
    refused = {(r.account, r.field) for r in UBL.refusals(_mixed_run(), SELLER)}
    assert refused == {("1", "vat"), ("2", "currency"), ("3", "billing.vat_id")}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"seller_vat_id": "001234567B01"}, "seller_vat_id"),
        ({"seller_iban": "NL91ABNA0417164301"}, "seller_iban"),
        ({"seller_country": "nl"}, "seller_country"),
        ({"credit_note_reference": "{run}-{account}"}, "credit_note_reference"),
        ({"payment_days": -1}, "payment_days"),
    ],
)
def test_malformed_options_are_refused_when_built(options: dict[str, object], field: str) -> None:
    """Options that can never work raise InvalidOptions naming the option."""
    with pytest.raises(InvalidOptions, match=field) as caught:
        UBL.options({**SELLER, **options})
    assert caught.value.field == field


def test_refusals_are_onaccount_errors_that_survive_pickling() -> None:
    """ExportRefused is an ExportError and keeps its refusals through pickle."""
    with pytest.raises(ExportRefused) as caught:
        UBL.export_bytes(billed_run(), {**SELLER, "on_refusal": "raise"})
    error = caught.value
    assert isinstance(error, ExportError)
    assert isinstance(error, OnAccountError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.refusals, copy.value) == (
        error.message,
        error.refusals,
        ("-7", "-7"),
    )


def test_a_direct_debit_is_due_on_the_day_the_collection_takes_it() -> None:
    """Due 14 days on is a Sunday: a debited invoice is due on Monday, as SEPA collects it."""
    run = billed_run()
    document = _by_number(UBL.export_bytes(run, SELLER))["2026-10-1042"]
    assert document.findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=NS) == "59"
    assert document.findtext("cbc:DueDate", namespaces=NS) == "2026-11-16"
    collection = {k: v for k, v in CREDITOR.items() if k != "collection_date"}
    xml = next(
        data
        for name, data in members(SepaExporter().export_bytes(run, collection)).items()
        if name.endswith(".xml")
    )
    root = etree.fromstring(xml)
    assert root.findtext(".//{*}PmtInf/{*}ReqdColltnDt") == "2026-11-16"

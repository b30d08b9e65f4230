"""UBL documents a Peppol access point delivers: endpoints, identifiers and the encoded rules."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import (
    Account,
    Address,
    BillingDetails,
    InvoiceRun,
    Line,
    MemoryLedger,
    PartyId,
    Purchase,
    Vat,
    commit_run,
    open_account,
    plan_run,
)
from onaccount.testing import SAMPLE_PERIOD
from onaccount_exporters import UblExporter
from tests.exporters._billing import (
    ADMIN,
    AMS,
    RUN_AT,
    SELLER,
    billed_run,
    many_receipts_run,
    peppol_runs,
)
from tests.exporters._ubl_rules import (
    EXAMPLES,
    NS,
    assert_en16931_totals,
    assert_no_empty_elements,
    assert_peppol_rules,
    documents,
    load_schemas,
    peppol_problems,
    validate,
)

UBL = UblExporter()
_BUYER_ENDPOINT = "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"
_SELLER_ENDPOINT = "cac:AccountingSupplierParty/cac:Party/cbc:EndpointID"
_KBO = PartyId(scheme="0208", value="0203201340")
_ADDRESS = Address(street="Dorpsstraat 1", postal_code="1234 AB", city="Amsterdam")


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    """The UBL 2.1 schemas, compiled once."""
    return load_schemas()


def _example(name: str) -> Any:
    return etree.parse(str(EXAMPLES / name)).getroot()


def _one_buyer_run(billing: BillingDetails) -> InvoiceRun:
    ledger = MemoryLedger()
    open_account(
        ledger, Account(number="1042", name="Team A", limit=100, billing=billing), actor=ADMIN
    )
    ledger.record(
        Purchase(
            account="1042",
            id="tx-1",
            at=RUN_AT.replace(month=10).astimezone(AMS),
            lines=(Line(product="Cola", quantity=2, unit_price="2.50", vat=Vat.standard("0.09")),),
        )
    )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042"], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


def _endpoint(document: Any, path: str) -> tuple[str, str]:
    node = document.find(path, namespaces=NS)
    return node.get("schemeID"), node.text


@pytest.mark.parametrize(
    "name", ["peppol-invoice-nl-canteen.xml", "peppol-creditnote-nl-canteen.xml"]
)
def test_the_hand_made_examples_keep_the_encoded_rules(name: str, schemas: dict[str, Any]) -> None:
    """The correct sample documents pass the UBL XSD and every encoded Peppol rule."""
    document = _example(name)
    validate(document, schemas)
    assert peppol_problems(document) == []


def _set(document: Any, path: str, text: str | None = None, **attributes: str) -> Any:
    changed = copy.deepcopy(document)
    node = changed.find(path, namespaces=NS)
    if text is not None:
        node.text = text
    for key, value in attributes.items():
        node.set(key, value)
    return changed


def _drop(document: Any, path: str) -> Any:
    changed = copy.deepcopy(document)
    node = changed.find(path, namespaces=NS)
    node.getparent().remove(node)
    return changed


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: _set(d, _BUYER_ENDPOINT, "a@b.nl", schemeID="EM"), "PEPPOL-EN16931-CL008"),
        (lambda d: _set(d, _SELLER_ENDPOINT, "0203201341", schemeID="0208"), "R043"),
        (lambda d: _set(d, _SELLER_ENDPOINT, "8712345678905", schemeID="0088"), "R040"),
        (lambda d: _set(d, _SELLER_ENDPOINT, "1234567", schemeID="0106"), "R054"),
        (lambda d: _drop(d, _BUYER_ENDPOINT), "PEPPOL-EN16931-R010"),
        (
            lambda d: _set(
                d,
                "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
                schemeID="0208",
            ),
            "NL-R-003",
        ),
        (
            lambda d: _drop(d, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme"),
            "BR-S/Z/E/AE-02",
        ),
        (
            lambda d: _set(d, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", "0"),
            "BR-S-05",
        ),
        (lambda d: _drop(d, "cac:PaymentMeans/cac:PaymentMandate"), "PEPPOL-EN16931-R061"),
        (lambda d: _drop(d, "cbc:BuyerReference"), "PEPPOL-EN16931-R003"),
    ],
)
def test_the_encoded_rules_catch_what_peppol_rejects(change: Any, rule: str) -> None:
    """Each break of a rule we depend on, made to a correct document, is named by its rule."""
    problems = peppol_problems(change(_example("peppol-invoice-nl-canteen.xml")))
    assert any(rule in problem for problem in problems), problems


def test_no_party_is_ever_addressed_by_e_mail(schemas: dict[str, Any]) -> None:
    """A buyer with an e-mail address and a seller with one get Peppol schemes, never EM."""
    for document in documents(UBL.export_bytes(billed_run(), SELLER)):
        validate(document, schemas)
        assert_peppol_rules(document)
        assert _endpoint(document, _BUYER_ENDPOINT)[0] != "EM"
        assert _endpoint(document, _SELLER_ENDPOINT) == ("0106", "12345678")


@pytest.mark.parametrize(
    ("billing", "endpoint", "legal"),
    [
        (
            BillingDetails(
                address=_ADDRESS,
                email="a@b.nl",
                vat_id="NL123456789B01",
                peppol_id=PartyId(scheme="0190", value="00000001003214345000"),
                registration=PartyId(scheme="0106", value="87654321"),
            ),
            ("0190", "00000001003214345000"),
            ("0106", "87654321"),
        ),
        (
            BillingDetails(
                address=_ADDRESS,
                email="a@b.nl",
                registration=PartyId(scheme="0106", value="87654321"),
            ),
            ("0106", "87654321"),
            ("0106", "87654321"),
        ),
        (
            BillingDetails(
                address=Address(
                    street="Rue 3", postal_code="1000", city="Bruxelles", country="BE"
                ),
                registration=_KBO,
            ),
            ("0208", "0203201340"),
            ("0208", "0203201340"),
        ),
        (
            BillingDetails(address=_ADDRESS, email="a@b.nl", vat_id="NL123456789B01"),
            ("9944", "NL123456789B01"),
            None,
        ),
        (
            BillingDetails(
                address=Address(
                    street="Rue 3", postal_code="1000", city="Bruxelles", country="BE"
                ),
                vat_id="BE0203201340",
            ),
            ("9925", "BE0203201340"),
            None,
        ),
    ],
)
def test_the_buyer_endpoint_is_its_peppol_id_then_registration_then_vat_id(
    billing: BillingDetails,
    endpoint: tuple[str, str],
    legal: tuple[str, str] | None,
    schemas: dict[str, Any],
) -> None:
    """The buyer's Peppol id wins, else its registration (also BT-47), else a BE/NL VAT id."""
    (document,) = documents(UBL.export_bytes(_one_buyer_run(billing), SELLER))
    validate(document, schemas)
    assert_peppol_rules(document)
    assert _endpoint(document, _BUYER_ENDPOINT) == endpoint
    company = document.find(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS
    )
    found = None if company is None else (company.get("schemeID"), company.text)
    assert found == legal


def test_a_buyer_peppol_cannot_address_is_refused_with_advice_that_works(
    schemas: dict[str, Any],
) -> None:
    """A buyer with only an e-mail address is refused; doing what the message says passes."""
    only_email = BillingDetails(address=_ADDRESS, email="a@b.nl")
    (refusal,) = UBL.refusals(_one_buyer_run(only_email), SELLER)
    assert refusal.field == "billing.peppol_id"
    assert "set billing.email" not in refusal.message
    for advised in ("billing.peppol_id", "billing.registration", "billing.vat_id", "EM"):
        assert advised in refusal.message
    fixed = attrs.evolve(only_email, registration=PartyId(scheme="0106", value="87654321"))
    (document,) = documents(UBL.export_bytes(_one_buyer_run(fixed), SELLER))
    validate(document, schemas)
    assert_peppol_rules(document)


def test_a_seller_is_addressed_by_its_peppol_id_or_registration_never_its_e_mail() -> None:
    """seller_peppol_id wins over seller_registration; a seller with neither is refused."""
    options = {
        **SELLER,
        "seller_peppol_id": "00000001003214345000",
        "seller_peppol_scheme": "0190",
    }
    (document,) = documents(
        UBL.export_bytes(
            _one_buyer_run(BillingDetails(address=_ADDRESS, registration=_KBO)), options
        )
    )
    assert _endpoint(document, _SELLER_ENDPOINT) == ("0190", "00000001003214345000")
    belgian = {
        **SELLER,
        "seller_country": "BE",
        "seller_vat_id": "",
        "seller_registration": "",
    }
    refused = UBL.refusals(
        _one_buyer_run(BillingDetails(address=_ADDRESS, registration=_KBO)), belgian
    )
    fields = {r.field for r in refused if r.account is None}
    assert "seller_registration" in fields
    message = next(r.message for r in refused if r.field == "seller_registration")
    assert "seller_peppol_id" in message
    assert "seller_email" not in message


def _assert_delivered(run: InvoiceRun, schemas: dict[str, Any]) -> list[Any]:
    """Every non-zero account invoice has a document passing the XSD and every rule."""
    written = documents(UBL.export_bytes(run, SELLER))
    assert UBL.refusals(run, SELLER) == ()
    by_number = {d.findtext("cbc:ID", namespaces=NS): d for d in written}
    for invoice in run.invoices:
        document = by_number.get(f"2026-10-{invoice.account.number}")
        if invoice.total == 0:
            assert document is None, "a zero total is no document"
            continue
        assert document is not None
        validate(document, schemas)
        assert_no_empty_elements(document)
        assert_en16931_totals(document)
        assert_peppol_rules(document)
        payable = document.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
        assert Decimal(payable) == abs(invoice.total)
    return written


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(run=peppol_runs())
def test_generated_runs_give_documents_peppol_delivers(
    run: InvoiceRun, schemas: dict[str, Any]
) -> None:
    """Every VAT rate and category, credit notes, half cents and unicode pass every rule."""
    _assert_delivered(run, schemas)


def test_returns_that_cancel_the_quantity_but_not_the_cents_keep_r120(
    schemas: dict[str, Any],
) -> None:
    """Half portions sold one by one and returned at once: quantity 0, a cent amount, R120."""
    ledger = MemoryLedger()
    billing = BillingDetails(
        address=_ADDRESS, registration=PartyId(scheme="0106", value="12345678")
    )
    open_account(
        ledger, Account(number="1042", name="Team A", limit=1000, billing=billing), actor=ADMIN
    )
    soup = Vat.standard("0.09")
    for day in range(1, 21):
        # Each half portion of 2.345 is rounded to 1.17 on its own (DESIGN §3).
        lines = [
            Line(product="Soup", quantity="0.5", unit_price="2.345", vat=soup),
            Line(product="Bread", quantity=1, unit_price="2.00", vat=soup),
        ]
        at = RUN_AT.replace(month=10, day=day).astimezone(AMS)
        ledger.record(Purchase(account="1042", id=f"tx-{day}", at=at, lines=lines))
    returned = Line(product="Soup", quantity=-10, unit_price="2.345", vat=soup)
    at = RUN_AT.replace(month=10, day=25).astimezone(AMS)
    ledger.record(Purchase(account="1042", id="tx-back", at=at, lines=[returned]))
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042"], "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    (soup_row,) = [p for p in run.invoices[0].statement.products if p.product == "Soup"]
    assert (soup_row.quantity, soup_row.amount) == (0, Decimal("-0.05"))
    (document,) = _assert_delivered(run, schemas)
    (line,) = [
        line
        for line in document.iterfind("cac:InvoiceLine", namespaces=NS)
        if line.findtext("cac:Item/cbc:Name", namespaces=NS) == "Soup"
    ]
    assert "quantities sold and returned cancel out" in line.findtext("cbc:Note", namespaces=NS)


def test_a_month_of_1500_receipts_gives_one_deliverable_invoice(
    schemas: dict[str, Any],
) -> None:
    """1,500 receipts at every taxed VAT give one invoice that keeps every rule."""
    (document,) = _assert_delivered(many_receipts_run(1500), schemas)
    categories = document.findall(
        "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", namespaces=NS
    )
    assert sorted({c.text for c in categories}) == ["AE", "E", "S", "Z"]

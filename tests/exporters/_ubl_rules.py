"""Reading UBL exports back, and the EN 16931 arithmetic rules checked by our own code."""

from __future__ import annotations

import io
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import minor_unit

#: The OASIS UBL 2.1 run-time schemas, copied into the tests' data with their notice.
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas" / "ubl-2.1"
#: Hand-made valid Peppol documents (see their NOTICE.txt).
EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "peppol"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
CENT = Decimal("0.01")


def load_schemas() -> dict[str, Any]:
    """The UBL 2.1 Invoice and CreditNote schemas, compiled, by root element name."""
    maindoc = SCHEMAS / "xsdrt" / "maindoc"
    assert maindoc.is_dir(), f"the UBL 2.1 schemas are missing: no {maindoc.resolve()}"
    return {
        name: etree.XMLSchema(etree.parse(str(maindoc / f"UBL-{name}-2.1.xsd")))
        for name in ("Invoice", "CreditNote")
    }


def members(data: bytes) -> dict[str, bytes]:
    """The members of a zip export by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def documents(data: bytes) -> list[Any]:
    """The XML documents of a ``ubl`` export, parsed, in member order."""
    return [etree.fromstring(xml) for name, xml in members(data).items() if name.endswith(".xml")]


def root_name(document: Any) -> str:
    """``Invoice`` or ``CreditNote``."""
    return str(etree.QName(document).localname)


def validate(document: Any, schemas: dict[str, Any]) -> None:
    """Fail with the schema's errors unless ``document`` is valid UBL 2.1."""
    schema = schemas[root_name(document)]
    assert schema.validate(document), f"{document.findtext('cbc:ID', namespaces=NS)}: " + str(
        schema.error_log
    )


def money(node: Any, path: str) -> Decimal:
    """The amount at ``path``; amounts have two decimals at most (BR-DEC)."""
    text = node.findtext(path, namespaces=NS)
    assert text is not None, f"no {path}"
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), f"{path} {text!r} is not a number"
    assert exponent >= -2, f"{path} {text} has more than two decimals (BR-DEC)"
    return value


def _category(node: Any) -> tuple[str, Decimal]:
    percent = node.findtext("cbc:Percent", namespaces=NS)
    return node.findtext("cbc:ID", namespaces=NS), Decimal(percent or 0)


def lines(document: Any) -> list[Any]:
    """The invoice or credit note lines."""
    tag = "cac:CreditNoteLine" if root_name(document) == "CreditNote" else "cac:InvoiceLine"
    return list(document.findall(tag, namespaces=NS))


def assert_no_empty_elements(document: Any) -> None:
    """No element is empty or only white space (Peppol PEPPOL-EN16931-R008)."""
    for element in document.iter():
        has_text = bool((element.text or "").strip())
        assert has_text or len(element), f"empty element {etree.QName(element).localname}"


def assert_en16931_totals(document: Any) -> None:
    """The document's totals keep the EN 16931 arithmetic rules; fail naming the rule.

    BR-CO-10: Σ line net amounts = line extension amount; BR-CO-13: tax exclusive = line
    extension (no allowances or charges); BR-CO-14: VAT total = Σ subtotal VAT; BR-CO-15
    and BR-CO-16: tax exclusive + VAT = tax inclusive = payable; BR-S-08 and kin: each
    subtotal's taxable amount = Σ line nets of its category and rate; BR-CO-17: subtotal
    VAT = taxable × rate, rounded, within one minor unit (a cent; a yen for JPY), and
    within the unit Peppol's schematron allows at two decimals; zero VAT outside category S; BR-27:
    prices not negative; Peppol R120: quantity × price within 0.02 of the line net.
    """
    number = document.findtext("cbc:ID", namespaces=NS)
    quantum = minor_unit(document.findtext("cbc:DocumentCurrencyCode", namespaces=NS))
    quantity_tag = (
        "cbc:CreditedQuantity" if root_name(document) == "CreditNote" else "cbc:InvoicedQuantity"
    )
    nets: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines(document):
        net = money(line, "cbc:LineExtensionAmount")
        key = _category(line.find("cac:Item/cac:ClassifiedTaxCategory", namespaces=NS))
        nets[key] = nets.get(key, Decimal(0)) + net
        price = Decimal(line.findtext("cac:Price/cbc:PriceAmount", namespaces=NS))
        quantity = Decimal(line.findtext(quantity_tag, namespaces=NS))
        assert price >= 0, f"{number}: BR-27 negative price {price}"
        assert abs(quantity * price - net) <= Decimal("0.02"), (
            f"{number}: R120 {quantity} x {price} is not {net}"
        )
    totals = document.find("cac:LegalMonetaryTotal", namespaces=NS)
    extension = money(totals, "cbc:LineExtensionAmount")
    exclusive = money(totals, "cbc:TaxExclusiveAmount")
    inclusive = money(totals, "cbc:TaxInclusiveAmount")
    payable = money(totals, "cbc:PayableAmount")
    assert sum(nets.values(), Decimal(0)) == extension, f"{number}: BR-CO-10"
    assert exclusive == extension, f"{number}: BR-CO-13"
    (tax_total,) = document.findall("cac:TaxTotal", namespaces=NS)
    tax = money(tax_total, "cbc:TaxAmount")
    subtotals = tax_total.findall("cac:TaxSubtotal", namespaces=NS)
    assert tax == sum((money(s, "cbc:TaxAmount") for s in subtotals), Decimal(0)), "BR-CO-14"
    assert exclusive + tax == inclusive == payable, f"{number}: BR-CO-15/16"
    seen = set()
    for subtotal in subtotals:
        key = _category(subtotal.find("cac:TaxCategory", namespaces=NS))
        assert key not in seen, f"{number}: two subtotals for {key}"
        seen.add(key)
        taxable = money(subtotal, "cbc:TaxableAmount")
        vat = money(subtotal, "cbc:TaxAmount")
        assert taxable == nets.get(key, Decimal(0)), f"{number}: BR-{key[0]}-08 for {key}"
        exact = taxable * key[1] / 100
        expected = exact.quantize(quantum, rounding=ROUND_HALF_UP)
        assert abs(vat - expected) <= quantum, f"{number}: BR-CO-17 {vat} vs {expected} for {key}"
        # Peppol's schematron checks BR-CO-17 at two decimals, within one unit.
        assert abs(vat - exact.quantize(CENT, rounding=ROUND_HALF_UP)) < 1
        if key[0] != "S":
            assert vat == 0, f"{number}: VAT {vat} in category {key[0]}"
    assert seen == set(nets), f"{number}: lines without a subtotal"


# The Peppol rules we depend on, written out from Peppol BIS Billing 3.0 (its 2025 and
# 2026 releases), its common identifier rules and the Dutch national rules, and from
# the EN 16931 VAT category rules. The official Schematron files are not available
# offline; these checks are ours, each named after the rule it encodes.

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
#: The Electronic Address Scheme codes an EndpointID may use (PEPPOL-EN16931-CL008);
#: the ones a party of ours can have. ``EM`` is absent: Peppol accepts no e-mail address.
_EAS_CODES = (
    "0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0151 0183 0184 0188 0190 "
    "0191 0192 0193 0195 0196 0198 0199 0200 0201 0202 0204 0208 0209 0210 0211 0212 0213 "
    "9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 "
    "9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 "
    "9949 9950 9951 9952 9953 9957 9959"
)
EAS = frozenset(_EAS_CODES.split())
_CATEGORY_REASON = {"E", "AE", "O", "K", "G"}


def _kbo_ok(value: str) -> bool:
    return len(value) == 10 and value.isdigit() and 97 - int(value[:8]) % 97 == int(value[8:])


def _gln_ok(value: str) -> bool:
    if len(value) != 13 or not value.isdigit():
        return False
    weights = [3 if i % 2 == 0 else 1 for i in range(12)]
    total = sum(int(d) * w for d, w in zip(reversed(value[:12]), weights, strict=True))
    return (10 - total % 10) % 10 == int(value[12])


def _identifier_problems(scheme: str | None, value: str) -> list[str]:
    """The common rules on an identifier's format by scheme."""
    checks = {
        "0088": (_gln_ok, "PEPPOL-COMMON-R040 GLN"),
        "0208": (_kbo_ok, "PEPPOL-COMMON-R043 KBO/BCE"),
        "0106": (lambda v: len(v) == 8 and v.isdigit(), "PEPPOL-COMMON-R054 KvK"),
        "0190": (lambda v: len(v) == 20 and v.isdigit(), "PEPPOL-COMMON-R055 OIN"),
        "9925": (lambda v: v[:2] == "BE" and _kbo_ok(v[2:]), "Belgian VAT (9925)"),
        "9944": (
            lambda v: len(v) == 14 and v[:2] == "NL" and v[2:11].isdigit() and v[11] == "B",
            "Dutch VAT (9944)",
        ),
    }
    if scheme in checks:
        check, rule = checks[scheme]
        if not check(value):
            return [f"{rule}: {value!r} is malformed"]
    return []


def peppol_problems(document: Any) -> list[str]:
    """Every Peppol BIS 3.0 / EN 16931 rule ``document`` breaks, named; empty when none."""
    problems: list[str] = []
    find = document.findtext
    credit = root_name(document) == "CreditNote"
    if find("cbc:CustomizationID", namespaces=NS) != CUSTOMIZATION:
        problems.append("PEPPOL-EN16931-R004: not the Peppol BIS 3.0 customization")
    if find("cbc:ProfileID", namespaces=NS) != PROFILE:
        problems.append("PEPPOL-EN16931-R007: not the billing process")
    type_code = find("cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", namespaces=NS)
    if type_code not in ({"381", "396", "81", "83", "532"} if credit else {"380", "383", "386"}):
        problems.append(f"PEPPOL-EN16931-P0100/P0101: type code {type_code}")
    if len(document.findall("cbc:Note", namespaces=NS)) > 1:
        problems.append("PEPPOL-EN16931-R002: more than one note")
    if not (find("cbc:BuyerReference", namespaces=NS) or "").strip():
        problems.append("PEPPOL-EN16931-R003: no buyer reference")
    currency = find("cbc:DocumentCurrencyCode", namespaces=NS)
    if find("cbc:TaxCurrencyCode", namespaces=NS) == currency:
        problems.append("PEPPOL-EN16931-R005: VAT accounting currency = invoice currency")
    parties = {
        "seller": document.find("cac:AccountingSupplierParty/cac:Party", namespaces=NS),
        "buyer": document.find("cac:AccountingCustomerParty/cac:Party", namespaces=NS),
    }
    countries = {}
    vat_ids = {}
    legal = {}
    for role, party in parties.items():
        rule = "R020" if role == "seller" else "R010"
        endpoint = party.find("cbc:EndpointID", namespaces=NS)
        if endpoint is None or not (endpoint.text or "").strip():
            problems.append(f"PEPPOL-EN16931-{rule}: the {role} has no electronic address")
        else:
            scheme = endpoint.get("schemeID")
            if scheme not in EAS:
                problems.append(f"PEPPOL-EN16931-CL008: {role} endpoint scheme {scheme!r}")
        for node in party.iter():
            scheme = node.get("schemeID")
            if scheme is not None and node.text:
                problems.extend(f"{role}: {p}" for p in _identifier_problems(scheme, node.text))
        countries[role] = party.findtext(
            "cac:PostalAddress/cac:Country/cbc:IdentificationCode", namespaces=NS
        )
        vat_ids[role] = party.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS)
        legal[role] = party.find("cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS)
        vat = vat_ids[role]
        if vat is not None and not (len(vat) > 2 and vat[:2].isalpha() and vat[:2].isupper()):
            problems.append(f"BR-CO-09: {role} VAT id {vat!r} has no country prefix")
    seller, buyer = parties["seller"], parties["buyer"]
    if vat_ids["seller"] is None and legal["seller"] is None:
        problems.append("BR-CO-26: the seller has neither a VAT id nor a legal registration")
    if countries["seller"] == "NL":
        if legal["seller"] is None or legal["seller"].get("schemeID") not in {"0106", "0190"}:
            problems.append("NL-R-003: a Dutch seller's legal registration is not KvK or OIN")
        for field in ("StreetName", "CityName", "PostalZone"):
            if not seller.findtext(f"cac:PostalAddress/cbc:{field}", namespaces=NS):
                problems.append(f"NL-R-002: the Dutch seller's address has no {field}")
        if credit and document.find("cac:BillingReference", namespaces=NS) is None:
            problems.append("NL-R-001: a Dutch seller's credit note names no invoice")
        if countries["buyer"] == "NL":
            for field in ("StreetName", "CityName", "PostalZone"):
                if not buyer.findtext(f"cac:PostalAddress/cbc:{field}", namespaces=NS):
                    problems.append(f"NL-R-004: the Dutch buyer's address has no {field}")
            if legal["buyer"] is not None and legal["buyer"].get("schemeID") not in {
                "0106",
                "0190",
            }:
                problems.append("NL-R-005: a Dutch buyer's legal registration is not KvK or OIN")
    means = document.find("cac:PaymentMeans", namespaces=NS)
    if means is not None:
        code = means.findtext("cbc:PaymentMeansCode", namespaces=NS)
        if code == "59" and not means.findtext("cac:PaymentMandate/cbc:ID", namespaces=NS):
            problems.append("PEPPOL-EN16931-R061: a direct debit without mandate reference")
        if code in {"30", "58"} and not means.findtext(
            "cac:PayeeFinancialAccount/cbc:ID", namespaces=NS
        ):
            problems.append("BR-61: a credit transfer without the payee's account")
    problems.extend(_vat_category_problems(document, vat_ids))
    return problems


def _vat_category_problems(document: Any, vat_ids: dict[str, str | None]) -> list[str]:
    """EN 16931's rules per VAT category (BR-S, BR-Z, BR-E, BR-AE, BR-O)."""
    problems = []
    tagged = [
        *(
            ("line", node)
            for node in document.iterfind(".//cac:Item/cac:ClassifiedTaxCategory", namespaces=NS)
        ),
        *(
            ("subtotal", node)
            for node in document.iterfind(
                "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", namespaces=NS
            )
        ),
    ]
    categories = set()
    for where, node in tagged:
        category = node.findtext("cbc:ID", namespaces=NS)
        categories.add(category)
        percent = node.findtext("cbc:Percent", namespaces=NS)
        reason = node.findtext("cbc:TaxExemptionReason", namespaces=NS) or node.findtext(
            "cbc:TaxExemptionReasonCode", namespaces=NS
        )
        if category == "O":
            if percent is not None:
                problems.append(f"BR-O-05/BR-O-06: {where} in category O has a rate")
        elif percent is None:
            problems.append(f"BR-{category}-05: {where} in category {category} has no rate")
        elif category == "S" and Decimal(percent) <= 0:
            problems.append(f"BR-S-05: {where} in category S at {percent} %")
        elif category in {"Z", "E", "AE", "K", "G"} and Decimal(percent) != 0:
            problems.append(f"BR-{category}-05: {where} in category {category} at {percent} %")
        if where == "subtotal":
            if category in _CATEGORY_REASON and not reason:
                problems.append(f"BR-{category}-10: category {category} without a reason")
            if category in {"S", "Z"} and reason:
                problems.append(f"BR-{category}-10: category {category} with a reason")
    if categories & {"S", "Z", "E", "AE"} and vat_ids["seller"] is None:
        problems.append("BR-S/Z/E/AE-02: VAT is charged without the seller's VAT id")
    if "AE" in categories and vat_ids["buyer"] is None:
        problems.append("BR-AE-02: reverse charge without the buyer's VAT id")
    if "O" in categories:
        if len(categories) > 1:
            problems.append(f"BR-O-11..14: category O beside {sorted(categories - {'O'})}")
        if vat_ids["seller"] is not None or vat_ids["buyer"] is not None:
            problems.append("BR-O-02: category O with a seller or buyer VAT id")
    return problems


def assert_peppol_rules(document: Any) -> None:
    """Fail, naming every rule, unless ``document`` keeps the Peppol rules we depend on."""
    number = document.findtext("cbc:ID", namespaces=NS)
    problems = peppol_problems(document)
    assert not problems, f"{number}: " + "; ".join(problems)

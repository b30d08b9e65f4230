"""Reading UBL exports back, and the EN 16931 arithmetic rules checked by our own code."""

from __future__ import annotations

import io
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import minor_unit

#: The UBL 2.1 schemas (OASIS; see NOTICE.txt there), kept with the tests so a clone has them.
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas" / "ubl-2.1"
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

"""The xaf exporter: an XML Auditfile Financieel 3.2 of a run, valid against its schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from onaccount import (
    Account,
    InvoiceRun,
    Line,
    MemoryLedger,
    Purchase,
    Vat,
    commit_run,
    open_account,
    plan_run,
    undo_invoice,
)
from onaccount.exporting import InvalidOptions
from onaccount.testing import SAMPLE_PERIOD, ExporterContract
from onaccount_exporters import ExportRefused, JournalExporter, XafExporter
from onaccount_exporters._xaf import fiscal_period
from tests.exporters._billing import (
    ADMIN,
    AMS,
    RUN_AT,
    SELLER,
    billed_run,
    many_receipts_run,
    peppol_runs,
    returns_run,
    zero_run,
)
from tests.exporters._ubl_rules import members
from tests.exporters.test_journal import amount, read

XAF = XafExporter()
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "xaf-3.2"
NS = {"x": "http://www.auditfiles.nl/XAF/3.2"}
#: The seller's identity, as the ubl exporter takes it.
COMPANY = {k: v for k, v in SELLER.items() if k.startswith("seller_") or k == "creditor_id"}


@pytest.fixture(scope="module")
def schema() -> Any:
    """The XAF 3.2 schema, compiled once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA / "XmlAuditfileFinancieel3.2.xsd")))


class TestXafExporter(ExporterContract):
    exporter = XAF
    option_examples = (COMPANY, {**COMPANY, "journal": "VK2", "vat_codes": "{}"})

    def sources(self) -> list[Any]:
        """Runs in euros with the seller's identity to write."""
        return [returns_run(), zero_run()]


def _auditfile(run: InvoiceRun, schema: Any, **options: object) -> Any:
    found = members(XAF.export_bytes(run, {**COMPANY, **options}))
    assert "refused.txt" not in found
    (data,) = found.values()
    root = etree.fromstring(data)
    assert schema.validate(root), str(schema.error_log)
    return root


def _check(run: InvoiceRun, schema: Any) -> None:
    """The auditfile is valid, its transactions are the journal's and fall in its dates."""
    if all(invoice.total == 0 for invoice in run.invoices):
        assert members(XAF.export_bytes(run, COMPANY)) == {}, "nothing to invoice, no file"
        return
    root = _auditfile(run, schema)
    transactions = root.find("x:company/x:transactions", NS)
    lines = transactions.findall("x:journal/x:transaction/x:trLine", NS)
    assert int(transactions.findtext("x:linesCount", namespaces=NS)) == len(lines)
    debit = sum(
        (
            Decimal(line.findtext("x:amnt", namespaces=NS))
            for line in lines
            if line.findtext("x:amntTp", namespaces=NS) == "D"
        ),
        Decimal(0),
    )
    credit = sum(
        (
            Decimal(line.findtext("x:amnt", namespaces=NS))
            for line in lines
            if line.findtext("x:amntTp", namespaces=NS) == "C"
        ),
        Decimal(0),
    )
    _check_vat_on_revenue(root)
    assert Decimal(transactions.findtext("x:totalDebit", namespaces=NS)) == debit
    assert Decimal(transactions.findtext("x:totalCredit", namespaces=NS)) == credit
    assert debit == credit
    booked = list(root.iterfind(".//x:transaction", NS))
    amounts = sum((Decimal(t.findtext("x:amnt", namespaces=NS)) for t in booked), Decimal(0))
    assert amounts == debit, "the transactions' amounts add up to totalDebit"
    journal = read(JournalExporter().export_bytes(run, {"dialect": "rfc4180"}), "rfc4180")
    assert len(journal) == len(lines)
    assert sum((amount(r["debit"]) for r in journal), Decimal(0)) == debit
    entries = {r["entry"] for r in journal}
    numbers = {t.findtext("x:nr", namespaces=NS) for t in root.iterfind(".//x:transaction", NS)}
    assert numbers == entries
    # Every entry falls in the file's own dates and in its period, as checkers demand.
    header = root.find("x:header", NS)
    start, end = (
        header.findtext("x:startDate", namespaces=NS),
        header.findtext("x:endDate", namespaces=NS),
    )
    period = root.find("x:company/x:periods/x:period", NS)
    assert period.findtext("x:startDatePeriod", namespaces=NS) == start
    assert period.findtext("x:endDatePeriod", namespaces=NS) == end
    number = period.findtext("x:periodNumber", namespaces=NS)
    assert {t.findtext("x:periodNumber", namespaces=NS) for t in booked} <= {number}
    dates = [t.findtext("x:trDt", namespaces=NS) for t in booked]
    dates += [line.findtext("x:effDate", namespaces=NS) for line in lines]
    assert all(start <= date <= end for date in dates), (start, end, sorted(set(dates)))


@pytest.mark.parametrize(
    ("first_month", "year", "number"), [(1, "2026", 11), (7, "2026/2027", 5), (11, "2026/2027", 1)]
)
def test_entries_are_booked_in_the_invoice_month_of_the_fiscal_year(
    schema: Any, first_month: int, year: str, number: int
) -> None:
    """Invoiced on 1 November, the entries are in November: period 11, or 5 from July."""
    root = _auditfile(many_receipts_run(3), schema, fiscal_year_start=first_month)
    header = root.find("x:header", NS)
    assert header.findtext("x:fiscalYear", namespaces=NS) == year
    assert header.findtext("x:startDate", namespaces=NS) == "2026-11-01"
    assert header.findtext("x:endDate", namespaces=NS) == "2026-11-30"
    (period,) = root.iterfind("x:company/x:periods/x:period", NS)
    assert period.findtext("x:periodNumber", namespaces=NS) == str(number)
    assert period.findtext("x:periodDesc", namespaces=NS) == "2026-11"
    numbers = {
        t.findtext("x:periodNumber", namespaces=NS) for t in root.iterfind(".//x:transaction", NS)
    }
    assert numbers == {str(number)}


@pytest.mark.parametrize(
    ("day", "first_month", "expected"),
    [
        (dt.date(2027, 1, 1), 1, ("2027", 1, dt.date(2027, 1, 1), dt.date(2027, 1, 31))),
        (dt.date(2027, 1, 1), 7, ("2026/2027", 7, dt.date(2027, 1, 1), dt.date(2027, 1, 31))),
        (dt.date(2028, 2, 3), 3, ("2027/2028", 12, dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
        (dt.date(2026, 12, 31), 1, ("2026", 12, dt.date(2026, 12, 1), dt.date(2026, 12, 31))),
    ],
)
def test_the_fiscal_period_of_a_day_crosses_years_as_the_fiscal_year_does(
    day: dt.date, first_month: int, expected: tuple[str, int, dt.date, dt.date]
) -> None:
    """A December run invoiced on 1 January is in the new calendar year, in the same season."""
    assert fiscal_period(day, first_month) == expected


def test_a_fiscal_year_start_outside_the_months_is_refused() -> None:
    """fiscal_year_start=13 is refused naming the option and what to give."""
    with pytest.raises(
        InvalidOptions, match="'fiscal_year_start' 13 must be a month from 1 to 12"
    ):
        XAF.options({**COMPANY, "fiscal_year_start": 13})


def _signed(node: Any, amount: str, kind: str) -> Decimal:
    value = Decimal(node.findtext(amount, namespaces=NS))
    return value if node.findtext(kind, namespaces=NS) == "D" else -value


def _check_vat_on_revenue(root: Any) -> None:
    """Each revenue line names its VAT code; per code they carry the VAT the entry posts."""
    company = root.find("x:company", NS)
    listed = {c.findtext("x:vatID", namespaces=NS) for c in company.iterfind(".//x:vatCode", NS)}
    kinds = {
        a.findtext("x:accID", namespaces=NS): a.findtext("x:accDesc", namespaces=NS)
        for a in company.iterfind(".//x:ledgerAccount", NS)
    }
    for transaction in company.iterfind(".//x:transaction", NS):
        carried: dict[str, Decimal] = {}
        posted = Decimal(0)
        for line in transaction.iterfind("x:trLine", NS):
            account = line.findtext("x:accID", namespaces=NS)
            vats = line.findall("x:vat", NS)
            if line.find("x:custSupID", NS) is not None:
                assert vats == [], "the debtor's line carries no VAT"
            elif kinds[account].startswith(("Btw", "VAT")):
                assert vats == [], "the VAT line is the VAT; its amount is not repeated"
                posted += _signed(line, "x:amnt", "x:amntTp")
            else:
                (vat,) = vats
                code = vat.findtext("x:vatID", namespaces=NS)
                assert code in listed, f"vat code {code} is not in vatCodes"
                carried[code] = carried.get(code, Decimal(0)) + _signed(
                    vat, "x:vatAmnt", "x:vatAmntTp"
                )
        assert sum(carried.values(), Decimal(0)) == posted


def test_revenue_lines_carry_their_vat_code_zero_rates_too(schema: Any) -> None:
    """Exempt and zero-rated revenue names its code, and every code used is listed."""
    codes = (
        '{"S 21%": "VH", "S 9%": "VL", "S 6%": "VL6", "S 12%": "V12",'
        ' "E 0%": "VV", "Z 0%": "V0", "AE 0%": "VR"}'
    )
    root = _auditfile(many_receipts_run(40), schema, vat_codes=codes)
    _check_vat_on_revenue(root)
    company = root.find("x:company", NS)
    listed = {c.findtext("x:vatID", namespaces=NS) for c in company.iterfind(".//x:vatCode", NS)}
    assert {"VV", "V0"} <= listed, listed


def test_a_run_gives_an_auditfile_the_schema_accepts(schema: Any) -> None:
    """A month of 1,500 receipts and a credit note give valid auditfiles matching the journal."""
    _check(many_receipts_run(300), schema)
    _check(returns_run(), schema)


def test_a_transaction_amount_is_its_total_debit_and_they_add_up_to_total_debit(
    schema: Any,
) -> None:
    """With returns booked as debits on revenue, amnt is the entry's debit, not the debtor's."""
    root = _auditfile(returns_run(), schema)
    transactions = root.find("x:company/x:transactions", NS)
    booked = list(transactions.iterfind("x:journal/x:transaction", NS))
    for transaction in booked:
        lines = transaction.findall("x:trLine", NS)
        sides = {
            side: sum(
                (
                    Decimal(line.findtext("x:amnt", namespaces=NS))
                    for line in lines
                    if line.findtext("x:amntTp", namespaces=NS) == side
                ),
                Decimal(0),
            )
            for side in "DC"
        }
        assert transaction.findtext("x:amnt", namespaces=NS) == "5.50"
        assert Decimal(transaction.findtext("x:amnt", namespaces=NS)) == sides["D"] == sides["C"]
        assert transaction.findtext("x:amntTp", namespaces=NS) == "D"
    amounts = sum((Decimal(t.findtext("x:amnt", namespaces=NS)) for t in booked), Decimal(0))
    assert amounts == Decimal(transactions.findtext("x:totalDebit", namespaces=NS))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(run=peppol_runs())
def test_generated_runs_give_valid_auditfiles(run: InvoiceRun, schema: Any) -> None:
    """Every VAT rate, credit notes and unicode names give a valid, balanced auditfile."""
    _check(run, schema)


def test_the_company_debtors_and_vat_codes_are_in_the_auditfile(schema: Any) -> None:
    """The seller is the company; each debtor and each VAT code the entries use is listed."""
    root = _auditfile(returns_run(), schema, vat_codes='{"S 21%": "VH", "S 9%": "VL"}')
    company = root.find("x:company", NS)
    assert company.findtext("x:companyName", namespaces=NS) == "Sportvereniging De Zwaluwen"
    assert company.findtext("x:taxRegIdent", namespaces=NS) == "NL001234567B01"
    assert company.findtext("x:companyIdent", namespaces=NS) == "12345678"
    (debtor,) = company.findall("x:customersSuppliers/x:customerSupplier", NS)
    assert debtor.findtext("x:custSupID", namespaces=NS) == "1042"
    assert debtor.findtext("x:taxRegIdent", namespaces=NS) == "NL123456789B01"
    codes = {c.findtext("x:vatID", namespaces=NS) for c in company.iterfind(".//x:vatCode", NS)}
    assert codes == {"VH", "VL"}


def test_accounts_in_another_currency_are_refused_naming_them() -> None:
    """An auditfile keeps one currency: a yen account is left out and listed, or raises."""
    found = members(XAF.export_bytes(billed_run(), COMPANY))
    assert sorted(found) == ["2026-10.xaf", "refused.txt"]
    assert b"<custSupID>3003</custSupID>" not in found["2026-10.xaf"]
    assert "3003\tcurrency\t" in found["refused.txt"].decode()
    with pytest.raises(ExportRefused, match="3003") as caught:
        XAF.export_bytes(billed_run(), {**COMPANY, "on_refusal": "raise"})
    assert {r.field for r in caught.value.refusals} == {"currency"}


def test_a_company_without_name_or_vat_id_is_refused() -> None:
    """XAF needs the company's name and VAT id: without them nothing is written."""
    assert list(members(XAF.export_bytes(returns_run()))) == ["refused.txt"]
    with pytest.raises(ExportRefused) as caught:
        XAF.export_bytes(returns_run(), {"on_refusal": "raise"})
    assert {r.field for r in caught.value.refusals} == {"seller_name", "seller_vat_id"}


def test_a_vat_account_holding_several_rates_is_described_by_all_of_them(schema: Any) -> None:
    """One GL account for every rate is described by all of them, not the first rate seen."""
    root = _auditfile(many_receipts_run(5), schema)
    accounts = {
        a.findtext("x:accID", namespaces=NS): a.findtext("x:accDesc", namespaces=NS)
        for a in root.iterfind(".//x:ledgerAccount", NS)
    }
    assert accounts == {
        "1300": "Debiteuren",
        "1500": "Btw S 6%, S 9%, S 12%, S 21%",
        "8000": "Omzet",
    }


def test_transactions_dated_at_the_period_end_fall_in_the_periods_month(schema: Any) -> None:
    """entry_date=period-end: trDt, effDate and the period are October's, as the journal's."""
    root = _auditfile(returns_run(), schema, entry_date="period-end")
    header = root.find("x:header", NS)
    assert (
        header.findtext("x:startDate", namespaces=NS),
        header.findtext("x:endDate", namespaces=NS),
    ) == (
        "2026-10-01",
        "2026-10-31",
    )
    dates = {t.findtext("x:trDt", namespaces=NS) for t in root.iterfind(".//x:transaction", NS)}
    dates |= {
        line.findtext("x:effDate", namespaces=NS) for line in root.iterfind(".//x:trLine", NS)
    }
    assert dates == {"2026-10-31"}
    periods = {
        t.findtext("x:periodNumber", namespaces=NS) for t in root.iterfind(".//x:transaction", NS)
    }
    assert periods == {"10"}
    assert header.findtext("x:dateCreated", namespaces=NS) == "2026-11-01", "the invoice date"


def test_an_auditfile_after_an_undo_is_dated_the_day_of_the_undo(schema: Any) -> None:
    """The run exported again after an undo holds less: its dateCreated tells it apart."""
    ledger = MemoryLedger()
    for number in ("1042", "2001"):
        open_account(ledger, Account(number=number, name=f"Team {number}", limit=200), actor=ADMIN)
        ledger.record(
            Purchase(
                account=number,
                id=f"tx-{number}",
                at=dt.datetime(2026, 10, 3, 21, tzinfo=AMS),
                lines=(
                    Line(product="Beer", quantity=2, unit_price="2.75", vat=Vat.standard("0.21")),
                ),
            )
        )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["1042", "2001"], "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    created = "x:header/x:dateCreated"
    assert _auditfile(run, schema).findtext(created, namespaces=NS) == "2026-11-01"
    # Undone at 23:30 UTC on 2 December: 3 December in Amsterdam.
    undo_at = dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC)
    undo_invoice(ledger, run.id, "2001", actor=ADMIN, reason="billed twice", at=undo_at)
    after = _auditfile(ledger.run(run.id), schema)
    assert after.findtext(created, namespaces=NS) == "2026-12-03"

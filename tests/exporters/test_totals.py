"""One rule for zero and negative totals, the same in the ubl, sepa and journal formats."""

from __future__ import annotations

import csv
import io

from onaccount_exporters import JournalExporter, SepaExporter, UblExporter
from tests.exporters._billing import CREDITOR, SELLER, returns_run, zero_run
from tests.exporters._ubl_rules import NS, documents, root_name

UBL = UblExporter()
SEPA = SepaExporter()
JOURNAL = JournalExporter()


def _journal_debtors(data: bytes) -> set[str]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    return {row["debtor"] for row in rows}


def test_a_zero_total_is_no_document_and_no_refusal_in_any_format() -> None:
    """An account whose returns cancel its purchases gets no invoice, entry or debit."""
    run = zero_run()
    written = [
        d.findtext("cbc:ID", namespaces=NS) for d in documents(UBL.export_bytes(run, SELLER))
    ]
    assert written == ["2026-10-2001"]
    assert UBL.refusals(run, SELLER) == ()
    assert _journal_debtors(JOURNAL.export_bytes(run)) == {"2001"}
    assert SEPA.refusals(run, CREDITOR) == ()


def test_a_negative_total_is_a_credit_note_in_every_format() -> None:
    """UBL writes a CreditNote, the journal credits the debtor, SEPA leaves it out saying why."""
    run = returns_run()
    (document,) = documents(UBL.export_bytes(run, SELLER))
    assert root_name(document) == "CreditNote"
    rows = list(
        csv.DictReader(
            io.StringIO(JOURNAL.export_bytes(run).decode("utf-8-sig"), newline=""), delimiter=";"
        )
    )
    debtor = next(row for row in rows if row["gl_account"] == "1300")
    assert (debtor["debit"], debtor["credit"]) == ("", "3,10")
    (refusal,) = SEPA.refusals(run, CREDITOR)
    assert (refusal.account, refusal.field) == ("1042", "total")
    assert "credit note" in refusal.message
    assert "a collection cannot be negative" in refusal.message


def test_every_format_reports_a_zero_total_as_nothing_to_invoice() -> None:
    """The export report of ubl, sepa and journal lists the zero account, not as refused."""
    run = zero_run()
    for exporter, options in ((UBL, SELLER), (SEPA, CREDITOR), (JOURNAL, {})):
        report = exporter.export(run, io.BytesIO(), options)
        assert report.nothing_to_invoice == ("1042",), exporter.identifier
        assert "1042" not in report.refused_accounts()

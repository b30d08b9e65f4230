"""The debtors exporter: the relations an accounting package wants before the entries."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from onaccount.exporting import export_files
from onaccount.testing import ExporterContract
from onaccount_exporters import DebtorsExporter, JournalExporter
from tests.exporters._billing import billed_run, zero_run

DEBTORS = DebtorsExporter()


class TestDebtorsExporter(ExporterContract):
    exporter = DEBTORS
    option_examples = ({"dialect": "rfc4180"}, {"header": False})


def _read(data: bytes, dialect: str = "excel-nl") -> list[dict[str, str]]:
    text, delimiter = (
        (data.decode("utf-8-sig"), ";") if dialect == "excel-nl" else (data.decode(), ",")
    )
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("dialect", ["excel-nl", "rfc4180"])
def test_every_journal_debtor_has_its_master_data(dialect: str) -> None:
    """Each debtor of the journal has one row: number, name, address, e-mail, VAT id, IBAN."""
    run = billed_run()
    rows = _read(DEBTORS.export_bytes(run, {"dialect": dialect}), dialect)
    journal = JournalExporter().export_bytes(run, {"dialect": dialect})
    debtors = {row["debtor"] for row in _read(journal, dialect)}
    assert [row["number"] for row in rows] == sorted(debtors)
    dutch = next(row for row in rows if row["number"] == "1042")
    assert dutch == {
        "number": "1042",
        "name": "Team A (Hockey)",
        "street": "Dorpsstraat 1",
        "postal_code": "1234 AB",
        "city": "Amsterdam",
        "country": "NL",
        "email": "treasurer@example.org",
        "vat_id": "NL123456789B01",
        "registration": "",
        "peppol_id": "",
        "iban": "NL20INGB0001234567",
        "bic": "INGBNL2A",
        "currency": "EUR",
    }


def test_accounts_with_nothing_to_invoice_are_no_debtors() -> None:
    """A zero total has no journal entry, so its account is not listed either."""
    assert [row["number"] for row in _read(DEBTORS.export_bytes(zero_run()))] == ["2001"]


@pytest.mark.parametrize("exporter", [JournalExporter(), DebtorsExporter()], ids=str)
def test_file_names_carry_the_dialect_and_header_given_besides_the_defaults(
    exporter: JournalExporter | DebtorsExporter, tmp_path: Path
) -> None:
    """An rfc4180 or headerless journal or debtors file is written beside the Dutch one."""
    kind = exporter.identifier
    given: list[dict[str, object]] = [{}, {"dialect": "rfc4180"}, {"header": False}]
    written = [export_files(exporter, billed_run(), tmp_path, options) for options in given]
    assert [path.name for report in written for path in report.paths] == [
        f"run-2026-10-2026-10.{kind}.csv",
        f"run-2026-10-2026-10-rfc4180.{kind}.csv",
        f"run-2026-10-2026-10-no-header.{kind}.csv",
    ]

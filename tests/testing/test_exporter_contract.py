"""The ExporterContract helpers: formula detection, isolated registries, fake distributions."""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path
from typing import BinaryIO

import attrs
import openpyxl
import pytest
from hypothesis import settings

from onaccount.exporting import (
    Exportable,
    ExportDocument,
    Exporter,
    ExportOptions,
    ExportRefusal,
    ExportReport,
    load_exporters,
)
from onaccount.ledger import Ledger
from onaccount.testing import ExporterContract
from onaccount.testing._contract import formula_cells
from onaccount.testing._registry import entry_points_from, isolated_registry, write_distribution
from onaccount.testing._samples import (
    FORMULA_PRODUCT,
    sample_ledger,
    sample_run,
    sample_statement,
)
from onaccount_exporters import CsvExporter, XlsxExporter

# The samples' statement, plan and run read their purchases back from this ledger.
SAMPLES = sample_ledger()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_formula_cells_finds_raw_formulas_in_csv_but_not_numbers() -> None:
    """Unneutralised =, +, @ and - text is found in CSV; negative numbers are not."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(
        [["name", "amount"], ["=SUM(A1)", "-5,60"], ["@x", "-1"], ["'=ok", "+cmd|x"]]
    )
    found = formula_cells(buffer.getvalue().encode(), "text/csv")
    assert found == ["=SUM(A1)", "@x", "+cmd|x"]


@pytest.mark.parametrize(
    "media_type",
    ["application/vnd.ms-excel", "text/csv; charset=utf-8", "text/plain", "application/x-csv"],
)
def test_formula_cells_reads_csv_under_other_media_types_too(media_type: str) -> None:
    """CSV declared as Excel, with a charset or as plain text is checked cell by cell."""
    data = b"account,name,total\r\n1042,Team A,=SUM(A1)\r\n"
    assert formula_cells(data, media_type) == ["=SUM(A1)"]


def test_formula_cells_looks_into_zips_of_tables() -> None:
    """A zip's CSV and XLSX members are checked; its XML members hold no cells."""
    book = openpyxl.Workbook()
    book.active.append(["=HYPERLINK(1)"])
    workbook = io.BytesIO()
    book.save(workbook)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as written:
        written.writestr("lines.csv", "name;total\r\n@cmd;1\r\n")
        written.writestr("book.xlsx", workbook.getvalue())
        written.writestr("invoice.xml", "<Note>=not a cell</Note>")
    found = formula_cells(archive.getvalue(), "application/zip")
    assert found[0] == "lines.csv: @cmd"
    assert [f for f in found if f.startswith("book.xlsx: ")], found
    assert not [f for f in found if "invoice.xml" in f]


def test_formula_cells_finds_formulas_in_xlsx() -> None:
    """A formula cell or formula-like text in a workbook is found; neutralised text is not."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["=SUM(A1)", "'=fine", -3])
    buffer = io.BytesIO()
    book.save(buffer)
    found = formula_cells(buffer.getvalue(), XLSX_TYPE)
    assert any("formula element" in f for f in found)
    assert any("A1" in f for f in found)
    assert (
        formula_cells(XlsxExporter().export_bytes(sample_run(), ledger=SAMPLES), XLSX_TYPE) == []
    )


def test_formula_cells_lets_the_totals_rows_own_sums_pass_and_nothing_else() -> None:
    """totals=formulas writes SUBTOTAL sums of a column, which are no injected formula."""
    statement = sample_statement()
    totals = XlsxExporter().export_bytes(statement, {"totals": "formulas"}, ledger=SAMPLES)
    with zipfile.ZipFile(io.BytesIO(totals)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert any(b"<f>SUBTOTAL(109," in sheet for sheet in sheets)
    assert formula_cells(totals, XLSX_TYPE) == []
    book = openpyxl.Workbook()
    book.active.append([1, 2, "=SUBTOTAL(109,A1:A1)", "=SUBTOTAL(109,A1:B1)+HYPERLINK(1)"])
    buffer = io.BytesIO()
    book.save(buffer)
    found = formula_cells(buffer.getvalue(), XLSX_TYPE)
    assert [f for f in found if "!" in f] == ["Sheet!D1 = '=SUBTOTAL(109,A1:B1)+HYPERLINK(1)'"]


def test_formula_cells_checks_line_starts_of_other_text() -> None:
    """In other text formats a line starting with = counts; binary formats have none."""
    assert formula_cells(b"ok\n=SUM(A1)\n", "text/plain") == ["=SUM(A1)"]
    assert formula_cells(b"\x00=SUM(A1)", "application/octet-stream") == []


def test_the_builtin_csv_output_has_no_formula_cells() -> None:
    """The csv exporter's output of the sample run has the product but no formula cell."""
    data = CsvExporter().export_bytes(sample_run(), ledger=SAMPLES)
    assert ("'" + FORMULA_PRODUCT).encode() in data
    assert formula_cells(data, "text/csv") == []


def test_isolated_registry_sees_no_installed_plugin() -> None:
    """An isolated registry holds only what it is given, even with plugins installed."""
    assert {"csv", "xlsx"} <= set(load_exporters().identifiers())
    assert isolated_registry().identifiers() == ()
    assert isolated_registry(CsvExporter()).identifiers() == ("csv",)
    assert isolated_registry(CsvExporter()) is not isolated_registry(CsvExporter())


@attrs.frozen(kw_only=True)
class _NoOptions(ExportOptions):
    pass


class _Count(Exporter[_NoOptions]):
    identifier = "count"
    title = "Count"
    description = "The number of accounts."
    media_type = "text/plain"
    extension = "txt"
    Options = _NoOptions

    def write(self, document: ExportDocument, stream: BinaryIO, options: _NoOptions) -> None:
        stream.write(str(len(document.accounts)).encode())


class _CountingContract(ExporterContract):
    """The contract on the counting exporter, counting the generated runs it writes."""

    exporter = _Count()
    written = 0

    def _write(
        self, source: Exportable, options: ExportOptions, ledger: Ledger | None = None
    ) -> bytes:
        self.written += 1
        return super()._write(source, options, ledger)


class _CountingTwiceAsMany(_CountingContract):
    generated_examples_share = 0.3


@pytest.mark.parametrize(
    "contract", [_CountingContract, _CountingTwiceAsMany], ids=["default", "0.3"]
)
def test_the_generated_runs_check_runs_its_share_of_the_profiles_examples(
    contract: type[_CountingContract],
) -> None:
    """The generated-runs check runs generated_examples_share of the profile's max_examples."""
    checks = contract()
    checks.test_writes_generated_statements_plans_and_runs()
    examples = max(1, round(settings().max_examples * contract.generated_examples_share))
    # Each example writes its run, its plan and maybe a statement, twice each.
    assert 4 * examples <= checks.written <= 6 * examples


def test_written_distributions_load_through_real_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """write_distribution makes a dist-info that importlib.metadata and the registry read."""
    folder = write_distribution(
        tmp_path,
        "fake-counting",
        "3.1",
        entry_points={"counting": "fake_counting_plugin"},
        modules={
            "fake_counting_plugin": """
                from onaccount.exporting import hookimpl
                from tests.testing.test_exporter_contract import _Count

                @hookimpl
                def onaccount_register_exporters(registry):
                    registry.add(_Count())
            """
        },
    )
    assert folder.name == "fake_counting-3.1.dist-info"
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        (ep,) = entry_points_from([tmp_path])()
        assert ep.dist is not None
        assert (ep.name, ep.value, ep.dist.name, ep.dist.version) == (
            "counting",
            "fake_counting_plugin",
            "fake-counting",
            "3.1",
        )
        registry = isolated_registry(entry_points=entry_points_from([tmp_path]))
        assert registry.get("count").export_bytes(sample_run(), ledger=SAMPLES) == b"4"
        assert registry.info("count").distribution == "fake-counting"
    finally:
        sys.modules.pop("fake_counting_plugin", None)


def test_a_distribution_needs_an_entry_point(tmp_path: Path) -> None:
    """write_distribution refuses a distribution without entry points."""
    with pytest.raises(ValueError, match="has no entry points"):
        write_distribution(tmp_path, "empty", entry_points={})


class _Ticking(_Count):
    """Writes how often it has written: another output every time."""

    identifier = "ticking"
    writes = 0

    def write(self, document: ExportDocument, stream: BinaryIO, options: _NoOptions) -> None:
        type(self).writes += 1
        stream.write(str(self.writes).encode())


class _TickingContract(ExporterContract):
    exporter = _Ticking()


def test_a_determinism_failure_names_the_source_and_the_options() -> None:
    """Output that differs on a second write fails naming what was written with which options."""
    with pytest.raises(AssertionError) as caught:
        _TickingContract().test_output_is_deterministic()
    assert str(caught.value).startswith(
        "the statement of account '1042' for 2026-10 with _NoOptions() is written "
        "differently twice; write the same bytes for the same input"
    )


class _Scribbling(_Count):
    """Changes the statement it writes: a frozen object, changed anyway."""

    identifier = "scribbling"

    def write(self, document: ExportDocument, stream: BinaryIO, options: _NoOptions) -> None:
        statement = document.accounts[0].statement
        object.__setattr__(statement, "total", statement.total + 1)
        stream.write(b"x")


class _ScribblingContract(ExporterContract):
    exporter = _Scribbling()


def test_an_input_changed_by_writing_fails_naming_the_source_and_the_options() -> None:
    """A write that changes its source fails naming the source and options, and what to do."""
    with pytest.raises(AssertionError) as caught:
        _ScribblingContract().test_input_is_not_mutated()
    assert str(caught.value).startswith(
        "writing the statement of account '1042' for 2026-10 with _NoOptions() changed it; "
        "read the document, and copy what you would change"
    )


class _DebitList(_Count):
    """One line per billed account with an IBAN; the accounts without one are refused."""

    identifier = "debit-list"

    def write(  # type: ignore[override]  # returns the report _Count does not
        self, document: ExportDocument, stream: BinaryIO, options: _NoOptions
    ) -> ExportReport:
        refusals = []
        written = 0
        for entry in document.billed:
            billing = entry.account.billing
            if billing is None or not billing.iban:
                number = entry.account.number
                refusals.append(
                    ExportRefusal(
                        account=number,
                        field="billing.iban",
                        message=f"account {number} has no IBAN; add it and export again",
                    )
                )
                continue
            stream.write(f"{entry.account.number}\t{billing.iban}\n".encode())
            written += 1
        return ExportReport(
            exporter=self.identifier, written=written, accounts=written, refusals=refusals
        )


class _DebitListContract(ExporterContract):
    exporter = _DebitList()


def test_the_contract_s_samples_hold_accounts_with_and_without_billing_details() -> None:
    """An exporter refusing accounts without an IBAN writes some of the samples, refuses others."""
    contract = _DebitListContract()
    statement, plan, run = (
        contract.exporter.export(source, io.BytesIO(), ledger=contract.ledger())
        for source in contract.sources()
    )
    assert (statement.written, statement.refusals) == (1, ())
    for report in (plan, run):
        assert report.written, report
        assert report.refusals, report
    # The account billed has the details a collection or an e-invoice needs.
    billing = sample_statement().account.billing
    assert billing is not None
    assert billing.iban == "NL91ABNA0417164300"
    assert billing.address is not None
    assert billing.email

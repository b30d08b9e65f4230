"""What an export reports (counts, refusals, nothing to invoice) and how it tells of progress."""

from __future__ import annotations

import csv
import io
import json
import pickle
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import openpyxl
import pytest

from onaccount import InvalidValue, InvoiceState
from onaccount.exporting import (
    ExportDocument,
    Exporter,
    ExportOptions,
    ExportProgress,
    ExportRefusal,
    ExportReport,
    InvalidExporter,
    export_files,
    export_to_directory,
    tracked,
)
from onaccount.testing._samples import sample_ledger, sample_plan, sample_run
from onaccount_exporters import (
    CsvExporter,
    JournalExporter,
    SepaExporter,
    UblExporter,
    XlsxExporter,
)

# The samples' statement, plan and run read their purchases back from this ledger.
SAMPLES = sample_ledger()


class Progress:
    """Records every progress call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []

    def __call__(self, done: int, total: int, unit: str) -> None:
        self.calls.append((done, total, unit))


@attrs.frozen(kw_only=True)
class OldOptions(ExportOptions):
    """No options."""


class OldPlugin(Exporter[OldOptions]):
    """A plugin written before reports: write() takes no progress and returns None."""

    identifier = "old-plugin"
    title = "Old"
    description = "Writes the source's type."
    media_type = "text/plain"
    extension = "txt"
    Options = OldOptions

    def write(self, document: ExportDocument, stream: BinaryIO, options: OldOptions) -> None:  # type: ignore[override]  # the older signature on purpose
        """Write what the document was made from."""
        stream.write(document.kind.value.encode())


class Misreporting(OldPlugin):
    """A plugin whose write() returns something that is no report."""

    identifier = "misreporting"

    def write(self, document: ExportDocument, stream: BinaryIO, options: OldOptions) -> Any:  # type: ignore[override]  # wrong on purpose
        """Write nothing and return a count instead of a report."""
        return 3


def refusal(account: str | None, field: str) -> ExportRefusal:
    """A refusal of ``account`` for ``field``."""
    return ExportRefusal(account=account, field=field, message=f"{account} lacks {field}")


def test_report_lists_refusals_options_first_then_by_account() -> None:
    """Refusals are kept options first, then by account and field, and named once each."""
    report = ExportReport(
        exporter="ubl",
        unit="invoices",
        written=0,
        refusals=[
            refusal("2", "billing.address"),
            refusal(None, "seller_name"),
            refusal("1", "billing.email"),
            refusal("1", "billing.address"),
        ],
    )
    assert [(r.account, r.field) for r in report.refusals] == [
        (None, "seller_name"),
        ("1", "billing.address"),
        ("1", "billing.email"),
        ("2", "billing.address"),
    ]
    assert report.refused_accounts() == ("1", "2")
    assert report.refused_options() == ("seller_name",)
    assert report.refusals_by_field() == (
        ("billing.address", 2),
        ("billing.email", 1),
        ("seller_name", 1),
    )
    assert report.refusals_by_field(accounts=True) == (
        ("billing.address", 2),
        ("billing.email", 1),
    )


@pytest.mark.parametrize(
    ("written", "refusals", "expected"),
    [
        (0, [refusal("1", "billing.address")], True),
        (1, [refusal("1", "billing.address")], False),
        (0, [], False),
        (None, [refusal("1", "billing.address")], False),
    ],
)
def test_nothing_written_means_refusals_left_nothing(
    written: int | None, refusals: list[ExportRefusal], expected: bool
) -> None:
    """nothing_written holds only when something was refused and nothing was written."""
    report = ExportReport(exporter="ubl", written=written, refusals=refusals)
    assert report.nothing_written is expected


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"written": -1}, "written is -1"),
        ({"accounts": True}, "accounts is True"),
        ({"unit": " "}, "name what is counted"),
    ],
)
def test_report_refuses_bad_counts_naming_them(changes: dict[str, Any], words: str) -> None:
    """A negative or non-integer count, or a blank unit, is refused naming the value."""
    with pytest.raises(InvalidValue, match=words):
        ExportReport(exporter="csv", **changes)


def test_reports_combine_adding_counts_and_joining_the_rest() -> None:
    """combine() adds counts, joins refusals and paths, and keeps None when one part is None."""
    first = ExportReport(exporter="ubl", unit="invoices", written=2, accounts=2, paths=["a.zip"])
    second = ExportReport(
        exporter="ubl",
        unit="invoices",
        written=0,
        accounts=0,
        refusals=[refusal("9", "billing.address")],
        refusals_listed_in="refused.txt",
        paths=["b.zip"],
    )
    both = ExportReport.combine([first, second])
    assert (both.written, both.accounts, both.refused_accounts()) == (2, 2, ("9",))
    assert both.paths == (Path("a.zip"), Path("b.zip"))
    assert both.refusals_listed_in == "refused.txt"
    uncounted = ExportReport.combine([first, attrs.evolve(second, written=None)])
    assert uncounted.written is None


def test_combine_refuses_no_reports_and_other_exporters() -> None:
    """combine() of nothing, or of two exporters' reports, is refused naming them."""
    with pytest.raises(InvalidValue, match="no reports"):
        ExportReport.combine([])
    with pytest.raises(InvalidValue, match="'csv' and 'ubl'"):
        ExportReport.combine([ExportReport(exporter="csv"), ExportReport(exporter="ubl")])


def test_reports_pickle() -> None:
    """A report with refusals and paths survives pickling equal."""
    report = ExportReport(
        exporter="ubl", written=0, refusals=[refusal("1", "billing.address")], paths=["x"]
    )
    assert pickle.loads(pickle.dumps(report)) == report


def test_tracked_tells_progress_from_zero_to_the_total() -> None:
    """tracked() reports (0, n) first and (i, n) after each item, and yields them all."""
    progress = Progress()
    assert list(tracked(["a", "b", "c"], progress, "rows")) == ["a", "b", "c"]
    assert progress.calls == [(0, 3, "rows"), (1, 3, "rows"), (2, 3, "rows"), (3, 3, "rows")]
    assert list(tracked([], None)) == []


def test_a_plugin_that_returns_none_gets_a_report_without_counts() -> None:
    """An older plugin's write() (no progress, returns None) still exports and reports."""
    buffer = io.BytesIO()
    progress = Progress()
    report = OldPlugin().export(sample_run(), buffer, progress=progress, ledger=SAMPLES)
    assert buffer.getvalue() == b"run"
    assert report == ExportReport(exporter="old-plugin", written=None)
    assert progress.calls == []


def test_a_write_returning_anything_else_is_an_invalid_exporter() -> None:
    """A write() returning neither a report nor None is refused, naming what it returned."""
    with pytest.raises(InvalidExporter, match="'misreporting' write\\(\\) returned 3"):
        Misreporting().export(sample_run(), io.BytesIO(), ledger=SAMPLES)


def test_a_plans_accounts_with_nothing_to_invoice_are_reported() -> None:
    """Exporting a plan reports the accounts it had nothing to invoice for."""
    plan = attrs.evolve(sample_plan(), nothing_to_invoice=("1077", "2001"))
    assert CsvExporter().export(plan, io.BytesIO(), ledger=SAMPLES).nothing_to_invoice == (
        "1077",
        "2001",
    )
    assert OldPlugin().export(plan, io.BytesIO(), ledger=SAMPLES).nothing_to_invoice == (
        "1077",
        "2001",
    )


@pytest.mark.parametrize("options", [{"layout": "lines"}, {"layout": "days"}])
def test_csv_reports_the_rows_it_wrote(options: dict[str, str]) -> None:
    """The CSV report counts the data rows in the file and the accounts they cover."""
    buffer = io.BytesIO()
    progress = Progress()
    run = sample_run()
    report = CsvExporter().export(run, buffer, options, progress=progress, ledger=SAMPLES)
    text = buffer.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert (report.exporter, report.unit, report.written) == ("csv", "rows", len(rows) - 1)
    standing = len([i for i in run.invoices if i.state is InvoiceState.ACTIVE])
    assert report.accounts == standing
    assert progress.calls[0] == (0, standing, "accounts")
    assert progress.calls[-1] == (standing, standing, "accounts")


def test_xlsx_reports_the_rows_of_every_sheet() -> None:
    """The XLSX report counts the data rows of all its sheets."""
    buffer = io.BytesIO()
    report = XlsxExporter().export(sample_run(), buffer, {"totals": "none"}, ledger=SAMPLES)
    book = openpyxl.load_workbook(buffer)
    assert report.written == sum(sheet.max_row - 1 for sheet in book.worksheets)


def test_journal_reports_its_rows() -> None:
    """The journal report counts its posting rows."""
    buffer = io.BytesIO()
    report = JournalExporter().export(sample_run(), buffer, ledger=SAMPLES)
    lines = buffer.getvalue().decode("utf-8-sig").splitlines()
    assert (report.unit, report.written) == ("rows", len(lines) - 1)


def test_ubl_with_default_options_reports_that_it_wrote_nothing() -> None:
    """UBL without seller options writes no invoice, and the report says why, per account."""
    buffer = io.BytesIO()
    progress = Progress()
    report = UblExporter().export(sample_run(), buffer, progress=progress, ledger=SAMPLES)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.namelist() == ["refused.txt"]
    assert (report.unit, report.written, report.nothing_written) == ("invoices", 0, True)
    assert report.refusals_listed_in == "refused.txt"
    assert report.refusals == UblExporter().refusals(sample_run())
    assert progress.calls == [(0, 0, "invoices")]


def test_sepa_with_default_options_reports_its_refusals() -> None:
    """SEPA without a creditor writes no debit and reports the options to set."""
    report = SepaExporter().export(sample_run(), io.BytesIO(), ledger=SAMPLES)
    assert (report.unit, report.written, report.nothing_written) == ("debits", 0, True)
    assert report.refusals == SepaExporter().refusals(sample_run())
    assert {r.field for r in report.refusals if r.account is None} >= {"seller_iban"}


def test_export_files_reports_counts_and_paths(tmp_path: Path) -> None:
    """export_files() returns the exporter's report with the path it wrote."""
    report = export_files(
        CsvExporter(), sample_run(), tmp_path, {"layout": "days"}, ledger=SAMPLES
    )
    (path,) = report.paths
    assert path.parent == tmp_path
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert report.written == len(lines) - 1
    again = export_to_directory(
        CsvExporter(), sample_run(), tmp_path / "other", {"layout": "days"}, ledger=SAMPLES
    )
    assert [p.name for p in again] == [path.name]
    assert again[0].read_bytes() == path.read_bytes()


def test_export_files_per_account_combines_the_reports(tmp_path: Path) -> None:
    """One file per account: the counts add up and progress counts the files."""
    progress = Progress()
    run = sample_run()
    report = export_files(
        UblExporter(), run, tmp_path, per="account", progress=progress, ledger=SAMPLES
    )
    standing = [i for i in run.invoices if i.state is InvoiceState.ACTIVE]
    assert len(report.paths) == len(standing)
    assert report.written == 0
    assert report.refusals == UblExporter().refusals(run)
    n = len(standing)
    assert progress.calls == [(0, n, "accounts"), *((i, n, "accounts") for i in range(1, n + 1))]


def test_progress_reaches_a_plugin_that_takes_it(tmp_path: Path) -> None:
    """A plugin's write() with a progress keyword gets the host's callback."""

    class Counting(OldPlugin):
        identifier = "counting"

        def write(
            self,
            document: ExportDocument,
            stream: BinaryIO,
            options: OldOptions,
            *,
            progress: ExportProgress | None = None,
        ) -> ExportReport:
            """Write one row and tell of it."""
            if progress is not None:
                progress(1, 1, "rows")
            stream.write(json.dumps({"kind": document.kind.value}).encode())
            return ExportReport(exporter="anything", written=1)

    progress = Progress()
    report = export_files(Counting(), sample_run(), tmp_path, progress=progress, ledger=SAMPLES)
    assert progress.calls == [(1, 1, "rows")]
    assert (report.exporter, report.written) == ("counting", 1)


def test_a_progress_callback_that_raises_is_the_hosts_error_not_the_exporters(
    tmp_path: Path,
) -> None:
    """The host's own bug in its callback comes back as itself, not as the exporter failing."""

    class HostBug(Exception):
        """What a host's progress display raised."""

    def broken(done: int, total: int, unit: str) -> None:
        raise HostBug(f"display closed at {done} of {total} {unit}") from OSError("tty gone")

    with pytest.raises(HostBug, match="display closed at 0 of") as caught:
        CsvExporter().export(sample_run(), io.BytesIO(), ledger=SAMPLES, progress=broken)
    # The host's own chain is as it raised it: its cause, and nothing of the exporter's.
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__context__ is None
    with pytest.raises(HostBug):
        export_files(CsvExporter(), sample_run(), tmp_path, progress=broken, ledger=SAMPLES)
    assert list(tmp_path.iterdir()) == []

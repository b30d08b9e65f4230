"""The xlsx exporter: sheets, typed cells, row cap, golden file and openpyxl round trips."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import given, settings

from onaccount import InvoiceRun, minor_unit
from onaccount.exporting import EXCEL_MAX_ROWS, clean_text
from onaccount.testing import strategies
from onaccount.testing._golden import assert_golden
from onaccount.testing._samples import FORMULA_PRODUCT, sample_plan, sample_run, sample_statement
from onaccount_exporters import XlsxExporter
from onaccount_exporters._tables import DAY_HEADERS, LINE_HEADERS

GOLDEN = Path(__file__).parent / "golden"
XLSX = XlsxExporter()


def load(data: bytes) -> Any:
    """The workbook, read back with openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(data))


def records(book: Any, sheet: str) -> list[dict[str, Any]]:
    """The rows of a sheet and its continuation sheets, as dicts under the header."""
    rows: list[dict[str, Any]] = []
    for ws in book.worksheets:
        if ws.title == sheet or ws.title.startswith(f"{sheet} ("):
            values = list(ws.iter_rows(values_only=True))
            rows.extend(dict(zip(values[0], row, strict=True)) for row in values[1:])
    return rows


def cents(value: float | int, currency: str) -> Decimal:
    """A number cell read back as the exact amount it stands for."""
    return Decimal(repr(value)).quantize(minor_unit(currency))


def test_sample_run_matches_its_golden_file() -> None:
    """The sample run's workbook holds the reviewed content, member by member."""
    assert_golden(XLSX.export_bytes(sample_run()), GOLDEN / "run.xlsx")


def test_workbook_has_summary_lines_and_days_sheets() -> None:
    """A run gives Summary, Lines and Days; options can leave Lines and Days out."""
    assert load(XLSX.export_bytes(sample_run())).sheetnames == ["Summary", "Lines", "Days"]
    assert load(XLSX.export_bytes(sample_run(), {"lines": False})).sheetnames == [
        "Summary",
        "Days",
    ]
    only = load(XLSX.export_bytes(sample_plan(), {"lines": False, "days": False}))
    assert only.sheetnames == ["Summary"]


def test_cells_are_typed_with_frozen_headers_filters_and_widths() -> None:
    """Dates are dates, amounts numbers in the currency format; headers frozen and filtered."""
    book = load(XLSX.export_bytes(sample_statement()))
    lines = book["Lines"]
    assert [c.value for c in lines[1]] == list(LINE_HEADERS)
    first = dict(zip(LINE_HEADERS, lines[2], strict=True))
    assert first["date"].is_date
    assert first["date"].value == dt.datetime(2026, 10, 3)
    assert first["time"].value == dt.time(21, 0)
    assert (first["amount"].value, first["amount"].number_format) == (11.2, '#,##0.00 "EUR"')
    assert first["quantity"].data_type == "n"
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(8 <= w <= 60 for w in widths)
    assert [c.value for c in book["Days"][1]] == list(DAY_HEADERS)


def test_yen_amounts_have_no_decimals() -> None:
    """A JPY account's amounts use a format without decimal places."""
    summary = records(load(XLSX.export_bytes(sample_run())), "Summary")
    yen = next(r for r in summary if r["account"] == "3003")
    assert yen["total"] == 1700
    book = load(XLSX.export_bytes(sample_run()))
    (cell,) = [r[4] for r in book["Summary"].iter_rows(min_row=2) if r[0].value == "3003"]
    assert cell.number_format == '#,##0 "JPY"'


def test_formula_names_are_text_not_formulas() -> None:
    """The =SUM(A1) product and formula-like account names are text cells with an apostrophe."""
    data = XLSX.export_bytes(sample_run())
    book = load(data)
    lines = records(book, "Lines")
    assert "'" + FORMULA_PRODUCT in {r["product"] for r in lines}
    assert all(c.data_type != "f" for ws in book.worksheets for row in ws for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    names = {r["account_name"] for r in records(book, "Summary")}
    assert {"'@admin", 'Café Zoë; "quoted"'} <= names


def test_same_input_gives_the_same_bytes_with_the_run_time_as_document_time() -> None:
    """Two exports are identical; core.xml carries the run's commit time, zips fixed times."""
    first = XLSX.export_bytes(sample_run())
    assert XLSX.export_bytes(sample_run()) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = load(first).properties
    assert props.created == props.modified == dt.datetime(2026, 11, 1, 9, 0)
    assert props.title == "run 2026-10"


def test_the_default_row_cap_is_excels() -> None:
    """Without a cap the exporter continues sheets only past 1,048,576 rows."""
    assert XlsxExporter().max_rows == EXCEL_MAX_ROWS == 1_048_576


def test_lines_past_the_row_cap_continue_on_new_sheets() -> None:
    """With a cap of 3 rows the sample's 9 lines fill Lines to Lines (5), in place, all kept."""
    book = load(XlsxExporter(max_rows=3).export_bytes(sample_run()))
    assert book.sheetnames == [
        "Summary",
        "Summary (2)",
        "Lines",
        "Lines (2)",
        "Lines (3)",
        "Lines (4)",
        "Lines (5)",
        "Days",
        "Days (2)",
        "Days (3)",
    ]
    assert all(ws.max_row <= 3 for ws in book.worksheets)
    assert all(ws["A1"].value in {"account", "date"} for ws in book.worksheets)
    lines = records(book, "Lines")
    assert len(lines) == 9
    euros = sum(cents(r["amount"], r["currency"]) for r in lines if r["currency"] == "EUR")
    assert euros == sample_run().totals["EUR"]


def _expected_totals(run: InvoiceRun) -> dict[str, Decimal]:
    return {clean_text(i.account.number): i.total for i in run.invoices}


# Each example writes a workbook and reads it back with openpyxl.
@settings(max_examples=15)
@given(run=strategies.runs())
def test_xlsx_read_back_sums_to_the_run_per_account(run: InvoiceRun) -> None:
    """Lines, days and summary read back with openpyxl sum to each account's total."""
    expected = _expected_totals(run)
    currencies = {clean_text(i.account.number): i.account.currency for i in run.invoices}
    for exporter in (XLSX, XlsxExporter(max_rows=8)):
        book = load(exporter.export_bytes(run))
        for sheet in ("Lines", "Days"):
            sums = dict.fromkeys(expected, Decimal(0))
            for row in records(book, sheet):
                account = row["account"]
                sums[account] += cents(row["amount"], currencies[account])
                assert row["date"].date() in run.period.days()
            assert sums == expected
        summary = records(book, "Summary")
        assert {
            r["account"]: cents(r["total"], currencies[r["account"]]) for r in summary
        } == expected
        # A name of nothing but characters XML forbids is left empty, and reads back None.
        assert {r["account_name"] or "" for r in summary} == {
            clean_text(i.account.name) for i in run.invoices
        }

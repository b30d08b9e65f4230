"""The csv exporter: dialects, layouts, golden files and round trips through the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given

from onaccount import InvoiceRun
from onaccount.exporting import CSV_DIALECTS, CsvDialect, CsvWriter, clean_text, export_document
from onaccount.testing import strategies
from onaccount.testing._golden import assert_golden
from onaccount.testing._samples import FORMULA_PRODUCT, sample_plan, sample_run, sample_statement
from onaccount_exporters import CsvExporter
from onaccount_exporters._csv import _write_lines
from onaccount_exporters._tables import LINE_HEADERS, line_rows

GOLDEN = Path(__file__).parent / "golden"
CSV = CsvExporter()


def read(data: bytes, dialect: str) -> list[dict[str, str]]:
    """Rows of a CSV export as dicts, read back with the stdlib csv module."""
    if dialect == "excel-nl":
        assert data.startswith(b"\xef\xbb\xbf")
        text, delimiter = data.decode("utf-8-sig"), ";"
    else:
        assert not data.startswith(b"\xef\xbb\xbf")
        text, delimiter = data.decode("utf-8"), ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def number(text: str, dialect: str) -> Decimal:
    """A number cell read back."""
    return Decimal(text.replace(",", ".") if dialect == "excel-nl" else text)


def date(text: str, dialect: str) -> dt.date:
    """A date cell read back."""
    if dialect == "excel-nl":
        return dt.datetime.strptime(text, "%d-%m-%Y").date()
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("name", "source", "options"),
    [
        ("run-lines-excel-nl.csv", sample_run, {}),
        ("run-lines-rfc4180.csv", sample_run, {"dialect": "rfc4180"}),
        ("run-days-excel-nl.csv", sample_run, {"layout": "days"}),
        ("run-summary-excel-nl.csv", sample_run, {"layout": "summary"}),
        ("run-summary-rfc4180.csv", sample_run, {"layout": "summary", "dialect": "rfc4180"}),
        ("plan-summary-rfc4180.csv", sample_plan, {"layout": "summary", "dialect": "rfc4180"}),
        ("statement-lines-rfc4180.csv", sample_statement, {"dialect": "rfc4180"}),
    ],
)
def test_sample_exports_match_their_golden_files(
    name: str, source: object, options: dict[str, object]
) -> None:
    """Each dialect and layout of the samples is byte for byte the reviewed file."""
    assert callable(source)
    assert_golden(CSV.export_bytes(source(), options), GOLDEN / name)


def test_excel_nl_is_what_dutch_excel_opens() -> None:
    """excel-nl: BOM, ';', CRLF, decimal comma and dd-mm-yyyy dates."""
    data = CSV.export_bytes(sample_statement())
    assert data.startswith("\ufeffdate;time;account;".encode())
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    row = read(data, "excel-nl")[0]
    assert (row["date"], row["unit_price"], row["amount"]) == ("03-10-2026", "2,80", "11,20")


def test_rfc4180_is_what_programs_read() -> None:
    """rfc4180: no BOM, ',', CRLF, decimal point and ISO dates."""
    data = CSV.export_bytes(sample_statement(), {"dialect": "rfc4180"})
    assert data.startswith(b"date,time,account,")
    assert data.count(b"\n") == data.count(b"\r\n")
    row = read(data, "rfc4180")[0]
    assert (row["date"], row["unit_price"], row["amount"]) == ("2026-10-03", "2.80", "11.20")


def test_header_can_be_left_out() -> None:
    """header=false writes only data rows."""
    data = CSV.export_bytes(sample_run(), {"header": False, "dialect": "rfc4180"})
    assert not data.startswith(b"date")
    assert len(data.splitlines()) == sum(1 for _ in export_document(sample_run()).lines())


def test_formula_product_name_is_text_in_every_layout() -> None:
    """The =SUM(A1) product and the @admin / -7 account come out with an apostrophe."""
    for dialect in ("excel-nl", "rfc4180"):
        rows = read(CSV.export_bytes(sample_run(), {"dialect": dialect}), dialect)
        products = {r["product"] for r in rows}
        assert "'" + FORMULA_PRODUCT in products
        assert FORMULA_PRODUCT not in products
        assert {"'-7", "'@admin"} <= {r["account"] for r in rows} | {
            r["account_name"] for r in rows
        }
        cells = [cell for row in rows for cell in row.values()]
        assert not [c for c in cells if c[:1] in {"=", "@", "+"}]


def test_summary_has_vat_per_rate_balances_limits_and_strategy() -> None:
    """The summary row per account has totals, VAT per rate, balance and limit, strategy."""
    rows = read(CSV.export_bytes(sample_plan(), {"layout": "summary"}), "excel-nl")
    assert list(rows[0]) == [
        "account",
        "account_name",
        "currency",
        "state",
        "total",
        "net",
        "vat",
        "vat E 0%",
        "vat S 9%",
        "vat S 21%",
        "balance_before",
        "balance_after",
        "limit_before",
        "limit_after",
        "strategy",
    ]
    team = next(r for r in rows if r["account"] == "1042")
    assert (team["state"], team["total"], team["strategy"]) == (
        "planned",
        "27,65",
        "limit-minus-invoiced",
    )
    assert (team["limit_before"], team["limit_after"]) == ("200,00", "172,35")
    assert number(team["net"], "excel-nl") + number(team["vat"], "excel-nl") == Decimal("27.65")
    yen = next(r for r in rows if r["account"] == "3003")
    assert (yen["currency"], yen["total"]) == ("JPY", "1700")


def _expected_totals(run: InvoiceRun) -> dict[str, Decimal]:
    return {clean_text(i.account.number): i.total for i in run.invoices}


@given(run=strategies.runs())
def test_csv_read_back_sums_to_the_run_per_account(run: InvoiceRun) -> None:
    """In both dialects, lines, days and summary read back sum to each account's total."""
    expected = _expected_totals(run)
    for dialect in ("excel-nl", "rfc4180"):
        for layout in ("lines", "days"):
            rows = read(CSV.export_bytes(run, {"dialect": dialect, "layout": layout}), dialect)
            sums = dict.fromkeys(expected, Decimal(0))
            for row in rows:
                sums[row["account"]] += number(row["amount"], dialect)
                assert date(row["date"], dialect) in run.period.days()
            assert sums == expected
        summary = read(CSV.export_bytes(run, {"dialect": dialect, "layout": "summary"}), dialect)
        assert {r["account"]: number(r["total"], dialect) for r in summary} == expected
        names = {clean_text(i.account.name) for i in run.invoices}
        assert {r["account_name"] for r in summary} == names


def _generic_lines(source: InvoiceRun, dialect: CsvDialect) -> bytes:
    buffer = io.BytesIO()
    with CsvWriter(buffer, dialect) as writer:
        writer.writerow(LINE_HEADERS)
        writer.writerows(line_rows(export_document(source)))
    return buffer.getvalue()


@given(run=strategies.runs())
def test_the_fast_lines_layout_writes_what_the_shared_table_gives(run: InvoiceRun) -> None:
    """The lines layout's own loop writes byte for byte the rows of line_rows, cell by cell."""
    for name, dialect in CSV_DIALECTS.items():
        assert CSV.export_bytes(run, {"dialect": name}) == _generic_lines(run, dialect)


def test_lines_with_a_delimiter_numbers_contain_take_the_careful_way() -> None:
    """A dialect with '.' between fields writes the lines with numbers quoted, all kept."""
    dialect = CsvDialect(name="dots", delimiter=".", decimal=",", bom=False, dates="iso")
    buffer = io.BytesIO()
    with CsvWriter(buffer, dialect) as writer:
        _write_lines(export_document(sample_run()), writer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode(), newline=""), delimiter="."))
    assert len(rows) == len(list(line_rows(export_document(sample_run()))))
    assert all(len(row) == len(LINE_HEADERS) for row in rows)
    assert (
        sum(Decimal(r[9].replace(",", ".")) for r in rows if r[10] == "EUR")
        == (sample_run().totals["EUR"])
    )

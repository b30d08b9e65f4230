"""The csv exporter: dialects, layouts, golden files and round trips through the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from onaccount import (
    Account,
    AccountInvoice,
    Actor,
    InvoiceRun,
    InvoiceState,
    Line,
    MemoryLedger,
    Period,
    Purchase,
    Vat,
    open_account,
    statement,
)
from onaccount.exporting import (
    CSV_DIALECTS,
    CsvDialect,
    CsvWriter,
    clean_text,
    export_document,
    export_files,
)
from onaccount.ledger import Ledger
from onaccount.testing import strategies
from onaccount.testing._golden import assert_golden
from onaccount.testing._samples import (
    FORMULA_PRODUCT,
    sample_ledger,
    sample_plan,
    sample_run,
    sample_statement,
)
from onaccount_exporters import CsvExporter
from onaccount_exporters._tables import LINE_COLUMNS, line_rows

GOLDEN = Path(__file__).parent / "golden"
CSV = CsvExporter()
# The samples' statement, plan and run all read their purchases back from this one.
SAMPLES = sample_ledger()


def written(source: Any, options: Any = None, *, ledger: Ledger = SAMPLES) -> bytes:
    """What the exporter writes of ``source``, its purchases read back from ``ledger``."""
    return CSV.export_bytes(source, options, ledger=ledger)


def by_name(source: object, ledger: Ledger = SAMPLES, **options: object) -> bytes:
    """An export with the field names as header, for reading back by column."""
    return written(source, {"header": "names", **options}, ledger=ledger)


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
    assert_golden(written(source(), options), GOLDEN / name)


def test_excel_nl_is_what_dutch_excel_opens() -> None:
    """excel-nl: BOM, ';', CRLF, decimal comma, dd-mm-yyyy dates and Dutch labels."""
    data = written(sample_statement())
    assert data.startswith("\ufeffKassadag;Verkoopdatum;Verkooptijd;Rekening;".encode())
    assert b"\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    row = read(by_name(sample_statement()), "excel-nl")[0]
    assert (row["business_date"], row["unit_price"], row["amount"]) == (
        "03-10-2026",
        "2,80",
        "11,20",
    )


def test_rfc4180_is_what_programs_read() -> None:
    """rfc4180: no BOM, ',', CRLF, decimal point and ISO dates."""
    data = by_name(sample_statement(), dialect="rfc4180")
    assert data.startswith(b"business_date,sale_date,sale_time,account,")
    assert data.count(b"\n") == data.count(b"\r\n")
    row = read(data, "rfc4180")[0]
    assert (row["business_date"], row["unit_price"], row["amount"]) == (
        "2026-10-03",
        "2.80",
        "11.20",
    )


def test_labels_are_dutch_by_default_or_english_and_names_for_programs() -> None:
    """header=labels writes the language's labels; header=names the field names."""
    first = {
        (language, header): written(
            sample_run(), {"language": language, "header": header, "dialect": "rfc4180"}
        ).splitlines()[0]
        for language in ("nl", "en")
        for header in ("labels", "names")
    }
    assert first["nl", "labels"].startswith(b"Kassadag,Verkoopdatum,Verkooptijd,Rekening,Naam")
    assert first["en", "labels"].startswith(b"Business date,Sale date,Sale time,Account,Name")
    assert (
        first["nl", "names"]
        == first["en", "names"]
        == ",".join(c.name for c in LINE_COLUMNS).encode()
    )


def test_unit_prices_are_written_with_the_currencys_places_at_least() -> None:
    """A price stored as 2.8 is written 2,80 as the workbook shows it; 0.125 keeps its places."""
    ledger = MemoryLedger()
    admin = Actor.superuser("treasurer")
    open_account(ledger, Account(number="7001", name="Anna", limit=Decimal(100)), actor=admin)
    vat = Vat.standard("0.21")
    ledger.record(
        Purchase(
            account="7001",
            at=dt.datetime(2026, 10, 9, 20, 0, tzinfo=dt.UTC),
            lines=[
                Line(product="Bier", quantity=3, unit_price=Decimal("2.8"), vat=vat),
                Line(product="Statiegeld", quantity=2, unit_price=Decimal("0.125"), vat=vat),
            ],
        )
    )
    period = Period.month(2026, 10, tz="Europe/Amsterdam")
    found = statement(ledger, "7001", period, actor=admin)
    rows = read(by_name(found, ledger), "excel-nl")
    assert [(r["unit_price"], r["amount"]) for r in rows] == [("2,80", "8,40"), ("0,125", "0,25")]


def test_sale_date_and_time_are_local_and_business_date_is_named_apart() -> None:
    """A sale after midnight, before the day starts, keeps its own date beside the business day."""
    rows = read(by_name(sample_run(), dialect="rfc4180"), "rfc4180")
    late = next(r for r in rows if r["sale_time"] == "01:30:00")
    assert (late["business_date"], late["sale_date"]) == ("2026-10-03", "2026-10-04")
    evening = next(r for r in rows if r["sale_time"] == "21:00:00")
    assert evening["business_date"] == evening["sale_date"] == "2026-10-03"


def test_header_can_be_left_out() -> None:
    """header=none writes only data rows."""
    data = written(sample_run(), {"header": "none", "dialect": "rfc4180"})
    assert not data.startswith(b"business_date")
    assert len(data.splitlines()) == sum(1 for _ in export_document(sample_run(), SAMPLES).lines())


def test_formula_product_name_is_text_in_every_layout() -> None:
    """The =SUM(A1) product and the @admin account get an apostrophe; -7 stays a number."""
    for dialect in ("excel-nl", "rfc4180"):
        rows = read(by_name(sample_plan(), dialect=dialect), dialect)
        products = {r["product"] for r in rows}
        assert "'" + FORMULA_PRODUCT in products
        assert FORMULA_PRODUCT not in products
        names = {r["account"] for r in rows} | {r["account_name"] for r in rows}
        assert {"-7", "'@admin"} <= names
        cells = [cell for row in rows for cell in row.values()]
        assert not [c for c in cells if c[:1] in {"=", "@", "+"}]


def test_summary_has_vat_per_rate_balances_limits_and_strategy() -> None:
    """The summary row per account has totals, net and VAT per rate, balance, limit, strategy."""
    rows = read(by_name(sample_plan(), layout="summary"), "excel-nl")
    assert list(rows[0]) == [
        "account",
        "account_name",
        "currency",
        "state",
        "total",
        "net",
        "vat",
        "net_e_0",
        "vat_e_0",
        "net_s_9",
        "vat_s_9",
        "net_s_21",
        "vat_s_21",
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
    # A VAT return asks for the revenue per rate, not only its VAT.
    for rate in ("e_0", "s_9", "s_21"):
        if team[f"vat_{rate}"]:
            assert team[f"net_{rate}"], rate
    assert sum(
        (number(team[c], "excel-nl") for c in team if c[:4] in {"net_", "vat_"} and team[c]),
        Decimal(0),
    ) == Decimal("27.65")
    assert sum(
        (number(team[c], "excel-nl") for c in team if c.startswith("net_") and team[c]),
        Decimal(0),
    ) == number(team["net"], "excel-nl")
    yen = next(r for r in rows if r["account"] == "3003")
    assert (yen["currency"], yen["total"]) == ("JPY", "1700")


def test_the_summary_tells_people_the_state_and_strategy_in_their_language() -> None:
    """Under labels a plan is 'concept' or 'draft' with its strategy in words; names keep codes."""
    dutch = read(written(sample_plan(), {"layout": "summary"}), "excel-nl")
    team = next(r for r in dutch if r["Rekening"] == "1042")
    assert (team["Status"], team["Strategie"]) == ("concept", "limiet min gefactureerd")
    english = read(written(sample_plan(), {"layout": "summary", "language": "en"}), "excel-nl")
    team = next(r for r in english if r["Account"] == "1042")
    assert (team["State"], team["Strategy"]) == ("draft", "limit minus invoiced")
    names = read(written(sample_plan(), {"layout": "summary", "header": "names"}), "excel-nl")
    team = next(r for r in names if r["account"] == "1042")
    assert (team["state"], team["strategy"]) == ("planned", "limit-minus-invoiced")


def test_a_runs_undone_invoices_are_left_out_of_every_layout() -> None:
    """An undone invoice bills nothing any more: no lines, days or summary row of it."""
    run = sample_run()
    undone = {clean_text(i.account.number) for i in run.invoices if i.state.value == "undone"}
    assert undone
    for layout in ("lines", "days", "summary"):
        rows = read(by_name(run, layout=layout), "excel-nl")
        assert rows
        assert not undone & {r["account"] for r in rows}, layout


def _expected_totals(run: InvoiceRun) -> dict[str, Decimal]:
    return {clean_text(i.account.number): i.total for i in _standing(run)}


def _standing(run: InvoiceRun) -> list[AccountInvoice]:
    return [i for i in run.invoices if i.state is InvoiceState.ACTIVE]


@given(generated=strategies.generated_runs())
def test_csv_read_back_sums_to_the_run_per_account(generated: strategies.GeneratedRun) -> None:
    """In both dialects, lines, days and summary read back sum to each account's total."""
    run, ledger = generated.run, generated.generated.ledger
    expected = _expected_totals(run)
    for dialect in ("excel-nl", "rfc4180"):
        for layout in ("lines", "days"):
            rows = read(by_name(run, ledger, dialect=dialect, layout=layout), dialect)
            sums = dict.fromkeys(expected, Decimal(0))
            for row in rows:
                sums[row["account"]] += number(row["amount"], dialect)
                assert date(row["business_date"], dialect) in run.period.days()
            assert sums == expected
        summary = read(by_name(run, dialect=dialect, layout="summary"), dialect)
        assert {r["account"]: number(r["total"], dialect) for r in summary} == expected
        names = {clean_text(i.account.name) for i in _standing(run)}
        assert {r["account_name"] for r in summary} == names


def _csv_module_lines(source: InvoiceRun, ledger: Ledger, dialect: CsvDialect) -> bytes:
    """The lines as a hand-written csv.writer script writes them from line_rows."""
    text = io.StringIO(newline="")
    if dialect.bom:
        text.write("\ufeff")
    writer = csv.writer(text, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow([c.name for c in LINE_COLUMNS])
    for row in line_rows(export_document(source, ledger)):
        writer.writerow([dialect.format(cell) for cell in row])
    return text.getvalue().encode("utf-8")


@given(generated=strategies.generated_runs())
def test_lines_are_what_the_csv_module_writes_of_the_shared_table(
    generated: strategies.GeneratedRun,
) -> None:
    """The lines layout is byte for byte csv.writer over line_rows, in both dialects."""
    run, ledger = generated.run, generated.generated.ledger
    for name, dialect in CSV_DIALECTS.items():
        assert by_name(run, ledger, dialect=name) == _csv_module_lines(run, ledger, dialect)


def test_a_delimiter_numbers_contain_quotes_the_numbers() -> None:
    """A dialect with '.' between fields quotes numbers that hold one, and all is kept."""
    dialect = CsvDialect(name="dots", delimiter=".", decimal=",", bom=False, dates="iso")
    buffer = io.BytesIO()
    with CsvWriter(buffer, dialect) as writer:
        writer.writerows(line_rows(export_document(sample_run(), SAMPLES)))
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode(), newline=""), delimiter="."))
    assert len(rows) == len(list(line_rows(export_document(sample_run(), SAMPLES))))
    assert all(len(row) == len(LINE_COLUMNS) for row in rows)
    amount = [c.name for c in LINE_COLUMNS].index("amount")
    currency = [c.name for c in LINE_COLUMNS].index("currency")
    assert (
        sum(Decimal(r[amount].replace(",", ".")) for r in rows if r[currency] == "EUR")
        == (sample_run().standing_totals["EUR"])
    )


def test_file_names_carry_the_dialect_language_and_header_given_besides_the_defaults(
    tmp_path: Path,
) -> None:
    """An rfc4180 or English export of a run gets its own file beside the Dutch one."""
    names = {
        frozenset(given.items()): CsvExporter().file_label(CsvExporter().options(given))
        for given in (
            {},
            {"dialect": "rfc4180"},
            {"layout": "days", "language": "en", "header": "names"},
        )
    }
    assert list(names.values()) == ["lines", "lines-rfc4180", "days-en-names"]
    dutch = export_files(CsvExporter(), sample_run(), tmp_path, ledger=SAMPLES)
    programs = export_files(
        CsvExporter(), sample_run(), tmp_path, {"dialect": "rfc4180"}, ledger=SAMPLES
    )
    assert [p.name for p in (*dutch.paths, *programs.paths)] == [
        "run-2026-10-2026-10-lines.csv",
        "run-2026-10-2026-10-lines-rfc4180.csv",
    ]

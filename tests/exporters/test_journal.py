"""The journal exporter: one balanced entry per account invoice, in both CSV dialects."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onaccount import (
    Account,
    InvoiceRun,
    InvoiceState,
    Line,
    MemoryLedger,
    Period,
    Purchase,
    Vat,
    VatCategory,
    commit_run,
    open_account,
    plan_run,
    undo_invoice,
)
from onaccount.exporting import InvalidOptions, clean_text, vat_label
from onaccount.testing import SAMPLE_PERIOD, ExporterContract, sample_run, strategies
from onaccount_exporters import (
    DebtorsExporter,
    ExportRefused,
    JournalExporter,
    UblExporter,
    next_journal_entry,
)
from onaccount_exporters._figures import figures
from onaccount_exporters._journal import JOURNAL_HEADERS
from tests.exporters._billing import ADMIN, AMS, RUN_AT, SELLER, billed_run, returns_run
from tests.exporters._ubl_rules import NS, documents

JOURNAL = JournalExporter()
_MAPPING = '{"Drinks": "8010", "Bar; =kitchen": "8020", "Food": "8030"}'


class TestJournalExporter(ExporterContract):
    exporter = JOURNAL
    option_examples = (
        {"dialect": "rfc4180"},
        {"gl_accounts": _MAPPING, "header": False},
        {"journal": "=VK", "first_entry": 1000, "debtors_account": "+1300"},
    )


def read(data: bytes, dialect: str) -> list[dict[str, str]]:
    """The rows of a journal export, read back with the csv module."""
    if dialect == "excel-nl":
        text, delimiter = data.decode("utf-8-sig"), ";"
    else:
        text, delimiter = data.decode("utf-8"), ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def amount(text: str) -> Decimal:
    """An amount cell read back; empty is zero."""
    return Decimal(text.replace(",", ".")) if text else Decimal(0)


def _entries(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row["entry"]].append(row)
    return dict(grouped)


@given(run=strategies.runs(), dialect=st.sampled_from(("excel-nl", "rfc4180")))
def test_every_entry_balances_for_generated_runs(run: InvoiceRun, dialect: str) -> None:
    """Σ debit = Σ credit per entry; the debtor gets the total and VAT follows DESIGN §3."""
    data = JOURNAL.export_bytes(run, {"dialect": dialect, "gl_accounts": _MAPPING})
    rows = read(data, dialect)
    assert all(list(row) == list(JOURNAL_HEADERS) for row in rows)
    entries = _entries(rows)
    active = {
        clean_text(f"{run.key or run.id}-{i.account.number}"): i
        for i in run.invoices
        if i.state is InvoiceState.ACTIVE
    }
    numbers = [int(n) for n in entries]
    # Each account invoice has its place's number; undone and zero ones leave theirs unused.
    assert numbers == sorted(set(numbers))
    assert all(1 <= n <= len(run.invoices) for n in numbers)
    seen = set()
    for lines in entries.values():
        (invoice_number,) = {row["invoice"] for row in lines}
        invoice = active[invoice_number]
        seen.add(invoice_number)
        assert {row["debtor"] for row in lines} == {clean_text(invoice.account.number)}
        assert {row["currency"] for row in lines} == {invoice.account.currency}
        debit = sum((amount(row["debit"]) for row in lines), Decimal(0))
        credit = sum((amount(row["credit"]) for row in lines), Decimal(0))
        assert debit == credit, f"entry {lines[0]['entry']} does not balance"
        assert all(amount(row["debit"]) >= 0 and amount(row["credit"]) >= 0 for row in lines)
        assert all(not (row["debit"] and row["credit"]) for row in lines)
        debtor = [r for r in lines if r["gl_account"] == "1300"]
        signed = sum((amount(r["debit"]) - amount(r["credit"]) for r in debtor), Decimal(0))
        assert signed == invoice.total
        vat = {
            r["vat_code"]: amount(r["credit"]) - amount(r["debit"])
            for r in lines
            if r["gl_account"] == "1500"
        }
        expected = {
            vat_label(g.category, g.rate): g.tax
            for g in figures(invoice.statement).groups
            if g.tax
        }
        assert vat == expected
    assert {n for n, i in active.items() if i.total} <= seen <= set(active)


def _grouped_run() -> InvoiceRun:
    ledger = MemoryLedger()
    open_account(ledger, Account(number="7", name="Bar", limit=100), actor=ADMIN)
    beer = Vat.standard("0.21")
    ledger.record(
        Purchase(
            account="7",
            id="tx-7",
            at=dt.datetime(2026, 10, 5, 20, tzinfo=AMS),
            lines=(
                Line(product="Beer", quantity=3, unit_price="2.50", vat=beer, group="Drinks"),
                Line(product="Wine", quantity=1, unit_price="4.00", vat=beer, group="Drinks"),
                Line(product="Chips", quantity=1, unit_price="1.00", vat=beer, group="Food"),
                Line(product="Deposit", quantity=1, unit_price="1.00", vat=beer),
            ),
        )
    )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["7"], "none", actor=ADMIN)
    return commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)


def test_revenue_goes_to_the_gl_account_of_its_product_group() -> None:
    """Drinks to 8010, unmapped groups to the default, described in Dutch unless asked."""
    data = JOURNAL.export_bytes(
        _grouped_run(), {"dialect": "rfc4180", "gl_accounts": '{"Drinks": "8010"}'}
    )
    rows = [
        (r["gl_account"], r["description"], r["vat_code"], r["debit"], r["credit"])
        for r in read(data, "rfc4180")
    ]
    assert rows == [
        ("1300", "Bar 2026-10", "", "13.50", ""),
        ("8000", "Food, (geen groep) S 21%", "S 21%", "", "1.66"),
        ("8010", "Drinks S 21%", "S 21%", "", "9.50"),
        ("1500", "Btw S 21%", "S 21%", "", "2.34"),
    ]
    english = JOURNAL.export_bytes(
        _grouped_run(),
        {"dialect": "rfc4180", "gl_accounts": '{"Drinks": "8010"}', "language": "en"},
    )
    assert [r["description"] for r in read(english, "rfc4180")] == [
        "Bar 2026-10",
        "Food, (no group) S 21%",
        "Drinks S 21%",
        "VAT S 21%",
    ]


def test_a_credit_note_entry_credits_the_debtor() -> None:
    """Returns that make the total negative credit the debtor and debit revenue and VAT."""
    rows = read(JOURNAL.export_bytes(returns_run(), {"dialect": "rfc4180"}), "rfc4180")
    assert [(r["gl_account"], r["vat_code"], r["debit"], r["credit"]) for r in rows] == [
        ("1300", "", "", "3.10"),
        ("8000", "S 9%", "", "2.20"),
        ("1500", "S 9%", "", "0.20"),
        ("8000", "S 21%", "4.55", ""),
        ("1500", "S 21%", "0.95", ""),
    ]


def test_columns_number_date_journal_and_invoice_in_the_dutch_dialect() -> None:
    """excel-nl: dd-mm-yyyy, decimal comma; numbers from first_entry; undone left out.

    The undone account -7 comes first and keeps number 41 unused.
    """
    data = JOURNAL.export_bytes(sample_run(), {"first_entry": 41, "journal": "VK2"})
    rows = read(data, "excel-nl")
    assert data.startswith("\ufeffentry;date;journal;invoice;debtor;".encode())
    first = rows[0]
    assert (first["entry"], first["date"], first["journal"], first["invoice"]) == (
        "42",
        "01-11-2026",
        "VK2",
        "2026-10-1042",
    )
    assert first["debit"] == "27,65"
    assert sorted({r["debtor"] for r in rows}) == ["1042", "2001", "3003"]
    assert sorted({r["entry"] for r in rows}) == ["42", "43", "44"]


def test_debtor_names_are_the_debtors_files_billing_name_else_the_account_name() -> None:
    """Each debtor code has the name the debtors file gives it: billing name, else account's."""
    run = billed_run()
    rows = read(JOURNAL.export_bytes(run, {"dialect": "rfc4180"}), "rfc4180")
    debtors = read(DebtorsExporter().export_bytes(run, {"dialect": "rfc4180"}), "rfc4180")
    names = {row["number"]: row["name"] for row in debtors}
    assert {row["debtor"]: row["debtor_name"] for row in rows} == names
    assert names["1042"] == "Team A (Hockey)"
    (belgian,) = (i.account for i in run.invoices if i.account.number == "2001")
    assert names["2001"] == clean_text(belgian.name)


def test_invoice_numbers_match_the_ubl_documents() -> None:
    """The journal's invoice numbers are the ubl exporter's document numbers."""
    run = billed_run()
    ubl = UblExporter().export_bytes(run, SELLER)
    numbers = {doc.findtext("cbc:ID", namespaces=NS) for doc in documents(ubl)}
    journal = {r["invoice"] for r in read(JOURNAL.export_bytes(run), "excel-nl")}
    assert numbers <= journal
    assert journal - numbers == {"2026-10--7"}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"gl_accounts": "Drinks=8010"}, "gl_accounts"),
        ({"gl_accounts": '["8010"]'}, "gl_accounts"),
        ({"gl_accounts": '{"Drinks": ""}'}, "gl_accounts"),
        ({"journal": " "}, "journal"),
        ({"first_entry": -1}, "first_entry"),
    ],
)
def test_malformed_options_are_refused_when_built(options: dict[str, object], field: str) -> None:
    """Options that can never work raise InvalidOptions naming the option."""
    with pytest.raises(InvalidOptions, match=field) as caught:
        JOURNAL.options(options)
    assert caught.value.field == field


def _rows(run: InvoiceRun, **options: object) -> list[tuple[str, ...]]:
    data = JOURNAL.export_bytes(run, {"dialect": "rfc4180", **options})
    return [
        (r["gl_account"], r["vat_code"], r["debit"], r["credit"]) for r in read(data, "rfc4180")
    ]


def test_vat_posts_to_the_account_of_its_category_and_rate() -> None:
    """vat_accounts sends 21 % and 9 % VAT to their own GL accounts, the rest to vat_account."""
    rows = _rows(returns_run(), vat_accounts='{"S 21%": "1521"}')
    vat = [(gl, code) for gl, code, _, _ in rows if gl.startswith("15")]
    assert vat == [("1500", "S 9%"), ("1521", "S 21%")]


def test_vat_codes_map_our_rates_to_the_package_codes() -> None:
    """vat_codes writes the accounting package's codes in the vat_code column."""
    rows = _rows(returns_run(), vat_codes='{"S 21%": "VH", "S 9%": "VL"}')
    assert [code for _, code, _, _ in rows] == ["", "VL", "VL", "VH", "VH"]


def test_a_used_rate_without_a_code_is_refused_before_writing() -> None:
    """With vat_codes, a rate the run uses but the map lacks refuses the export, naming it."""
    stream = io.BytesIO()
    with pytest.raises(ExportRefused, match=r"S 9%.*vat_codes") as caught:
        JOURNAL.export(returns_run(), stream, {"vat_codes": '{"S 21%": "VH"}'})
    assert stream.getvalue() == b""
    assert {(r.account, r.field) for r in caught.value.refusals} == {("1042", "vat_codes")}


def test_sales_outside_the_scope_of_vat_need_no_vat_code() -> None:
    """A crate's deposit (category O) is written without a code; the package adds no VAT."""
    ledger = MemoryLedger()
    open_account(ledger, Account(number="2001", name="Team B", limit=200), actor=ADMIN)
    deposit = Vat.exempt("Statiegeld", VatCategory.OUTSIDE_SCOPE)
    ledger.record(
        Purchase(
            account="2001",
            id="tx-d1",
            at=dt.datetime(2026, 10, 3, 21, tzinfo=AMS),
            lines=(
                Line(product="Krat", quantity=1, unit_price="3.90", vat=deposit),
                Line(product="Beer", quantity=24, unit_price="1.10", vat=Vat.standard("0.21")),
            ),
        )
    )
    plan = plan_run(ledger, SAMPLE_PERIOD, ["2001"], "none", actor=ADMIN)
    run = commit_run(ledger, plan, actor=ADMIN, key="2026-10", at=RUN_AT)
    rows = _rows(run, vat_codes='{"S 21%": "VH"}')
    assert [(gl, code) for gl, code, _, _ in rows] == [
        ("1300", ""),
        ("8000", ""),
        ("8000", "VH"),
        ("1500", "VH"),
    ]


def test_entry_numbers_continue_across_runs_and_are_never_reused() -> None:
    """next_journal_entry continues after earlier runs; an undo keeps the other numbers."""
    ledger = MemoryLedger()
    for number in ("1", "2"):
        open_account(ledger, Account(number=number, name=f"M{number}", limit=100), actor=ADMIN)
    numbers: dict[str, set[str]] = {}
    runs = []
    for month, period in (
        ("10", SAMPLE_PERIOD),
        ("11", Period.month(2026, 11, tz=SAMPLE_PERIOD.tz)),
    ):
        for account in ("1", "2"):
            ledger.record(
                Purchase(
                    account=account,
                    id=f"{month}-{account}",
                    at=dt.datetime(2026, int(month), 5, 12, tzinfo=AMS),
                    lines=(Line(product="Tea", quantity=1, unit_price="2.00", vat=Vat.zero()),),
                )
            )
        plan = plan_run(ledger, period, ["1", "2"], "none", actor=ADMIN)
        run = commit_run(ledger, plan, actor=ADMIN, key=f"2026-{month}", at=period.end)
        runs.append(run)
        first = next_journal_entry(ledger, run)
        data = JOURNAL.export_bytes(run, {"first_entry": first})
        numbers[month] = {row["entry"] for row in read(data, "excel-nl")}
    assert numbers == {"10": {"1", "2"}, "11": {"3", "4"}}
    undo_invoice(ledger, runs[0].id, "1", actor=ADMIN, reason="Wrong", at=runs[1].created_at)
    again = ledger.run(runs[0].id)
    data = JOURNAL.export_bytes(again, {"first_entry": next_journal_entry(ledger, again)})
    assert {row["entry"] for row in read(data, "excel-nl")} == {"2"}


def test_entries_can_be_dated_on_the_billed_periods_last_day() -> None:
    """entry_date=period-end books October's sales on 31 October, in their own month."""
    run = sample_run()
    invoiced = read(JOURNAL.export_bytes(run), "excel-nl")
    at_end = read(JOURNAL.export_bytes(run, {"entry_date": "period-end"}), "excel-nl")
    assert {r["date"] for r in invoiced} == {"01-11-2026"}
    assert {r["date"] for r in at_end} == {"31-10-2026"}
    assert [{**r, "date": ""} for r in at_end] == [{**r, "date": ""} for r in invoiced]
    with pytest.raises(InvalidOptions, match="entry_date"):
        JOURNAL.options({"entry_date": "tomorrow"})


def test_a_journal_on_the_default_gl_accounts_says_so() -> None:
    """No GL account given: the report names the defaults used, so the chart is checked."""
    report = JOURNAL.export(returns_run(), io.BytesIO(), {})
    assert report.notes == (
        "every entry posts to the default GL accounts: debtors 1300, revenue 8000 and VAT "
        "1500; give your chart of accounts' with the options debtors_account, "
        "revenue_account (or gl_accounts per product group) and vat_account (or "
        "vat_accounts per rate)",
    )
    given = JOURNAL.export(returns_run(), io.BytesIO(), {"revenue_account": "8100"})
    assert given.notes == ()

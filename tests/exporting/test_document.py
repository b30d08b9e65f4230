"""ExportDocument: statements, plans and runs in one shape, and the helpers around it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onaccount import InvoiceRun, InvoiceState, Line, Period, Plan, Purchase, Vat, VatCategory
from onaccount._transaction import stored_purchase
from onaccount.exporting import (
    DocumentKind,
    LedgerRequired,
    UnsupportedSource,
    export_document,
    pad_amount,
    split_by_account,
    vat_label,
)
from onaccount.exporting._document import _Placer
from onaccount.testing import strategies
from onaccount.testing._samples import sample_ledger, sample_plan, sample_run, sample_statement


def test_a_statement_is_one_account_without_balances() -> None:
    """A statement becomes one account in state 'statement' with no balances or limits."""
    statement = sample_statement()
    document = export_document(statement)
    assert document.kind is DocumentKind.STATEMENT
    (entry,) = document.accounts
    assert entry.statement is statement
    assert entry.state == "statement"
    assert (entry.balance_before, entry.limit_after, entry.invoice_id) == (None, None, None)
    assert document.totals == {"EUR": statement.total}
    assert document.title == "statement 1042 2026-10"


def test_a_plan_lists_its_drafts_by_account_number_with_the_correction() -> None:
    """A plan's drafts come in number order, planned, with balance and limit before/after."""
    plan = sample_plan()
    document = export_document(plan)
    assert document.kind is DocumentKind.PLAN
    assert document.strategy == "limit-minus-invoiced"
    assert [e.account.number for e in document.accounts] == ["-7", "1042", "2001", "3003"]
    by_number = {d.account.number: d for d in plan.drafts}
    for entry in document.accounts:
        draft = by_number[entry.account.number]
        assert entry.state == "planned"
        assert (entry.balance_before, entry.balance_after) == (
            draft.balance_before,
            draft.balance_after,
        )
        assert (entry.limit_before, entry.limit_after) == (draft.limit_before, draft.limit_after)
    assert document.totals == plan.totals


def test_a_run_lists_active_and_undone_invoices_with_ids() -> None:
    """A run lists undone invoices too, with id, state and strategy; it bills the others."""
    run = sample_run()
    document = export_document(run)
    assert document.kind is DocumentKind.RUN
    assert (document.run_id, document.run_key, document.strategy) == (
        "run-2026-10",
        "2026-10",
        "zero-balance",
    )
    assert document.created_at == run.created_at
    assert [(e.account.number, e.state) for e in document.accounts] == [
        ("-7", "undone"),
        ("1042", "active"),
        ("2001", "active"),
        ("3003", "active"),
    ]
    assert [e.account.number for e in document.billed] == ["1042", "2001", "3003"]
    assert document.totals == run.standing_totals


def test_lines_are_placed_on_business_dates_with_local_naive_times() -> None:
    """The 01:30 sale of 4 October is on 3 October, at 01:30 local time without a zone."""
    rows = list(export_document(sample_statement(), sample_ledger()).lines())
    late = [r for r in rows if r.transaction == "tx-0002"]
    assert [(r.date, r.time) for r in late] == [(dt.date(2026, 10, 3), dt.time(1, 30))]
    assert all(r.time.tzinfo is None for r in rows)
    assert sum(r.amount for r in rows) == sample_statement().total


def test_lines_without_a_ledger_are_refused_saying_to_pass_one() -> None:
    """Purchases are read back from a ledger: without one, LedgerRequired says to pass it."""
    document = export_document(sample_run())
    assert [d.date for d in document.days()]  # totals need no ledger
    with pytest.raises(LedgerRequired, match=r"run 2026-10 .* pass ledger="):
        next(document.lines())


@given(strategies.generated_runs())
def test_lines_days_and_vat_add_up_to_each_account_total(
    generated: strategies.GeneratedRun,
) -> None:
    """Per account, line amounts, day totals and net + VAT all equal the invoiced total."""
    document = export_document(generated.run, generated.generated.ledger)
    lines: dict[str, Decimal] = {}
    days: dict[str, Decimal] = {}
    for row in document.lines():
        lines[row.account.number] = lines.get(row.account.number, Decimal(0)) + row.amount
    for day in document.days():
        days[day.account.number] = days.get(day.account.number, Decimal(0)) + day.total
    assert set(lines) | set(days) <= {e.account.number for e in document.billed}
    for entry in document.billed:
        number = entry.account.number
        assert lines.get(number, Decimal(0)) == entry.total
        assert days.get(number, Decimal(0)) == entry.total
        assert entry.net + entry.tax == entry.total
        assert sum(entry.vat_by_rate().values(), Decimal(0)) == entry.tax
    assert document.totals == generated.run.standing_totals


def test_money_pads_to_the_minor_unit_but_never_rounds() -> None:
    """pad_amount() adds trailing zeros, keeps extra places, and drops the sign of zero."""
    assert str(pad_amount(Decimal("5"), "EUR")) == "5.00"
    assert str(pad_amount(Decimal("1700"), "JPY")) == "1700"
    assert str(pad_amount(Decimal("1.5"), "KWD")) == "1.500"
    assert str(pad_amount(Decimal("100.555"), "EUR")) == "100.555"
    assert str(pad_amount(Decimal("-0.00"), "EUR")) == "0.00"
    huge = Decimal("9" * 30)
    assert pad_amount(huge, "EUR") == huge


def test_split_by_account_gives_one_source_per_account() -> None:
    """A run splits into one-invoice runs and a plan into one-draft plans, by number."""
    parts = split_by_account(sample_run())
    # Account -7's invoice in the sample run is undone: it gets no part.
    assert [a.number for a, _ in parts] == ["1042", "2001", "3003"]
    assert all(isinstance(p, InvoiceRun) and len(p.invoices) == 1 for _, p in parts)
    plan_parts = split_by_account(sample_plan())
    assert all(isinstance(p, Plan) and len(p.drafts) == 1 for _, p in plan_parts)
    assert all(isinstance(p, Plan) and p.refusals == () for _, p in plan_parts)
    statement = sample_statement()
    assert split_by_account(statement) == ((statement.account, statement),)


def test_split_by_account_leaves_out_undone_invoices() -> None:
    """An undone invoice bills nothing: it gets no part, so no blank file per account."""
    run = sample_run()
    first, *rest = run.invoices
    undone = attrs.evolve(run, invoices=(attrs.evolve(first, state=InvoiceState.UNDONE), *rest))
    numbers = [a.number for a, _ in split_by_account(undone)]
    assert first.account.number not in numbers
    assert len(numbers) == len(run.invoices) - 1


def test_split_and_document_refuse_other_values() -> None:
    """export_document and split_by_account raise UnsupportedSource for other values."""
    with pytest.raises(UnsupportedSource, match="a list"):
        export_document([])  # type: ignore[arg-type]  # wrong on purpose
    with pytest.raises(UnsupportedSource, match="a NoneType"):
        split_by_account(None)  # type: ignore[arg-type]  # wrong on purpose


def test_vat_labels_use_plain_percentages() -> None:
    """VAT labels read 'S 21%', 'S 5.5%' and 'E 0%'."""
    assert vat_label(VatCategory.STANDARD, Decimal("0.21")) == "S 21%"
    assert vat_label(VatCategory.STANDARD, Decimal("0.055")) == "S 5.5%"
    assert vat_label(VatCategory.STANDARD, Decimal("0.20")) == "S 20%"
    assert vat_label(VatCategory.EXEMPT, Decimal(0)) == "E 0%"


# Cheap examples, and the DST nights and zones west of UTC it is about are rare draws.
@settings(max_examples=200)
@given(data=st.data(), period=strategies.periods())
def test_purchases_are_placed_on_their_business_date_and_local_wall_clock(
    data: st.DataObject, period: Period
) -> None:
    """Dates and local times agree with the calendar: DST nights, west of UTC, outside too."""
    zone = ZoneInfo(period.tz)
    inside = st.lists(strategies.instants(period), min_size=1, max_size=20)
    outside = st.lists(strategies.instants(period, outside=True), max_size=3)
    instants = data.draw(inside) + data.draw(outside)
    line = Line(product="Tea", quantity=1, unit_price=Decimal("2.10"), vat=Vat.zero())
    # Validated purchases keep UTC; a host's ledger may hand back other aware instants.
    purchases = [Purchase(account="1", at=at, lines=[line]) for at in instants] + [
        stored_purchase(f"h{n}", "1", at, "EUR", (line,), None) for n, at in enumerate(instants)
    ]
    placed = list(_Placer(period).place(purchases))
    assert [p for _, _, p in placed] == purchases
    for date, local, purchase in placed:
        assert date == period.business_date(purchase.at)
        assert local == purchase.at.astimezone(zone).time()

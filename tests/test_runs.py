import datetime as dt
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import onaccount as oa
from onaccount.testing import strategies as oas

AMS = ZoneInfo("Europe/Amsterdam")
ADMIN = oa.Actor.superuser("admin")
CLERK = oa.Actor("clerk", {"view", "invoice"})
BEER = oa.Vat.standard("0.21")
FOOD = oa.Vat.standard("0.09")
OCTOBER = oa.Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
NOVEMBER = oa.Period.month(2026, 11, tz="Europe/Amsterdam", day_starts_at="04:00")
_ZERO = Decimal(0)


class ExplodingLedger:
    """A ledger every method of which fails: proves a refusal came before any read."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"the ledger was used ({name}) before permissions were checked")


def at(day: int, hour: int = 12, minute: int = 0, month: int = 10) -> dt.datetime:
    """An Amsterdam wall-clock instant in 2026."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=AMS)


def buy(
    ledger: oa.MemoryLedger,
    account: str,
    when: dt.datetime,
    *lines: tuple[str, int | str, str, oa.Vat],
    currency: str = "EUR",
    id: str | None = None,
) -> oa.Purchase:
    """Record a purchase of ``lines`` (product, quantity, unit price, VAT)."""
    extra: dict[str, Any] = {} if id is None else {"id": id}
    purchase = oa.Purchase(
        account=account,
        at=when,
        currency=currency,
        lines=[oa.Line(product=p, quantity=q, unit_price=u, vat=v) for p, q, u, v in lines],
        **extra,
    )
    ledger.record(purchase, allow_over_limit=True)
    return purchase


@pytest.fixture
def ledger() -> oa.MemoryLedger:
    """Limit accounts in EUR and USD, a credit account and one without purchases."""
    ledger = oa.MemoryLedger()
    for account in (
        oa.Account(number="1042", name="Team A", limit=200),
        oa.Account(number="2001", name="Café Zoë", limit=100),
        oa.Account(number="3003", name="Dollar bar", limit=100, currency="USD"),
        oa.Account(number="9000", name="Prepaid", kind="credit"),
        oa.Account(number="5005", name="Quiet", limit=50),
    ):
        oa.open_account(ledger, account, actor=ADMIN)
    buy(ledger, "1042", at(3, 21), ("Beer", 4, "2.80", BEER), ("Fries", 2, "3.50", FOOD))
    buy(ledger, "1042", at(4, 1, 30), ("Beer", 2, "2.80", BEER))
    buy(ledger, "1042", at(2, 12, month=11), ("Beer", 1, "2.80", BEER))
    buy(ledger, "2001", at(10), ("Coffee", 3, "2.40", FOOD))
    buy(ledger, "3003", at(11), ("Soda", 2, "1.75", BEER), currency="USD")
    ledger.record(
        oa.CreditBooking(account="9000", at=at(1), credit="50", kind="top-up", reason="cash")
    )
    buy(ledger, "9000", at(2), ("Coffee", 1, "2.40", FOOD))
    return ledger


def snapshot(ledger: oa.MemoryLedger) -> tuple[Any, ...]:
    """Everything a run could change, to compare before and after."""
    numbers = ["1042", "2001", "3003", "5005", "9000"]
    return (
        ledger.states(numbers),
        list(ledger.transactions(numbers, uninvoiced=True)),
        ledger.runs(),
        ledger.mutations(),
    )


# -- planning ---------------------------------------------------------------------------


def test_plan_refuses_a_credit_account_and_says_why(ledger: oa.MemoryLedger) -> None:
    """A credit account is refused with the credit-account reason and a sentence saying so."""
    plan = oa.plan_run(ledger, OCTOBER, ["9000"], "none", actor=ADMIN)
    assert plan.drafts == ()
    (refusal,) = plan.refusals
    assert refusal.account == "9000"
    assert refusal.reason is oa.RefusalReason.CREDIT_ACCOUNT
    assert "9000 'Prepaid' is a credit account" in refusal.message
    assert "only limit accounts can be invoiced" in refusal.message


def test_plan_refuses_credit_bookings_in_the_period_and_lists_them(
    ledger: oa.MemoryLedger,
) -> None:
    """Credit bookings inside the period refuse the account and are listed by id."""
    payment = oa.CreditBooking(
        account="1042", at=at(15), credit="10.00", kind="payment", reason="bank", id="pay-1"
    )
    ledger.record(payment)
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    (refusal,) = plan.refusals
    assert refusal.reason is oa.RefusalReason.CREDIT_BOOKINGS_IN_PERIOD
    assert refusal.transactions == ("pay-1",)
    assert "pay-1 (payment 10.00 on 2026-10-15)" in refusal.message
    assert plan.drafts == ()


def test_plan_refuses_an_unknown_account_by_number(ledger: oa.MemoryLedger) -> None:
    """An unknown number is refused with the unknown-account reason naming the number."""
    plan = oa.plan_run(ledger, OCTOBER, ["777"], "none", actor=ADMIN)
    (refusal,) = plan.refusals
    assert refusal.reason is oa.RefusalReason.UNKNOWN_ACCOUNT
    assert "account 777 does not exist" in refusal.message


def test_plan_refuses_accounts_in_another_currency_than_asked(
    ledger: oa.MemoryLedger,
) -> None:
    """With a currency given, accounts kept in another currency are refused, naming both."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "3003"], "none", actor=ADMIN, currency="EUR")
    assert [d.account.number for d in plan.drafts] == ["1042"]
    (refusal,) = plan.refusals
    assert refusal.reason is oa.RefusalReason.CURRENCY_MISMATCH
    assert "kept in USD, not EUR" in refusal.message


def test_one_refused_account_never_sinks_the_others(ledger: oa.MemoryLedger) -> None:
    """Refused, empty and invoiceable accounts each land in their own part of one plan."""
    plan = oa.plan_run(
        ledger, OCTOBER, ["9000", "1042", "777", "5005", "2001"], "zero-balance", actor=ADMIN
    )
    assert [d.account.number for d in plan.drafts] == ["1042", "2001"]
    assert [r.account for r in plan.refusals] == ["777", "9000"]
    assert plan.nothing_to_invoice == ("5005",)
    assert plan.totals == {"EUR": Decimal("31.00")}


def test_plan_totals_are_kept_per_currency(ledger: oa.MemoryLedger) -> None:
    """Plan and run totals are kept per currency, sorted by code."""
    plan = oa.plan_run(ledger, OCTOBER, ["3003", "1042", "2001"], "none", actor=ADMIN)
    assert plan.totals == {"EUR": Decimal("31.00"), "USD": Decimal("3.50")}
    assert list(plan.totals) == ["EUR", "USD"]
    run = oa.commit_run(ledger, plan, actor=ADMIN)
    assert run.totals == plan.totals


def test_a_run_s_standing_totals_leave_its_undone_invoices_out(ledger: oa.MemoryLedger) -> None:
    """A run's totals keep what it billed; its standing totals drop an undone invoice."""
    plan = oa.plan_run(ledger, OCTOBER, ["3003", "1042", "2001"], "none", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN)
    assert run.standing_totals == run.totals
    oa.undo_invoice(ledger, run.id, "3003", actor=ADMIN, reason="wrong currency")
    oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong month")
    stored = ledger.run(run.id)
    assert stored.totals == {"EUR": Decimal("31.00"), "USD": Decimal("3.50")}
    assert stored.standing_totals == {"EUR": stored.invoice_for("2001").total}


def test_plan_warns_about_older_purchases_no_run_invoiced(ledger: oa.MemoryLedger) -> None:
    """Purchases before the period that no run invoiced give a warning with count and total."""
    plan = oa.plan_run(ledger, NOVEMBER, ["1042", "2001"], "none", actor=ADMIN)
    warnings = {w.account: w for w in plan.warnings}
    assert warnings["1042"].count == 2
    assert warnings["1042"].total == Decimal("23.80")
    assert warnings["1042"].oldest == at(3, 21)
    assert "1042 has 2 purchases totalling 23.80" in warnings["1042"].message
    assert "2026-10-03" in warnings["1042"].message
    assert warnings["2001"].count == 1


def test_no_warning_once_older_purchases_are_invoiced(ledger: oa.MemoryLedger) -> None:
    """After October is invoiced, planning November warns about nothing."""
    oa.commit_run(ledger, oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=ADMIN), actor=ADMIN)
    assert oa.plan_run(ledger, NOVEMBER, ["1042"], "none", actor=ADMIN).warnings == ()


def test_plan_refuses_a_bare_string_selection_naming_it(ledger: oa.MemoryLedger) -> None:
    """A selection given as one string is refused with a hint to pass a list."""
    with pytest.raises(oa.InvalidValue, match=r"selection '1042' is a single string"):
        oa.plan_run(ledger, OCTOBER, "1042", "none", actor=ADMIN)


def test_plan_refuses_an_unknown_strategy_name(ledger: oa.MemoryLedger) -> None:
    """An unknown strategy name is refused naming it and the known ones."""
    with pytest.raises(oa.UnknownStrategy, match=r"'zero' is unknown; use one of") as caught:
        oa.plan_run(ledger, OCTOBER, ["1042"], "zero", actor=ADMIN)
    assert caught.value.value == "zero"


def test_plan_by_query_selects_matching_accounts(ledger: oa.MemoryLedger) -> None:
    """A query selection plans every account it finds, as a bulk run."""
    query = oa.AccountQuery(balance="<0", kind="limit")
    plan = oa.plan_run(ledger, OCTOBER, query, "none", actor=ADMIN)
    assert plan.bulk
    assert [d.account.number for d in plan.drafts] == ["1042", "2001", "3003"]


@given(generated=oas.ledgers(), strategy=oas.reset_strategies())
def test_planning_is_pure_and_deterministic(
    generated: oas.GeneratedLedger, strategy: oa.ResetStrategy
) -> None:
    """Planning writes nothing and two plans over the same ledger are equal (§7 item 6)."""
    ledger = generated.ledger
    numbers = list(generated.numbers)
    before = (
        ledger.states(numbers),
        list(ledger.transactions(numbers)),
        list(ledger.transactions(numbers, uninvoiced=True)),
        ledger.runs(),
        ledger.mutations(),
    )
    first = oa.plan_run(ledger, generated.period, numbers, strategy, actor=generated.actor)
    second = oa.plan_run(ledger, generated.period, numbers, strategy, actor=generated.actor)
    assert first == second
    after = (
        ledger.states(numbers),
        list(ledger.transactions(numbers)),
        list(ledger.transactions(numbers, uninvoiced=True)),
        ledger.runs(),
        ledger.mutations(),
    )
    assert after == before


class TimeOrderedLedger(oa.MemoryLedger):
    """A host's ledger that gives bookings in time order across accounts, not by account."""

    def transactions(self, *args: Any, **kwargs: Any) -> Iterator[oa.Transaction]:
        found = list(super().transactions(*args, **kwargs))
        return iter(sorted(found, key=lambda tx: (tx.at, tx.id)))


def test_a_ledger_that_mixes_accounts_up_is_refused_naming_the_accounts() -> None:
    """Bookings out of account order break the protocol: LedgerError names both accounts."""
    ledger = TimeOrderedLedger()
    ledger.open_accounts(oa.Account(number=n, name=f"M {n}", limit=500) for n in ("1", "2"))
    buy(ledger, "1", at(2), ("Tea", 1, "2.10", FOOD))
    buy(ledger, "2", at(3), ("Tea", 1, "2.10", FOOD))
    buy(ledger, "1", at(4), ("Tea", 1, "2.10", FOOD))
    with pytest.raises(oa.LedgerError, match=r"account 1 again after those of account 2") as err:
        oa.plan_run(ledger, OCTOBER, ["1", "2"], "none", actor=ADMIN)
    assert err.value.value == "1"


def test_a_ledger_that_sums_an_account_twice_is_refused() -> None:
    """Totals for one account given twice (or for one not asked) raise LedgerError naming it."""

    class Twice(oa.MemoryLedger):
        def statement_totals(
            self, numbers: Sequence[str], period: oa.Period
        ) -> Iterator[oa.ledger.AccountTotals]:
            found = list(super().statement_totals(numbers, period))
            return iter(found + found)

    ledger = Twice()
    ledger.open_account(oa.Account(number="7", name="Seven", limit=500))
    buy(ledger, "7", at(2), ("Tea", 1, "2.10", FOOD))
    with pytest.raises(oa.LedgerError, match=r"totals for account 7 twice"):
        oa.plan_run(ledger, OCTOBER, ["7"], "none", actor=ADMIN)


@given(plan=oas.plans())
def test_plan_totals_agree_to_the_cent(plan: oa.Plan) -> None:
    """Every draft's total equals its days, products and VAT gross; net + VAT = gross."""
    for draft in plan.drafts:
        statement = draft.statement
        assert draft.total == sum((d.total for d in statement.days), _ZERO)
        assert draft.total == sum((p.amount for p in statement.products), _ZERO)
        assert draft.total == sum((v.gross for v in statement.vat), _ZERO)
        assert all(v.net + v.tax == v.gross for v in statement.vat)


# -- committing -------------------------------------------------------------------------


def test_commit_records_the_run_its_links_and_one_mutation_per_correction(
    ledger: oa.MemoryLedger,
) -> None:
    """Commit stores the run, links its purchases and books one mutation per account."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    when = dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC)
    run = oa.commit_run(ledger, plan, actor=ADMIN, at=when)
    assert run.strategy == "zero-balance"
    assert run.actor == "admin"
    assert run.created_at == when
    assert run.period == OCTOBER
    assert ledger.run(run.id) == run
    invoiced = {t.id for t in ledger.transactions(["1042", "2001"], uninvoiced=False)}
    assert invoiced == {t for i in run.invoices for t in i.transaction_ids()}
    mutations = ledger.mutations(run_id=run.id)
    assert [(m.account, m.balance_delta, m.kind) for m in mutations] == [
        ("1042", Decimal("23.80"), oa.MutationKind.RUN_CORRECTION),
        ("2001", Decimal("7.20"), oa.MutationKind.RUN_CORRECTION),
    ]
    assert all(m.at == when and m.actor == "admin" for m in mutations)
    assert all(m.run_id == run.id for m in mutations)
    assert all("2026-10" in m.reason and "zero-balance" in m.reason for m in mutations)
    assert run.invoice_for("1042").mutation == mutations[0]


def test_no_correction_books_no_mutation(ledger: oa.MemoryLedger) -> None:
    """NoCorrection links the purchases but books no mutation."""
    run = oa.commit_run(
        ledger, oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=ADMIN), actor=ADMIN
    )
    assert run.invoice_for("1042").mutation is None
    assert ledger.mutations() == []
    assert ledger.states(["1042"])["1042"].balance == Decimal("-26.60")


def test_invoice_for_an_account_not_in_the_run_names_it(ledger: oa.MemoryLedger) -> None:
    """Asking a run for an account it did not invoice raises UnknownRun naming both."""
    run = oa.commit_run(
        ledger, oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=ADMIN), actor=ADMIN
    )
    with pytest.raises(oa.UnknownRun, match=r"for account 2001; it invoiced account 1042"):
        run.invoice_for("2001")


def test_commit_conflicts_when_a_planned_purchase_was_invoiced_meanwhile(
    ledger: oa.MemoryLedger,
) -> None:
    """A purchase invoiced by another run since planning gives RunConflict; nothing is written."""
    stale = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "none", actor=ADMIN)
    other = oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=ADMIN)
    oa.commit_run(ledger, other, actor=ADMIN)
    before = snapshot(ledger)
    with pytest.raises(
        oa.RunConflict, match=r"^purchases .+ were invoiced by another run"
    ) as caught:
        oa.commit_run(ledger, stale, actor=ADMIN)
    taken = sorted(other.drafts[0].statement.transaction_ids())
    assert caught.value.value == taken
    assert all(t in str(caught.value) for t in taken)
    assert snapshot(ledger) == before


def test_commit_conflicts_when_an_account_changed_meanwhile(ledger: oa.MemoryLedger) -> None:
    """An account updated since planning gives RunConflict naming it; nothing is written."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    renamed = attrs.evolve(ledger.get_account("2001"), name="Café Zoë BV")
    oa.update_account(ledger, renamed, actor=ADMIN)
    before = snapshot(ledger)
    with pytest.raises(
        oa.RunConflict, match=r"account 2001 .* changed since the run was planned"
    ) as caught:
        oa.commit_run(ledger, plan, actor=ADMIN)
    assert caught.value.value == "2001"
    assert snapshot(ledger) == before


def test_commit_conflicts_when_a_limit_changed_meanwhile(ledger: oa.MemoryLedger) -> None:
    """A limit change since planning gives RunConflict; nothing is written."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "limit-minus-invoiced", actor=ADMIN)
    oa.change_limit(ledger, "1042", 300, actor=ADMIN, reason="season")
    before = snapshot(ledger)
    with pytest.raises(oa.RunConflict, match="plan the run again"):
        oa.commit_run(ledger, plan, actor=ADMIN)
    assert snapshot(ledger) == before


def test_commit_reports_the_balance_at_commit_time(ledger: oa.MemoryLedger) -> None:
    """A purchase recorded after planning shows in balance_before but is not invoiced."""
    plan = oa.plan_run(ledger, OCTOBER, ["2001"], "zero-balance", actor=ADMIN)
    late = buy(ledger, "2001", at(20), ("Coffee", 1, "2.40", FOOD))
    run = oa.commit_run(ledger, plan, actor=ADMIN)
    invoice = run.invoice_for("2001")
    assert invoice.balance_before == Decimal("-9.60")
    assert invoice.balance_after == Decimal("-2.40")
    assert late.id not in invoice.transaction_ids()
    assert ledger.states(["2001"])["2001"].balance == Decimal("-2.40")


def test_idempotency_key_returns_the_existing_run_and_books_nothing_twice(
    ledger: oa.MemoryLedger,
) -> None:
    """Committing the same plan again under its key returns the stored run, writing nothing."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="october-2026")
    before = snapshot(ledger)
    again = oa.commit_run(ledger, plan, actor=ADMIN, key="october-2026")
    assert again == run
    assert snapshot(ledger) == before
    assert ledger.run_by_key("october-2026") == run
    assert ledger.run_by_key("november-2026") is None
    assert len(ledger.mutations()) == 2


def test_a_key_answers_an_identical_plan_planned_again(ledger: oa.MemoryLedger) -> None:
    """A plan made again over the same ledger is a retry: the first run comes back."""
    first = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    second = oa.plan_run(ledger, OCTOBER, ["2001", "1042"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, first, actor=ADMIN, key="oct")
    before = snapshot(ledger)
    assert oa.commit_run(ledger, second, actor=ADMIN, key="oct") == run
    # Planned again after the commit, the month has nothing left: still the same retry.
    replanned = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    assert not replanned.drafts
    assert oa.commit_run(ledger, replanned, actor=ADMIN, key="oct") == run
    assert snapshot(ledger) == before


def test_a_key_used_by_another_plan_is_refused_naming_run_and_difference(
    ledger: oa.MemoryLedger,
) -> None:
    """November under October's key raises KeyInUse naming key, run and what differs."""
    october = oa.plan_run(ledger, OCTOBER, ["1042"], "limit-minus-invoiced", actor=ADMIN)
    run = oa.commit_run(ledger, october, actor=ADMIN, key="oct")
    november = oa.plan_run(ledger, NOVEMBER, ["1042"], "zero-balance", actor=ADMIN)
    before = snapshot(ledger)
    with pytest.raises(oa.KeyInUse) as caught:
        oa.commit_run(ledger, november, actor=ADMIN, key="oct")
    assert isinstance(caught.value, oa.RunConflict)
    message = caught.value.message
    assert "key 'oct'" in message
    assert run.id in message
    assert "2026-10" in message
    assert "2026-11" in message
    assert "limit-minus-invoiced" in message
    assert "zero-balance" in message
    assert caught.value.value == "oct"
    assert snapshot(ledger) == before
    assert ledger.run_by_key("oct") == run


@pytest.mark.parametrize(
    ("change", "difference"),
    [
        ({"selection": ["1042", "2001"]}, r"account 2001 selected as well"),
        ({"currency": "EUR"}, "currency"),
    ],
    ids=["accounts", "currency"],
)
def test_a_key_refuses_a_plan_that_differs_in_one_part(
    ledger: oa.MemoryLedger, change: dict[str, Any], difference: str
) -> None:
    """Selection and currency are part of what a key is bound to."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    oa.commit_run(ledger, plan, actor=ADMIN, key="k")
    buy(ledger, "2001", at(12), ("Coffee", 1, "2.40", FOOD))
    buy(ledger, "1042", at(12), ("Beer", 1, "2.80", BEER))
    other = oa.plan_run(
        ledger,
        OCTOBER,
        change.get("selection", ["1042"]),
        "zero-balance",
        actor=ADMIN,
        currency=change.get("currency"),
    )
    with pytest.raises(oa.KeyInUse, match=difference):
        oa.commit_run(ledger, other, actor=ADMIN, key="k")


def test_another_strategy_under_a_used_key_names_only_the_strategy(
    ledger: oa.MemoryLedger,
) -> None:
    """Re-run with another strategy, the refusal names the strategy, not the billed purchases."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    oa.commit_run(ledger, plan, actor=ADMIN, key="k")
    again = oa.plan_run(ledger, OCTOBER, ["1042"], "limit-minus-invoiced", actor=ADMIN)
    with pytest.raises(oa.KeyInUse) as caught:
        oa.commit_run(ledger, again, actor=ADMIN, key="k")
    differs = caught.value.message.split("this plan differs: ")[1]
    assert differs.startswith("strategy limit-minus-invoiced, not zero-balance; nothing")


def test_new_purchases_under_a_used_key_are_refused_naming_the_account(
    ledger: oa.MemoryLedger,
) -> None:
    """A re-plan that would bill purchases the keyed run did not is not a retry."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    oa.commit_run(ledger, plan, actor=ADMIN, key="k")
    buy(ledger, "1042", at(20), ("Beer", 1, "2.80", BEER))
    again = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    beyond = r"purchases of account 1042 that the run did not invoice"
    with pytest.raises(oa.KeyInUse, match=beyond):
        oa.commit_run(ledger, again, actor=ADMIN, key="k")


def test_a_plan_made_before_later_purchases_names_the_account_under_a_used_key(
    ledger: oa.MemoryLedger,
) -> None:
    """An older plan with fewer purchases than the keyed run says so, not "other purchases"."""
    early = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    buy(ledger, "1042", at(20), ("Beer", 1, "2.80", BEER))
    later = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    oa.commit_run(ledger, later, actor=ADMIN, key="k")
    fewer = r"fewer purchases of account 1042 than the run invoiced; nothing"
    with pytest.raises(oa.KeyInUse, match=fewer):
        oa.commit_run(ledger, early, actor=ADMIN, key="k")


def test_invoicing_an_undone_account_again_under_the_run_s_key_says_so(
    ledger: oa.MemoryLedger,
) -> None:
    """After an undo, the same key names the account whose invoice was undone."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="k")
    oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong month")
    again = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "zero-balance", actor=ADMIN)
    undone = (
        r"this plan differs: it would invoice account 1042 again, whose invoice in that "
        r"run was undone; nothing was written"
    )
    with pytest.raises(oa.KeyInUse, match=undone):
        oa.commit_run(ledger, again, actor=ADMIN, key="k")


@pytest.mark.parametrize("strategy", ["none", "zero-balance", "limit-minus-invoiced"])
def test_the_same_plan_again_after_its_only_invoice_was_undone_is_no_retry(
    ledger: oa.MemoryLedger, strategy: str
) -> None:
    """Planned again after the undo, the run's plan is refused under its key, not skipped."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], strategy, actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="k")
    oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="sent to the wrong address")
    again = oa.plan_run(ledger, OCTOBER, ["1042"], strategy, actor=ADMIN)
    assert again.fingerprint == plan.fingerprint, "the undo put everything back as planned"
    undone = r"it would invoice account 1042 again, whose invoice in that run was undone"
    with pytest.raises(oa.KeyInUse, match=undone):
        oa.commit_run(ledger, again, actor=ADMIN, key="k")
    before = ledger.mutations()
    assert oa.commit_run(ledger, plan, actor=ADMIN, key="k") == ledger.run(run.id), (
        "the plan the run committed, sent again, is a retry"
    )
    assert ledger.mutations() == before
    billed = oa.commit_run(ledger, again, actor=ADMIN, key="k again")
    assert billed.id != run.id
    assert [i.state for i in billed.invoices] == [oa.InvoiceState.ACTIVE]


def test_an_undo_dated_before_the_plan_never_lets_a_replan_pass_for_a_retry(
    ledger: oa.MemoryLedger,
) -> None:
    """An undo dated minutes back: the plan made after it is refused under the key."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="k")
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong address", at=when)
    again = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    with pytest.raises(oa.KeyInUse, match="again, whose invoice in that run was undone"):
        oa.commit_run(ledger, again, actor=ADMIN, key="k")
    # Dated before the plan was made, the undo leaves a late retry refused: loudly.
    with pytest.raises(oa.KeyInUse):
        oa.commit_run(ledger, plan, actor=ADMIN, key="k")


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("", "run key '' is empty; give a non-empty text"),
        ("   ", "run key '   ' is empty"),
        (" 2026-10 ", "run key ' 2026-10 ' has white space around it; run keys are matched"),
        ("a\x00b", "contains a NUL character"),
        ("k" * 201, "has 201 characters; give at most 200"),
        (5, "run key 5 is an int, not text; pass '5'"),
    ],
)
def test_a_key_that_cannot_be_kept_as_given_is_refused_before_anything_is_written(
    ledger: oa.MemoryLedger, key: object, words: str
) -> None:
    """An empty, padded, NUL-bearing, overlong or non-text key is refused, naming it."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    with pytest.raises(oa.InvalidValue, match=re.escape(words)) as refused:
        oa.commit_run(ledger, plan, actor=ADMIN, key=key)  # type: ignore[arg-type]  # as untyped callers do
    assert refused.value.field == "key"
    assert ledger.runs() == []


def test_an_empty_plan_is_refused_naming_refusals_and_consumes_no_key(
    ledger: oa.MemoryLedger,
) -> None:
    """A plan without drafts raises EmptyRun naming each account and why; nothing is kept."""
    plan = oa.plan_run(ledger, OCTOBER, ["9000", "5005", "404"], "zero-balance", actor=ADMIN)
    assert not plan.drafts
    before = snapshot(ledger)
    with pytest.raises(oa.EmptyRun) as caught:
        oa.commit_run(ledger, plan, actor=ADMIN, key="oct")
    message = caught.value.message
    assert "9000" in message
    assert "credit account" in message
    assert "404" in message
    assert "does not exist" in message
    assert "5005" in message
    assert "nothing to invoice" in message
    assert caught.value.value == ("404", "5005", "9000")
    assert snapshot(ledger) == before
    assert ledger.run_by_key("oct") is None
    # The key is still free for the run that does bill.
    billed = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    assert oa.commit_run(ledger, billed, actor=ADMIN, key="oct").key == "oct"


def test_an_empty_selection_has_nothing_to_invoice() -> None:
    """Committing a plan over accounts without purchases says there was nothing to invoice."""
    ledger = oa.MemoryLedger()
    oa.open_account(ledger, oa.Account(number="1", name="Quiet", limit=10), actor=ADMIN)
    plan = oa.plan_run(ledger, OCTOBER, ["1"], "none", actor=ADMIN)
    with pytest.raises(oa.EmptyRun, match=r"nothing to invoice"):
        oa.commit_run(ledger, plan, actor=ADMIN)
    assert ledger.runs() == []


def test_an_empty_plan_over_hundreds_of_accounts_names_ten_and_counts_the_rest() -> None:
    """Nothing to invoice for 300 accounts: EmptyRun names ten of them in one short sentence."""
    ledger = oa.MemoryLedger()
    numbers = [str(1000 + i) for i in range(300)]
    ledger.open_accounts([oa.Account(number=n, name=f"Lid {n}", limit=10) for n in numbers])
    plan = oa.plan_run(ledger, OCTOBER, [*numbers, "404"], "none", actor=ADMIN)
    with pytest.raises(oa.EmptyRun) as caught:
        oa.commit_run(ledger, plan, actor=ADMIN)
    message = caught.value.message
    assert message.endswith(
        "accounts 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009 and 290 more "
        "have nothing to invoice in 2026-10"
    )
    assert "404" in message
    assert len(message) < 400
    assert caught.value.value == ("1000", *numbers[1:], "404")


def test_commit_refuses_a_naive_instant_naming_the_field(ledger: oa.MemoryLedger) -> None:
    """A naive commit instant is refused with NaiveDatetime naming the field."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=ADMIN)
    with pytest.raises(oa.NaiveDatetime, match=r"commit instant 'at' 2026-11-01T00:00:00"):
        oa.commit_run(ledger, plan, actor=ADMIN, at=dt.datetime(2026, 11, 1))
    assert ledger.runs() == []


def test_zero_balance_clears_only_the_period_and_later_purchases_stay(
    ledger: oa.MemoryLedger,
) -> None:
    """ZeroBalance raises the balance by T; a purchase after the period stays on it."""
    run = oa.commit_run(
        ledger,
        oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN),
        actor=ADMIN,
    )
    state = ledger.states(["1042"])["1042"]
    assert run.invoice_for("1042").total == Decimal("23.80")
    assert state.balance == Decimal("-2.80")
    assert state.limit == Decimal("200")


def test_limit_minus_invoiced_lowers_the_limit_and_keeps_the_room(
    ledger: oa.MemoryLedger,
) -> None:
    """LimitMinusInvoiced raises the balance by T and lowers the limit by T."""
    before = ledger.states(["1042"])["1042"]
    oa.commit_run(
        ledger,
        oa.plan_run(ledger, OCTOBER, ["1042"], "limit-minus-invoiced", actor=ADMIN),
        actor=ADMIN,
    )
    after = ledger.states(["1042"])["1042"]
    assert after.balance == Decimal("-2.80")
    assert after.limit == Decimal("176.20")
    assert after.spending_room == before.spending_room


# -- undo -------------------------------------------------------------------------------


def test_undo_restores_balance_limit_and_frees_the_purchases(ledger: oa.MemoryLedger) -> None:
    """Undo books the reverse mutation and frees the purchases for a later run."""
    before = ledger.states(["1042"])["1042"]
    uninvoiced = list(ledger.transactions(["1042"], uninvoiced=True))
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "limit-minus-invoiced", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN)
    undone = oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason=" wrong period ")
    after = ledger.states(["1042"])["1042"]
    assert (after.balance, after.limit) == (before.balance, before.limit)
    assert list(ledger.transactions(["1042"], uninvoiced=True)) == uninvoiced
    assert undone.state is oa.InvoiceState.UNDONE
    assert undone.undo_reason == "wrong period"
    assert undone.undo_mutation is not None
    assert undone.undo_mutation.kind is oa.MutationKind.UNDO
    assert (undone.undo_mutation.balance_delta, undone.undo_mutation.limit_delta) == (
        Decimal("-23.80"),
        Decimal("23.80"),
    )
    assert [m.kind for m in ledger.mutations(run_id=run.id)] == [
        oa.MutationKind.RUN_CORRECTION,
        oa.MutationKind.UNDO,
    ]
    again = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    assert again.drafts[0].statement.transaction_ids() == run.invoice_for("1042").transaction_ids()


def test_undo_twice_raises_already_undone(ledger: oa.MemoryLedger) -> None:
    """Undoing an account invoice twice raises AlreadyUndone naming run and account."""
    run = oa.commit_run(
        ledger,
        oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN),
        actor=ADMIN,
    )
    oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong")
    before = snapshot(ledger)
    with pytest.raises(oa.AlreadyUndone, match=rf"account 1042 'Team A' in run {run.id}"):
        oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="again")
    assert snapshot(ledger) == before


def test_undone_already_says_when_in_the_runs_time_zone(ledger: oa.MemoryLedger) -> None:
    """The second undo's refusal gives the first one's time as the club's clock showed it."""
    run = oa.commit_run(
        ledger,
        oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN),
        actor=ADMIN,
    )
    first = dt.datetime(2026, 11, 2, 12, 0, 5, tzinfo=dt.UTC)
    oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong", at=first)
    with pytest.raises(oa.AlreadyUndone, match="on 2026-11-02 13:00:05 Europe/Amsterdam by admin"):
        oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="again")


def test_undo_warns_when_the_account_is_over_its_limit_again(ledger: oa.MemoryLedger) -> None:
    """Undoing a cleared invoice after new spending reports the negative spending room."""
    run = oa.commit_run(
        ledger,
        oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN),
        actor=ADMIN,
    )
    buy(ledger, "1042", at(5, month=11), ("Dinner", 1, "190.00", FOOD))
    undone = oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong month")
    room = ledger.states(["1042"])["1042"].spending_room
    assert room < 0
    warning = undone.over_limit
    assert warning is not None
    assert (warning.account, warning.spending_room) == ("1042", room)
    assert f"spending room {room}" in warning.message
    assert "1042 'Team A'" in warning.message
    assert warning.message == warning.text()
    assert f"spending room <{room}> (balance <{warning.balance}>, limit <{warning.limit}>)" in (
        warning.text(lambda amount: f"<{amount}>")
    )


def test_undo_within_the_limit_warns_nothing(ledger: oa.MemoryLedger) -> None:
    """An undo that leaves spending room carries no warning."""
    run = oa.commit_run(
        ledger,
        oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN),
        actor=ADMIN,
    )
    undone = oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="wrong month")
    assert undone.over_limit is None


def test_undo_of_an_unknown_run_names_it(ledger: oa.MemoryLedger) -> None:
    """Undoing a run that does not exist raises UnknownRun naming the id."""
    with pytest.raises(oa.UnknownRun, match=r"invoice run 'nope' does not exist"):
        oa.undo_invoice(ledger, "nope", "1042", actor=ADMIN, reason="x")


@pytest.mark.parametrize("reason", ["", "   "])
def test_undo_needs_a_reason(ledger: oa.MemoryLedger, reason: str) -> None:
    """An undo without a reason is refused with InvalidValue."""
    with pytest.raises(oa.InvalidValue, match=r"undo reason .* is empty"):
        oa.undo_invoice(ledger, "any", "1042", actor=ADMIN, reason=reason)


def test_no_correction_undo_books_nothing_but_frees_the_purchases(
    ledger: oa.MemoryLedger,
) -> None:
    """Undoing a NoCorrection invoice books no mutation and frees its purchases."""
    run = oa.commit_run(
        ledger, oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=ADMIN), actor=ADMIN
    )
    undone = oa.undo_invoice(ledger, run.id, "1042", actor=ADMIN, reason="redo")
    assert undone.undo_mutation is None
    assert ledger.mutations() == []
    assert len(list(ledger.transactions(["1042"], uninvoiced=False))) == 0


# -- permissions ------------------------------------------------------------------------


def test_single_account_runs_need_the_invoice_capability() -> None:
    """Planning one account without 'invoice' is refused before the ledger is read."""
    viewer = oa.Actor("viewer", {"view"})
    with pytest.raises(oa.PermissionDenied, match=r"actor 'viewer' may not plan an invoice"):
        oa.plan_run(ExplodingLedger(), OCTOBER, ["1042"], "none", actor=viewer)


@pytest.mark.parametrize(
    "selection", [["1042", "2001"], oa.AccountQuery(balance="<0"), []], ids=repr
)
def test_bulk_runs_need_the_bulk_invoice_capability(selection: oa.Selection) -> None:
    """Planning many accounts or a query without 'bulk-invoice' is refused before any read."""
    with pytest.raises(oa.PermissionDenied, match=r"lacks the 'bulk-invoice' capability"):
        oa.plan_run(ExplodingLedger(), OCTOBER, selection, "none", actor=CLERK)


def test_one_account_named_twice_is_one_account() -> None:
    """--account 2001 --account 2001 is a run over one account, which a clerk may plan."""
    assert oa.require_for_selection(CLERK, ["1042", "1042"], "plan") is False
    with pytest.raises(oa.PermissionDenied, match=r"lacks the 'bulk-invoice' capability"):
        oa.require_for_selection(CLERK, ["1042", "2001", "1042"], "plan")


def test_commit_checks_the_capability_the_plan_needs(ledger: oa.MemoryLedger) -> None:
    """Committing a bulk plan without 'bulk-invoice' is refused before the ledger is used."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "none", actor=ADMIN)
    with pytest.raises(oa.PermissionDenied, match=r"'clerk' may not commit a run over more"):
        oa.commit_run(ExplodingLedger(), plan, actor=CLERK)
    single = oa.plan_run(ledger, OCTOBER, ["1042"], "none", actor=CLERK)
    assert oa.commit_run(ledger, single, actor=CLERK).actor == "clerk"


def test_commit_decides_bulk_from_the_accounts_it_invoices(ledger: oa.MemoryLedger) -> None:
    """A plan's bulk flag changed by the caller does not let a clerk bill two accounts."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042", "2001"], "none", actor=ADMIN)
    forged = attrs.evolve(plan, bulk=False)
    before = snapshot(ledger)
    with pytest.raises(oa.PermissionDenied, match=r"lacks the 'bulk-invoice' capability"):
        oa.commit_run(ledger, forged, actor=CLERK)
    assert snapshot(ledger) == before
    # Two accounts selected, one billed: that is a single invoice, which a clerk may commit.
    one = oa.plan_run(ledger, OCTOBER, ["1042", "5005"], "none", actor=ADMIN)
    assert [d.account.number for d in one.drafts] == ["1042"]
    assert oa.commit_run(ledger, one, actor=CLERK).actor == "clerk"


def test_undo_needs_the_undo_capability() -> None:
    """Undoing without 'undo' is refused before the ledger is used."""
    with pytest.raises(oa.PermissionDenied, match=r"lacks the 'undo' capability"):
        oa.undo_invoice(ExplodingLedger(), "r", "1042", actor=CLERK, reason="x")


# -- periods partition (§7 item 7) --------------------------------------------------------


def replay(generated: oas.GeneratedLedger) -> oa.MemoryLedger:
    """A fresh ledger holding the same accounts and bookings."""
    ledger = oa.MemoryLedger()
    for account in generated.accounts:
        ledger.open_account(account)
    for tx in generated.transactions:
        ledger.record(tx, allow_over_limit=True)
    return ledger


@st.composite
def consecutive_months(draw: st.DrawFn) -> tuple[oa.Period, oa.Period, oa.Period]:
    """Two consecutive months and the period covering both."""
    tz = draw(oas.time_zones())
    start = draw(oas.day_starts())
    month = draw(st.sampled_from((10, 3, 9, 2, 11)))
    first = oa.Period.month(2026, month, tz=tz, day_starts_at=start)
    second = oa.Period.month(2026, month + 1, tz=tz, day_starts_at=start)
    both = oa.Period.between(first.first, second.last, tz=tz, day_starts_at=start)
    return first, second, both


@given(data=st.data(), months=consecutive_months(), strategy=oas.reset_strategies())
def test_two_months_invoice_exactly_what_one_run_over_both_does(
    data: st.DataObject,
    months: tuple[oa.Period, oa.Period, oa.Period],
    strategy: oa.ResetStrategy,
) -> None:
    """Invoicing two consecutive months separately bills what one run over both bills."""
    first, second, both = months
    generated = data.draw(oas.ledgers(both, credits_in_period=False))
    numbers = list(generated.numbers)
    separate, together = replay(generated), replay(generated)

    def billed(ledger: oa.MemoryLedger, period: oa.Period) -> tuple[oa.AccountInvoice, ...]:
        # A period with nothing to invoice commits no run: EmptyRun says so.
        plan = oa.plan_run(ledger, period, numbers, strategy, actor=ADMIN)
        return oa.commit_run(ledger, plan, actor=ADMIN).invoices if plan.drafts else ()

    months_billed = [*billed(separate, first), *billed(separate, second)]
    at_once = billed(together, both)
    for number in numbers:
        parts = [i for i in months_billed if i.account.number == number]
        whole = [i for i in at_once if i.account.number == number]
        ids = [t for part in parts for t in part.transaction_ids()]
        assert len(ids) == len(set(ids))
        assert set(ids) == (whole[0].transaction_ids() if whole else set())
        assert sum((p.total for p in parts), _ZERO) == sum((w.total for w in whole), _ZERO)
        days = [d for part in parts for d in part.statement.days]
        assert days == [d for w in whole for d in w.statement.days]
    assert {t.id for t in separate.transactions(numbers, uninvoiced=True)} == {
        t.id for t in together.transactions(numbers, uninvoiced=True)
    }


def test_the_oldest_uninvoiced_purchase_is_the_earliest_instant() -> None:
    """The warning's oldest purchase is the earliest in UTC, also in the repeated DST hour."""
    ledger = oa.MemoryLedger()
    oa.open_account(ledger, oa.Account(number="1", name="A", limit=100), actor=ADMIN)
    later = dt.datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=AMS)
    earlier = dt.datetime(2026, 10, 25, 2, 20, fold=0, tzinfo=AMS)
    buy(ledger, "1", later, ("Beer", 1, "2.80", BEER))
    buy(ledger, "1", earlier, ("Beer", 1, "2.80", BEER))
    (warning,) = oa.plan_run(ledger, NOVEMBER, ["1"], "none", actor=ADMIN).warnings
    assert warning.oldest.astimezone(dt.UTC) == earlier.astimezone(dt.UTC)


def test_planning_never_touches_the_cycle_collector() -> None:
    """Planning leaves Python's garbage collector alone: it stays enabled while a plan reads."""
    import gc

    seen: list[bool] = []

    class Watching(oa.MemoryLedger):
        def statement_totals(
            self, numbers: Sequence[str], period: oa.Period
        ) -> Iterator[oa.ledger.AccountTotals]:
            seen.append(gc.isenabled())
            return super().statement_totals(numbers, period)

    ledger = Watching()
    ledger.open_account(oa.Account(number="1", name="A", limit=500))
    buy(ledger, "1", at(2), ("Tea", 1, "2.10", FOOD))
    plan = oa.plan_run(ledger, OCTOBER, oa.AccountQuery(), "none", actor=ADMIN)
    assert plan.drafts
    assert seen == [True]
    assert gc.isenabled()


def test_a_generator_of_numbers_selects_its_accounts() -> None:
    """A selection given as a generator is read once, so its accounts are planned."""
    ledger = oa.MemoryLedger()
    admin = oa.Actor.superuser("gen")
    ledger.open_account(oa.Account(number="1", name="A", limit=100))
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    plan = oa.plan_run(ledger, period, (n for n in ["1"]), "none", actor=admin)
    assert plan.nothing_to_invoice == ("1",)
    assert not plan.bulk


def test_undo_takes_the_run_by_its_key(ledger: oa.MemoryLedger) -> None:
    """undo_invoice names a run by the key it was committed under as well as by its id."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="2026-10")
    undone = oa.undo_invoice(ledger, "2026-10", "1042", actor=ADMIN, reason="twice")
    assert undone.run_id == run.id
    assert undone.state is oa.InvoiceState.UNDONE
    assert undone.undo_mutation is not None
    assert undone.undo_mutation.run_id == run.id
    with pytest.raises(oa.UnknownRun, match="'2026-11'"):
        oa.undo_invoice(ledger, "2026-11", "1042", actor=ADMIN, reason="twice")


def test_undo_by_key_of_an_account_the_run_did_not_bill_says_so(
    ledger: oa.MemoryLedger,
) -> None:
    """A run named by its key that holds no invoice for the account says which it holds."""
    plan = oa.plan_run(ledger, OCTOBER, ["1042"], "zero-balance", actor=ADMIN)
    run = oa.commit_run(ledger, plan, actor=ADMIN, key="2026-10")
    with pytest.raises(oa.UnknownRun, match=f"run {run.id} has no invoice for account 2001"):
        oa.undo_invoice(ledger, "2026-10", "2001", actor=ADMIN, reason="wrong account")

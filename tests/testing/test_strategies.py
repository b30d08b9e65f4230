import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pendulum
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import onaccount as oa
from onaccount._money import CURRENCIES
from onaccount.ledger.sql import SQLLedger
from onaccount.testing import strategies as oas

T = TypeVar("T")
OCTOBER = oa.Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
TEAM = oa.Account(number="1042", name="Team A", limit=200)
XML_FORBIDDEN = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def occurs(strategy: st.SearchStrategy[T], condition: Callable[[T], bool]) -> T:
    """An example satisfying ``condition``; fails the test when none turns up.

    Without shrinking: only whether one occurs matters, and shrinking ledgers is slow.
    """
    quick = settings(max_examples=2000, database=None, phases=[Phase.generate])
    return find(strategy, condition, settings=quick)


def minimal(strategy: st.SearchStrategy[T], condition: Callable[[T], bool]) -> T:
    """The smallest example satisfying ``condition``, shrunk as a failing test's would be."""
    # Derandomized: a shrink ends in a local minimum, which must not depend on the seed.
    return find(
        strategy, condition, settings=settings(max_examples=500, database=None, derandomize=True)
    )


def test_the_package_exports_the_strategies_module() -> None:
    """onaccount.testing exposes strategies and lists it in __all__."""
    import onaccount.testing

    assert onaccount.testing.strategies is oas
    assert "strategies" in onaccount.testing.__all__


def test_every_listed_strategy_name_exists_and_is_documented() -> None:
    """Every name in strategies.__all__ exists and public functions carry a docstring."""
    for name in oas.__all__:
        value = getattr(oas, name)
        if callable(value):
            assert value.__doc__, name


# -- money and lines --------------------------------------------------------------------


@given(oas.currencies())
def test_currencies_are_iso_codes(currency: str) -> None:
    """currencies() draws ISO 4217 codes onaccount accepts."""
    assert currency in CURRENCIES


def test_several_currencies_occur_with_different_places() -> None:
    """EUR, a zero-place and a three-place currency all turn up."""
    for places in (0, 2, 3):
        occurs(oas.currencies(), lambda c, p=places: CURRENCIES[c] == p)


@given(oas.vats())
def test_vats_are_valid(vat: oa.Vat) -> None:
    """vats() draws valid VAT with a reason wherever the category needs one."""
    assert (vat.exemption_reason is not None) == vat.category.needs_exemption_reason


@given(st.data(), oas.currencies())
def test_lines_are_priced_in_the_currency(data: st.DataObject, currency: str) -> None:
    """lines(currency) gives non-zero quantities and non-negative prices."""
    line = data.draw(oas.lines(currency))
    assert line.quantity != 0
    assert line.unit_price >= 0
    assert line.amount(currency) == oa.round_money(line.quantity * line.unit_price, currency)


def test_returns_and_fine_grained_prices_occur() -> None:
    """Negative quantities and unit prices with more places than cents turn up."""
    occurs(oas.lines(), lambda line: line.quantity < 0)
    occurs(oas.lines(), lambda line: line.unit_price != oa.round_money(line.unit_price, "EUR"))
    occurs(oas.lines(), lambda line: line.quantity != line.quantity.to_integral())


@given(oas.lines(returns=False))
def test_lines_without_returns_have_positive_quantities(line: oa.Line) -> None:
    """lines(returns=False) never draws a return."""
    assert line.quantity > 0


def test_lines_refuse_an_unknown_currency() -> None:
    """lines() checks its currency like the rest of onaccount."""
    with pytest.raises(oa.UnknownCurrency, match=r"use 'EUR'"):
        oas.lines("eur")


# -- accounts ---------------------------------------------------------------------------


@given(oas.accounts())
def test_accounts_are_valid(account: oa.Account) -> None:
    """accounts() draws valid accounts; credit accounts have limit zero."""
    assert account.currency in CURRENCIES
    assert account.limit >= 0
    if account.kind is oa.AccountKind.CREDIT:
        assert account.limit == 0
    assert account.limit == oa.round_money(account.limit, account.currency)


@given(oas.accounts(kind="credit", currency="JPY"))
def test_accounts_respect_kind_and_currency(account: oa.Account) -> None:
    """Given kind and currency are used as they are."""
    assert (account.kind, account.currency, account.limit) == (oa.AccountKind.CREDIT, "JPY", 0)


@pytest.mark.parametrize(
    "condition",
    [
        lambda a: a.name.startswith(("=", "+", "-", "@")),
        lambda a: "\t" in a.name or "\n" in a.name,
        lambda a: bool(set(a.name) & XML_FORBIDDEN - {"\t", "\n"}),
        lambda a: any(ord(c) > 0xFFFF for c in a.name),
        lambda a: any(c in "éëøå" for c in a.name),
        lambda a: a.number.startswith("0"),
        lambda a: a.billing is not None and a.billing.mandate_id is not None,
    ],
    ids=["formula", "tab-newline", "xml-forbidden", "astral", "accents", "leading-zero", "sepa"],
)
def test_hostile_account_data_occurs(condition: Callable[[oa.Account], bool]) -> None:
    """Formula starts, control characters, emoji, accents and leading zeros all turn up."""
    occurs(oas.accounts(), condition)


def test_the_documented_hostile_texts_are_there() -> None:
    """HOSTILE_TEXTS holds the names exporters must survive."""
    for text in ("=SUM(A1)", "+31 6 12345678", "@x", "-1"):
        assert text in oas.HOSTILE_TEXTS
    assert any(set(t) & XML_FORBIDDEN for t in oas.HOSTILE_TEXTS)


@given(oas.actors())
def test_actors_are_valid(actor: oa.Actor) -> None:
    """actors() draws actors with any set of capabilities."""
    assert actor.capabilities <= set(oa.Capability)


# -- time -------------------------------------------------------------------------------


def test_the_required_time_zones_and_day_starts_are_drawn() -> None:
    """The zones and business-day starts the design names are among those drawn."""
    for zone in (
        "Europe/Amsterdam",
        "America/New_York",
        "UTC",
        "Asia/Kolkata",
        "Pacific/Auckland",
    ):
        occurs(oas.time_zones(), lambda z, zone=zone: z == zone)
    for start in (dt.time(0), dt.time(4), dt.time(2, 30)):
        occurs(oas.day_starts(), lambda s, start=start: s == start)


@given(oas.periods())
def test_periods_are_valid(period: oa.Period) -> None:
    """periods() draws periods in the listed zones with the listed day starts."""
    assert period.tz in oas.TIME_ZONES
    assert period.day_starts_at in oas.DAY_STARTS
    assert period.first <= period.last


@given(oas.periods(tz="America/New_York", day_starts_at="04:00", shapes=("week",)))
def test_periods_respect_zone_start_and_shape(period: oa.Period) -> None:
    """Given zone, business-day start and shape are used."""
    assert period.tz == "America/New_York"
    assert period.day_starts_at == dt.time(4)
    assert period.first.isoweekday() == 1
    assert (period.last - period.first).days == 6


def test_periods_refuse_unknown_shapes() -> None:
    """An unknown period shape is refused naming it."""
    with pytest.raises(oa.InvalidValue, match=r"'fortnight'"):
        oas.periods(shapes=("month", "fortnight"))


@given(st.data())
def test_periods_take_one_shape_as_a_bare_string(data: st.DataObject) -> None:
    """shapes="month" is the one shape month, as Account(tags="vip") is the one tag."""
    period = data.draw(oas.periods(shapes="month"))
    assert period.first.day == 1
    assert period.first.month == period.last.month


def test_periods_refuse_an_unknown_bare_shape_naming_it() -> None:
    """A bare unknown shape is refused whole, not letter by letter."""
    with pytest.raises(oa.InvalidValue, match=r"period shape 'fortnight' is unknown; use"):
        oas.periods(shapes="fortnight")  # type: ignore[arg-type]


def test_periods_refuse_no_shapes_saying_what_to_give() -> None:
    """An empty shapes names no shape and says which to give."""
    with pytest.raises(oa.InvalidValue, match=r"shapes=\(\) names no period shape; give one"):
        oas.periods(shapes=())


@pytest.mark.parametrize(
    ("label", "condition"),
    [
        ("spring", lambda p: any(p.day_length(d) == dt.timedelta(hours=23) for d in p.days())),
        ("autumn", lambda p: any(p.day_length(d) == dt.timedelta(hours=25) for d in p.days())),
        ("march", lambda p: p.label == "2026-03" and p.tz == "Europe/Amsterdam"),
        ("october", lambda p: p.label == "2026-10" and p.day_starts_at == dt.time(4)),
        ("november", lambda p: p.label == "2026-11" and p.tz == "America/New_York"),
    ],
)
def test_dst_periods_occur(label: str, condition: Callable[[oa.Period], bool]) -> None:
    """Periods with 23- and 25-hour days and the DST months all turn up."""
    occurs(oas.periods(), condition)


@given(st.data(), oas.periods())
def test_instants_lie_inside_or_outside_as_asked(data: st.DataObject, period: oa.Period) -> None:
    """instants(period) are aware and inside; with outside=True they are not."""
    inside = data.draw(oas.instants(period))
    outside = data.draw(oas.instants(period, outside=True))
    assert inside.utcoffset() is not None
    assert outside.utcoffset() is not None
    assert period.contains(inside)
    assert not period.contains(outside)


@pytest.mark.parametrize(
    "condition",
    [
        lambda i: isinstance(i, pendulum.DateTime),
        lambda i: i.tzinfo is dt.UTC,
        lambda i: i.fold == 1,
        lambda i: i.microsecond != 0,
    ],
    ids=["pendulum", "utc", "second-occurrence", "microseconds"],
)
def test_instants_come_in_every_shape(condition: Callable[[dt.datetime], bool]) -> None:
    """Instants come as pendulum, UTC, in the repeated DST hour and with microseconds."""
    night = oa.Period.day("2026-10-25", tz="Europe/Amsterdam", day_starts_at="02:30")
    occurs(oas.instants(night), condition)


# -- bookings ---------------------------------------------------------------------------


@given(oas.purchases(TEAM, OCTOBER, max_lines=2))
def test_purchases_belong_to_the_account_and_period(purchase: oa.Purchase) -> None:
    """purchases() books on the account in its currency inside the period."""
    assert purchase.account == "1042"
    assert purchase.currency == "EUR"
    assert OCTOBER.contains(purchase.at)
    assert 1 <= len(purchase.lines) <= 2


def test_whole_returns_occur() -> None:
    """Now and then a purchase is a pure return with a negative total."""
    occurs(oas.purchases(TEAM, OCTOBER), lambda p: all(line.quantity < 0 for line in p.lines))


def test_purchases_refuse_what_is_no_account() -> None:
    """purchases() needs the Account, not its number."""
    with pytest.raises(oa.InvalidValue, match=r"account '1042' is not an Account"):
        oas.purchases("1042")  # type: ignore[arg-type]


def test_purchases_refuse_fewer_than_one_line_when_built() -> None:
    """max_lines=0 is refused by onaccount up front: a purchase has at least one line."""
    with pytest.raises(oa.InvalidValue, match=r"max_lines 0 is below 1, .*; give max_lines=1"):
        oas.purchases(TEAM, OCTOBER, max_lines=0)
    with pytest.raises(oa.InvalidValue, match=r"max_lines '3' is a str, not a whole number"):
        oas.purchases(TEAM, OCTOBER, max_lines="3")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda p: oas.instants(p),
        lambda p: oas.purchases(TEAM, p),
        lambda p: oas.credit_bookings(TEAM, p),
        lambda p: oas.ledgers(p),
    ],
    ids=["instants", "purchases", "credit_bookings", "ledgers"],
)
def test_a_period_that_is_no_period_is_refused_when_built(
    build: Callable[[object], object],
) -> None:
    """A period given as text is refused up front, saying how to make a Period."""
    with pytest.raises(oa.InvalidValue, match=r"period '2026-10' is a str, not a Period; pass"):
        build("2026-10")


@given(oas.credit_bookings(oa.Account(number="7", name="Yen", limit=0, currency="JPY")))
def test_credit_bookings_are_positive_whole_minor_units(credit: oa.CreditBooking) -> None:
    """credit_bookings() draws positive credits in whole minor units of the currency."""
    assert credit.credit > 0
    assert credit.credit == credit.credit.to_integral()


@given(oas.credit_bookings(TEAM, OCTOBER, kind="top-up", outside=True))
def test_credit_bookings_respect_kind_and_place(credit: oa.CreditBooking) -> None:
    """Given kind and outside=True are respected."""
    assert credit.kind is oa.CreditKind.TOP_UP
    assert not OCTOBER.contains(credit.at)


# -- ledgers, plans and runs ------------------------------------------------------------


@given(oas.ledgers())
def test_ledgers_hold_what_they_say(generated: oas.GeneratedLedger) -> None:
    """ledgers() returns the accounts and bookings it recorded, with a superuser."""
    ledger = generated.ledger
    assert len(set(generated.numbers)) == len(generated.numbers) >= 1
    assert {t.id for t in ledger.transactions(generated.numbers)} == {
        t.id for t in generated.transactions
    }
    assert all(generated.actor.can(c) for c in oa.Capability)
    states = ledger.states(generated.numbers)
    for account in generated.accounts:
        amounts = sum(
            (t.amount for t in generated.transactions if t.account == account.number), Decimal(0)
        )
        deltas = sum((m.balance_delta for m in ledger.mutations(account=account.number)), 0)
        assert states[account.number].balance == amounts + deltas


@given(
    oas.ledgers(OCTOBER, min_accounts=2, max_accounts=2, currency="GBP", credits_in_period=False)
)
def test_ledgers_respect_their_arguments(generated: oas.GeneratedLedger) -> None:
    """Given period, account count, currency and no credits in the period are respected."""
    assert generated.period == OCTOBER
    assert len(generated.accounts) == 2
    assert {a.currency for a in generated.accounts} == {"GBP"}
    for tx in generated.transactions:
        account = next(a for a in generated.accounts if a.number == tx.account)
        if isinstance(tx, oa.CreditBooking) and account.kind is oa.AccountKind.LIMIT:
            assert not OCTOBER.contains(tx.at)


def test_a_minimal_ledger_holds_one_purchase_and_no_credit_booking() -> None:
    """Ledgers shrink towards no extra booking: no payment before, no credit inside."""
    generated = minimal(
        oas.ledgers(),
        lambda g: any(
            isinstance(t, oa.Purchase) and g.period.contains(t.at) for t in g.transactions
        ),
    )
    assert [type(t) for t in generated.transactions] == [oa.Purchase]
    assert [a.kind for a in generated.accounts] == [oa.AccountKind.LIMIT]


def test_ledgers_refuse_an_impossible_account_count() -> None:
    """ledgers() refuses min_accounts above max_accounts."""
    with pytest.raises(oa.InvalidValue, match=r"account counts 3\.\.1"):
        oas.ledgers(min_accounts=3, max_accounts=1)


def test_ledgers_with_over_limit_purchases_occur() -> None:
    """Some generated accounts spend beyond their room, recorded with the override."""
    occurs(
        oas.ledgers(),
        lambda g: any(s.spending_room < 0 for s in g.ledger.states(g.numbers).values()),
    )


@pytest.fixture(scope="module")
def sqlite_ledgers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], SQLLedger]]:
    """A factory of new, empty SQLite ledgers, each in a file of its own."""
    directory: Path = tmp_path_factory.mktemp("ledgers")
    numbers = itertools.count()
    made: list[SQLLedger] = []

    def make() -> SQLLedger:
        made.append(SQLLedger(directory / f"{next(numbers)}.sqlite", upgrade=True))
        return made[-1]

    yield make
    for ledger in made:
        ledger.close()


# A new SQLite database per example is slow; a few examples show the factory is used.
@settings(max_examples=8)
@given(data=st.data())
def test_ledgers_plans_and_runs_are_drawn_on_the_factory_s_ledgers(
    data: st.DataObject, sqlite_ledgers: Callable[[], SQLLedger]
) -> None:
    """With ``ledger_factory`` the strategies populate, plan and commit on the host's ledger."""
    generated = data.draw(oas.ledgers(ledger_factory=sqlite_ledgers))
    assert isinstance(generated.ledger, SQLLedger)
    assert {t.id for t in generated.ledger.transactions(generated.numbers)} == {
        t.id for t in generated.transactions
    }
    committed = data.draw(oas.generated_runs(ledger_factory=sqlite_ledgers))
    assert isinstance(committed.ledger, SQLLedger)
    assert committed.ledger.run(committed.run.id) == committed.run
    assert isinstance(data.draw(oas.plans(ledger_factory=sqlite_ledgers)), oa.Plan)
    assert isinstance(data.draw(oas.runs(ledger_factory=sqlite_ledgers)), oa.InvoiceRun)


def test_ledgers_refuse_a_factory_whose_ledger_is_not_empty() -> None:
    """A factory must make a new, empty ledger per example; one holding accounts is refused."""
    full = oa.MemoryLedger()
    full.open_account(TEAM)

    @settings(max_examples=1, database=None)
    @given(oas.ledgers(ledger_factory=lambda: full))
    def draw(generated: oas.GeneratedLedger) -> None:
        pass

    with pytest.raises(oa.InvalidValue, match=r"ledger_factory .* holds 1 account"):
        draw()


STRATEGY_TAKERS = [oas.plans, oas.runs, oas.generated_runs]
LEDGER_TAKERS = [oas.ledgers, *STRATEGY_TAKERS]


@pytest.mark.parametrize("strategy", STRATEGY_TAKERS, ids=lambda f: f.__name__)
def test_an_unknown_reset_strategy_is_refused_when_built(strategy: Callable[..., object]) -> None:
    """plans(), runs() and generated_runs() refuse a misspelt strategy before drawing."""
    with pytest.raises(oa.UnknownStrategy, match=r"reset strategy 'zero_balance' is unknown"):
        strategy("zero_balance")


@pytest.mark.parametrize("strategy", LEDGER_TAKERS, ids=lambda f: f.__name__)
def test_a_ledger_instead_of_a_factory_is_refused_when_built(
    strategy: Callable[..., object],
) -> None:
    """A ledger passed as ledger_factory is refused up front, saying to pass the class."""
    with pytest.raises(
        oa.InvalidValue,
        match=r"ledger_factory is a MemoryLedger, not a callable; pass the class "
        r"\(ledger_factory=MemoryLedger\) or a function",
    ):
        strategy(ledger_factory=oa.MemoryLedger())


@given(oas.plans())
def test_plans_are_plans(plan: oa.Plan) -> None:
    """plans() draws plans whose drafts add up."""
    assert plan.strategy.name in oa.BUILTIN_STRATEGIES
    for draft in plan.drafts:
        assert draft.total == sum((d.total for d in draft.statement.days), Decimal(0))


def test_plans_with_drafts_refusals_and_several_currencies_occur() -> None:
    """Plans with drafts in two currencies, and plans with refusals, turn up."""
    occurs(oas.plans(), lambda p: len(p.totals) >= 2)
    occurs(oas.plans(), lambda p: bool(p.refusals) and bool(p.drafts))
    occurs(oas.plans("zero-balance"), lambda p: any(d.total < 0 for d in p.drafts))


def test_a_minimal_plan_is_in_no_particular_currency() -> None:
    """Plans shrink towards no run currency, so every account is a candidate."""
    assert minimal(oas.plans(), lambda p: bool(p.drafts)).currency is None


def test_a_minimal_run_has_no_undone_invoice() -> None:
    """Generated runs shrink towards a run whose invoices all stand."""
    generated = minimal(oas.generated_runs(), lambda g: True)
    assert [i.state for i in generated.run.invoices] == [oa.InvoiceState.ACTIVE]
    assert [type(t) for t in generated.generated.transactions] == [oa.Purchase]


@given(oas.generated_runs())
def test_generated_runs_are_stored_on_their_ledger(generated: oas.GeneratedRun) -> None:
    """generated_runs() gives the run as the ledger holds it, with its plan."""
    assert generated.ledger.run(generated.run.id) == generated.run
    assert [i.statement for i in generated.run.invoices] == [
        d.statement for d in generated.plan.drafts
    ]


def test_a_run_is_drawn_on_the_first_ledger_drawn_for_it() -> None:
    """generated_runs() builds a ledger that has something to invoice, not many it throws away."""
    built: list[oa.MemoryLedger] = []

    def counted() -> oa.MemoryLedger:
        built.append(oa.MemoryLedger())
        return built[-1]

    # Hypothesis tries the simplest example first: one limit account, one purchase.
    @settings(max_examples=1, database=None, phases=[Phase.generate])
    @given(oas.generated_runs(ledger_factory=counted))
    def draw(generated: oas.GeneratedRun) -> None:
        assert built == [generated.ledger]

    draw()


# Hypothesis' own defaults: 100 examples, a 200 ms deadline and every health check, so
# HealthCheck.too_slow fails a strategy that draws slowly or throws many draws away.
@settings(
    max_examples=100,
    deadline=dt.timedelta(milliseconds=200),
    suppress_health_check=[],
    database=None,
)
@given(oas.generated_runs())
def test_generated_runs_pass_hypothesis_default_health_checks(generated: oas.GeneratedRun) -> None:
    """With Hypothesis' default settings, generated runs are drawn quickly enough."""
    assert generated.run.invoices


def test_runs_with_an_undone_invoice_occur() -> None:
    """Now and then one account invoice of a generated run is undone."""
    occurs(
        oas.runs(),
        lambda r: any(i.state is oa.InvoiceState.UNDONE for i in r.invoices),
    )


@given(oas.runs(strategy="limit-minus-invoiced"))
def test_runs_use_the_given_strategy(run: oa.InvoiceRun) -> None:
    """runs(strategy) commits with that strategy."""
    assert run.strategy == "limit-minus-invoiced"

"""Strategies for populated ledgers, plans and committed runs, on any ledger."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator

import attrs
from hypothesis import strategies as st

from onaccount._account import Account, AccountKind
from onaccount._admin import change_limit, correct_balance, open_account
from onaccount._errors import InvalidValue, LimitExceeded
from onaccount._invoices import InvoiceRun, Plan, Selection
from onaccount._money import check_currency
from onaccount._period import Period
from onaccount._permissions import Actor
from onaccount._query import AccountQuery
from onaccount._runs import commit_run, plan_run, undo_invoice
from onaccount._strategies import BUILTIN_STRATEGIES, ResetStrategy, resolve_strategy
from onaccount._transaction import CreditKind, Transaction
from onaccount._words import a_type, counted
from onaccount.ledger import Ledger, MemoryLedger
from onaccount.testing.strategies._values import (
    _SUPERUSER,
    _check_period,
    _credit_bookings,
    _limits,
    _money,
    _one_in,
    _purchases,
    accounts,
    periods,
)

__all__ = [
    "GeneratedLedger",
    "GeneratedRun",
    "generated_runs",
    "ledgers",
    "plans",
    "reset_strategies",
    "runs",
]
# -- ledgers, plans and runs -------------------------------------------------------------


def _ledger_repr(ledger: Ledger) -> str:
    return f"<{type(ledger).__name__} at {id(ledger):#x}>"


@attrs.frozen
class GeneratedLedger:
    """A populated ledger with what a test needs to know about it.

    ``transactions`` are the recorded bookings in the order they were recorded;
    ``actor`` holds every capability.
    """

    ledger: Ledger = attrs.field(repr=_ledger_repr)
    accounts: tuple[Account, ...]
    period: Period
    actor: Actor
    transactions: tuple[Transaction, ...]

    @property
    def numbers(self) -> tuple[str, ...]:
        """The account numbers, in the order the accounts were opened."""
        return tuple(a.number for a in self.accounts)


def _id_source() -> Callable[[], str]:
    counter: Iterator[int] = itertools.count(1)
    return lambda: f"tx{next(counter):05d}"


def _record(ledger: Ledger, tx: Transaction) -> None:
    try:
        ledger.record_many([tx])
    except LimitExceeded:
        ledger.record_many([tx], allow_over_limit=True)


def _checked_factory(ledger_factory: object) -> Callable[[], Ledger]:
    """``ledger_factory`` itself, refused before any drawing unless it can be called."""
    if not callable(ledger_factory):
        kind = type(ledger_factory).__name__
        if isinstance(ledger_factory, Ledger):
            instead = f"pass the class (ledger_factory={kind}) or a function"
        else:
            instead = "pass a ledger class or a function"
        raise InvalidValue(
            f"ledger_factory is {a_type(ledger_factory)}, not a callable; {instead} that "
            "returns a new, "
            "empty ledger on every call",
            value=ledger_factory,
            field="ledger_factory",
        )
    return ledger_factory


def _empty(ledger_factory: Callable[[], Ledger]) -> Ledger:
    """A new ledger from ``ledger_factory``, refused unless it holds no account."""
    ledger = ledger_factory()
    held = ledger.find_accounts(AccountQuery())
    if held:
        raise InvalidValue(
            f"ledger_factory {ledger_factory!r} returned a ledger that holds "
            f"{counted(len(held), 'account')}, {held[0].account.number!r} first; return a "
            "new, empty ledger on every call",
            value=ledger,
            field="ledger_factory",
        )
    return ledger


_LIMIT_CHANGES = st.integers(0, 9)


@st.composite
def _ledgers(
    draw: st.DrawFn,
    periods: st.SearchStrategy[Period],
    account_lists: st.SearchStrategy[list[Account]],
    credits_in_period: bool,
    ledger_factory: Callable[[], Ledger],
    billable: bool,
) -> GeneratedLedger:
    """A populated ledger; with ``billable`` its first account has purchases to invoice.

    That account is a limit account with at least one purchase inside the period and no
    credit booking inside it, so a plan that selects it has a draft: runs are drawn
    that way rather than by throwing away plans without one.
    """
    period = draw(periods)
    drawn = draw(account_lists)
    if billable and drawn[0].kind is AccountKind.CREDIT:
        limit = draw(_limits(drawn[0].currency))
        drawn[0] = attrs.evolve(drawn[0], kind=AccountKind.LIMIT, limit=limit)
    ledger = _empty(ledger_factory)
    actor = _SUPERUSER
    next_id = _id_source()
    recorded: list[Transaction] = []
    mutated_at = period.start - dt.timedelta(days=2)
    for index, account in enumerate(drawn):
        billed = billable and index == 0
        open_account(ledger, account, actor=actor)
        bookings: list[Transaction] = []
        if account.kind is AccountKind.CREDIT:
            bookings.append(
                draw(
                    _credit_bookings(
                        account, period, "before", next_id(), CreditKind.TOP_UP, large=True
                    )
                )
            )
        elif draw(_one_in(5)):
            bookings.append(draw(_credit_bookings(account, period, "before", next_id(), None)))
        inside = draw(
            st.integers(1 if billed else 0, 4)
            if account.kind is AccountKind.LIMIT
            else st.integers(0, 2)
        )
        for _ in range(inside):
            bookings.append(draw(_purchases(account, period, "inside", next_id(), 3, True)))
        for _ in range(draw(st.integers(0, 2))):
            bookings.append(draw(_purchases(account, period, "outside", next_id(), 2, True)))
        if credits_in_period and not billed and draw(_one_in(10)):
            bookings.append(draw(_credit_bookings(account, period, "inside", next_id(), None)))
        for tx in bookings:
            _record(ledger, tx)
            recorded.append(tx)
        if account.kind is AccountKind.LIMIT:
            change = draw(_LIMIT_CHANGES)
            if change == 8:
                new_limit = account.limit + draw(_money(account.currency, 1000, 5000))
                change_limit(
                    ledger,
                    account.number,
                    new_limit,
                    actor=actor,
                    reason="Raised for the season",
                    at=mutated_at,
                )
            elif change == 9:
                correct_balance(
                    ledger,
                    account.number,
                    draw(_money(account.currency, 100, 900)),
                    actor=actor,
                    reason="Cash paid at the bar",
                    at=mutated_at,
                )
    return GeneratedLedger(
        ledger=ledger,
        accounts=tuple(drawn),
        period=period,
        actor=actor,
        transactions=tuple(recorded),
    )


def ledgers(
    period: Period | None = None,
    *,
    min_accounts: int = 1,
    max_accounts: int = 4,
    currency: str | None = None,
    credits_in_period: bool = True,
    ledger_factory: Callable[[], Ledger] = MemoryLedger,
) -> st.SearchStrategy[GeneratedLedger]:
    """Populated ledgers around ``period`` (drawn when not given).

    Each ledger holds ``min_accounts`` to ``max_accounts`` accounts (limit and credit,
    in several currencies unless ``currency`` is given) with purchases inside the period
    and just outside it, top-ups on credit accounts, now and then a payment before the
    period, a limit change or a manual correction and, with ``credits_in_period``, a
    credit booking inside the period that a plan must refuse. Purchases that overdraw
    the spending room are recorded with ``allow_over_limit=True``.

    Each example populates a new ledger from ``ledger_factory`` (a `MemoryLedger` by
    default), which must return an empty one on every call, so hosts run the
    strategies on their own storage. The arguments are checked when the strategy is
    built, before anything is drawn.
    """
    return _checked_ledgers(
        period,
        min_accounts,
        max_accounts,
        currency,
        credits_in_period,
        ledger_factory,
        billable=False,
    )


def _checked_ledgers(
    period: Period | None,
    min_accounts: int,
    max_accounts: int,
    currency: str | None,
    credits_in_period: bool,
    ledger_factory: Callable[[], Ledger],
    *,
    billable: bool,
) -> st.SearchStrategy[GeneratedLedger]:
    """`ledgers`, its arguments checked; see `_ledgers` for ``billable``."""
    if not 0 <= min_accounts <= max_accounts:
        raise InvalidValue(
            f"account counts {min_accounts}..{max_accounts} are not a range; give "
            "0 <= min_accounts <= max_accounts",
            value=(min_accounts, max_accounts),
            field="min_accounts",
        )
    if currency is not None:
        check_currency(currency)
    given = _check_period(period)
    account_lists = st.lists(
        accounts(currency=currency),
        min_size=min_accounts,
        max_size=max_accounts,
        unique_by=lambda a: a.number,
    )
    return _ledgers(
        periods() if given is None else st.just(given),
        account_lists,
        credits_in_period,
        _checked_factory(ledger_factory),
        billable,
    )


_RESET_STRATEGIES = st.sampled_from(tuple(BUILTIN_STRATEGIES.values()))


def reset_strategies() -> st.SearchStrategy[ResetStrategy]:
    """The built-in reset strategies, shrinking towards `NoCorrection`."""
    return _RESET_STRATEGIES


@attrs.frozen
class GeneratedRun:
    """A committed run with the ledger it was committed on and the plan behind it.

    ``run`` is read back from the ledger, so an account invoice undone after the commit
    shows as undone.
    """

    generated: GeneratedLedger
    plan: Plan
    run: InvoiceRun

    @property
    def ledger(self) -> Ledger:
        """The ledger the run was committed on."""
        return self.generated.ledger


_SELECTIONS = st.integers(0, 9)


@st.composite
def _selections(draw: st.DrawFn, generated: GeneratedLedger, billable: bool) -> Selection:
    """Which accounts a plan selects; with ``billable``, always the first account too."""
    numbers = list(generated.numbers)
    how = draw(_SELECTIONS)
    if how <= 5 or not numbers:
        return numbers or ["404"]
    if how <= 7:
        return [numbers[0] if billable else draw(st.sampled_from(numbers))]
    if how == 8:
        return AccountQuery()
    return [*numbers, "no-such-account"]


def _resolved(strategy: ResetStrategy | str | None) -> ResetStrategy | None:
    """The reset strategy, checked when the strategy is built as `plan_run` checks it."""
    return None if strategy is None else resolve_strategy(strategy)


@st.composite
def _planned(
    draw: st.DrawFn,
    strategy: ResetStrategy | None,
    drawn_ledgers: st.SearchStrategy[GeneratedLedger],
    billable: bool,
) -> tuple[GeneratedLedger, Plan]:
    """A ledger and a plan over it; with ``billable`` the plan has a draft, see `_ledgers`."""
    generated = draw(drawn_ledgers)
    chosen = draw(_RESET_STRATEGIES) if strategy is None else strategy
    currency = None
    if len(generated.accounts) > 0 and draw(_one_in(10)):
        currency = generated.accounts[0].currency
    plan = plan_run(
        generated.ledger,
        generated.period,
        draw(_selections(generated, billable)),
        chosen,
        actor=generated.actor,
        currency=currency,
    )
    return generated, plan


def plans(
    strategy: ResetStrategy | str | None = None,
    *,
    ledger_factory: Callable[[], Ledger] = MemoryLedger,
) -> st.SearchStrategy[Plan]:
    """Plans over a drawn ledger, period and selection with ``strategy`` (drawn if not given).

    Selections are every account, one account, a query, or every account plus an
    unknown number, so plans hold drafts, refusals and accounts with nothing to invoice.
    The ledger comes from ``ledger_factory``, as in `ledgers`. A strategy name is checked
    when the strategy is built, as `plan_run` would check it.
    """
    planned = _planned(_resolved(strategy), ledgers(ledger_factory=ledger_factory), False)
    return planned.map(lambda pair: pair[1])


_HOURS_AFTER = st.integers(1, 72)
_RUN_KEYS = st.none() | st.just("run-1")


@st.composite
def _generated_runs(
    draw: st.DrawFn, planned: st.SearchStrategy[tuple[GeneratedLedger, Plan]]
) -> GeneratedRun:
    generated, plan = draw(planned)
    committed_at = generated.period.end + dt.timedelta(hours=draw(_HOURS_AFTER))
    key = draw(_RUN_KEYS)
    run = commit_run(generated.ledger, plan, actor=generated.actor, key=key, at=committed_at)
    if len(run.invoices) > 0 and draw(_one_in(5)):
        invoice = draw(st.sampled_from(run.invoices))
        undo_invoice(
            generated.ledger,
            run.id,
            invoice.account.number,
            actor=generated.actor,
            reason="Billed to the wrong account",
            at=committed_at + dt.timedelta(hours=1),
        )
    return GeneratedRun(generated=generated, plan=plan, run=generated.ledger.run(run.id))


def generated_runs(
    strategy: ResetStrategy | str | None = None,
    *,
    ledger_factory: Callable[[], Ledger] = MemoryLedger,
) -> st.SearchStrategy[GeneratedRun]:
    """Runs committed on a drawn ledger, with the ledger and plan; see `plans`.

    Every run invoices at least one account; now and then one account invoice of the run
    has been undone. The ledger comes from ``ledger_factory``, as in `ledgers`.
    """
    return _committed(strategy, ledger_factory)


def runs(
    strategy: ResetStrategy | str | None = None,
    *,
    ledger_factory: Callable[[], Ledger] = MemoryLedger,
) -> st.SearchStrategy[InvoiceRun]:
    """Committed invoice runs, as `generated_runs` draws them, without their ledger."""
    return _committed(strategy, ledger_factory).map(lambda generated: generated.run)


def _committed(
    strategy: ResetStrategy | str | None, ledger_factory: Callable[[], Ledger]
) -> st.SearchStrategy[GeneratedRun]:
    """`generated_runs`, its arguments checked as `plans` checks them."""
    # Only a plan that invoices something commits a run (an empty one raises EmptyRun):
    # the ledger is drawn so that the plan has a draft, not filtered until it has one.
    billable = _checked_ledgers(None, 1, 4, None, True, ledger_factory, billable=True)
    return _generated_runs(_planned(_resolved(strategy), billable, True))

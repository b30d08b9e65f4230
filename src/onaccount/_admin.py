"""The administrator's operations: accounts, statements and the mutations report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ._account import Account, AccountKind
from ._enums import parse_enum
from ._errors import InvalidValue, NotInvoiceable, UnknownRun
from ._invoices import InvoiceRun
from ._money import check_minor_units, to_decimal
from ._period import Period, to_utc
from ._permissions import Actor, Capability
from ._query import AccountQuery, AccountState
from ._statement import Statement, build_statement
from ._transaction import Mutation, MutationKind

if TYPE_CHECKING:
    from .ledger import Ledger

__all__ = [
    "MutationsReport",
    "change_limit",
    "correct_balance",
    "find_accounts",
    "get_run",
    "list_runs",
    "mutations_report",
    "open_account",
    "statement",
    "update_account",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValue(
            f"reason {reason!r} is empty; every mutation says why it was booked",
            value=reason,
            field="reason",
        )
    return reason.strip()


def open_account(ledger: Ledger, account: Account, *, actor: Actor) -> AccountState:
    """Open ``account`` on ``ledger``; needs the manage-accounts capability."""
    actor.require(Capability.MANAGE_ACCOUNTS, "open accounts")
    ledger.open_accounts([account])
    return ledger.states([account.number])[account.number]


def update_account(ledger: Ledger, account: Account, *, actor: Actor) -> AccountState:
    """Change an account's name, group, tags or billing details."""
    actor.require(Capability.MANAGE_ACCOUNTS, "update accounts")
    ledger.update_account(account)
    return ledger.states([account.number])[account.number]


def change_limit(
    ledger: Ledger,
    number: str,
    new_limit: Decimal | int | str,
    *,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
    expected: Decimal | int | str | None = None,
) -> Mutation:
    """Set an account's limit to ``new_limit`` by booking a limit-change mutation.

    The ledger sets the limit inside its write transaction, so concurrent changes never
    add up: the limit ends at the value the last of them asked for. Pass ``expected``,
    the limit the decision was based on, to be refused with `LimitConflict` instead when
    someone changed it meanwhile.
    """
    account, limit, why, when = _manual_booking(
        ledger, number, new_limit, actor=actor, action="change limits", what="new limit",
        name="new_limit", reason=reason, at=at,
    )  # fmt: skip
    based_on = (
        None if expected is None else to_decimal(expected, field="expected limit", name="expected")
    )
    if account.kind is AccountKind.CREDIT:
        raise NotInvoiceable(
            f"account {account.label} is a credit account; credit accounts are prepaid and "
            "never invoiced, so they keep limit 0 (open a limit account to let it owe)",
            value=limit,
            field="new_limit",
        )
    if limit < 0:
        raise InvalidValue(
            f"new limit {limit} for account {account.label} is below zero; give 0 or more",
            value=limit,
            field="new_limit",
        )
    return ledger.set_limit(number, limit, expected=based_on, actor=actor.id, at=when, reason=why)


def correct_balance(
    ledger: Ledger,
    number: str,
    delta: Decimal | int | str,
    *,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
) -> Mutation:
    """Book a manual correction of ``delta`` on an account's balance."""
    account, amount, why, when = _manual_booking(
        ledger, number, delta, actor=actor, action="correct balances",
        what="balance correction", name="delta", reason=reason, at=at,
    )  # fmt: skip
    if amount == 0:
        raise InvalidValue(
            f"balance correction 0 for account {account.label} changes nothing; give a "
            "non-zero amount",
            value=amount,
            field="delta",
        )
    mutation = Mutation(
        account=number,
        kind=MutationKind.MANUAL,
        balance_delta=amount,
        actor=actor.id,
        at=when,
        reason=why,
    )
    ledger.book(mutation)
    return mutation


def _manual_booking(
    ledger: Ledger,
    number: str,
    value: Decimal | int | str,
    *,
    actor: Actor,
    action: str,
    what: str,
    name: str,
    reason: str,
    at: dt.datetime | None,
) -> tuple[Account, Decimal, str, dt.datetime]:
    """What every manual change checks first: who, the account, the amount, why and when.

    Refuses an actor who may not, an empty reason and an amount that is not whole minor
    units of the account's currency; returns the account, the amount, the reason and
    the instant (now when ``at`` is None). Refusals of the amount say ``what`` it is and
    name parameter ``name``.
    """
    actor.require(Capability.MANAGE_ACCOUNTS, action)
    amount = to_decimal(value, field=what, name=name)
    why = _reason(reason)
    when = _now() if at is None else to_utc(at, field="mutation instant 'at'", name="at")
    account = ledger.get_account(number)
    check_minor_units(
        amount,
        account.currency,
        field=what,
        subject=f"{what} {amount} for account {account.label}",
        name=name,
    )
    return account, amount, why, when


def find_accounts(ledger: Ledger, query: AccountQuery, *, actor: Actor) -> list[AccountState]:
    """The accounts matching ``query`` with their balance, limit and spending room."""
    actor.require(Capability.VIEW, "view accounts")
    return ledger.find_accounts(query)


def statement(
    ledger: Ledger,
    number: str,
    period: Period,
    *,
    actor: Actor,
    uninvoiced_only: bool = False,
) -> Statement:
    """One account over ``period``: total, per-day groups, products and VAT breakdown.

    By default every purchase of the period counts; ``uninvoiced_only`` leaves out those
    an active run has invoiced, which is what a new run would bill.
    """
    actor.require(Capability.VIEW, "view statements")
    account = ledger.get_account(number)
    transactions = ledger.transactions(
        [number], period.start, period.end, uninvoiced=True if uninvoiced_only else None
    )
    return build_statement(account, period, transactions)


def list_runs(ledger: Ledger, *, actor: Actor) -> list[InvoiceRun]:
    """Every committed run, oldest first, with its account invoices and their states."""
    actor.require(Capability.VIEW, "list runs")
    return list(ledger.runs())


def get_run(ledger: Ledger, run_id: str, *, actor: Actor) -> InvoiceRun:
    """The committed run with the id ``run_id``, or else the one committed under that key.

    A person names a run by the key they gave it (``2026-10``), a program by its id;
    `UnknownRun` names the value when no run has it as either.
    """
    actor.require(Capability.VIEW, "view runs")
    try:
        return ledger.run(run_id)
    except UnknownRun:
        keyed = ledger.runs(key=run_id)
        if not keyed:
            raise
        return keyed[0]


@attrs.frozen
class MutationsReport:
    """What runs and manual changes did: the mutations and the runs they belong to."""

    mutations: tuple[Mutation, ...]
    runs: tuple[InvoiceRun, ...]


def mutations_report(
    ledger: Ledger,
    *,
    actor: Actor,
    account: str | None = None,
    run_id: str | None = None,
    period: Period | None = None,
    kind: MutationKind | str | None = None,
) -> MutationsReport:
    """Mutations filtered by account, run, booking period and kind, with their runs.

    Each mutation carries who, when, why, its deltas and its run; the runs are listed
    with their account invoices and states. ``run_id`` is a run's id or its key; an
    unknown account or run is refused. For one ``account``, each run holds that
    account's invoice alone, so the report costs the same however large the runs are.
    """
    actor.require(Capability.VIEW, "view the mutations report")
    mutation_kind = (
        None
        if kind is None
        else parse_enum(MutationKind, kind, what="mutation kind", field="kind")
    )
    # A mistyped number or run is refused by name, not shown as an empty history.
    if account is not None:
        ledger.get_account(account)
    if run_id is not None:
        run_id = get_run(ledger, run_id, actor=actor).id
    mutations = ledger.mutations(
        account=account,
        run_id=run_id,
        start=None if period is None else period.start,
        end=None if period is None else period.end,
        kind=mutation_kind,
    )
    runs = tuple(
        r
        for r in ledger.runs(
            account=account,
            start=None if period is None else period.start,
            end=None if period is None else period.end,
        )
        if run_id is None or r.id == run_id
    )
    return MutationsReport(mutations=tuple(mutations), runs=runs)

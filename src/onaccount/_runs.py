"""Invoice runs: plan (a dry run), commit (atomic) and undo one account's part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import NoReturn

import attrs

from ._account import Account, AccountKind, check_name_text
from ._errors import EmptyRun, InvalidValue, KeyInUse, LedgerError, UnknownRun
from ._invoices import (
    AccountInvoice,
    AccountInvoiceDraft,
    InvoiceRun,
    InvoiceState,
    OverLimitWarning,
    Plan,
    Refusal,
    RefusalReason,
    Selection,
    UninvoicedWarning,
    refusal_reasons,
)
from ._money import check_currency, minor_unit
from ._period import Period, to_utc, wall_clock
from ._permissions import Actor, Capability
from ._query import AccountQuery, AccountState
from ._statement import (
    AccountTotals,
    SharedValues,
    Statement,
    statement_from_totals,
)
from ._strategies import Correction, ResetStrategy, resolve_strategy
from ._transaction import Mutation, MutationKind, new_id
from ._words import in_number, named
from .ledger._protocol import Ledger

__all__ = [
    "commit_run",
    "nothing_committed",
    "plan_run",
    "require_for_selection",
    "require_undo",
    "undo_invoice",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _settled(selection: Selection) -> Selection:
    """The selection read once: a generator would be used up by the capability check."""
    if isinstance(selection, AccountQuery):
        return selection
    if isinstance(selection, str):
        raise InvalidValue(
            f"selection {selection!r} is a single string; pass a list of account numbers "
            f"such as [{selection!r}] or an AccountQuery",
            value=selection,
            field="selection",
        )
    return sorted(dict.fromkeys(selection))


def require_for_selection(actor: Actor, selection: Selection, action: str) -> bool:
    """Check that ``actor`` may ``action`` a run over ``selection``; whether it is bulk.

    `plan_run` checks this itself; a host calls it to refuse before it opens its
    database (the command line does), so an actor who may not is told so first.
    Raises `PermissionDenied` naming the actor and the capability.
    """
    # Before reading, a query or a list other than one number may cover many accounts;
    # a number given twice is one account.
    selection = _settled(selection)
    bulk = isinstance(selection, AccountQuery) or len(selection) != 1
    _require_invoicing(actor, bulk, action)
    return bulk


def require_undo(actor: Actor) -> None:
    """Check that ``actor`` may undo an account invoice, as `undo_invoice` does first.

    For hosts that refuse before opening their database; raises `PermissionDenied`.
    """
    actor.require(Capability.UNDO, "undo an account invoice")


def _require_invoicing(actor: Actor, bulk: bool, action: str) -> None:
    """Invoicing more than one account needs bulk-invoice, one account invoice."""
    if bulk:
        actor.require(Capability.BULK_INVOICE, f"{action} a run over more than one account")
    else:
        actor.require(Capability.INVOICE, f"{action} an invoice")


def _selected_states(
    ledger: Ledger, selection: Selection
) -> tuple[list[str], dict[str, AccountState]]:
    """The selected numbers in order and the states of the known ones, read once."""
    if isinstance(selection, AccountQuery):
        found = ledger.find_accounts(selection)
        return [s.account.number for s in found], {s.account.number: s for s in found}
    numbers = list(selection)
    return numbers, ledger.states(numbers)


def plan_run(
    ledger: Ledger,
    period: Period,
    selection: Selection,
    strategy: ResetStrategy | str,
    *,
    actor: Actor,
    currency: str | None = None,
) -> Plan:
    """Plan (dry-run) invoicing ``selection`` over ``period``; nothing is written.

    Each selected account gets a draft, a refusal with its reason, or is listed as having
    nothing to invoice; one refusal never sinks the others. With ``currency`` given,
    accounts in other currencies are refused.
    """
    if currency is not None:
        check_currency(currency, field="run currency", name="currency")
    selection = _settled(selection)
    bulk = require_for_selection(actor, selection, "plan")
    resolved = resolve_strategy(strategy)
    numbers, states = _selected_states(ledger, selection)
    refusals, candidates = _screened(numbers, states, currency)
    statements = _statements(ledger, [s.account for s in candidates], period)
    drafts, nothing = _drafted(candidates, statements, resolved, period, refusals)
    return Plan(
        period=period,
        strategy=resolved,
        actor=actor.id,
        drafts=tuple(drafts),
        refusals=tuple(sorted(refusals, key=lambda r: r.account)),
        nothing_to_invoice=tuple(nothing),
        warnings=_uninvoiced_warnings(ledger, [s.account.number for s in candidates], period),
        bulk=bulk,
        currency=currency,
        selected=tuple(numbers),
        planned_at=_now(),
    )


def _screened(
    numbers: Sequence[str], states: Mapping[str, AccountState], currency: str | None
) -> tuple[list[Refusal], list[AccountState]]:
    """The selected accounts refused before their bookings are read, and the rest."""
    refusals: list[Refusal] = []
    candidates: list[AccountState] = []
    for number in numbers:
        state = states.get(number)
        if state is None:
            refusals.append(
                Refusal(
                    number,
                    RefusalReason.UNKNOWN_ACCOUNT,
                    f"account {number} does not exist; check the number or open the account",
                )
            )
        elif state.account.kind is AccountKind.CREDIT:
            refusals.append(
                Refusal(
                    number,
                    RefusalReason.CREDIT_ACCOUNT,
                    f"account {state.account.label} is a credit account; only limit "
                    "accounts can be invoiced",
                )
            )
        elif currency is not None and state.account.currency != currency:
            refusals.append(
                Refusal(
                    number,
                    RefusalReason.CURRENCY_MISMATCH,
                    f"account {state.account.label} is kept in {state.account.currency}, "
                    f"not {currency}; plan a separate run in {state.account.currency}",
                )
            )
        else:
            candidates.append(state)

    return refusals, candidates


def _statements(
    ledger: Ledger, accounts: Sequence[Account], period: Period
) -> dict[str, tuple[Statement, tuple[tuple[str, str], ...]]]:
    """Each account's statement over ``period`` and its foreign bookings, from its totals.

    Built as the ledger gives each account's totals, so only the statements stay: the
    totals of ten thousand accounts are never all held at once.
    """
    wanted = {account.number: account for account in accounts}
    shared = SharedValues()
    result: dict[str, tuple[Statement, tuple[tuple[str, str], ...]]] = {}

    def add(number: str, totals: AccountTotals) -> None:
        statement = statement_from_totals(wanted[number], period, totals, shared=shared)
        result[number] = (statement, totals.foreign)

    for totals in ledger.statement_totals(list(wanted), period):
        number = totals.account
        if number in result or number not in wanted:
            raise LedgerError(
                f"the ledger gave totals for account {number} "
                + ("twice" if number in result else "although it was not asked for")
                + "; Ledger.statement_totals gives each asked account at most once",
                value=number,
                field="statement_totals",
            )
        add(number, totals)
    for number in wanted:
        if number not in result:
            add(number, AccountTotals(account=number))
    return {number: result[number] for number in wanted}


def _drafted(
    candidates: Sequence[AccountState],
    statements: Mapping[str, tuple[Statement, tuple[tuple[str, str], ...]]],
    strategy: ResetStrategy,
    period: Period,
    refusals: list[Refusal],
) -> tuple[list[AccountInvoiceDraft], list[str]]:
    """A draft per account with purchases to invoice; refusals are added to ``refusals``."""
    drafts: list[AccountInvoiceDraft] = []
    nothing: list[str] = []
    for state in candidates:
        account = state.account
        statement, foreign = statements[account.number]
        if foreign:
            refusals.append(
                Refusal(
                    account.number,
                    RefusalReason.CURRENCY_MISMATCH,
                    f"account {account.label} is kept in {account.currency} but has "
                    f"bookings in {', '.join(sorted({c for _, c in foreign}))} in "
                    "this period; correct those bookings first",
                    tuple(sorted(i for i, _ in foreign)),
                )
            )
            continue
        if statement.credits:
            listed = ", ".join(
                f"{c.id} ({c.kind.value} {c.credit} on {period.business_date(c.at).isoformat()})"
                for c in statement.credits
            )
            refusals.append(
                Refusal(
                    account.number,
                    RefusalReason.CREDIT_BOOKINGS_IN_PERIOD,
                    f"account {account.label} has credit bookings inside the period: "
                    f"{listed}; settle them outside the period or invoice a period "
                    "without them",
                    tuple(c.id for c in statement.credits),
                )
            )
            continue
        if statement.is_empty:
            nothing.append(account.number)
            continue
        drafts.append(
            AccountInvoiceDraft(
                state=state,
                statement=statement,
                correction=_checked(strategy, state, statement),
            )
        )

    return drafts, nothing


def _checked(strategy: ResetStrategy, state: AccountState, statement: Statement) -> Correction:
    """The strategy's correction, refused unless it is whole minor units of the currency."""
    correction = strategy.correction(state, statement)
    quantum = minor_unit(statement.currency)
    for name, delta in (
        ("balance", correction.balance_delta),
        ("limit", correction.limit_delta),
    ):
        if not isinstance(delta, Decimal) or delta != delta.quantize(quantum):
            raise InvalidValue(
                f"reset strategy {strategy.name!r} gives account {state.account.label} a "
                f"{name} change of {delta!r}, not a {statement.currency} amount in whole "
                f"minor units; round it to {quantum}",
                value=delta,
                obj=strategy,
                field=f"{name}_delta",
            )
    return correction


def _uninvoiced_warnings(
    ledger: Ledger, numbers: list[str], period: Period
) -> tuple[UninvoicedWarning, ...]:
    found = ledger.uninvoiced_before(numbers, period.start)
    return tuple(
        UninvoicedWarning(account=number, count=count, total=total, oldest=oldest)
        for number, (count, total, oldest) in sorted(found.items())
    )


def commit_run(
    ledger: Ledger,
    plan: Plan,
    *,
    actor: Actor,
    key: str | None = None,
    at: dt.datetime | None = None,
) -> InvoiceRun:
    """Commit ``plan`` atomically and return the run.

    Links every planned purchase to its account invoice and books one mutation per
    account whose correction is not zero. The capability needed follows from the drafts:
    more than one account to invoice needs bulk-invoice. If a planned purchase was
    invoiced meanwhile or an account changed, raises `RunConflict` and writes nothing.
    A plan without drafts raises `EmptyRun`.

    With ``key`` given, the key belongs to the plan first committed under it: the same
    plan (also one planned again, before or after that commit) gets that run back, and
    nothing is written; a different plan raises `KeyInUse`, and so does a plan made after
    an invoice of that run was undone that would bill the account again.
    """
    if key is not None:
        # Matched exactly, as stored: " 2026-10 " would be a second key beside "2026-10".
        check_name_text(key, "run key", name="key", exactly="run keys are")
    # Decided by what is about to be invoiced, never by the plan's bulk flag.
    _require_invoicing(actor, len(plan.drafts) > 1, "commit")
    fingerprint = plan.fingerprint
    if key is not None:
        existing = ledger.runs(key=key)
        if existing:
            return _answer_for_key(ledger, existing[0], plan, key, fingerprint)
    if not plan.drafts:
        raise _empty_run(plan)
    created_at = _now() if at is None else to_utc(at, field="commit instant 'at'", name="at")
    run_id = new_id()
    invoices = []
    for draft in plan.drafts:
        number = draft.account.number
        # The planned balance stands in: the ledger states the one it finds under its lock.
        state = draft.state
        mutation = None
        if not draft.correction.is_zero:
            mutation = Mutation(
                account=number,
                kind=MutationKind.RUN_CORRECTION,
                balance_delta=draft.correction.balance_delta,
                limit_delta=draft.correction.limit_delta,
                actor=actor.id,
                at=created_at,
                reason=f"invoice run over {plan.period.label} ({plan.strategy.name})",
                run_id=run_id,
            )
        invoices.append(
            AccountInvoice(
                id=new_id(),
                run_id=run_id,
                statement=draft.statement,
                balance_before=state.balance,
                limit_before=state.limit,
                correction=draft.correction,
                mutation=mutation,
            )
        )
    run = InvoiceRun(
        id=run_id,
        key=key,
        period=plan.period,
        strategy=plan.strategy.name,
        actor=actor.id,
        created_at=created_at,
        invoices=tuple(invoices),
        fingerprint=fingerprint,
        currency=plan.currency,
        selected=plan.selected,
    )
    revisions = {d.account.number: d.state.revision for d in plan.drafts}
    stored = ledger.commit_run(run, revisions)
    if key is not None and stored.id != run.id:
        # Another commit took the key between the look-up above and this one.
        return _answer_for_key(ledger, stored, plan, key, fingerprint)
    return stored


def _empty_run(plan: Plan) -> EmptyRun:
    """The refusal of a plan that invoices no account, naming each and why."""
    # Hundreds of accounts would make one sentence of hundreds of lines: ten, then counts.
    reasons = refusal_reasons(plan.refusals)
    quiet = plan.nothing_to_invoice
    if quiet:
        reasons.append(
            f"{named('account', quiet)} {in_number(len(quiet), 'has', 'have')} nothing to "
            f"invoice in {plan.period.label}"
        )
    accounts = tuple(sorted({r.account for r in plan.refusals} | set(plan.nothing_to_invoice)))
    why = (
        "; ".join(reasons) if reasons else "it selects no accounts, so there is nothing to invoice"
    )
    return EmptyRun(
        f"{nothing_committed(plan)}: {why}",
        value=accounts,
        obj=plan,
        field="drafts",
    )


def nothing_committed(plan: Plan) -> str:
    """What committing ``plan`` did when it invoices no account, before the reasons why."""
    return (
        f"the plan over {plan.period.label} invoices no account, so no run was committed "
        "and no key used"
    )


def _invoiced(pairs: Iterable[tuple[str, Statement]]) -> dict[str, tuple[frozenset[str], Decimal]]:
    return {number: (s.transaction_ids(), s.total) for number, s in pairs}


def _is_retry(run: InvoiceRun, plan: Plan, fingerprint: str) -> bool:
    """Whether committing ``plan`` is a retry of the commit that wrote ``run``."""
    if run.fingerprint is not None and run.fingerprint == fingerprint:
        return True
    if (run.period, run.strategy) != (plan.period, plan.strategy.name):
        return False
    if run.fingerprint is not None and (run.currency, run.selected) != (
        plan.currency,
        plan.selected,
    ):
        return False
    if not plan.drafts:
        # The same plan made again after the commit: the run holds its purchases now.
        return True
    # A run stored before fingerprints were kept is matched by what it invoiced.
    return run.fingerprint is None and _invoiced(
        (i.account.number, i.statement) for i in run.invoices
    ) == _invoiced((d.account.number, d.statement) for d in plan.drafts)


def _bills_undone_again(ledger: Ledger, run: InvoiceRun, plan: Plan) -> bool:
    """Whether ``plan``, made after one of ``run``'s invoices was undone, would bill it.

    The undo put back what the run found, so the run's plan made again looks the same;
    it would bill anew what the run no longer holds, which no retry may skip. The plan
    the run committed, sent again, is a retry all the same. An undo that booked a
    reversal moved the account's revision past the one the run's plan saw: a plan with
    the account's revision now was made since. So, booked or not, is a plan made at or
    after the undo's instant; an undo that booked none and is dated later than it was
    done leaves the clock alone to tell, and a plan made before that instant a retry.
    """
    undone = {i.account.number: i for i in run.invoices if i.undone_at is not None}
    again = [d for d in plan.drafts if d.account.number in undone]
    if not again:
        return False
    now = ledger.states([d.account.number for d in again])
    for draft in again:
        invoice = undone[draft.account.number]
        held = now.get(draft.account.number)
        if invoice.undo_mutation is not None and (
            held is not None and draft.state.revision == held.revision
        ):
            return True
        assert invoice.undone_at is not None  # undone: see above
        if plan.planned_at is None or plan.planned_at >= invoice.undone_at:
            return True
    return False


def _period_text(period: Period) -> str:
    return f"{period.label} ({period.tz}, days from {period.day_starts_at.strftime('%H:%M')})"


def _differences(run: InvoiceRun, plan: Plan) -> list[str]:
    """What ``plan`` asks for that the plan of ``run`` did not."""
    found = []
    if run.period != plan.period:
        found.append(f"period {_period_text(plan.period)}, not {_period_text(run.period)}")
    if run.strategy != plan.strategy.name:
        found.append(f"strategy {plan.strategy.name}, not {run.strategy}")
    if run.fingerprint is not None:
        if run.currency != plan.currency:
            found.append(f"currency {plan.currency or 'any'}, not {run.currency or 'any'}")
        added = sorted(set(plan.selected) - set(run.selected))
        left = sorted(set(run.selected) - set(plan.selected))
        if added:
            found.append(f"{named('account', added)} selected as well")
        if left:
            found.append(f"{named('account', left)} not selected")
    # Purchases the run invoiced are no longer in a plan made after it, unless their
    # invoice was undone: only what the plan would invoice beyond the run differs.
    billed = {i.account.number: i for i in run.invoices}
    beyond, fewer, undone = [], [], []
    for draft in sorted(plan.drafts, key=lambda d: d.account.number):
        invoice = billed.get(draft.account.number)
        ids = draft.statement.transaction_ids()
        invoiced = frozenset() if invoice is None else invoice.statement.transaction_ids()
        if invoice is None or ids - invoiced:
            beyond.append(draft.account.number)
        elif invoice.state is InvoiceState.UNDONE:
            undone.append(draft.account.number)
        elif ids < invoiced:
            # A plan made before purchases the run, made later, invoiced.
            fewer.append(draft.account.number)
    if beyond:
        found.append(f"purchases of {named('account', beyond)} that the run did not invoice")
    if fewer:
        found.append(f"fewer purchases of {named('account', fewer)} than the run invoiced")
    if undone:
        found.append(
            # Said as what committing would do: nothing has been invoiced again yet.
            f"it would invoice {named('account', undone)} again, whose "
            f"{in_number(len(undone), 'invoice in that run was', 'invoices in that run were')} "
            "undone"
        )
    return found or ["other purchases"]


def _answer_for_key(
    ledger: Ledger, run: InvoiceRun, plan: Plan, key: str, fingerprint: str
) -> InvoiceRun:
    """The run stored under ``key`` if ``plan`` is its retry; else `KeyInUse`."""
    if not _bills_undone_again(ledger, run, plan) and _is_retry(run, plan, fingerprint):
        return run
    return _raise_key_in_use(run, plan, key)


def _raise_key_in_use(run: InvoiceRun, plan: Plan, key: str) -> NoReturn:
    raise KeyInUse(
        f"key {key!r} is in use by run {run.id} over {_period_text(run.period)} with "
        f"strategy {run.strategy}, committed on {wall_clock(run.created_at, run.period.tz)}; "
        f"this plan differs: {'; '.join(_differences(run, plan))}; nothing was written: "
        "commit this plan under a new key",
        value=key,
        obj=run,
        field="key",
    )


def undo_invoice(
    ledger: Ledger,
    run_id: str,
    account: str,
    *,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
) -> AccountInvoice:
    """Undo ``account``'s part of run ``run_id``: book the reverse mutation, free its purchases.

    ``run_id`` may also be the key the run was committed under. The run and both
    mutations stay in the audit trail. Undoing twice raises
    `AlreadyUndone`. When the account's purchases put it over its limit again, the
    returned invoice's ``over_limit`` says so with the spending room left (below zero).
    """
    require_undo(actor)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidValue(
            f"undo reason {reason!r} is empty; say why the invoice is undone",
            value=reason,
            field="reason",
        )
    when = _now() if at is None else to_utc(at, field="undo instant 'at'", name="at")
    invoice = _invoice_by_id_or_key(ledger, run_id, account)
    run_id = invoice.run_id
    reverse = -invoice.correction
    mutation = None
    if not reverse.is_zero:
        mutation = Mutation(
            account=account,
            kind=MutationKind.UNDO,
            balance_delta=reverse.balance_delta,
            limit_delta=reverse.limit_delta,
            actor=actor.id,
            at=when,
            reason=reason.strip(),
            run_id=run_id,
        )
    undone = ledger.undo_invoice(
        run_id, account, mutation=mutation, at=when, actor=actor.id, reason=reason.strip()
    )
    return attrs.evolve(undone, over_limit=_over_limit(ledger, account))


def _invoice_by_id_or_key(ledger: Ledger, run: str, account: str) -> AccountInvoice:
    """``account``'s invoice in the run with the id ``run``, or else under the key ``run``.

    One invoice is read either way, so this costs the same in a run of any size; only
    the refusal of an account the keyed run did not bill reads that run whole.
    """
    try:
        return ledger.invoice(run, account)
    except UnknownRun:
        keyed = ledger.runs(key=run, account=account)
        if keyed and keyed[0].invoices:
            return keyed[0].invoices[0]
        # Only on the way to a refusal: is there a run under that key at all? Then its
        # own refusal names the accounts it did bill.
        keyed = keyed or ledger.runs(key=run)
        if not keyed:
            raise
        return ledger.invoice(keyed[0].id, account)


def _over_limit(ledger: Ledger, number: str) -> OverLimitWarning | None:
    """A warning when ``number`` has less than no spending room, as it has right now."""
    state = ledger.states([number]).get(number)
    if state is None or state.spending_room >= 0:
        return None
    return OverLimitWarning.of(state, "again after the undo")

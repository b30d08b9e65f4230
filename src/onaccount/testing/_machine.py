"""LedgerMachine: a Hypothesis state machine that proves a ledger keeps the guarantees.

It opens accounts, records purchases and payments (and sends them again, as a till
retrying does), changes limits, plans, commits and undoes runs in any order, keeping a
model of what the ledger must hold, and checks after every step the guarantees the
concepts page numbers: the balance identity, conservation, no double billing, exact
undo, agreeing totals, pure planning and strategies that do what their table says.
Subclass it and return your own ledger from `LedgerMachine.make_ledger`::

    class OrmLedgerMachine(LedgerMachine):
        def make_ledger(self) -> Ledger:
            return OrmLedger("sqlite://")

    TestOrmLedgerMachine = OrmLedgerMachine.TestCase
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import onaccount as oa
from onaccount.testing import strategies as oas

__all__ = ["LedgerMachine", "assert_travels"]

_ADMIN = oa.Actor.superuser("machine")
_CLERK = oa.Actor("clerk", {"view", "invoice"})
_ZERO = Decimal(0)
_UTC = dt.UTC


@attrs.frozen
class _ClearHalf:
    """A host's own strategy: clear half the invoiced amount, leave the limit alone."""

    name: ClassVar[str] = "clear-half"
    description: ClassVar[str] = "Raise the balance by half the invoiced amount."

    def correction(self, state: oa.AccountState, statement: oa.Statement) -> oa.Correction:
        """Half of T, rounded to the currency."""
        return oa.Correction(balance_delta=oa.round_money(statement.total / 2, statement.currency))


_STRATEGIES: tuple[oa.ResetStrategy, ...] = (
    oa.NoCorrection(),
    oa.ZeroBalance(),
    oa.LimitMinusInvoiced(),
    _ClearHalf(),
)


def _declared_effect(strategy: oa.ResetStrategy, total: Decimal, currency: str) -> oa.Correction:
    """What the strategies' table (or the custom strategy's description) says it books."""
    if strategy.name == "none":
        return oa.Correction()
    if strategy.name == "zero-balance":
        return oa.Correction(balance_delta=total)
    if strategy.name == "limit-minus-invoiced":
        return oa.Correction(balance_delta=total, limit_delta=-total)
    assert strategy.name == "clear-half"
    return oa.Correction(balance_delta=oa.round_money(total / 2, currency))


def _room_change(strategy: oa.ResetStrategy, total: Decimal, currency: str) -> Decimal:
    """The spending-room column of the strategies' table."""
    return {
        "none": _ZERO,
        "zero-balance": total,
        "limit-minus-invoiced": _ZERO,
        "clear-half": oa.round_money(total / 2, currency),
    }[strategy.name]


def assert_travels(error: oa.OnAccountError) -> None:
    """A raised error pickles with its type, message and payload (worker processes send them)."""
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert (restored.message, restored.value, restored.field) == (
        error.message,
        error.value,
        error.field,
    )
    assert restored.obj == error.obj


def _plan_header(plan: oa.Plan) -> tuple[Any, ...]:
    """What a plan was asked to do, whatever the ledger then held."""
    return (plan.period, plan.strategy.name, plan.currency, plan.selected)


def _utc(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC, so comparisons never depend on the tzinfo object."""
    return instant.astimezone(_UTC)


def _check_statement_totals(statement: oa.Statement, ledger: oa.Ledger) -> None:
    """Guarantee 5, totals agree, for one statement."""
    purchases = tuple(statement.purchases(ledger))
    by_day = statement.purchases_by_day(ledger)
    assert statement.count == len(purchases)
    assert statement.total == sum((p.total for p in purchases), _ZERO)
    assert statement.total == sum((d.total for d in statement.days), _ZERO)
    assert statement.total == sum((p.amount for p in statement.products), _ZERO)
    assert statement.total == sum((v.gross for v in statement.vat), _ZERO)
    for day in statement.days:
        assert day.total == sum((p.total for p in by_day[day.date]), _ZERO)
        assert day.count == len(by_day[day.date])
        assert all(statement.period.business_date(p.at) == day.date for p in by_day[day.date])
    for row in statement.vat:
        assert row.net + row.tax == row.gross
        split = oa.vat_split(row.gross, row.vat.rate, statement.currency)
        assert (row.net, row.tax) == (split.net, split.vat)
    assert len({v.vat for v in statement.vat}) == len(statement.vat)


@attrs.define
class _InvoiceModel:
    run_id: str
    account: str
    strategy: oa.ResetStrategy
    correction: oa.Correction
    tx_ids: frozenset[str]
    before: tuple[Decimal, Decimal, frozenset[str]]
    touched_at_commit: int
    undone: bool = False
    undone_at: dt.datetime | None = None


@attrs.define
class _PlanModel:
    plan: oa.Plan
    revisions: dict[str, int]


class LedgerMachine(RuleBasedStateMachine):
    """Records, plans, commits and undoes, keeping a model of what the ledger must hold."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = self.make_ledger()
        self.accounts: dict[str, oa.Account] = {}
        self.txs: dict[str, oa.Transaction] = {}
        self.balance: dict[str, Decimal] = {}
        self.limit: dict[str, Decimal] = {}
        self.revision: dict[str, int] = {}
        self.touched: dict[str, int] = {}
        self.invoiced: dict[str, tuple[str, str]] = {}  # tx id -> (run id, account)
        self.invoices: dict[tuple[str, str], _InvoiceModel] = {}
        self.plans: list[_PlanModel] = []
        self.keys: dict[str, str] = {}
        self.key_plans: dict[str, oa.Plan] = {}
        self.next_id = 0
        self.universe = oa.Period.month(2026, 10, tz="Europe/Amsterdam")

    def make_ledger(self) -> oa.Ledger:
        """The ledger under test, fresh and empty: override it; the reference ledger here."""
        return oa.MemoryLedger()

    def close_ledger(self, ledger: oa.Ledger) -> None:
        """Release the ledger after its example: its ``close()``, if it has one."""
        close = getattr(ledger, "close", None)
        if callable(close):
            close()

    def teardown(self) -> None:
        """Close the example's ledger (`close_ledger`); Hypothesis calls it after each."""
        self.close_ledger(self.ledger)

    # -- helpers -------------------------------------------------------------------------

    def fresh_id(self) -> str:
        self.next_id += 1
        return f"m{self.next_id:05d}"

    def touch(self, numbers: Iterable[str]) -> None:
        for number in numbers:
            self.touched[number] += 1

    def uninvoiced(self, number: str) -> frozenset[str]:
        return frozenset(
            t.id for t in self.txs.values() if t.account == number and t.id not in self.invoiced
        )

    def observe(self) -> tuple[Any, ...]:
        numbers = sorted(self.accounts)
        return (
            self.ledger.states(numbers),
            [(t.id, t) for t in self.ledger.transactions(numbers)],
            sorted(t.id for t in self.ledger.transactions(numbers, uninvoiced=False)),
            self.ledger.runs(),
            self.ledger.mutations(),
        )

    def state(self, number: str) -> oa.AccountState:
        return self.ledger.states([number])[number]

    # -- setup ---------------------------------------------------------------------------

    @initialize(
        tz=oas.time_zones(),
        day_start=oas.day_starts(),
        month=st.sampled_from((10, 3, 11, 4, 9)),
        opened=st.lists(
            oas.accounts(), min_size=1, max_size=4, unique_by=lambda a: a.number
        ).filter(lambda accounts: any(a.kind is oa.AccountKind.LIMIT for a in accounts)),
        data=st.data(),
    )
    def open_accounts(
        self,
        tz: str,
        day_start: dt.time,
        month: int,
        opened: list[oa.Account],
        data: st.DataObject,
    ) -> None:
        self.universe = oa.Period.month(2026, month, tz=tz, day_starts_at=day_start)
        for account in opened:
            oa.open_account(self.ledger, account, actor=_ADMIN)
            self.accounts[account.number] = account
            self.balance[account.number] = _ZERO
            self.limit[account.number] = account.limit
            self.revision[account.number] = 0
            self.touched[account.number] = 0
        # Seed the ledger, so runs have something to invoice whichever rules run.
        self.record_bookings(data, data.draw(st.integers(0, 8)))

    # -- bookings ------------------------------------------------------------------------

    @rule(data=st.data(), count=st.integers(1, 4))
    def record_bookings(self, data: st.DataObject, count: int) -> None:
        for _ in range(count):
            if data.draw(st.integers(0, 7)) == 7:
                self.record_credit(data, outside=data.draw(st.sampled_from((True, False))))
                continue
            self.record_purchase(
                data,
                allow_over_limit=data.draw(st.booleans()),
                outside=data.draw(st.sampled_from((False, False, False, True))),
            )

    def record_purchase(self, data: st.DataObject, allow_over_limit: bool, outside: bool) -> None:
        account = self.accounts[data.draw(st.sampled_from(sorted(self.accounts)))]
        purchase = data.draw(
            oas.purchases(
                account,
                self.universe,
                outside=outside,
                ids=st.just(self.fresh_id()),
                max_lines=3,
            )
        )
        number = account.number
        room = self.limit[number] + self.balance[number]
        refused = not allow_over_limit and purchase.total > 0 and room - purchase.total < 0
        if refused:
            event("record: limit exceeded")
            before = self.observe()
            with pytest.raises(oa.LimitExceeded) as caught:
                self.ledger.record_many([purchase])
            assert purchase.id in str(caught.value)
            assert_travels(caught.value)
            assert str(room) in str(caught.value)
            assert self.observe() == before
            return
        self.ledger.record_many([purchase], allow_over_limit=allow_over_limit)
        self.txs[purchase.id] = purchase
        self.balance[number] -= purchase.total
        self.touch([number])

    def record_credit(self, data: st.DataObject, outside: bool) -> None:
        account = self.accounts[data.draw(st.sampled_from(sorted(self.accounts)))]
        credit = data.draw(
            oas.credit_bookings(
                account, self.universe, outside=outside, ids=st.just(self.fresh_id())
            )
        )
        self.ledger.record_many([credit])
        self.txs[credit.id] = credit
        self.balance[account.number] += credit.credit
        self.touch([account.number])

    @precondition(lambda self: bool(self.txs))
    @rule(data=st.data(), with_new=st.booleans())
    def record_again(self, data: st.DataObject, with_new: bool) -> None:
        """A till's retry: stored bookings sent again, some twice, maybe beside a new one."""
        sent = [
            self.txs[tx_id]
            for tx_id in data.draw(st.lists(st.sampled_from(sorted(self.txs)), min_size=1))
        ]
        before = self.observe()
        if not with_new:
            event("record again: retries only")
            # No override of the limit: a retry is not checked again, whatever room is left.
            assert self.ledger.record_many(sent) == 0
            assert self.observe() == before
            return
        event("record again: beside a new purchase")
        account = self.accounts[data.draw(st.sampled_from(sorted(self.accounts)))]
        new = data.draw(
            oas.purchases(account, self.universe, ids=st.just(self.fresh_id()), max_lines=2)
        )
        sent.insert(data.draw(st.integers(0, len(sent))), new)
        assert self.ledger.record_many(sent, allow_over_limit=True) == 1
        self.txs[new.id] = new
        self.balance[account.number] -= new.total
        self.touch([account.number])
        # Only the new purchase was booked (the invariants check the balances).
        after = self.observe()
        assert [b for b in after[1] if b[0] != new.id] == before[1]
        assert after[2:] == before[2:]

    @precondition(lambda self: bool(self.txs))
    @rule(data=st.data())
    def record_another_under_a_used_id(self, data: st.DataObject) -> None:
        """A booking other than the stored one under its id is refused, and nothing books."""
        used = self.txs[data.draw(st.sampled_from(sorted(self.txs)))]
        account = self.accounts[data.draw(st.sampled_from(sorted(self.accounts)))]
        other = data.draw(
            oas.purchases(account, self.universe, ids=st.just(used.id), max_lines=2).filter(
                lambda drawn: drawn != used
            )
        )
        before = self.observe()
        with pytest.raises(oa.DuplicateTransaction) as caught:
            self.ledger.record_many([other], allow_over_limit=True)
        assert f"{used.id!r} is recorded already for another booking (" in caught.value.message
        assert_travels(caught.value)
        assert self.observe() == before

    @rule(data=st.data())
    def correct_balance(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from(sorted(self.accounts)))
        places = oa.minor_unit(self.accounts[number].currency)
        delta = data.draw(st.integers(1, 5000)) * data.draw(st.sampled_from((1, -1))) * places
        mutation = oa.correct_balance(self.ledger, number, delta, actor=_ADMIN, reason="till")
        assert mutation.balance_delta == delta
        self.balance[number] += delta
        self.revision[number] += 1
        self.touch([number])

    @rule(data=st.data(), stale=st.booleans())
    def change_limit(self, data: st.DataObject, stale: bool) -> None:
        number = data.draw(st.sampled_from(sorted(self.accounts)))
        places = oa.minor_unit(self.accounts[number].currency)
        current = self.limit[number]
        # limit-minus-invoiced can take a limit below zero; a new limit is never negative.
        new = max(current, Decimal(0)) + data.draw(st.integers(1, 5000)) * places
        before = self.observe()
        if self.accounts[number].kind is oa.AccountKind.CREDIT:
            event("change limit: credit account")
            # A prepaid account keeps limit 0, whatever limit the caller had seen.
            with pytest.raises(oa.NotInvoiceable, match="is a credit account"):
                oa.change_limit(
                    self.ledger, number, new, actor=_ADMIN, reason="raise", expected=current
                )
            assert self.observe() == before
            return
        if stale:
            event("change limit: stale")
            with pytest.raises(oa.LimitConflict) as caught:
                oa.change_limit(
                    self.ledger, number, new, actor=_ADMIN, reason="raise", expected=current - 1
                )
            assert str(current) in caught.value.message
            assert_travels(caught.value)
            assert self.observe() == before
            return
        mutation = oa.change_limit(
            self.ledger, number, new, actor=_ADMIN, reason="raise", expected=current
        )
        assert mutation.limit_delta == new - current
        self.limit[number] = new
        self.revision[number] += 1
        self.touch([number])

    # -- runs ----------------------------------------------------------------------------

    def plan_period(self, data: st.DataObject) -> oa.Period:
        universe = self.universe
        days = universe.days()
        how = data.draw(st.sampled_from((0, 0, 2, 1, 3, 4)))
        if how == 0:
            return universe
        if how == 1:
            # A DST day when the month has one, else any single day.
            odd = [d for d in days if universe.day_length(d) != dt.timedelta(days=1)]
            day = data.draw(st.sampled_from(odd or list(days)))
            return oa.Period.day(day, tz=universe.tz, day_starts_at=universe.day_starts_at)
        if how == 2:
            first = data.draw(st.integers(0, len(days) - 1))
            last = data.draw(st.integers(first, min(first + 10, len(days) - 1)))
            return oa.Period.between(
                days[first], days[last], tz=universe.tz, day_starts_at=universe.day_starts_at
            )
        # The days just before or after the month, where outside bookings land.
        if how == 3:
            since, until = days[0] - dt.timedelta(days=10), days[0] - dt.timedelta(days=1)
        else:
            since, until = days[-1] + dt.timedelta(days=1), days[-1] + dt.timedelta(days=10)
        return oa.Period.between(
            since, until, tz=universe.tz, day_starts_at=universe.day_starts_at
        )

    @rule(data=st.data(), strategy=st.sampled_from(_STRATEGIES), commit_now=st.booleans())
    def plan(self, data: st.DataObject, strategy: oa.ResetStrategy, commit_now: bool) -> None:
        period = self.plan_period(data)
        numbers = sorted(self.accounts)
        selection = data.draw(
            st.lists(st.sampled_from(numbers), min_size=1)
            | st.just([*numbers, "404"])
            | st.just(numbers)
        )
        before = self.observe()
        plan = oa.plan_run(self.ledger, period, selection, strategy, actor=_ADMIN)
        # Guarantee 6: planning changes nothing and gives equal plans twice.
        assert self.observe() == before
        assert oa.plan_run(self.ledger, period, selection, strategy, actor=_ADMIN) == plan
        self.check_plan(plan, period, sorted(set(selection)), strategy)
        event(f"plan: {bool(plan.drafts)} drafts, {bool(plan.refusals)} refusals")
        for refusal in plan.refusals:
            event(f"plan: refused for {refusal.reason.value}")
        self.plans.append(
            _PlanModel(
                plan, {d.account.number: self.revision[d.account.number] for d in plan.drafts}
            )
        )

    def check_plan(
        self,
        plan: oa.Plan,
        period: oa.Period,
        selected: list[str],
        strategy: oa.ResetStrategy,
    ) -> None:
        start, end = _utc(period.start), _utc(period.end)
        drafts = {d.account.number: d for d in plan.drafts}
        refusals = {r.account: r for r in plan.refusals}
        assert len(drafts) == len(plan.drafts)
        assert len(refusals) == len(plan.refusals)
        assert plan.bulk == (len(selected) != 1)
        assert plan.selected == tuple(selected)
        expected_warnings = []
        for number in selected:
            account = self.accounts.get(number)
            if account is None:
                assert refusals[number].reason is oa.RefusalReason.UNKNOWN_ACCOUNT
                assert number in refusals[number].message
                continue
            if account.kind is oa.AccountKind.CREDIT:
                assert refusals[number].reason is oa.RefusalReason.CREDIT_ACCOUNT
                assert "credit account" in refusals[number].message
                continue
            mine = [
                t for t in self.txs.values() if t.account == number and t.id not in self.invoiced
            ]
            older = [t for t in mine if isinstance(t, oa.Purchase) and _utc(t.at) < start]
            if older:
                expected_warnings.append(
                    (
                        number,
                        len(older),
                        sum((p.total for p in older), _ZERO),
                        min(_utc(p.at) for p in older),
                    )
                )
            inside = [t for t in mine if start <= _utc(t.at) < end]
            credits = sorted(t.id for t in inside if isinstance(t, oa.CreditBooking))
            purchases = [t for t in inside if isinstance(t, oa.Purchase)]
            if credits:
                refusal = refusals[number]
                assert refusal.reason is oa.RefusalReason.CREDIT_BOOKINGS_IN_PERIOD
                assert sorted(refusal.transactions) == credits
                assert all(c in refusal.message for c in credits)
                continue
            if not purchases:
                assert number in plan.nothing_to_invoice
                continue
            draft = drafts[number]
            statement = draft.statement
            assert statement.transaction_ids() == {p.id for p in purchases}
            total = sum((p.total for p in purchases), _ZERO)
            assert draft.total == total
            _check_statement_totals(statement, self.ledger)
            # Guarantee 9: the correction is what the strategy declares.
            declared = _declared_effect(strategy, total, account.currency)
            assert draft.correction == declared
            assert draft.balance_before == self.balance[number]
            assert draft.limit_before == self.limit[number]
            assert draft.state.revision == self.revision[number]
            assert draft.balance_after == self.balance[number] + declared.balance_delta
            assert draft.limit_after == self.limit[number] + declared.limit_delta
            room_before = draft.limit_before + draft.balance_before
            room_after = draft.limit_after + draft.balance_after
            assert room_after - room_before == _room_change(strategy, total, account.currency)
        accounted = set(drafts) | set(refusals) | set(plan.nothing_to_invoice)
        assert accounted == set(selected)
        assert not set(drafts) & set(refusals)
        assert [
            (w.account, w.count, w.total, _utc(w.oldest)) for w in plan.warnings
        ] == expected_warnings
        assert plan.totals == {
            c: sum((d.total for d in plan.drafts if d.statement.currency == c), _ZERO)
            for c in sorted({d.statement.currency for d in plan.drafts})
        }

    @precondition(lambda self: bool(self.plans))
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        # Mostly plans that invoice something; empty ones and stale ones come up too.
        with_drafts = [m for m in self.plans if m.plan.drafts]
        model = data.draw(
            st.sampled_from(with_drafts[::-1] or self.plans) | st.sampled_from(self.plans)
        )
        self.commit_plan(data, model)

    def commit_plan(self, data: st.DataObject, model: _PlanModel) -> None:
        plan = model.plan
        if data.draw(st.booleans()):
            # A caller's edit of the bulk flag changes nothing about what may be committed.
            plan = attrs.evolve(plan, bulk=not plan.bulk)
        actor = data.draw(st.sampled_from((_ADMIN, _ADMIN, _CLERK)))
        key_kind = data.draw(st.sampled_from(("none", "fresh", "existing")))
        key = None
        if key_kind == "fresh":
            key = self.fresh_id()
        elif key_kind == "existing" and self.keys:
            key = data.draw(st.sampled_from(sorted(self.keys)))
        before = self.observe()
        if actor is _CLERK and len(plan.drafts) > 1:
            event("commit: clerk refused a bulk run")
            with pytest.raises(oa.PermissionDenied, match="bulk-invoice") as denied:
                oa.commit_run(self.ledger, plan, actor=actor, key=key)
            assert_travels(denied.value)
            assert self.observe() == before
            return
        if key is not None and key in self.keys:
            existing = self.ledger.run(self.keys[key])
            keyed = self.key_plans[key]
            # The undo put back what the run found: a plan made after it would bill anew.
            # A plan made since the undo: the account's revision, where the undo booked a
            # reversal, or the clock.
            again = [
                d.account.number
                for d in plan.drafts
                if (m := self.invoices.get((existing.id, d.account.number)))
                and m.undone_at is not None
                and (
                    (
                        not m.correction.is_zero
                        and model.revisions.get(d.account.number)
                        == self.revision[d.account.number]
                    )
                    or plan.planned_at is None
                    or plan.planned_at >= m.undone_at
                )
            ]
            if again:
                event("commit: key of a run whose invoice was undone")
                with pytest.raises(oa.KeyInUse) as used:
                    oa.commit_run(self.ledger, plan, actor=actor, key=key)
                words = used.value.message
                assert f"key {key!r}" in words
                assert existing.id in words
                # Named as invoiced again, or as having purchases the run did not bill.
                assert min(again) in words.partition("this plan differs: ")[2]
                assert_travels(used.value)
            elif plan.fingerprint == keyed.fingerprint or (
                not plan.drafts and _plan_header(plan) == _plan_header(keyed)
            ):
                event("commit: retry under its key")
                assert oa.commit_run(self.ledger, plan, actor=actor, key=key) == existing
            else:
                event("commit: key in use by another plan")
                with pytest.raises(oa.KeyInUse) as used:
                    oa.commit_run(self.ledger, plan, actor=actor, key=key)
                assert f"key {key!r}" in used.value.message
                assert existing.id in used.value.message
                assert_travels(used.value)
            assert self.observe() == before
            return
        if not plan.drafts:
            event("commit: empty plan refused")
            with pytest.raises(oa.EmptyRun) as empty:
                oa.commit_run(self.ledger, plan, actor=actor, key=key)
            for number in (*plan.nothing_to_invoice, *(r.account for r in plan.refusals)):
                assert number in empty.value.message
            assert_travels(empty.value)
            assert self.observe() == before
            if key is not None:
                assert self.ledger.runs(key=key) == []
            return
        conflict = any(
            tx in self.invoiced for d in plan.drafts for tx in d.statement.transaction_ids()
        ) or any(self.revision[n] != r for n, r in model.revisions.items())
        if conflict:
            event("commit: conflict")
            with pytest.raises(oa.RunConflict) as conflicted:
                oa.commit_run(self.ledger, plan, actor=actor, key=key)
            assert_travels(conflicted.value)
            assert self.observe() == before
            return
        states_before = self.ledger.states(sorted(self.accounts))
        invoiced_before = set(self.invoiced)
        run = oa.commit_run(self.ledger, plan, actor=actor, key=key)
        event(f"commit: run with {plan.strategy.name}")
        assert run.fingerprint == plan.fingerprint
        assert run == self.ledger.run(run.id)
        assert run.key == key
        assert run.strategy == plan.strategy.name
        assert [i.statement for i in run.invoices] == [d.statement for d in plan.drafts]
        mutations = self.ledger.mutations(run_id=run.id)
        assert len(mutations) == sum(1 for d in plan.drafts if not d.correction.is_zero)
        strategy = plan.strategy
        states_after = self.ledger.states(sorted(self.accounts))
        for invoice, draft in zip(run.invoices, plan.drafts, strict=True):
            number = invoice.account.number
            assert invoice.state is oa.InvoiceState.ACTIVE
            assert invoice.correction == draft.correction
            assert invoice.balance_before == states_before[number].balance
            assert invoice.limit_before == states_before[number].limit
            assert (invoice.mutation is None) == draft.correction.is_zero
            if invoice.mutation is not None:
                assert invoice.mutation.kind is oa.MutationKind.RUN_CORRECTION
                assert invoice.mutation.actor == actor.id
                assert invoice.mutation.run_id == run.id
            # Guarantee 9: balance, limit and spending room move as the strategies' table says.
            currency = invoice.account.currency
            declared = _declared_effect(strategy, invoice.total, currency)
            after, previous = states_after[number], states_before[number]
            assert after.balance - previous.balance == declared.balance_delta
            assert after.limit - previous.limit == declared.limit_delta
            assert after.spending_room - previous.spending_room == _room_change(
                strategy, invoice.total, currency
            )
            self.invoices[(run.id, number)] = _InvoiceModel(
                run_id=run.id,
                account=number,
                strategy=strategy,
                correction=invoice.correction,
                tx_ids=invoice.transaction_ids(),
                before=(self.balance[number], self.limit[number], self.uninvoiced(number)),
                touched_at_commit=self.touched[number] + 1,
            )
            for tx_id in invoice.transaction_ids():
                self.invoiced[tx_id] = (run.id, number)
            self.balance[number] += invoice.correction.balance_delta
            self.limit[number] += invoice.correction.limit_delta
            if not invoice.correction.is_zero:
                self.revision[number] += 1
            self.touch([number])
        # Guarantee 8: accounts outside the run and transactions outside it are untouched.
        in_run = {i.account.number for i in run.invoices}
        for number in set(self.accounts) - in_run:
            assert states_after[number] == states_before[number]
        newly = set(self.invoiced) - invoiced_before
        assert newly == {t for i in run.invoices for t in i.transaction_ids()}
        for tx_id in newly:
            assert plan.period.contains(self.txs[tx_id].at)
        if key is not None:
            self.keys[key] = run.id
            self.key_plans[key] = plan

    @precondition(lambda self: bool(self.invoices))
    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(sorted(self.invoices, key=self.undo_order)))
        model = self.invoices[target]
        run_id, number = target
        before = self.observe()
        if model.undone:
            with pytest.raises(oa.AlreadyUndone) as caught:
                oa.undo_invoice(self.ledger, run_id, number, actor=_ADMIN, reason="again")
            assert run_id in str(caught.value)
            assert_travels(caught.value)
            assert self.observe() == before
            return
        state_before = self.state(number)
        undone = oa.undo_invoice(self.ledger, run_id, number, actor=_ADMIN, reason="mistake")
        event(f"undo: restores exactly={self.touched[number] == model.touched_at_commit}")
        assert undone.state is oa.InvoiceState.UNDONE
        assert undone.undone_by == _ADMIN.id
        assert undone.undo_reason == "mistake"
        assert (undone.undo_mutation is None) == model.correction.is_zero
        assert self.ledger.run(run_id).invoice_for(number) == undone
        state_after = self.state(number)
        # Undo says when it puts the account over its limit again.
        if state_after.spending_room < 0:
            event("undo: over the limit again")
            assert undone.over_limit is not None
            assert undone.over_limit.spending_room == state_after.spending_room
        else:
            assert undone.over_limit is None
        assert state_after.balance - state_before.balance == -model.correction.balance_delta
        assert state_after.limit - state_before.limit == -model.correction.limit_delta
        model.undone = True
        model.undone_at = undone.undone_at
        for tx_id in model.tx_ids:
            del self.invoiced[tx_id]
        self.balance[number] -= model.correction.balance_delta
        self.limit[number] -= model.correction.limit_delta
        if not model.correction.is_zero:
            self.revision[number] += 1
        if self.touched[number] == model.touched_at_commit:
            # Guarantee 4: nothing happened to the account since the commit, so undo restores
            # balance, limit and the set of uninvoiced transactions exactly.
            uninvoiced = frozenset(
                t.id for t in self.ledger.transactions([number], uninvoiced=True)
            )
            assert (state_after.balance, state_after.limit, uninvoiced) == model.before
        self.touch([number])

    def undo_order(self, key: tuple[str, str]) -> tuple[bool, str, str]:
        return (self.invoices[key].undone, *key)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def balance_identity(self) -> None:
        """Guarantee 1: balance = Σ transaction amounts + Σ balance deltas; limit likewise."""
        numbers = sorted(self.accounts)
        states = self.ledger.states(numbers)
        for number in numbers:
            amounts = sum((t.amount for t in self.ledger.transactions([number])), _ZERO)
            mutations = self.ledger.mutations(account=number)
            deltas = sum((m.balance_delta for m in mutations), _ZERO)
            limit = self.accounts[number].limit + sum((m.limit_delta for m in mutations), _ZERO)
            assert states[number].balance == amounts + deltas == self.balance[number]
            assert states[number].limit == limit == self.limit[number]
            assert states[number].revision == self.revision[number]

    @invariant()
    def conservation_and_no_double_billing(self) -> None:
        """Guarantees 2 and 3: invoiced + uninvoiced = all purchases, each in one invoice."""
        numbers = sorted(self.accounts)
        active: dict[str, str] = {}
        invoiced_total: dict[str, Decimal] = dict.fromkeys(numbers, _ZERO)
        for run in self.ledger.runs():
            for invoice in run.invoices:
                if invoice.state is not oa.InvoiceState.ACTIVE:
                    continue
                invoiced_total[invoice.account.number] += invoice.total
                for tx_id in invoice.transaction_ids():
                    assert tx_id not in active, f"{tx_id} is billed twice"
                    active[tx_id] = invoice.id
        assert set(active) == set(self.invoiced)
        held = {t.id for t in self.ledger.transactions(numbers, uninvoiced=False)}
        assert held == set(active)
        for number in numbers:
            purchases = [
                t for t in self.ledger.transactions([number]) if isinstance(t, oa.Purchase)
            ]
            free = [
                t
                for t in self.ledger.transactions([number], uninvoiced=True)
                if isinstance(t, oa.Purchase)
            ]
            assert invoiced_total[number] + sum((p.total for p in free), _ZERO) == sum(
                (p.total for p in purchases), _ZERO
            )

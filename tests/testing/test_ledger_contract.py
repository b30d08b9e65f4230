"""LedgerContract itself: it closes what it makes, and its checks fail on broken ledgers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import settings

from onaccount import (
    AccountState,
    DuplicateTransaction,
    InvoiceRun,
    MemoryLedger,
    Mutation,
    MutationKind,
    Purchase,
    Transaction,
)
from onaccount.ledger import Ledger, check_booking
from onaccount.testing import LedgerContract
from tests.conftest import passing_pytest

_HOST_SUITE = """\
import pytest

from onaccount import MemoryLedger
from onaccount.testing import LedgerContract


class ClosingLedger(MemoryLedger):
    def __init__(self, made):
        super().__init__()
        self.closed = 0
        made.append(self)

    def close(self):
        self.closed += 1


class TestClosedByClose(LedgerContract):
    @pytest.fixture(autouse=True)
    def _database(self):
        self.made = []
        yield
        # The contract closed every ledger before this fixture's teardown, each once.
        assert self.made and [ledger.closed for ledger in self.made] == [1] * len(self.made)

    def make_ledger(self):
        # The property check closes each example's ledger before it makes the next.
        assert all(ledger.closed for ledger in self.made)
        return ClosingLedger(self.made)


class TestClosedByTheHook(LedgerContract):
    @pytest.fixture(autouse=True)
    def _database(self):
        self.made, self.released = [], []
        yield
        assert self.released == self.made
        assert [ledger.closed for ledger in self.made] == [0] * len(self.made)

    def make_ledger(self):
        return ClosingLedger(self.made)

    def close_ledger(self, ledger):
        self.released.append(ledger)
"""


def test_every_ledger_made_is_closed_before_the_hosts_fixtures_end(tmp_path: Path) -> None:
    """Each ledger is closed once after its check, by close() or a close_ledger override."""
    (tmp_path / "test_host.py").write_text(_HOST_SUITE, encoding="utf-8")
    checks = "test_duplicate_account or test_plans_and_runs_equal_the_reference_ledger"
    output = passing_pytest(tmp_path, "-W", "error", "-k", checks, "test_host.py")
    assert "4 passed" in output, output


class _Counting(LedgerContract):
    """The contract on MemoryLedger, counting the ledgers its checks make."""

    def __init__(self) -> None:
        self.made = 0

    def make_ledger(self) -> Ledger:
        self.made += 1
        return MemoryLedger()


class _CountingTwiceAsMany(_Counting):
    reference_examples_share = 0.5


@pytest.mark.parametrize("contract", [_Counting, _CountingTwiceAsMany], ids=["default", "0.5"])
def test_the_property_check_runs_its_share_of_the_profiles_examples(
    contract: type[_Counting],
) -> None:
    """The reference comparison runs reference_examples_share of the profile's max_examples."""
    checks = contract()
    checks.test_plans_and_runs_equal_the_reference_ledger()
    wanted = round(settings().max_examples * contract.reference_examples_share)
    assert checks.made == max(1, wanted)


# -- each check fails on a ledger with the bug it is there for ------------------------------

_TICK = dt.timedelta(microseconds=1)


class _CountsInvoicedPurchases(MemoryLedger):
    def uninvoiced_before(
        self, numbers: Iterable[str], before: dt.datetime
    ) -> dict[str, tuple[int, Decimal, dt.datetime]]:
        # Every purchase before the bound, whether a committed run holds it or not.
        found: dict[str, tuple[int, Decimal, dt.datetime]] = {}
        for booking in self.transactions(numbers, None, before):
            if isinstance(booking, Purchase):
                count, total, oldest = found.get(booking.account, (0, Decimal(0), booking.at))
                found[booking.account] = (count + 1, total + booking.total, oldest)
        return found


class _IgnoresAHeldKey(MemoryLedger):
    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        with self._lock:
            if run.key is not None:
                self._keys.pop(run.key, None)  # the run holding it is not looked up
            return super().commit_run(run, revisions)


class _CountsBookingsAtTheInstant(MemoryLedger):
    def states(
        self, numbers: Iterable[str], at: dt.datetime | None = None
    ) -> dict[str, AccountState]:
        found = super().states(numbers, at)
        if at is None:
            return found
        return {
            n: attrs.evolve(
                state,
                balance=sum(
                    (t.amount for t in self.transactions([n], at, at + _TICK)), state.balance
                ),
            )
            for n, state in found.items()
        }


class _CountsMutationsAtTheInstant(MemoryLedger):
    def states(
        self, numbers: Iterable[str], at: dt.datetime | None = None
    ) -> dict[str, AccountState]:
        found = super().states(numbers, at)
        if at is None:
            return found
        return {
            n: attrs.evolve(
                state,
                balance=sum(
                    (m.balance_delta for m in self.mutations(account=n, start=at, end=at + _TICK)),
                    state.balance,
                ),
            )
            for n, state in found.items()
        }


class _RevisionOfNow(MemoryLedger):
    def states(
        self, numbers: Iterable[str], at: dt.datetime | None = None
    ) -> dict[str, AccountState]:
        wanted = list(numbers)
        now = super().states(wanted)
        return {
            n: attrs.evolve(state, revision=now[n].revision)
            for n, state in super().states(wanted, at).items()
        }


class _LeavesOutTheStart(MemoryLedger):
    def mutations(
        self,
        *,
        account: str | None = None,
        run_id: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        kind: MutationKind | None = None,
    ) -> list[Mutation]:
        found = super().mutations(account=account, run_id=run_id, start=start, end=end, kind=kind)
        return [m for m in found if start is None or m.at > start]


class _MutationsByInstant(MemoryLedger):
    def mutations(
        self,
        *,
        account: str | None = None,
        run_id: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        kind: MutationKind | None = None,
    ) -> list[Mutation]:
        found = super().mutations(account=account, run_id=run_id, start=start, end=end, kind=kind)
        return sorted(found, key=lambda m: m.at)


class _BooksUnchecked(MemoryLedger):
    def book(self, mutation: Mutation) -> None:
        with self._lock:
            self.get_account(mutation.account)
            self._apply(mutation)  # without check_mutation


class _RefusesARetry(MemoryLedger):
    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        batch = list(transactions)
        with self._lock:
            for booking in batch:
                if booking.id in self._by_id:
                    # Any used id, as if every retry were a collision.
                    raise DuplicateTransaction(f"{booking.id} is taken", value=booking.id)
            return super().record_many(batch, allow_over_limit=allow_over_limit)


class _BooksARetryAgain(MemoryLedger):
    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        batch = list(transactions)
        with self._lock:
            stored = sum(1 for booking in batch if booking.id not in self._by_id)
            for booking in batch:
                if booking.id in self._by_id:
                    # Counted on the balance a second time, as a ledger keyed on nothing does.
                    self._balances[booking.account] += booking.amount
            fresh = [b for b in batch if b.id not in self._by_id]
            super().record_many(fresh, allow_over_limit=allow_over_limit)
            return stored


class _ChecksARetryAgain(MemoryLedger):
    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        batch = list(transactions)
        with self._lock:
            for booking in batch:
                if booking.id in self._by_id:
                    check_booking(self._state(booking.account), booking, allow_over_limit)
            return super().record_many(batch, allow_over_limit=allow_over_limit)


class _On(LedgerContract):
    """The contract on ledgers of one type, its checks called one by one."""

    def __init__(self, ledger: type[MemoryLedger]) -> None:
        self.ledger = ledger

    def make_ledger(self) -> Ledger:
        return self.ledger()


_CHECKS_AND_BUGS = {
    _CountsInvoicedPurchases: "test_uninvoiced_before_counts_what_no_active_invoice_holds",
    _IgnoresAHeldKey: "test_commit_run_answers_a_key_it_holds_with_the_stored_run",
    _CountsBookingsAtTheInstant: "test_states_at_an_instant_leave_out_what_happened_at_it",
    _CountsMutationsAtTheInstant: "test_states_at_an_instant_leave_out_what_happened_at_it",
    _RevisionOfNow: "test_states_at_an_instant_count_the_mutations_before_it_as_the_revision",
    _LeavesOutTheStart: "test_mutations_cover_a_half_open_interval",
    _MutationsByInstant: "test_mutations_come_in_the_order_they_were_booked",
    _BooksUnchecked: "test_book_refuses_what_check_mutation_refuses_and_writes_nothing",
    _RefusesARetry: "test_recording_a_stored_booking_again_books_nothing",
    _BooksARetryAgain: "test_recording_a_stored_booking_again_books_nothing",
    _ChecksARetryAgain: "test_a_retry_is_not_checked_against_the_limit_again",
}


@pytest.mark.parametrize("broken", _CHECKS_AND_BUGS, ids=lambda broken: broken.__name__[1:])
def test_a_check_fails_on_a_ledger_with_the_bug_it_catches(broken: type[MemoryLedger]) -> None:
    """The check passes on MemoryLedger and fails on a MemoryLedger with one bug planted."""
    check = _CHECKS_AND_BUGS[broken]
    getattr(_On(MemoryLedger), check)()
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        getattr(_On(broken), check)()

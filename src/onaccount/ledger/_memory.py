"""MemoryLedger: the reference ledger, kept in memory, for tests and small hosts."""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

import attrs

from onaccount._account import Account
from onaccount._invoices import AccountInvoice, InvoiceRun, InvoiceState
from onaccount._period import Period
from onaccount._query import AccountQuery, AccountState
from onaccount._statement import AccountTotals, group_bookings
from onaccount._transaction import Mutation, MutationKind, Purchase, Transaction

from ._protocol import LedgerConveniences, check_booking, check_mutation, limit_change
from ._refusals import (
    already_undone,
    changed_since_planned,
    check_account_update,
    checked_instant,
    duplicate_account,
    duplicate_transaction,
    invoiced_meanwhile,
    unknown_account,
    unknown_run,
)

__all__ = ["MemoryLedger"]

_ZERO = Decimal(0)


class MemoryLedger(LedgerConveniences):
    """A `Ledger` held in memory; thread-safe, and the reference for the contract suite."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._revisions: dict[str, int] = {}
        self._balances: dict[str, Decimal] = {}
        self._limits: dict[str, Decimal] = {}
        # Per account, bookings sorted by (instant, id).
        self._bookings: dict[str, list[tuple[dt.datetime, str, Transaction]]] = {}
        self._by_id: dict[str, Transaction] = {}
        self._invoiced: dict[str, str] = {}  # transaction id -> active account invoice id
        self._mutations: list[Mutation] = []
        self._runs: dict[str, InvoiceRun] = {}
        self._keys: dict[str, str] = {}

    # -- accounts -----------------------------------------------------------------------

    def open_accounts(self, accounts: Iterable[Account]) -> None:
        """Store several new accounts: all of them, or none if one is refused."""
        with self._lock:
            batch = list(accounts)
            seen: dict[str, Account] = {}
            for account in batch:
                existing = self._accounts.get(account.number) or seen.get(account.number)
                if existing is not None:
                    raise duplicate_account(account, existing.name)
                seen[account.number] = account
            for account in batch:
                self._accounts[account.number] = account
                self._revisions[account.number] = 0
                self._balances[account.number] = _ZERO
                self._limits[account.number] = account.limit
                self._bookings[account.number] = []

    def update_account(self, account: Account) -> None:
        """Replace name, group, tags and billing details of an existing account."""
        with self._lock:
            old = self.get_account(account.number)
            check_account_update(old, account)
            self._accounts[account.number] = account
            self._revisions[account.number] += 1

    def get_account(self, number: str) -> Account:
        """The account with ``number``; `UnknownAccount` if there is none."""
        try:
            return self._accounts[number]
        except KeyError:
            raise unknown_account(number) from None

    def _state(self, number: str) -> AccountState:
        return AccountState(
            account=self._accounts[number],
            balance=self._balances[number],
            limit=self._limits[number],
            revision=self._revisions[number],
        )

    def states(
        self, numbers: Iterable[str], at: dt.datetime | None = None
    ) -> dict[str, AccountState]:
        """Balance, limit and revision of each known account, at ``at`` or now."""
        checked_instant(at, field="at")
        with self._lock:
            known = [n for n in numbers if n in self._accounts]
            if at is None:
                return {n: self._state(n) for n in known}
            result = {}
            for number in known:
                balance = sum(
                    (tx.amount for when, _, tx in self._bookings[number] if when < at), _ZERO
                )
                limit = self._accounts[number].limit
                revision = 0
                for m in self._mutations:
                    if m.account == number and m.at < at:
                        balance += m.balance_delta
                        limit += m.limit_delta
                        revision += 1
                result[number] = AccountState(
                    account=self._accounts[number],
                    balance=balance,
                    limit=limit,
                    revision=revision,
                )
            return result

    def find_accounts(self, query: AccountQuery) -> list[AccountState]:
        """The accounts matching ``query``, sorted by number."""
        with self._lock:
            numbers = sorted(query.numbers or self._accounts)
            return [
                state
                for state in (self._state(n) for n in numbers if n in self._accounts)
                if query.matches(state)
            ]

    # -- bookings -----------------------------------------------------------------------

    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        """Store bookings in order: all of them, or none if one is refused.

        A booking equal to the one held under its id is a retry, and books nothing.
        """
        with self._lock:
            balances: dict[str, Decimal] = {}
            new: dict[str, Transaction] = {}
            for transaction in transactions:
                number = transaction.account
                if number not in self._accounts:
                    raise unknown_account(number)
                stored = transaction.id in self._by_id
                held = self._by_id[transaction.id] if stored else new.get(transaction.id)
                if held is not None:
                    if held != transaction:
                        raise duplicate_transaction(transaction, held, given_twice=not stored)
                    continue
                balance = balances.get(number, self._balances[number])
                state = attrs.evolve(self._state(number), balance=balance)
                check_booking(state, transaction, allow_over_limit)
                balances[number] = balance + transaction.amount
                new[transaction.id] = transaction
            for transaction in new.values():
                bisect.insort(
                    self._bookings[transaction.account],
                    (transaction.at, transaction.id, transaction),
                    key=_booking_key,
                )
            self._by_id.update(new)
            self._balances.update(balances)
            return len(new)

    def book(self, mutation: Mutation) -> None:
        """Store a manual correction or limit change."""
        with self._lock:
            if mutation.account not in self._accounts:
                raise unknown_account(mutation.account)
            check_mutation(self._state(mutation.account), mutation)
            self._apply(mutation)

    def set_limit(
        self,
        number: str,
        limit: Decimal,
        *,
        expected: Decimal | None,
        actor: str,
        at: dt.datetime,
        reason: str,
    ) -> Mutation:
        """Set the limit to ``limit`` under the lock, refusing a stale ``expected``."""
        with self._lock:
            account = self.get_account(number)
            mutation = limit_change(
                account,
                self._limits[number],
                limit,
                expected=expected,
                actor=actor,
                at=at,
                reason=reason,
            )
            check_mutation(self._state(number), mutation)
            self._apply(mutation)
            return mutation

    def _apply(self, mutation: Mutation) -> None:
        self._mutations.append(mutation)
        self._balances[mutation.account] += mutation.balance_delta
        self._limits[mutation.account] += mutation.limit_delta
        self._revisions[mutation.account] += 1

    def transactions(
        self,
        numbers: Iterable[str],
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        *,
        uninvoiced: bool | None = None,
    ) -> Iterator[Transaction]:
        """Bookings of ``numbers`` with ``start <= at < end``, by account, instant and id."""
        checked_instant(start, field="start")
        checked_instant(end, field="end")
        with self._lock:
            selected: list[Transaction] = []
            for number in sorted(set(numbers)):
                bookings = self._bookings.get(number, [])
                lo = 0 if start is None else bisect.bisect_left(bookings, start, key=_instant)
                hi = (
                    len(bookings)
                    if end is None
                    else bisect.bisect_left(bookings, end, key=_instant)
                )
                for _, tx_id, tx in bookings[lo:hi]:
                    if uninvoiced is None or (tx_id not in self._invoiced) is uninvoiced:
                        selected.append(tx)
        return iter(selected)

    def statement_totals(self, numbers: Sequence[str], period: Period) -> Iterator[AccountTotals]:
        """What each of ``numbers`` booked in ``period`` that no invoice holds, summed here."""
        with self._lock:
            accounts = {n: self._accounts[n] for n in numbers if n in self._accounts}
            # Read under the lock and in account order, as group_bookings needs them.
            found = self.transactions(accounts, period.start, period.end, uninvoiced=True)
        return group_bookings(found, accounts, period)

    def purchases(self, ids: Collection[str]) -> Iterator[Purchase]:
        """The purchases with ``ids``, account by account, by instant and id."""
        with self._lock:
            found = [self._by_id.get(tx_id) for tx_id in set(ids)]
        chosen = [tx for tx in found if isinstance(tx, Purchase)]
        chosen.sort(key=lambda tx: (tx.account, tx.at, tx.id))
        return iter(chosen)

    def uninvoiced_before(
        self, numbers: Iterable[str], before: dt.datetime
    ) -> dict[str, tuple[int, Decimal, dt.datetime]]:
        """Count, total and oldest instant of uninvoiced purchases before ``before``."""
        checked_instant(before, field="before")
        result: dict[str, tuple[int, Decimal, dt.datetime]] = {}
        with self._lock:
            for number in sorted(set(numbers)):
                bookings = self._bookings.get(number, [])
                hi = bisect.bisect_left(bookings, before, key=_instant)
                found = [
                    tx
                    for _, tx_id, tx in bookings[:hi]
                    if isinstance(tx, Purchase) and tx_id not in self._invoiced
                ]
                if found:
                    result[number] = (
                        len(found),
                        sum((p.total for p in found), _ZERO),
                        found[0].at,
                    )
        return result

    # -- runs ---------------------------------------------------------------------------

    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        """Write ``run`` atomically, or raise `RunConflict` and write nothing."""
        with self._lock:
            if run.key is not None and run.key in self._keys:
                return self.run(self._keys[run.key])
            ids: dict[str, frozenset[str]] = {}  # read once per invoice, for check and link
            for invoice in run.invoices:
                number = invoice.account.number
                if number not in self._accounts:
                    raise unknown_account(number)
                expected = revisions.get(number)
                if expected is not None and self._revisions[number] != expected:
                    raise changed_since_planned(
                        run, invoice.account, expected, self._revisions[number]
                    )
                ids[invoice.id] = invoice.transaction_ids()
                taken = sorted(t for t in ids[invoice.id] if t in self._invoiced)
                if taken:
                    raise invoiced_meanwhile(run, invoice.account, taken)
            run = run.with_balances(
                {
                    n: (self._balances[n], self._limits[n])
                    for n in {i.account.number for i in run.invoices}
                }
            )
            for invoice in run.invoices:
                for tx_id in ids[invoice.id]:
                    self._invoiced[tx_id] = invoice.id
                if invoice.mutation is not None:
                    self._apply(invoice.mutation)
            self._runs[run.id] = run
            if run.key is not None:
                self._keys[run.key] = run.id
            return run

    def undo_invoice(
        self,
        run_id: str,
        account: str,
        *,
        mutation: Mutation | None,
        at: dt.datetime,
        actor: str,
        reason: str,
    ) -> AccountInvoice:
        """Mark an account invoice undone, book ``mutation`` and free its purchases."""
        with self._lock:
            run = self.run(run_id)
            invoice = self.invoice(run_id, account)
            if invoice.state is InvoiceState.UNDONE:
                raise already_undone(
                    run_id,
                    invoice.account,
                    invoice.undone_at,
                    invoice.undone_by,
                    tz=run.period.tz,
                )
            undone = attrs.evolve(
                invoice,
                state=InvoiceState.UNDONE,
                undo_mutation=mutation,
                undone_at=at,
                undone_by=actor,
                undo_reason=reason,
            )
            for tx_id in invoice.transaction_ids():
                self._invoiced.pop(tx_id, None)
            if mutation is not None:
                self._apply(mutation)
            self._runs[run_id] = attrs.evolve(
                run, invoices=tuple(undone if i is invoice else i for i in run.invoices)
            )
            return undone

    def run(self, run_id: str) -> InvoiceRun:
        """The run with ``run_id``; `UnknownRun` if there is none."""
        try:
            return self._runs[run_id]
        except KeyError:
            raise unknown_run(run_id) from None

    def invoice(self, run_id: str, account: str) -> AccountInvoice:
        """One account invoice of run ``run_id``; `UnknownRun` if there is none."""
        with self._lock:
            return self.run(run_id).invoice_for(account)

    def runs(
        self,
        *,
        key: str | None = None,
        account: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> list[InvoiceRun]:
        """Runs matching every given filter, oldest first (see `Ledger.runs`)."""
        checked_instant(start, field="start")
        checked_instant(end, field="end")
        with self._lock:
            if key is not None:
                held = self._keys.get(key)
                candidates = [] if held is None else [self._runs[held]]
            else:
                candidates = sorted(self._runs.values(), key=lambda r: (r.created_at, r.id))
            found = []
            for run in candidates:
                if (start is not None and run.created_at < start) or (
                    end is not None and run.created_at >= end
                ):
                    continue
                if account is not None:
                    mine = tuple(i for i in run.invoices if i.account.number == account)
                    if not mine:
                        continue
                    run = attrs.evolve(run, invoices=mine)
                found.append(run)
            return found

    def mutations(
        self,
        *,
        account: str | None = None,
        run_id: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        kind: MutationKind | None = None,
    ) -> list[Mutation]:
        """Mutations matching every given filter, in the order they were booked."""
        checked_instant(start, field="start")
        checked_instant(end, field="end")
        with self._lock:
            return [
                m
                for m in self._mutations
                if (account is None or m.account == account)
                and (run_id is None or m.run_id == run_id)
                and (start is None or m.at >= start)
                and (end is None or m.at < end)
                and (kind is None or m.kind is kind)
            ]


def _instant(item: tuple[dt.datetime, str, Transaction]) -> dt.datetime:
    return item[0]


def _booking_key(item: tuple[dt.datetime, str, Transaction]) -> tuple[dt.datetime, str]:
    return item[0], item[1]

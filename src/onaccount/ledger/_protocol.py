"""The Ledger protocol: the port between onaccount's core and a host's storage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from onaccount._account import Account, AccountKind
from onaccount._errors import (
    CurrencyMismatch,
    LimitConflict,
    LimitExceeded,
    NothingToChange,
)
from onaccount._invoices import AccountInvoice, InvoiceRun
from onaccount._money import check_minor_units, check_stored_amount, minor_unit, pad_amount
from onaccount._period import Period
from onaccount._query import AccountQuery, AccountState
from onaccount._statement import AccountTotals
from onaccount._transaction import Mutation, MutationKind, Purchase, Transaction

__all__ = ["Ledger", "LedgerConveniences", "check_booking", "check_mutation", "limit_change"]


@runtime_checkable
class Ledger(Protocol):
    """Storage for accounts, bookings, runs and mutations.

    Implementations keep the balance identity (balance = Σ transaction amounts +
    Σ balance deltas of mutations; limit = the account's opening limit + Σ limit deltas)
    and never invoice a purchase twice. The contract suite in `onaccount.testing` proves
    an implementation behaves like the reference ones. None of these methods checks
    permissions: the functions of `onaccount` do that before they call the ledger.
    `record_many` takes no actor on purpose: tills are trusted host code, and the host
    decides who may ring up a sale before it calls them. A booking's id is its
    idempotency key: sending a stored booking again books nothing, so a till may retry.

    Each method is one capability the core needs. Conveniences on top of them (one
    account, one booking, a run by its key) are `LedgerConveniences`, which the
    reference ledgers inherit and a host's ledger may too.
    """

    def open_accounts(self, accounts: Iterable[Account]) -> None:
        """Store new accounts: all of them, or none if one is refused.

        `DuplicateAccount` (`duplicate_account`) if a number is taken or repeated.
        """
        ...

    def update_account(self, account: Account) -> None:
        """Replace an account's name, group, tags and billing details.

        Kind, currency and limit cannot change here: the limit changes through a
        limit-change mutation, so the history stays complete.
        """
        ...

    def get_account(self, number: str) -> Account:
        """The account with ``number``; `UnknownAccount` if there is none."""
        ...

    def states(
        self, numbers: Iterable[str], at: dt.datetime | None = None
    ) -> dict[str, AccountState]:
        """Balance, limit and revision of each known account, at ``at`` or now.

        At ``at``: the bookings and mutations before that instant, not at it, and as
        revision the number of the account's mutations before it. Unknown numbers are
        left out rather than raising, so callers can report them.
        """
        ...

    def find_accounts(self, query: AccountQuery) -> list[AccountState]:
        """The accounts matching ``query``, sorted by number."""
        ...

    def record_many(
        self, transactions: Iterable[Transaction], *, allow_over_limit: bool = False
    ) -> int:
        """Store bookings, in order: all of them, or none if one is refused.

        Raises `UnknownAccount`, `DuplicateTransaction`, `CurrencyMismatch`, or
        `LimitExceeded` when a purchase would take the spending room below zero and
        ``allow_over_limit`` is false (`check_booking` decides).

        Each is checked as `record` checks it, against the balance the earlier ones
        leave. Returns how many were stored.

        A booking equal (``==``) to the one the ledger holds under its id, or to one
        earlier in the batch, is a retry (a till that timed out sends its sale again):
        it books nothing and is not checked again (its limit was checked when it was
        first recorded, and a run may have invoiced it since), and it is not counted in
        the result. Another booking under a held id is refused with
        `DuplicateTransaction` (`duplicate_transaction`, given the held booking, says
        how the two differ). Concurrent writers sending one booking at once end with
        it stored once and none refused.
        """
        ...

    def book(self, mutation: Mutation) -> None:
        """Store a manual correction (a delta, added to whatever the balance is)."""
        ...

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
        """Set the account's limit to ``limit``: a compare-and-set in one write transaction.

        With the account locked against other writers, read its limit and let
        `limit_change` refuse or build the mutation (``expected`` given and not the
        limit: `LimitConflict`; the limit already: `NothingToChange`), store it and return
        it. The limit afterwards is ``limit``, whatever other writers did.
        `UnknownAccount` if there is no such account.
        """
        ...

    def transactions(
        self,
        numbers: Iterable[str],
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        *,
        uninvoiced: bool | None = None,
    ) -> Iterator[Transaction]:
        """Bookings of ``numbers`` with ``start <= at < end``, by account, instant and id.

        Account by account, in number order: planning finishes an account's statement
        when the next account's bookings begin, and `group_bookings` refuses a stream that
        breaks this rule with `LedgerError`.
        ``uninvoiced=True`` keeps only bookings no active account invoice holds,
        ``False`` only those one does.
        """
        ...

    def statement_totals(self, numbers: Sequence[str], period: Period) -> Iterable[AccountTotals]:
        """What each of ``numbers`` booked inside ``period`` that no active invoice holds.

        At most one `AccountTotals` per account asked for; accounts with no such bookings
        may be left out. Purchases count on the business day of their instant (the
        period's day bounds) with line amounts rounded as `line_amount` rounds them;
        credit bookings inside the period and bookings in a currency other than the
        account's are listed, not summed. Where the bookings are stored is where this
        is best summed (the SQL ledger groups in the database); a ledger that reads its
        bookings back can return `group_bookings` over its `transactions`.
        """
        ...

    def purchases(self, ids: Collection[str]) -> Iterator[Purchase]:
        """The purchases with ``ids``, account by account, by instant and id.

        What exports read back: a statement holds its purchases' ids, and
        `purchases_in_batches` asks for a few hundred statements' ids at once. Ids of no
        purchase are left out. Read them however the storage reads a batch best (the
        SQL ledger uses a few queries per call, not one per id).
        """
        ...

    def uninvoiced_before(
        self, numbers: Iterable[str], before: dt.datetime
    ) -> dict[str, tuple[int, Decimal, dt.datetime]]:
        """Purchases before ``before`` that no active account invoice holds, per account.

        For each account that has any: how many, their total (what they would invoice)
        and the instant of the oldest. Accounts without any are left out.
        """
        ...

    def commit_run(self, run: InvoiceRun, revisions: Mapping[str, int]) -> InvoiceRun:
        """Write ``run`` atomically and return it as stored.

        Raises `RunConflict` and writes nothing if any of its purchases is invoiced by an
        active account invoice or an account's revision differs from ``revisions``. If a
        run is stored under the run's key already (also one a concurrent commit stored
        first), that run is returned instead of writing anything; `onaccount.commit_run`
        then decides whether it answers the plan. The run's ``fingerprint``,
        ``currency`` and ``selected`` are stored with it, and each invoice's balance and
        limit before as found with the accounts locked (`InvoiceRun.with_balances`):
        tills go on recording while a run is built.
        """
        ...

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
        """Mark an account invoice undone, book ``mutation`` and free its purchases.

        Raises `UnknownRun`, or `AlreadyUndone` if it is undone already.
        """
        ...

    def run(self, run_id: str) -> InvoiceRun:
        """The run with ``run_id``, its account invoices in their current state."""
        ...

    def invoice(self, run_id: str, account: str) -> AccountInvoice:
        """One account invoice of a run, read on its own, in its current state.

        `UnknownRun` (`unknown_run` or `no_invoice_for`) if there is no such invoice.
        Undo reads this, so undoing one invoice costs the same in a run of any size.
        """
        ...

    def runs(
        self,
        *,
        key: str | None = None,
        account: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> list[InvoiceRun]:
        """Runs matching every given filter, oldest first; without filters, every run.

        ``key`` finds the run committed under that idempotency key (at most one);
        ``start`` and ``end`` bound when a run was committed. With ``account`` given,
        only runs that invoiced the account, each holding that account's invoice alone,
        so a report for one account does not read whole runs.
        """
        ...

    def mutations(
        self,
        *,
        account: str | None = None,
        run_id: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        kind: MutationKind | None = None,
    ) -> list[Mutation]:
        """Mutations matching every given filter, in the order they were booked.

        ``start`` is included and ``end`` left out, as for `transactions`.
        """
        ...


class LedgerConveniences:
    """One-at-a-time forms of the batch methods of `Ledger`, for ledgers to inherit.

    Written once on top of the port, so every ledger that inherits them behaves alike.
    """

    def open_account(self: Ledger, account: Account) -> None:
        """Store one new account; `DuplicateAccount` if the number is taken."""
        self.open_accounts([account])

    def record(self: Ledger, transaction: Transaction, *, allow_over_limit: bool = False) -> None:
        """Store one booking, refused as `Ledger.record_many` refuses it.

        A retry, the booking stored under its id already, books nothing and returns as
        the first call did; `Ledger.record_many` says whether it stored the booking.
        """
        self.record_many([transaction], allow_over_limit=allow_over_limit)

    def run_by_key(self: Ledger, key: str) -> InvoiceRun | None:
        """The run committed under idempotency ``key``, if any."""
        found = self.runs(key=key)
        return found[0] if found else None


def check_booking(state: AccountState, transaction: Transaction, allow_over_limit: bool) -> None:
    """Refuse a booking in the wrong currency or one that overdraws the spending room.

    Shared by the ledgers so every adapter refuses the same bookings with the same words.
    """
    account = state.account
    if transaction.currency != account.currency:
        raise CurrencyMismatch(
            f"transaction {transaction.id} is in {transaction.currency} but account "
            f"{account.label} is kept in {account.currency}; book it in {account.currency}",
            value=transaction.currency,
            obj=transaction,
            field="currency",
        )
    check_stored_amount(
        state.balance + transaction.amount,
        account.currency,
        field=f"booking {transaction.id} would bring account {account.label} to balance",
        obj=transaction,
        name="amount",
    )
    if allow_over_limit or not isinstance(transaction, Purchase) or transaction.amount >= 0:
        return
    room = state.spending_room
    if room + transaction.amount < Decimal(0):
        # A credit account keeps limit 0: only a top-up makes room on it.
        what, remedy = (
            ("credit account has a balance of", "top it up")
            if account.kind is AccountKind.CREDIT
            else ("spending room left is", "top up or raise the limit")
        )
        raise LimitExceeded(
            f"purchase {transaction.id} of {pad_amount(transaction.total, account.currency)} "
            f"{account.currency} on account {account.label} exceeds what it may spend: the "
            f"{what} {pad_amount(room, account.currency)}; {remedy}, or "
            "record it with allow_over_limit=True",
            value=transaction.total,
            obj=transaction,
            field="amount",
        )


def limit_change(
    account: Account,
    current: Decimal,
    limit: Decimal,
    *,
    expected: Decimal | None,
    actor: str,
    at: dt.datetime,
    reason: str,
) -> Mutation:
    """The limit-change mutation taking ``account`` from ``current`` to ``limit``.

    For `Ledger.set_limit`, called with the account locked: refuses with `LimitConflict`
    when ``expected`` is given and is not ``current`` (the caller decided on a limit
    someone has changed since), and with `NothingToChange` when the limit is ``limit``
    already.
    """
    quantum = minor_unit(account.currency)
    if expected is not None and expected != current:
        raise LimitConflict(
            f"account {account.label} has limit {current.quantize(quantum)}, not "
            f"{expected.quantize(quantum)} as the change to {limit.quantize(quantum)} "
            "assumed: it was changed since it was read, or the expected limit is mistyped; "
            "look at the account again and decide on the new limit",
            value=current,
            obj=account,
            field="limit",
        )
    if limit == current:
        raise NothingToChange(
            f"account {account.label} has limit {current.quantize(quantum)} already; "
            "nothing to change",
            value=limit,
            obj=account,
            field="new_limit",
        )
    return Mutation(
        account=account.number,
        kind=MutationKind.LIMIT_CHANGE,
        limit_delta=limit - current,
        actor=actor,
        at=at,
        reason=reason,
    )


def check_mutation(state: AccountState, mutation: Mutation) -> None:
    """Refuse a mutation no ledger can store: fractions of the minor unit, or past the range.

    Shared by the ledgers so every adapter refuses the same mutations with the same words.
    """
    currency = state.account.currency
    for what, name, delta, now in (
        ("balance", "balance_delta", mutation.balance_delta, state.balance),
        ("limit", "limit_delta", mutation.limit_delta, state.limit),
    ):
        said = f"mutation {mutation.id} {what} delta"
        check_stored_amount(delta, currency, field=said, obj=mutation, name=name)
        check_minor_units(delta, currency, field=said, obj=mutation, name=name)
        check_stored_amount(
            now + delta,
            currency,
            field=f"mutation {mutation.id} would bring account {state.account.label} to {what}",
            obj=mutation,
            name=name,
        )

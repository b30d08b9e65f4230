"""Bringing accounts and bookings kept elsewhere into a ledger: all or nothing.

A host reads them from its files (the command line reads CSV and XLSX) and hands them
over whole. Every conflict with what the ledger holds is named by the item's position,
so a host can point at the row it came from; what the ledger holds already, unchanged,
is left alone, so importing the same data twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import attrs
from attrs import AttrsInstance

from ._account import Account
from ._errors import (
    DuplicateAccount,
    DuplicateTransaction,
    ImportRefused,
    InvalidValue,
    OnAccountError,
    UnknownAccount,
)
from ._iban import no_iban
from ._invoices import OverLimitWarning
from ._permissions import Actor, Capability
from ._query import AccountState
from ._transaction import Mutation, MutationKind, Transaction
from ._words import either_way
from .ledger import check_booking, duplicate_transaction
from .ledger._refusals import check_kind_and_currency, limit_change_refused

if TYPE_CHECKING:
    from .ledger import Ledger

__all__ = ["Imported", "import_accounts", "import_transactions", "require_import"]

#: What `require_import` may be asked about, as the actions are worded.
_WHAT = ("accounts", "transactions")


@attrs.frozen
class Imported:
    """What an import did: the items it added, those the ledger held already, and updated."""

    added: int
    present: int
    #: Accounts whose details an update import replaced.
    updated: int = 0
    #: Accounts the imported bookings took below their limit (or a credit account below
    #: zero), the till having let them through; not part of equality.
    over_limit: tuple[OverLimitWarning, ...] = attrs.field(default=(), eq=False)


def require_import(actor: Actor, what: Literal["accounts", "transactions"]) -> None:
    """Check that ``actor`` may import ``what``: it needs the manage-accounts capability.

    `import_accounts` and `import_transactions` check this first; a host calls it to
    refuse before it reads a file or opens its database. Raises `PermissionDenied`
    naming the actor and the capability.
    """
    if what not in _WHAT:
        raise InvalidValue(
            f"import of {what!r} is not one onaccount knows; ask about 'accounts' or "
            "'transactions'",
            value=what,
            field="what",
        )
    actor.require(Capability.MANAGE_ACCOUNTS, f"import {what}")


def _refused(
    what: str, total: int, refusals: Sequence[tuple[int, OnAccountError]]
) -> ImportRefused:
    """The error naming every refused item, the first of them in its message."""
    first = refusals[0][1].message
    more = f" (and {len(refusals) - 1:,} more)" if len(refusals) > 1 else ""
    return ImportRefused(
        f"{len(refusals):,} of {total:,} {what} cannot be imported, nothing was: {first}{more}",
        value=tuple(refusals),
        field=what,
    )


def import_accounts(
    ledger: Ledger,
    accounts: Iterable[Account],
    *,
    actor: Actor,
    update: bool = False,
    dry_run: bool = False,
    keep_limits: Collection[str] = (),
) -> Imported:
    """Open every account in ``accounts`` the ledger does not hold, or none.

    An account the ledger holds already exactly as given is left alone. A number the
    ledger holds as another account is refused: `ImportRefused` lists each such account
    by its position in ``accounts`` with a `DuplicateAccount` saying what to do, and
    nothing is opened. With ``update``, such an account's name, group, tags and billing
    details are replaced instead; a different kind, currency or limit is still refused
    (a limit changes through `change_limit`, as a mutation). Limits are compared with
    the account's current limit, the one a list of accounts shows, not the one it was
    opened with; the accounts numbered in ``keep_limits`` (a file's rows that leave the
    limit empty) keep theirs as it stands, even below zero, whatever limit they give.
    Every row is checked before anything is written; the new accounts are
    then opened together, and the updated ones written one by one, each in its own
    transaction. With ``dry_run``, every row is checked the same way and nothing is
    written: the result says what the import would do. Needs the manage-accounts
    capability.
    """
    require_import(actor, "accounts")
    batch = list(accounts)
    states = ledger.states([a.number for a in batch])
    kept = frozenset(keep_limits)
    refusals: list[tuple[int, OnAccountError]] = []
    new: list[Account] = []
    changed: dict[str, Account] = {}
    opening: dict[str, Account] = {}
    for index, account in enumerate(batch):
        state = states.get(account.number)
        held = state.account.billing if state is not None else None
        bad_iban = _iban_refusal(account, held.iban if held is not None else None)
        if bad_iban is not None:
            refusals.append((index, bad_iban))
            continue
        if state is None:
            if account.number in opening:
                refusals.append((index, _given_twice(account, opening[account.number])))
            opening.setdefault(account.number, account)
            new.append(account)
            continue
        # The record keeps the opening limit; a file gives the limit as it stands now,
        # which a run may have taken below zero, where no Account can hold it.
        record = state.account
        limit = state.limit
        if account.number in kept:
            limit = record.limit
            account = attrs.evolve(account, limit=limit)
        same_details = all(
            getattr(account, f.name) == getattr(record, f.name)
            for f in attrs.fields(Account)
            if f.name != "limit"
        )
        if same_details and account.limit == limit:
            continue
        if update or same_details:
            try:
                check_kind_and_currency(record, account)
            except InvalidValue as error:
                refusals.append((index, error))
                continue
            if account.limit != limit:
                refusals.append((index, _limit_refusal(ledger, state, account, update)))
                continue
            if changed.setdefault(account.number, account) != account:
                refusals.append((index, _given_twice(account, changed[account.number])))
        else:
            refusals.append(
                (
                    index,
                    DuplicateAccount(
                        f"account {account.number!r} exists already as "
                        f"{state.account.name!r}, with other details "
                        f"({', '.join(_differing(record, account))}); pick another number, "
                        f"or import with {either_way('update=True', '--update')} to update "
                        "its details"
                        # Said now, not after the user has added --update.
                        + (
                            f"; and {_limit_refusal(ledger, state, account, True).message}"
                            if account.limit != limit
                            else ""
                        ),
                        value=account.number,
                        obj=account,
                        field="number",
                    ),
                )
            )
    if refusals:
        raise _refused("accounts", len(batch), refusals)
    updated = sum(1 for a in batch if a.number in changed)
    done = Imported(len(new), len(batch) - len(new) - updated, len(changed))
    if dry_run:
        return done
    try:
        ledger.open_accounts(new)
    except DuplicateAccount as error:
        # Opened by someone else since the check: the ledger names it.
        index = max(i for i, a in enumerate(batch) if a.number == error.value)
        raise _refused("accounts", len(batch), [(index, error)]) from None
    for account in changed.values():
        ledger.update_account(attrs.evolve(account, limit=states[account.number].account.limit))
    return done


def _limit_refusal(
    ledger: Ledger, state: AccountState, account: Account, update: bool
) -> InvalidValue:
    """The refusal of a limit other than the one ``state`` stands at, saying who set that.

    A limit changes as a mutation, never by an import. A members' file typed before a
    limit-minus-invoiced run still gives the limit the run lowered: that is said, so the
    treasurer does not take the lower limit for a mistake of the ledger.
    """
    return limit_change_refused(
        state.account,
        account,
        state.limit,
        by="an update" if update else "an import",
        # An import can keep the limit without the number retyped, in the file's own
        # spelling of amounts (75,50 in a Dutch file, where 75.50 is refused).
        keep=f"keep it as it stands with {either_way('keep_limits', 'an empty limit')}",
        cause=_lowered_by_runs(ledger.mutations(account=account.number)),
    )


def _lowered_by_runs(mutations: Sequence[Mutation]) -> str:
    """``: the invoice run over … lowered it by 60.00, what it invoiced``, or nothing.

    Only the runs whose correction still stands: an undo booked the reverse.
    """
    undone = {m.run_id for m in mutations if m.kind is MutationKind.UNDO}
    lowered = [
        m
        for m in mutations
        if m.kind is MutationKind.RUN_CORRECTION and m.limit_delta < 0 and m.run_id not in undone
    ]
    if not lowered:
        return ""
    by = -sum(m.limit_delta for m in lowered)
    if len(lowered) == 1:
        return f": the {lowered[0].reason} lowered it by {by}, what it invoiced"
    return (
        f": {len(lowered)} invoice runs lowered it by {by}, what they invoiced (the last: "
        f"the {lowered[-1].reason})"
    )


def _iban_refusal(account: Account, held: str | None) -> InvalidValue | None:
    """The refusal of ``account``'s IBAN when it is no IBAN and not the one ``held`` already.

    One the ledger holds from before this check was made is left to the SEPA export, so
    a file that changes nothing of it still imports.
    """
    iban = account.billing.iban if account.billing is not None else None
    if iban is None or iban == held or (refused := no_iban(iban)) is None:
        return None
    return InvalidValue(
        f"account {account.label} billing.iban {refused}",
        value=iban,
        obj=account,
        field="billing.iban",
    )


def _differing(old: AttrsInstance, new: AttrsInstance, prefix: str = "") -> list[str]:
    """The fields of two accounts (or their details) that differ, billing's by dotted name."""
    names = []
    for field in attrs.fields(type(old)):
        if field.name == "limit":
            continue  # compared with the limit as it stands, apart
        before, after = getattr(old, field.name), getattr(new, field.name)
        if before == after:
            continue
        inner = f"{prefix}{field.name}."
        if attrs.has(type(before)) and type(before) is type(after):
            names.extend(_differing(before, after, inner))
        elif attrs.has(type(given := before if after is None else after)):
            # Details given where there were none, or taken away: those it holds.
            names.extend(
                f"{inner}{f.name}" for f in attrs.fields(type(given)) if getattr(given, f.name)
            )
        else:
            names.append(f"{prefix}{field.name}")
    return names


def _given_twice(account: Account, first: Account) -> DuplicateAccount:
    """The refusal of an account's second row: which of the two should win is unknown."""
    how = ", with different details" if account != first else ""
    return DuplicateAccount(
        f"account {account.number!r} is given twice{how}; keep one row of it",
        value=account.number,
        obj=account,
        field="number",
    )


def import_transactions(
    ledger: Ledger,
    transactions: Iterable[Transaction],
    *,
    actor: Actor,
    dry_run: bool = False,
) -> Imported:
    """Record every booking in ``transactions`` the ledger does not hold, or none.

    A booking the ledger holds already, equal to the one given, is left alone. Bookings
    on accounts the ledger does not know (`UnknownAccount`), in a currency other than
    their account's (`CurrencyMismatch`), with an id the ledger holds for another
    booking or given twice among the new ones (`DuplicateTransaction`) are refused:
    `ImportRefused` lists each by its position in ``transactions``, and nothing is
    recorded. Imported bookings happened at the till already, so their limits were its
    concern: none is refused for one. With ``dry_run``, the bookings are checked the
    same way and none is recorded; only an id the ledger holds for a booking on another
    account or day is found by recording alone. A booking a till records while the
    import runs counts as held already. Needs the manage-accounts capability.
    """
    require_import(actor, "transactions")
    batch = list(transactions)
    if not batch:
        return Imported(0, 0)
    states = ledger.states(sorted({tx.account for tx in batch}))
    before = dict(states)
    start = min(tx.at for tx in batch)
    end = max(tx.at for tx in batch) + dt.timedelta(microseconds=1)
    stored = {t.id: t for t in ledger.transactions(states, start, end)}
    refusals: list[tuple[int, OnAccountError]] = []
    new: dict[str, Transaction] = {}
    index_of: dict[str, int] = {}
    for index, tx in enumerate(batch):
        state = states.get(tx.account)
        if state is None:
            refusals.append(
                (
                    index,
                    UnknownAccount(
                        f"account {tx.account!r} does not exist; open it first (import "
                        "accounts) or correct the number",
                        value=tx.account,
                        obj=tx,
                        field="account",
                    ),
                )
            )
        elif tx.id in stored:
            if stored[tx.id] != tx:
                refusals.append((index, duplicate_transaction(tx, stored[tx.id])))
        elif tx.id in new:
            refusals.append((index, _booked_twice(tx, new[tx.id])))
        else:
            try:
                check_booking(state, tx, allow_over_limit=True)
            except OnAccountError as error:
                refusals.append((index, error))
                continue
            # Each booking is checked against the balance the earlier ones leave.
            states[tx.account] = attrs.evolve(state, balance=state.balance + tx.amount)
            new[tx.id] = tx
            index_of[tx.id] = index
    if refusals:
        raise _refused("transactions", len(batch), refusals)
    when = "if imported" if dry_run else "after the import"
    over = tuple(
        OverLimitWarning.of(after, when)
        for number, after in sorted(states.items())
        if after.spending_room < 0 and after.spending_room < before[number].spending_room
    )
    if dry_run:
        return Imported(len(new), len(batch) - len(new), over_limit=over)
    try:
        added = ledger.record_many(new.values(), allow_over_limit=True)
    except DuplicateTransaction as error:
        # The id belongs to a booking elsewhere in the ledger (another account or time).
        index = index_of[str(error.value)]
        raise _refused("transactions", len(batch), [(index, error)]) from None
    return Imported(added, len(batch) - added, over_limit=over)


def _booked_twice(booking: Transaction, first: Transaction) -> DuplicateTransaction:
    """The refusal of a new booking's second row, or of a second booking under its id."""
    if booking != first:
        return duplicate_transaction(booking, first, given_twice=True)
    return DuplicateTransaction(
        f"transaction {booking.id!r} is given twice; keep one row of it",
        value=booking.id,
        obj=booking,
        field="id",
    )

"""The refusals every ledger gives, worded once.

Each ledger, the reference ones and a host's own, raises the same error with the same
words for the same refusal: a caller (or the command line) then tells the user one thing,
whichever storage is behind it. `onaccount.ledger` exports these for third-party ledgers.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import overload

from onaccount._account import Account
from onaccount._errors import (
    AlreadyUndone,
    DuplicateAccount,
    DuplicateTransaction,
    InvalidValue,
    RunConflict,
    UnknownAccount,
    UnknownRun,
)
from onaccount._invoices import InvoiceRun, no_invoice_for
from onaccount._period import require_aware, wall_clock
from onaccount._transaction import CreditBooking, Purchase, Transaction
from onaccount._words import either_way, in_number, named

__all__ = [
    "already_undone",
    "changed_since_planned",
    "check_account_update",
    "checked_instant",
    "duplicate_account",
    "duplicate_transaction",
    "invoiced_meanwhile",
    "no_invoice_for",
    "unknown_account",
    "unknown_run",
]


def unknown_account(number: str, *more: str) -> UnknownAccount:
    """The error for an account number the ledger does not hold, or for several at once."""
    if not more:
        return UnknownAccount(
            f"account {number!r} does not exist; check the number or open the account first",
            value=number,
            field="account",
        )
    numbers = (number, *more)
    return UnknownAccount(
        f"{named('account', map(repr, numbers))} do not exist; check the numbers or open "
        "the accounts first",
        value=numbers,
        field="account",
    )


@overload
def checked_instant(value: dt.datetime, *, field: str) -> dt.datetime: ...
@overload
def checked_instant(value: None, *, field: str) -> None: ...
def checked_instant(value: dt.datetime | None, *, field: str) -> dt.datetime | None:
    """``value``, a bound a read was given, if it is None or timezone-aware.

    A naive one is refused with `NaiveDatetime` naming ``field``: compared with stored
    instants it would fail, or worse, be taken for another zone's wall clock.
    """
    return None if value is None else require_aware(value, field=field)


def _differences(stored: Transaction, given: Transaction) -> list[str]:
    """How ``stored`` differs from ``given``, a booking under the same id, in a few words.

    Empty when they are the same booking, as far as a ledger keeps one: then recording
    ``given`` is a retry of ``stored``, and books nothing. Every field of a booking but
    its id is compared (a purchase's total follows from its lines and currency).
    """
    kind = _kind_of(stored)
    # Every kind is a word taking "a": a purchase, a top-up, a payment, a refund.
    differences = [] if kind == _kind_of(given) else [f"a {kind}"]
    for words, mine, theirs in (
        ("another account", stored.account, given.account),
        ("another instant", stored.at, given.at),
        ("another currency", stored.currency, given.currency),
    ):
        if mine != theirs:
            differences.append(words)
    if isinstance(stored, Purchase) and isinstance(given, Purchase):
        if stored.lines != given.lines:
            differences.append("other lines")
        if stored.note != given.note:
            differences.append("another note")
    elif isinstance(stored, CreditBooking) and isinstance(given, CreditBooking):
        if stored.credit != given.credit:
            differences.append("another amount")
        if stored.reason != given.reason:
            differences.append("another reason")
    return differences


def _kind_of(booking: Transaction) -> str:
    return booking.kind.value if isinstance(booking, CreditBooking) else "purchase"


def duplicate_transaction(
    transaction: Transaction, stored: Transaction, *, given_twice: bool = False
) -> DuplicateTransaction:
    """The error for a booking whose id the ledger holds for another booking, ``stored``.

    Raise it only when ``transaction != stored``: a booking equal to the one stored
    under its id is a retry, which a ledger answers by booking nothing. The message
    says how the two differ (other lines, another instant, …). With ``given_twice``,
    ``stored`` is no stored booking but one given earlier in the same batch.
    """
    if given_twice:
        where = "is given twice, for different bookings"
    else:
        where = "is recorded already for another booking"
    # Unequal in what no field above shows, such as a host's subclass of Purchase.
    how = ", ".join(_differences(stored, transaction)) or "other details"
    return DuplicateTransaction(
        f"transaction {transaction.id!r} {where} ({how}); give every booking its own id",
        value=transaction.id,
        obj=transaction,
        field="id",
    )


def duplicate_account(account: Account, existing_name: str | None) -> DuplicateAccount:
    """The error for an account number the ledger holds already."""
    held = f" as {existing_name!r}" if existing_name else ""
    return DuplicateAccount(
        f"account {account.number!r} exists already{held}; pick another number or "
        "update the existing account",
        value=account.number,
        obj=account,
        field="number",
    )


def _shown(value: object) -> str:
    """A field's value as a refusal shows it: ``limit``, ``50.00``, ``EUR``."""
    return str(value.value if isinstance(value, enum.Enum) else value)


def check_account_update(old: Account, new: Account) -> None:
    """Refuse changes `Ledger.update_account` does not make (kind, currency, limit)."""
    check_kind_and_currency(old, new)
    if old.limit != new.limit:
        raise limit_change_refused(old, new, old.limit)


def check_kind_and_currency(old: Account, new: Account) -> None:
    """Refuse another kind or currency for an account: those are a new account's."""
    for field in ("kind", "currency"):
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            raise InvalidValue(
                f"account {old.label} cannot change its {field} from {_shown(before)} to "
                f"{_shown(after)} by an update; open a new account",
                value=after,
                obj=new,
                field=field,
            )


def limit_change_refused(
    old: Account,
    new: Account,
    current: Decimal,
    *,
    by: str = "an update",
    keep: str | None = None,
    cause: str = "",
) -> InvalidValue:
    """The refusal of ``new``'s limit where ``old``'s stands at ``current``.

    A limit changes as a mutation, never by ``by`` (an update or an import). ``keep``
    says how to keep it (by default: the limit to leave in place); ``cause``, beginning
    with ``": "``, what set the limit it stands at.
    """
    # Compared as values (a limit of 50 is 50.00), shown as the user writes them.
    shown = _shown(current)
    return InvalidValue(
        f"account {old.label} cannot change its limit from {shown} to {_shown(new.limit)} "
        f"by {by}{cause}; {keep or f'keep {shown} here'} and change it with "
        f"{either_way('onaccount.change_limit', 'onaccount set-limit')}, so that the change "
        "is booked as a mutation",
        value=new.limit,
        obj=new,
        field="limit",
    )


def changed_since_planned(
    run: InvoiceRun, account: Account, expected: int, now: int
) -> RunConflict:
    """The conflict when an account's revision moved between planning and commit."""
    return RunConflict(
        f"account {account.label} changed since the run was planned (revision {expected}, "
        f"now {now}); plan the run again",
        value=account.number,
        obj=run,
        field="account",
    )


def invoiced_meanwhile(run: InvoiceRun, account: Account, taken: Iterable[str]) -> RunConflict:
    """The conflict when planned purchases were invoiced by another run meanwhile."""
    ids = sorted(taken)
    return RunConflict(
        f"{named('purchase', ids)} of account {account.label} "
        f"{in_number(len(ids), 'was', 'were')} invoiced by another run "
        "since this one was planned; plan the run again",
        value=ids,
        obj=run,
        field="transactions",
    )


def unknown_run(run_id: str) -> UnknownRun:
    """The error for a run id the ledger does not hold."""
    return UnknownRun(
        f"invoice run {run_id!r} does not exist; list the runs with "
        f"{either_way('Ledger.runs()', 'onaccount runs')} to find its id or its key",
        value=run_id,
        field="run_id",
    )


def already_undone(
    run_id: str,
    account: Account,
    at: dt.datetime | None,
    by: str | None,
    *,
    tz: str | None = None,
) -> AlreadyUndone:
    """The error for undoing an account invoice that was undone before.

    ``tz`` is the run's time zone (``run.period.tz``): the time is given as its clocks
    showed it. Without it, in UTC.
    """
    if at is None:
        when = ""
    elif tz is None:
        when = f" on {at.isoformat(timespec='seconds')}"
    else:
        when = f" on {wall_clock(at, tz)}"
    who = "" if by is None else f" by {by}"
    return AlreadyUndone(
        f"the invoice of account {account.label} in run {run_id} was undone already{when}{who}; "
        "there is nothing left to undo",
        value=(run_id, account.number),
        field="state",
    )

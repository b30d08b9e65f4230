"""The exceptions onaccount raises, all under one root.

::

    OnAccountError
    ├── InvalidValue (ValueError)            a value that can never be right
    │   ├── InvalidAmount                    NaN, infinity, a malformed number
    │   ├── NaiveDatetime                    an instant without a time zone
    │   ├── NotAnInstant (TypeError)         text, a date or a number where an instant is needed
    │   ├── UnknownCurrency                  not an ISO 4217 code
    │   ├── UnknownTimeZone                  not an IANA time zone
    │   ├── InvalidPeriod                    last date before first, bad business-day start
    │   │   └── PeriodParseError             a period string that cannot be read
    │   ├── UnknownVatCategory               not one of S, Z, E, AE, K, G, O
    │   ├── MissingExemptionReason           an exempt VAT category without its reason
    │   └── UnknownStrategy                  a reset strategy name nobody registered
    ├── FloatNotAllowed (TypeError)          a float where money must be Decimal
    ├── PermissionDenied                     the actor lacks a capability
    └── LedgerError                          the ledger refuses an operation
        ├── UnknownAccount (LookupError)
        ├── UnknownRun (LookupError)
        ├── DuplicateAccount
        ├── DuplicateTransaction
        ├── CurrencyMismatch
        ├── LimitExceeded                    a purchase would overdraw the spending room
        ├── NotInvoiceable                   e.g. a credit account
        │   └── EmptyRun                     a plan that invoices no account
        ├── RunConflict                      the ledger changed between plan and commit
        │   └── KeyInUse                     an idempotency key another plan used
        ├── LimitConflict                    the limit changed since the caller read it
        ├── NothingToChange                  the change asked for is what the ledger holds
        ├── AlreadyUndone
        ├── ImportRefused                    accounts or bookings to import conflict with it
        ├── SchemaError                      the database's schema is missing or too new
        ├── StorageError                     the database refused a value the checks let by
        └── LedgerBusy                       another writer kept the database locked too long

Every exception carries the offending value in ``value`` and, where there is one, the
object it belongs to in ``obj`` and the field's name in ``field``, so hosts can show their
own message or point at the right input. ``field`` is the attribute or parameter as the
code spells it (``unit_price``, ``at``, ``new_limit``, ``billing.iban``), never the
message's words for it (``unit price``).
"""

from __future__ import annotations

import pickle
from typing import Any

__all__ = [
    "AlreadyUndone",
    "CurrencyMismatch",
    "DuplicateAccount",
    "DuplicateTransaction",
    "EmptyRun",
    "FloatNotAllowed",
    "ImportRefused",
    "InvalidAmount",
    "InvalidPeriod",
    "InvalidValue",
    "KeyInUse",
    "LedgerBusy",
    "LedgerError",
    "LimitConflict",
    "LimitExceeded",
    "MissingExemptionReason",
    "NaiveDatetime",
    "NotAnInstant",
    "NotInvoiceable",
    "NothingToChange",
    "OnAccountError",
    "PeriodParseError",
    "PermissionDenied",
    "RunConflict",
    "SchemaError",
    "StorageError",
    "UnknownAccount",
    "UnknownCurrency",
    "UnknownRun",
    "UnknownStrategy",
    "UnknownTimeZone",
    "UnknownVatCategory",
]


class OnAccountError(Exception):
    """Root of every exception onaccount raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        value: Any = None,
        obj: Any = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.obj = obj
        self.field = field

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are lost by Exception's default pickling; worker
        # processes hand these errors back to their parent.
        return (
            _rebuild,
            (type(self), self.message, portable(self.value), portable(self.obj), self.field),
        )


def portable(thing: Any) -> Any:
    """``thing`` if a pickle round trip gives it back, else its repr.

    An error must reach another process even when what it is about (a lock, a
    registry holding modules, a plugin's own exception) cannot.
    """
    try:
        pickle.loads(pickle.dumps(thing))
    except Exception:  # a foreign __reduce__ or __init__ may raise anything
        return repr(thing)
    return thing


def _rebuild(
    cls: type[OnAccountError], message: str, value: Any, obj: Any, field: str | None
) -> OnAccountError:
    error = cls.__new__(cls)
    OnAccountError.__init__(error, message, value=value, obj=obj, field=field)
    return error


class InvalidValue(OnAccountError, ValueError):
    """A value that can never be right, whatever the ledger holds."""


class InvalidAmount(InvalidValue):
    """An amount that is not a finite decimal number."""


class NaiveDatetime(InvalidValue):
    """A datetime without a time zone where an instant is needed."""


class NotAnInstant(InvalidValue, TypeError):
    """Something other than a datetime where an instant is needed: text, a date, a number.

    A ``TypeError`` like `FloatNotAllowed`, and an `InvalidValue` as every refused value is.
    """


class UnknownCurrency(InvalidValue):
    """A currency code that is not in ISO 4217."""


class UnknownTimeZone(InvalidValue):
    """A time zone name that is not in the IANA database."""


class InvalidPeriod(InvalidValue):
    """A period whose dates or business-day start make no sense."""


class PeriodParseError(InvalidPeriod):
    """A period string in none of the accepted forms."""


class UnknownVatCategory(InvalidValue):
    """A VAT category code that is not one onaccount knows."""


class MissingExemptionReason(InvalidValue):
    """An exempt VAT category given without the reason invoices must state."""


class UnknownStrategy(InvalidValue):
    """A reset strategy name that is not registered."""


class FloatNotAllowed(OnAccountError, TypeError):
    """A float where money or a quantity must be exact."""


class PermissionDenied(OnAccountError):
    """The actor lacks the capability an operation needs."""


class LedgerError(OnAccountError):
    """The ledger refuses an operation because of what it holds."""


class UnknownAccount(LedgerError, LookupError):
    """No account has this number."""


class UnknownRun(LedgerError, LookupError):
    """No invoice run has this id, or it has no invoice for the account."""


class DuplicateAccount(LedgerError):
    """An account with this number already exists."""


class DuplicateTransaction(LedgerError):
    """A transaction with this id is already recorded."""


class CurrencyMismatch(LedgerError):
    """A booking in a currency other than its account's."""


class LimitExceeded(LedgerError):
    """A purchase would take the account's spending room below zero."""


class NotInvoiceable(LedgerError):
    """The account cannot be invoiced, for example because it is a credit account."""


class EmptyRun(NotInvoiceable):
    """A plan with no account to invoice: committing it would write an empty run."""


class RunConflict(LedgerError):
    """What a plan relied on changed before it was committed; nothing was written."""


class KeyInUse(RunConflict):
    """The idempotency key belongs to a run of another plan; nothing was written."""


class LimitConflict(LedgerError):
    """The limit is no longer the one the change was based on; nothing was written."""


class NothingToChange(LedgerError):
    """The change asked for is what the ledger holds already; nothing was written."""


class AlreadyUndone(LedgerError):
    """This account invoice has been undone already."""


class ImportRefused(LedgerError):
    """Accounts or bookings to import conflict with the ledger; none was imported.

    ``refusals`` pairs the position of each refused item in what was given with the
    error saying why and what to do, so a host can point at the row it read it from.
    """

    @property
    def refusals(self) -> tuple[tuple[int, OnAccountError], ...]:
        """``(position, error)`` for every refused item, in the order given."""
        refusals: tuple[tuple[int, OnAccountError], ...] = self.value
        return refusals


class SchemaError(LedgerError):
    """The database cannot be opened as an onaccount ledger.

    No file where one can be made, a URL no installed driver can use, no onaccount
    schema yet, or one newer than this library knows.
    """


class StorageError(LedgerError):
    """The database refused to store a value; the message names it, never the SQL."""


class LedgerBusy(LedgerError):
    """Another connection kept the database locked for writing past the wait.

    Nothing was written, and the same call may be made again.
    """

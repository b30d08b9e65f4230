"""Storage: the `Ledger` protocol and the in-memory reference ledger."""

from onaccount import _exports
from onaccount._statement import AccountTotals, group_bookings

from ._memory import MemoryLedger
from ._protocol import Ledger, LedgerConveniences, check_booking, check_mutation, limit_change
from ._refusals import (
    already_undone,
    changed_since_planned,
    check_account_update,
    checked_instant,
    duplicate_account,
    duplicate_transaction,
    invoiced_meanwhile,
    no_invoice_for,
    unknown_account,
    unknown_run,
)

__all__ = [
    "AccountTotals",
    "Ledger",
    "LedgerConveniences",
    "MemoryLedger",
    "already_undone",
    "changed_since_planned",
    "check_account_update",
    "check_booking",
    "check_mutation",
    "checked_instant",
    "duplicate_account",
    "duplicate_transaction",
    "group_bookings",
    "invoiced_meanwhile",
    "limit_change",
    "no_invoice_for",
    "unknown_account",
    "unknown_run",
]

_exports.export(__name__, globals(), __all__)

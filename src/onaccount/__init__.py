"""onaccount: turn purchases made on account at a point of sale into invoice runs."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._account import Account, AccountKind, Address, BillingDetails
from ._errors import (
    AlreadyUndone,
    CurrencyMismatch,
    DuplicateAccount,
    DuplicateTransaction,
    FloatNotAllowed,
    InvalidAmount,
    InvalidPeriod,
    InvalidValue,
    LedgerError,
    LimitExceeded,
    MissingExemptionReason,
    NaiveDatetime,
    NotInvoiceable,
    OnAccountError,
    PeriodParseError,
    PermissionDenied,
    RunConflict,
    UnknownAccount,
    UnknownCurrency,
    UnknownRun,
    UnknownStrategy,
    UnknownTimeZone,
    UnknownVatCategory,
)
from ._money import CURRENCIES, Vat, VatCategory, VatSplit, minor_unit, round_money, vat_split
from ._period import Period
from ._permissions import Actor, Capability
from ._transaction import (
    CreditBooking,
    CreditKind,
    Line,
    Mutation,
    MutationKind,
    Purchase,
    Transaction,
)

try:
    __version__ = version("onaccount")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "CURRENCIES",
    "Account",
    "AccountKind",
    "Actor",
    "Address",
    "AlreadyUndone",
    "BillingDetails",
    "Capability",
    "CreditBooking",
    "CreditKind",
    "CurrencyMismatch",
    "DuplicateAccount",
    "DuplicateTransaction",
    "FloatNotAllowed",
    "InvalidAmount",
    "InvalidPeriod",
    "InvalidValue",
    "LedgerError",
    "LimitExceeded",
    "Line",
    "MissingExemptionReason",
    "Mutation",
    "MutationKind",
    "NaiveDatetime",
    "NotInvoiceable",
    "OnAccountError",
    "Period",
    "PeriodParseError",
    "PermissionDenied",
    "Purchase",
    "RunConflict",
    "Transaction",
    "UnknownAccount",
    "UnknownCurrency",
    "UnknownRun",
    "UnknownStrategy",
    "UnknownTimeZone",
    "UnknownVatCategory",
    "Vat",
    "VatCategory",
    "VatSplit",
    "__version__",
    "minor_unit",
    "round_money",
    "vat_split",
]

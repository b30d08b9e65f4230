"""onaccount: turn purchases made on account at a point of sale into invoice runs."""

from typing import TYPE_CHECKING

from . import _exports
from ._account import Account, AccountKind, Address, BillingDetails
from ._admin import (
    MutationsReport,
    change_limit,
    correct_balance,
    find_accounts,
    mutations_report,
    open_account,
    statement,
    update_account,
)
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
    SchemaError,
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
from ._query import AccountQuery, AccountState, BalanceFilter
from ._runs import (
    AccountInvoice,
    AccountInvoiceDraft,
    InvoiceRun,
    InvoiceState,
    Plan,
    Refusal,
    RefusalReason,
    Selection,
    UninvoicedWarning,
    commit_run,
    plan_run,
    undo_invoice,
)
from ._statement import DayTotal, ProductTotal, Statement, VatTotal, build_statement
from ._strategies import (
    BUILTIN_STRATEGIES,
    Correction,
    LimitMinusInvoiced,
    NoCorrection,
    ResetStrategy,
    ZeroBalance,
    resolve_strategy,
)
from ._transaction import (
    CreditBooking,
    CreditKind,
    Line,
    Mutation,
    MutationKind,
    Purchase,
    Transaction,
)
from .ledger import Ledger, MemoryLedger

__all__ = [
    "BUILTIN_STRATEGIES",
    "CURRENCIES",
    "Account",
    "AccountInvoice",
    "AccountInvoiceDraft",
    "AccountKind",
    "AccountQuery",
    "AccountState",
    "Actor",
    "Address",
    "AlreadyUndone",
    "BalanceFilter",
    "BillingDetails",
    "Capability",
    "Correction",
    "CreditBooking",
    "CreditKind",
    "CurrencyMismatch",
    "DayTotal",
    "DuplicateAccount",
    "DuplicateTransaction",
    "FloatNotAllowed",
    "InvalidAmount",
    "InvalidPeriod",
    "InvalidValue",
    "InvoiceRun",
    "InvoiceState",
    "Ledger",
    "LedgerError",
    "LimitExceeded",
    "LimitMinusInvoiced",
    "Line",
    "MemoryLedger",
    "MissingExemptionReason",
    "Mutation",
    "MutationKind",
    "MutationsReport",
    "NaiveDatetime",
    "NoCorrection",
    "NotInvoiceable",
    "OnAccountError",
    "Period",
    "PeriodParseError",
    "PermissionDenied",
    "Plan",
    "ProductTotal",
    "Purchase",
    "Refusal",
    "RefusalReason",
    "ResetStrategy",
    "RunConflict",
    "SchemaError",
    "Selection",
    "Statement",
    "Transaction",
    "UninvoicedWarning",
    "UnknownAccount",
    "UnknownCurrency",
    "UnknownRun",
    "UnknownStrategy",
    "UnknownTimeZone",
    "UnknownVatCategory",
    "Vat",
    "VatCategory",
    "VatSplit",
    "VatTotal",
    "ZeroBalance",
    "__version__",
    "build_statement",
    "change_limit",
    "commit_run",
    "correct_balance",
    "find_accounts",
    "minor_unit",
    "mutations_report",
    "open_account",
    "plan_run",
    "resolve_strategy",
    "round_money",
    "statement",
    "undo_invoice",
    "update_account",
    "vat_split",
]

_exports.export(__name__, globals(), __all__)

if TYPE_CHECKING:
    #: The installed distribution's version, read from its metadata when first asked for.
    __version__: str
else:
    # Importing onaccount reads no package metadata: __version__ is looked up on access.

    def __getattr__(name: str) -> str:
        if name == "__version__":
            return _exports.distribution_version("onaccount")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), "__version__"})


del TYPE_CHECKING

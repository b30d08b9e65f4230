"""onaccount: turn purchases made on account at a point of sale into invoice runs."""

from typing import TYPE_CHECKING

from . import _exports
from ._account import (
    MAX_KEY_LENGTH,
    MAX_TEXT_LENGTH,
    Account,
    AccountKind,
    Address,
    BillingDetails,
)
from ._admin import (
    MutationsReport,
    change_limit,
    correct_balance,
    find_accounts,
    get_run,
    list_runs,
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
    EmptyRun,
    FloatNotAllowed,
    ImportRefused,
    InvalidAmount,
    InvalidPeriod,
    InvalidValue,
    KeyInUse,
    LedgerBusy,
    LedgerError,
    LimitConflict,
    LimitExceeded,
    MissingExemptionReason,
    NaiveDatetime,
    NotAnInstant,
    NothingToChange,
    NotInvoiceable,
    OnAccountError,
    PeriodParseError,
    PermissionDenied,
    RunConflict,
    SchemaError,
    StorageError,
    UnknownAccount,
    UnknownCurrency,
    UnknownRun,
    UnknownStrategy,
    UnknownTimeZone,
    UnknownVatCategory,
)
from ._imports import Imported, import_accounts, import_transactions, require_import
from ._invoices import (
    AccountInvoice,
    AccountInvoiceDraft,
    InvoiceRun,
    InvoiceState,
    OverLimitWarning,
    Plan,
    Refusal,
    RefusalReason,
    Selection,
    UninvoicedWarning,
)
from ._money import (
    CURRENCIES,
    MAX_MINOR_UNITS,
    Vat,
    VatCategory,
    VatSplit,
    minor_unit,
    round_money,
    vat_split,
)
from ._party import PartyId
from ._period import EARLIEST_INSTANT, LATEST_INSTANT, Period
from ._permissions import Actor, Capability
from ._query import AccountQuery, AccountState, BalanceFilter
from ._runs import (
    commit_run,
    plan_run,
    require_for_selection,
    require_undo,
    undo_invoice,
)
from ._statement import (
    DayTotal,
    ProductTotal,
    PurchaseReader,
    Statement,
    VatTotal,
    build_statement,
)
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
    "EARLIEST_INSTANT",
    "LATEST_INSTANT",
    "MAX_KEY_LENGTH",
    "MAX_MINOR_UNITS",
    "MAX_TEXT_LENGTH",
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
    "EmptyRun",
    "FloatNotAllowed",
    "ImportRefused",
    "Imported",
    "InvalidAmount",
    "InvalidPeriod",
    "InvalidValue",
    "InvoiceRun",
    "InvoiceState",
    "KeyInUse",
    "Ledger",
    "LedgerBusy",
    "LedgerError",
    "LimitConflict",
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
    "NotAnInstant",
    "NotInvoiceable",
    "NothingToChange",
    "OnAccountError",
    "OverLimitWarning",
    "PartyId",
    "Period",
    "PeriodParseError",
    "PermissionDenied",
    "Plan",
    "ProductTotal",
    "Purchase",
    "PurchaseReader",
    "Refusal",
    "RefusalReason",
    "ResetStrategy",
    "RunConflict",
    "SchemaError",
    "Selection",
    "Statement",
    "StorageError",
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
    "get_run",
    "import_accounts",
    "import_transactions",
    "list_runs",
    "minor_unit",
    "mutations_report",
    "open_account",
    "plan_run",
    "require_for_selection",
    "require_import",
    "require_undo",
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

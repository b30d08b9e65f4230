"""The public API is pinned: adding or removing a name is a deliberate, visible change."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import types

import pytest

PUBLIC_API: dict[str, tuple[str, ...]] = {
    "onaccount": (
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
    ),
    "onaccount.ledger": (
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
    ),
    "onaccount.ledger.sql": (
        "SCHEMA_VERSION",
        "SQLLedger",
        "connect",
        "schema_version",
        "upgrade",
    ),
    "onaccount.exporting": (
        "CSV_DIALECTS",
        "ENTRY_POINT_GROUP",
        "EXCEL_MAX_ROWS",
        "EXCEL_NL",
        "FORMULA_TRIGGERS",
        "IDENTIFIER_PATTERN",
        "LANGUAGES",
        "PAPER_SIZES",
        "PLUGIN_API_VERSION",
        "PROJECT_NAME",
        "RFC4180",
        "Cell",
        "Column",
        "ColumnKind",
        "CsvDialect",
        "CsvTableExporter",
        "CsvTableOptions",
        "CsvWriter",
        "DayRow",
        "DocumentKind",
        "DuplicateExporter",
        "EntryPointSource",
        "ExportDocument",
        "ExportError",
        "ExportFailed",
        "ExportOptions",
        "ExportProgress",
        "ExportRefusal",
        "ExportReport",
        "ExportTargetExists",
        "Exportable",
        "ExportedAccount",
        "Exporter",
        "ExporterInfo",
        "ExporterRegistry",
        "ExporterUnavailable",
        "FailureStage",
        "InvalidExporter",
        "InvalidOptions",
        "JsonScalar",
        "LedgerRequired",
        "LineRow",
        "Money",
        "OnError",
        "OptionInfo",
        "PluginFailure",
        "PluginInfo",
        "PluginLoadError",
        "PluginWarning",
        "Registrar",
        "Requirements",
        "Table",
        "TableExporter",
        "TableOptions",
        "UniqueNames",
        "UnknownExporter",
        "UnsupportedSource",
        "XlsxColumn",
        "XlsxSheet",
        "XlsxTableExporter",
        "XlsxTableOptions",
        "XlsxWorkbook",
        "account_stem",
        "clean_text",
        "default_stem",
        "export_document",
        "export_files",
        "export_to_directory",
        "export_to_file",
        "fitted_width",
        "hookimpl",
        "hookspec",
        "installed_entry_points",
        "load_exporters",
        "neutralise",
        "option",
        "pad_amount",
        "refusal_list",
        "refusals_path",
        "remove_xml_forbidden",
        "safe_filename",
        "sheet_title",
        "split_by_account",
        "tracked",
        "validate_exporter",
        "vat_label",
        "write_atomically",
    ),
    "onaccount.testing": (
        "FORMULA_PRODUCT",
        "SAMPLE_PERIOD",
        "UPDATE_GOLDEN_VARIABLE",
        "ExporterContract",
        "LedgerContract",
        "LedgerMachine",
        "assert_golden",
        "entry_points_from",
        "formula_cells",
        "isolated_registry",
        "sample_ledger",
        "sample_plan",
        "sample_run",
        "sample_statement",
        "strategies",
        "write_distribution",
    ),
    "onaccount.cli": (
        "EXIT_COMMITTED_EXPORT_EMPTY",
        "EXIT_INTERNAL",
        "EXIT_REFUSED",
        "EXIT_USAGE",
        "cli",
        "main",
    ),
    "onaccount_exporters": (
        "CsvExporter",
        "CsvOptions",
        "DebtorsExporter",
        "DebtorsOptions",
        "ExportRefusal",
        "ExportRefused",
        "ExtraNotInstalled",
        "JournalExporter",
        "JournalOptions",
        "LedgerAccounts",
        "SellerOptions",
        "SepaExporter",
        "SepaOptions",
        "UblExporter",
        "UblOptions",
        "XafExporter",
        "XafOptions",
        "XlsxExporter",
        "XlsxOptions",
        "current_billing",
        "next_journal_entry",
        "onaccount_register_exporters",
        "previous_mandates",
    ),
}


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in: CONSTANTS, then Classes, then functions."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_public_names_are_exactly_the_pinned_ones(module: str) -> None:
    """Each public module exports exactly the names pinned here."""
    assert tuple(importlib.import_module(module).__all__) == PUBLIC_API[module]


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_every_public_name_is_importable_and_all_is_sorted(module: str) -> None:
    """Every name in ``__all__`` exists on the module, and ``__all__`` is sorted."""
    imported = importlib.import_module(module)
    missing = [name for name in imported.__all__ if not hasattr(imported, name)]
    assert missing == []
    assert list(imported.__all__) == sorted(imported.__all__, key=_isort_key)


def test_the_version_comes_from_the_package_metadata() -> None:
    """``onaccount.__version__`` is the installed distribution's version."""
    from importlib.metadata import version

    import onaccount

    assert onaccount.__version__ == version("onaccount")


def _submodules(module: types.ModuleType) -> set[str]:
    """The names of the modules inside package ``module`` (attributes once imported)."""
    if not hasattr(module, "__path__"):
        return set()
    return {info.name for info in pkgutil.iter_modules(module.__path__)}


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_all_lists_every_public_name_and_no_other(module: str) -> None:
    """``__all__`` is exactly the module's public names: no import leaks out beside it."""
    imported = importlib.import_module(module)
    submodules = _submodules(imported)
    public = {n for n in vars(imported) if not n.startswith("_") and n not in submodules}
    listed = {n for n in imported.__all__ if not n.startswith("_") and n not in submodules}
    assert sorted(public - listed) == []
    # A name the module gives on first use (its ``__getattr__``) is public all the same.
    assert sorted(n for n in listed - public if not hasattr(imported, n)) == []


def test_the_strategies_module_lists_what_it_defines() -> None:
    """Every public function and class the strategies module defines is in its ``__all__``.

    The module holds the strategies themselves, so its imports are names of its own too;
    what it must not do is define a public strategy and leave it out.
    """
    from onaccount.testing import strategies

    defined = {
        name
        for name, value in vars(strategies).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == strategies.__name__
    }
    assert sorted(defined - set(strategies.__all__)) == []
    assert all(hasattr(strategies, name) for name in strategies.__all__)


def _exported() -> list[str]:
    """Every class and function a public module exports, as ``module:name``."""
    found = []
    for module in sorted(PUBLIC_API):
        imported = importlib.import_module(module)
        for name in imported.__all__:
            value = getattr(imported, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                found.append(f"{module}:{name}")
    return found


def _resolve(exported: str) -> object:
    module, name = exported.split(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("exported", _exported())
def test_exported_classes_and_functions_report_a_public_module(exported: str) -> None:
    """An exported class or function names a public module that has it, not a private one."""
    value = _resolve(exported)
    home = value.__module__  # type: ignore[attr-defined]
    assert not any(part.startswith("_") for part in home.split(".")), f"{exported} is in {home}"
    assert home in PUBLIC_API
    assert getattr(importlib.import_module(home), value.__qualname__) is value  # type: ignore[attr-defined]


_OUR_PACKAGES = frozenset({"onaccount", "onaccount_exporters"})


@pytest.mark.parametrize("exported", [e for e in _exported() if inspect.isclass(_resolve(e))])
def test_exported_classes_keep_resolvable_type_hints(exported: str) -> None:
    """Type hints resolve under the public module, as cattrs and ``st.builds`` need.

    Those the library declares, on the class and its bases of ours: a base from another
    library (Hypothesis' state machine) answers for its own.
    """
    cls = _resolve(exported)
    ours = [k for k in cls.__mro__ if k.__module__.partition(".")[0] in _OUR_PACKAGES]
    for klass in ours:
        hints = inspect.get_annotations(klass, eval_str=True)
        assert all(not isinstance(hint, str) for hint in hints.values()), klass


def test_the_core_types_report_onaccount() -> None:
    """Core classes and functions report ``onaccount``; the ledger protocol its own package."""
    import onaccount

    assert onaccount.Period.__module__ == "onaccount"
    assert repr(onaccount.Period) == "<class 'onaccount.Period'>"
    assert onaccount.UnknownAccount.__module__ == "onaccount"
    assert onaccount.Ledger.__module__ == "onaccount.ledger"
    assert onaccount.plan_run.__module__ == "onaccount"


@pytest.mark.parametrize("exported", _exported())
def test_exported_classes_and_functions_pickle_by_reference(exported: str) -> None:
    """Pickling finds each exported class and function under the module it reports."""
    value = _resolve(exported)
    assert pickle.loads(pickle.dumps(value)) is value


def test_values_and_errors_pickle_and_repr_under_their_public_names() -> None:
    """A period, an enum member and an error pickle and print as before the renaming."""
    import onaccount

    period = onaccount.Period.month(2026, 10, tz="Europe/Amsterdam", day_starts_at="04:00")
    assert pickle.loads(pickle.dumps(period)) == period
    assert repr(period).startswith("Period(")
    assert pickle.loads(pickle.dumps(onaccount.VatCategory.STANDARD)) is (
        onaccount.VatCategory.STANDARD
    )
    error = onaccount.UnknownAccount("account '42' does not exist", value="42")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is onaccount.UnknownAccount
    assert str(copy) == str(error)


def test_the_version_is_read_when_asked_for() -> None:
    """``__version__`` is looked up on access, not stored at import; other names still fail."""
    import onaccount

    assert "__version__" not in vars(onaccount)
    assert "__version__" in dir(onaccount)
    with pytest.raises(AttributeError, match=r"onaccount.*no_such_name"):
        onaccount.no_such_name  # noqa: B018 - the attribute access is what is tested

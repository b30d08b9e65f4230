"""The public API is pinned: adding or removing a name is a deliberate, visible change."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_API: dict[str, tuple[str, ...]] = {
    "onaccount": (
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
    ),
    "onaccount.ledger": (
        "Ledger",
        "MemoryLedger",
        "check_booking",
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
        "PLUGIN_API_VERSION",
        "PROJECT_NAME",
        "RFC4180",
        "Cell",
        "CsvDialect",
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
        "UniqueNames",
        "UnknownExporter",
        "UnsupportedSource",
        "XlsxColumn",
        "XlsxSheet",
        "XlsxWorkbook",
        "clean_text",
        "default_stem",
        "export_document",
        "export_files",
        "export_to_directory",
        "export_to_file",
        "hookimpl",
        "hookspec",
        "installed_entry_points",
        "load_exporters",
        "neutralise",
        "option",
        "pad_amount",
        "remove_xml_forbidden",
        "safe_filename",
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
        "EXIT_INTERNAL",
        "EXIT_REFUSED",
        "EXIT_USAGE",
        "cli",
        "main",
    ),
    "onaccount_exporters": (
        "CsvExporter",
        "CsvOptions",
        "ExportRefusal",
        "ExportRefused",
        "ExtraNotInstalled",
        "JournalExporter",
        "JournalOptions",
        "SepaExporter",
        "SepaOptions",
        "UblExporter",
        "UblOptions",
        "XlsxExporter",
        "XlsxOptions",
        "onaccount_register_exporters",
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

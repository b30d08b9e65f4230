"""Exporters and their plugins: the contract, the registry, and the safe writers.

A host loads the installed exporters on request and writes with one of them::

    from onaccount.exporting import export_files, load_exporters

    registry = load_exporters(on_error="warn")
    csv = registry.get("csv")
    report = export_files(csv, run, "exports", {"dialect": "rfc4180"}, per="account")
    print(report.written, report.unit, "written to", report.paths)

A plugin subclasses `Exporter`, declares its `ExportOptions`, and registers through the
``onaccount`` entry-point group with a `hookimpl` of ``onaccount_register_exporters``.
"""

from onaccount import _exports

from ._document import (
    DayRow,
    DocumentKind,
    Exportable,
    ExportDocument,
    ExportedAccount,
    LineRow,
    export_document,
    pad_amount,
    split_by_account,
    vat_label,
)
from ._errors import (
    DuplicateExporter,
    ExportError,
    ExporterUnavailable,
    ExportFailed,
    ExportTargetExists,
    InvalidExporter,
    InvalidOptions,
    LedgerRequired,
    PluginLoadError,
    PluginWarning,
    UnknownExporter,
    UnsupportedSource,
)
from ._exporter import (
    IDENTIFIER_PATTERN,
    Exporter,
    ExportOptions,
    JsonScalar,
    OptionInfo,
    option,
    validate_exporter,
)
from ._hookspecs import (
    ENTRY_POINT_GROUP,
    PLUGIN_API_VERSION,
    PROJECT_NAME,
    hookimpl,
    hookspec,
)
from ._registry import (
    EntryPointSource,
    ExporterInfo,
    ExporterRegistry,
    FailureStage,
    OnError,
    PluginFailure,
    PluginInfo,
    Registrar,
    installed_entry_points,
    load_exporters,
)
from ._report import ExportProgress, ExportRefusal, ExportReport, refusal_list, tracked
from ._requirements import Requirements
from ._safety import (
    FORMULA_TRIGGERS,
    UniqueNames,
    clean_text,
    neutralise,
    remove_xml_forbidden,
    safe_filename,
)
from ._table import (
    LANGUAGES,
    Column,
    ColumnKind,
    CsvTableExporter,
    CsvTableOptions,
    Table,
    TableExporter,
    TableOptions,
    XlsxTableExporter,
    XlsxTableOptions,
)
from ._writers import (
    CSV_DIALECTS,
    EXCEL_NL,
    RFC4180,
    CsvDialect,
    CsvWriter,
    account_stem,
    default_stem,
    export_files,
    export_to_directory,
    export_to_file,
    refusals_path,
    write_atomically,
)
from ._xlsx import (
    EXCEL_MAX_ROWS,
    PAPER_SIZES,
    Cell,
    Money,
    XlsxColumn,
    XlsxSheet,
    XlsxWorkbook,
    fitted_width,
    sheet_title,
)

__all__ = [
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
]

_exports.export(__name__, globals(), __all__)

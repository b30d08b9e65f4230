"""Table exporters: describe columns and yield rows, get CSV and XLSX with one safety.

A plugin that writes tables subclasses `CsvTableExporter` or `XlsxTableExporter` (or
both, as two exporters sharing a mixin class that holds ``tables``) and implements
`TableExporter.tables`: each `Table` has its `Column` list (a field name, a label per
language, a kind, a number format, a width, whether it is summed) and its rows of typed
cells. The base writes them, CSV in either dialect through the `csv` module and XLSX
through openpyxl, with the core's text safety and the labels of the chosen language; a
workbook also gets the formats of each kind, the widths, a totals row and print set-up.
`XlsxTableExporter.style_workbook` is the hook for a plugin that wants to style or add
to the openpyxl sheets.
"""

from __future__ import annotations

import abc
import contextlib
import re
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, ClassVar, Literal, TypeAlias, TypeVar

import attrs

from onaccount._errors import InvalidValue, OnAccountError

from ._document import ExportDocument
from ._errors import InvalidExporter
from ._exporter import Exporter, ExportOptions, option
from ._report import ExportProgress, ExportRefusal, ExportReport
from ._requirements import export_failed
from ._writers import CSV_DIALECTS, CsvWriter
from ._xlsx import (
    EXCEL_MAX_ROWS,
    PAPER_SIZES,
    Cell,
    XlsxColumn,
    XlsxWorkbook,
    cell_error,
    check_row,
    check_width,
    is_cell_error,
    with_room,
)

__all__ = [
    "LANGUAGES",
    "Column",
    "ColumnKind",
    "CsvTableExporter",
    "CsvTableOptions",
    "Table",
    "TableExporter",
    "TableOptions",
    "XlsxTableExporter",
    "XlsxTableOptions",
]

#: The languages column labels are written in: Dutch (the default) and English.
LANGUAGES = ("nl", "en")

#: What a column holds; it decides the XLSX number format and the default width. A
#: ``currency`` column holds the codes of its rows' money: the workbook's amounts then
#: show without their code, which the column gives beside them.
ColumnKind: TypeAlias = Literal[
    "text", "integer", "money", "price", "quantity", "percent", "date", "time", "currency"
]
_KINDS: tuple[str, ...] = typing.get_args(ColumnKind)
# Formats whose decimals are all optional (#) drop the decimal point for whole numbers.
_FORMATS: Mapping[str, str | None] = {
    "text": None,
    "integer": with_room("#,##0"),
    # Money takes its currency's format, cell by cell (see money_format).
    "money": None,
    "price": with_room("#,##0.00##"),
    "quantity": with_room("#,##0.###"),
    "percent": with_room('0.##"%"'),
    "time": with_room("hh:mm:ss"),
    "currency": None,
}
_DATE_FORMATS = {"nl": with_room("dd-mm-yyyy"), "en": with_room("yyyy-mm-dd")}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_TOTAL_LABELS = {"nl": "Totaal", "en": "Total"}


def _check_name(column: Column, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise InvalidExporter(
            f"column name {value!r} is not a lowercase field name; write it like 'unit_price'",
            value=value,
            field="name",
        )


def _check_kind(column: Column, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in _KINDS:
        raise InvalidExporter(
            f"column {column.name!r} has kind {value!r}; use one of {', '.join(_KINDS)}",
            value=value,
            field="kind",
        )


def _labels(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


def _check_labels(
    column: Column, attribute: attrs.Attribute[Any], value: Mapping[str, str]
) -> None:
    _check_texts(column, value, "", "labels")


def _check_texts(column: Column, labels: Mapping[str, object], of: str, field: str) -> None:
    """Refuse a label per language that is not text; ``of`` says what it labels."""
    for language, label in labels.items():
        if not isinstance(label, str):
            raise InvalidExporter(
                f"column {column.name!r} has label {label!r} {of}"
                f"{'in' if of else 'for'} {language!r}; give each label as text",
                value=label,
                field=field,
            )


def _check_width(column: Column, attribute: attrs.Attribute[Any], value: float | None) -> None:
    try:
        check_width(value, column.name)
    except InvalidValue as error:
        # A table's description breaks the exporter contract, as its other mistakes do.
        raise InvalidExporter(error.message, value=value, field="width") from None


#: The kinds whose sums mean something in a totals row.
_SUMMABLE = ("integer", "quantity", "money")


def _check_total(column: Column, attribute: attrs.Attribute[bool], value: bool) -> None:
    if value and column.kind not in _SUMMABLE:
        raise InvalidExporter(
            f"column {column.name!r} of kind {column.kind!r} cannot be summed; set total "
            f"only on {', '.join(_SUMMABLE[:-1])} and {_SUMMABLE[-1]} columns",
            value=value,
            field="total",
        )


def _value_labels(value: Mapping[str, Any]) -> Mapping[str, Any]:
    # A label that is no mapping is kept as given, for the validator to name.
    return {
        code: dict(labels) if isinstance(labels, Mapping) else labels
        for code, labels in value.items()
    }


def _check_value_labels(
    column: Column, attribute: attrs.Attribute[Any], value: Mapping[str, Any]
) -> None:
    if value and column.kind != "text":
        raise InvalidExporter(
            f"column {column.name!r} of kind {column.kind!r} holds no codes; give "
            "value_labels only to text columns",
            value=column.kind,
            field="value_labels",
        )
    for code, labels in value.items():
        if not isinstance(labels, Mapping):
            raise InvalidExporter(
                f"column {column.name!r} labels code {code!r} with {labels!r}; give a label "
                "per language, such as {'nl': 'actief', 'en': 'active'}",
                value=labels,
                field="value_labels",
            )
        _check_texts(column, labels, f"for code {code!r} ", "value_labels")


@attrs.frozen(kw_only=True)
class Column:
    """One column of a `Table`: field name, labels per language, kind, format, width.

    ``name`` is the field name machines read (the CSV header with ``header="names"``);
    ``labels`` maps a language (``"nl"``, ``"en"``) to the header people read, the name
    standing in for a missing one. ``kind`` decides the XLSX number format unless
    ``number_format`` gives one; dates follow the language (``dd-mm-jjjj`` in Dutch, ISO
    in English). ``width`` is in characters (None: fitted to the contents); ``total``
    sums the column in the totals row. ``value_labels`` gives a text column's codes
    (``"active"``) a label per language (``{"nl": "gefactureerd"}``): workbooks and
    CSV with a header of labels show the label, CSV for programs the code; a code
    without a label in the language is written as it is.
    """

    name: str = attrs.field(validator=_check_name)
    labels: Mapping[str, str] = attrs.field(
        factory=dict, converter=_labels, validator=_check_labels, eq=False
    )
    kind: ColumnKind = attrs.field(default="text", validator=_check_kind)
    number_format: str | None = None
    width: float | None = attrs.field(default=None, validator=_check_width)
    total: bool = attrs.field(default=False, validator=_check_total)
    value_labels: Mapping[str, Mapping[str, str]] = attrs.field(
        factory=dict, converter=_value_labels, validator=_check_value_labels, eq=False
    )

    def label(self, language: str) -> str:
        """The header in ``language``, or the field name if the column has none."""
        return self.labels.get(language) or self.name

    def shown(self, language: str) -> Mapping[str, str]:
        """Each code of the column that has a label in ``language``, to that label."""
        return {
            code: labels[language]
            for code, labels in self.value_labels.items()
            if labels.get(language)
        }

    def xlsx(self, language: str) -> XlsxColumn:
        """The column as `XlsxWorkbook` writes it, in ``language``."""
        fmt = self.number_format
        if fmt is None:
            fmt = _DATE_FORMATS[language] if self.kind == "date" else _FORMATS.get(self.kind)
        return XlsxColumn(
            self.label(language),
            width=self.width,
            number_format=fmt,
            total=self.total,
            currency=self.kind == "currency",
        )


def _columns(columns: Iterable[Column]) -> tuple[Column, ...]:
    return tuple(columns)


def _check_columns(
    table: Table, attribute: attrs.Attribute[Any], value: tuple[Column, ...]
) -> None:
    seen: set[str] = set()
    for column in value:
        if column.name in seen:
            raise InvalidExporter(
                f"table {table.title('en')!r} has two columns named {column.name!r}; give "
                "each column its own name",
                value=column.name,
                field="columns",
            )
        seen.add(column.name)


def _rows(rows: Iterable[Iterable[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in rows)


@attrs.frozen(kw_only=True, eq=False)
class Table:
    """A table to write: a title per language, columns and rows of typed cells.

    ``rows`` is iterated once, as the table is written, so it may be a generator over
    millions of rows. ``above`` are rows placed above the header in a workbook (a
    title, a balance); CSV leaves them out. ``page_header`` is printed at the top of
    each page of the sheet: one text, or one per language like ``titles``. ``refusals``
    are the account invoices the table leaves out, each naming the field to fix; they
    are read once the rows are written, so the rows' generator may append to the list
    it is given.
    """

    titles: Mapping[str, str] = attrs.field(converter=_labels)
    columns: tuple[Column, ...] = attrs.field(converter=_columns, validator=_check_columns)
    rows: Iterable[Sequence[Cell]]
    above: tuple[tuple[Cell, ...], ...] = attrs.field(default=(), converter=_rows)
    page_header: str | Mapping[str, str] | None = None
    refusals: Sequence[ExportRefusal] = ()

    def title(self, language: str) -> str:
        """The title in ``language`` (the first one given if it has none)."""
        return self.titles.get(language) or next(iter(self.titles.values()), "Sheet")

    def header(self, language: str) -> str | None:
        """The page header in ``language`` (the first one given if it has none)."""
        if self.page_header is None or isinstance(self.page_header, str):
            return self.page_header
        return self.page_header.get(language) or next(iter(self.page_header.values()), None)


def _language_option() -> Any:  # Any: what option() returns
    return option(
        "nl",
        choices=LANGUAGES,
        help="nl: column labels and dates in Dutch (dd-mm-jjjj); en: in English, ISO dates.",
    )


@attrs.frozen(kw_only=True)
class TableOptions(ExportOptions):
    """Options every table exporter has: the language of the labels."""

    language: str = _language_option()


@attrs.frozen(kw_only=True)
class CsvTableOptions(TableOptions):
    """Options of a CSV table exporter: dialect and header."""

    dialect: str = option(
        "excel-nl",
        choices=tuple(CSV_DIALECTS),
        help=(
            "excel-nl: ';' between fields, decimal comma, UTF-8 with BOM, dd-mm-yyyy dates, "
            "for Excel in Dutch; rfc4180: ',' and decimal point, UTF-8 without BOM, ISO "
            "dates, for programs."
        ),
    )
    header: str = option(
        "labels",
        choices=("labels", "names", "none"),
        help=(
            "labels: a header row in the chosen language, codes such as states shown as "
            "words in it; names: the field names and the codes, for programs; none: no "
            "header row, codes."
        ),
    )


@attrs.frozen(kw_only=True)
class XlsxTableOptions(TableOptions):
    """Options of an XLSX table exporter: the totals row, the paper, the club on every page."""

    totals: str = option(
        "values",
        choices=("values", "formulas", "none"),
        help=(
            "values: a totals row under each sheet with the sums; formulas: the same as "
            "SUBTOTAL formulas (on a sheet in one currency that fits one worksheet); "
            "none: no totals row."
        ),
    )
    paper: str = option(
        "a4",
        choices=tuple(PAPER_SIZES),
        help="The paper the sheets are printed on: a4, or letter (US).",
    )
    seller_name: str = option(
        "",
        help=(
            "The club (the seller) named at the top of every printed page, beside the "
            "account and period; the same option as the invoicing exporters' seller_name."
        ),
    )


_O = TypeVar("_O", bound=TableOptions)


def _shown_rows(table: Table, language: str | None) -> Iterable[Sequence[Cell]]:
    """The rows of ``table``, each code as its label in ``language`` (None: as codes)."""
    coded = [
        (index, shown)
        for index, column in enumerate(table.columns)
        if language is not None and (shown := column.shown(language))
    ]
    if not coded:
        return table.rows
    width = len(table.columns)

    def relabel(row: Sequence[Cell]) -> Sequence[Cell]:
        if not isinstance(row, (tuple, list)) or len(row) != width:
            return row  # the writer refuses it, in its own words
        cells = list(row)
        for index, shown in coded:
            value = cells[index]
            if type(value) is str:
                cells[index] = shown.get(value, value)
        return tuple(cells)

    return map(relabel, table.rows)


class _Counted:
    """A table's rows passed through, counted, each checked to fill the table's columns."""

    __slots__ = ("count", "language", "last", "table", "where", "writer_names_rows")

    def __init__(
        self, table: Table, language: str | None, *, where: str, writer_names_rows: bool
    ) -> None:
        self.table = table
        #: The language codes are shown in, or None to write them as they are.
        self.language = language
        #: Whether the writer names the row and column of the refusals it raises itself.
        self.writer_names_rows = writer_names_rows
        self.count = 0
        #: The row passed on last, the one a writer's refusal is about; None while the
        #: table's rows make the next one, so that their own refusal names that row.
        self.last: Sequence[Cell] | None = None
        #: The table as refusals name it: ``table 'Lines'`` or ``sheet 'Regels'``.
        self.where = where

    def __iter__(self) -> Iterator[Sequence[Cell]]:
        width = len(self.table.columns)
        for row in _shown_rows(self.table, self.language):
            # The cheap test first: a wrong row is refused with the sheet's own words.
            if type(row) is not tuple or len(row) != width:
                check_row(row, width, self.where)
            self.count += 1
            self.last = row
            yield row
            self.last = None

    @contextlib.contextmanager
    def naming_rows(self) -> Iterator[None]:
        """A refusal of a cell, raised while the rows are written, names its row."""
        try:
            yield
        except OnAccountError as error:
            if not is_cell_error(error) or (self.last is not None and self.writer_names_rows):
                raise
            names = [column.name for column in self.table.columns]
            if self.last is None:
                # Raised by the table's rows while making the next row: no column to name.
                raise cell_error(error, (), self.where, self.count + 1, names) from None
            raise cell_error(error, self.last, self.where, self.count, names) from None


class TableExporter(Exporter[_O]):
    """Base of exporters that write tables; subclass `CsvTableExporter` or `XlsxTableExporter`.

    Implement `tables`; the report counts the rows written and the document's accounts.
    """

    #: What the report counts.
    unit: ClassVar[str] = "rows"

    @abc.abstractmethod
    def tables(
        self, document: ExportDocument, options: _O, progress: ExportProgress | None
    ) -> Iterable[Table]:
        """The tables to write for ``document``; tell ``progress`` of the accounts done."""

    def file_label(self, options: _O) -> str:
        """The exporter's identifier: a plugin's tables never take a built-in's file name.

        A run of 2026-10 under key ``demo-2026-10`` is written by a ``boekhoud-xlsx``
        exporter as ``run-2026-10-demo-2026-10-boekhoud-xlsx.xlsx``, beside the built-in
        ``xlsx`` exporter's ``run-2026-10-demo-2026-10.xlsx``; override it to name the
        files otherwise.
        """
        return self.identifier

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A row or cell the writers refuse is this exporter's bug: report it as one."""
        try:
            yield
        except OnAccountError as error:
            if is_cell_error(error) or error.field == "row":
                raise export_failed(self, error) from error
            raise

    def _report(
        self, document: ExportDocument, written: int, tables: Iterable[Table]
    ) -> ExportReport:
        # Several sheets may leave one account out for one reason: report it once.
        refusals = tuple(dict.fromkeys(r for table in tables for r in table.refusals))
        left_out = {r.account for r in refusals if r.account is not None}
        return ExportReport(
            exporter=self.identifier,
            unit=self.unit,
            written=written,
            accounts=sum(1 for e in document.billed if e.account.number not in left_out),
            refusals=refusals,
        )


class CsvTableExporter(TableExporter[_O]):
    """A table exporter writing one table as CSV; its ``Options`` extend `CsvTableOptions`.

    ``tables`` must give exactly one table: a CSV file holds one. It sets ``media_type``
    (``text/csv``) and ``extension`` (``csv``). It writes no totals row, whatever the
    columns' ``total``: programs read a CSV file, and would take a totals row for one
    more row of data; the sums are a workbook's (`XlsxTableExporter`).
    """

    media_type = "text/csv"
    extension = "csv"
    options_base = CsvTableOptions

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: _O,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write the one table of ``document`` as CSV."""
        tables = list(self.tables(document, options, progress))
        if len(tables) != 1:
            raise InvalidExporter(
                f"exporter {self.identifier!r} gave {len(tables)} tables for a CSV file, "
                "which holds one; return one table from tables()",
                value=len(tables),
                obj=self,
                field="tables",
            )
        (table,) = tables
        dialect = CSV_DIALECTS[str(getattr(options, "dialect", "excel-nl"))]
        header = str(getattr(options, "header", "labels"))
        # A header of labels is for people, who read codes as their labels too.
        rows = _Counted(
            table,
            options.language if header == "labels" else None,
            where=f"table {table.title('en')!r}",
            writer_names_rows=False,
        )
        with self._writing(), CsvWriter(stream, dialect) as writer:
            if header == "labels":
                writer.writerow([column.label(options.language) for column in table.columns])
            elif header == "names":
                writer.writerow([column.name for column in table.columns])
            with rows.naming_rows():
                writer.writerows(rows)
        return self._report(document, rows.count, tables)


class XlsxTableExporter(TableExporter[_O]):
    """A table exporter writing each table as a sheet; ``Options`` extend `XlsxTableOptions`.

    ``max_rows`` caps the rows per worksheet (Excel's limit by default); a longer sheet
    continues on ``Title (2)``. Override `style_workbook` to style or add to the sheets.
    It sets ``media_type`` (the XLSX one) and ``extension`` (``xlsx``).
    """

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"
    options_base = XlsxTableOptions

    def __init__(self, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
        XlsxWorkbook(max_rows=max_rows).discard()  # refuses a bad cap now, not at export
        self.max_rows = max_rows

    def style_workbook(self, book: XlsxWorkbook, document: ExportDocument, options: _O) -> None:
        """Called before saving: ``book.workbook`` is the openpyxl workbook to add to.

        The default adds nothing. The sheets are write-only (rows written already can no
        longer change); a hook can set properties, add sheets or defined names.
        """

    def write(
        self,
        document: ExportDocument,
        stream: BinaryIO,
        options: _O,
        *,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Write every table of ``document`` as a sheet of one workbook."""
        language = options.language
        totals = str(getattr(options, "totals", "values"))
        written = 0
        tables: list[Table] = []
        with (
            self._writing(),
            XlsxWorkbook(
                max_rows=self.max_rows,
                timestamp=document.created_at,
                title=document.title,
                seller=str(getattr(options, "seller_name", "")) or None,
                paper=str(getattr(options, "paper", "a4")),
                # Dates above a table (an invoice date) as its date columns write them.
                date_format=_DATE_FORMATS[language],
            ) as book,
        ):
            for table in self.tables(document, options, progress):
                tables.append(table)
                sheet = book.sheet(
                    table.title(language),
                    [column.xlsx(language) for column in table.columns],
                    above=table.above,
                    totals=totals if totals in ("values", "formulas") else "none",  # type: ignore[arg-type]  # checked by the choices
                    totals_label=_TOTAL_LABELS.get(language, "Total"),
                    page_header=table.header(language),
                )
                rows = _Counted(
                    table, language, where=f"sheet {sheet.title!r}", writer_names_rows=True
                )
                with rows.naming_rows():
                    for row in rows:
                        sheet.append(row)
                written += rows.count
            book.save(stream, hook=lambda b: self.style_workbook(b, document, options))
        return self._report(document, written, tables)

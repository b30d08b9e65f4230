"""Workbooks through openpyxl: typed cells, safe text, flat memory, the same bytes each time.

`XlsxWorkbook` wraps an openpyxl workbook in write-only mode, so rows stream to disk as
they are appended. What it adds is what every export needs and no exporter should have to
remember: text cleaned and neutralised by the core's `clean_text`, floats refused, number
formats per column, a bold frozen header with a filter, print set-up, a totals row,
continuation sheets past Excel's row limit, and fixed document properties and zip times so
the same input gives the same bytes. `XlsxWorkbook.workbook` and `XlsxSheet.worksheets`
are the openpyxl objects, for a plugin that wants to style or add more.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any, BinaryIO, Literal, NamedTuple, TypeAlias

import attrs
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from onaccount._errors import FloatNotAllowed, InvalidValue, OnAccountError
from onaccount._money import CURRENCIES, check_currency, check_minor_units, to_decimal

from ._safety import clean_text, remove_xml_forbidden

__all__ = [
    "EXCEL_MAX_ROWS",
    "PAPER_SIZES",
    "Cell",
    "Money",
    "XlsxColumn",
    "XlsxSheet",
    "XlsxWorkbook",
    "cell_error",
    "cell_type_error",
    "check_width",
    "fitted_width",
    "is_cell_error",
    "money_amount",
    "sheet_title",
    "with_room",
]


class Money(NamedTuple):
    """An amount in a currency: a number cell that XLSX shows with the currency's format."""

    amount: Decimal
    currency: str


#: What a row of the shared writers may hold. Text is cleaned and neutralised; the rest is
#: written as typed values. Floats are refused: money is exact.
Cell: TypeAlias = str | int | Decimal | Money | dt.date | dt.time | None


def cell_type_error(value: object) -> InvalidValue:
    """The refusal of a cell value the writers cannot store exactly."""
    if isinstance(value, Decimal):
        return InvalidValue(
            f"cell value {value!r} is not a finite number; write a finite Decimal or None",
            value=value,
            field="cell",
        )
    why = " (floats cannot hold money exactly)" if isinstance(value, float) else ""
    if isinstance(value, dt.datetime):
        why = " (a date and a time in two cells, in the zone the reader expects)"
    return InvalidValue(
        f"cell value {value!r} is a {type(value).__name__}; write str, int, Decimal, Money, "
        f"date, time or None{why}",
        value=value,
        field="cell",
    )


def money_amount(value: Money) -> Decimal:
    """The amount of a money cell: a finite Decimal in whole minor units of its currency.

    Both writers write money through this, so a CSV file refuses what a workbook does.
    """
    try:
        amount = to_decimal(value.amount, field="money cell amount", obj=value, name="amount")
    except FloatNotAllowed as error:
        # The writers refuse every cell with an InvalidValue, a float in money too.
        raise InvalidValue(
            error.message, value=error.value, obj=value, field=error.field
        ) from None
    check_currency(value.currency, field="money cell currency", obj=value, name="currency")
    # The exponent answers for nearly every amount; only longer ones are rounded to compare.
    if amount.as_tuple().exponent < -CURRENCIES[value.currency]:  # type: ignore[operator]  # finite: an int
        check_minor_units(amount, value.currency, field="money cell", obj=value, name="amount")
    return amount


def is_cell_error(error: OnAccountError) -> bool:
    """Whether ``error`` refuses a cell's value (a bug of the exporter that wrote it).

    A cell's own refusal names field ``cell``; a money cell's is about the ``amount`` or
    ``currency`` of the `Money` it names as its ``obj``.
    """
    return error.field == "cell" or isinstance(error.obj, Money)


def cell_error(
    error: OnAccountError, row: Sequence[object], where: str, number: int, names: Sequence[str]
) -> OnAccountError:
    """``error``, raised for a cell of ``row`` (number ``number`` of ``where``), naming it."""
    # The object refused first: a money cell is its error's obj, and its amount (the
    # value) may stand in an earlier column too.
    cells = list(row)[: len(names)]
    index = next(
        (
            i
            for wanted in (error.obj, error.value)
            if wanted is not None
            for i, cell in enumerate(cells)
            if cell is wanted
        ),
        None,
    )
    column = None if index is None else names[index]
    at = f"{where}, row {number}" + ("" if column is None else f", column {column!r}")
    return type(error)(
        f"{at}: {error.message}", value=error.value, obj=error.obj, field=error.field
    )


def plain_number(value: Decimal | int) -> str:
    """``value`` in positional notation, never ``1E+1`` or ``-0.00``; NaN is refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise cell_type_error(value)
    if value.is_zero():
        value = value.copy_abs()
    return format(value, "f")


def with_room(number_format: str) -> str:
    """``number_format`` ending in room one dash wide, as Excel's accounting formats end.

    Numbers, dates and times stand right in their cells; without the room, left-aligned
    text in the next column touches them (``9.50 EUREUR``, ``01:18:001001``).
    """
    return number_format + "_-"


def money_format(currency: str, *, code: bool = True) -> str:
    """The number format of an amount in ``currency``: its minor-unit places and its code.

    Without ``code`` the amount shows alone, as beside a column of currency codes.
    """
    places = CURRENCIES.get(currency, 2)
    number = "#,##0" + ("." + "0" * places if places else "")
    return with_room(f'{number} "{currency}"' if code else number)


#: The most rows an Excel worksheet holds; `XlsxSheet` continues on a new sheet past it.
EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_TEXT = 32_767
_EXCEL_MAX_WIDTH = 255
# The document properties get this instant unless the caller gives one, and every zip
# entry gets the zip format's first instant, so the same input gives the same bytes.
_FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_WIDTH_SAMPLE = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 60
# Room around a cell's text, so that neighbours do not run together.
_PADDING = 3
# What a summed column keeps beside its widest value: four more digits, their separator
# and the bold total's wider figures.
_TOTAL_ROOM = 7
_EXCEL_MAX_COLUMNS = 16_384
_EXCEL_MAX_TITLE = 31
_FIRST_SERIAL_DATE = dt.date(1900, 1, 1)
# Excel refuses [ ] : * ? / \ in a sheet title, and an apostrophe at either end; control
# characters cannot be written in XML.
_SHEET_TITLE = re.compile(r"(?!')[^\[\]:*?/\\\x00-\x1f\ud800-\udfff\ufffe\uffff]{1,25}(?<!')")
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_MAX_TITLE = 25
_OPTIONAL_DECIMALS = re.compile(r"([^.;]*?)\.#+([^.;]*)")
_DATE_FORMAT = with_room("yyyy-mm-dd")
_TIME_FORMAT = with_room("hh:mm:ss")


def _body_font(*, bold: bool = False) -> Font:
    """The workbook's body font (openpyxl's default: its name, size, colour), in ``bold``.

    Every font a workbook's cells get is made here: a font without a name or size is
    shown in the spreadsheet program's own (a serif one in LibreOffice), not the body's.
    """
    font = copy.copy(DEFAULT_FONT)
    font.b = bold
    return font


_BOLD = _body_font(bold=True)
_RIGHT = Alignment(horizontal="right")
# A right-aligned header ends where its values end, in the same room (text's format).
_RIGHT_HEADER_FORMAT = with_room("@")
# What a spreadsheet aligns right: a header above them is aligned with them.
_RIGHT_ALIGNED = (int, Decimal, Money, dt.date, dt.time)
# How many distinct values a sheet remembers the cells of, per column, before it starts
# afresh; and the mark of a value not seen yet.
_REMEMBERED = 4_096
_UNSEEN = object()
_HASHABLE_CELLS = (str, int, Decimal, Money, dt.date, dt.time, type(None))

#: The papers a workbook's sheets may be printed on, with openpyxl's (and Excel's) number
#: for each. Without one a spreadsheet program picks its own, US Letter in LibreOffice.
PAPER_SIZES: Mapping[str, int] = MappingProxyType({"a4": 9, "letter": 1})

#: How a sheet ends: no totals, a totals row of values, or of formulas.
Totals: TypeAlias = Literal["none", "values", "formulas"]


def check_row(row: Sequence[Cell], width: int, where: str) -> None:
    """Refuse a row that is not a sequence of ``width`` cells (``where``: its table)."""
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
        raise InvalidValue(
            f"row {row!r} is a {type(row).__name__}, not a sequence of cells; give a tuple "
            f"or list of one value (or None) per column of {where}",
            value=row,
            field="row",
        )
    if len(row) != width:
        raise InvalidValue(
            f"row {row!r} has {len(row)} cells but {where} has {width} columns; give one "
            "value (or None) per column",
            value=row,
            field="row",
        )


@attrs.frozen
class XlsxColumn:
    """A column of an `XlsxSheet`: header, width, number format, and whether it is summed.

    Without a width, the sheet sizes the column to its header and first rows, with room
    to spare. ``number_format`` is the Excel format of the column's numbers, dates and
    times (money cells take their currency's format when it is None). With ``total``
    the column's numbers and money are summed in the sheet's totals row. A ``currency``
    column holds the currency codes of its rows' money: a sheet with one writes its
    amounts without the code, which the column shows beside them.
    """

    header: str
    width: float | None = attrs.field(default=None)
    number_format: str | None = None
    total: bool = False
    currency: bool = False

    @width.validator
    def _check_width(self, _: object, width: float | None) -> None:
        check_width(width, self.header)


def check_width(width: object, column: str) -> None:
    """Refuse a column width that is not None or a number of characters Excel allows."""
    if width is None:
        return
    if (
        isinstance(width, bool)
        or not isinstance(width, (int, float, Decimal))
        or not 0 < width <= _EXCEL_MAX_WIDTH
    ):
        raise InvalidValue(
            f"column width {width!r} of {column!r} is not a number of characters above 0 "
            f"and at most {_EXCEL_MAX_WIDTH}; give e.g. 12, or None to fit the column to its "
            "contents",
            value=width,
            field="width",
        )


def fitted_width(header: str, cells: Iterable[Cell], *, summed: bool = False) -> float:
    """The width of a column fitted to ``header`` and ``cells``, as a sheet fits its own.

    The widest, with room around it, within 8 and 60 characters; ``summed`` leaves room
    for the bold total. A sheet sizes a column by its first rows (it streams); give a
    column this width where its widest values are known before the rows (account names).
    """
    seen = [_display_width(cell) for cell in cells]
    wanted = max([len(header), *seen]) + _PADDING
    if summed:
        # The total, in bold, is longer than the values it sums.
        wanted = max(wanted, max(seen, default=0) + _TOTAL_ROOM)
    return float(min(max(wanted, _MIN_WIDTH), _MAX_WIDTH))


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, Money):
        return len(f"{value.amount:,}") + len(value.currency) + 1
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, dt.time):
        return 8
    return max((len(part) for part in str(value).splitlines()), default=0)


def _margins() -> PageMargins:
    """Excel's "Normal" margins, in inches.

    openpyxl's own leave the header 0.5 in from the edge within a 1 in margin; on some
    lengths of sheet LibreOffice then prints a blank page after the last row.
    """
    return PageMargins(left=0.7, right=0.7, top=0.75, bottom=0.75, header=0.3, footer=0.3)


def _header_footer_text(text: str) -> str:
    # No formula can run in a page header; "&" starts a code there, a literal one doubles.
    return remove_xml_forbidden(text).replace("&", "&&")


def _whole(number_format: str) -> str:
    """``number_format`` for a whole number: optional decimals (``0.##``) and their point go."""
    match = _OPTIONAL_DECIMALS.fullmatch(number_format)
    return number_format if match is None else match[1] + match[2]


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time and the same permissions."""

    def writestr(  # type: ignore[override]  # openpyxl passes names or ZipInfo, nothing else
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: str | bytes, *args: Any
    ) -> None:
        name = (
            zinfo_or_arcname.filename
            if isinstance(zinfo_or_arcname, zipfile.ZipInfo)
            else zinfo_or_arcname
        )
        super().writestr(_entry(name), data)

    def write(  # type: ignore[override]  # openpyxl passes a path and a name, nothing else
        self, filename: str, arcname: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        info = _entry(arcname or filename)
        # With the size known, zipfile writes ZIP64 headers for a worksheet past 4 GB.
        info.file_size = os.path.getsize(filename)
        with open(filename, "rb") as source, self.open(info, "w") as out:
            shutil.copyfileobj(source, out, 1 << 20)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = 0o644 << 16
    return info


class _Part:
    """One worksheet of a sheet: the first, or a continuation past the row cap."""

    __slots__ = ("data_rows", "first_data_row", "rows", "worksheet")

    def __init__(self, worksheet: Any) -> None:
        self.worksheet = worksheet
        self.rows = 0
        self.first_data_row = 0
        #: The last row of data, when a totals row follows; the filter stops there.
        self.data_rows: int | None = None


class XlsxSheet:
    """One logical sheet: an optional block above, a bold frozen header, typed rows.

    Numbers take their column's format; a format whose decimals are all optional
    (``#,##0.###``) drops its decimal point for whole numbers, so ``3`` is not ``3.``.
    The header row has a filter and is repeated on every printed page; pages are landscape
    and fit the width. Rows past the workbook's row cap continue on a new sheet named
    ``Title (2)``, with the header repeated. With ``totals`` a bold row under the last
    part sums the columns marked ``total`` (per currency for money), as values or, with
    ``"formulas"`` on a single worksheet in one currency, as ``SUBTOTAL`` formulas.
    """

    def __init__(
        self,
        book: XlsxWorkbook,
        title: str,
        columns: Sequence[XlsxColumn],
        *,
        above: Sequence[Sequence[Cell]] = (),
        totals: Totals = "none",
        totals_label: str = "Total",
        page_header: str | None = None,
    ) -> None:
        self._book = book
        self.title = title
        self.columns = tuple(columns)
        self._above = [tuple(row) for row in above]
        self._totals: Totals = totals
        self._totals_label = totals_label
        self._page_header = page_header
        self._parts: list[_Part] = []
        self._pending: list[Sequence[Cell]] | None = []
        self._widths: list[float] = []
        # Per column: whether its header stands right, above numbers, dates or times.
        self._right: list[bool] = []
        self._sums: list[dict[str | None, Decimal]] = [{} for _ in self.columns]
        self._closed = False
        #: The data rows written so far, over all parts.
        self._rows_written = 0
        # One styled cell per column and type, reused row after row: write-only sheets
        # write a row when it is appended, and a cell's style is worked out once.
        self._cells: dict[tuple[int, str], WriteOnlyCell] = {}
        # Per column: the cells of values seen, by value and by identity (see _first).
        self._known: list[dict[object, Any]] = []
        self._same: list[dict[int, tuple[object, Any]]] = []
        # Per summed column: each number seen, by identity, and how often.
        self._summed = tuple(i for i, column in enumerate(self.columns) if column.total)
        # A column of codes says the currency: amounts beside it need not say it again.
        self._coded = not any(column.currency for column in self.columns)
        self._label_at = self._label_column() if self._summed and totals != "none" else 0
        self._tally: list[dict[int, list[Any]]] = [{} for _ in self.columns]
        self._new_part()

    def _label_column(self) -> int:
        """Where the totals row's label goes: the first column without a sum or a code."""
        for index, column in enumerate(self.columns):
            if not column.total and not column.currency:
                return index
        raise InvalidValue(
            f"sheet {self.title!r} sums or names the currency in every column, which leaves "
            f"none for the totals row's label ({self._totals_label!r}); add a column without "
            "a total or currency, or ask for no totals row",
            value=self.title,
            field="columns",
        )

    @property
    def part_titles(self) -> tuple[str, ...]:
        """The titles of the worksheets this sheet has used so far."""
        return tuple(part.worksheet.title for part in self._parts)

    @property
    def worksheets(self) -> tuple[Any, ...]:
        """The openpyxl write-only worksheets of this sheet, first to last."""
        return tuple(part.worksheet for part in self._parts)

    def _new_part(self) -> None:
        previous = self._parts[-1] if self._parts else None
        if previous is not None:
            # A full part is finished: its filter is known, and closing it lets go of its file.
            self._finish(previous)
            previous.worksheet.close()
        title = self.title if previous is None else self._book._free_title(self.title)
        index = None if previous is None else self._book._index_after(previous.worksheet)
        worksheet = self._book.workbook.create_sheet(title, index)
        self._parts.append(_Part(worksheet))
        # The cells remembered belong to the previous worksheet.
        self._known = [{} for _ in self.columns]
        self._same = [{} for _ in self.columns]
        if self._pending is None:
            self._start_part()

    def _start_part(self) -> None:
        part = self._parts[-1]
        ws = part.worksheet
        above = self._above if len(self._parts) == 1 else []
        header_row = len(above) + 1 + (1 if above else 0)
        # A write-only sheet writes its widths, panes and properties with its first row.
        for index, width in enumerate(self._widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = f"A{header_row + 1}"
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = self._book.paper_size
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_margins = _margins()
        if self._book.seller:
            ws.oddHeader.left.text = _header_footer_text(self._book.seller)
        if self._page_header:
            ws.oddHeader.center.text = _header_footer_text(self._page_header)
        ws.oddFooter.left.text = _header_footer_text(ws.title)
        ws.oddFooter.right.text = "&P / &N"
        for row in above:
            ws.append(
                [
                    self._cell(i, value, bold=i == 0, key="above", formatted=False)
                    for i, value in enumerate(row)
                ]
            )
        if above:
            ws.append([])
        ws.append(
            [
                self._styled(
                    i,
                    clean_text(column.header),
                    fmt=_RIGHT_HEADER_FORMAT if right else None,
                    key="header",
                    bold=True,
                    right=right,
                )
                for i, (column, right) in enumerate(zip(self.columns, self._right, strict=True))
            ]
        )
        part.rows = header_row
        part.first_data_row = header_row + 1

    def _start(self) -> None:
        pending = self._pending or []
        self._widths = []
        self._right = [
            _aligned_right(row[index] for row in pending[:_WIDTH_SAMPLE])
            for index in range(len(self.columns))
        ]
        for index, column in enumerate(self.columns):
            if column.width is not None:
                self._widths.append(float(column.width))
                continue
            sample = [row[index] for row in pending[:_WIDTH_SAMPLE]]
            # The block above shares the columns: its amounts must show whole too.
            sample += [row[index] for row in self._above if index < len(row)]
            summed = column.total and self._totals != "none"
            self._widths.append(fitted_width(column.header, sample, summed=summed))
        self._pending = None
        self._start_part()
        for row in pending:
            self._write(row)

    def append(self, row: Sequence[Cell]) -> None:
        """Add one row of typed values."""
        if self._closed:
            raise self._book._closed_error()
        check_row(row, len(self.columns), f"sheet {self.title!r}")
        if self._pending is not None:
            self._pending.append(row)
            if len(self._pending) >= _WIDTH_SAMPLE:
                self._start()
            return
        self._write(row)

    def _write(self, row: Sequence[Cell]) -> None:
        part = self._parts[-1]
        if part.rows >= self._book.max_rows:
            self._new_part()
            part = self._parts[-1]
        known, same, first = self._known, self._same, self._first
        cells: list[Any] = []
        append = cells.append
        try:
            try:
                for index, value in enumerate(row):
                    cell = known[index].get(value, _UNSEEN)
                    if cell is _UNSEEN:
                        seen = same[index].get(id(value))
                        cell = (
                            seen[1]
                            if seen is not None and seen[0] is value
                            else first(index, value)
                        )
                    append(cell)
            except TypeError:
                # An unhashable value is no cell: the refusal names it.
                for value in row:
                    if not isinstance(value, _HASHABLE_CELLS):
                        raise cell_type_error(value) from None
                raise
        except OnAccountError as error:
            # Rows may wait for the column widths: name the row, not the one appended last.
            headers = [column.header for column in self.columns]
            where = f"sheet {self.title!r}"
            raise cell_error(error, row, where, self._rows_written + 1, headers) from None
        tally = self._tally
        for index in self._summed:
            value = row[index]
            counted = tally[index].get(id(value))
            if counted is not None and counted[0] is value:
                counted[1] += 1
            else:
                self._count(index, value)
        part.worksheet.append(cells)
        part.rows += 1
        self._rows_written += 1

    def _first(self, index: int, value: object) -> Any:
        """The cell for ``value`` at column ``index`` on its first sight, remembered.

        Rows repeat their values (names, products, dates, prices, amounts), so each
        distinct one is checked and styled once and its cell shared by the rows:
        write-only sheets write a row when it is appended. Text, dates and None are
        remembered by value, numbers by identity (an equal float must still be refused),
        keeping the value alive; times, nearly all different, share one styled cell.
        """
        kind = type(value)
        if kind is str:
            text = self._book._text(value)  # type: ignore[arg-type]  # checked: a str
            if not text:
                # Text that cleans to nothing is a blank cell, as spreadsheets keep blanks.
                found: Any = None
            elif text[0] == "=" or text in ERROR_CODES:
                # Text is text: openpyxl would read "#N/A" as an error and "=…" as a formula.
                found = self._styled(index, text, own=True)
            else:
                found = text
            self._remember(self._known[index], value, found)
            return found
        if kind is dt.time:
            return self._cell(index, value)
        if value is None or kind is dt.date:
            found = self._cell(index, value, own=True)
            self._remember(self._known[index], value, found)
            return found
        found = self._cell(index, value, own=True)
        self._remember(self._same[index], id(value), (value, found))
        return found

    @staticmethod
    def _remember(memo: dict[Any, Any], key: object, found: object) -> None:
        if len(memo) >= _REMEMBERED:
            memo.clear()
        memo[key] = found

    def _count(self, index: int, value: object) -> None:
        """Start counting ``value`` for the totals row; fold the counts in when many."""
        tally = self._tally[index]
        if len(tally) >= _REMEMBERED:
            self._fold(index)
        if isinstance(value, (Money, int, Decimal)) and not isinstance(value, bool):
            tally[id(value)] = [value, 1]

    def _fold(self, index: int) -> None:
        sums = self._sums[index]
        tally = self._tally[index]
        for value, count in tally.values():
            if isinstance(value, Money):
                sums[value.currency] = sums.get(value.currency, Decimal(0)) + value.amount * count
            else:
                sums[None] = sums.get(None, Decimal(0)) + value * count
        tally.clear()

    def _cell(
        self,
        index: int,
        value: object,
        *,
        bold: bool = False,
        key: str = "",
        formatted: bool = True,
        own: bool = False,
    ) -> WriteOnlyCell | None:
        """``value`` as a cell at column ``index``, in the column's format if ``formatted``.

        The cell is shared by the column's values of its kind, unless ``own``: a cell of
        its own, to be remembered for the value.
        """
        kind = type(value)
        if kind is str:
            text = self._book._text(value)  # type: ignore[arg-type]  # checked: a str
            # Text that cleans to nothing is a blank cell, as spreadsheets keep blanks.
            return self._styled(index, text, key=key, bold=bold, own=own) if text else None
        if kind is bool:
            raise cell_type_error(value)
        column = self.columns[index] if formatted and index < len(self.columns) else None
        wanted = column.number_format if column is not None else None
        if isinstance(value, Money):
            amount = money_amount(value)
            return self._styled(
                index,
                _exact(amount),
                # The block above stands apart from the currency column: it says its own.
                fmt=wanted or money_format(value.currency, code=self._coded or not formatted),
                key=key + value.currency,
                bold=bold,
                own=own,
            )
        if isinstance(value, (Decimal, int)):
            if isinstance(value, Decimal) and not value.is_finite():
                raise cell_type_error(value)
            if wanted is not None and value == int(value):
                wanted = _whole(wanted)
            return self._styled(index, _exact(value), fmt=wanted, key=key, bold=bold, own=own)
        if isinstance(value, dt.datetime):
            raise cell_type_error(value)
        if isinstance(value, dt.date):
            if value < _FIRST_SERIAL_DATE:
                # Excel has no serial number for days before 1900: write the date as text.
                return self._styled(index, value.isoformat(), key=key, bold=bold, own=own)
            fmt = wanted or self._book.date_format
            return self._styled(index, value, fmt=fmt, key=key + "date", bold=bold, own=own)
        if isinstance(value, dt.time):
            fmt = wanted or _TIME_FORMAT
            return self._styled(index, value, fmt=fmt, key=key + "time", bold=bold, own=own)
        if value is None:
            return None
        raise cell_type_error(value)

    def _styled(
        self,
        index: int,
        value: object,
        *,
        fmt: str | None = None,
        key: str = "",
        bold: bool = False,
        own: bool = False,
        formula: bool = False,
        right: bool = False,
    ) -> WriteOnlyCell:
        ws = self._parts[-1].worksheet
        slot = (index, f"{key}|{fmt}|{bold}|{right}|{id(ws)}")
        cell = self._cells.get(slot)
        if cell is None:
            cell = WriteOnlyCell(ws)
            if fmt is not None:
                cell.number_format = fmt
            if bold:
                cell.font = _BOLD
            if right:
                cell.alignment = _RIGHT
            self._cells[slot] = cell
        if own:
            mine = WriteOnlyCell(ws)
            mine._style = copy.copy(cell._style)
            cell = mine
        cell.value = value
        if type(value) is str:
            # Text is text: openpyxl would read "#N/A" as an error and "=…" as a formula.
            # Only the totals row's own sums are formulas.
            cell.data_type = "f" if formula else "s"
        return cell

    def _close(self) -> None:
        if self._closed:
            return
        if self._pending is not None:
            self._start()
        if self._totals != "none" and any(column.total for column in self.columns):
            self._write_totals()
        self._finish(self._parts[-1])
        self._closed = True

    def _finish(self, part: _Part) -> None:
        last = get_column_letter(len(self.columns))
        header = part.first_data_row - 1
        end = part.rows if part.data_rows is None else part.data_rows
        # Sorting or filtering the data leaves the totals row below it.
        part.worksheet.auto_filter.ref = f"A{header}:{last}{max(end, header)}"

    def _write_totals(self) -> None:
        for index in self._summed:
            self._fold(index)
        found = sorted({key for sums in self._sums for key in sums if key is not None})
        currencies: list[str | None] = [*found] if found else [None]
        part = self._parts[-1]
        if part.rows + 1 + len(currencies) > self._book.max_rows:
            self._new_part()
            part = self._parts[-1]
        formulas = self._totals == "formulas" and len(self._parts) == 1 and len(currencies) == 1
        first, last = part.first_data_row, part.rows
        part.data_rows = last
        part.worksheet.append([])
        part.rows += 1
        for currency in currencies:
            row: list[WriteOnlyCell | None] = []
            for index, column in enumerate(self.columns):
                if index == self._label_at:
                    label = self._totals_label + (f" {currency}" if len(currencies) > 1 else "")
                    row.append(self._styled(index, clean_text(label), key="total", bold=True))
                    continue
                if column.currency and currency is not None:
                    # The sums beside it show no code: the column says it, as in the rows.
                    row.append(self._styled(index, currency, key="total", bold=True))
                    continue
                if not column.total:
                    row.append(None)
                    continue
                sums = self._sums[index]
                amount = sums.get(currency)
                if amount is None and currency == currencies[0]:
                    amount = sums.get(None)
                # The currency when the column sums money in it, else None.
                money = currency if currency is not None and currency in sums else None
                if formulas and last >= first:
                    letter = get_column_letter(index + 1)
                    fmt = column.number_format or (
                        money_format(money, code=self._coded) if money else None
                    )
                    formula = f"=SUBTOTAL(109,{letter}{first}:{letter}{last})"
                    row.append(
                        self._styled(index, formula, fmt=fmt, key="total", bold=True, formula=True)
                    )
                elif amount is None:
                    row.append(None)
                else:
                    # Written as a data cell of the column is: money in its currency, a whole
                    # number without the optional decimals.
                    value = Money(amount, money) if money else amount
                    row.append(self._cell(index, value, key="total", bold=True))
            part.worksheet.append(row)
            part.rows += 1


def _aligned_right(values: Iterable[object]) -> bool:
    """Whether a spreadsheet shows ``values`` right-aligned: numbers, dates, times, no text."""
    found = [value for value in values if value is not None]
    return bool(found) and all(
        isinstance(value, _RIGHT_ALIGNED) and not isinstance(value, bool) for value in found
    )


def _numbered(base: str, counter: int) -> str:
    """``Title (n)``, the title cut so that the whole keeps Excel's 31 characters."""
    suffix = f" ({counter})"
    return base[: _EXCEL_MAX_TITLE - len(suffix)].rstrip() + suffix


def _exact(value: Decimal | int) -> Decimal | int:
    """``value`` as openpyxl writes it exactly: no exponent for whole numbers, no ``-0``."""
    if isinstance(value, int):
        return value
    if value.is_zero():
        return value.copy_abs()
    if value.as_tuple().exponent > 0:  # type: ignore[operator]  # finite: an int exponent
        return int(value)
    return value


class XlsxWorkbook:
    """A streaming XLSX workbook on openpyxl: typed cells, safe text, the same bytes each time.

    ``max_rows`` caps the rows of each worksheet (Excel's limit by default);
    ``timestamp`` is the time the document properties carry (a fixed instant by default,
    never the clock; an aware time is taken in UTC); ``seller``, the club the workbook
    is from, is printed at the top left of every page; ``paper`` is what its sheets are
    printed on, ``"a4"`` or US ``"letter"`` (see `PAPER_SIZES`); ``date_format`` is the
    number format of a date whose column gives none, such as one in the block above a
    table (ISO by default). openpyxl streams the rows to
    temporary files until `save`; use the workbook in a ``with`` block so that a failed
    export removes them. `workbook` is the openpyxl workbook, for hooks that add to it.
    """

    def __init__(
        self,
        *,
        max_rows: int = EXCEL_MAX_ROWS,
        timestamp: dt.datetime | None = None,
        title: str | None = None,
        creator: str = "onaccount",
        seller: str | None = None,
        paper: str = "a4",
        date_format: str = _DATE_FORMAT,
    ) -> None:
        if not isinstance(date_format, str) or not date_format.strip():
            raise InvalidValue(
                f"date format {date_format!r} is no number format; give one such as 'dd-mm-yyyy'",
                value=date_format,
                field="date_format",
            )
        #: The number format of a date whose column gives none.
        self.date_format = date_format
        if not isinstance(paper, str) or paper not in PAPER_SIZES:
            raise InvalidValue(
                f"paper {paper!r} is not one of {', '.join(map(repr, PAPER_SIZES))}; "
                "give the paper the sheets are printed on",
                value=paper,
                field="paper",
            )
        #: openpyxl's number of the paper the sheets are printed on.
        self.paper_size = PAPER_SIZES[paper]
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 2:
            raise InvalidValue(
                f"row cap {max_rows!r} leaves no room for a header and a row; give an int "
                f"of at least 2 (Excel's own cap is {EXCEL_MAX_ROWS})",
                value=max_rows,
                field="max_rows",
            )
        if max_rows > EXCEL_MAX_ROWS:
            raise InvalidValue(
                f"row cap {max_rows} is above Excel's {EXCEL_MAX_ROWS}; Excel would not open "
                "the file, give a smaller cap",
                value=max_rows,
                field="max_rows",
            )
        self.max_rows = max_rows
        if timestamp is None:
            stamp = _FIXED_TIMESTAMP
        elif timestamp.tzinfo is not None:
            stamp = timestamp.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        else:
            stamp = timestamp.replace(microsecond=0)
        #: The openpyxl workbook (write-only): hooks may add sheets, names or properties.
        self.workbook = Workbook(write_only=True)
        properties = self.workbook.properties
        properties.created = properties.modified = stamp
        properties.creator = clean_text(creator)
        properties.lastModifiedBy = None
        properties.title = None if title is None else clean_text(title)
        #: Who the workbook is from (the club), named at the top left of every page.
        self.seller = seller
        self._sheets: list[XlsxSheet] = []
        self._texts: dict[str, str] = {}
        self._saved = False

    def _text(self, value: str) -> str:
        # Names and products repeat: clean each distinct text once.
        found = self._texts.get(value)
        if found is None:
            if len(self._texts) > 20_000:
                self._texts.clear()
            found = clean_text(value)
            if len(found) > _EXCEL_MAX_TEXT:
                # Excel refuses longer cells; keep what fits and mark the cut.
                found = found[: _EXCEL_MAX_TEXT - 1] + "…"
            self._texts[value] = found
        return found

    def sheet(
        self,
        title: str,
        columns: Sequence[XlsxColumn | str],
        *,
        above: Sequence[Sequence[Cell]] = (),
        totals: Totals = "none",
        totals_label: str = "Total",
        page_header: str | None = None,
    ) -> XlsxSheet:
        """Add a sheet with ``columns`` (headers or `XlsxColumn`), after the existing ones.

        ``above`` are rows written above the header (a title, a balance), ``totals`` and
        ``totals_label`` the totals row, ``page_header`` the text at the top of every
        printed page. Titles are at most 25 characters (Excel allows 31; continuation
        sheets add up to six), without brackets, colons, asterisks, question marks or
        slashes, not starting or ending with an apostrophe, and unique regardless of case.
        """
        if self._saved:
            raise self._closed_error()
        if not isinstance(title, str) or not _SHEET_TITLE.fullmatch(title):
            raise InvalidValue(
                f"sheet title {title!r} is not 1 to 25 characters without [ ] : * ? / \\ "
                "and without an apostrophe at either end; Excel refuses other titles, give "
                "e.g. 'Lines'",
                value=title,
                field="title",
            )
        if self._taken(title):
            raise InvalidValue(
                f"sheet title {title!r} is taken already (continuation sheets are named "
                "'Title (2)' and so on); give each sheet its own title",
                value=title,
                field="title",
            )
        if totals not in ("none", "values", "formulas"):
            raise InvalidValue(
                f"totals {totals!r} is not a way to end a sheet; use 'none', 'values' or "
                "'formulas'",
                value=totals,
                field="totals",
            )
        built = [XlsxColumn(c) if isinstance(c, str) else c for c in columns]
        if len(built) > _EXCEL_MAX_COLUMNS:
            raise InvalidValue(
                f"sheet {title!r} has {len(built):,} columns; Excel holds at most "
                f"{_EXCEL_MAX_COLUMNS}, split the table",
                value=len(built),
                field="columns",
            )
        if not built:
            raise InvalidValue(
                f"sheet {title!r} has no columns; give at least one header",
                value=title,
                field="columns",
            )
        sheet = XlsxSheet(
            self,
            title,
            built,
            above=above,
            totals=totals,
            totals_label=totals_label,
            page_header=page_header,
        )
        self._sheets.append(sheet)
        return sheet

    def _taken(self, title: str) -> bool:
        return any(ws.title.casefold() == title.casefold() for ws in self.workbook.worksheets)

    def _free_title(self, base: str) -> str:
        counter = 2
        while self._taken(_numbered(base, counter)):
            counter += 1
        return _numbered(base, counter)

    def _index_after(self, worksheet: Any) -> int:
        return int(self.workbook.worksheets.index(worksheet)) + 1

    def _closed_error(self) -> InvalidValue:
        return InvalidValue(
            "this workbook was saved already (or discarded); make a new XlsxWorkbook to "
            "write another",
            value=self,
        )

    def discard(self) -> None:
        """Let go of the rows written so far without saving: openpyxl's temporary files go."""
        if self._saved:
            return
        self._saved = True
        for ws in self.workbook.worksheets:
            writer = getattr(ws, "_writer", None)
            if writer is None:
                continue
            # A sheet whose writing failed half-way may not close cleanly; its file goes.
            with contextlib.suppress(Exception):
                ws.close()
            with contextlib.suppress(Exception):
                writer.cleanup()

    def __enter__(self) -> XlsxWorkbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def save(self, stream: BinaryIO, hook: Callable[[XlsxWorkbook], object] | None = None) -> None:
        """Write the workbook to ``stream``; ``hook`` may add to it first (see `workbook`)."""
        if self._saved:
            raise self._closed_error()
        try:
            for sheet in self._sheets:
                sheet._close()
            if not self.workbook.worksheets:
                # Excel will not open a workbook without a sheet.
                self.workbook.create_sheet("Sheet")
            if hook is not None:
                hook(self)
                # Sheets the hook added are finished like the others.
                for sheet in self._sheets:
                    sheet._close()
            archive = _FixedTimeZip(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
            ExcelWriter(self.workbook, archive).save()
        except BaseException:
            self.discard()
            raise
        self._saved = True


def sheet_title(name: str, label: str) -> str:
    """A sheet title Excel takes for ``label`` about ``name`` (an account number, say).

    Characters Excel refuses in titles become ``-`` and ``name`` is shortened so that
    ``label`` always fits: ``sheet_title("12/10", "Dagen")`` is ``"12-10 Dagen"``.
    """
    room = _MAX_TITLE - len(label) - 1
    stem = _TITLE_FORBIDDEN.sub("-", name)[: max(room, 0)].strip().strip("'")
    return f"{stem} {label}" if stem else label

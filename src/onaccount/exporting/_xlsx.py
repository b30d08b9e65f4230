"""A streaming XLSX writer: typed cells, safe text, flat memory, the same bytes each time.

Rows are turned into SpreadsheetML as they are appended and spooled to one temporary file
per worksheet; `XlsxWorkbook.save` writes the package (workbook, styles, document
properties and the worksheets) into one zip. Per cell this costs a few string operations
instead of a cell object, which is what lets a workbook of millions of lines be written
in the time the data takes to read.

Text is inline (no shared-strings table to hold in memory), numbers are written exactly
as their Decimal digits, dates and times as Excel serial numbers with a date or time
format, money with its currency's format.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO, Any, BinaryIO, NamedTuple, TypeAlias

import attrs

from onaccount._errors import InvalidValue
from onaccount._money import CURRENCIES, check_currency

from ._safety import clean_text

__all__ = ["EXCEL_MAX_ROWS", "Cell", "Money", "XlsxColumn", "XlsxSheet", "XlsxWorkbook"]


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
    return InvalidValue(
        f"cell value {value!r} is a {type(value).__name__}; write str, int, Decimal, Money, "
        "date, time or None (floats cannot hold money exactly)",
        value=value,
        field="cell",
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


#: The most rows an Excel worksheet holds; `XlsxSheet` continues on a new sheet past it.
EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_TEXT = 32_767
_EXCEL_MAX_TITLE = 31
_EXCEL_MAX_COLUMNS = 16_384
_EXCEL_MAX_WIDTH = 255
# Zip entries get this instant and the document properties get a fixed one unless the
# caller gives one, so the same input gives the same bytes.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)
_WIDTH_SAMPLE = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 60
# Excel refuses [ ] : * ? / \ in a sheet title, and an apostrophe at either end; control
# characters cannot be written in XML.
_SHEET_TITLE = re.compile(r"(?!')[^\[\]:*?/\\\x00-\x1f\ud800-\udfff\ufffe\uffff]{1,25}(?<!')")
# Rows are joined and written to the spool file in blocks of this many.
_BLOCK = 512

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles (indexes into cellXfs): the fixed ones, then one per currency format.
_STYLE_HEADER, _STYLE_DATE, _STYLE_TIME = 1, 2, 3
_FIXED_STYLES = 4
# Custom number formats are numbered from 164: the date, the time, then the currencies.
# The time is spelled out rather than Excel's built-in 21, which other programs show in
# their own locale's style (with AM/PM, say).
_DATE_FORMAT_ID, _TIME_FORMAT_ID, _MONEY_FORMAT_ID = 164, 165, 166
# Excel's 1900 date system counts from 1899-12-30 and, after Lotus, has a 29 February
# 1900 that never was: serial numbers up to 60 are one day off.
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
_FIRST_EXACT_SERIAL = dt.date(1900, 3, 1).toordinal() - _EXCEL_EPOCH
_FIRST_SERIAL_DATE = dt.date(1900, 1, 1)


def _escape(text: str) -> str:
    # A carriage return is kept as a character reference; XML parsers turn a literal one
    # into a line feed.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _column_letter(index: int) -> str:
    """The letters of 1-based column ``index``: 1 is A, 27 is AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_UNSEEN = object()


def _inline(text: str) -> str:
    """What follows a text cell's reference for cleaned ``text``: capped, escaped, inline."""
    if len(text) > _EXCEL_MAX_TEXT:
        text = text[: _EXCEL_MAX_TEXT - 1] + "…"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _text_cell(value: str) -> str | None:
    """A text cell: cleaned; text that cleans to nothing is no cell, as blanks are kept."""
    text = clean_text(value)
    return _inline(text) if text else None


def _header_cell(header: str) -> str:
    # A header is always a cell, bold, even when empty; without the leading quote.
    return _inline(clean_text(header))[1:]


def _money_format(currency: str) -> str:
    places = CURRENCIES.get(currency, 2)
    number = "#,##0" + ("." + "0" * places if places else "")
    return f'{number} "{currency}"'


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, Money):
        return len(f"{value.amount:,}") + len(value.currency) + 2
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, dt.time):
        return 8
    return max((len(part) for part in str(value).splitlines()), default=0)


@attrs.frozen
class XlsxColumn:
    """A column of an `XlsxSheet`: its header and, optionally, a fixed width in characters.

    Without a width, the sheet sizes the column to its header and first rows.
    """

    header: str
    width: float | None = attrs.field(default=None)

    @width.validator
    def _check_width(self, _: object, width: float | None) -> None:
        if width is None:
            return
        if (
            isinstance(width, bool)
            or not isinstance(width, (int, float, Decimal))
            or not 0 < width <= _EXCEL_MAX_WIDTH
        ):
            raise InvalidValue(
                f"column width {width!r} of {self.header!r} is not a number of characters "
                f"above 0 and at most {_EXCEL_MAX_WIDTH}; give e.g. 12, or None to fit the "
                "column to its contents",
                value=width,
                field="width",
            )


class _Spool:
    """The temporary file a sheet's parts are written to, one part after the other.

    One file per sheet, not per part, so a sheet cut into many parts holds one file open.
    """

    __slots__ = ("file",)

    def __init__(self) -> None:
        self.file: IO[bytes] | None = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _Part:
    """One worksheet of the package: its rows as XML, at ``offset`` in its sheet's spool."""

    __slots__ = ("block", "columns", "offset", "rows", "size", "spool", "title", "widths")

    def __init__(self, title: str, columns: int, spool: _Spool) -> None:
        self.title = title
        self.columns = columns
        self.rows = 0
        self.spool = spool
        self.offset = 0 if spool.file is None else spool.file.tell()
        self.size = 0
        self.widths: list[float] = []
        self.block: list[str] = []

    @property
    def file(self) -> IO[bytes] | None:
        return self.spool.file

    def flush(self) -> None:
        file = self.spool.file
        if self.block and file is not None:
            data = "".join(self.block).encode("utf-8")
            self.block = []
            file.write(data)
            self.size += len(data)

    def close(self) -> None:
        self.spool.close()

    @property
    def filter_ref(self) -> str:
        return f"A1:{_column_letter(max(self.columns, 1))}{max(self.rows, 1)}"


class _Cells:
    """Turns values into cell XML; one per workbook, caching what repeats."""

    __slots__ = ("_dates", "_formats", "_money", "_texts", "kinds")

    def __init__(self) -> None:
        self._texts: dict[str, str | None] = {}
        self._dates: dict[dt.date, str] = {}
        self._money: dict[str, str] = {}
        # Currency formats in the order first used: style _FIXED_STYLES + position.
        self._formats: dict[str, int] = {}
        # The common types by exact type; subclasses and refusals take the long way.
        self.kinds: dict[type, Callable[[Any], str | None]] = {
            str: self.text,
            Decimal: self._number,
            int: self._number,
            Money: self.money,
            dt.date: self.date,
            dt.time: self._time,
        }

    @property
    def money_formats(self) -> list[str]:
        """The currency number formats used, in style order."""
        return [_money_format(currency) for currency in self._formats]

    def text(self, value: str) -> str | None:
        texts = self._texts
        xml = texts.get(value, _UNSEEN)
        if xml is not _UNSEEN:
            return xml  # type: ignore[return-value]  # a str or None once seen
        if len(texts) > 20_000:
            texts.clear()
        xml = texts[value] = _text_cell(value)
        return xml

    @staticmethod
    def _number(value: Decimal | int) -> str:
        return f'"><v>{plain_number(value)}</v></c>'

    def money(self, value: Money) -> str:
        currency = value.currency
        style = self._money.get(currency)
        if style is None:
            # The code goes into the number format: only real ones, never stray quotes.
            check_currency(currency, field="Money currency", obj=value)
            index = self._formats.setdefault(currency, len(self._formats))
            style = self._money[currency] = f'" s="{_FIXED_STYLES + index}"><v>'
        return f"{style}{plain_number(value.amount)}</v></c>"

    def date(self, value: dt.date) -> str | None:
        xml = self._dates.get(value)
        if xml is None:
            if len(self._dates) > 20_000:
                self._dates.clear()
            if value < _FIRST_SERIAL_DATE:
                # Excel has no serial number before 1900: show the date as text.
                return self.text(value.isoformat())
            serial = value.toordinal() - _EXCEL_EPOCH
            if serial < _FIRST_EXACT_SERIAL:
                serial -= 1
            xml = self._dates[value] = f'" s="{_STYLE_DATE}"><v>{serial}</v></c>'
        return xml

    @staticmethod
    def _time(value: dt.time) -> str:
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        fraction = (seconds + value.microsecond / 1_000_000) / 86_400
        return f'" s="{_STYLE_TIME}"><v>{fraction!r}</v></c>'

    def cell(self, value: object) -> str | None:
        """What follows a cell's reference, or None for an empty cell."""
        quick = self.kinds.get(type(value))
        if quick is not None:
            return quick(value)
        if value is None:
            return None
        if isinstance(value, (bool, dt.datetime)):
            raise cell_type_error(value)
        if isinstance(value, str):
            return self.text(str(value))
        if isinstance(value, Money):
            return self.money(Money(*value))
        if isinstance(value, int):
            return self._number(int(value))
        if isinstance(value, Decimal):
            return self._number(Decimal(value))
        if isinstance(value, dt.date):
            return self.date(dt.date(value.year, value.month, value.day))
        if isinstance(value, dt.time):
            return self._time(value)
        raise cell_type_error(value)


class XlsxSheet:
    """One logical sheet: a bold, frozen header row with an autofilter, then typed rows.

    Rows past the workbook's row cap continue on a new sheet named ``Title (2)``, with the
    header repeated, placed right after the previous part.
    """

    def __init__(self, book: XlsxWorkbook, title: str, columns: Sequence[XlsxColumn]) -> None:
        self._book = book
        self.title = title
        self.columns = tuple(columns)
        self._refs = tuple('<c r="' + _column_letter(i) for i in range(1, len(columns) + 1))
        self._spool = _Spool()
        self._parts: list[_Part] = []
        self._pending: list[Sequence[Cell]] | None = []
        self._widths: list[float] = []
        self._new_part()

    @property
    def part_titles(self) -> tuple[str, ...]:
        """The titles of the worksheets this sheet has used so far."""
        return tuple(part.title for part in self._parts)

    def _new_part(self) -> None:
        if self._parts:
            # The spool holds one part after another: the last one's rows go first.
            self._parts[-1].flush()
        title = self.title if not self._parts else self._book._free_title(self.title)
        part = _Part(title, len(self.columns), self._spool)
        self._book._insert(part, after=self._parts[-1] if self._parts else None)
        part.widths = self._widths
        self._parts.append(part)
        if self._pending is None:
            self._write_header()

    def _write_header(self) -> None:
        part = self._parts[-1]
        cells = "".join(
            f'{ref}1" s="{_STYLE_HEADER}"{_header_cell(column.header)}'
            for ref, column in zip(self._refs, self.columns, strict=True)
        )
        part.block.append(f'<row r="1">{cells}</row>')
        part.rows = 1

    def _start(self) -> None:
        pending = self._pending or []
        self._widths = []
        for index, column in enumerate(self.columns):
            if column.width is not None:
                self._widths.append(float(column.width))
                continue
            seen = [_display_width(row[index]) for row in pending[:_WIDTH_SAMPLE]]
            wanted = max([len(column.header), *seen]) + 2
            self._widths.append(float(min(max(wanted, _MIN_WIDTH), _MAX_WIDTH)))
        self._parts[-1].widths = self._widths
        self._pending = None
        self._write_header()
        for row in pending:
            self._write(row)

    def append(self, row: Sequence[Cell]) -> None:
        """Add one row of typed values."""
        if len(row) != len(self.columns):
            raise InvalidValue(
                f"row {row!r} has {len(row)} cells but sheet {self.title!r} has "
                f"{len(self.columns)} columns; give one value (or None) per column",
                value=row,
                field="row",
            )
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
        if part.file is None:
            raise self._book._closed_error()
        number = part.rows + 1
        at = str(number)
        cells = self._book._cells
        kinds, cell = cells.kinds, cells.cell
        xml = [f'<row r="{at}">']
        for ref, value in zip(self._refs, row, strict=True):
            quick = kinds.get(type(value))
            rest = cell(value) if quick is None else quick(value)
            if rest is not None:
                xml.append(ref + at + rest)
        xml.append("</row>")
        part.rows = number
        block = part.block
        block.append("".join(xml))
        if len(block) >= _BLOCK:
            part.flush()

    def _close(self) -> None:
        if self._pending is not None:
            self._start()


class XlsxWorkbook:
    """A streaming XLSX workbook: typed cells, safe text, the same bytes each time.

    ``max_rows`` caps the rows of each worksheet, header included (Excel's limit by
    default); ``timestamp`` is the time the document properties carry (a fixed instant by
    default, never the clock; an aware time is taken in UTC). Rows are spooled to
    temporary files until `save`; use the workbook in a ``with`` block so that a failed
    export removes them.
    """

    def __init__(
        self,
        *,
        max_rows: int = EXCEL_MAX_ROWS,
        timestamp: dt.datetime | None = None,
        title: str | None = None,
        creator: str = "onaccount",
    ) -> None:
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
        self._timestamp = stamp
        self._title = None if title is None else clean_text(title)
        self._creator = clean_text(creator)
        self._cells = _Cells()
        self._sheets: list[XlsxSheet] = []
        self._order: list[_Part] = []
        self._saved = False

    def sheet(self, title: str, columns: Sequence[XlsxColumn | str]) -> XlsxSheet:
        """Add a sheet with ``columns`` (headers or `XlsxColumn`), after the existing ones.

        Titles are at most 25 characters (Excel allows 31; continuation sheets add up to
        six), without brackets, colons, asterisks, question marks or slashes, not
        starting or ending with an apostrophe, and unique regardless of case.
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
        if not columns:
            raise InvalidValue(
                f"sheet {title!r} has no columns; give at least one header",
                value=columns,
                field="columns",
            )
        if len(columns) > _EXCEL_MAX_COLUMNS:
            raise InvalidValue(
                f"sheet {title!r} has {len(columns)} columns; Excel holds at most "
                f"{_EXCEL_MAX_COLUMNS}, split the table over several sheets",
                value=len(columns),
                field="columns",
            )
        sheet = XlsxSheet(
            self, title, [c if isinstance(c, XlsxColumn) else XlsxColumn(c) for c in columns]
        )
        self._sheets.append(sheet)
        return sheet

    def _taken(self, title: str) -> bool:
        # Excel compares sheet names regardless of case; continuation parts count too.
        folded = title.casefold()
        return any(p.title.casefold() == folded for p in self._order) or any(
            s.title.casefold() == folded for s in self._sheets
        )

    def _free_title(self, base: str) -> str:
        """The first ``base (n)``, n from 2, that no sheet or part has taken."""
        number = 2
        while True:
            suffix = f" ({number})"
            # Excel's limit is 31 characters; a long base gives way to the number.
            title = base[: _EXCEL_MAX_TITLE - len(suffix)] + suffix
            if not self._taken(title):
                return title
            number += 1

    def _insert(self, part: _Part, *, after: _Part | None) -> None:
        # A continuation goes right after the part it continues, not at the end.
        if after is None:
            self._order.append(part)
        else:
            self._order.insert(self._order.index(after) + 1, part)

    def _closed_error(self) -> InvalidValue:
        return InvalidValue(
            "this workbook was saved or discarded already; build a new XlsxWorkbook for "
            "another file",
            value=self,
        )

    def discard(self) -> None:
        """Let go of a workbook that will not be saved, removing its temporary files.

        Leaving the ``with`` block of a workbook that was not saved does this.
        """
        self._saved = True
        for part in self._order:
            part.close()

    def __enter__(self) -> XlsxWorkbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def save(self, stream: BinaryIO) -> None:
        """Write the workbook to ``stream``; a workbook is saved once."""
        if self._saved:
            raise InvalidValue(
                "this workbook was saved already; build a new XlsxWorkbook for another file",
                value=self,
            )
        try:
            for sheet in self._sheets:
                sheet._close()
            if not self._sheets:
                self.sheet("Sheet", ["empty"])._close()
            for part in self._order:
                part.flush()
            self._saved = True
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, text in self._package():
                    archive.writestr(_entry(name), text.encode("utf-8"))
                for number, part in enumerate(self._order, 1):
                    self._write_part(archive, f"xl/worksheets/sheet{number}.xml", part)
        finally:
            self.discard()

    def _write_part(self, archive: zipfile.ZipFile, name: str, part: _Part) -> None:
        head = _worksheet_head(part).encode("utf-8")
        tail = (
            f'</sheetData><autoFilter ref="{part.filter_ref}"/><pageMargins left="0.75" '
            'right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
        ).encode()
        size = len(head) + part.size + len(tail)
        spool = part.file
        if spool is None:  # pragma: no cover - save holds every part open until here
            raise self._closed_error()
        spool.seek(part.offset)
        entry = _entry(name)
        # Told the size up front, zipfile writes ZIP64 headers when the part needs them.
        entry.file_size = size
        with archive.open(entry, "w") as out:
            out.write(head)
            left = part.size
            while left and (chunk := spool.read(min(left, 1 << 20))):
                out.write(chunk)
                left -= len(chunk)
            out.write(tail)

    def _package(self) -> list[tuple[str, str]]:
        parts = self._order
        sheets = "".join(
            f'<sheet name="{_attribute(part.title)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, part in enumerate(parts, 1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{_escape(_absolute(part))}</definedName>"
            for n, part in enumerate(parts)
        )
        workbook = (
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets><definedNames>{names}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        sheet_rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(parts) + 1)
        )
        workbook_rels = (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">{sheet_rels}'
            f'<Relationship Id="rId{len(parts) + 1}" Type="{_REL}/styles" '
            'Target="styles.xml"/></Relationships>'
        )
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(parts) + 1)
        )
        content_types = (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override '
            'PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
            'package.core-properties+xml"/><Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-'
            f'properties+xml"/>{sheet_types}</Types>'
        )
        root_rels = (
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>'
        )
        return [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", root_rels),
            ("docProps/core.xml", self._core()),
            ("docProps/app.xml", _app()),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/styles.xml", _styles(self._cells.money_formats)),
        ]

    def _core(self) -> str:
        stamp = f"{self._timestamp.isoformat(timespec='seconds')}Z"
        title = "" if self._title is None else f"<dc:title>{_escape(self._title)}</dc:title>"
        return (
            f"{_XML_HEAD}<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_escape(self._creator)}</dc:creator>{title}"
            f"<cp:lastModifiedBy>{_escape(self._creator)}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        )


def _entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.create_system = 0
    entry.external_attr = 0o644 << 16
    return entry


def _absolute(part: _Part) -> str:
    """The part's filtered range as a defined name writes it: ``'Lines (2)'!$A$1:$M$9``."""
    last = _column_letter(max(part.columns, 1))
    quoted = part.title.replace("'", "''")
    return f"'{quoted}'!$A$1:${last}${max(part.rows, 1)}"


def _worksheet_head(part: _Part) -> str:
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>'
        for n, width in enumerate(part.widths, 1)
    )
    return (
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
        'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    )


def _app() -> str:
    return (
        f'{_XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
        '2006/extended-properties"><Application>onaccount</Application></Properties>'
    )


def _styles(money_formats: Sequence[str]) -> str:
    formats = [
        f'<numFmt numFmtId="{_DATE_FORMAT_ID}" formatCode="yyyy-mm-dd"/>',
        f'<numFmt numFmtId="{_TIME_FORMAT_ID}" formatCode="hh:mm:ss"/>',
        *(
            f'<numFmt numFmtId="{_MONEY_FORMAT_ID + n}" formatCode="{_attribute(code)}"/>'
            for n, code in enumerate(money_formats)
        ),
    ]
    xf = '<xf numFmtId="{}" fontId="{}" fillId="0" borderId="0" xfId="0"{}/>'
    number = ' applyNumberFormat="1"'
    styles = [
        xf.format(0, 0, ""),
        xf.format(0, 1, ' applyFont="1"'),
        xf.format(_DATE_FORMAT_ID, 0, number),
        xf.format(_TIME_FORMAT_ID, 0, number),
        *(xf.format(_MONEY_FORMAT_ID + n, 0, number) for n in range(len(money_formats))),
    ]
    font = '<font>{}<sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    return (
        f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="{len(formats)}">{"".join(formats)}</numFmts>'
        f'<fonts count="2">{font.format("")}{font.format("<b/>")}</fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
        "</borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{len(styles)}">{"".join(styles)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )

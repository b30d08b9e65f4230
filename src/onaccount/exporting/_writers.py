"""Safe writers every exporter can use: CSV and XLSX with the core's safety, atomic files.

Text given to `CsvWriter` and `XlsxWorkbook` loses the characters XML forbids and is
neutralised against formula injection (see `clean_text`); numbers, money and dates stay
typed. `write_atomically` and `export_to_directory` write through a temporary file and a
rename, so a failed export leaves no file behind.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple, TypeAlias

import attrs
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import tostring

from onaccount._errors import InvalidValue
from onaccount._money import CURRENCIES
from onaccount._runs import InvoiceRun, Plan
from onaccount._statement import Statement

from ._document import split_by_account
from ._errors import ExportTargetExists, UnsupportedSource
from ._exporter import Exportable, Exporter, ExportOptions
from ._safety import clean_text, safe_filename

__all__ = [
    "CSV_DIALECTS",
    "EXCEL_MAX_ROWS",
    "EXCEL_NL",
    "RFC4180",
    "Cell",
    "CsvDialect",
    "CsvWriter",
    "Money",
    "XlsxColumn",
    "XlsxSheet",
    "XlsxWorkbook",
    "default_stem",
    "export_to_directory",
    "export_to_file",
    "write_atomically",
]


class Money(NamedTuple):
    """An amount in a currency: a number cell that XLSX shows with the currency's format."""

    amount: Decimal
    currency: str


#: What a row of the shared writers may hold. Text is cleaned and neutralised; the rest is
#: written as typed values. Floats are refused: money is exact.
Cell: TypeAlias = str | int | Decimal | Money | dt.date | dt.time | None


def _cell_type_error(value: object) -> InvalidValue:
    return InvalidValue(
        f"cell value {value!r} is a {type(value).__name__}; write str, int, Decimal, Money, "
        "date, time or None (floats cannot hold money exactly)",
        value=value,
        field="cell",
    )


def _plain_number(value: Decimal | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_zero():
        value = value.copy_abs()  # no "-0.00"
    return format(value, "f")


# -- CSV ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CsvDialect:
    """How a CSV file is spelled: separator, decimal mark, encoding mark, line ends, dates."""

    name: str
    delimiter: str
    decimal: str
    bom: bool
    dates: Literal["iso", "dmy"]
    line_terminator: str = "\r\n"

    def number(self, value: Decimal | int) -> str:
        """``value`` in this dialect, without thousands separators (``-2,80``)."""
        text = _plain_number(value)
        return text.replace(".", self.decimal) if self.decimal != "." else text

    def date(self, value: dt.date) -> str:
        """``value`` in this dialect (``31-10-2026`` or ``2026-10-31``)."""
        if self.dates == "dmy":
            return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"
        return value.isoformat()

    def format(self, value: Cell) -> str:
        """The text a cell becomes: numbers and dates formatted, text cleaned."""
        if value is None:
            return ""
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, bool):
            raise _cell_type_error(value)
        if isinstance(value, (int, Decimal)):
            return self.number(value)
        if isinstance(value, Money):
            return self.number(value.amount)
        if isinstance(value, dt.datetime):
            raise _cell_type_error(value)
        if isinstance(value, dt.date):
            return self.date(value)
        if isinstance(value, dt.time):
            return value.isoformat(timespec="seconds")
        raise _cell_type_error(value)


#: Dutch Excel: ``;`` between fields, decimal comma, UTF-8 with a BOM, CRLF, ``dd-mm-yyyy``.
EXCEL_NL = CsvDialect(name="excel-nl", delimiter=";", decimal=",", bom=True, dates="dmy")
#: RFC 4180: ``,`` between fields, decimal point, UTF-8 without a BOM, CRLF, ISO dates.
RFC4180 = CsvDialect(name="rfc4180", delimiter=",", decimal=".", bom=False, dates="iso")
#: The CSV dialects by name.
CSV_DIALECTS: Mapping[str, CsvDialect] = {d.name: d for d in (EXCEL_NL, RFC4180)}


class CsvWriter:
    """Writes typed rows as CSV to a binary stream, cleaning every text cell.

    Use it as a context manager, or call `close`, which flushes and leaves ``stream``
    open.
    """

    def __init__(self, stream: BinaryIO, dialect: CsvDialect) -> None:
        self.dialect = dialect
        self._texts: dict[str, str] = {}
        self._plain: dict[type, Callable[[Any], str]] = {
            Decimal: dialect.number,
            int: dialect.number,
            Money: lambda money: dialect.number(money.amount),
            dt.date: dialect.date,
            dt.time: lambda time: time.isoformat(timespec="seconds"),
            type(None): lambda _: "",
        }
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        if dialect.bom:
            self._text.write("\ufeff")
        self._csv = csv.writer(
            self._text,
            delimiter=dialect.delimiter,
            lineterminator=dialect.line_terminator,
            quotechar='"',
            quoting=csv.QUOTE_MINIMAL,
        )

    def writerow(self, row: Iterable[Cell]) -> None:
        """Write one row."""
        texts = self._texts
        plain = self._plain
        fmt = self.dialect.format
        cells = []
        for value in row:
            kind = type(value)
            if kind is str:
                # Names and products repeat on every line: clean each text once.
                text = texts.get(value)  # type: ignore[arg-type]  # value is a str here
                if text is None:
                    if len(texts) > 20_000:
                        texts.clear()
                    text = texts[value] = clean_text(value)  # type: ignore[index,arg-type]  # a str
                cells.append(text)
            else:
                # The common types by exact type; subclasses and errors go the long way.
                quick = plain.get(kind)
                cells.append(fmt(value) if quick is None else quick(value))
        self._csv.writerow(cells)

    def text(self, value: str) -> str:
        """``value`` cleaned as `writerow` writes text: XML-safe and neutralised."""
        texts = self._texts
        text = texts.get(value)
        if text is None:
            if len(texts) > 20_000:
                texts.clear()
            text = texts[value] = clean_text(value)
        return text

    def write_texts(self, cells: Sequence[str]) -> None:
        """Write a row of cells already made into text with `text` and the dialect.

        For exporters' hot loops that format each value once and reuse it across rows.
        """
        self._csv.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)

    def close(self) -> None:
        """Flush and let go of the stream without closing it."""
        if not self._text.closed:
            self._text.flush()
            self._text.detach()

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# -- XLSX --------------------------------------------------------------------------------

#: The most rows an Excel worksheet holds; `XlsxSheet` continues on a new sheet past it.
EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_TEXT = 32_767
# Zip entries and document properties get this instant unless the caller gives one, so the
# same input gives the same bytes.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_TIMESTAMP = dt.datetime(2000, 1, 1)
_WIDTH_SAMPLE = 200
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_HEADER_FONT = Font(bold=True)
_SHEET_TITLE = re.compile(r"[^\[\]:*?/\\]{1,25}")


@attrs.frozen
class XlsxColumn:
    """A column of an `XlsxSheet`: its header and, optionally, a fixed width in characters.

    Without a width, the sheet sizes the column to its header and first rows.
    """

    header: str
    width: float | None = None


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


class XlsxSheet:
    """One logical sheet: a bold, frozen header row with an autofilter, then typed rows.

    Rows past the workbook's row cap continue on a new sheet named ``Title (2)``, with the
    header repeated, placed right after the previous part.
    """

    def __init__(self, book: XlsxWorkbook, title: str, columns: Sequence[XlsxColumn]) -> None:
        self._book = book
        self.title = title
        self.columns = tuple(columns)
        self._parts: list[Any] = []  # openpyxl write-only worksheets (untyped)
        self._rows_in_part = 0
        self._pending: list[Sequence[Cell]] | None = []
        self._widths: list[float] = []
        self._new_part()

    @property
    def part_titles(self) -> tuple[str, ...]:
        """The titles of the worksheets this sheet has used so far."""
        return tuple(ws.title for ws in self._parts)

    def _new_part(self) -> None:
        wb = self._book._workbook
        number = len(self._parts) + 1
        title = self.title if number == 1 else f"{self.title} ({number})"
        ws = wb.create_sheet(title)
        if self._parts:
            # create_sheet appends at the end; keep the parts of one sheet together.
            # (Workbook.move_sheet refuses write-only sheets, so reorder its list.)
            order = wb._sheets
            order.remove(ws)
            order.insert(order.index(self._parts[-1]) + 1, ws)
        ws.freeze_panes = "A2"
        if self._widths:
            self._apply_widths(ws)
        self._parts.append(ws)
        self._rows_in_part = 0
        if self._pending is None:
            self._write_header()

    def _apply_widths(self, ws: Any) -> None:
        for index, width in enumerate(self._widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width

    def _write_header(self) -> None:
        ws = self._parts[-1]
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(ws, value=clean_text(column.header))
            cell.font = _HEADER_FONT
            header.append(cell)
        ws.append(header)
        self._rows_in_part = 1

    def _start(self) -> None:
        pending = self._pending or []
        self._widths = []
        for index, column in enumerate(self.columns):
            if column.width is not None:
                self._widths.append(column.width)
                continue
            seen = [_display_width(row[index]) for row in pending[:_WIDTH_SAMPLE]]
            wanted = max([len(column.header), *seen]) + 2
            self._widths.append(float(min(max(wanted, _MIN_WIDTH), _MAX_WIDTH)))
        self._apply_widths(self._parts[-1])
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
        if self._rows_in_part >= self._book.max_rows:
            self._finish_part()
            self._new_part()
        ws = self._parts[-1]
        ws.append([self._book._value(ws, value) for value in row])
        self._rows_in_part += 1

    def _finish_part(self) -> None:
        ws = self._parts[-1]
        last = get_column_letter(max(len(self.columns), 1))
        ws.auto_filter.ref = f"A1:{last}{max(self._rows_in_part, 1)}"

    def _close(self) -> None:
        if self._pending is not None:
            self._start()
        self._finish_part()


class XlsxWorkbook:
    """An openpyxl write-only workbook: typed cells, safe text, the same bytes each time.

    ``max_rows`` caps the rows of each worksheet, header included (Excel's limit by
    default); ``timestamp`` is the naive UTC time the document properties carry (a fixed
    instant by default, never the clock). Use it in a ``with`` block so that a failed
    export removes openpyxl's temporary files.
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
        self._workbook = Workbook(write_only=True)
        props = self._workbook.properties
        props.creator = creator
        props.lastModifiedBy = creator
        props.created = stamp
        props.modified = stamp
        if title is not None:
            props.title = clean_text(title)
        self._sheets: list[XlsxSheet] = []
        self._money_formats: dict[str, str] = {}
        self._saved = False

    def sheet(self, title: str, columns: Sequence[XlsxColumn | str]) -> XlsxSheet:
        """Add a sheet with ``columns`` (headers or `XlsxColumn`), after the existing ones.

        Titles are at most 25 characters (Excel allows 31; continuation sheets add up to
        six), without brackets, colons, asterisks, question marks or slashes, and unique
        regardless of case.
        """
        if not isinstance(title, str) or not _SHEET_TITLE.fullmatch(title):
            raise InvalidValue(
                f"sheet title {title!r} is not 1 to 25 characters without [ ] : * ? / \\; "
                "Excel refuses other titles, give e.g. 'Lines'",
                value=title,
                field="title",
            )
        if any(s.title.casefold() == title.casefold() for s in self._sheets):
            raise InvalidValue(
                f"sheet title {title!r} is taken already; give each sheet its own title",
                value=title,
                field="title",
            )
        if not columns:
            raise InvalidValue(
                f"sheet {title!r} has no columns; give at least one header",
                value=columns,
                field="columns",
            )
        sheet = XlsxSheet(
            self, title, [c if isinstance(c, XlsxColumn) else XlsxColumn(c) for c in columns]
        )
        self._sheets.append(sheet)
        return sheet

    def _value(self, ws: Any, value: Cell) -> Any:  # Any: openpyxl cells are untyped
        if value is None:
            return None
        if isinstance(value, str):
            text = clean_text(value)
            if len(text) > _EXCEL_MAX_TEXT:
                text = text[: _EXCEL_MAX_TEXT - 1] + "…"
            if text.startswith("#"):
                # openpyxl would store "#N/A" and kin as error cells; keep them text.
                cell = WriteOnlyCell(ws, value=text)
                cell.data_type = "s"
                return cell
            return text
        if isinstance(value, bool):
            raise _cell_type_error(value)
        if isinstance(value, (int, Decimal)):
            return value
        if isinstance(value, Money):
            cell = WriteOnlyCell(ws, value=value.amount)
            fmt = self._money_formats.get(value.currency)
            if fmt is None:
                fmt = self._money_formats[value.currency] = _money_format(value.currency)
            cell.number_format = fmt
            return cell
        if isinstance(value, dt.datetime):
            raise _cell_type_error(value)
        if isinstance(value, (dt.date, dt.time)):
            return value
        raise _cell_type_error(value)

    def discard(self) -> None:
        """Let go of a workbook that will not be saved, removing openpyxl's temporary files.

        Leaving the ``with`` block of a workbook that was not saved does this.
        """
        if self._saved:
            return
        self._saved = True
        for sheet in self._sheets:
            for ws in sheet._parts:
                writer = ws._writer
                with contextlib.suppress(Exception):
                    # Closes the streaming XML writer in order, so nothing complains when
                    # the worksheet is collected.
                    ws.close()
                if writer is not None:
                    with contextlib.suppress(Exception):
                        writer.cleanup()

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
            # A temporary file, not memory: a sheet of a million rows is hundreds of MB
            # before compression.
            raw = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the with below, after the copy
            self._workbook.save(raw)
        except BaseException:
            self.discard()
            raise
        self._saved = True
        # openpyxl stamps the save time into docProps/core.xml and every zip entry;
        # rewrite both so the same input gives the same bytes.
        props = self._workbook.properties
        props.created = self._timestamp
        props.modified = self._timestamp
        core = tostring(props.to_tree())
        with (
            raw,
            zipfile.ZipFile(raw) as source,
            zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.create_system = 0
                entry.external_attr = 0o644 << 16
                if info.filename == "docProps/core.xml":
                    target.writestr(entry, core)
                    continue
                # Entry by entry in chunks, so memory stays flat however big the sheets.
                big = info.file_size >= zipfile.ZIP64_LIMIT
                with source.open(info) as reader, target.open(entry, "w", force_zip64=big) as out:
                    shutil.copyfileobj(reader, out, 1 << 20)


# -- files -------------------------------------------------------------------------------


def _temporary(target: Path) -> tuple[Path, BinaryIO]:
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            # 0o666 so the finished file gets the permissions the umask gives new files.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        return tmp, os.fdopen(fd, "wb")
    raise FileExistsError(target)  # pragma: no cover


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise ExportTargetExists(
            f"{target} exists already; pass overwrite=True to replace it or choose another name",
            value=str(target),
            field="path",
        )


def _publish(tmp: Path, target: Path, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        # A hard link fails if the target exists, so a file that appeared meanwhile is
        # never replaced.
        os.link(tmp, target)
    except FileExistsError:
        _refuse_existing(target)
        raise
    except OSError:  # pragma: no cover - file systems without hard links
        _refuse_existing(target)
        os.replace(tmp, target)
    else:
        os.unlink(tmp)


def _write_all(
    jobs: Sequence[tuple[Path, Callable[[BinaryIO], object]]], *, overwrite: bool
) -> tuple[Path, ...]:
    """Write every job to a temporary file, then rename them all; on failure remove all."""
    if not overwrite:
        for target, _ in jobs:
            _refuse_existing(target)
    temporaries: list[tuple[Path, Path]] = []
    published: list[Path] = []
    try:
        for target, write in jobs:
            tmp, stream = _temporary(target)
            temporaries.append((tmp, target))
            with stream:
                write(stream)
                stream.flush()
                os.fsync(stream.fileno())
        for tmp, target in temporaries:
            _publish(tmp, target, overwrite)
            published.append(target)
    except BaseException:
        for tmp, _ in temporaries:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if not overwrite:
            # The files published so far are new: take them back, so nothing is half done.
            for target in published:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
        raise
    return tuple(target for target, _ in jobs)


def write_atomically(
    path: str | os.PathLike[str],
    write: Callable[[BinaryIO], object],
    *,
    overwrite: bool = False,
) -> Path:
    """Call ``write`` with a binary stream and move what it wrote to ``path`` in one step.

    The data goes to a temporary file beside ``path`` first; if ``write`` raises, the
    temporary file is removed and ``path`` is untouched. Without ``overwrite`` an existing
    ``path`` raises `ExportTargetExists`.
    """
    target = Path(path)
    _write_all([(target, write)], overwrite=overwrite)
    return target


def default_stem(source: Exportable) -> str:
    """The file name (without extension) an export of ``source`` gets, before sanitising.

    ``1042 Team A 2026-10`` for a statement, ``plan 2026-10`` for a plan and
    ``run 2026-10 <key or id>`` for a run.
    """
    checked: object = source
    if isinstance(checked, Statement):
        return f"{checked.account.number} {checked.account.name} {checked.period.label}"
    if isinstance(checked, Plan):
        return f"plan {checked.period.label}"
    if isinstance(checked, InvoiceRun):
        return f"run {checked.period.label} {checked.key or checked.id}"
    raise _unsupported_stem(checked)


def _unsupported_stem(source: object) -> UnsupportedSource:
    return UnsupportedSource(
        f"cannot name an export of {source!r}, a {type(source).__name__}; pass a Statement, "
        "a Plan or an InvoiceRun",
        value=source,
        field="source",
    )


def export_to_file(
    exporter: Exporter[Any],
    source: Exportable,
    path: str | os.PathLike[str],
    options: ExportOptions | Mapping[str, object] | str | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Export ``source`` to the file ``path`` atomically (see `write_atomically`)."""
    resolved = exporter.options(options)
    return write_atomically(
        path, lambda stream: exporter.export(source, stream, resolved), overwrite=overwrite
    )


def export_to_directory(
    exporter: Exporter[Any],
    source: Exportable,
    directory: str | os.PathLike[str],
    options: ExportOptions | Mapping[str, object] | str | None = None,
    *,
    per: Literal["run", "account"] = "run",
    overwrite: bool = False,
) -> tuple[Path, ...]:
    """Export ``source`` into ``directory``: one file, or one file per account.

    File names come from `default_stem` (per run) or the account's number and name and
    the period (per account), made safe by `safe_filename`; names that clash after that
    get ``-2``, ``-3``, … in account order. Every file is written to a temporary name
    first and all are renamed at the end: if the exporter fails on any account, no file
    is left behind. Returns the paths written, in account order.
    """
    if per not in ("run", "account"):
        raise InvalidValue(
            f"per={per!r} is not a way to split an export; use 'run' (one file) or "
            "'account' (one file per account)",
            value=per,
            field="per",
        )
    resolved = exporter.options(options)
    folder = Path(directory)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if per == "run":
        parts: list[tuple[str, Exportable]] = [(default_stem(source), source)]
    else:
        parts = [
            (f"{account.number} {account.name} {part.period.label}", part)
            for account, part in split_by_account(source)
        ]
    taken: set[str] = set()
    jobs: list[tuple[Path, Callable[[BinaryIO], object]]] = []
    for stem, part in parts:
        name = safe_filename(stem, exporter.extension)
        base, counter = name, 2
        while name.casefold() in taken:
            name = safe_filename(f"{stem}-{counter}", exporter.extension)
            if name == base:  # pragma: no cover - the stem was cut at the byte limit
                name = f"{counter}-{base}"
            counter += 1
        taken.add(name.casefold())
        jobs.append((folder / name, _job(exporter, part, resolved)))
    try:
        return _write_all(jobs, overwrite=overwrite)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _job(exporter: Exporter[Any], source: Exportable, options: Any) -> Callable[[BinaryIO], None]:
    def write(stream: BinaryIO) -> None:
        exporter.export(source, stream, options)

    return write

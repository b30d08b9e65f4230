"""Safe writers every exporter can use: CSV with the core's safety, atomic files.

`CsvWriter` writes through the `csv` module. Text given to it (as to `XlsxWorkbook`)
loses the characters XML forbids and is neutralised against formula injection (see
`clean_text`); numbers, money and dates stay typed. `write_atomically` and
`export_files` write through a temporary file and a rename, so a failed export leaves no
file behind.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import filecmp
import io
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal

import attrs

from onaccount._account import Account
from onaccount._errors import InvalidValue
from onaccount._invoices import InvoiceRun, InvoiceState, Plan
from onaccount._statement import PurchaseReader, Statement
from onaccount._words import a_type, named, reversal_advice

from ._document import Exportable, split_by_account
from ._errors import ExportTargetExists, UnsupportedSource
from ._exporter import Exporter, ExportOptions, finish_report
from ._report import ExportProgress, ExportReport, refusal_list
from ._requirements import require_available
from ._safety import UniqueNames, clean_text
from ._xlsx import Cell, Money, cell_type_error, money_amount, plain_number

__all__ = [
    "CSV_DIALECTS",
    "EXCEL_NL",
    "RFC4180",
    "CsvDialect",
    "CsvWriter",
    "account_stem",
    "default_stem",
    "export_files",
    "export_to_directory",
    "export_to_file",
    "refusals_path",
    "write_atomically",
]


# -- CSV ---------------------------------------------------------------------------------

# How many distinct values a writer remembers the text of before it starts afresh.
_REMEMBERED = 20_000


def _one_character(dialect: CsvDialect, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or len(value) != 1 or value in '"\r\n':
        raise InvalidValue(
            f"CSV dialect {dialect.name!r}: {attribute.name} {value!r} is not one character "
            "other than a double quote or a line break; give e.g. ';' or ','",
            value=value,
            field=attribute.name,
        )


def _line_terminator(dialect: CsvDialect, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("\r\n", "\n", "\r"):
        raise InvalidValue(
            f"CSV dialect {dialect.name!r}: line terminator {value!r} is not a line break; "
            "give '\\r\\n', '\\n' or '\\r'",
            value=value,
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class CsvDialect:
    """How a CSV file is spelled: separator, decimal mark, encoding mark, line ends, dates."""

    name: str
    delimiter: str = attrs.field(validator=_one_character)
    decimal: str = attrs.field(validator=_one_character)
    bom: bool
    dates: Literal["iso", "dmy"]
    line_terminator: str = attrs.field(default="\r\n", validator=_line_terminator)

    def number(self, value: Decimal | int) -> str:
        """``value`` in this dialect, without thousands separators (``-2,80``)."""
        text = plain_number(value)
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
            raise cell_type_error(value)
        if isinstance(value, (int, Decimal)):
            return self.number(value)
        if isinstance(value, Money):
            return self.number(money_amount(value))
        if isinstance(value, dt.datetime):
            raise cell_type_error(value)
        if isinstance(value, dt.date):
            return self.date(value)
        if isinstance(value, dt.time):
            return value.isoformat(timespec="seconds")
        raise cell_type_error(value)


#: Dutch Excel: ``;`` between fields, decimal comma, UTF-8 with a BOM, CRLF, ``dd-mm-yyyy``.
EXCEL_NL = CsvDialect(name="excel-nl", delimiter=";", decimal=",", bom=True, dates="dmy")
#: RFC 4180: ``,`` between fields, decimal point, UTF-8 without a BOM, CRLF, ISO dates.
RFC4180 = CsvDialect(name="rfc4180", delimiter=",", decimal=".", bom=False, dates="iso")
#: The CSV dialects by name.
CSV_DIALECTS: Mapping[str, CsvDialect] = {d.name: d for d in (EXCEL_NL, RFC4180)}


class CsvWriter:
    """Writes typed rows as CSV to a binary stream through `csv.writer`, cleaning text.

    Numbers, money and dates are written in the dialect's spelling, text cleaned by
    `clean_text`; the `csv` module quotes (a field is quoted when it holds the delimiter,
    a double quote or a line break). Use it as a context manager, or call `close`, which
    flushes and leaves ``stream`` open; a closed writer refuses more rows.
    """

    def __init__(self, stream: BinaryIO, dialect: CsvDialect) -> None:
        self.dialect = dialect
        self._stream = stream
        self._closed = False
        #: How many rows were written so far, a header row too.
        self.rows = 0
        self._text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
        if dialect.bom:
            self._text.write("\ufeff")
        self._writer = csv.writer(
            self._text,
            delimiter=dialect.delimiter,
            quotechar='"',
            doublequote=True,
            lineterminator=dialect.line_terminator,
            quoting=csv.QUOTE_MINIMAL,
            strict=True,
        )
        # Rows repeat their values (names, products, dates, prices, amounts): each
        # value's text is worked out once. Text, dates and naive times are looked up by
        # value, as equal ones are written alike; numbers by identity, as equal Decimals
        # may be spelled differently (1 and 1.0), each entry keeping its value alive.
        self._known: dict[object, str] = {None: ""}
        self._same: dict[int, tuple[object, str]] = {}

    def _text_of(self, value: object) -> str:
        """The text of ``value`` on its first sight, remembered for the next."""
        kind = type(value)
        if kind is str or kind is dt.date or (kind is dt.time and value.tzinfo is None):  # type: ignore[attr-defined]  # a time
            known = self._known
            if len(known) > _REMEMBERED:
                known.clear()
                known[None] = ""
            text = known[value] = self.dialect.format(value)  # type: ignore[arg-type]  # a cell
            return text
        text = self.dialect.format(value)  # type: ignore[arg-type]  # refused if not a cell
        if kind is Decimal or kind is Money or kind is int:
            same = self._same
            if len(same) > _REMEMBERED:
                same.clear()
            same[id(value)] = (value, text)
        return text

    def writerow(self, row: Iterable[Cell]) -> None:
        """Write one row."""
        self.writerows((row,))

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        """Write many rows."""
        if self._closed:
            raise InvalidValue(
                "this CsvWriter was closed; its rows are written already, make a new "
                "CsvWriter to write more",
                value=self,
            )
        known = self._known.get
        same = self._same.get
        first = self._text_of
        write = self._writer.writerow
        count = 0
        for row in rows:
            try:
                cells = [
                    t
                    if (t := known(v)) is not None
                    else h[1]
                    if (h := same(id(v))) is not None and h[0] is v
                    else first(v)
                    for v in row
                ]
            except TypeError:
                # An unhashable value is no cell: the dialect names it in its refusal.
                cells = [self.dialect.format(v) for v in row]
            write(cells)
            count += 1
        self.rows += count

    def close(self) -> None:
        """Flush and let go of the stream without closing it."""
        if not self._closed:
            self._closed = True
            self._text.flush()
            self._text.detach()

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


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
    raise ExportTargetExists(
        f"{target} exists already and differs from this export; pass overwrite=True to "
        "replace it or choose another name",
        value=str(target),
        field="path",
    )


def _holds_already(target: Path, tmp: Path) -> bool:
    """Whether ``target`` exists and holds the bytes just written to ``tmp``."""
    try:
        return filecmp.cmp(target, tmp, shallow=False)
    except FileNotFoundError:
        return False


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
    except OSError:  # pragma: no cover - file systems without hard links
        if target.exists():
            _refuse_existing(target)
        os.replace(tmp, target)
    else:
        os.unlink(tmp)


def _write_all(
    jobs: Sequence[tuple[Path, Callable[[BinaryIO], object]]], *, overwrite: bool
) -> tuple[Path, ...]:
    """Write every job to a temporary file, then rename them all; on failure remove all.

    Without ``overwrite``, a target that holds the bytes written already is left as it
    is (a repeated export changes nothing) and one with other bytes refuses the whole
    export before any file is changed. A job that returns a path wrote what belongs
    there instead of at its target, something any later export may replace (a list of
    refusals). Returns the targets left as they were.
    """
    # (temporary file, target, whether an existing target may be replaced)
    temporaries: list[tuple[Path, Path, bool]] = []
    published: list[Path] = []
    unchanged: list[Path] = []
    try:
        for target, write in jobs:
            tmp, stream = _temporary(target)
            temporaries.append((tmp, target, overwrite))
            with stream:
                instead = write(stream)
                stream.flush()
                os.fsync(stream.fileno())
            if isinstance(instead, Path):
                temporaries[-1] = (tmp, instead, True)
        if not overwrite:
            for tmp, target, replace in temporaries:
                if _holds_already(target, tmp):
                    unchanged.append(target)
                elif target.exists() and not replace:
                    _refuse_existing(target)
        for tmp, target, replace in temporaries:
            if target in unchanged:
                tmp.unlink()
                continue
            _publish(tmp, target, replace)
            if not replace:
                published.append(target)
    except BaseException:
        for tmp, _, _ in temporaries:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        # The files published so far are new: take them back, so nothing is half done.
        for target in published:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        raise
    return tuple(unchanged)


def write_atomically(
    path: str | os.PathLike[str],
    write: Callable[[BinaryIO], object],
    *,
    overwrite: bool = False,
) -> Path:
    """Call ``write`` with a binary stream and move what it wrote to ``path`` in one step.

    The data goes to a temporary file beside ``path`` first; if ``write`` raises, the
    temporary file is removed and ``path`` is untouched. Without ``overwrite`` an existing
    ``path`` with other bytes raises `ExportTargetExists`; one that holds the same bytes is
    left as it is.
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


def account_stem(account: Account, part: Exportable) -> str:
    """The file name (without extension) of one account's part of an export, unsanitised.

    The account's number and name before `default_stem`: ``1042 Team A run 2026-10
    <key or id>``, ``1042 Team A plan 2026-10``, so a preview, a run and a later run
    of the same period each keep their own file; a statement is named by its account
    already.
    """
    stem = default_stem(part)
    return stem if isinstance(part, Statement) else f"{account.number} {account.name} {stem}"


def _unsupported_stem(source: object) -> UnsupportedSource:
    return UnsupportedSource(
        f"cannot name an export of {source!r}, {a_type(source)}; pass a Statement, "
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
    ledger: PurchaseReader | None = None,
    overwrite: bool = False,
    progress: ExportProgress | None = None,
) -> Path:
    """Export ``source`` to the file ``path`` atomically (see `write_atomically`).

    ``ledger`` is where purchases are read back (`Exporter.export`). An exporter whose
    modules are missing raises `ExporterUnavailable` before any file is opened.
    """
    require_available(exporter)
    resolved = exporter.options(options)
    return write_atomically(
        path,
        lambda stream: exporter.export(source, stream, resolved, ledger=ledger, progress=progress),
        overwrite=overwrite,
    )


def export_to_directory(
    exporter: Exporter[Any],
    source: Exportable,
    directory: str | os.PathLike[str],
    options: ExportOptions | Mapping[str, object] | str | None = None,
    *,
    per: Literal["run", "account"] = "run",
    ledger: PurchaseReader | None = None,
    overwrite: bool = False,
    progress: ExportProgress | None = None,
) -> tuple[Path, ...]:
    """Export ``source`` into ``directory`` and return the paths written, in account order.

    `export_files` with its report reduced to the paths.
    """
    return export_files(
        exporter,
        source,
        directory,
        options,
        per=per,
        ledger=ledger,
        overwrite=overwrite,
        progress=progress,
    ).paths


def export_files(
    exporter: Exporter[Any],
    source: Exportable,
    directory: str | os.PathLike[str],
    options: ExportOptions | Mapping[str, object] | str | None = None,
    *,
    per: Literal["run", "account"] = "run",
    ledger: PurchaseReader | None = None,
    overwrite: bool = False,
    progress: ExportProgress | None = None,
) -> ExportReport:
    """Export ``source`` into ``directory``: one file, or one file per account.

    File names come from `default_stem` (per run) or `account_stem` (per account),
    followed by the exporter's `Exporter.file_label` (the CSV layout), made safe by
    `safe_filename`: ``run-2026-10-demo-2026-10-lines.csv``,
    ``1042-Team-A-run-2026-10-demo-2026-10-lines.csv``. Names that clash after that get
    ``-2``, ``-3``, … in account order. Every file is written to a temporary name first and all are
    renamed at the end: if the exporter fails on any account, no file is left behind.
    Without ``overwrite`` an existing file that holds the same bytes is left as it is,
    so repeating an export changes nothing, and one with other bytes raises
    `ExportTargetExists` before any file is changed. A file whose export wrote nothing
    of what it was asked for (`ExportReport.nothing_written`) is not written: its
    refusals are listed in `refusals_path` of it instead, which a later export replaces
    or, once the file is written, removes. Returns the `ExportReport`: what
    the exporter wrote and refused, with the paths in account order and those left as
    they were in ``unchanged``. ``ledger`` is where purchases are read
    back (`Exporter.export`). ``progress`` hears of the exporter's own
    progress (one file) or of the accounts' files written (one file per account).
    """
    if per not in ("run", "account"):
        raise InvalidValue(
            f"per={per!r} is not a way to split an export; use 'run' (one file) or "
            "'account' (one file per account)",
            value=per,
            field="per",
        )
    require_available(exporter)
    resolved = exporter.options(options)
    folder = Path(directory)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if per == "run":
        parts: list[tuple[str, Exportable]] = [(default_stem(source), source)]
    else:
        parts = [(account_stem(account, part), part) for account, part in split_by_account(source)]
    label = exporter.file_label(resolved)
    stems = [f"{stem} {label}" if label else stem for stem, _ in parts]
    names = file_names(stems, exporter.extension)
    jobs: list[tuple[Path, Callable[[BinaryIO], object]]] = []
    reports: list[ExportReport] = []
    for index, (name, (_, part)) in enumerate(zip(names, parts, strict=True)):
        target = folder / name
        if per == "run":
            job = _job(exporter, part, resolved, reports, ledger, target, progress=progress)
        else:
            # The host hears of the accounts' files, each after it is written.
            job = _job(
                exporter,
                part,
                resolved,
                reports,
                ledger,
                target,
                done=(index + 1, len(parts), progress),
            )
        jobs.append((target, job))
    if per == "account" and progress is not None:
        progress(0, len(parts), "accounts")
    try:
        unchanged = _write_all(jobs, overwrite=overwrite)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    if reports:
        report = ExportReport.combine(reports)
    else:
        # One file per account of a source without accounts: nothing was written.
        report = finish_report(exporter, source, ExportReport(exporter=exporter.identifier))
    paths = tuple(
        refusals_path(target) if part.nothing_written else target
        for (target, _), part in zip(jobs, reports, strict=True)
    )
    for target, _ in jobs:
        if target in paths:
            # A list of what an earlier export of this file refused no longer holds.
            with contextlib.suppress(FileNotFoundError):
                refusals_path(target).unlink()
    notes = (
        *report.notes,
        *_undone_left_out(source, per),
        *_left_of_undone(source, folder, label, exporter.extension, per),
    )
    report = attrs.evolve(report, paths=paths, unchanged=unchanged, notes=notes)
    return finish_report(exporter, source, report)


def _undone_left_out(source: Exportable, per: str) -> list[str]:
    """The note of a run's undone invoices, which an export made before them still holds."""
    if per != "run" or not isinstance(source, InvoiceRun):
        return []
    undone = [i for i in source.invoices if i.state is InvoiceState.UNDONE]
    if not undone:
        return []
    totals: dict[str, Decimal] = {}
    for invoice in undone:
        currency = invoice.account.currency
        totals[currency] = totals.get(currency, Decimal(0)) + invoice.total
    amounts = ", ".join(f"{total} {currency}" for currency, total in sorted(totals.items()))
    one = len(undone) == 1
    return [
        f"left out the undone invoice{'' if one else 's'} of "
        f"{named('account', [i.account.label for i in undone])} ({amounts}"
        f"{'' if one else ' in all'}); {reversal_advice(len(undone))}"
    ]


def _left_of_undone(
    source: Exportable, folder: Path, label: str, extension: str, per: str
) -> list[str]:
    """Notes of the files an earlier export per account wrote of invoices undone since."""
    if per != "account" or not isinstance(source, InvoiceRun):
        return []
    notes = []
    for invoice in source.invoices:
        if invoice.state is not InvoiceState.UNDONE:
            continue
        stem = account_stem(invoice.account, attrs.evolve(source, invoices=(invoice,)))
        (name,) = file_names([f"{stem} {label}" if label else stem], extension)
        if (folder / name).exists():
            notes.append(
                f"{name} is left from an earlier export: it holds account "
                f"{invoice.account.label}, whose invoice was undone since; remove it before "
                "sending these files"
            )
    return notes


def file_names(stems: Sequence[str], extension: str) -> list[str]:
    """Safe file names for ``stems``, one each, unique as `UniqueNames` makes them."""
    unique = UniqueNames()
    return [unique(stem, extension) for stem in stems]


def _job(
    exporter: Exporter[Any],
    source: Exportable,
    options: Any,
    reports: list[ExportReport],
    ledger: PurchaseReader | None,
    target: Path,
    *,
    progress: ExportProgress | None = None,
    done: tuple[int, int, ExportProgress | None] = (0, 0, None),
) -> Callable[[BinaryIO], Path | None]:
    def write(stream: BinaryIO) -> Path | None:
        report = exporter.export(source, stream, options, ledger=ledger, progress=progress)
        instead = None
        if report.nothing_written:
            # A file of refusals alone is no export to keep, nor one to refuse replacing.
            instead = refusals_path(target)
            stream.seek(0)
            stream.truncate()
            stream.write(refusal_list(report.refusals))
            report = attrs.evolve(report, refusals_listed_in=instead.name)
        reports.append(report)
        count, total, tell = done
        if tell is not None:
            tell(count, total, "accounts")
        return instead

    return write


def refusals_path(target: Path) -> Path:
    """Where an export to ``target`` that wrote nothing lists its refusals instead."""
    return target.with_name(f"{target.name}.refused.txt")

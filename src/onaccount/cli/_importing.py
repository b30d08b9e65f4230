"""Reading accounts and bookings from CSV or XLSX files: strict, every bad row named.

A file is imported whole or not at all. Its header must name known columns (English or
Dutch); every row must have as many fields as the header; rows sharing an id are the
lines of one purchase and must agree on account, time and kind. Bad rows are collected,
each with its line (or spreadsheet row) number, and a mistake repeated on many rows is
reported once.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import functools
import hashlib
import io
import re
import shlex
import zipfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

import attrs

from onaccount import (
    MAX_TEXT_LENGTH,
    Account,
    AccountState,
    Address,
    BillingDetails,
    CreditBooking,
    CreditKind,
    DuplicateAccount,
    DuplicateTransaction,
    ImportRefused,
    InvalidValue,
    Line,
    OnAccountError,
    PartyId,
    Purchase,
    Transaction,
    UnknownAccount,
    Vat,
)
from onaccount._account import account_kind
from onaccount._iban import compact_iban, no_iban
from onaccount._money import as_rate, pad_amount
from onaccount._words import counted, for_command_line, joined, plural

from ._amounts import ambiguity
from ._numbers import held_with_zeros, lost_zeros

__all__ = [
    "ACCOUNT_COLUMNS",
    "DUTCH_ACCOUNT_COLUMNS",
    "DUTCH_TRANSACTION_COLUMNS",
    "ENCODINGS",
    "MAX_REPORTED",
    "TRANSACTION_COLUMNS",
    "BadRow",
    "ImportFailed",
    "Progress",
    "Rows",
    "read_accounts",
    "read_transactions",
]

T = TypeVar("T")
R = TypeVar("R")

#: Told ``(done, total, "rows")`` as a file's rows are read; a Rich task's update fits.
Progress = Callable[[int, int, str], None]

#: Columns of an accounts file; only number and name are required.
ACCOUNT_COLUMNS = (
    "number", "name", "kind", "limit", "currency", "group", "tags", "billing_name",
    "email", "vat_id", "iban", "bic", "mandate_id", "mandate_date", "street",
    "postal_code", "city", "country", "peppol_id", "registration",
)  # fmt: skip

#: The Dutch header of each accounts column, as the seed's users write it.
DUTCH_ACCOUNT_COLUMNS = {
    "number": "nummer", "name": "naam", "kind": "soort", "limit": "limiet",
    "currency": "valuta", "group": "groep", "tags": "labels", "billing_name": "factuurnaam",
    "email": "e-mail", "vat_id": "btw-nummer", "iban": "iban", "bic": "bic",
    "mandate_id": "machtigingskenmerk", "mandate_date": "machtigingsdatum",
    "street": "straat", "postal_code": "postcode", "city": "plaats", "country": "land",
    "peppol_id": "peppol-id", "registration": "inschrijving",
}  # fmt: skip

#: Columns of a transactions file. Rows sharing an id are the lines of one purchase;
#: credit bookings (type top-up, payment or refund) give an amount and a reason.
TRANSACTION_COLUMNS = (
    "id", "account", "at", "type", "product", "code", "group", "quantity",
    "unit_price", "vat_category", "vat_rate", "vat_reason", "amount", "currency", "text",
)  # fmt: skip

#: The Dutch header of each transactions column.
DUTCH_TRANSACTION_COLUMNS = {
    "id": "kenmerk", "account": "rekening", "at": "tijdstip", "type": "soort",
    "product": "product", "code": "code", "group": "groep", "quantity": "aantal",
    "unit_price": "stukprijs", "vat_category": "btw-categorie", "vat_rate": "btw-tarief",
    "vat_reason": "btw-reden", "amount": "bedrag", "currency": "valuta", "text": "tekst",
}  # fmt: skip


@attrs.frozen
class _File:
    """What one import reads: its columns, their Dutch names and the required ones."""

    what: str
    columns: Sequence[str]
    dutch: dict[str, str]
    required: tuple[str, ...]

    @property
    def known(self) -> dict[str, str]:
        """Each header the file may have, as `_normal` writes it, with its column."""
        return {c: c for c in self.columns} | {_normal(d): c for c, d in self.dutch.items()}

    @property
    def spelled(self) -> dict[str, str]:
        """Each header `known` holds, as a header writes it: ``e-mail`` for ``e_mail``."""
        return {c: c for c in self.columns} | {_normal(d): d for d in self.dutch.values()}


_FILES = {
    "accounts": _File("accounts", ACCOUNT_COLUMNS, DUTCH_ACCOUNT_COLUMNS, ("number", "name")),
    "transactions": _File(
        "transactions", TRANSACTION_COLUMNS, DUTCH_TRANSACTION_COLUMNS, ("account", "at")
    ),
}

#: The accounts columns an update file may leave out to keep what the account has.
_DETAIL_COLUMNS = frozenset(ACCOUNT_COLUMNS) - {"number", "name", "kind", "limit", "currency"}
#: Columns that describe one thing: a file with any of them gives all of them.
_GIVEN_TOGETHER = (
    frozenset({"iban", "bic"}),
    frozenset({"mandate_id", "mandate_date"}),
    frozenset({"street", "postal_code", "city", "country"}),
)

#: The most lines a refused file reports; the rest are counted.
MAX_REPORTED = 20

# A mistake on more rows than this is reported once, with the count and the first lines.
_COLLAPSE_AFTER = 3


@attrs.frozen
class BadRow:
    """A row that cannot be imported: its line (or spreadsheet row) number and why.

    ``rule`` names a mistake that, repeated over many rows, is reported once with
    ``summary``.
    """

    line: int
    reason: str
    word: str = "line"
    rule: str | None = attrs.field(default=None, eq=False)
    summary: str | None = attrs.field(default=None, eq=False)
    #: The column ``reason`` begins with, if it is a mistake in one cell.
    column: str | None = attrs.field(default=None, eq=False)

    def __str__(self) -> str:
        return f"{self.word} {self.line}: {self.reason}"

    def worded(self, written: Mapping[str, str]) -> BadRow:
        """This row naming columns as the file does: ``aantal`` for ``quantity``.

        ``written`` holds each column the file names otherwise. A column's name is put
        where it is a field's name beyond doubt: at the start of a cell's mistake, and
        where it has an underscore (``vat_reason``), is ``quantity`` or is quoted
        (``'amount'``); ``account`` and ``limit`` elsewhere are words of the sentence.
        """
        if not written:
            return self
        reason, column = self.reason, self.column
        # Worded once: a row worded already begins with the file's name of its column.
        if column is not None and column in written and reason.startswith(f"{column} "):
            reason = written[column] + reason.removeprefix(column)

        def named(text: str) -> str:
            return _FIELD_WORDS.sub(lambda m: written.get(m[0], m[0]), text)

        return attrs.evolve(
            self,
            reason=named(reason),
            summary=None if self.summary is None else named(self.summary),
        )


_FIELD_WORDS = re.compile(r"\b(?:[a-z]+(?:_[a-z]+)+|quantity)\b|(?<=')[a-z]+(?=')")


def _report(bad: Sequence[BadRow]) -> tuple[str, ...]:
    """One line per mistake, in line order: repeated ones collapsed at their first line.

    At most `MAX_REPORTED` lines.
    """
    groups: dict[str, list[BadRow]] = {}
    for row in sorted(bad, key=lambda r: r.line):
        groups.setdefault(row.rule or row.reason, []).append(row)
    placed: list[tuple[int, str]] = []
    for rows in groups.values():
        if len(rows) > _COLLAPSE_AFTER:
            first = rows[0]
            where = ", ".join(str(r.line) for r in rows[:_COLLAPSE_AFTER])
            what = first.summary or f"have this mistake: {first.reason}"
            placed.append((first.line, f"{len(rows):,} rows {what} ({first.word}s {where}, …)"))
        else:
            placed.extend((r.line, str(r)) for r in rows)
    lines = [text for _, text in sorted(placed, key=lambda item: item[0])]
    if len(lines) > MAX_REPORTED:
        rest = len(lines) - MAX_REPORTED + 1
        lines = [*lines[: MAX_REPORTED - 1], f"… and {rest:,} more mistakes"]
    return tuple(lines)


class ImportFailed(OnAccountError, ValueError):
    """A file with bad rows, or a bad header; nothing of it was imported.

    ``bad`` holds every bad row; ``report`` the lines to show a person, one per mistake;
    ``rows`` the rows that did read, if the file could be read row by row, so that the
    ledger can name what it would refuse of them in the same report. ``summary`` is the
    message without the mistakes, for after a report that lists them. ``problem`` says
    what is wrong where that is not its rows (``the header has 3 unknown columns``).
    A file refused whole, for what it is, is `ImportFailed.whole`.
    """

    def __init__(
        self,
        path: Path,
        bad: Sequence[BadRow],
        rows: Rows[Any] | None = None,
        *,
        problem: str | None = None,
    ) -> None:
        report = _report(bad)
        what = problem or counted(len(bad), "bad row")
        fix = f"fix {'it' if len(bad) == 1 else 'them'} and import the file again"
        self.summary = f"{path}: {what}, nothing imported; {fix}"
        first = report[0] if report else ""
        more = f" (and {len(report) - 1} more, listed above)" if len(report) > 1 else ""
        super().__init__(
            f"{path}: {what}, nothing imported: {first}{more}; {fix}",
            value=tuple(bad),
            field="rows",
        )
        self.bad = tuple(bad)
        self.report = report
        self.rows = rows

    @classmethod
    def whole(cls, path: Path, reason: str) -> ImportFailed:
        """``path`` refused for what it is (``is empty; …``): no line of it is to blame."""
        message = f"{path} {reason}"
        return _rebuild_failed(message, (), (), None, message, field="file")

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_failed,
            (self.message, self.bad, self.report, self.rows, self.summary, self.field),
        )


def _rebuild_failed(
    message: str,
    bad: tuple[BadRow, ...],
    report: tuple[str, ...],
    rows: Rows[Any] | None,
    summary: str,
    field: str | None = "rows",
) -> ImportFailed:
    error = ImportFailed.__new__(ImportFailed)
    OnAccountError.__init__(error, message, value=bad, field=field)
    error.summary = summary
    error.bad = bad
    error.report = report
    error.rows = rows
    return error


@attrs.frozen
class Rows(Generic[T]):
    """What a file holds: each item with the line (or spreadsheet row) it was read from."""

    path: Path
    word: str
    items: tuple[tuple[int, T], ...]
    #: ``(line, earlier line)`` of each row that repeats an earlier one: a booking without
    #: an id equal to an earlier one, or a row of a purchase equal in every cell to one
    #: before it.
    repeats: tuple[tuple[int, int], ...] = ()
    #: The numbers of held accounts whose rows leave the limit empty: it stays as it is.
    kept_limits: frozenset[str] = frozenset()
    #: The header's columns left out as asked (``ignore``), as the header writes them.
    ignored: tuple[str, ...] = ()
    #: Each column as the file names it where that is not its own name (`BadRow.worded`).
    written: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def values(self) -> list[T]:
        """The items alone, in the file's order."""
        return [item for _, item in self.items]

    def failed(
        self,
        refused: ImportRefused,
        also: Sequence[BadRow] = (),
        zeros: Mapping[str, Account] | None = None,
    ) -> ImportFailed:
        """The ledger's refusal of some items, as the file's bad rows with their lines.

        ``also`` are the rows that did not read, reported with them in line order.
        ``zeros`` holds the account each unknown number names with its leading zeros
        back (`held_with_zeros`), which the refusal then names.
        """
        bad = list(also)
        # A number given once in the file is refused for the account the ledger holds.
        given = Counter(getattr(item, "number", None) for _, item in self.items)
        for index, error in refused.refusals:
            line = self.items[index][0]
            message = for_command_line(error.message)
            rule, summary = None, None
            if isinstance(error, UnknownAccount):
                # Many rows on one unknown account are one mistake.
                rule = f"unknown-{error.value}"
                held = (zeros or {}).get(str(error.value))
                if held is None:
                    summary = (
                        f"are on account {error.value!r}, which does not exist; open it "
                        "first (import accounts) or correct the number"
                    )
                else:
                    why = f"but account {held.number} {held.name!r} does: " + lost_zeros(
                        self.written.get("account", "account")
                    )
                    message = f"account {error.value!r} does not exist, {why}"
                    summary = f"are on account {error.value!r}, which does not exist, {why}"
            elif isinstance(error, DuplicateAccount) and given[error.value] == 1:
                # A members' file imported again after its details changed.
                rule = "held-account"
                summary = (
                    "are accounts the ledger holds already, with other details: import with "
                    "--update to update their details, or pick other numbers"
                )
            elif isinstance(error, DuplicateTransaction):
                # A sales file changed and imported again.
                rule = "held-id"
                summary = (
                    "have ids the ledger holds for other bookings: give each booking its own id"
                )
            elif isinstance(error, InvalidValue) and error.field == "limit":
                # The one refusal of a limit the ledger makes on import: a members' list
                # typed with this year's limits gives it on every row.
                rule = "limit-change"
                summary = (
                    "change an account's limit, which an import cannot do: leave the limit "
                    "empty to keep each limit as it stands, and change limits with onaccount "
                    "set-limit, so that each change is booked as a mutation"
                )
            bad.append(BadRow(line, message, self.word, rule, summary))
        return ImportFailed(self.path, sorted((b.worded(self.written) for b in bad), key=_line))


def _party_id(row: dict[str, str], column: str) -> PartyId | None:
    """The ``SCHEME:VALUE`` in ``column`` of ``row`` (``0106:12345678``), or None if empty."""
    text = row.get(column, "").strip()
    if not text:
        return None
    scheme, sep, value = text.partition(":")
    if not sep:
        raise _RowError(
            f"{column} {text!r} is no SCHEME:VALUE such as 0106:12345678 (0106 is the KvK, "
            "0208 the KBO/BCE, 9944 a Dutch VAT id)",
            rule=f"{column} is no SCHEME:VALUE",
        )
    return PartyId(scheme=scheme.strip(), value=value.strip())


#: The values of a sales file's ``type`` column: a purchase, or a kind of credit booking.
_BOOKING_TYPES = ("purchase", *(kind.value for kind in CreditKind))
#: The values a Dutch file writes for account kinds and for booking types, as the
#: library names them: a file with Dutch headers has Dutch values too.
_DUTCH_KINDS = {"limiet": "limit", "krediet": "credit"}
_DUTCH_BOOKINGS = {
    "aankoop": "purchase",
    "opwaardering": "top-up",
    "betaling": "payment",
    "terugbetaling": "refund",
}
_DUTCH_TYPES = tuple(_DUTCH_BOOKINGS)


def _in_english(value: str | None, dutch: Mapping[str, str]) -> str | None:
    """A kind or booking type as the library names it (``Limiet`` is ``limit``).

    Only the values of its own column are read in Dutch; any other is left as written,
    so a refusal names what the file says.
    """
    if value is None:
        return None
    folded = value.strip().lower()
    return dutch.get(folded, folded) if folded else value


class _RowError(ValueError):
    """A bad value in a row; ``rule`` and ``summary`` let many of them collapse."""

    def __init__(self, reason: str, rule: str | None = None, summary: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.rule = rule
        self.summary = summary
        # A cell's mistake is told starting with its column ("quantity 'twee' …"); of
        # any other the first word names no column, and `BadRow.worded` leaves it.
        self.column = reason.split(" ", 1)[0]


def _bad_row(line: int, error: _RowError | OnAccountError, word: str) -> BadRow:
    """The report of ``error`` found on ``line``: a row's mistake, or the library's refusal."""
    if isinstance(error, _RowError):
        return BadRow(line, error.reason, word, error.rule, error.summary, error.column)
    return BadRow(line, for_command_line(error.message), word)


class _BadRows(Exception):
    """Several mistakes of one booking or row: each is reported with its own line."""

    def __init__(self, bad: list[BadRow]) -> None:
        super().__init__(bad)
        self.bad = bad


@attrs.frozen
class _Dialect:
    delimiter: str
    decimal_comma: bool
    day_first: bool
    #: Numbers come typed (spreadsheet cells), not as text a person may misread.
    typed_numbers: bool = False

    def number(self, value: Decimal) -> str:
        """``value`` as this file writes numbers: ``0,21`` with a decimal comma."""
        text = f"{value:f}"
        return text.replace(".", ",") if self.decimal_comma else text


_DIALECTS = {
    "excel-nl": _Dialect(";", decimal_comma=True, day_first=True),
    "rfc4180": _Dialect(",", decimal_comma=False, day_first=False),
}
# Spreadsheet cells hold numbers and dates as such; text cells are read with decimal points
# and either date order.
_SHEET = _Dialect("", decimal_comma=False, day_first=True, typed_numbers=True)


@attrs.frozen
class _Table:
    """A file's rows as ``(line, {column: text})``, with its dialect and line word."""

    dialect: _Dialect
    word: str
    rows: Iterator[tuple[int, dict[str, str]]]
    #: The header's columns left out as asked, as it writes them.
    ignored: tuple[str, ...] = ()
    #: Each column as the file names it where that is not its own name (`BadRow.worded`).
    written: Mapping[str, str] = attrs.field(factory=dict)


def _normal(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _other_file(path: Path, header: Sequence[str], file: _File) -> str | None:
    """What to say when ``header`` is the whole header of the other import's file."""
    given = {_normal(h) for h in header if h.strip()}
    for other in _FILES.values():
        known = other.known
        if (
            other is not file
            and given <= set(known)
            and set(other.required) <= {known[g] for g in given}
        ):
            return (
                f"is a file of {other.what}, not of {file.what} (its header is "
                f"{', '.join(h for h in header if h.strip())}); import it with onaccount "
                f"import {other.what} {shlex.quote(str(path))}"
            )
    return None


def _columns(
    path: Path,
    at: int,
    header: Sequence[str],
    file: _File,
    word: str,
    ignore: frozenset[str] = frozenset(),
    day_first: bool = True,
) -> list[str | None]:
    """The column each header field names, or `ImportFailed` naming what is wrong.

    A header in ``ignore`` (as `_normal` writes it) names no column: it is left out.
    ``day_first`` is whether the file writes dates day first, for the examples.
    """
    dutch, required = file.dutch, file.required
    known = file.known
    names: list[str | None] = []
    bad: list[BadRow] = []
    seen: dict[str, str] = {}
    # Where each unknown column's refusal is, its name and its near miss, if any.
    unknown: list[tuple[int, str, str]] = []
    unnamed = repeated = 0
    for position, given in enumerate(header, start=1):
        if not given.strip():
            unnamed += 1
            bad.append(
                BadRow(
                    at,
                    f"column {position} has no name in the header; name it or delete it",
                    word,
                )
            )
            names.append(None)
            continue
        if _normal(given) in ignore:
            names.append(None)
            continue
        column = known.get(_normal(given))
        if column is None:
            close = difflib.get_close_matches(_normal(given), list(known), n=1, cutoff=0.6)
            # Matched as `_normal` writes headers, suggested as a header is written.
            hint = f"; did you mean {file.spelled[close[0]]!r}?" if close else ""
            unknown.append((len(bad), given, hint))
            bad.append(BadRow(at, f"column {given!r} is unknown{hint}", word))
        elif column in seen:
            repeated += 1
            bad.append(
                BadRow(at, f"column {given!r} repeats column {seen[column]!r}; keep one", word)
            )
        else:
            seen[column] = given
        names.append(column)
    missing = [column for column in required if column not in seen]
    apart = _date_and_time_apart([given for _, given, _ in unknown], day_first)
    bad.extend(
        BadRow(
            at,
            f"the header has no column {column!r} (in Dutch {dutch[column]!r}); it is required"
            + (apart if column == "at" else ""),
            word,
        )
        for column in missing
    )
    if bad:
        other = _other_file(path, header, file)
        if other is not None:
            raise ImportFailed.whole(path, other)
        if unknown:
            # Leaving columns out mends no header that lacks a required one.
            _list_known_columns(bad, unknown, file, at, word, offer_ignore=not missing)
        problem = _header_problem(len(unknown), unnamed, repeated, missing)
        raise ImportFailed(path, bad, problem=problem)
    return names


#: Headers of a date, and of a time of day, as a till may give them apart.
_DATE_HEADERS = frozenset({"datum", "date", "dag", "day"})
_TIME_HEADERS = frozenset({"tijd", "time", "uur"})


def _date_and_time_apart(unknown: Sequence[str], day_first: bool) -> str:
    """What to add to the missing ``at`` where the header gives a date and a time apart.

    The example is one the file's dialect reads: the day first in a Dutch file.
    """
    date = next((g for g in unknown if _normal(g) in _DATE_HEADERS), None)
    time = next((g for g in unknown if _normal(g) in _TIME_HEADERS), None)
    if date is None or time is None:
        return ""
    return (
        ": give each booking's date and time in one column, such as "
        f"{'03-10-2026 21:40' if day_first else '2026-10-03 21:40'}, where {date.strip()!r} "
        f"and {time.strip()!r} give them apart"
    )


def _list_known_columns(
    bad: list[BadRow],
    unknown: Sequence[tuple[int, str, str]],
    file: _File,
    at: int,
    word: str,
    *,
    offer_ignore: bool = True,
) -> None:
    """Say which columns there are, and how to leave out the unknown ones, once.

    One unknown column is told all on its line; several are each named on theirs, with
    the known columns after the last of them. A near miss is a typo to mend, not a
    column to leave out, so it is not offered to --ignore-column; without
    ``offer_ignore`` none is.
    """
    known = (
        f"the columns are {', '.join(file.columns)} (or in Dutch {', '.join(file.dutch.values())})"
    )
    extra = [given for _, given, hint in unknown if not hint] if offer_ignore else []
    if len(unknown) == 1:
        index, given, hint = unknown[0]
        way_out = f", or leave it out with --ignore-column {shlex.quote(given.strip())}"
        bad[index] = BadRow(
            at,
            f"column {given!r} is unknown{hint or ';'} {known}" + (way_out if extra else ""),
            word,
        )
        return
    way_out = " ".join(f"--ignore-column {shlex.quote(given.strip())}" for given in extra)
    bad.insert(
        unknown[-1][0] + 1,
        BadRow(
            at,
            known + (f"; leave out the ones you do not need with {way_out}" if extra else ""),
            word,
        ),
    )


def _header_problem(unknown: int, unnamed: int, repeated: int, missing: Sequence[str]) -> str:
    """A header's mistakes counted, as a refusal sums them up: they are no bad rows."""
    has = [
        text
        for count, text in (
            (unknown, counted(unknown, "unknown column")),
            (unnamed, f"{counted(unnamed, 'column')} without a name"),
            (repeated, counted(repeated, "repeated column")),
        )
        if count
    ]
    said = [f"has {joined(has)}"] if has else []
    if missing:
        said.append(f"lacks {plural('column', len(missing))} {joined([repr(m) for m in missing])}")
    return "the header " + ", and ".join(said)


#: The first bytes of a zip archive, which an .xlsx and an .ods are.
_ZIP_MAGIC = b"PK\x03\x04"
#: The first bytes of every OLE2 compound file: Excel 97-2003 saves an .xls in one, and
#: Excel a workbook with a password.
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
#: What to do with a spreadsheet import does not read.
_SAVE_AS = "which import does not read; save it as .xlsx (Excel) or CSV UTF-8"
#: Spreadsheets import does not read, by the extension they are saved with.
_UNREAD = {".ods": "an OpenDocument spreadsheet", ".xls": "an Excel 97-2003 workbook (.xls)"}
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _format_of(path: Path) -> str:
    """``xlsx`` or ``csv``: what ``path`` holds, told by its first bytes, else by its name.

    Read as CSV, another spreadsheet's bytes would be refused as text that is not
    UTF-8; it is named for what it is instead, also when it was renamed.
    """
    with path.open("rb") as file:
        head = file.read(len(_OLE2_MAGIC))
    suffix = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        refused = _zipped(path)
        if refused is not None:
            raise ImportFailed.whole(path, refused)
        return "xlsx"
    if head == _OLE2_MAGIC:
        if suffix in _WORKBOOK_SUFFIXES:
            raise ImportFailed.whole(
                path,
                "is a workbook with a password, which import does not read; save it without "
                "a password, as .xlsx (Excel) or CSV UTF-8",
            )
        raise ImportFailed.whole(path, f"is {_UNREAD['.xls']}, {_SAVE_AS}")
    if suffix in _UNREAD:
        raise ImportFailed.whole(path, f"is named as {_UNREAD[suffix]}, {_SAVE_AS}")
    return "xlsx" if suffix in _WORKBOOK_SUFFIXES else "csv"


def _zipped(path: Path) -> str | None:
    """Why the zip archive ``path`` is not imported, or None if it holds a workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            kind = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError):
        return None  # a damaged workbook: opening it names what is wrong
    if "xl/workbook.xml" in names:
        return None
    if "xl/workbook.bin" in names:
        return f"is an Excel binary workbook (.xlsb), {_SAVE_AS}"
    # OpenDocument names its type in its first entry, 'mimetype'.
    if kind.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return f"is {_UNREAD['.ods']}, {_SAVE_AS}"
    if kind.startswith(b"application/vnd.oasis.opendocument") or "[Content_Types].xml" in names:
        return (
            "is an office document, not a spreadsheet; save the list as .xlsx (Excel) or CSV UTF-8"
        )
    return (
        "is a zip archive, not a CSV file or an Excel workbook; unpack it and import the "
        "file inside it"
    )


#: The encodings a CSV file may be read in, by the names --encoding takes.
ENCODINGS = {"utf-8": "utf-8-sig", "windows-1252": "cp1252"}


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(
    path: Path, dialect: str, encoding: str = "utf-8"
) -> tuple[_Dialect, Iterator[tuple[int, list[str]]]]:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFailed.whole(path, 'is UTF-16 (Excel\'s "Unicode text"): save it as CSV UTF-8')
    if encoding != "utf-8" and not raw.isascii() and _is_utf8(raw):
        # Read in the Windows code page, UTF-8 would pass and garble every accent.
        raise ImportFailed.whole(path, f"is UTF-8, not {encoding}: import it without --encoding")
    try:
        text = raw.decode(ENCODINGS[encoding])
    except UnicodeDecodeError as error:
        # The whole file is in another encoding, which no row is to blame for.
        line = raw[: error.start].count(b"\n") + 1
        where = f"byte 0x{raw[error.start]:02x} on line {line}"
        if encoding == "utf-8":
            # Excel saves "CSV" in the Windows code page unless asked for "CSV UTF-8".
            raise ImportFailed.whole(
                path,
                f"is not UTF-8 ({where}), as Excel saves a plain CSV file in the Windows "
                "code page: import it with --encoding windows-1252, or save it as CSV UTF-8",
            ) from None
        raise ImportFailed.whole(
            path, f"is not {encoding} ({where}); save it as CSV UTF-8"
        ) from None
    if dialect == "auto":
        header = text.split("\n", 1)[0]
        dialect = "excel-nl" if header.count(";") > header.count(",") else "rfc4180"
    chosen = _DIALECTS[dialect]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen.delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                # Mostly a quote opened and never closed, which swallows the rest.
                raise ImportFailed(
                    path,
                    [
                        BadRow(
                            start,
                            f"the file cannot be read from here ({error}); is a quote "
                            f"missing? No value is longer than {MAX_TEXT_LENGTH} characters",
                        )
                    ],
                ) from None
            yield start, row
            start = reader.line_num + 1

    return chosen, rows()


def _cell(value: object) -> str:
    """A spreadsheet cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        # Excel keeps 15 significant digits; the shortest repr gives them back exactly.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


_ZEROS_FORMAT = re.compile(r"0+")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    # Imported here: only spreadsheet imports need it, and it takes a while to import.
    import openpyxl
    from openpyxl.cell.read_only import EmptyCell
    from openpyxl.styles.numbers import is_datetime
    from openpyxl.utils.exceptions import InvalidFileException

    def text(cell: Any) -> str:  # Any: openpyxl's read-only cells are not typed
        if isinstance(cell, EmptyCell):
            return ""
        value = cell.value
        # Excel keeps a date as the midnight it begins with: only a format that shows
        # the time says that a midnight is meant as a time.
        if (
            isinstance(value, dt.datetime)
            and value.time() == dt.time(0)
            and is_datetime(cell.number_format) == "datetime"
        ):
            return value.isoformat()
        # A number formatted 0000 shows 42 as 0042, as an account number is meant.
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value >= 0
            and _ZEROS_FORMAT.fullmatch(cell.number_format or "")
        ):
            return f"{value:0{len(cell.number_format)}d}"
        return _cell(value)

    # Opened as a stream: openpyxl refuses a path by its name, and a workbook renamed
    # to .csv is read for what its bytes are.
    with path.open("rb") as stream:
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
            raise ImportFailed.whole(
                path, f"is not an Excel workbook ({error}); save it as .xlsx"
            ) from None
        try:
            sheet = workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                yield number, [text(c) for c in cells]
        finally:
            workbook.close()


def _open_table(
    path: Path,
    dialect: str,
    file: _File,
    bad: list[BadRow],
    ignore: Collection[str] = (),
    encoding: str = "utf-8",
) -> tuple[_Table, set[str]]:
    """The file's rows by column, and the columns its header names.

    Header fields named in ``ignore`` (case, spaces and hyphens aside) are left out. A
    CSV file is read in ``encoding``, a name `ENCODINGS` holds.
    """
    left_out = frozenset(_normal(name) for name in ignore)
    if _format_of(path) == "xlsx":
        chosen, word, raw = _SHEET, "row", _xlsx_rows(path)
    else:
        chosen, raw = _csv_rows(path, dialect, encoding)
        word = "line"
    header: list[str] | None = None
    names: list[str | None] = []
    for line, fields in raw:
        if any(f.strip() for f in fields):
            # Spreadsheets pad rows to the widest one: only filled cells count.
            while word == "row" and not fields[-1].strip():
                fields = fields[:-1]
            header = fields
            names = _columns(path, line, fields, file, word, left_out, chosen.day_first)
            break
    if header is None:
        raise ImportFailed.whole(
            path, "is empty; give it a header row naming its columns, then its rows"
        )
    width = len(header)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for line, fields in raw:
            if not any(f.strip() for f in fields):
                continue
            if word == "row":
                filled = max(i for i, f in enumerate(fields) if f.strip()) + 1
                if filled > width:
                    bad.append(
                        BadRow(
                            line,
                            f"has a value in column {filled} but the header names {width} "
                            "columns; give the column a header or clear the cell",
                            word,
                        )
                    )
                    continue
                fields = fields[:width] + [""] * (width - len(fields))
            elif len(fields) != width:
                separator = chosen.delimiter
                hint = (
                    "a decimal comma splits a value in two in a comma-separated file: "
                    'quote it ("1,50") or use decimal points'
                    if separator == "," and len(fields) > width
                    else f"every row needs one value (or an empty one) per column, "
                    f"separated by {separator!r}"
                )
                bad.append(
                    BadRow(
                        line,
                        f"has {len(fields)} fields but the header has {width}; {hint}",
                        word,
                        rule=f"fields-{len(fields)}",
                        summary=f"have {len(fields)} fields where the header has {width}; " + hint,
                    )
                )
                continue
            yield (
                line,
                {n: f.strip() for n, f in zip(names, fields, strict=True) if n is not None},
            )

    ignored = tuple(
        dict.fromkeys(h.strip() for h in header if h.strip() and _normal(h) in left_out)
    )
    return (
        _Table(chosen, word, rows(), ignored, _written(header, names, file)),
        {n for n in names if n is not None},
    )


def _bare(name: str) -> str:
    return _normal(name).replace("_", "")


def _written(header: Sequence[str], names: Sequence[str | None], file: _File) -> dict[str, str]:
    """Each column as the file names it, where that is not its own name.

    Under a Dutch header a column it does not have is named in Dutch too: the one a
    refusal asks for (``btw-reden``) is then added as the rest are written.
    """
    given = {n: h.strip() for n, h in zip(names, header, strict=True) if n is not None}
    # Told apart without their punctuation: e-mail is the English and the Dutch name.
    dutch = any(
        _bare(h) != _bare(n) and _bare(h) == _bare(file.dutch.get(n, n)) for n, h in given.items()
    )
    base = dict(file.dutch) if dutch else {}
    return {c: w for c, w in (base | given).items() if w != c}


# With a decimal comma a point only groups thousands: 1.234,50, never 2.40.
_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")


#: Columns where three digits after a point are thousands to a Dutch reader: money,
#: suggested in cents, and prices and quantities, which may have more places.
_MONEY = frozenset({"limit", "amount"})
_FRACTIONS = frozenset({"unit_price", "quantity"})
# A number as a person writes it with the other decimal mark: 2.40 for 2,40.
_OTHER_MARK = {True: re.compile(r"[+-]?\d*\.\d+"), False: re.compile(r"[+-]?\d*,\d+")}


def _decimal(text: str, dialect: _Dialect, column: str, *, unit: str = "") -> Decimal:
    """The number ``text`` of ``column``; refusals show it with the ``unit`` the file wrote."""
    if not text:
        raise _RowError(f"{column} is empty", rule=f"empty-{column}", summary=f"have no {column}")
    if dialect.decimal_comma and "." in text and not _GROUPED.fullmatch(text):
        # Dropping the point would read 2.40 as 240: refuse rather than guess.
        written = (
            f"write {text.replace('.', ',')}{unit}"
            if _OTHER_MARK[True].fullmatch(text)
            else "write it with a decimal comma, such as 2,40"
        )
        raise _RowError(
            f"{column} {text + unit!r} has a decimal point, but this file writes decimal commas; "
            + written,
            rule=f"decimal-point-{column}",
            summary=f"have {column!r} values with a decimal point, such as {text + unit!r}, in "
            "a file that writes decimal commas: " + written,
        )
    said = (
        None
        if dialect.decimal_comma or dialect.typed_numbers
        else ambiguity(text, column)
        if column in _MONEY
        else ambiguity(text, column, fractions=True)
        if column in _FRACTIONS
        else None
    )
    if said is not None:
        raise _RowError(
            said,
            rule="ambiguous-thousands",
            summary=f"have {column}s with three digits after a point, which read as "
            "thousands in Dutch: write 1500 or 1.50, whichever you mean",
        )
    value = text.replace(".", "").replace(",", ".") if dialect.decimal_comma else text
    try:
        number = Decimal(value)
        if not number.is_finite():
            raise ArithmeticError(value)  # NaN and Infinity are no amounts or rates
        return number
    except ArithmeticError:
        hint = (
            f"; write it with a decimal point, {text.replace(',', '.')}{unit}"
            if not dialect.decimal_comma and _OTHER_MARK[False].fullmatch(text)
            else ""
        )
        raise _RowError(f"{column} {text + unit!r} is not a number{hint}") from None


def _rate_choices(percent: Decimal, dialect: _Dialect) -> str:
    """The two ways a file may write the rate ``percent``: ``21% or 0,21`` in Dutch."""
    return f"{dialect.number(percent)}% or {dialect.number(as_rate(percent))}"


def _date(text: str, dialect: _Dialect, column: str) -> dt.date:
    try:
        if dialect.day_first and _DAY_FIRST_DATE.fullmatch(text):
            return dt.datetime.strptime(text, "%d-%m-%Y").date()
        if "T" in text:
            # A workbook's date cell formatted with a time: its midnight is the date.
            at = dt.datetime.fromisoformat(text)
            if at.time() == dt.time(0) and at.tzinfo is None:
                return at.date()
        return dt.date.fromisoformat(text)
    except ValueError:
        example = "31-01-2026" if dialect.day_first else "2026-01-31"
        raise _RowError(f"{column} {text!r} is not a date like {example}") from None


def _instant(text: str, dialect: _Dialect, tz: ZoneInfo) -> dt.datetime:
    value: dt.datetime | None = None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        if dialect.day_first:
            value = _day_first(text)
    # fromisoformat reads a date alone (2026-10-01, 20261001, 2026-W40-4) as midnight.
    if (value is not None and not _TIME_PART.search(text)) or (
        dialect.day_first and _DAY_FIRST_DATE.fullmatch(text)
    ):
        # As midnight, a booking would land on the business day before when days start
        # later, or in the month before.
        example = f"{text} 21:40"
        raise _RowError(
            f"at {text!r} is a date without a time; give the time of the booking, such as "
            f"{example}, so that it falls on the right business day",
            rule="date-only",
            summary="have a date without a time in 'at': give the time of each booking, "
            f"such as {example}, so that it falls on the right business day",
        )
    if value is None:
        if not dialect.day_first and _DAY_FIRST_SHAPE.fullmatch(text):
            day_first = _day_first(text)
            if day_first is not None:
                # Dutch spelling in a comma file: name the file's own spelling.
                spec = "seconds" if day_first.second else "minutes"
                year_first = day_first.isoformat(sep=" ", timespec=spec)
                raise _RowError(
                    f"at {text!r} writes the day first, as files with ';' do; this file "
                    f"separates with {dialect.delimiter!r}: write the year first, {year_first}",
                    rule="day-first",
                    summary="write the day first in 'at', as files with ';' do; this file "
                    f"separates with {dialect.delimiter!r}: write the year first, such as "
                    f"{year_first}",
                )
        if _DATE_TIME_SHAPE.fullmatch(text):
            # Digits in their places, but 31 September or 25:00.
            raise _RowError(
                f"at {text!r} is a date and time that does not exist; check the day and the time"
            )
        examples = ("03-10-2026 21:40 or " if dialect.day_first else "") + (
            "2026-10-03T21:40:00+02:00"
        )
        raise _RowError(f"at {text!r} is not a date and time like {examples}")
    if value.tzinfo is None:
        # Local wall time from the file, placed in the zone the operator named.
        value = _local(text, value, tz)
    return value


def _day_first(text: str) -> dt.datetime | None:
    """``text`` read as a Dutch day-first date and time (``03-10-2026 21:40``), if it is one.

    A UTC offset may follow the time (``25-10-2026 02:30+01:00``), as the refusal of a
    time the clocks showed twice advises.
    """
    for pattern in (
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
        "%d-%m-%Y %H:%M:%S%z",
        "%d-%m-%Y %H:%M%z",
    ):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


# What separates the time from the date in ISO 8601 (and in the day-first spelling).
_TIME_PART = re.compile(r"[Tt ]")
# A date day first, with or without leading zeros, as Dutch Excel writes it (1-2-2026).
_DAY_FIRST_DATE = re.compile(r"\d{1,2}-\d{1,2}-\d{4}")
# Day first as Dutch Excel writes it, with or without leading zeros (5-10-2026 9:40).
_DAY_FIRST_SHAPE = re.compile(r"\d{1,2}-\d{1,2}-\d{4} \d{1,2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?")
# A date and time written as one of the accepted spellings, whatever the numbers.
_DATE_TIME_SHAPE = re.compile(
    rf"{_DAY_FIRST_SHAPE.pattern}|"
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
)


def _local(text: str, wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``wall`` in ``tz``, refused when the clocks skipped it or showed it twice."""
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    offsets = f"{_offset(first)} for the first time, {_offset(second)} for the second"
    if first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == wall:
        raise _RowError(
            f"at {text!r} happened twice in {tz.key}, the night the clocks went back; add "
            f"the UTC offset: {offsets} (or pass --tz with the till's zone)",
            rule="dst-twice",
            summary=f"are at times that happened twice in {tz.key}, the night the clocks "
            f"went back: add the UTC offset, e.g. {first.isoformat()} for the first time, "
            f"{_offset(second)} for the second (or pass --tz with the till's zone)",
        )
    raise _RowError(
        f"at {text!r} does not exist in {tz.key}: the clocks went forward past it; correct "
        f"the time, or add the UTC offset the till used, e.g. {first.isoformat()} (or pass "
        "--tz with the till's zone)",
        rule="dst-skipped",
        summary=f"are at times that do not exist in {tz.key}, the clocks went forward past "
        "them: correct them, or add the UTC offset the till used, e.g. "
        f"{first.isoformat()} (or pass --tz with the till's zone)",
    )


def _offset(at: dt.datetime) -> str:
    """``at``'s UTC offset as a file writes it: ``+02:00``."""
    offset = at.utcoffset()
    assert offset is not None  # an instant in a zone has an offset
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _tracked(
    items: Sequence[T], size: Callable[[T], int], progress: Progress | None
) -> Iterator[T]:
    """Yield ``items``, telling ``progress`` how many of all their rows are done."""
    if progress is None:
        yield from items
        return
    total = sum(map(size, items))
    done = 0
    progress(done, total, "rows")
    for item in items:
        yield item
        done += size(item)
        progress(done, total, "rows")


def _collect(
    rows: Iterable[tuple[int, R]],
    build: Callable[[int, R], T],
    bad: list[BadRow],
    word: str,
) -> list[tuple[int, T]]:
    """Build every row, noting each failure with its line rather than stopping."""
    result = []
    for line, row in rows:
        try:
            result.append((line, build(line, row)))
        except _BadRows as failure:
            bad.extend(failure.bad)
        except (_RowError, OnAccountError) as error:
            bad.append(_bad_row(line, error, word))
    return result


def read_accounts(
    path: Path,
    *,
    dialect: str = "auto",
    encoding: str = "utf-8",
    held: Callable[[Sequence[str]], Mapping[str, AccountState]] | None = None,
    progress: Progress | None = None,
    ignore: Collection[str] = (),
) -> Rows[Account]:
    """Every account in ``path``, or `ImportFailed` listing every bad row.

    An empty kind, currency or limit of an account ``held(numbers)`` finds in the ledger
    is the one it has now, as is every detail the file has no column for, so a file of
    new details needs no other columns; for a new account they default to limit, EUR
    and 0. ``progress`` hears of the rows read, of all the file's rows. Columns named in
    ``ignore`` are left out. A CSV file is read in ``encoding`` (`ENCODINGS`).
    """
    bad: list[BadRow] = []
    table, columns = _open_table(path, dialect, _FILES["accounts"], bad, ignore, encoding)
    chosen = table.dialect
    seen: dict[str, int] = {}
    kept_limits: set[str] = set()
    # An update file of new IBANs keeps what its account has in the columns it lacks,
    # but a detail given in part is given whole: a new IBAN's BIC is not the old bank's.
    lacking = _DETAIL_COLUMNS - columns
    for together in _GIVEN_TOGETHER:
        if together & columns:
            lacking -= together

    def build(line: int, row: dict[str, str]) -> Account:
        # Noted before the row's other cells are read: a repeat is named even when either
        # line has another mistake, and with this line's own, so one pass finds them all.
        key = row.get("number", "").strip()
        first = seen.setdefault(key, line) if key else line
        if first == line:
            return account_of(row)
        repeated = BadRow(
            line,
            f"account {key} appears already on {table.word} {first}; give each account one "
            f"{table.word}: remove this one, or give it its own number",
            table.word,
        )
        try:
            account_of(row)
        except (_RowError, OnAccountError) as error:
            raise _BadRows([repeated, _bad_row(line, error, table.word)]) from None
        raise _BadRows([repeated])

    def account_of(row: dict[str, str]) -> Account:
        number, limit = row.get("number", ""), row.get("limit")
        given = {
            "kind": _in_english(row.get("kind"), _DUTCH_KINDS),
            "currency": row.get("currency"),
        }
        wanted = lacking or not (limit and all(given.values()))
        now = held_now().get(number) if wanted else None
        before = now.account if now is not None else None
        kept = lacking if before is not None else frozenset()
        old = before.billing if before is not None else None
        old_address = old.address if old is not None else None

        def cell(column: str, parse: Callable[[str], Any], held_value: Any) -> Any:
            return held_value if column in kept else parse(row.get(column, ""))

        def held_of(field: str) -> Any:
            return getattr(old, field) if old is not None else None

        def held_at(field: str) -> Any:
            return getattr(old_address, field) if old_address is not None else None

        street = cell("street", _text, held_at("street"))
        city = cell("city", _text, held_at("city"))
        address = None
        if street or city:
            address = Address(
                street=street,
                postal_code=cell("postal_code", _text, held_at("postal_code")),
                city=city,
                country=cell("country", lambda v: v or "NL", held_at("country") or "NL"),
            )
        details = {
            "name": cell("billing_name", _text, held_of("name")),
            **{f: cell(f, _text, held_of(f)) for f in ("email", "vat_id", "mandate_id")},
            "iban": cell("iban", _iban, held_of("iban")),
            **{
                f: held_of(f) if f in kept else _party_id(row, f)
                for f in ("peppol_id", "registration")
            },
        }
        billing = None
        if address is not None or any(details.values()):
            billing = BillingDetails(
                **details,
                address=address,
                bic=cell("bic", _text, held_of("bic")),
                mandate_date=cell(
                    "mandate_date",
                    lambda v: _date(v, chosen, "mandate_date") if v else None,
                    held_of("mandate_date"),
                ),
            )
        # Another kind is refused by the import, which names it; the held limit would
        # only hide that behind a limit the file never gave.
        same_kind = now is not None and (
            not given["kind"] or given["kind"].strip().lower() == now.account.kind.value
        )
        if limit:
            amount = _decimal(limit, chosen, "limit")
        elif now is None or not same_kind:
            amount = Decimal(0)
        else:
            # Kept as it stands, even where a run took it below zero, which no Account
            # holds: the import is told to keep it.
            amount = now.account.limit
            kept_limits.add(number)
        return Account(
            number=number,
            name=row.get("name", ""),
            kind=account_kind(given["kind"] or (now.account.kind if now else "limit")),
            limit=amount,
            currency=given["currency"] or (now.account.currency if now else "EUR"),
            group=cell("group", _text, before.group if before else None),
            tags=cell("tags", _tags, before.tags if before else frozenset()),
            billing=billing,
        )

    rows = list(table.rows)

    @functools.cache
    def held_now() -> Mapping[str, AccountState]:
        # The file's accounts looked up at once, and only once a row needs them.
        return held([row.get("number", "") for _, row in rows]) if held is not None else {}

    accounts = _collect(_tracked(rows, lambda _: 1, progress), build, bad, table.word)
    if held is not None:
        column = table.written.get("number", "number")
        bad.extend(_lost_zeros(accounts, held_now(), held, table.word, column))
    return _read(
        Rows(
            path,
            table.word,
            tuple(accounts),
            kept_limits=frozenset(kept_limits),
            ignored=table.ignored,
            written=table.written,
        ),
        bad,
    )


def _lost_zeros(
    accounts: Sequence[tuple[int, Account]],
    held_now: Mapping[str, AccountState],
    held: Callable[[list[str]], Mapping[str, AccountState]],
    word: str,
    column: str,
) -> Iterator[BadRow]:
    """The new accounts whose numbers are held ones a spreadsheet saved without zeros.

    ``column`` is the number column as the file names it.
    """
    zeros = held_with_zeros(held, [a.number for _, a in accounts if a.number not in held_now])
    lost = [(line, a.number, zeros[a.number]) for line, a in accounts if a.number in zeros]
    if not lost:
        return
    _, given, was = lost[0]
    summary = (
        f"are new accounts that the ledger holds with leading zeros ({given} is "
        f"{was.number} {was.name!r}): " + lost_zeros(column, many=True)
    )
    for line, number, was in lost:
        yield BadRow(
            line,
            f"account {number!r} would be new, but account {was.number} {was.name!r} is "
            "held: " + lost_zeros(column),
            word,
            "lost-zeros",
            summary,
        )


#: The id of a booking the file gives none, until one is made from its content: a
#: refusal of the booking reads "credit booking from this row on account 900 …".
_FROM_THIS_ROW = "from this row"

#: What each kind of credit booking does, as a refusal explains it.
_CREDIT_MEANS = {
    CreditKind.TOP_UP: "puts money on the account",
    CreditKind.PAYMENT: "pays what the account owes",
    CreditKind.REFUND: "books money back to the account",
}


def _check_line_amount(row: dict[str, str], line: Line, currency: str, dialect: _Dialect) -> None:
    """A purchase row's amount, where given, is its line's: a till's total is not ignored."""
    given = row.get("amount", "")
    if not given:
        return
    computed = line.amount(currency)
    if _decimal(given, dialect, "amount") != computed:
        raise _RowError(
            f"amount {given} is not quantity × unit_price ({row.get('quantity')} × "
            f"{row.get('unit_price')} = {dialect.number(pad_amount(computed, currency))} "
            f"{currency}); a purchase line's amount is computed from them: correct the row "
            "or leave amount empty",
            rule="line-amount",
            summary="have an amount that is not quantity × unit_price: correct them or leave "
            "amount empty",
        )


def _text(value: str) -> str | None:
    return value or None


def _iban(value: str) -> str | None:
    """The IBAN of a cell, refused unless it has an IBAN's shape and check digits."""
    if not value.strip():
        return None
    iban = compact_iban(value)
    refused = no_iban(iban)
    if refused is not None:
        raise _RowError(f"iban {refused}")
    return iban


def _tags(value: str) -> frozenset[str]:
    return frozenset(t.strip() for t in value.split("|") if t.strip())


def _read(rows: Rows[T], bad: Sequence[BadRow]) -> Rows[T]:
    """The rows of a file, or `ImportFailed` naming the bad ones and holding the good."""
    if bad:
        raise ImportFailed(
            rows.path, sorted((b.worded(rows.written) for b in bad), key=_line), rows
        )
    return rows


def _line(row: BadRow) -> int:
    return row.line


def _is_purchase_row(row: Mapping[str, str]) -> bool:
    kind = _in_english(row.get("type"), _DUTCH_BOOKINGS)
    return not kind or kind == "purchase"


def _repeated(
    repeats: Sequence[tuple[int, int]], without_id: Collection[int], word: str
) -> Iterator[BadRow]:
    """The refusal of each row repeating an earlier one, ``(line, earlier line)``."""
    for line, earlier in repeats:
        # A booking of its own is told by what it books (21% and 0,21 alike); a line of
        # a purchase by its cells.
        own = line in without_id
        what = "a booking of its own" if own else "a line of its purchase"
        advice = f"or import with --keep-repeats if each is {what}"
        said = (
            f"is the same booking as {word} {earlier}"
            if own
            else (f"repeats {word} {earlier} exactly")
        )
        yield BadRow(
            line,
            f"{said}; delete it if it was pasted twice, {advice}",
            word,
            "repeated-booking" if own else "repeated-line",
            "repeat an earlier row: delete the copies if they were pasted twice, " + advice,
        )


def _content_id(tx: Transaction, occurrence: int) -> str:
    """An id from what the booking is, so the same row imported twice is the same booking."""
    if isinstance(tx, Purchase):
        body = [
            "purchase", tx.note or "",
            *(
                f"{ln.product}\x1f{ln.code or ''}\x1f{ln.group or ''}\x1f{ln.quantity}\x1f"
                f"{ln.unit_price}\x1f{ln.vat}\x1f{ln.vat.exemption_reason or ''}"
                for ln in tx.lines
            ),
        ]  # fmt: skip
    else:
        assert isinstance(tx, CreditBooking)
        body = [tx.kind.value, str(tx.credit), tx.reason]
    text = "\x1e".join([tx.account, tx.at.isoformat(), tx.currency, *body, str(occurrence)])
    return "import-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


_Group = list[tuple[int, dict[str, str]]]


def read_transactions(
    path: Path,
    *,
    tz: ZoneInfo,
    dialect: str = "auto",
    encoding: str = "utf-8",
    currency_of: Callable[[str], str | None] | None = None,
    progress: Progress | None = None,
    ignore: Collection[str] = (),
    keep_repeats: bool = False,
) -> Rows[Transaction]:
    """Every booking in ``path``, or `ImportFailed` listing every bad row.

    Times without a UTC offset are read in ``tz``. A row without a currency is in
    ``currency_of(account)``, the currency the ledger keeps the account in, or EUR when
    that gives None or is not given. ``progress`` hears of the rows read. Columns named
    in ``ignore`` are left out. A CSV file is read in ``encoding`` (`ENCODINGS`). A row
    equal in every cell to an earlier one, which a paste may have made, is a bad row
    unless ``keep_repeats``: then it is a sale, or a line of its purchase, of its own.
    """
    bad: list[BadRow] = []
    table, present = _open_table(path, dialect, _FILES["transactions"], bad, ignore, encoding)
    chosen, word = table.dialect, table.word
    vat_given = bool(present & {"vat_rate", "vat_category"})

    def _rate(text: str | None, category: str) -> Decimal:
        if not text:
            return Decimal(0)
        bare = text.strip()
        if bare.endswith("%"):
            # As a spreadsheet saves a percentage cell: 21% is the rate 0.21.
            given = bare.removesuffix("%").strip()
            if not given:
                raise _RowError(
                    f"vat_rate {text!r} has no number: write the rate as "
                    f"{_rate_choices(Decimal(21), chosen)}",
                    rule="vat-percent-empty",
                    summary="have a % sign without a number: write each rate as "
                    f"{_rate_choices(Decimal(21), chosen)}",
                )
            percent = _decimal(given, chosen, "vat_rate", unit="%")
            if percent >= 100:
                raise _RowError(
                    f"vat_rate {text!r} is 100 % or more, which no VAT rate is: write "
                    f"{_rate_choices(Decimal(21), chosen)}",
                    rule="vat-percent-high",
                )
            if 0 < percent < 1:
                # 0,21% is 0,21 with a sign too many: no VAT rate is below 1 %.
                raise _RowError(
                    f"vat_rate {text!r} is a fraction with a % sign: write "
                    f"{_rate_choices((percent * 100).normalize(), chosen)}",
                    rule="vat-percent-fraction",
                )
            return as_rate(percent)
        rate = _decimal(text, chosen, "vat_rate")
        if rate >= 1 and category.upper() == "S":
            # Answered in the file's own spelling: 21% or 0,21 in a Dutch file.
            choices = _rate_choices(rate, chosen)
            raise _RowError(
                f"vat_rate {text!r} reads as a percentage without its sign: write {choices}",
                rule="vat-percent",
                summary=f"have VAT rates in percent without a % sign: write {choices}",
            )
        return rate

    def line_of(line: int, row: dict[str, str]) -> Line:
        category = row.get("vat_category") or "S"
        rate = row.get("vat_rate")
        if not rate and category.upper() == "S":
            if not vat_given:
                raise _RowError(
                    "the file has no VAT columns: add vat_rate (the standard rate as a "
                    "fraction, e.g. 0.21) or vat_category (Z, E, … with vat_reason)",
                    rule="no-vat",
                    summary="are purchases in a file without VAT columns: add vat_rate (the "
                    "standard rate as a fraction, e.g. 0.21) or vat_category (Z, E, … with "
                    "vat_reason)",
                )
            choices = _rate_choices(Decimal(21), chosen)
            raise _RowError(
                f"vat_rate is empty for standard-rated VAT; give the rate, {choices}, or "
                "another vat_category",
                rule="empty-vat_rate",
                summary=f"have no vat_rate for standard-rated VAT: give the rate, {choices}, "
                "or another vat_category",
            )
        return Line(
            product=row.get("product", ""),
            code=row.get("code") or None,
            group=row.get("group") or None,
            quantity=_decimal(row.get("quantity", ""), chosen, "quantity"),
            unit_price=_decimal(row.get("unit_price", ""), chosen, "unit_price"),
            vat=Vat(category, _rate(rate, category), row.get("vat_reason") or None),
        )

    # Rows sharing an id are one purchase wherever they stand; rows without an id are
    # one booking each.
    groups: dict[str, tuple[int, _Group]] = {}
    singles: list[tuple[int, _Group]] = []
    # A line of a purchase equal in every cell to one before it is booked as given (two
    # rounds of the same beer on one receipt), and named, as a paste may have made it.
    first_of_row: dict[tuple[tuple[str, str], ...], int] = {}
    repeats: list[tuple[int, int]] = []
    for line, row in table.rows:
        tx_id = row.get("id", "")
        if not tx_id:
            singles.append((line, [(line, row)]))
            continue
        earlier = first_of_row.setdefault(tuple(row.items()), line)
        # Only a purchase has lines; a credit booking given twice is refused as such.
        if earlier != line and _is_purchase_row(row):
            repeats.append((line, earlier))
        if tx_id in groups:
            groups[tx_id][1].append((line, row))
        else:
            groups[tx_id] = (line, [(line, row)])
    ordered = sorted([*groups.values(), *singles], key=lambda g: g[0])
    without_id = {line for line, _ in singles}

    def currency(account: str) -> str:
        return (currency_of(account) if currency_of else None) or "EUR"

    def head_of(row: dict[str, str]) -> tuple[str, dt.datetime, str, str]:
        kind = _in_english(row.get("type"), _DUTCH_BOOKINGS) or "purchase"
        if kind not in _BOOKING_TYPES:
            raise _RowError(
                f"type {kind!r} is not a booking type; give {', '.join(_BOOKING_TYPES[:-1])} "
                f"or {_BOOKING_TYPES[-1]} (in Dutch {', '.join(_DUTCH_TYPES[:-1])} or "
                f"{_DUTCH_TYPES[-1]})",
                rule=f"type-{kind}",
                summary=f"have type {kind!r}, which is no booking type",
            )
        return (
            row.get("account", ""),
            _instant(row.get("at", ""), chosen, tz),
            kind,
            row.get("currency") or currency(row.get("account", "")),
        )

    def build(first_line: int, group: _Group) -> Transaction:
        head = group[0][1]
        given_id = head.get("id", "")
        account, at, kind, currency = head_of(head)
        row_bad: list[BadRow] = []
        for line, row in group[1:]:
            try:
                other = head_of(row)
            except _RowError as error:
                row_bad.append(_bad_row(line, error, word))
                continue
            for what, mine, theirs in zip(
                ("account", "time", "type", "currency"), (account, at, kind, currency), other,
                strict=True,
            ):  # fmt: skip
                if mine != theirs:
                    row_bad.append(
                        BadRow(
                            line,
                            f"id {given_id} has {what} {theirs} here but {mine} on {word} "
                            f"{first_line}; rows sharing an id are the lines of one purchase: "
                            "give this booking its own id",
                            word,
                        )
                    )
                    break
        if kind == "purchase":
            lines = _collect(group, line_of, row_bad, word)
            rows = dict(group)
            for line, built in lines:
                try:
                    _check_line_amount(rows[line], built, currency, chosen)
                except _RowError as error:
                    row_bad.append(_bad_row(line, error, word))
            if row_bad:
                raise _BadRows(row_bad)
            return Purchase(
                id=given_id or _FROM_THIS_ROW,
                account=account,
                at=at,
                currency=currency,
                lines=[ln for _, ln in lines],
                note=head.get("text") or None,
            )
        if len(group) > 1:
            row_bad.extend(
                BadRow(
                    line,
                    f"id {given_id} is a {kind} on {word} {first_line} already; a credit "
                    "booking has one row: give this booking its own id",
                    word,
                )
                for line, _ in group[1:]
            )
        credit = Decimal(0)
        if not head.get("amount", ""):
            row_bad.append(
                BadRow(
                    first_line,
                    f"amount is empty; a {kind} {_CREDIT_MEANS[CreditKind(kind)]} and needs "
                    "its amount in column 'amount' (a returned product is a purchase row with "
                    "a negative quantity)",
                    word,
                    f"empty-amount-{kind}",
                    f"are {kind}s without an amount: give each its amount in column 'amount'",
                )
            )
        else:
            try:
                credit = _decimal(head.get("amount", ""), chosen, "amount")
            except _RowError as error:
                row_bad.append(_bad_row(first_line, error, word))
        if not head.get("text", "").strip():
            row_bad.append(
                BadRow(
                    first_line,
                    "text is empty; a top-up, payment or refund needs its reason in column 'text'",
                    word,
                )
            )
        if row_bad:
            raise _BadRows(row_bad)
        return CreditBooking(
            id=given_id or _FROM_THIS_ROW,
            account=account,
            at=at,
            currency=currency,
            credit=credit,
            kind=CreditKind(kind),
            reason=head.get("text", ""),
        )

    built = _collect(_tracked(ordered, lambda g: len(g[1]), progress), build, bad, word)
    # Bookings without an id get one from their content: equal rows count apart.
    occurrences: dict[str, int] = {}
    first: dict[str, int] = {}
    result = []
    for line, tx in built:
        if line in without_id:
            base = _content_id(tx, 0)
            occurrences[base] = occurrences.get(base, 0) + 1
            if base in first:
                repeats.append((line, first[base]))
            first.setdefault(base, line)
            tx = attrs.evolve(tx, id=_content_id(tx, occurrences[base] - 1))
        result.append((line, tx))
    if not keep_repeats:
        bad.extend(_repeated(repeats, without_id, word))
        repeats = []
    return _read(
        Rows(
            path,
            word,
            tuple(result),
            tuple(sorted(repeats)),
            ignored=table.ignored,
            written=table.written,
        ),
        bad,
    )

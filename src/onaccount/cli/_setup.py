"""Setting up: the demo, the database schema and importing from CSV or XLSX."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import babel
import click
from click.core import ParameterSource
from sqlalchemy.exc import SQLAlchemyError

import onaccount as oa
from onaccount._period import to_date
from onaccount._words import for_command_line, in_number, joined, named, plural
from onaccount.exporting import ExportReport
from onaccount.ledger.sql import SQLLedger, upgrade

from ._demo import DEMO_TZ, demo_data, demo_options_file
from ._group import (
    _period,
    _State,
    _zone,
    cli,
    pass_state,
    shown_db,
    to_stderr,
    today_in,
    zone_options,
)
from ._importing import (
    ENCODINGS,
    ImportFailed,
    Progress,
    Rows,
    _normal,
    read_accounts,
    read_transactions,
)
from ._invoicing import LedgerOptions, _file_options, _options
from ._numbers import held_with_zeros
from ._rendering import (
    _emit_json,
    _print_run,
    _ProgressBars,
    _report_line,
    account_cells,
    account_columns,
    amount_column,
    amounts_title,
    json_option,
    literal,
    plain,
    records,
    shell_lines,
)

__all__ = [
    "db_group",
    "db_upgrade",
    "demo",
    "import_accounts",
    "import_group",
    "import_transactions",
]

T = TypeVar("T")

#: The demo's canteen is Dutch: so are its amounts and dates, unless told otherwise.
DEMO_LOCALE = "nl_NL"


# -- demo and database ---------------------------------------------------------------------


#: What the demo writes into its directory; only such a directory is replaced.
# The digest of the ledger as the demo left it: a demo ledger worked in since differs.
_DEMO_DIGEST = ".onaccount-demo.sha256"
#: The club's details the demo exports with, for the user's own exports of its runs.
_DEMO_OPTIONS = "club.toml"
_DEMO_FILES = frozenset(
    {
        "onaccount.sqlite",
        "onaccount.sqlite-journal",
        "onaccount.sqlite-wal",
        "exports",
        _DEMO_OPTIONS,
        _DEMO_DIGEST,
    }
)


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def _day(ctx: click.Context, param: click.Parameter, text: str | None) -> dt.date | None:
    """A calendar date typed as ISO 8601, refused in the library's words."""
    if text is None:
        return None
    try:
        return to_date(text, "date")
    except oa.InvalidPeriod as error:
        raise click.BadParameter(error.message, ctx, param) from None


@cli.command(short_help="Build a demo canteen's ledger, bill October, export it.")
@click.argument("directory", default="onaccount-demo", type=click.Path(path_type=Path))
@click.option("--today", callback=_day, metavar="YYYY-MM-DD", help="Pretend today is this date.")
@pass_state
def demo(state: _State, directory: Path, today: dt.date | None) -> None:
    """Build a canteen's ledger in DIRECTORY, bill its October, export it all.

    The ledger holds August to October of the last October that has ended; the runs
    of August and September are committed already, October's is committed now. It is
    the month the clocks go back, so its bill crosses a 25-hour business day.

    DIRECTORY is ./onaccount-demo unless given; only an earlier demo there is replaced,
    and only if its ledger is as the demo left it.
    The demo is a Dutch canteen: it writes amounts and dates as nl_NL does unless
    --locale (or $ONACCOUNT_LOCALE) says otherwise.

    \b
    Examples:
      onaccount demo
      onaccount demo /tmp/canteen --today 2026-11-15
    """
    parent = click.get_current_context().find_root()
    # The commands to try next write what the demo wrote, so they name its locale too.
    locale = (
        DEMO_LOCALE if parent.get_parameter_source("locale") is ParameterSource.DEFAULT else None
    )
    if locale is not None:
        state.show = attrs.evolve(state.show, locale=babel.Locale.parse(locale))
    day = today or today_in(DEMO_TZ)
    data = demo_data(day)
    if directory.exists():
        # Only a previous demo is replaced: never wipe a directory someone else filled.
        foreign = (
            []
            if not directory.is_dir()
            else [p.name for p in directory.iterdir() if p.name not in _DEMO_FILES]
        )
        if not directory.is_dir() or foreign:
            raise click.BadParameter(
                f"{directory} exists and is not a demo directory"
                + (f" (it holds {', '.join(sorted(foreign)[:3])})" if foreign else "")
                + "; give a new directory, or remove it first",
                param_hint="DIRECTORY",
            )
        kept = directory / "onaccount.sqlite"
        digest = directory / _DEMO_DIGEST
        if kept.exists() and (not digest.exists() or digest.read_text().strip() != _digest(kept)):
            raise click.BadParameter(
                f"{kept} has changed since the demo made it (accounts, bookings or runs of "
                f"yours); the demo would replace it: give another directory, or remove "
                f"{directory} first",
                param_hint="DIRECTORY",
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    db = directory / "onaccount.sqlite"
    upgrade(db)
    ledger = SQLLedger(db)
    admin = oa.Actor.superuser(state.actor.id)
    *history, month = data.months
    with state.progress() as progress:
        task = progress.add_task("booking three months of sales", total=3)
        oa.import_accounts(ledger, data.accounts, actor=admin)
        progress.advance(task)
        # The canteen's tills accepted these sales already; history is imported as it was.
        oa.import_transactions(ledger, data.transactions, actor=admin)
        progress.advance(task)
        for period in history:
            plan = oa.plan_run(ledger, period, oa.AccountQuery(), "zero-balance", actor=admin)
            oa.commit_run(
                ledger, plan, actor=admin, key=f"demo-{period.label}", at=_billed_at(period)
            )
        progress.advance(task)
    plan = oa.plan_run(ledger, month, oa.AccountQuery(), "zero-balance", actor=admin)
    state.out.print(
        f"[bold]Billing {month}[/]: {len(plan.drafts)} accounts to invoice, "
        f"{len(plan.refusals)} refused, {len(plan.nothing_to_invoice)} with nothing to invoice"
    )
    for refusal in plan.refusals:
        state.say(f"refused {refusal.account}: {for_command_line(refusal.message)}", indent=2)
    run = oa.commit_run(ledger, plan, actor=admin, key=f"demo-{month.label}", at=_billed_at(month))
    exports = directory / "exports"
    club = directory / _DEMO_OPTIONS
    club.write_text(demo_options_file(), encoding="utf-8")
    reports, skipped = _export_all(ledger, run, exports, club, state, day)
    _print_run(state, run, limit=12)
    written = [path for report in reports for path in report.paths]
    state.out.print(
        f"\nWrote {state.show.count(len(written), 'export file')} to {exports}/", markup=False
    )
    for report in reports:
        # What each exporter wrote and refused, worded as `onaccount export` words it,
        # wrapped between words to the screen; the file names stay whole.
        state.say(_report_line(state.show, report), indent=2)
        for note in report.notes:
            state.say(f"{report.exporter}: {for_command_line(note)}", indent=2)
        for path in report.paths:
            state.out.print(f"    {literal(path.name)}")
    if skipped:
        state.out.print("Skipped, not installed here:")
        for line in skipped:
            state.say(line, indent=2)
    state.out.print()
    state.say(
        f"The club's details the e-invoices, the auditfile and the collection need are in "
        f"{club}: give it to export with --options-file."
    )
    state.out.print("\n[bold]Try next:[/]")
    for line in _try_next(state, db, month, run, locale):
        # Each line fits the screen already; soft wrapping keeps an over-long word whole.
        state.out.print(plain(line), markup=False, highlight=False, soft_wrap=True)
    ledger.close()
    (directory / _DEMO_DIGEST).write_text(_digest(db) + "\n")


def _billed_at(period: oa.Period) -> dt.datetime:
    """When the demo bills ``period``: the morning after it, as the treasurer did."""
    morning = period.day_start(period.last + dt.timedelta(days=1)) + dt.timedelta(hours=6)
    return min(morning, dt.datetime.now(dt.UTC))


def _program() -> str:
    """The command as the user can type it again: ``onaccount`` when the shell finds it.

    Otherwise the path it was started by (``.venv/bin/onaccount`` from the README), so
    the lines work when pasted without an activated virtual environment.
    """
    started = Path(sys.argv[0])
    if started.name != "onaccount":
        return "onaccount"
    found = shutil.which("onaccount")
    if found is not None and Path(found).resolve() == started.resolve():
        return "onaccount"
    try:
        here = started.resolve().relative_to(Path.cwd())
    except ValueError:
        return str(started)
    # A bare name would be looked up on PATH: a path needs a slash.
    return str(here) if len(here.parts) > 1 else f"./{here}"


def _try_next(
    state: _State, db: Path, month: oa.Period, run: oa.InvoiceRun, locale: str | None
) -> list[str]:
    """The commands to try on the demo's ledger, each wrapped to the screen's width."""
    program = shlex.quote(_program())
    first = run.invoices[0].account.number
    day_start = month.day_starts_at.isoformat(timespec="minutes")
    # Named once, as the database is, so that every command after reads the month alike;
    # the zone only when the variable names another than the default, the demo's.
    settings = {
        "ONACCOUNT_DB": str(db),
        "ONACCOUNT_TZ": None if os.environ.get("ONACCOUNT_TZ", DEMO_TZ) == month.tz else month.tz,
        "ONACCOUNT_DAY_STARTS_AT": day_start,
        "ONACCOUNT_LOCALE": locale,
    }
    commands = [
        ["accounts", "--balance '<0'"],
        [f"statement {first}", f"--period {month.label}"],
        ["runs"],
        [f"mutations --run {run.id}"],
        ["--role superuser", f"undo {run.id}", f"--account {first}", "--reason 'billed twice'"],
        [f"export {run.id}", "--format csv", "--option dialect=rfc4180", "--out exports"],
        [
            f"export {run.id}",
            "--format xaf",
            f"--options-file {shlex.quote(str(db.parent / _DEMO_OPTIONS))}",
            "--out exports",
        ],
        ["exporters"],
    ]
    lines = [f"  export {name}={shlex.quote(value)}" for name, value in settings.items() if value]
    for words in commands:
        lines += shell_lines([program, *words], state.out.width)
    return lines


def _export_all(
    ledger: oa.Ledger,
    run: oa.InvoiceRun,
    directory: Path,
    club: Path,
    state: _State,
    today: dt.date,
) -> tuple[list[ExportReport], list[str]]:
    """Export ``run`` with every exporter that can run here; their reports, what was skipped.

    The options file ``club`` gives the club's details to the exporters that need a
    seller or a creditor, as `export --options-file` does, so the e-invoices and the
    collection are real ones; the collection is sent ``today``.
    """
    registry = state.exporters()
    reports: list[ExportReport] = []
    skipped: list[str] = []
    exporters = []
    for info in registry.describe():
        if info.unavailable_reason is not None:
            skipped.append(f"{info.identifier}: {info.unavailable_reason}")
        else:
            exporters.append(registry.get(info.identifier))
    names = {e.identifier: {o.name for o in e.Options.describe()} for e in exporters}
    everyone = {o.name for e in registry.exporters() for o in e.Options.describe()}
    texts = _file_options(club, names, registry.identifiers(), everyone)
    # The journal goes on from the demo's earlier runs, as `onaccount export` numbers it.
    numbering = LedgerOptions(ledger, run, today=today)
    for exporter in exporters:
        options = _options(exporter, texts[exporter.identifier])
        # The directory is the demo's own, made afresh: no earlier export is in it.
        reports.append(numbering.export(exporter, directory, options, frozenset()))
    return reports, skipped


db_group = click.Group(
    "db",
    help="Create or upgrade the database schema.\n\n\b\nExamples:\n"
    "  onaccount --db canteen.sqlite db upgrade",
)
cli.add_command(db_group)


@db_group.command("upgrade")
@pass_state
def db_upgrade(state: _State) -> None:
    """Create the schema, or upgrade it to this version of onaccount.

    \b
    Examples:
      onaccount --db canteen.sqlite db upgrade
      onaccount --db postgresql+psycopg://user:password@host/canteen db upgrade
    """
    before, after = upgrade(state.db)
    db = plain(shown_db(state.db))
    if before is None:
        click.echo(f"created schema version {after} in {db}")
    elif before == after:
        click.echo(f"schema of {db} is up to date (version {after})")
    else:
        click.echo(f"upgraded {db} from schema version {before} to {after}")


# -- import ----------------------------------------------------------------------------------

import_group = click.Group(
    "import",
    help="Load accounts or transactions from CSV or XLSX.\n\n\b\nExamples:\n"
    "  onaccount --role superuser import accounts members.csv\n"
    "  onaccount --role superuser import transactions sales.csv",
)
cli.add_command(import_group)

dialect_option = click.option(
    "--dialect",
    type=click.Choice(["auto", "excel-nl", "rfc4180"]),
    default="auto",
    show_default=True,
    help="CSV only. excel-nl: ';' and decimal comma; rfc4180: ',' and decimal point.",
)
encoding_option = click.option(
    "--encoding",
    type=click.Choice(list(ENCODINGS)),
    default="utf-8",
    show_default=True,
    help='CSV only. windows-1252: as Excel saves a plain CSV file ("CSV (puntkomma-'
    'gescheiden)") on Windows; utf-8: as it saves CSV UTF-8.',
)
ignore_option = click.option(
    "--ignore-column",
    "ignore",
    multiple=True,
    metavar="NAME",
    help="Leave out the file's column NAME, such as a phone number import has no use for "
    "(repeatable).",
)
dry_run_option = click.option(
    "--dry-run",
    is_flag=True,
    help="Check the whole file as the import would, and say what it would do; change nothing.",
)


@import_group.command("accounts", short_help="Open the accounts of a CSV or XLSX file.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dialect_option
@encoding_option
@ignore_option
@click.option(
    "--update",
    is_flag=True,
    help="Replace the name, group, tags and billing details of accounts the ledger holds "
    "already; their kind, currency and limit must stay as they are.",
)
@dry_run_option
@json_option
@pass_state
def import_accounts(
    state: _State,
    file: Path,
    dialect: str,
    encoding: str,
    ignore: tuple[str, ...],
    update: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Open every account in FILE (.csv or .xlsx), or none if any row is bad.

    \b
    Columns (a header row names them, in English or Dutch; number and name are
    required): number (nummer), name (naam), kind (soort: limit or credit), limit
    (limiet), currency (valuta), group (groep), tags (labels, separated by |),
    billing_name (factuurnaam), email (e-mail), vat_id (btw-nummer), iban, bic,
    mandate_id (machtigingskenmerk), mandate_date (machtigingsdatum), street
    (straat), postal_code (postcode), city (plaats), country (land), peppol_id
    (peppol-id) and registration (inschrijving) as SCHEME:VALUE, such as
    0106:12345678 for a KvK number. Accounts the ledger holds already, unchanged,
    are left alone; with --update, changed ones get the file's details. An empty
    kind, currency or limit keeps what the account has.

    \b
    Examples:
      onaccount --role superuser import accounts members.csv
      onaccount --role superuser import accounts leden.xlsx --json
      onaccount --role superuser import accounts members.csv --update
      onaccount --role superuser import accounts members.csv --dry-run
    """
    oa.require_import(state.actor, "accounts")  # before the file is read
    rows, done = _import(
        state,
        file,
        "account",
        as_json,
        lambda progress: _read_accounts(state, file, (dialect, encoding), progress, ignore),
        lambda ledger, rows, check_only: oa.import_accounts(
            ledger,
            rows.values,
            actor=state.actor,
            update=update,
            dry_run=check_only,
            keep_limits=rows.kept_limits,
        ),
        dry_run=dry_run,
    )
    _note_ignored(state, rows, ignore)
    if as_json:
        _emit_json(state, {**_imported_json(file, done, dry_run), "updated": done.updated})
        return
    added, present = (
        state.show.count(done.added, "account"),
        _present(state, done, "account", dry_run),
    )
    updated = (
        f"; {'would update' if dry_run else 'updated'} {state.show.number(done.updated)}"
        if done.updated
        else ""
    )
    if dry_run:
        _show_as_read(state, rows)
    state.say(f"{_imported(dry_run)} {added} from {_source(file, rows)}{updated}{present}")


#: How many accounts a dry run shows as read.
_SHOWN_AS_READ = 10


def _show_as_read(state: _State, rows: Rows[oa.Account]) -> None:
    """The first accounts as the file was read, so a limit read otherwise is seen now.

    A limit the file leaves empty is kept as it stands, which is what is shown.
    """
    accounts = rows.values
    shown = accounts[:_SHOWN_AS_READ]
    if not shown:
        return
    kept = sorted({a.number for a in shown} & rows.kept_limits)
    standing: dict[str, Decimal] = {}
    if kept:
        with contextlib.closing(state.ledger()) as ledger:
            standing = {n: s.limit for n, s in ledger.states(kept).items()}
    currencies = {a.currency for a in shown}
    several = len(currencies) > 1
    show = state.show
    records(
        state.out,
        [*account_columns(several), amount_column("limit"), "iban"],
        [
            [
                *account_cells(a, several),
                show.amount(standing.get(a.number, a.limit), a.currency),
                literal((a.billing.iban if a.billing else None) or ""),
            ]
            for a in shown
        ],
        title=amounts_title("Accounts as read", currencies),
    )
    if len(accounts) > len(shown):
        state.out.print(f"… and {show.count(len(accounts) - len(shown), 'more account')}")


@import_group.command("transactions", short_help="Record the bookings of a CSV or XLSX file.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dialect_option
@encoding_option
@ignore_option
@zone_options
@click.option(
    "--keep-repeats",
    is_flag=True,
    help="Import a row that books the same as an earlier one as a booking (or a line of its "
    "purchase) of its own; without it such rows are refused, as a paste may have made them.",
)
@dry_run_option
@json_option
@pass_state
def import_transactions(
    state: _State,
    file: Path,
    dialect: str,
    encoding: str,
    ignore: tuple[str, ...],
    tz: str,
    day_starts_at: str,
    keep_repeats: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Record every booking in FILE (.csv or .xlsx), or none if any row is bad.

    \b
    Columns (a header row names them, in English or Dutch; account and at are
    required): id (kenmerk), account (rekening), at (tijdstip), type (soort:
    purchase, top-up, payment or refund), product, code, group (groep), quantity
    (aantal), unit_price (stukprijs), vat_category (btw-categorie), vat_rate
    (btw-tarief), vat_reason (btw-reden), amount (bedrag: a credit booking's; on
    a purchase line, if given, quantity × unit_price), currency (valuta: the
    account's own when empty), text (tekst). Rows sharing an id are the lines of
    one purchase; rows without an id get one from their content, so importing a
    file twice records it once.

    Times without a UTC offset are read in --tz; one the clocks skipped or showed
    twice there is refused. The business days the bookings fall on (--day-starts-at)
    are shown.

    \b
    Examples:
      onaccount --role superuser import transactions sales.csv
      onaccount --role superuser import transactions kassa.xlsx --tz UTC
      onaccount --role superuser import transactions sales.csv --dry-run
    """
    oa.require_import(state.actor, "transactions")  # before the file is read
    zone = _zone(tz)  # an unknown zone refused in words before it is used
    days = _period(today_in(tz).isoformat(), tz, day_starts_at)
    rows, done = _import(
        state,
        file,
        "booking",
        as_json,
        lambda progress: _read_bookings(
            state, file, zone, (dialect, encoding), progress, ignore, keep_repeats
        ),
        lambda ledger, rows, check_only: oa.import_transactions(
            ledger, rows.values, actor=state.actor, dry_run=check_only
        ),
        dry_run=dry_run,
    )
    _note_ignored(state, rows, ignore)
    _warn_of_later(state, rows, zone)
    _note_repeats(state, rows)
    _warn_of_billed(state, rows)
    if done.added:
        _warn_of_credits(state, rows, days)
    if not as_json:
        _warn_of_over_limit(state, done)
    dates = sorted({days.business_date(tx.at) for tx in rows.values})
    if as_json:
        data = _imported_json(file, done, dry_run)
        data["over_limit"] = [
            {
                "account": w.account,
                "credit": w.credit,
                "currency": w.currency,
                "balance": str(w.balance),
                "limit": str(w.limit),
                "spending_room": str(w.spending_room),
            }
            for w in done.over_limit
        ]
        data["business_days"] = [d.isoformat() for d in dates[:1] + dates[-1:]]
        _emit_json(state, data)
        return
    show = state.show
    span = ""
    if dates:
        span = (
            f" for business day {show.date(dates[0])}"
            if len(dates) == 1
            else f" for business days {show.date(dates[0])} to {show.date(dates[-1])}"
        )
    added, present = show.count(done.added, "booking"), _present(state, done, "booking", dry_run)
    state.say(f"{_imported(dry_run)} {added} from {_source(file, rows)}{span}{present}")


def _read_accounts(
    state: _State,
    file: Path,
    spelling: tuple[str, str],
    progress: Progress | None,
    ignore: tuple[str, ...],
) -> Rows[oa.Account]:
    """The accounts of ``file``, an empty kind, currency or limit as the ledger has it.

    ``spelling`` is the CSV dialect and encoding asked for.
    """
    dialect, encoding = spelling
    with contextlib.closing(_Held(state)) as held:
        return read_accounts(
            file,
            dialect=dialect,
            encoding=encoding,
            held=held.many,
            progress=progress,
            ignore=ignore,
        )


def _note_ignored(state: _State, rows: Rows[Any], ignore: tuple[str, ...]) -> None:
    """Say which columns were left out, and which --ignore-column names none of them."""
    if rows.ignored:
        columns = joined([repr(c) for c in rows.ignored])
        state.say(
            f"note: left out {plural('column', len(rows.ignored))} {columns}, as "
            "--ignore-column asked",
            err=True,
        )
    found = {_normal(c) for c in rows.ignored}
    for name in ignore:
        if _normal(name) not in found:
            state.say(
                f"warning: --ignore-column {shlex.quote(name)} names no column of the "
                "file's header",
                err=True,
            )


def _read_bookings(
    state: _State,
    file: Path,
    zone: ZoneInfo,
    spelling: tuple[str, str],
    progress: Progress | None,
    ignore: tuple[str, ...],
    keep_repeats: bool,
) -> Rows[oa.Transaction]:
    """The bookings of ``file``, a row without a currency in its account's currency.

    ``spelling`` is the CSV dialect and encoding asked for.
    """
    dialect, encoding = spelling
    with contextlib.closing(_Held(state)) as held:

        def currency_of(number: str) -> str | None:
            now = held(number)
            return now.account.currency if now else None

        return read_transactions(
            file,
            tz=zone,
            dialect=dialect,
            encoding=encoding,
            currency_of=currency_of,
            progress=progress,
            ignore=ignore,
            keep_repeats=keep_repeats,
        )


class _Held:
    """Each account as the ledger holds it now, the ledger opened when first asked.

    A file's empty cells take their values from it while the file is read.
    """

    def __init__(self, state: _State) -> None:
        self._state = state
        self._ledger: SQLLedger | None = None
        self._unopened = False
        self._known: dict[str, oa.AccountState | None] = {}

    def __call__(self, number: str) -> oa.AccountState | None:
        return self.many([number]).get(number)

    def many(self, numbers: Sequence[str]) -> dict[str, oa.AccountState]:
        """The accounts of ``numbers`` the ledger holds, those not asked before in one read."""
        asked = [n for n in dict.fromkeys(numbers) if n not in self._known]
        if asked:
            found = self._look_up(asked)
            self._known.update({n: found.get(n) for n in asked})
        return {n: held for n in numbers if (held := self._known[n]) is not None}

    def _look_up(self, numbers: Sequence[str]) -> dict[str, oa.AccountState]:
        if self._ledger is None and not self._unopened:
            try:
                self._ledger = self._state.ledger()
            except (oa.OnAccountError, SQLAlchemyError):
                # The rows are still read and reported; storing them names the error.
                self._unopened = True
        if self._ledger is None:
            return {}
        return self._ledger.states(numbers)

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()


def _note_repeats(state: _State, rows: Rows[oa.Transaction], shown: int = 3) -> None:
    """Note the rows equal to an earlier one that --keep-repeats kept as sales or lines."""
    if not rows.repeats:
        return
    word, count = rows.word, len(rows.repeats)
    listed = ", ".join(
        f"{word} {line} repeats {word} {earlier}" for line, earlier in rows.repeats[:shown]
    )
    more = f" and {count - shown} more" if count > shown else ""
    # A row without an id is a booking of its own; one sharing its id, a line of one.
    starts = {line for line, _ in rows.items}
    own = {line in starts for line, _ in rows.repeats}
    counts = (
        "a booking of its own"
        if own == {True}
        else "a line of its purchase"
        if own == {False}
        else "a booking of its own, or a line of its purchase where rows share an id"
    )
    state.say(
        f"note: {state.show.count(count, 'row')} {in_number(count, 'repeats', 'repeat')} "
        f"an earlier row ({listed}{more}); {in_number(count, 'it counts', 'each counts')} "
        f"as {counts}, as --keep-repeats asked",
        err=True,
    )


def _warn_of_over_limit(state: _State, done: oa.Imported, shown: int = 5) -> None:
    """Warn of the accounts the import took over their limit: the till let them through.

    Prepaid cards below zero first: no run can invoice what they owe.
    """
    show = state.show
    ordered = sorted(done.over_limit, key=lambda w: not w.credit)
    for warning in ordered[:shown]:
        said = warning.text(functools.partial(show.amount, currency=warning.currency))
        state.say(f"warning: {said}", err=True)
    rest = ordered[shown:]
    if rest:
        cards = sum(w.credit for w in rest)
        over = len(rest) - cards
        parts = []
        if over:
            parts.append(f"{show.number(over)} over {in_number(over, 'its', 'their')} limit")
        if cards:
            parts.append(f"{show.number(cards)} prepaid below zero")
        state.say(
            f"warning: and {show.count(len(rest), 'more account')}: {', '.join(parts)}; "
            "--json lists them all",
            err=True,
        )


def _warn_of_later(state: _State, rows: Rows[oa.Transaction], zone: ZoneInfo) -> None:
    """Warn of bookings dated after now: a till books a sale when it happens."""
    now = dt.datetime.now(dt.UTC)
    later = [(tx.at, line) for line, tx in rows.items if tx.at > now]
    if not later:
        return
    at, line = max(later)
    state.say(
        f"warning: {state.show.count(len(later), 'booking')} "
        f"{in_number(len(later), 'is', 'are')} dated after now, the "
        f"latest on {state.show.with_tz(zone).instant(at)} ({rows.word} {line}); check the "
        "dates of the file",
        err=True,
    )


def _warn_of_billed(state: _State, rows: Rows[oa.Transaction]) -> None:
    """Warn of purchases in the last run's period, on accounts billed for it, no run billed.

    Committed before they came, the period's runs did not bill them, and the next
    period's run bills its own period only (and warns of them when it is planned): said
    now, with a run that bills them, while the file is at hand. An account is billed for
    the period when the last run selected it, or when a run billed its other purchases
    of the period: the last run may be one over a few accounts, after a run over all
    of them (an invoice undone and billed again). Accounts no run billed for it are for
    a run of their own; prepaid accounts are never billed.
    """
    last = state.last_run_period()  # read for the period already, and an import adds no run
    if last is None:
        return
    late = {
        tx.id: (line, tx)
        for line, tx in rows.items
        if isinstance(tx, oa.Purchase) and last.start <= tx.at < last.end
    }
    if not late:
        return
    numbers = sorted({tx.account for _, tx in late.values()})
    with contextlib.closing(state.ledger()) as ledger:
        selected = frozenset(ledger.last_run_selected())
        kinds = {n: s.account.kind for n, s in ledger.states(numbers).items()}
        billed = list(ledger.transactions(numbers, last.start, last.end, uninvoiced=False))
    taken = {tx.id for tx in billed}
    covered = selected | {tx.account for tx in billed}
    unbilled = sorted(
        (
            item
            for tx_id, item in late.items()
            if tx_id not in taken
            and item[1].account in covered
            and kinds.get(item[1].account) is oa.AccountKind.LIMIT
        ),
        key=lambda item: item[0],
    )
    if not unbilled:
        return
    days = sorted({last.business_date(tx.at) for _, tx in unbilled})
    accounts = sorted({tx.account for _, tx in unbilled})
    show, count = state.show, len(unbilled)
    on = (
        f"business day {show.date(days[0])}"
        if len(days) == 1
        else f"business days {show.date(days[0])} to {show.date(days[-1])}"
    )
    span = days[0].isoformat() if len(days) == 1 else f"{days[0]}..{days[-1]}"
    chosen = " ".join(f"--account {shlex.quote(n)}" for n in accounts[:3])
    others = f" (and {show.count(len(accounts) - 3, 'more account')})" if len(accounts) > 3 else ""
    it = in_number(count, "it", "them")
    state.say(
        f"warning: {show.count(count, 'booking')} {in_number(count, 'falls', 'fall')} in the "
        f"last run's period ({last.label}), on {on} "
        f"({named(rows.word, sorted(line for line, _ in unbilled))}), and "
        f"no run has billed {it}: the next period's run will not either; a run over "
        f"{in_number(len(days), 'that day', 'those days')} does, such as onaccount invoice "
        f"--period {span} {chosen} --strategy STRATEGY --commit{others}",
        err=True,
    )


def _warn_of_credits(state: _State, rows: Rows[oa.Transaction], days: oa.Period) -> None:
    """Warn of credit bookings on limit accounts: a run over their period refuses the account.

    A treasurer correcting a sale rung up wrongly may book a refund where a return (a
    purchase row with a negative quantity) is meant, which a run would bill.
    """
    credits = [(line, tx) for line, tx in rows.items if isinstance(tx, oa.CreditBooking)]
    if not credits:
        return
    with contextlib.closing(state.ledger()) as ledger:
        held = ledger.states(sorted({tx.account for _, tx in credits}))
    on_limit = [
        (line, tx)
        for line, tx in credits
        if tx.account in held and held[tx.account].account.kind is oa.AccountKind.LIMIT
    ]
    if not on_limit:
        return
    show, word = state.show, rows.word
    refunds = any(tx.kind is oa.CreditKind.REFUND for _, tx in on_limit)
    returns = (
        "; a product rung up wrongly or returned is a purchase row with a negative quantity, "
        "which a run bills"
        if refunds
        else ""
    )
    if len(on_limit) == 1:
        line, tx = on_limit[0]
        account = held[tx.account].account
        said = (
            f"{word} {line} is a {tx.kind.value} of {show.amount(tx.credit, tx.currency)} "
            f"on limit account {account.number} {account.name!r} on business day "
            f"{show.date(days.business_date(tx.at))}: a run over a period that holds it "
            "refuses the account"
        )
    else:
        said = (
            f"{show.count(len(on_limit), 'credit booking')} are on limit accounts "
            f"({named(word, [line for line, _ in on_limit])}): a run over a period that "
            "holds one refuses its account"
        )
    state.say(f"warning: {said}{returns}", err=True)


def _imported(dry_run: bool) -> str:
    return "would import" if dry_run else "imported"


def _source(file: Path, rows: Rows[Any]) -> str:
    """The file imported from; one with a header alone says so, not to pass for a full one."""
    return f"{file}: it holds a header and no rows below it" if not rows.values else str(file)


def _present(state: _State, done: oa.Imported, what: str, dry_run: bool) -> str:
    """What the ledger held already, and that a dry run changed nothing."""
    held = (
        f"; {state.show.count(done.present, what)} "
        f"{in_number(done.present, 'was', 'were')} there already"
    )
    return (held if done.present else "") + ("; nothing changed (--dry-run)" if dry_run else "")


def _imported_json(file: Path, done: oa.Imported, dry_run: bool) -> dict[str, Any]:
    return {"file": str(file), "added": done.added, "present": done.present, "dry_run": dry_run}


def _import(
    state: _State,
    file: Path,
    noun: str,
    as_json: bool,
    read: Callable[[Progress | None], Rows[T]],
    store: Callable[[SQLLedger, Rows[T], bool], oa.Imported],
    *,
    dry_run: bool,
) -> tuple[Rows[T], oa.Imported]:
    """Read a file with a bar counting its rows, then store it all while a spinner turns.

    ``store`` is told whether only to check. When rows do not read, the ledger still
    checks the others without storing any, so that one report names every mistake of
    the file; with ``dry_run`` it only checks them all.
    """
    try:
        with _ProgressBars(state, shown=not as_json) as bars:
            try:
                rows, unread = read(bars.task(f"reading {file.name}")), None
            except ImportFailed as failure:
                if failure.rows is None or not failure.rows.items:
                    raise  # nothing read that the ledger could check too
                rows, unread = failure.rows, failure
        # Nothing is stored on a dry run, nor when some rows did not read: only checked.
        doing = "checking" if dry_run or unread is not None else "recording"
        status = f"{doing} {state.show.count(len(rows.items), noun)}"
        # Closed at once: a PostgreSQL connection left to the garbage collector warns.
        with (
            contextlib.nullcontext() if as_json else state.err.status(status),
            contextlib.closing(state.ledger()) as ledger,
        ):
            try:
                done = store(ledger, rows, dry_run or unread is not None)
            except oa.ImportRefused as refused:
                unknown = (
                    str(e.value) for _, e in refused.refusals if isinstance(e, oa.UnknownAccount)
                )
                zeros = held_with_zeros(ledger.states, unknown)
                raise rows.failed(refused, unread.bad if unread else (), zeros) from None
        if unread is not None:
            raise unread
        return rows, done
    except ImportFailed as failure:
        for line in failure.report:
            to_stderr(f"{file}: {line}")
        raise

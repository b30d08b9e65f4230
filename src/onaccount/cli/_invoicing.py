"""Invoicing: preview and commit runs, undo an account's invoice, export runs."""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import json
import shlex
import tomllib
import zoneinfo
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import click
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

import onaccount as oa
from onaccount._runs import nothing_committed
from onaccount._words import for_command_line, in_number, named, reversal_advice
from onaccount.exporting import (
    Exporter,
    ExporterInfo,
    ExportOptions,
    ExportProgress,
    ExportReport,
    ExportTargetExists,
    InvalidOptions,
    export_files,
)
from onaccount_exporters import LedgerAccounts, SepaOptions, next_journal_entry, previous_mandates

from ._amounts import typed_balance
from ._exits import EXIT_COMMITTED_EXPORT_EMPTY
from ._group import (
    EXIT_REFUSED,
    _period,
    _State,
    _zone,
    cli,
    pass_state,
    period_options,
    today_in,
)
from ._rendering import (
    STRATEGY_EFFECTS,
    _emit_json,
    _plan_json,
    _print_plan,
    _print_run,
    _ProgressBars,
    _report_line,
    _run_json,
    change_text,
    json_option,
    limit_option,
    literal,
    plain,
    words_whole,
)

__all__ = [
    "LedgerOptions",
    "export_command",
    "exporters_command",
    "invoice_command",
    "undo_command",
]

out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("exports"),
    show_default=True,
    help="Directory the export files are written to.",
)
per_option = click.option(
    "--per",
    type=click.Choice(["run", "account"]),
    default="run",
    show_default=True,
    help="One file for the run, or one per account (named by its number and name), "
    "such as a statement workbook to attach to each member's invoice.",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help=(
        "Replace export files written before; without it an existing file with other "
        "content is refused (one with the same content is kept)."
    ),
)


#: One export file for the run, or one per account (`export_files`' ``per``).
Per = Literal["run", "account"]

# -- invoicing -----------------------------------------------------------------------------


def _selection(accounts: Sequence[str], all_accounts: bool, balance: str | None) -> oa.Selection:
    chosen = sum((bool(accounts), all_accounts, balance is not None))
    if chosen != 1:
        raise click.UsageError(
            "choose the accounts with exactly one of --account, --all, --balance"
        )
    if accounts:
        return list(accounts)
    if balance is not None:
        return oa.AccountQuery(balance=typed_balance(balance))
    return oa.AccountQuery()


_OPTION_HELP = (
    "NAME=VALUE for each exporter that has the option (EXPORTER.NAME=VALUE for one), read "
    "as its type (text, a whole number, true/false); repeatable. See onaccount exporters."
)

options_file_option = click.option(
    "--options-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="ONACCOUNT_OPTIONS_FILE",
    help="A TOML file of exporter options, such as the club's seller_name and "
    "seller_vat_id: NAME = VALUE goes to each chosen exporter that has it, an [EXPORTER] "
    "table to that one; --option wins. Default: $ONACCOUNT_OPTIONS_FILE.",
)

_INVOICE_HELP = "\n".join(
    [
        "Preview a run over a period (or commit it with --commit) and export it.",
        "",
        "\b",
        "Strategies, what committing does to each invoiced account:",
        *(f"  {name}: {effect}" for name, effect in STRATEGY_EFFECTS.items()),
        "",
        "\b",
        "Examples:",
        "  onaccount invoice --period 2026-10 --account 1042 --strategy none",
        "  onaccount --role superuser invoice --period 2026-10 --all \\",
        "      --strategy zero-balance",
        "  onaccount --role superuser invoice --period 2026-10 --all \\",
        "      --strategy zero-balance --commit --key 2026-10 --export csv",
    ]
)


@cli.command(
    "invoice", help=_INVOICE_HELP, short_help="Preview or commit an invoice run, and export it."
)
@period_options
@click.option("--account", "accounts", multiple=True, help="An account number; repeatable.")
@click.option("--all", "all_accounts", is_flag=True, help="Every account.")
@click.option("--balance", help="Accounts whose balance compares so, e.g. '<0'.")
@click.option(
    "--strategy",
    type=click.Choice(sorted(oa.BUILTIN_STRATEGIES)),
    required=True,
    help="How balance and limit are corrected once committed (see above).",
)
@click.option("--commit", is_flag=True, help="Commit the run; without it, only preview.")
@click.option(
    "--allow-open-period",
    is_flag=True,
    help="Commit a period that has not ended yet, with what is booked so far.",
)
@click.option(
    "--key",
    help="A name for this run, e.g. 2026-10; running the same command again books nothing twice.",
)
@click.option("--export", "formats", multiple=True, help="Export with this exporter; repeatable.")
@click.option("--option", "pairs", multiple=True, help=_OPTION_HELP)
@options_file_option
@out_option
@per_option
@limit_option
@force_option
@json_option
@pass_state
def invoice_command(
    state: _State,
    period_text: str,
    tz: str,
    day_starts_at: str,
    accounts: tuple[str, ...],
    all_accounts: bool,
    balance: str | None,
    strategy: str,
    commit: bool,
    allow_open_period: bool,
    key: str | None,
    formats: tuple[str, ...],
    pairs: tuple[str, ...],
    options_file: Path | None,
    out: Path,
    per: Per,
    limit: int | None,
    force: bool,
    as_json: bool,
) -> None:
    selection = _selection(accounts, all_accounts, balance)
    period = _period(period_text, tz, day_starts_at)
    # An unknown exporter or option is refused now, not after the run is committed.
    exporters = _chosen(state, formats, pairs, options_file)
    _check_per(exporters, per)
    # Before the database is opened: an actor who may not is told so, not that it is missing.
    oa.require_for_selection(state.actor, selection, "plan")
    still_open = _still_open(state, period, tz)
    if still_open and commit and not allow_open_period:
        raise click.UsageError(
            f"{still_open}. Commit it once it has ended, or add --allow-open-period to "
            "invoice what is booked so far"
        )
    if still_open and not commit:
        needs = "" if allow_open_period else " (committing it needs --allow-open-period)"
        state.say(f"warning: {still_open}{needs}", err=True)
    ledger = state.ledger()
    with state.err.status("planning the run"):
        plan = oa.plan_run(ledger, period, selection, strategy, actor=state.actor)
    run = None
    written_now = False
    empty: oa.EmptyRun | None = None
    if commit:
        committed_at = dt.datetime.now(dt.UTC)
        try:
            with state.err.status("committing the run"):
                run = oa.commit_run(ledger, plan, actor=state.actor, key=key, at=committed_at)
        except oa.EmptyRun as error:
            empty = error
        else:
            # A run this call wrote carries its instant; a key's earlier run does not.
            written_now = run.created_at == committed_at
    if run is not None and not as_json:
        # Said first, before any export that could fail: once committed, the run stands.
        if written_now:
            said = f"committed run {run.id}" + (f" (key {run.key})" if run.key else "")
        else:
            said = (
                f"key {key}: already committed as run {run.id} on "
                f"{state.show.with_tz(_zone(tz)).instant(run.created_at)}; nothing booked"
            )
        state.say(said)
        if written_now and run.key is None:
            # Invoice numbers go to members and the books: a key makes them readable.
            free, first = _free_key(ledger, period), plan.drafts[0].account.number
            state.say(
                f"note: committed without --key, so its invoices are numbered by the "
                f"run's id ({run.id}-{first} and so on); give a --key such as {free} "
                f"to number a run's invoices {free}-{first}",
                err=True,
            )
    # A plan that bills no one would only give files of headers.
    exported = bool(exporters) and (run is not None or bool(plan.drafts))
    reports = (
        _export(state, ledger, run or plan, exporters, out, per=per, force=force)
        if exported
        else []
    )
    written = [path for report in reports for path in report.paths]
    if as_json:
        data = _plan_json(plan)
        if commit:
            data["run"] = None if run is None else _run_json(run)
            data["run_written"] = written_now
        data["exports"] = [str(p) for p in written]
        data["export_reports"] = [_report_json(report) for report in reports]
        _emit_json(state, data)
    elif run is not None:
        # The rest guarded: the run stands whatever showing it does.
        try:
            if written_now:
                _print_plan(state, plan, limit, committed=True)
            else:
                # The plan made now finds nothing left to bill; the run holds what was.
                _print_run(state, run, limit)
            _print_reports(state, reports)
        except BrokenPipeError:
            # The reader (`| head -1`) has what it needed: the committed run's id.
            return
        except Exception as error:
            if state.debug:
                raise
            state.err.print(
                f"warning: run {literal(run.id)} is committed, but showing it failed: "
                f"{literal(type(error).__name__)}: {literal(error)}; see it with "
                f"onaccount runs or onaccount export {literal(run.id)}"
            )
    else:
        _print_plan(state, plan, limit)
        if empty is not None:
            # The plan's refusals are listed above it already: they are not said again.
            said = (
                f"{nothing_committed(plan)} (the refusals are listed above)"
                if plan.refusals
                else empty.message
            )
            state.say(f"nothing to commit: {said}")
        elif plan.drafts:
            hint = ""
            if not key:
                free, first = _free_key(ledger, period), plan.drafts[0].account.number
                hint = (
                    f", with a --key such as {free} to number its invoices {free}-{first} and "
                    "so on (without one, by the run's id)"
                )
            state.say(f"preview only: add --commit to commit this run{hint}")
        if exporters and not exported:
            state.out.print("nothing exported: the plan invoices no account")
        _print_reports(state, reports)
    # Refused only when every account was: an account with nothing to bill is no refusal.
    if plan.refusals and not plan.drafts and not plan.nothing_to_invoice and run is None:
        click.get_current_context().exit(EXIT_REFUSED)
    if run is not None:
        # The run stands: an export that wrote nothing is not the commit refused.
        empty_exports = [r for r in reports if r.nothing_written]
        for report in empty_exports:
            # What it did write (the refusals) is replaced by the export that works.
            replace = (" --per account" if per == "account" else "") + (
                " --force" if report.paths else ""
            )
            given = _given_again(report.exporter, exporters, pairs, options_file)
            state.say(
                f"warning: run {run.id} is committed, but the {report.exporter} export wrote "
                f"nothing; give what it refused and write it again with onaccount export "
                f"{run.id} --format {report.exporter}{given} --out {shlex.quote(str(out))}"
                f"{replace}",
                err=True,
            )
        if empty_exports:
            click.get_current_context().exit(EXIT_COMMITTED_EXPORT_EMPTY)
    _exit_if_nothing_written(reports)


def _given_again(
    identifier: str,
    exporters: Iterable[_Chosen],
    pairs: Iterable[str],
    options_file: Path | None,
) -> str:
    """The ``--options-file`` and ``--option`` pairs of exporter ``identifier``, as given."""
    (names,) = [
        {o.name for o in e.Options.describe()}
        for e, _, _ in exporters
        if e.identifier == identifier
    ]
    again = [] if options_file is None else ["--options-file", str(options_file)]
    for pair in pairs:
        scope, _, name = pair.partition("=")[0].strip().rpartition(".")
        if scope == identifier or (not scope and name in names):
            again += ["--option", pair]
    return "".join(f" {shlex.quote(part)}" for part in again)


def _still_open(state: _State, period: oa.Period, tz: str) -> str | None:
    """What to say of a period that has not ended yet, or None once it has."""
    if period.end <= dt.datetime.now(dt.UTC):
        return None
    until = state.show.with_tz(_zone(tz)).instant(period.end)
    return (
        f"period {period.label} has not ended: it runs until {until}, and purchases booked "
        "after now would not be on these invoices"
    )


def _parse_options(pairs: Iterable[str]) -> dict[str, str]:
    """``--option NAME=VALUE`` pairs as texts by name; each exporter reads them as its types."""
    options: dict[str, str] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--option")
        options[name.strip()] = text
    return options


def _file_options(
    path: Path,
    names: Mapping[str, set[str]],
    installed: Iterable[str],
    everyone: Collection[str] = (),
) -> dict[str, dict[str, str]]:
    """The texts an options file gives each chosen exporter (see ``--options-file``).

    A top-level option goes to every chosen exporter that has it, and is left alone by
    the others: one file serves every export. One no installed exporter has
    (``everyone`` names their options) but close to one is a typo, and refused. An
    ``[EXPORTER]`` table's options go to that exporter, which must have them; a table
    of an exporter not chosen now waits.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise click.BadParameter(
            f"{path} is not a TOML file: {error}; write NAME = VALUE lines (text in quotes) "
            "and an [EXPORTER] table for one exporter's options",
            param_hint="--options-file",
        ) from None
    found: dict[str, dict[str, str]] = {identifier: {} for identifier in names}
    exporters = sorted(installed)
    for key, value in data.items():
        if not isinstance(value, dict):
            for identifier, known in names.items():
                if key in known:
                    found[identifier][key] = _file_text(path, key, value)
            # One that matches nothing installed may be an uninstalled exporter's.
            near = "" if key in everyone else _did_you_mean(key, sorted(everyone), cutoff=0.8)
            if near:
                raise click.BadParameter(
                    f"{path}: {key} is no option of any exporter{near}; see each one's "
                    "options with onaccount exporters NAME",
                    param_hint="--options-file",
                )
            continue
        if key not in exporters:
            hint = _did_you_mean(key, exporters, "[{}]")
            raise click.BadParameter(
                f"{path}: [{key}] is no exporter{hint}; see them with onaccount exporters",
                param_hint="--options-file",
            )
        if key not in names:
            continue
        for option, text in value.items():
            if option not in names[key]:
                hint = _did_you_mean(option, sorted(names[key]))
                raise click.BadParameter(
                    f"{path}: [{key}] has no option {option!r}{hint}; see its options with "
                    f"onaccount exporters {key}",
                    param_hint="--options-file",
                )
            found[key][option] = _file_text(path, f"[{key}] {option}", text)
    return found


def _check_per(exporters: Iterable[_Chosen], per: Per) -> None:
    """Refuse one file per account for the exports whose entries are numbered per run."""
    if per != "account":
        return
    for exporter, options, _ in exporters:
        if isinstance(options, LedgerAccounts):
            raise click.BadParameter(
                f"{exporter.identifier} numbers its entries through the run, so a file per "
                "account would number each from the start again; export it per run "
                "(without --per account)",
                param_hint="--per",
            )


def _did_you_mean(
    given: str, known: Sequence[str], shown: str = "'{}'", *, cutoff: float = 0.6
) -> str:
    """`` (did you mean 'layout'?)`` for the known name closest to ``given``, or nothing."""
    near = difflib.get_close_matches(given, known, n=1, cutoff=cutoff)
    return f" (did you mean {shown.format(near[0])}?)" if near else ""


def _file_text(path: Path, where: str, value: object) -> str:
    """An options file's value as the text --option would give it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    raise click.BadParameter(
        f"{path}: {where} is {value!r}; give text in quotes, a whole number, or true or false",
        param_hint="--options-file",
    )


def _exporters(
    state: _State, formats: Iterable[str]
) -> tuple[list[Exporter[Any]], list[str], set[str]]:
    """The chosen exporters, the identifiers of all installed ones and all their options."""
    formats = list(formats)
    if not formats:
        return [], [], set()
    registry = state.exporters()
    everyone = {o.name for e in registry.exporters() for o in e.Options.describe()}
    chosen = [registry.get(identifier) for identifier in formats]
    return chosen, list(registry.identifiers()), everyone


#: An exporter with the options it writes with and the names of those the user gave.
_Chosen = tuple[Exporter[Any], ExportOptions, frozenset[str]]


def _chosen(
    state: _State,
    formats: Iterable[str],
    pairs: Iterable[str],
    options_file: Path | None = None,
) -> list[_Chosen]:
    """The exporters ``formats`` names, each with the ``--option`` texts it has.

    An option goes to every chosen exporter that has one of its name, read as that
    option's type, so ``dialect`` can serve the csv and journal exporters at once;
    ``journal.header`` goes to the journal alone. A name none of them has is refused
    here, before anything is planned or committed. ``options_file`` gives options
    first (see `_file_options`); ``--option`` overrides them.
    """
    exporters, installed, everyone = _exporters(state, formats)
    texts = _parse_options(pairs)
    if texts and not exporters:
        raise click.BadParameter(
            "options are for exporters, and none is chosen; name one with --export (or "
            "--format for export), see them with onaccount exporters",
            param_hint="--option",
        )
    names = {e.identifier: {o.name for o in e.Options.describe()} for e in exporters}
    mine: dict[str, dict[str, str]] = (
        _file_options(options_file, names, installed, everyone)
        if options_file is not None and exporters
        else {identifier: {} for identifier in names}
    )
    for name, text in texts.items():
        scope, _, option = name.rpartition(".")
        # csv.header=names gives one exporter an option others have under another type.
        chosen, option = ([scope], option) if scope in names else (list(names), name)
        takers = [i for i in chosen if option in names[i]]
        if not takers:
            known = sorted({n for i in chosen for n in names[i]})
            raise click.BadParameter(
                f"no exporter chosen ({', '.join(chosen)}) has an option {option!r}"
                f"{_did_you_mean(option, known)}; see each one's options with "
                f"{' or '.join(f'onaccount exporters {i}' for i in chosen)}",
                param_hint="--option",
            )
        for identifier in takers:
            mine[identifier][option] = text
    picked = [
        (e, _options(e, mine[e.identifier]), frozenset(mine[e.identifier])) for e in exporters
    ]
    _warn_of_books_apart(state, picked)
    return picked


# How an entry books, which the journal and the auditfile of one run must share; their
# descriptions' language may differ.
_BOOKING = tuple(f.name for f in attrs.fields(LedgerAccounts) if f.name != "language")


def _warn_of_books_apart(state: _State, chosen: Iterable[_Chosen]) -> None:
    """Warn when exporters of one run's entries were given other GL accounts or codes."""
    books = [(e.identifier, o) for e, o, _ in chosen if isinstance(o, LedgerAccounts)]
    if len(books) < 2:
        return
    differ = [n for n in _BOOKING if len({getattr(o, n) for _, o in books}) > 1]
    if differ:
        names = " and ".join(identifier for identifier, _ in books)
        state.say(
            f"warning: the {names} exports book to other accounts (their "
            f"{', '.join(differ)} differ), so the auditfile will not match the journal; give "
            "these options at the top of the options file or as --option, for both",
            err=True,
        )


def _options(exporter: Exporter[Any], texts: dict[str, str]) -> ExportOptions:
    """``exporter``'s options read from ``texts``; a refusal names the exporter as typed."""
    try:
        options: ExportOptions = exporter.Options.from_text(texts)
    except InvalidOptions as error:
        # The library names the options class, which is all it knows; here it is the
        # exporter the user chose: `xlsx option 'layout'`, not `XlsxOptions option …`.
        said = error.message.replace(
            f"{exporter.Options.__name__} option ", f"{exporter.identifier} option ", 1
        )
        raise click.BadParameter(said, param_hint="--option") from None
    return options


def _export(
    state: _State,
    ledger: oa.Ledger,
    source: oa.Plan | oa.InvoiceRun,
    exporters: Iterable[_Chosen],
    out: Path,
    *,
    per: Per = "run",
    force: bool,
) -> list[ExportReport]:
    reports: list[ExportReport] = []
    numbering = LedgerOptions(ledger, source)
    with _ProgressBars(state) as progress:
        for exporter, chosen, given in exporters:
            tell = progress.task(exporter.identifier)
            try:
                report = numbering.export(
                    exporter, out, chosen, given, per=per, overwrite=force, progress=tell
                )
            except ExportTargetExists as error:
                raise ExportTargetExists(
                    f"{error.value} exists already and differs from this export"
                    f"{_changed_since(source, Path(str(error.value)))}; choose another --out "
                    "directory to keep the file you have, or add --force to replace it",
                    value=error.value,
                    field="--force",
                ) from None
            reports.append(report)
    return reports


def _changed_since(source: oa.Plan | oa.InvoiceRun, written: Path) -> str:
    """Why a run's export differs from the file ``written`` before: invoices undone since."""
    if not isinstance(source, oa.InvoiceRun):
        return ""
    try:
        at = dt.datetime.fromtimestamp(written.stat().st_mtime, dt.UTC)
    except OSError:
        return ""
    undone = [
        i.account.number for i in source.invoices if i.undone_at is not None and i.undone_at > at
    ]
    if not undone:
        return ""
    n = len(undone)
    return (
        f": the run's {in_number(n, 'invoice', 'invoices')} of {named('account', undone)} "
        f"{in_number(n, 'was', 'were')} undone, which an export leaves out"
    )


class LedgerOptions:
    """Options a committed run's export takes from the ledger, unless the user gave them.

    Journal and XAF entries are numbered after the earlier runs': accounting packages
    refuse an entry number used before in a journal, and October's entries 1 to 58 and
    November's again from 1 would clash. A SEPA file sends a mandate or IBAN changed
    since the last collection with the one collected under then, as the bank asks.
    """

    def __init__(
        self,
        ledger: oa.Ledger,
        source: oa.Plan | oa.InvoiceRun,
        *,
        today: dt.date | None = None,
    ) -> None:
        self._ledger = ledger
        #: The day a collection is sent on, in the period's zone; None: the clock's.
        self._today = today
        self._source = source
        self._run = source if isinstance(source, oa.InvoiceRun) else None
        self._first: int | None = None
        self._previous: str | None = None

    def export(
        self,
        exporter: Exporter[Any],
        out: Path,
        options: ExportOptions,
        given: frozenset[str],
        *,
        per: Per = "run",
        overwrite: bool = False,
        progress: ExportProgress | None = None,
    ) -> ExportReport:
        """Export the source into ``out`` with the ledger's options, the report noting them."""
        chosen, notes = self.options(options, given)
        report = export_files(
            exporter,
            self._source,
            out,
            chosen,
            per=per,
            ledger=self._ledger,
            overwrite=overwrite,
            progress=progress,
        )
        return attrs.evolve(report, notes=(*report.notes, *notes)) if notes else report

    def options(
        self, options: ExportOptions, given: frozenset[str]
    ) -> tuple[ExportOptions, tuple[str, ...]]:
        """``options`` with what the ledger knows besides the run, and notes saying so."""
        if self._run is None:
            return options, ()
        if isinstance(options, LedgerAccounts) and "first_entry" not in given:
            return self._numbered(self._run, options)
        if isinstance(options, SepaOptions):
            if "sent_on" not in given:
                options = _sent_today(self._run, options, self._today)
            if "previous_mandates" not in given:
                return self._amended(self._run, options)
        return options, ()

    def _numbered(
        self, run: oa.InvoiceRun, options: LedgerAccounts
    ) -> tuple[ExportOptions, tuple[str, ...]]:
        if self._first is None:
            self._first = next_journal_entry(self._ledger, run)
        if self._first == options.first_entry:
            return options, ()
        earlier = self._first - 1
        note = (
            f"entries numbered from {self._first}, after the {earlier} account "
            f"invoice{'' if earlier == 1 else 's'} of earlier runs; --option first_entry=N "
            "numbers them otherwise"
        )
        return attrs.evolve(options, first_entry=self._first), (note,)

    def _amended(
        self, run: oa.InvoiceRun, options: SepaOptions
    ) -> tuple[ExportOptions, tuple[str, ...]]:
        # The exporter notes which debits it sent as amended.
        if self._previous is None:
            self._previous = previous_mandates(self._ledger, run)
        return attrs.evolve(options, previous_mandates=self._previous), ()


def _free_key(ledger: oa.Ledger, period: oa.Period) -> str:
    """A key no run has, to suggest: the period's label, else ``2026-10-2``, ``-3`` and on."""
    label = period.label
    candidates = itertools.chain([label], (f"{label}-{n}" for n in itertools.count(2)))
    # Asked key by key: the first is free but for a catch-up run.
    return next(key for key in candidates if not ledger.runs(key=key))


def _sent_today(
    run: oa.InvoiceRun, options: SepaOptions, today: dt.date | None = None
) -> SepaOptions:
    """A collection made today is sent today: the bank wants its date after today's."""
    if today is None:
        today = today_in(run.period.tz)
    if today <= run.created_at.astimezone(zoneinfo.ZoneInfo(run.period.tz)).date():
        return options
    return attrs.evolve(options, sent_on=today.isoformat())


def _print_reports(state: _State, reports: Iterable[ExportReport]) -> None:
    for report in reports:
        # The counts and notes wrap between words; paths stay whole lines for scripts.
        state.say(_report_line(state.show, report))
        # What stops every document is said in full: a few lines, each saying what to give.
        for refusal in report.refusals:
            if refusal.account is None:
                state.say(f"{report.exporter}: {for_command_line(refusal.message)}")
        for note in report.notes:
            state.say(f"{report.exporter}: {for_command_line(note)}")
        for path in report.paths:
            said = f"unchanged {path}" if path in report.unchanged else f"wrote {path}"
            state.out.print(plain(said), markup=False, highlight=False, soft_wrap=True)


def _report_json(report: ExportReport) -> dict[str, object]:
    return {
        "exporter": report.exporter,
        "unit": report.unit,
        "written": report.written,
        "refused": list(report.refused_accounts()),
        "refused_fields": dict(report.refusals_by_field()),
        "paths": [str(p) for p in report.paths],
        "unchanged": [str(p) for p in report.unchanged],
        "notes": list(report.notes),
    }


def _exit_if_nothing_written(reports: Iterable[ExportReport]) -> None:
    """An export that wrote nothing of what it was asked for fails the command."""
    if any(report.nothing_written for report in reports):
        click.get_current_context().exit(EXIT_REFUSED)


@cli.command("undo", short_help="Undo one account's part of a run.")
@click.argument("run_id", metavar="RUN")
@click.option("--account", required=True, help="The account whose invoice is undone.")
@click.option("--reason", required=True, help="Why; kept in the audit trail.")
@pass_state
def undo_command(state: _State, run_id: str, account: str, reason: str) -> None:
    """Undo the invoice of the --account in RUN: reverse its correction, free its purchases.

    RUN is the run's id or the --key it was committed under.

    \b
    Examples:
      onaccount --role superuser undo RUN --account 1042 --reason 'billed twice'
      onaccount --role superuser undo 2026-10 --account 2001 --reason 'left'
    """
    oa.require_undo(state.actor)  # before the database is opened, as for invoice
    ledger = state.ledger()
    invoice = oa.undo_invoice(ledger, run_id, account, actor=state.actor, reason=reason)
    delta = invoice.undo_mutation
    show, c = state.show, invoice.account.currency
    booked = (
        "no correction to reverse"
        if delta is None
        else change_text(show, {c: delta.balance_delta}, "balance changes", "balance unchanged")
        + "; "
        + change_text(show, {c: delta.limit_delta}, "limit changes", "limit unchanged")
    )
    said = f"undid the invoice of {invoice.account.label} in run {invoice.run_id}: {booked}"
    state.say(said)
    # Which exports went out is not recorded: the ones that did are for the user to mend.
    state.say(f"note: {reversal_advice(1)}", err=True)
    if invoice.over_limit is not None:
        state.say(f"warning: {invoice.over_limit.text(lambda amount: show.amount(amount, c))}")
    if delta is not None and delta.limit_delta:
        _warn_of_limit_set_since(state, ledger, invoice, delta)


def _warn_of_limit_set_since(
    state: _State, ledger: oa.Ledger, invoice: oa.AccountInvoice, undo: oa.Mutation
) -> None:
    """Warn when a limit set by hand after the run was moved by the undo's reverse delta.

    The undo reverses what the run did to the limit, so a limit someone set since ends
    off from the one they set by that much.
    """
    number, c = invoice.account.number, invoice.account.currency
    run = oa.get_run(ledger, invoice.run_id, actor=state.actor)
    changes = oa.mutations_report(ledger, actor=state.actor, account=number, kind="limit-change")
    if not any(m.at > run.created_at for m in changes.mutations):
        return
    limit = ledger.states([number])[number].limit
    how = "raised" if undo.limit_delta > 0 else "lowered"
    show = state.show
    state.say(
        f"warning: the limit of account {invoice.account.label} was set by hand after this "
        f"run; the undo {how} it by {show.amount(abs(undo.limit_delta), c)} from there, to "
        f"{show.amount(limit, c)}: set it again if that is not meant"
    )


@cli.command("export")
@click.argument("run_id", metavar="RUN")
@click.option("--format", "formats", multiple=True, required=True, help="Exporter; repeatable.")
@click.option(
    "--option",
    "pairs",
    multiple=True,
    help=_OPTION_HELP,
)
@options_file_option
@out_option
@per_option
@force_option
@json_option
@pass_state
def export_command(
    state: _State,
    run_id: str,
    formats: tuple[str, ...],
    pairs: tuple[str, ...],
    options_file: Path | None,
    out: Path,
    per: Per,
    force: bool,
    as_json: bool,
) -> None:
    """Export a committed run again, at any time.

    RUN is the run's id or the --key it was committed under.

    \b
    Examples:
      onaccount export 2026-10 --format xlsx
      onaccount export RUN --format csv --option dialect=rfc4180 --out exports
      onaccount export RUN --format journal --format debtors \\
          --option dialect=rfc4180 --option debtors_account=1300
    """
    exporters = _chosen(state, formats, pairs, options_file)
    _check_per(exporters, per)
    ledger = state.ledger()
    run = oa.get_run(ledger, run_id, actor=state.actor)
    reports = _export(state, ledger, run, exporters, out, per=per, force=force)
    if as_json:
        _emit_json(
            state,
            {
                "run": _run_json(run),
                "exports": [str(p) for r in reports for p in r.paths],
                "export_reports": [_report_json(r) for r in reports],
            },
        )
    else:
        _print_reports(state, reports)
    _exit_if_nothing_written(reports)


@cli.command("exporters", short_help="List the exporters, or show one with its options.")
@click.argument("name", required=False)
@json_option
@pass_state
def exporters_command(state: _State, name: str | None, as_json: bool) -> None:
    """List the exporters, whether each can run here, and any broken plugins.

    With NAME, show that exporter: what it writes, whether it is available, and
    every option with its type, default and help (pass them as --option NAME=VALUE).

    \b
    Examples:
      onaccount exporters
      onaccount exporters ubl
    """
    # The list names broken plugins itself; one exporter's page warns of them.
    registry = state.exporters(warn=name is not None)
    if name is not None:
        info = registry.info(name)
        if as_json:
            _emit_json(state, _exporter_json(info))
        else:
            _print_exporter(state, info)
        return
    infos = registry.describe()
    failures = registry.failures
    if as_json:
        _emit_json(
            state,
            {
                "exporters": [_exporter_json(i) for i in infos],
                "failures": [str(f) for f in failures],
            },
        )
        return
    # Long words fold onto the next line instead of being cut: nothing is hidden.
    table = Table(title="Exporters")
    for column in ("exporter", "title", "available", "from"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(
            escape(info.identifier),
            escape(info.title),
            "yes" if info.install is None else "no, see below",
            escape(_origin(info)),
        )
    words_whole(state.out, table)
    state.out.print(table)
    unavailable = [info for info in infos if info.install is not None]
    if unavailable:
        state.say("Not available here:")
    for info in unavailable:
        _not_installed(state, info, f"{info.identifier} needs", indent=2)
    state.out.print(
        "Options and details of one: onaccount exporters NAME", markup=False, overflow="fold"
    )
    for failure in failures:
        state.out.print(f"[red]broken plugin[/]: {literal(failure)}", overflow="fold")


def _origin(info: ExporterInfo) -> str:
    """Where an exporter comes from: ``onaccount 1.2``, or ``plugin (package 1.0)``."""
    if info.distribution is None:
        return info.plugin
    version = f"{info.distribution} {info.version or 'unknown version'}"
    # The built-in plugin is onaccount itself: its package and version say it all.
    return version if info.distribution == "onaccount" else f"{info.plugin} ({version})"


def _exporter_json(info: ExporterInfo) -> dict[str, Any]:
    return {
        "identifier": info.identifier,
        "title": info.title,
        "description": info.description,
        "media_type": info.media_type,
        "extension": info.extension,
        "plugin": info.plugin,
        "distribution": info.distribution,
        "version": info.version,
        "available": info.unavailable_reason is None,
        "missing": list(info.missing),
        "install": info.install,
        "options": {
            o.name: {
                "type": o.type,
                "default": o.default,
                "help": o.help,
                "choices": None if o.choices is None else list(o.choices),
            }
            for o in info.options
        },
    }


def _not_installed(state: _State, info: ExporterInfo, needs: str, *, indent: int = 0) -> None:
    """What ``info``'s exporter needs that is not installed, and the command that adds it.

    Said ``indent`` spaces in, its wrapped lines too, the command two further in.
    """
    one = len(info.missing) == 1
    state.say(
        f"{needs} {', '.join(info.missing)}, which {'is' if one else 'are'} not installed; "
        f"install {'it' if one else 'them'} with",
        indent=indent,
    )
    margin = " " * (indent + 2)
    # Whole, however narrow the terminal: a command is pasted, not read.
    state.out.print(f"{margin}{info.install}", markup=False, highlight=False, soft_wrap=True)


def _print_exporter(state: _State, info: ExporterInfo) -> None:
    """One exporter as text that wraps at any width and cuts nothing."""
    out = state.out
    out.print(f"[bold]{escape(info.identifier)}[/]: {escape(info.title)}", overflow="fold")
    out.print(escape(info.description), overflow="fold")
    out.print(f"writes {info.media_type}, files ending .{info.extension}", markup=False)
    out.print(f"from {_origin(info)}", markup=False, overflow="fold")
    if info.install is None:
        out.print("available: yes")
    else:
        _not_installed(state, info, "available: no, it needs")
    if not info.options:
        out.print("options: none")
        return
    out.print("options (pass as --option NAME=VALUE):")
    for option in info.options:
        kind = f"{option.type}, default {json.dumps(option.default)}"
        if option.choices is not None:
            kind += ", one of " + ", ".join(json.dumps(c) for c in option.choices)
        out.print(
            Padding(Text(f"{option.name} ({kind})", overflow="fold"), (0, 0, 0, 2), expand=False)
        )
        out.print(Padding(Text(option.help, overflow="fold"), (0, 0, 0, 6), expand=False))

"""The ``onaccount`` group: global options, the state they build, errors and exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import re
import shlex
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
import click
from click.core import ParameterSource
from rich.console import Console
from rich.progress import Progress
from rich.text import Text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

import onaccount as oa
from onaccount._words import for_command_line
from onaccount.exporting import ExporterRegistry, ExportFailed, PluginWarning, load_exporters
from onaccount.ledger._sql_engine import sqlite_file
from onaccount.ledger.sql import SQLLedger

from ._demo import DEMO_TZ
from ._exits import EXIT_INTERNAL, EXIT_REFUSED, EXIT_USAGE
from ._importing import ImportFailed
from ._rendering import Display, plain

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "ROLES",
    "cli",
    "main",
    "pass_state",
    "period_options",
    "shown_db",
    "to_stderr",
    "tz_option",
    "zone_options",
]

F = TypeVar("F", bound=Callable[..., Any])


_REFUSALS = (
    oa.PermissionDenied,
    oa.NotInvoiceable,
    oa.RunConflict,
    oa.LimitConflict,
    oa.NothingToChange,
    oa.AlreadyUndone,
    oa.LimitExceeded,
    oa.DuplicateAccount,
    oa.DuplicateTransaction,
    oa.CurrencyMismatch,
)

ROLES: dict[str, frozenset[oa.Capability]] = {
    "viewer": frozenset({oa.Capability.VIEW}),
    "clerk": frozenset({oa.Capability.VIEW, oa.Capability.INVOICE}),
    "superuser": frozenset(oa.Capability),
}


class _Console(Console):
    """Rich's console, leaving a reader that went away (``| head``) to the command."""

    def on_broken_pipe(self) -> None:
        """Send later output nowhere and raise `BrokenPipeError` (Rich would exit 1)."""
        self.quiet = True
        # The interpreter's last flush, too, must not fail again on the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise BrokenPipeError("the reader of standard output went away")


# Rich pads every line of a table to its width; a program reading the output gets the
# line without the padding. Only spaces before a line break: a write may end mid-line.
_PADDING = re.compile(r" +(?=\n)")


class _Trimmed:
    """A text stream that drops the spaces before each line break written to it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` without the spaces that end its lines."""
        self._stream.write(_PADDING.sub("", text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _State:
    """What the global options decided, handed to every command."""

    def __init__(
        self,
        db: str,
        actor: str,
        role: str,
        debug: bool,
        show: Display,
        *,
        blocked: tuple[str, ...] = (),
    ) -> None:
        self.db = db
        self.blocked = blocked
        self.actor = oa.Actor(actor, ROLES[role])
        self.role = role
        self.debug = debug
        self.show = show
        # Piped output is read by people and tools alike: don't squeeze it to 80 columns.
        piped = not sys.stdout.isatty()
        self.out = _Console(
            highlight=False,
            width=200 if piped else None,
            # A stream in all Rich uses of one: write, and the rest passed through.
            file=cast("IO[str]", _Trimmed(sys.stdout)) if piped else None,
        )
        self.err = Console(stderr=True, highlight=False)
        self._last_run: oa.Period | None = None
        self._looked = False
        self._unopened: OperationalError | None = None

    def ledger(self) -> SQLLedger:
        _check_exists(self.db)
        if self._unopened is not None:
            # Tried already, for a default: a server that did not answer is not waited
            # for twice.
            click.get_current_context().meta[_UNOPENED] = True
            raise self._unopened
        try:
            return SQLLedger(self.db)
        except OperationalError:
            # The --db given cannot be opened (a wrong password, no server): the user's to
            # mend, unlike a database that goes away during the command.
            click.get_current_context().meta[_UNOPENED] = True
            raise

    def last_run_period(self) -> oa.Period | None:
        """The period of the ledger's last run; None before one or if it cannot be read.

        Only a hint for defaults, read once: a ledger that cannot be opened is the
        command's to report, when it opens the ledger itself.
        """
        if self._looked:
            return self._last_run
        self._looked = True
        path = sqlite_file(self.db)
        if path is not None and not path.is_file():
            return None
        try:
            ledger = SQLLedger(self.db)
        except OperationalError as error:
            if path is None:  # a server that did not answer, or refused the login
                self._unopened = error
            return None
        except (oa.OnAccountError, SQLAlchemyError):
            return None
        try:
            self._last_run = ledger.last_run_period()
        except SQLAlchemyError:
            pass
        finally:
            ledger.close()
        return self._last_run

    def exporters(self, *, warn: bool = True) -> ExporterRegistry:
        """The installed exporters; with ``warn``, each plugin that failed is a warning line.

        The registry's `PluginWarning` would print as Python warnings, pointing into
        onaccount; a command says it in one line, or lists the failures itself.
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PluginWarning)
            registry = load_exporters(on_error="warn", block=self.blocked)
        if warn:
            for failure in registry.failures:
                self.say(f"warning: {failure}", err=True)
        return registry

    def say(self, text: str, *, err: bool = False, indent: int = 0) -> None:
        """``text`` for a person: wrapped at the terminal's width, user data as typed.

        ``indent`` spaces start every line of it, the continued ones too.
        """
        _say(self.err if err else self.out, text, indent)

    def progress(self) -> Progress:
        # Off when stderr is not a terminal: Rich ends a progress display there with an
        # empty line, which would clutter the error output scripts read.
        return Progress(console=self.err, transient=True, disable=not self.err.is_interactive)


def _check_exists(db: str) -> None:
    """Refuse a SQLite file that is not there, saying how to name the one meant."""
    path = sqlite_file(db)
    if path is None or path.exists() or not path.parent.is_dir():
        # The ledger says what is wrong with a folder that is not there either.
        return
    create = f"`onaccount --db {shlex.quote(db)} db upgrade`"
    source = click.get_current_context().find_root().get_parameter_source("db")
    if source is ParameterSource.DEFAULT:
        said = (
            f"there is no database {db} in {Path.cwd()}, which is where commands look when "
            "neither --db nor $ONACCOUNT_DB names one; name yours with --db FILE (or set "
            f"ONACCOUNT_DB), or create a new ledger here with {create}"
        )
    else:
        said = (
            f"database file {path} does not exist; check --db (or $ONACCOUNT_DB), or create "
            f"it with {create}"
        )
    raise oa.SchemaError(said, value=db, field="--db")


#: Set in the context's meta when the --db given could not be opened.
_UNOPENED = "onaccount.db_unopened"


def shown_db(db: str) -> str:
    """The database as the user may see it: a URL's password replaced by ``***``."""
    if "://" not in db:
        return db
    try:
        return make_url(db).render_as_string(hide_password=True)
    except ArgumentError:
        return db.split("://", 1)[0] + "://…"


def _role_for(capability: object) -> str:
    """The smallest role that holds ``capability``."""
    holding = [r for r, caps in ROLES.items() if capability in caps]
    return min(holding, key=lambda r: len(ROLES[r]), default="superuser")


def _refusal_message(error: oa.OnAccountError) -> str:
    if isinstance(error, ImportFailed):
        return error.summary  # the import listed the mistakes above it
    if isinstance(error, oa.PermissionDenied):
        # On the command line the way to the capability is a flag, not an administrator.
        return (
            error.message.removesuffix("; ask an administrator for it")
            + f"; pass --role {_role_for(error.value)} if you may"
        )
    return for_command_line(error.message)


#: The no-break spaces (babel's between a symbol and its amount, a French thousands
#: separator) and the private-use characters that hold their place while a note wraps.
_NO_BREAK = "\u00a0\u202f"
_STAND_INS = "\ue000\ue001"
_KEEP_TOGETHER = str.maketrans(_NO_BREAK, _STAND_INS)
_PUT_BACK = str.maketrans(_STAND_INS, _NO_BREAK)


def _say(console: Console, text: str, indent: int = 0) -> None:
    """``text`` wrapped between words at ``console``'s width, its lines without a last space.

    Rich's own wrapping keeps the space it broke at. ``indent`` spaces start each line,
    so a continued line stays under the first. Not in a terminal: a program reading the
    output gets each sentence on one line, however long.
    """
    margin = " " * indent
    if not console.is_terminal:
        console.print(Text(margin + plain(text)), soft_wrap=True)
        return
    # Rich breaks at any space, a no-break one too: babel's "€ 12,50" would part. Such
    # spaces stand in as a character it never breaks at while it wraps.
    kept = plain(text).translate(_KEEP_TOGETHER)
    lines = Text(kept).wrap(console, max(console.width - indent, 20))
    shown = [Text(line.plain.rstrip().translate(_PUT_BACK)) for line in lines]
    console.print(Text("\n").join(Text(margin) + line for line in shown), soft_wrap=True)


def to_stderr(text: str, file: Any = None) -> None:
    """``text`` on stderr: wrapped in a terminal, one line for a program reading it."""
    if file is None:
        console = Console(stderr=True, highlight=False)
        if console.is_terminal:
            _say(console, text)
            return
    click.echo(plain(text), err=True, file=file)


def _error(message: str, file: Any = None) -> None:
    """``error: message`` on stderr, as `to_stderr` writes it."""
    to_stderr(f"error: {message}", file)


class _OneLineUsageError(click.UsageError):
    """A usage error shown as the library's refusals are: one ``error:`` line."""

    def show(self, file: Any = None) -> None:
        _error(self.format_message(), file)


def _one_line(error: click.UsageError, command: str) -> _OneLineUsageError:
    """``error`` as one line, then the help page to read (``command``'s, without context).

    Only Click's own second sentences are reshaped, never the text around them: a value
    the user typed is shown as typed.
    """
    misplaced = _misplaced(error)
    if misplaced is not None:
        return _OneLineUsageError(misplaced, ctx=error.ctx)
    if isinstance(error, click.BadParameter) and error.param_hint is None:
        error.param_hint = _where_given(error)
    # Click lists choices on lines of their own; spaces the user typed stay as typed.
    text = re.sub(r"\s*\n\s*", " ", error.format_message().strip())
    text = _SUGGESTION.sub(r" (did you mean \1?)", text).replace(
        ". Choose from:", "; choose from:"
    )
    text = text.removesuffix(".")
    if text[1:2].islower():
        text = text[0].lower() + text[1:]
    if error.ctx is not None:
        command = error.ctx.command_path
    return _OneLineUsageError(f"{text}; see '{command} --help'", ctx=error.ctx)


def _where_given(error: click.BadParameter) -> str | None:
    """``'--role'``, or ``$ONACCOUNT_ROLE (--role)`` when the variable gave the value.

    Click names both for any option with a variable, which blames the variable for a
    value typed on the command line.
    """
    param, ctx = error.param, error.ctx
    if not isinstance(param, click.Option) or ctx is None or param.name is None:
        return None
    flag = max(param.opts, key=len)
    if ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
        return f"'{flag}'"
    names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or ())
    given = next((name for name in names if name in os.environ), None)
    return f"${given} ({flag})" if given else f"'{flag}'"


def _misplaced(error: click.UsageError) -> str | None:
    """What to say of an option of onaccount itself given after the command, if it was."""
    ctx = error.ctx
    if not isinstance(error, click.NoSuchOption) or ctx is None or ctx.parent is None:
        return None
    root = ctx.find_root()
    for param in root.command.params:
        if isinstance(param, click.Option) and error.option_name in param.opts:
            value = "" if param.is_flag else f" {(param.metavar or param.name or '').upper()}"
            program, _, command = ctx.command_path.partition(" ")
            return (
                f"{error.option_name} is an option of {program} itself, so it goes before the "
                f"command: {program} {error.option_name}{value} {command} …; see "
                f"'{program} --help'"
            )
    return None


# Click's "No such command 'x'. Did you mean 'y'?", and "No such option 'x'. (Did you mean
# one of: 'y', 'z'?)", as a parenthesis of the same line.
_SUGGESTION = re.compile(r"\. \(?Did you mean (.*?)\?\)?$")


@contextlib.contextmanager
def _usage_errors_in_one_line(command: Callable[[], str]) -> Iterator[None]:
    """Click's usage errors raised inside as one line; ``command()`` names what was parsed."""
    try:
        yield
    except (_OneLineUsageError, click.exceptions.NoArgsIsHelpError):
        # Converted already, or a group called bare, whose help is the answer.
        raise
    except click.UsageError as error:
        raise _one_line(error, command()) from None


class _Group(click.Group):
    """Turns the library's errors into one line on stderr and a telling exit code."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_errors_in_one_line(lambda: info_name or "onaccount"):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            # Some option errors carry no context: name the command being parsed.
            def parsed() -> str:
                return " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))

            with _usage_errors_in_one_line(parsed):
                return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader (say, `| head`) took what it needed and went: what the command
            # did stands, so it stops quietly with success; 1 is kept for bugs.
            sys.stderr.close()
            ctx.exit(0)
        except oa.OnAccountError as error:
            code = (
                EXIT_REFUSED
                if isinstance(error, _REFUSALS)
                # An exporter that crashed is its makers' bug, not the user's to mend.
                else EXIT_INTERNAL
                if isinstance(error, ExportFailed)
                else EXIT_USAGE
            )
            _fail(ctx, _refusal_message(error), code)
        except OperationalError as error:
            if ctx.meta.get("debug"):
                raise
            db = shown_db(ctx.params.get("db") or "")
            if type(error.orig).__module__ == "sqlite3":
                check = (
                    ": it must name a SQLite file this user may read and write, in a folder "
                    "it may write, that no other program keeps locked"
                )
            else:
                check = " and that the server is running"
            _fail(
                ctx,
                f"cannot use the database {db}: {type(error.orig).__name__}: "
                f"{str(error.orig).strip()}; check --db (or $ONACCOUNT_DB){check}",
                EXIT_USAGE if ctx.meta.get(_UNOPENED) else EXIT_INTERNAL,
            )
        except OSError as error:
            if ctx.meta.get("debug"):
                raise
            # A path the user gave that cannot be used (--out under a file, no permission).
            reason = error.strerror or f"{type(error).__name__}: {error}"
            if error.filename:
                said = f"cannot use {error.filename}: {reason}; check the path and its permissions"
            else:
                said = f"{reason}; check the paths given, their permissions and the free space"
            _fail(ctx, said, EXIT_USAGE)
        except Exception as error:
            if ctx.meta.get("debug"):
                raise
            _fail(
                ctx,
                f"internal error: {type(error).__name__}: {error}; run again with --debug "
                "for the traceback and report it",
                EXIT_INTERNAL,
            )


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    if ctx.meta.get("debug"):
        traceback.print_exc()
    db = ctx.params.get("db")
    if db and db != shown_db(db):
        message = message.replace(db, shown_db(db))
    _error(message)
    ctx.exit(code)


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onaccount"


def _environment_locale() -> str | None:
    # The variables that say how numbers are written, most specific first; the C and POSIX
    # locales say nothing of a language.
    found = babel.default_locale(("LC_ALL", "LC_MONETARY", "LC_NUMERIC", "LANG"))
    return None if found in (None, "C", "POSIX", "en_US_POSIX") else found


def _locale(ctx: click.Context, param: click.Parameter, value: str | None) -> Display:
    name = value or _environment_locale()
    if name is None:
        # Nobody chose: English numbers, and dates no reader takes for another day
        # (en_US would write 3 December as 12/3/26).
        return Display(babel.Locale.parse("en_US"), iso_dates=True)
    try:
        return Display(babel.Locale.parse(name.replace("-", "_").split(".")[0]))
    except (ValueError, babel.UnknownLocaleError) as error:
        # Babel's unknown locale says just that; a malformed name says how it is malformed.
        why = "" if isinstance(error, babel.UnknownLocaleError) else f" ({error})"
        raise click.BadParameter(
            f"locale {name!r} is unknown{why}; give a name such as nl_NL, en_GB or de_DE",
            ctx,
            param,
        ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="ONACCOUNT_DB",
    show_envvar=True,
    default="onaccount.sqlite",
    show_default=True,
    help="SQLite file or PostgreSQL URL.",
)
@click.option(
    "--actor",
    envvar="ONACCOUNT_ACTOR",
    show_envvar=True,
    default=_default_actor,
    help="Who acts; recorded on runs and mutations. Default: the user logged in.",
)
@click.option(
    "--role",
    type=click.Choice(sorted(ROLES)),
    envvar="ONACCOUNT_ROLE",
    show_envvar=True,
    default="clerk",
    show_default=True,
    help="viewer: look only; clerk: also invoice one account; superuser: everything.",
)
@click.option(
    "--locale",
    envvar="ONACCOUNT_LOCALE",
    show_envvar=True,
    callback=_locale,
    help="How amounts and dates are written, e.g. nl_NL: € 1.234,50 and 03-10-2026. "
    "Default: the environment's (LANG), else English with ISO dates.",
)
@click.option(
    "--block-plugin",
    "blocked",
    multiple=True,
    envvar="ONACCOUNT_BLOCK_PLUGINS",
    show_envvar=True,
    metavar="NAME",
    help="Leave out the exporter plugin NAME (repeatable; in the variable, names "
    "separated by spaces), such as one that fails to load.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(oa.__version__, prog_name="onaccount")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str,
    actor: str,
    role: str,
    locale: Display,
    blocked: tuple[str, ...],
    debug: bool,
) -> None:
    """Invoice purchases made on account: preview, commit, export, undo.

    \b
    Examples:
      onaccount demo
      onaccount --db canteen.sqlite accounts --balance '<0'
      onaccount --role superuser invoice --period 2026-10 --all \\
          --strategy zero-balance
    """
    ctx.meta["debug"] = debug
    ctx.obj = _State(db, actor, role, debug, locale, blocked=blocked)


pass_state = click.make_pass_decorator(_State)


def zone_options(func: F) -> F:
    """Add ``--tz`` and ``--day-starts-at``, with the same defaults in every command."""
    func = click.option(
        "--day-starts-at",
        envvar="ONACCOUNT_DAY_STARTS_AT",
        show_envvar=True,
        default="00:00",
        show_default="the last run's start, else 00:00",
        help="When a business day starts, e.g. 04:00 when the bar closes after midnight.",
    )(func)
    return tz_option(func)


def tz_option(func: F) -> F:
    """Add ``--tz``: the zone of dates given and of times shown."""
    return click.option(
        "--tz",
        envvar="ONACCOUNT_TZ",
        show_envvar=True,
        default=DEMO_TZ,
        show_default=True,
        help="IANA time zone of the dates and times you give and of those shown.",
    )(func)


def period_options(func: F) -> F:
    """Add ``--period``, ``--tz`` and ``--day-starts-at``."""
    func = zone_options(func)
    return click.option(
        "--period",
        "period_text",
        required=True,
        help="A month (2026-10), quarter (2026-Q4), week (2026-W43), year (2026), day "
        "(2026-10-05) or range of days (2026-10-01..2026-10-15).",
    )(func)


#: Which flag to fix when the library refuses a field of a period.
_PERIOD_FLAGS = {"tz": "--tz", "day_starts_at": "--day-starts-at"}
#: The variable each of those flags defaults to.
_PERIOD_VARIABLES = {"tz": "ONACCOUNT_TZ", "day_starts_at": "ONACCOUNT_DAY_STARTS_AT"}


def _period(text: str, tz: str, day_starts_at: str) -> oa.Period:
    """The period ``text`` names; without a day start given, days start as the last run's.

    A note says so when the start is the last run's, or when the one given differs from it.
    """
    try:
        period = oa.Period.parse(text, tz=tz, day_starts_at=day_starts_at)
    except oa.InvalidValue as error:
        field = error.field or ""
        flag = _PERIOD_FLAGS.get(field, "--period")
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.get_parameter_source(field) is ParameterSource.ENVIRONMENT:
            # Not typed: the value came from the variable, which is what to fix.
            flag = f"{flag} (or ${_PERIOD_VARIABLES[field]})"
        raise click.BadParameter(error.message, param_hint=flag) from None
    ctx = click.get_current_context(silent=True)
    state = None if ctx is None else ctx.find_object(_State)
    if state is None or ctx is None:
        return period
    # Billing October from 04:00 and November from midnight would put the small hours of
    # 1 December in December: a start once chosen holds until one is given.
    last = state.last_run_period()
    if last is None or last.day_starts_at == period.day_starts_at:
        return period
    before = _clock(last.day_starts_at)
    variable = _PERIOD_VARIABLES["day_starts_at"]
    if ctx.get_parameter_source("day_starts_at") is not ParameterSource.DEFAULT:
        now = _clock(period.day_starts_at)
        early, late = sorted((now, before))
        unset = (
            f" and unset ${variable}"
            if ctx.get_parameter_source("day_starts_at") is ParameterSource.ENVIRONMENT
            else ""
        )
        state.say(
            f"note: business days start at {now} here but at {before} in the last run "
            f"({last.label}): sales between {early} and {late} fall on another day than "
            f"they did there; leave out --day-starts-at{unset} to start them as it did",
            err=True,
        )
        return period
    state.say(
        f"note: business days start at {before}, as in the last run ({last.label}); "
        f"--day-starts-at or ${variable} sets another start",
        err=True,
    )
    return oa.Period.parse(text, tz=tz, day_starts_at=last.day_starts_at)


def _clock(time: dt.time) -> str:
    """A business-day start as it is written: ``04:00``, with seconds only when it has them."""
    return time.isoformat(timespec="seconds" if time.second else "minutes")


def today_in(tz: str) -> dt.date:
    """Today's date where the club is: the machine's clock may keep another zone's (UTC)."""
    return dt.datetime.now(ZoneInfo(tz)).date()


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"time zone {tz!r} is unknown; give an IANA name such as Europe/Amsterdam",
            param_hint="--tz",
        ) from None


def main() -> None:
    """Run the command line."""
    cli(prog_name="onaccount")

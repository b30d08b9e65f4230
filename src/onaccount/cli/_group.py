"""The ``onaccount`` group: global options, the state they build, errors and exit codes."""

from __future__ import annotations

import getpass
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.progress import Progress

import onaccount as oa
from onaccount.ledger.sql import SQLLedger

from ._demo import DEMO_TZ
from ._exits import EXIT_INTERNAL, EXIT_REFUSED, EXIT_USAGE

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "ROLES",
    "cli",
    "main",
    "pass_state",
    "period_options",
]

F = TypeVar("F", bound=Callable[..., Any])


_REFUSALS = (
    oa.PermissionDenied,
    oa.NotInvoiceable,
    oa.RunConflict,
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


class _State:
    """What the global options decided, handed to every command."""

    def __init__(self, db: str, actor: str, role: str, debug: bool) -> None:
        self.db = db
        self.actor = oa.Actor(actor, ROLES[role])
        self.role = role
        self.debug = debug
        # Piped output is read by people and tools alike: don't squeeze it to 80 columns.
        width = None if sys.stdout.isatty() else 200
        self.out = Console(highlight=False, width=width)
        self.err = Console(stderr=True, highlight=False)

    def ledger(self) -> SQLLedger:
        return SQLLedger(self.db)

    def progress(self) -> Progress:
        # Off when stderr is not a terminal: Rich ends a progress display there with an
        # empty line, which would clutter the error output scripts read.
        return Progress(console=self.err, transient=True, disable=not self.err.is_interactive)


class _Group(click.Group):
    """Turns the library's errors into one line on stderr and a telling exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader (say, `| head`) has gone: stop quietly, as Unix tools do.
            sys.stderr.close()
            ctx.exit(EXIT_INTERNAL)
        except oa.OnAccountError as error:
            _fail(ctx, error.message, EXIT_REFUSED if isinstance(error, _REFUSALS) else EXIT_USAGE)
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
    click.echo(f"error: {message}", err=True)
    ctx.exit(code)


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onaccount"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="ONACCOUNT_DB",
    default="onaccount.sqlite",
    show_default=True,
    help="SQLite file or PostgreSQL URL (also $ONACCOUNT_DB).",
)
@click.option("--actor", default=_default_actor, help="Who acts; recorded on runs and mutations.")
@click.option(
    "--role",
    type=click.Choice(sorted(ROLES)),
    envvar="ONACCOUNT_ROLE",
    default="clerk",
    show_default=True,
    help="viewer: look only; clerk: also invoice one account; superuser: everything.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(oa.__version__, prog_name="onaccount")
@click.pass_context
def cli(ctx: click.Context, db: str, actor: str, role: str, debug: bool) -> None:
    """Invoice purchases made on account: preview, commit, export, undo."""
    ctx.meta["debug"] = debug
    ctx.obj = _State(db, actor, role, debug)


pass_state = click.make_pass_decorator(_State)


def period_options(func: F) -> F:
    """Add ``--period``, ``--tz`` and ``--day-starts-at``."""
    func = click.option(
        "--day-starts-at",
        envvar="ONACCOUNT_DAY_STARTS_AT",
        default="00:00",
        show_default=True,
        help="When a business day starts, e.g. 04:00 for late closing.",
    )(func)
    func = click.option(
        "--tz",
        envvar="ONACCOUNT_TZ",
        default=DEMO_TZ,
        show_default=True,
        help="IANA time zone of the period's dates.",
    )(func)
    return click.option(
        "--period",
        "period_text",
        required=True,
        help="2026-10, 2026-Q4, 2026-W43, 2026 or 2026-10-01..2026-10-15.",
    )(func)


def _period(text: str, tz: str, day_starts_at: str) -> oa.Period:
    return oa.Period.parse(text, tz=tz, day_starts_at=day_starts_at)


def main() -> None:
    """Run the command line."""
    cli(prog_name="onaccount")

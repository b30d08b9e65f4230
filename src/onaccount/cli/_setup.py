"""Setting up: the demo, the database schema and importing from CSV."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

import onaccount as oa
from onaccount.exporting import export_to_directory, load_exporters
from onaccount.ledger.sql import SQLLedger, upgrade

from ._demo import demo_data, demo_export_options
from ._group import _State, cli, pass_state
from ._importing import ImportFailed, read_accounts, read_transactions
from ._rendering import _print_run

__all__ = [
    "db_group",
    "db_upgrade",
    "demo",
    "import_accounts",
    "import_group",
    "import_transactions",
]

R = TypeVar("R")


# -- demo and database ---------------------------------------------------------------------


#: What the demo writes into its directory; only such a directory is replaced.
_DEMO_FILES = frozenset(
    {"onaccount.sqlite", "onaccount.sqlite-journal", "onaccount.sqlite-wal", "exports"}
)


@cli.command()
@click.argument("directory", default="onaccount-demo", type=click.Path(path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend today is this date.")
@pass_state
def demo(state: _State, directory: Path, today: dt.datetime | None) -> None:
    """Build a canteen's ledger in DIRECTORY, bill its last month, export it all."""
    data = demo_data(today.date() if today else dt.date.today())
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
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    db = directory / "onaccount.sqlite"
    upgrade(db)
    ledger = SQLLedger(db)
    admin = oa.Actor.superuser(state.actor.id)
    *history, month = data.months
    with state.progress() as progress:
        task = progress.add_task("booking three months of sales", total=3)
        ledger.open_accounts(data.accounts)
        progress.advance(task)
        # The canteen's tills accepted these sales already; history is imported as it was.
        ledger.record_many(data.transactions, allow_over_limit=True)
        progress.advance(task)
        for period in history:
            plan = oa.plan_run(ledger, period, oa.AccountQuery(), "zero-balance", actor=admin)
            # Billed on the morning after the month, as the treasurer did.
            billed_at = period.day_start(period.last + dt.timedelta(days=1)) + dt.timedelta(
                hours=6
            )
            oa.commit_run(ledger, plan, actor=admin, key=f"demo-{period.label}", at=billed_at)
        progress.advance(task)
    plan = oa.plan_run(ledger, month, oa.AccountQuery(), "zero-balance", actor=admin)
    state.out.print(
        f"[bold]Preview of {month}[/]: {len(plan.drafts)} accounts to invoice, "
        f"{len(plan.refusals)} refused, {len(plan.nothing_to_invoice)} with nothing to invoice"
    )
    for refusal in plan.refusals:
        state.out.print(f"  refused {refusal.account}: {refusal.message}")
    run = oa.commit_run(ledger, plan, actor=admin, key=f"demo-{month.label}")
    exports = directory / "exports"
    written, skipped = _export_all(run, exports, state)
    _print_run(state, run, limit=12)
    state.out.print(f"\nWrote {len(written)} export file(s) to {exports}/", markup=False)
    for path in written:
        state.out.print(f"  {path.name}", markup=False)
    if skipped:
        state.out.print("Skipped, not installed here:")
        for line in skipped:
            # Extras are written in brackets, which Rich would read as markup.
            state.out.print(f"  {line}", markup=False)
    # Hint the command as it was typed (.venv/bin/onaccount from the README), so the
    # lines work when pasted without an activated virtual environment.
    program = sys.argv[0] if Path(sys.argv[0]).name == "onaccount" else "onaccount"
    tip = f"{program} --db {db}"
    first = run.invoices[0].account.number
    state.out.print(
        "\n[bold]Try next:[/]\n"
        f"  {tip} accounts --balance '<0'\n"
        f"  {tip} statement {first} --period {month.label} --tz {month.tz} --day-starts-at 04:00\n"
        f"  {tip} runs\n"
        f"  {tip} mutations --run {run.id}\n"
        f"  {tip} --role superuser undo {run.id} --account {first} --reason 'billed twice'\n"
        f"  {tip} export {run.id} --format csv --option dialect=rfc4180 --out exports\n"
        f"  {tip} exporters",
        # Soft wrapping: a long command wraps on screen but is copied as one line.
        soft_wrap=True,
    )
    ledger.close()


def _export_all(
    run: oa.InvoiceRun, directory: Path, state: _State
) -> tuple[list[Path], list[str]]:
    """Export ``run`` with every exporter that can run here; what was written and skipped.

    The club's details go to the exporters that need a seller or a creditor, so the
    e-invoices and the collection are real ones.
    """
    registry = load_exporters(on_error="warn")
    written: list[Path] = []
    skipped: list[str] = []
    for info in registry.describe():
        if info.unavailable_reason is not None:
            skipped.append(f"{info.identifier}: {info.unavailable_reason}")
            continue
        exporter = registry.get(info.identifier)
        options = demo_export_options(info.identifier)
        written += export_to_directory(exporter, run, directory, options, overwrite=True)
    for failure in registry.failures:
        state.err.print(f"warning: {failure}", markup=False)
    return written, skipped


db_group = click.Group("db", help="Create or upgrade the database schema.")
cli.add_command(db_group)


@db_group.command("upgrade")
@pass_state
def db_upgrade(state: _State) -> None:
    """Create the schema, or upgrade it to this version of onaccount."""
    before, after = upgrade(state.db)
    if before is None:
        click.echo(f"created schema version {after} in {state.db}")
    elif before == after:
        click.echo(f"schema of {state.db} is up to date (version {after})")
    else:
        click.echo(f"upgraded {state.db} from schema version {before} to {after}")


# -- import ----------------------------------------------------------------------------------

import_group = click.Group("import", help="Load accounts or transactions from CSV.")
cli.add_command(import_group)

dialect_option = click.option(
    "--dialect",
    type=click.Choice(["auto", "excel-nl", "rfc4180"]),
    default="auto",
    show_default=True,
    help="excel-nl: ';' and decimal comma; rfc4180: ',' and decimal point.",
)


@import_group.command("accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dialect_option
@pass_state
def import_accounts(state: _State, file: Path, dialect: str) -> None:
    """Open every account in FILE, or none if any row is bad.

    \b
    Columns (a header row names them; only number and name are required):
    number, name, kind (limit or credit), limit, currency, group, tags (separated
    by |), billing_name, email, vat_id, iban, bic, mandate_id, mandate_date,
    street, postal_code, city, country.
    """
    state.actor.require(oa.Capability.MANAGE_ACCOUNTS, "import accounts")
    accounts = _read(state, file, lambda: read_accounts(file, dialect=dialect))
    ledger = state.ledger()
    with state.progress() as progress:
        progress.add_task(f"importing {len(accounts)} accounts", total=None)
        ledger.open_accounts(accounts)
    click.echo(f"imported {len(accounts)} account(s) from {file}")


@import_group.command("transactions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dialect_option
@click.option("--tz", envvar="ONACCOUNT_TZ", help="Zone of times written without an offset.")
@pass_state
def import_transactions(state: _State, file: Path, dialect: str, tz: str | None) -> None:
    """Record every booking in FILE, or none if any row is bad.

    \b
    Columns (a header row names them): id, account, at, type (purchase, top-up,
    payment or refund), product, code, group, quantity, unit_price, vat_category,
    vat_rate, vat_reason, amount, currency, text. Rows sharing an id are the lines
    of one purchase; credit bookings give an amount and a reason in text. Times
    without a UTC offset are read in --tz.
    """
    state.actor.require(oa.Capability.MANAGE_ACCOUNTS, "import transactions")
    transactions = _read(state, file, lambda: read_transactions(file, dialect=dialect, tz=tz))
    ledger = state.ledger()
    with state.progress() as progress:
        progress.add_task(f"recording {len(transactions)} bookings", total=None)
        # Imported bookings happened at the till already; their limits were its concern.
        ledger.record_many(transactions, allow_over_limit=True)
    click.echo(f"imported {len(transactions)} booking(s) from {file}")


def _read(state: _State, file: Path, read: Callable[[], list[R]]) -> list[R]:
    with state.progress() as progress:
        progress.add_task(f"reading {file.name}", total=None)
        try:
            return read()
        except ImportFailed as failure:
            for bad in failure.bad:
                click.echo(f"{file}: {bad}", err=True)
            raise

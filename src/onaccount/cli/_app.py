"""The ``onaccount`` command: the administrator's workflow over the public API."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import shutil
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import onaccount as oa
from onaccount.exporting import Exporter, export_to_directory, load_exporters
from onaccount.ledger.sql import SQLLedger, upgrade

from ._demo import DEMO_TZ, demo_data
from ._importing import Imported, ImportFailed
from ._importing import import_accounts as import_accounts_from
from ._importing import import_transactions as import_transactions_from

__all__ = ["EXIT_INTERNAL", "EXIT_REFUSED", "EXIT_USAGE", "cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])

#: An unexpected failure: a bug, or the database went away.
EXIT_INTERNAL = 1
#: Wrong options or input: fix the command line or the file.
EXIT_USAGE = 2
#: The library refused: permission, a credit account, a conflict, an undone invoice.
EXIT_REFUSED = 3

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


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _emit_json(state: _State, data: object) -> None:
    click.echo(json.dumps(data, default=_json_default, ensure_ascii=False, indent=2))


def json_option(func: F) -> F:
    """Add ``--json``: print data for scripts instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("exports"),
    show_default=True,
    help="Directory the export files are written to.",
)


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


def _money(amount: Decimal, currency: str = "") -> str:
    text = f"{amount:,.2f}" if amount == amount.quantize(Decimal("0.01")) else f"{amount:,}"
    return f"{text} {currency}".strip()


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
    written = _export_all(run, exports, state)
    _print_run(state, run, limit=12)
    state.out.print(f"\nWrote {len(written)} export file(s) to {exports}/")
    for path in written:
        state.out.print(f"  {path.name}")
    tip = f"onaccount --db {db}"
    first = run.invoices[0].account.number
    state.out.print(
        "\n[bold]Try next:[/]\n"
        f"  {tip} accounts --balance '<0'\n"
        f"  {tip} statement {first} --period {month.label} --tz {month.tz} --day-starts-at 04:00\n"
        f"  {tip} runs\n"
        f"  {tip} mutations --run {run.id}\n"
        f"  {tip} --role superuser undo {run.id} --account {first} --reason 'billed twice'\n"
        f"  {tip} export {run.id} --format csv --option dialect=rfc4180 --out exports\n"
        f"  {tip} exporters"
    )
    ledger.close()


def _export_all(run: oa.InvoiceRun, directory: Path, state: _State) -> list[Path]:
    registry = load_exporters(on_error="warn")
    written: list[Path] = []
    for exporter in registry.exporters():
        written += export_to_directory(exporter, run, directory, None, overwrite=True)
    for failure in registry.failures:
        state.err.print(f"warning: {failure}")
    return written


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

import_group = click.Group("import", help="Load accounts or transactions from CSV or XLSX.")
cli.add_command(import_group)

dialect_option = click.option(
    "--dialect",
    type=click.Choice(["auto", "excel-nl", "rfc4180"]),
    default="auto",
    show_default=True,
    help="CSV only. excel-nl: ';' and decimal comma; rfc4180: ',' and decimal point.",
)


@import_group.command("accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dialect_option
@pass_state
def import_accounts(state: _State, file: Path, dialect: str) -> None:
    """Open every account in FILE (.csv or .xlsx), or none if any row is bad.

    \b
    Columns (a header row names them, in English or Dutch; number and name are
    required): number (nummer), name (naam), kind (soort: limit or credit), limit
    (limiet), currency (valuta), group (groep), tags (labels, separated by |),
    billing_name (factuurnaam), email (e-mail), vat_id (btw-nummer), iban, bic,
    mandate_id (machtigingskenmerk), mandate_date (machtigingsdatum), street
    (straat), postal_code (postcode), city (plaats), country (land). Accounts the
    ledger holds already, unchanged, are left alone.
    """
    state.actor.require(oa.Capability.MANAGE_ACCOUNTS, "import accounts")
    done = _import(
        state, file, lambda: import_accounts_from(state.ledger(), file, dialect=dialect)
    )
    click.echo(f"imported {done.added} account(s) from {file}{_present(done, 'account')}")


@import_group.command("transactions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dialect_option
@click.option("--tz", envvar="ONACCOUNT_TZ", help="Zone of times written without an offset.")
@pass_state
def import_transactions(state: _State, file: Path, dialect: str, tz: str | None) -> None:
    """Record every booking in FILE (.csv or .xlsx), or none if any row is bad.

    \b
    Columns (a header row names them, in English or Dutch; account and at are
    required): id (kenmerk), account (rekening), at (tijdstip), type (soort:
    purchase, top-up, payment or refund), product, code, group (groep), quantity
    (aantal), unit_price (stukprijs), vat_category (btw-categorie), vat_rate
    (btw-tarief), vat_reason (btw-reden), amount (bedrag), currency (valuta), text
    (tekst). Rows sharing an id are the lines of one purchase; rows without an id
    get one from their content, so importing a file twice records it once. Times
    without a UTC offset are read in --tz.
    """
    state.actor.require(oa.Capability.MANAGE_ACCOUNTS, "import transactions")
    done = _import(
        state, file, lambda: import_transactions_from(state.ledger(), file, dialect=dialect, tz=tz)
    )
    click.echo(f"imported {done.added} booking(s) from {file}{_present(done, 'booking')}")


def _present(done: Imported, what: str) -> str:
    return f"; {done.present} {what}(s) were there already" if done.present else ""


def _import(state: _State, file: Path, run: Callable[[], Imported]) -> Imported:
    with state.progress() as progress:
        progress.add_task(f"importing {file.name}", total=None)
        try:
            return run()
        except ImportFailed as failure:
            for line in failure.report:
                click.echo(f"{file}: {line}", err=True)
            raise


# -- looking -------------------------------------------------------------------------------


@cli.command("accounts")
@click.option("--name", help="Part of the name; case and accents are ignored.")
@click.option("--balance", help="A comparison such as '<0' or '>=-50'.")
@click.option("--kind", type=click.Choice(["limit", "credit"]), help="Only this kind.")
@click.option("--group", help="Only accounts in this group.")
@click.option("--tag", help="Only accounts with this tag.")
@json_option
@pass_state
def accounts_command(
    state: _State,
    name: str | None,
    balance: str | None,
    kind: str | None,
    group: str | None,
    tag: str | None,
    as_json: bool,
) -> None:
    """Find accounts, as the administration screen does."""
    query = oa.AccountQuery(name=name, balance=balance, kind=kind, group=group, tag=tag)
    found = oa.find_accounts(state.ledger(), query, actor=state.actor)
    if as_json:
        _emit_json(
            state,
            [
                {
                    "number": s.account.number,
                    "name": s.account.name,
                    "kind": s.account.kind.value,
                    "group": s.account.group,
                    "currency": s.account.currency,
                    "balance": s.balance,
                    "limit": s.limit,
                    "spending_room": s.spending_room,
                }
                for s in found
            ],
        )
        return
    table = Table("number", "name", "kind", "group", "balance", "limit", "room", title="Accounts")
    for s in found:
        c = s.account.currency
        table.add_row(
            s.account.number,
            s.account.name,
            s.account.kind.value,
            s.account.group or "",
            _money(s.balance, c),
            _money(s.limit, c),
            _money(s.spending_room, c),
        )
    state.out.print(table)
    state.out.print(f"{len(found)} account(s)")


def _statement_json(statement: oa.Statement) -> dict[str, Any]:
    return {
        "account": statement.account.number,
        "name": statement.account.name,
        "period": statement.period.label,
        "currency": statement.currency,
        "total": statement.total,
        "days": [{"date": d.date, "total": d.total, "purchases": d.count} for d in statement.days],
        "products": [
            {
                "product": p.product,
                "code": p.code,
                "unit_price": p.unit_price,
                "quantity": p.quantity,
                "amount": p.amount,
                "vat": str(p.vat),
            }
            for p in statement.products
        ],
        "vat": [
            {"vat": str(v.vat), "gross": v.gross, "net": v.net, "vat_amount": v.tax}
            for v in statement.vat
        ],
    }


@cli.command("statement")
@click.argument("account")
@period_options
@click.option(
    "--uninvoiced", is_flag=True, help="Only purchases no run has invoiced: what a run would bill."
)
@json_option
@pass_state
def statement_command(
    state: _State,
    account: str,
    period_text: str,
    tz: str,
    day_starts_at: str,
    uninvoiced: bool,
    as_json: bool,
) -> None:
    """Show ACCOUNT's total over a period, its days and product specification."""
    period = _period(period_text, tz, day_starts_at)
    statement = oa.statement(
        state.ledger(), account, period, actor=state.actor, uninvoiced_only=uninvoiced
    )
    if as_json:
        _emit_json(state, _statement_json(statement))
        return
    c = statement.currency
    state.out.print(
        f"[bold]{statement.account.number} {statement.account.name}[/] — {period}: "
        f"total {_money(statement.total, c)}"
    )
    days = Table("business day", "purchases", "total", title="Days")
    for day in statement.days:
        days.add_row(day.date.isoformat(), str(day.count), _money(day.total, c))
    state.out.print(days)
    products = Table(
        "product", "code", "unit price", "quantity", "amount", "VAT", title="Products"
    )
    for p in statement.products:
        products.add_row(
            p.product,
            p.code or "",
            _money(p.unit_price),
            str(p.quantity),
            _money(p.amount),
            str(p.vat),
        )
    state.out.print(products)
    vat = Table("VAT", "net", "VAT", "gross", title="VAT")
    for v in statement.vat:
        vat.add_row(str(v.vat), _money(v.net), _money(v.tax), _money(v.gross))
    state.out.print(vat)


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
        return oa.AccountQuery(balance=balance)
    return oa.AccountQuery()


def _plan_json(plan: oa.Plan) -> dict[str, Any]:
    return {
        "period": plan.period.label,
        "strategy": plan.strategy.name,
        "totals": plan.totals,
        "drafts": [
            {
                "account": d.account.number,
                "name": d.account.name,
                "currency": d.statement.currency,
                "total": d.total,
                "balance_before": d.balance_before,
                "balance_after": d.balance_after,
                "limit_before": d.limit_before,
                "limit_after": d.limit_after,
            }
            for d in plan.drafts
        ],
        "refusals": [
            {
                "account": r.account,
                "reason": r.reason.value,
                "message": r.message,
                "transactions": r.transactions,
            }
            for r in plan.refusals
        ],
        "nothing_to_invoice": list(plan.nothing_to_invoice),
        "warnings": [w.message for w in plan.warnings],
    }


def _run_json(run: oa.InvoiceRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "key": run.key,
        "period": run.period.label,
        "tz": run.period.tz,
        "day_starts_at": run.period.day_starts_at,
        "strategy": run.strategy,
        "actor": run.actor,
        "created_at": run.created_at,
        "totals": run.totals,
        "invoices": [
            {
                "account": i.account.number,
                "name": i.account.name,
                "currency": i.statement.currency,
                "total": i.total,
                "state": i.state.value,
                "balance_before": i.balance_before,
                "balance_after": i.balance_after,
                "limit_before": i.limit_before,
                "limit_after": i.limit_after,
            }
            for i in run.invoices
        ],
    }


def _print_plan(state: _State, plan: oa.Plan) -> None:
    table = Table(
        "account", "name", "invoiced", "balance", "→ after", "limit", "→ after",
        title=f"Preview: {plan.period.label} with {plan.strategy.name}",
    )  # fmt: skip
    for d in plan.drafts:
        c = d.statement.currency
        table.add_row(
            d.account.number,
            d.account.name,
            _money(d.total, c),
            _money(d.balance_before),
            _money(d.balance_after),
            _money(d.limit_before),
            _money(d.limit_after),
        )
    state.out.print(table)
    for refusal in plan.refusals:
        state.out.print(f"refused {refusal.account}: {refusal.message}")
    if plan.nothing_to_invoice:
        state.out.print(f"nothing to invoice: {', '.join(plan.nothing_to_invoice)}")
    for warning in plan.warnings:
        state.out.print(f"warning: {warning.message}")
    totals = ", ".join(_money(v, c) for c, v in plan.totals.items()) or "nothing"
    state.out.print(f"total to invoice: {totals}")


def _print_run(state: _State, run: oa.InvoiceRun, limit: int | None = None) -> None:
    table = Table(
        "account", "name", "invoiced", "state", "balance", "→ after",
        title=f"Run {run.id} ({run.period.label}, {run.strategy}, by {run.actor})",
    )  # fmt: skip
    shown = run.invoices if limit is None else run.invoices[:limit]
    for i in shown:
        table.add_row(
            i.account.number,
            i.account.name,
            _money(i.total, i.statement.currency),
            i.state.value,
            _money(i.balance_before),
            _money(i.balance_after),
        )
    state.out.print(table)
    if limit is not None and len(run.invoices) > limit:
        state.out.print(f"… and {len(run.invoices) - limit} more account invoice(s)")
    totals = ", ".join(_money(v, c) for c, v in run.totals.items()) or "nothing"
    state.out.print(f"{len(run.invoices)} account invoice(s), total {totals}")


@cli.command("invoice")
@period_options
@click.option("--account", "accounts", multiple=True, help="An account number; repeatable.")
@click.option("--all", "all_accounts", is_flag=True, help="Every account.")
@click.option("--balance", help="Accounts whose balance compares so, e.g. '<0'.")
@click.option(
    "--strategy",
    type=click.Choice(sorted(oa.BUILTIN_STRATEGIES)),
    required=True,
    help="How balance and limit are corrected once committed.",
)
@click.option("--commit", is_flag=True, help="Commit the run; without it, only preview.")
@click.option("--key", help="Idempotency key: committing twice with it books once.")
@click.option("--export", "formats", multiple=True, help="Export with this exporter; repeatable.")
@out_option
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
    key: str | None,
    formats: tuple[str, ...],
    out: Path,
    as_json: bool,
) -> None:
    """Preview a run over a period (or commit it with --commit) and export it."""
    selection = _selection(accounts, all_accounts, balance)
    period = _period(period_text, tz, day_starts_at)
    # An unknown exporter is refused now, not after the run is committed.
    exporters = _exporters(formats)
    ledger = state.ledger()
    with state.err.status("planning the run"):
        plan = oa.plan_run(ledger, period, selection, strategy, actor=state.actor)
    run = None
    # A plan without drafts would commit an empty run; a retry under a key that already
    # committed gets that run back, as the idempotency promise says.
    if commit and (plan.drafts or (key is not None and ledger.run_by_key(key) is not None)):
        with state.err.status("committing the run"):
            run = oa.commit_run(ledger, plan, actor=state.actor, key=key)
    written = _export(run or plan, exporters, out) if exporters else []
    if as_json:
        data = _plan_json(plan)
        if commit:
            data["run"] = None if run is None else _run_json(run)
        data["exports"] = [str(p) for p in written]
        _emit_json(state, data)
    else:
        _print_plan(state, plan)
        if run is not None:
            state.out.print(f"committed run {run.id}" + (f" (key {run.key})" if run.key else ""))
        elif commit:
            state.out.print("nothing to commit: no account to invoice")
        elif plan.drafts:
            state.out.print("preview only: add --commit to commit this run")
        for path in written:
            state.out.print(f"wrote {path}")
    if plan.refusals and not plan.drafts and run is None:
        click.get_current_context().exit(EXIT_REFUSED)


def _parse_options(pairs: Iterable[str]) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--option")
        try:
            value: object = json.loads(text)
        except json.JSONDecodeError:
            value = text
        if isinstance(value, (dict, list)):
            value = text
        options[name.strip()] = value
    return options


def _exporters(formats: Iterable[str]) -> list[Exporter[Any]]:
    formats = list(formats)
    if not formats:
        return []
    registry = load_exporters(on_error="warn")
    return [registry.get(identifier) for identifier in formats]


def _export(
    source: oa.Plan | oa.InvoiceRun,
    exporters: Iterable[Exporter[Any]],
    out: Path,
    options: dict[str, object] | None = None,
) -> list[Path]:
    written: list[Path] = []
    for exporter in exporters:
        written += export_to_directory(exporter, source, out, options, overwrite=True)
    return written


# -- the audit trail -------------------------------------------------------------------------


@cli.command("runs")
@json_option
@pass_state
def runs_command(state: _State, as_json: bool) -> None:
    """List committed runs, oldest first."""
    state.actor.require(oa.Capability.VIEW, "list runs")
    runs = state.ledger().runs()
    if as_json:
        _emit_json(state, [_run_json(r) for r in runs])
        return
    table = Table("run", "key", "period", "strategy", "by", "at", "invoices", "undone", "total")
    for run in runs:
        undone = sum(1 for i in run.invoices if i.state is oa.InvoiceState.UNDONE)
        table.add_row(
            run.id,
            run.key or "",
            run.period.label,
            run.strategy,
            run.actor,
            run.created_at.isoformat(timespec="seconds"),
            str(len(run.invoices)),
            str(undone),
            ", ".join(_money(v, c) for c, v in run.totals.items()),
        )
    state.out.print(table)


@cli.command("mutations")
@click.option("--account", help="Only this account.")
@click.option("--run", "run_id", help="Only this run.")
@click.option("--period", "period_text", help="Only mutations booked in this period.")
@click.option(
    "--tz",
    envvar="ONACCOUNT_TZ",
    default=DEMO_TZ,
    show_default=True,
    help="IANA time zone of --period's dates.",
)
@click.option(
    "--kind", type=click.Choice([k.value for k in oa.MutationKind]), help="Only this kind."
)
@json_option
@pass_state
def mutations_command(
    state: _State,
    account: str | None,
    run_id: str | None,
    period_text: str | None,
    tz: str,
    kind: str | None,
    as_json: bool,
) -> None:
    """The mutations report: who changed which balance or limit, when and why."""
    period = None if period_text is None else _period(period_text, tz, "00:00")
    report = oa.mutations_report(
        state.ledger(), actor=state.actor, account=account, run_id=run_id, period=period, kind=kind
    )
    rows = [
        {
            "id": m.id,
            "account": m.account,
            "kind": m.kind.value,
            "balance_delta": m.balance_delta,
            "limit_delta": m.limit_delta,
            "actor": m.actor,
            "at": m.at,
            "reason": m.reason,
            "run": m.run_id,
        }
        for m in report.mutations
    ]
    if as_json:
        _emit_json(state, {"mutations": rows, "runs": [_run_json(r) for r in report.runs]})
        return
    table = Table(
        "at", "account", "kind", "balance Δ", "limit Δ", "by", "reason", "run", title="Mutations"
    )
    for m in report.mutations:
        table.add_row(
            m.at.isoformat(timespec="seconds"),
            m.account,
            m.kind.value,
            _money(m.balance_delta),
            _money(m.limit_delta),
            m.actor,
            m.reason,
            m.run_id or "",
        )
    state.out.print(table)
    state.out.print(f"{len(rows)} mutation(s)")


@cli.command("undo")
@click.argument("run_id", metavar="RUN")
@click.option("--account", required=True, help="The account whose invoice is undone.")
@click.option("--reason", required=True, help="Why; kept in the audit trail.")
@pass_state
def undo_command(state: _State, run_id: str, account: str, reason: str) -> None:
    """Undo ACCOUNT's part of RUN: reverse its correction, free its purchases."""
    invoice = oa.undo_invoice(state.ledger(), run_id, account, actor=state.actor, reason=reason)
    delta = invoice.undo_mutation
    booked = (
        "no correction to reverse"
        if delta is None
        else f"balance {_money(delta.balance_delta)}, limit {_money(delta.limit_delta)}"
    )
    click.echo(f"undid the invoice of {invoice.account.label} in run {run_id}: {booked}")


@cli.command("export")
@click.argument("run_id", metavar="RUN")
@click.option("--format", "formats", multiple=True, required=True, help="Exporter; repeatable.")
@click.option("--option", "pairs", multiple=True, help="NAME=VALUE for the exporter.")
@out_option
@pass_state
def export_command(
    state: _State, run_id: str, formats: tuple[str, ...], pairs: tuple[str, ...], out: Path
) -> None:
    """Export a committed run again, at any time."""
    state.actor.require(oa.Capability.VIEW, "export runs")
    exporters = _exporters(formats)
    run = state.ledger().run(run_id)
    for path in _export(run, exporters, out, _parse_options(pairs) or None):
        click.echo(f"wrote {path}")


@cli.command("exporters")
@json_option
@pass_state
def exporters_command(state: _State, as_json: bool) -> None:
    """List the exporters with their plugin and options, and any broken plugins."""
    registry = load_exporters(on_error="warn")
    infos = registry.describe()
    failures = registry.failures
    if as_json:
        _emit_json(
            state,
            {
                "exporters": [
                    {
                        "identifier": i.identifier,
                        "title": i.title,
                        "plugin": i.plugin,
                        "distribution": i.distribution,
                        "version": i.version,
                        "options": {
                            o.name: o.default
                            for o in registry.get(i.identifier).Options.describe()
                        },
                    }
                    for i in infos
                ],
                "failures": [str(f) for f in failures],
            },
        )
        return
    table = Table("exporter", "title", "plugin", "version", "options", title="Exporters")
    for info in infos:
        options = ", ".join(
            f"{o.name}={o.default}" for o in registry.get(info.identifier).Options.describe()
        )
        table.add_row(info.identifier, info.title, info.plugin, info.version or "", options)
    state.out.print(table)
    for failure in failures:
        state.out.print(f"[red]broken plugin[/]: {failure}")


def main() -> None:
    """Run the command line."""
    cli(prog_name="onaccount")

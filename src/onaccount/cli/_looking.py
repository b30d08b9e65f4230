"""Looking: accounts, statements and the audit trail of runs and mutations."""

from __future__ import annotations

import click
from rich.table import Table

import onaccount as oa

from ._demo import DEMO_TZ
from ._group import _period, _State, cli, pass_state, period_options
from ._rendering import _emit_json, _money, _run_json, _statement_json, json_option

__all__ = ["accounts_command", "mutations_command", "runs_command", "statement_command"]


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

"""Looking: accounts, statements and the audit trail of runs and mutations."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

import click

import onaccount as oa
from onaccount._words import joined
from onaccount.ledger import unknown_account
from onaccount.ledger._codec import billing_to_dict

from ._amounts import typed_balance
from ._group import (
    _period,
    _State,
    _zone,
    cli,
    pass_state,
    period_options,
    tz_option,
    zone_options,
)
from ._numbers import held_with_zeros
from ._rendering import (
    Display,
    _emit_json,
    _mutation_json,
    _run_json,
    _statement_json,
    account_cells,
    account_columns,
    amount_column,
    amounts_title,
    capped,
    json_option,
    limit_option,
    literal,
    more,
    name_column,
    records,
    undone_count,
)

__all__ = ["accounts_command", "mutations_command", "runs_command", "statement_command"]


# -- looking -------------------------------------------------------------------------------


@cli.command("accounts", short_help="Find accounts, or look them up by number.")
@click.argument("numbers", nargs=-1, metavar="[NUMBER]...")
@click.option("--name", help="Part of the name; case and accents are ignored.")
@click.option("--balance", help="A comparison such as '<0' or '>=-50'.")
@click.option("--kind", type=click.Choice(["limit", "credit"]), help="Only this kind.")
@click.option("--group", help="Only accounts in this group.")
@click.option("--tag", help="Only accounts with this tag.")
@limit_option
@json_option
@pass_state
def accounts_command(
    state: _State,
    numbers: tuple[str, ...],
    name: str | None,
    balance: str | None,
    kind: str | None,
    group: str | None,
    tag: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Find accounts, as the administration screen does, or look them up by NUMBER.

    \b
    Examples:
      onaccount accounts --balance '<0'
      onaccount accounts --name jansen --group leden --rows all
      onaccount accounts 1042 2001
    """
    query = oa.AccountQuery(
        name=name,
        numbers=numbers or None,
        balance=typed_balance(balance),
        kind=kind,
        group=group,
        tag=tag,
    )
    ledger = state.ledger()
    found = oa.find_accounts(ledger, query, actor=state.actor)
    # A number looked up that is not there is a mistake to name, after the ones found on
    # screen; a program reading the JSON gets none rather than a list short of it.
    missing = sorted(set(numbers) - set(ledger.states(numbers)))
    if not (missing and (as_json or not found)):
        _show_accounts(state, found, limit, as_json)
    if missing:
        raise _unknown_numbers(ledger, state.actor, missing)


def _unknown_numbers(ledger: oa.Ledger, actor: oa.Actor, missing: Sequence[str]) -> Exception:
    """The refusal of numbers the ledger does not hold, pointing a name typed as one to --name."""
    error = unknown_account(*missing)
    zeros = held_with_zeros(ledger.states, missing)
    if zeros:
        held = [f"{a.number} {a.name!r}" for a in (zeros[m] for m in missing if m in zeros)]
        said = (
            f"account {missing[0]!r} does not exist, but account {held[0]} does: give its "
            f"number with the leading zeros, {zeros[missing[0]].number}"
            if len(missing) == 1
            else f"{error.message}; the ledger holds {joined(held)}: give numbers with their "
            "leading zeros"
        )
        return oa.UnknownAccount(said, value=error.value, field=error.field)
    for text in (m for m in missing if not m.isdigit()):
        named = oa.find_accounts(ledger, oa.AccountQuery(name=text), actor=actor)
        if named:
            shown = ", ".join(f"{s.account.number} {s.account.name!r}" for s in named[:3])
            more = f" and {len(named) - 3} more" if len(named) > 3 else ""
            return oa.UnknownAccount(
                f"{error.message}; {text!r} is part of the name of {shown}{more}: to find "
                f"accounts by name, use --name {shlex.quote(text)}",
                value=error.value,
                field=error.field,
            )
    return error


def _show_accounts(
    state: _State, found: Sequence[oa.AccountState], limit: int | None, as_json: bool
) -> None:
    """``found`` as JSON, or as a table of at most ``limit`` rows."""
    if as_json:
        _emit_json(
            state,
            [
                {
                    "number": s.account.number,
                    "name": s.account.name,
                    "kind": s.account.kind.value,
                    "group": s.account.group,
                    "tags": sorted(s.account.tags),
                    "currency": s.account.currency,
                    "balance": s.balance,
                    "limit": s.limit,
                    "spending_room": s.spending_room,
                    # As the ledger keeps them: what an import gave the account.
                    "billing": None
                    if s.account.billing is None
                    else billing_to_dict(s.account.billing),
                }
                for s in found
            ],
        )
        return
    show = state.show
    rows, hidden = capped(found, limit)
    currencies = {s.account.currency for s in rows}
    # One currency is said once, in the title; amounts then need no symbol each.
    several = len(currencies) > 1
    records(
        state.out,
        [
            *account_columns(several),
            amount_column("balance"),
            amount_column("limit"),
            amount_column("room"),
        ],
        [
            [
                *account_cells(s.account, several),
                show.amount(s.balance, s.account.currency),
                show.amount(s.limit, s.account.currency),
                show.amount(s.spending_room, s.account.currency),
            ]
            for s in rows
        ],
        title=amounts_title("Accounts", currencies),
    )
    if hidden:
        state.out.print(more(show, hidden, "accounts"))
    state.out.print(show.count(len(found), "account"))


@cli.command("statement", short_help="Show an account's total, days and products.")
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
    """Show ACCOUNT's total over a period, its days and product specification.

    \b
    Examples:
      onaccount statement 1042 --period 2026-10 --day-starts-at 04:00
      onaccount statement 1042 --period 2026-10-01..2026-10-15 --uninvoiced
    """
    period = _period(period_text, tz, day_starts_at)
    ledger = state.ledger()
    try:
        statement = oa.statement(
            ledger, account, period, actor=state.actor, uninvoiced_only=uninvoiced
        )
    except oa.UnknownAccount:
        # Asked once the actor may look: the hints name accounts the ledger holds.
        raise _unknown_numbers(ledger, state.actor, [account]) from None
    # After a run (or an undo) the total is the same: what is billed of it is not.
    still_open = (
        statement
        if uninvoiced
        else oa.statement(ledger, account, period, actor=state.actor, uninvoiced_only=True)
    )
    if as_json:
        credits = [
            {
                "id": c.id,
                "kind": c.kind.value,
                "credit": c.credit,
                "date": period.business_date(c.at),
            }
            for c in statement.credits
        ]
        _emit_json(
            state,
            {
                **_statement_json(statement),
                "uninvoiced_total": still_open.total,
                "credits": credits,
            },
        )
        return
    c = statement.currency
    show = state.show
    state.out.print(
        f"[bold]{literal(statement.account.number)} {literal(statement.account.name)}[/] — "
        f"{literal(period)}"
    )
    # On a line of its own, so a narrow terminal never parts the symbol from the amount.
    state.out.print(f"total {show.money(statement.total, c)}")
    if statement.credits:
        # They explain the balance, and why a run over the period refuses the account.
        listed = ", ".join(
            f"{b.id} ({b.kind.value} {show.money(b.credit, c)} on business day "
            f"{show.date(period.business_date(b.at))})"
            for b in statement.credits
        )
        refused = (
            ""
            if statement.account.kind is oa.AccountKind.CREDIT
            else "; a run over this period refuses the account while they are inside it"
        )
        state.say(f"credit bookings in this period, not part of its total: {listed}{refused}")
    if statement.days and statement.account.kind is oa.AccountKind.CREDIT:
        state.say("paid in advance from its credit: a credit account is never invoiced")
    elif statement.days and not uninvoiced:
        # Counted by purchases: returns can make an invoiced part come to nothing.
        if not still_open.count:
            state.say("all of it invoiced")
        elif still_open.count == statement.count:
            state.say("none of it invoiced yet")
        else:
            billed, rest = statement.total - still_open.total, still_open.total
            state.say(f"{show.money(billed, c)} of it invoiced, {show.money(rest, c)} not yet")
    if not statement.days:
        state.say(f"no {'uninvoiced ' if uninvoiced else ''}purchases in this period")
        return
    records(
        state.out,
        ["business day", amount_column("purchases"), amount_column("total")],
        [
            [show.date(day.date), show.number(day.count), show.money(day.total, c)]
            for day in statement.days
        ],
        title="Days",
    )
    records(
        state.out,
        [
            name_column("product"),
            "code",
            amount_column("unit price"),
            amount_column("quantity"),
            amount_column("amount"),
            "VAT",
        ],
        [
            [
                literal(p.product),
                literal(p.code or ""),
                show.amount(p.unit_price, c),
                show.number(p.quantity),
                show.amount(p.amount, c),
                literal(p.vat),
            ]
            for p in statement.products
        ],
        title="Products",
    )
    records(
        state.out,
        ["VAT", amount_column("net"), amount_column("VAT"), amount_column("gross")],
        [
            [literal(v.vat), show.amount(v.net, c), show.amount(v.tax, c), show.amount(v.gross, c)]
            for v in statement.vat
        ],
        title="VAT",
    )


# -- the audit trail -------------------------------------------------------------------------


@cli.command("runs")
@tz_option
@limit_option
@json_option
@pass_state
def runs_command(state: _State, tz: str, limit: int | None, as_json: bool) -> None:
    """List committed runs, oldest first.

    A run's total is what its invoices still bill: undone invoices are counted under
    "undone" and left out of it (--json gives both, as totals and standing_totals).

    \b
    Examples:
      onaccount runs
      onaccount runs --json | jq -r '.[-1].id'
    """
    runs = oa.list_runs(state.ledger(), actor=state.actor)
    if as_json:
        _emit_json(state, [_run_json(r) for r in runs])
        return
    show = state.show.with_tz(_zone(tz))
    rows, hidden = capped(runs, limit)
    records(
        state.out, ("run", *_RUN_FIELDS), [(literal(r.id), *_run_values(show, r)) for r in rows]
    )
    if hidden:
        state.out.print(more(show, hidden, "runs"))
    state.out.print(show.count(len(runs), "run"))


#: What the runs command shows of each run besides its id, in this order.
_RUN_FIELDS = ("key", "period", "strategy", "by", "at", "invoices", "undone", "total")


def _run_values(show: Display, run: oa.InvoiceRun) -> tuple[str, ...]:
    """The `_RUN_FIELDS` of ``run`` as shown; an empty key for a run committed without."""
    undone = undone_count(run)
    return (
        literal(run.key or ""),
        run.period.label,
        literal(run.strategy),
        literal(run.actor),
        show.instant(run.created_at),
        show.number(len(run.invoices)),
        show.number(undone),
        show.totals(run.standing_totals),
    )


@cli.command("mutations", short_help="Who changed which balance or limit, when and why.")
@click.option("--account", help="Only this account.")
@click.option("--run", "run_id", help="Only this run: its id or the --key it was committed under.")
@click.option("--period", "period_text", help="Only mutations booked in this period.")
@zone_options
@click.option(
    "--kind", type=click.Choice([k.value for k in oa.MutationKind]), help="Only this kind."
)
@limit_option
@json_option
@pass_state
def mutations_command(
    state: _State,
    account: str | None,
    run_id: str | None,
    period_text: str | None,
    tz: str,
    day_starts_at: str,
    kind: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """The mutations report: who changed which balance or limit, when and why.

    \b
    Examples:
      onaccount mutations --account 1042
      onaccount mutations --period 2026-11 --kind undo
    """
    period = None if period_text is None else _period(period_text, tz, day_starts_at)
    ledger = state.ledger()
    report = oa.mutations_report(
        ledger, actor=state.actor, account=account, run_id=run_id, period=period, kind=kind
    )
    # Who holds each account, as the treasurer knows them: a number alone says little.
    held = ledger.states(sorted({m.account for m in report.mutations}))
    names = {number: s.account.name for number, s in held.items()}
    rows = [{**_mutation_json(m), "name": names.get(m.account)} for m in report.mutations]
    if as_json:
        _emit_json(state, {"mutations": rows, "runs": [_run_json(r) for r in report.runs]})
        return
    show = state.show.with_tz(_zone(tz))
    shown, hidden = capped(report.mutations, limit)
    records(
        state.out,
        [
            "at",
            "account",
            name_column(),
            "kind",
            amount_column("balance Δ"),
            amount_column("limit Δ"),
            "by",
            "reason",
            "run",
        ],
        [
            (
                show.instant(m.at),
                literal(m.account),
                literal(names.get(m.account, "")),
                m.kind.value,
                show.decimal(m.balance_delta),
                show.decimal(m.limit_delta),
                literal(m.actor),
                literal(m.reason),
                literal(m.run_id or ""),
            )
            for m in shown
        ],
        title="Mutations",
    )
    if hidden:
        state.out.print(more(show, hidden, "mutations"))
    state.out.print(show.count(len(rows), "mutation"))
    # Only a search by period alone: another filter may be what found nothing.
    if period is not None and not rows and not (account or run_id or kind):
        _point_to_later_runs(state, ledger, show, period)


def _point_to_later_runs(
    state: _State, ledger: oa.Ledger, show: Display, period: oa.Period
) -> None:
    """Name the run over ``period`` whose mutations a search by booking date missed.

    A month is billed after it ends, so ``--period 2026-11`` finds none of the November
    run's corrections, which are dated in December.
    """
    over = [
        run
        for run in oa.list_runs(ledger, actor=state.actor)
        if run.period.first <= period.last and period.first <= run.period.last
    ]
    if not over:
        return
    run = over[-1]
    state.say(
        f"note: no mutations were booked in {period.label}; they are dated when they are "
        f"booked, and the run over {run.period.label} booked its corrections on "
        f"{show.date(run.created_at.astimezone(show.tz).date())}: see them with "
        f"onaccount mutations --run {shlex.quote(run.key or run.id)}",
        err=True,
    )

"""Managing accounts: a new limit or a balance correction, each a mutation with its reason."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

import click

import onaccount as oa

from ._amounts import typed_amount
from ._group import _State, cli, pass_state
from ._rendering import Display, _emit_json, _mutation_json, _signed, json_option

__all__ = ["correct_balance_command", "set_limit_command"]

_REASON_HELP = "Why; kept in the mutations report."
#: What a negative amount starts with, as typed: an argument, not an option.
_NEGATIVE = re.compile(r"-[\d.]")


class _SignedAmounts(click.Command):
    """A command whose amounts may be negative: ``-5.50`` is an amount, not an option.

    click would take it for the unknown option ``-5``; told to let unknown options
    through, it would let a mistyped ``--reasn`` through too. So what looks like an
    option is refused here unless it is one, a negative amount or an option's value.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {})["ignore_unknown_options"] = True
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        names = {name: p for p in options for name in (*p.opts, *p.secondary_opts)}
        takes_value = False
        for arg in args:
            if arg == "--":
                break
            name = arg.split("=", 1)[0]
            looks_like_option = arg[:1] == "-" and len(arg) > 1 and not _NEGATIVE.match(arg)
            if not takes_value and looks_like_option:
                if name not in names:
                    near = difflib.get_close_matches(name, [n for n in names if n[:2] == "--"])
                    raise click.NoSuchOption(name, possibilities=near, ctx=ctx)
                option = names[name]
                takes_value = "=" not in arg and not (option.is_flag or option.count)
            else:
                takes_value = False
        return super().parse_args(ctx, args)


@cli.command(
    "set-limit",
    short_help="Set an account's limit, with the reason why.",
    cls=_SignedAmounts,
)
@click.argument("number")
@click.argument("new_limit", metavar="LIMIT")
@click.option("--reason", required=True, help=_REASON_HELP)
@click.option(
    "--expected",
    metavar="LIMIT",
    help="The limit you saw when deciding; if it has changed since, nothing changes.",
)
@json_option
@pass_state
def set_limit_command(
    state: _State, number: str, new_limit: str, reason: str, expected: str | None, as_json: bool
) -> None:
    """Set account NUMBER's limit to LIMIT, booked as a mutation with its reason.

    Amounts have a point or a comma before the cents: 250, 1500.50 or 1.500,50;
    1.500 alone is refused, as it reads as fifteen hundred in Dutch.

    \b
    Examples:
      onaccount --role superuser set-limit 1042 250 --reason 'new season'
      onaccount --role superuser set-limit 1042 300 --expected 250 \\
          --reason 'team grew'
    """
    ledger = state.ledger()
    mutation = oa.change_limit(
        ledger,
        number,
        typed_amount(new_limit, "new limit", name="new_limit"),
        actor=state.actor,
        reason=reason,
        expected=None
        if expected is None
        else typed_amount(expected, "expected limit", name="expected"),
    )

    def said(show: Display, after: oa.AccountState, currency: str) -> str:
        before = after.limit - mutation.limit_delta
        return (
            f"set the limit of account {after.account.label} to "
            f"{show.money(after.limit, currency)} (was {show.money(before, currency)})"
        )

    _booked(state, ledger, mutation, said, as_json=as_json)


@cli.command(
    "correct-balance",
    short_help="Correct an account's balance, with the reason why.",
    cls=_SignedAmounts,
)
@click.argument("number")
@click.argument("amount")
@click.option("--reason", required=True, help=_REASON_HELP)
@json_option
@pass_state
def correct_balance_command(
    state: _State, number: str, amount: str, reason: str, as_json: bool
) -> None:
    """Add AMOUNT to account NUMBER's balance, booked as a mutation with its reason.

    A payment is positive (the account owes less), a charge negative. Amounts have
    a point or a comma before the cents: 25.75, -5,50 or 1.250,00.

    \b
    Examples:
      onaccount --role superuser correct-balance 1042 25.75 --reason 'paid cash'
      onaccount --role superuser correct-balance 1042 -5.50 --reason breakage
    """
    ledger = state.ledger()
    correction = typed_amount(amount, "balance correction", name="amount")
    mutation = oa.correct_balance(ledger, number, correction, actor=state.actor, reason=reason)

    def said(show: Display, after: oa.AccountState, currency: str) -> str:
        before = after.balance - mutation.balance_delta
        return (
            f"corrected the balance of account {after.account.label} by "
            f"{_signed(show, mutation.balance_delta, currency)} to "
            f"{show.money(after.balance, currency)} (was {show.money(before, currency)})"
        )

    _booked(state, ledger, mutation, said, as_json=as_json)


def _booked(
    state: _State,
    ledger: oa.Ledger,
    mutation: oa.Mutation,
    said: Callable[[Display, oa.AccountState, str], str],
    *,
    as_json: bool,
) -> None:
    """What ``mutation`` did, as ``said`` words it, and the spending room it leaves."""
    after = ledger.states([mutation.account])[mutation.account]
    if as_json:
        account = after.account
        _emit_json(
            state,
            {
                "mutation": _mutation_json(mutation),
                "account": {
                    "number": account.number,
                    "name": account.name,
                    "currency": account.currency,
                    "balance": after.balance,
                    "limit": after.limit,
                    "spending_room": after.spending_room,
                },
            },
        )
        return
    show, currency = state.show, after.account.currency
    line = (
        f"{said(show, after, currency)}; spending room {show.money(after.spending_room, currency)}"
    )
    state.say(line)

"""How the command line shows things: locale, literal user data, capped lists, JSON."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import babel
import babel.dates
import babel.numbers
import click
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

import onaccount as oa
import onaccount.exporting as oa_exporting
from onaccount._words import in_number, named, plural

if TYPE_CHECKING:
    from ._group import _State

__all__ = [
    "DEFAULT_LIMIT",
    "STRATEGY_EFFECTS",
    "Display",
    "amount_column",
    "capped",
    "change_text",
    "fields",
    "fits",
    "json_option",
    "limit_option",
    "listing",
    "literal",
    "more",
    "name_column",
    "plain",
    "records",
    "shell_lines",
    "undone_count",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Rows a table shows unless --rows says otherwise: a screenful with room for the totals.
DEFAULT_LIMIT = 20

#: What each built-in strategy does, in the words the help and the summary use.
STRATEGY_EFFECTS = {
    "none": "no correction; balance and limit stay as they are",
    "zero-balance": "clears the period's purchases from the balance",
    "limit-minus-invoiced": "clears the purchases and lowers the limit by as much",
}

#: Characters that reorder or hide text in a terminal: the bidi embeddings, overrides,
#: isolates and marks (Trojan Source), besides the control characters.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _shown_char(char: str) -> str:
    if char in "\t\n\r":
        return " "
    if char in _BIDI or unicodedata.category(char) in ("Cc", "Cs"):
        return ""
    return char


def plain(value: object) -> str:
    """``value`` as text a terminal shows as it is.

    Control, bidi and lone surrogate characters are dropped; tabs and line breaks become
    spaces, so a row stays one row.
    """
    text = str(value)
    if text.isprintable():
        return text
    return "".join(_shown_char(c) for c in text)


def literal(value: object) -> str:
    """``value`` for a Rich console: `plain`, with Rich markup escaped.

    A name such as ``[/]`` or ``[white on white]`` is then shown as typed.
    """
    return escape(plain(value))


def _places(currency: str) -> int:
    exponent = oa.minor_unit(currency).as_tuple().exponent
    assert isinstance(exponent, int)  # a minor unit is a finite Decimal
    return -exponent


@attrs.frozen
class Display:
    """Amounts, counts, dates and instants as the user's locale writes them.

    Amounts get their currency's minor unit (JPY none, KWD three places) and keep any
    further places they have (a unit price of 0.125); zero is never signed. With
    ``iso_dates``, for a locale nobody chose, dates and times are written as ISO 8601
    (``2026-10-03 21:40``), which no reader takes for another day.
    """

    locale: babel.Locale
    tz: ZoneInfo = attrs.field(factory=lambda: ZoneInfo("UTC"))
    iso_dates: bool = False

    def _pattern(self, pattern: babel.numbers.NumberPattern, currency: str) -> Any:
        pattern = copy.copy(pattern)
        places = _places(currency)
        pattern.frac_prec = (places, places)
        return pattern

    def money(self, amount: Decimal, currency: str) -> str:
        """``amount`` with the currency's symbol: ``€ 439.562,50`` in nl_NL."""
        pattern = self._pattern(self.locale.currency_formats["standard"], currency)
        return babel.numbers.format_currency(
            abs(amount) if amount == 0 else amount,
            currency,
            format=pattern,
            locale=self.locale,
            currency_digits=False,
            decimal_quantization=False,
        )

    def amount(self, amount: Decimal, currency: str) -> str:
        """``amount`` without a symbol, in the currency's places: ``-20,25`` in nl_NL."""
        pattern = self._pattern(self.locale.decimal_formats[None], currency)
        return babel.numbers.format_decimal(
            abs(amount) if amount == 0 else amount,
            format=pattern,
            locale=self.locale,
            decimal_quantization=False,
        )

    def decimal(self, value: Decimal) -> str:
        """``value`` with exactly the places it has: a mutation's ``-2,40``, ``0,125``."""
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        pattern = copy.copy(self.locale.decimal_formats[None])
        pattern.frac_prec = (places, places)
        return babel.numbers.format_decimal(
            abs(value) if value == 0 else value, format=pattern, locale=self.locale
        )

    def number(self, value: Decimal | int) -> str:
        """A count or a quantity: ``4.990``, ``1,5`` in nl_NL."""
        return babel.numbers.format_decimal(value, locale=self.locale, decimal_quantization=False)

    def count(self, n: int, noun: str) -> str:
        """``n`` and the noun, plural unless one: ``1 account``, ``4.990 accounts``."""
        return f"{self.number(n)} {plural(noun, n)}"

    def totals(self, totals: dict[str, Decimal]) -> str:
        """Amounts per currency, ``€ 12,00, ¥ 300``, or ``nothing``."""
        return ", ".join(self.money(v, c) for c, v in totals.items()) or "nothing"

    def date(self, date: dt.date) -> str:
        """A calendar or business date as the locale writes it briefly: ``03-10-2026``."""
        if self.iso_dates:
            return date.isoformat()
        return babel.dates.format_date(date, "short", locale=self.locale)

    def instant(self, at: dt.datetime) -> str:
        """An instant as wall time in the display's zone: ``03-10-2026 21:40``."""
        local = at.astimezone(self.tz).replace(tzinfo=None)
        if self.iso_dates:
            time = local.strftime("%H:%M")
        else:
            time = babel.dates.format_time(local, "short", locale=self.locale)
        return f"{self.date(local.date())} {time}"

    def with_tz(self, tz: ZoneInfo) -> Display:
        """The same locale, showing instants in ``tz``."""
        return attrs.evolve(self, tz=tz)


def _limit(ctx: click.Context, param: click.Parameter, value: str) -> int | None:
    if value.strip().lower() == "all":
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise click.BadParameter(
            f"{value!r} is not a number of rows (1 or more) or 'all'", ctx, param
        )
    return number


def limit_option(func: F) -> F:
    """Add ``--rows``: how many rows a table shows; the rest are counted.

    Not ``--limit``: beside accounts' limits, that reads as a filter on them.
    """
    return click.option(
        "--rows",
        "limit",
        metavar="N|all",
        default=str(DEFAULT_LIMIT),
        callback=_limit,
        show_default=True,
        help="Rows to show; 'all' shows every row (--json always has every row).",
    )(func)


def capped(rows: Sequence[T], limit: int | None) -> tuple[Sequence[T], int]:
    """The rows to show under ``limit`` (None: all), and how many are left out."""
    if limit is None or len(rows) <= limit:
        return rows, 0
    return rows[:limit], len(rows) - limit


def more(show: Display, hidden: int, what: str) -> str:
    """The line under a capped table: ``… and 4.990 more accounts; ...``."""
    return f"… and {show.number(hidden)} more {what}; show them with --rows all, or use --json"


def listing(
    show: Display, items: Iterable[object], limit: int = 10, *, markup: bool = True
) -> str:
    """``items`` joined with commas, the first ``limit`` of them, the rest counted.

    For a Rich console with ``markup``; as `plain` text, for `_State.say`, without.
    """
    items = list(items)
    shown = ", ".join((literal if markup else plain)(i) for i in items[:limit])
    if len(items) > limit:
        shown += f" … and {show.number(len(items) - limit)} more"
    return shown


def shell_lines(words: Sequence[str], width: int, indent: str = "  ") -> list[str]:
    """A shell command as lines of at most ``width`` columns, continued with `` \\``.

    Each of ``words`` stays whole (give an option with its value as one word), and the
    continuation lines are indented further, so the lines paste as one command.
    """
    lines: list[str] = []
    line = indent + words[0]
    for position, word in enumerate(words[1:], start=2):
        # A line that is continued needs room for " \\" at its end.
        room = width if position == len(words) else width - 2
        if len(line) + 1 + len(word) > room:
            lines.append(line + " \\")
            line = indent + "    " + word
        else:
            line += " " + word
    lines.append(line)
    return lines


#: How narrow a folding column (`name_column`) may get: a longer word folds over lines.
_FOLDED = 16


def fits(out: Console, table: Table) -> bool:
    """Whether ``table`` shows on ``out`` with every cell whole, so nothing is cut.

    A cell is whole on one line, or, in a column that folds (a `name_column`), across
    lines broken between its words or inside a word longer than `_FOLDED`. A table wider
    than that squeezes its columns and cuts cells to ``…``; a command then shows its
    rows another way, such as with `fields`.
    """
    unbounded = out.options.update_width(sys.maxsize)
    folding = [
        c for c in table.columns if c.overflow == "fold" and not c.no_wrap and c.max_width is None
    ]
    for column in folding:
        # Measured at its longest word, up to `_FOLDED`: a longer word folds over lines.
        longest = max(
            Measurement.get(out, unbounded, cell).minimum
            for cell in (column.header, *column.cells)
        )
        column.max_width = min(longest, _FOLDED)
    try:
        return Measurement.get(out, unbounded, table).maximum <= out.width
    finally:
        for column in folding:
            column.max_width = None


def words_whole(out: Console, table: Table, *, longest: int = 32) -> None:
    """Set the widths of ``table``'s columns so that it fits ``out`` with its words whole.

    Rich narrows a table too wide by shrinking its widest columns, folding long words
    mid-way; here no column gets narrower than its longest word (up to ``longest``
    characters: a longer word folds) and the widest one above that gives way first.
    """
    unbounded = out.options.update_width(sys.maxsize)
    natural: list[int] = []
    narrowest: list[int] = []
    for column in table.columns:
        sizes = [Measurement.get(out, unbounded, c) for c in (column.header, *column.cells)]
        natural.append(max(size.maximum for size in sizes))
        narrowest.append(min(max(size.minimum for size in sizes), longest))
    _, right, _, left = table.padding
    room = out.width - (len(natural) + 1) - (left + right) * len(natural)
    widths = list(natural)
    # Too narrow for every longest word, the widest columns fold theirs, as in Rich.
    for floor in (narrowest, [1] * len(widths)):
        while sum(widths) > room:
            wider = [k for k, width in enumerate(widths) if width > floor[k]]
            if not wider:
                break
            widths[max(wider, key=widths.__getitem__)] -= 1
    if widths != natural:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width


def fields() -> Table:
    """A grid of labels in bold and their values, which wrap and fold but are never cut."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def name_column(header: str = "name") -> Column:
    """A column of names, which wrap between words rather than widen the table."""
    return Column(header, overflow="fold")


def amount_column(header: str) -> Column:
    """A column of amounts, right-aligned and never broken."""
    return Column(header, justify="right", no_wrap=True)


def account_columns(several: bool) -> list[str | Column]:
    """The columns naming an account in a table; a currency column when ``several``."""
    return ["number", name_column(), "kind", name_column("group"), *(["currency"] * several)]


def account_cells(account: oa.Account, several: bool) -> list[str]:
    """``account``'s cells under `account_columns`."""
    return [
        literal(account.number),
        literal(account.name),
        account.kind.value,
        literal(account.group or ""),
        *([account.currency] * several),
    ]


def amounts_title(title: str, currencies: Collection[str]) -> str:
    """``title``, naming the one currency of a table's amounts: they need no symbol then."""
    return f"{title}, amounts in {next(iter(currencies))}" if len(currencies) == 1 else title


def records(
    out: Console,
    columns: Sequence[str | Column],
    rows: Iterable[Sequence[str]],
    *,
    title: str | None = None,
) -> None:
    """``rows`` under ``columns`` as a table when it `fits` ``out``, else each row as a block.

    A column given as a header alone never wraps; give a `Column`, such as a
    `name_column`, for one that may. A column without a value in any row is left out.
    A block is the row's first value after its header in bold, such as ``run 4b73…``
    written whole, and its other values beneath as `fields`, an empty one left out: at
    80 columns every value then shows whole, the ids that undo and export take above all.
    """
    rows = [list(row) for row in rows]
    # A column empty in every row, such as the groups of a club without any, is left out.
    shown = [i for i in range(len(columns)) if not rows or any(row[i] for row in rows)]
    columns = [columns[i] for i in shown]
    rows = [[row[i] for i in shown] for row in rows]
    table = Table(
        *(Column(c, no_wrap=True) if isinstance(c, str) else c for c in columns), title=title
    )
    for row in rows:
        table.add_row(*row)
    if fits(out, table):
        out.print(table)
        return
    if title is not None:
        out.print(f"[bold]{title}[/]", overflow="fold")
    head, *rest = (str(c.header) for c in table.columns)
    for position, (first, *values) in enumerate(rows):
        if position or title is not None:
            out.print()
        out.print(f"[bold]{head}[/] {first}", overflow="fold")
        grid = fields()
        for label, value in zip(rest, values, strict=True):
            if value:
                grid.add_row(label, value)
        out.print(Padding(grid, (0, 0, 0, 2), expand=False))


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


def _mutation_json(mutation: oa.Mutation) -> dict[str, Any]:
    return {
        "id": mutation.id,
        "account": mutation.account,
        "kind": mutation.kind.value,
        "balance_delta": mutation.balance_delta,
        "limit_delta": mutation.limit_delta,
        "actor": mutation.actor,
        "at": mutation.at,
        "reason": mutation.reason,
        "run": mutation.run_id,
    }


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
        "standing_totals": run.standing_totals,
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


def _business_warnings(show: Display, plan: oa.Plan) -> str:
    """The uninvoiced warnings as one sentence, the oldest sale by its business date."""
    warnings = plan.warnings
    count = sum(w.count for w in warnings)
    oldest = min(w.oldest for w in warnings)
    return (
        f"warning: {show.count(len(warnings), 'account')} "
        f"{in_number(len(warnings), 'has', 'have')} {show.count(count, 'purchase')} before "
        "this period that no run has invoiced, the oldest on business "
        f"day {show.date(plan.period.business_date(oldest))}: "
        f"{listing(show, (w.account for w in warnings))}; plan a run over an earlier "
        "period to bill them"
    )


def _effects(show: Display, plan: oa.Plan) -> list[str]:
    """What committing does to balances and limits, summed per currency."""
    balance: dict[str, Decimal] = {}
    limit: dict[str, Decimal] = {}
    for d in plan.drafts:
        c = d.statement.currency
        balance[c] = balance.get(c, Decimal(0)) + d.correction.balance_delta
        limit[c] = limit.get(c, Decimal(0)) + d.correction.limit_delta
    return [
        change_text(show, balance, "balances change", "balances unchanged"),
        change_text(show, limit, "limits change", "limits unchanged"),
    ]


def change_text(show: Display, deltas: dict[str, Decimal], moved: str, unchanged: str) -> str:
    """``balances change by +€ 35,30`` for ``deltas`` per currency, or ``unchanged``."""
    shown = {c: v for c, v in sorted(deltas.items()) if v != 0}
    if not shown:
        return unchanged
    return f"{moved} by {', '.join(_signed(show, v, c) for c, v in shown.items())}"


def _signed(show: Display, amount: Decimal, currency: str) -> str:
    """``amount`` with its sign always shown, where the locale puts a minus: ``€ +1,50``."""
    if amount < 0:
        return show.money(amount, currency)
    return show.money(-amount, currency).replace("-", "+", 1)


def _moves(
    show: Display, header: str, values: Sequence[tuple[Decimal, Decimal, str]]
) -> tuple[list[Column], list[list[str]]]:
    """Columns and cells for amounts ``(before, after, currency)``: ``header``, ``→ after``.

    ``→ after`` is left out when no row changes, as a strategy that leaves limits alone
    does: a copy of the column beside it would only take the width that amounts need.
    """
    cells = [[show.amount(before, c), show.amount(after, c)] for before, after, c in values]
    if any(before != after for before, after, _ in values):
        return [amount_column(header), amount_column("→ after")], cells
    return [amount_column(header)], [[before] for before, _ in cells]


def _invoice_table(
    state: _State,
    rows: Sequence[oa.AccountInvoiceDraft | oa.AccountInvoice],
    title: str,
    *,
    states: Sequence[str] | None = None,
) -> None:
    """Drafts or invoices as `records`: what each invoices, its balance and limit moves."""
    show = state.show
    balances, balance_cells = _moves(
        show, "balance", [(r.balance_before, r.balance_after, r.statement.currency) for r in rows]
    )
    limits, limit_cells = _moves(
        show, "limit", [(r.limit_before, r.limit_after, r.statement.currency) for r in rows]
    )
    shown_states = [[s] for s in states] if states is not None else [[] for _ in rows]
    records(
        state.out,
        [
            "account",
            name_column(),
            amount_column("invoiced"),
            *(["state"] if states is not None else []),
            *balances,
            *limits,
        ],
        [
            [
                literal(r.account.number),
                literal(r.account.name),
                show.money(r.total, r.statement.currency),
                *row_state,
                *balance,
                *limit_,
            ]
            for r, row_state, balance, limit_ in zip(
                rows, shown_states, balance_cells, limit_cells, strict=True
            )
        ],
        title=title,
    )


@attrs.frozen
class _Tense:
    """How a plan's screen names what it shows: before a commit, or once committed."""

    title: str
    to_invoice: str
    committing: str


_PREVIEW = _Tense("Preview", "to invoice", "committing")
_COMMITTED = _Tense("Invoiced", "invoiced", "committed")


def _print_plan(
    state: _State, plan: oa.Plan, limit: int | None = DEFAULT_LIMIT, *, committed: bool = False
) -> None:
    """The plan's accounts, refusals, warnings and totals; as invoiced once ``committed``."""
    tense = _COMMITTED if committed else _PREVIEW
    show = state.show
    rows, hidden = capped(plan.drafts, limit)
    if plan.drafts:
        _invoice_table(
            state, rows, f"{tense.title}: {plan.period.label} with {plan.strategy.name}"
        )
    if hidden:
        state.out.print(more(show, hidden, "accounts"))
    by_reason: dict[oa.RefusalReason, list[oa.Refusal]] = {}
    for refusal in plan.refusals:
        by_reason.setdefault(refusal.reason, []).append(refusal)
    for refusals in by_reason.values():
        if len(refusals) == 1:
            state.say(f"refused {refusals[0].account}: {refusals[0].message}")
        else:
            state.say(
                f"refused {_refused(show, refusals[0].reason, len(refusals))}: "
                f"{listing(show, (r.account for r in refusals), markup=False)}; the first: "
                f"{refusals[0].message}"
            )
    if plan.nothing_to_invoice:
        state.say(f"nothing to invoice: {listing(show, plan.nothing_to_invoice, markup=False)}")
    if plan.warnings:
        state.out.print(_business_warnings(show, plan))
    _warn_of_limits_below_zero(state, plan)
    if plan.bulk:
        _print_summary(state, plan, tense)
    else:
        state.out.print(f"total {tense.to_invoice}: {show.totals(plan.totals)}")


def _warn_of_limits_below_zero(state: _State, plan: oa.Plan, shown: int = 3) -> None:
    """Warn of accounts whose correction takes the limit below zero: billed past it."""
    show = state.show
    below = [d for d in plan.drafts if d.state.limit + d.correction.limit_delta < 0]
    for draft in below[:shown]:
        c = draft.statement.currency
        after = draft.state.limit + draft.correction.limit_delta
        state.say(
            f"warning: account {draft.state.account.label} is invoiced "
            f"{show.amount(draft.statement.total, c)}, more than its limit of "
            f"{show.amount(draft.state.limit, c)}, so its limit goes below zero, to "
            f"{show.amount(after, c)}: it can buy nothing until the limit is set again "
            "(onaccount set-limit)"
        )
    if len(below) > shown:
        rest = (d.state.account.number for d in below[shown:])
        state.say(
            f"warning: so do the limits of {show.count(len(below) - shown, 'more account')}: "
            f"{listing(show, rest, markup=False)}"
        )


#: The accounts refused for each reason, as a count words them: the noun, then the rest.
_REFUSED_AS = {
    oa.RefusalReason.CREDIT_ACCOUNT: ("credit account", ""),
    oa.RefusalReason.CREDIT_BOOKINGS_IN_PERIOD: ("account", " paid into in the period"),
    oa.RefusalReason.UNKNOWN_ACCOUNT: ("unknown account", ""),
    oa.RefusalReason.CURRENCY_MISMATCH: ("account", " in another currency"),
}


def _refused(show: Display, reason: oa.RefusalReason, n: int) -> str:
    """``30 credit accounts``: how many a plan refused for ``reason``."""
    noun, rest = _REFUSED_AS.get(reason, ("account", f" ({reason.value})"))
    return show.count(n, noun) + rest


def _print_summary(state: _State, plan: oa.Plan, tense: _Tense) -> None:
    show = state.show
    grid = fields()
    grid.add_row(tense.to_invoice, show.count(len(plan.drafts), "account"))
    refused = Counter(r.reason for r in plan.refusals)
    grid.add_row(
        "refused",
        ", ".join(_refused(show, reason, n) for reason, n in refused.items()) or "none",
    )
    grid.add_row("nothing to invoice", show.count(len(plan.nothing_to_invoice), "account"))
    if plan.warnings:
        grid.add_row("older uninvoiced", show.count(len(plan.warnings), "account"))
    effect = STRATEGY_EFFECTS.get(plan.strategy.name, plan.strategy.name)
    grid.add_row("strategy", f"{plan.strategy.name}: {effect}")
    # A line per effect: at 80 columns a long one would wrap inside an amount.
    grid.add_row(tense.committing, "\n".join(_effects(show, plan)))
    grid.add_row(f"total {tense.to_invoice}", show.totals(plan.totals))
    state.out.print(f"[bold]Summary of {literal(plan.period)}[/]")
    state.out.print(grid)


def undone_count(run: oa.InvoiceRun) -> int:
    """How many of ``run``'s account invoices were undone."""
    return sum(1 for i in run.invoices if i.state is oa.InvoiceState.UNDONE)


def _print_run(state: _State, run: oa.InvoiceRun, limit: int | None = DEFAULT_LIMIT) -> None:
    show = state.show
    rows, hidden = capped(run.invoices, limit)
    _invoice_table(
        state,
        rows,
        f"Run {literal(run.id)} ({run.period.label}, {run.strategy}, by {literal(run.actor)})",
        states=[i.state.value for i in rows],
    )
    if hidden:
        state.out.print(more(show, hidden, "account invoices"))
    undone = undone_count(run)
    # What the run still bills, as `onaccount runs` totals it: undone invoices left out.
    state.say(
        f"{show.count(len(run.invoices), 'account invoice')}, "
        + (f"{show.number(undone)} undone, " if undone else "")
        + f"total {show.totals(run.standing_totals)}"
    )


def _report_line(show: Display, report: oa_exporting.ExportReport, shown: int = 3) -> str:
    """One line on what an export wrote and refused, e.g. for ``ubl`` with defaults.

    ``ubl: 0 invoices written, 5,000 refused: missing billing.address (4,990), … — see
    refused.txt``, its counts as the locale writes them.
    """
    # A repeated export finds its files holding these bytes already and leaves them.
    again = bool(report.paths) and set(report.paths) <= set(report.unchanged)
    if report.written is None:
        parts = [f"{report.exporter}: {'as written before' if again else 'written'}"]
    else:
        # Units are plural nouns ("rows"); Display.count says one of them rightly.
        counted = show.count(report.written, report.unit.removesuffix("s"))
        parts = [f"{report.exporter}: {counted}{', as written before' if again else ' written'}"]
    line = ", ".join(parts)
    refused = report.refused_accounts()
    if refused:
        ranked = report.refusals_by_field(accounts=True)
        listed = ", ".join(f"{field} ({show.number(count)})" for field, count in ranked[:shown])
        more = ", …" if len(ranked) > shown else ""
        line += f", {show.number(len(refused))} refused"
        if not report.refusals_listed_in:
            # No file lists them (a plugin's one-file format): the accounts are named here.
            line += f" ({named('account', refused)})"
        line += f": missing or wrong {listed}{more}"
    # What the options lack stops every document: named in full, with how to give it.
    lacking = report.refused_options()
    if lacking:
        line += (
            f"; its options lack or cannot use {', '.join(lacking)}: give "
            f"{in_number(len(lacking), 'it', 'them')} with --option NAME=VALUE or in an "
            "--options-file"
        )
    if report.refusals and report.refusals_listed_in:
        line += f" — see {report.refusals_listed_in}"
    return line


class _ProgressBars:
    """Rich progress bars on stderr, one per exporter or file, counting what each did.

    Shown only on a terminal, and not when ``shown`` is false (``--json``).
    """

    def __init__(self, state: _State, *, shown: bool = True) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            console=state.err,
            transient=True,
            disable=not (shown and state.err.is_terminal),
        )

    def __enter__(self) -> _ProgressBars:
        self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()

    def task(self, name: str) -> oa_exporting.ExportProgress:
        """A progress callback for one exporter or one file read, shown as its own bar."""
        bar = self._bar
        task = bar.add_task(name, total=None, unit="")
        told: list[int] = []

        def tell(done: int, total: int, unit: str) -> None:
            # A bar of 80 columns shows no step under half a percent, and updating Rich
            # for every row of a large file costs more than a tenth of reading it.
            if told and 0 < done < total and done - told[-1] < total // 200:
                return
            told[:] = [done]
            bar.update(task, completed=done, total=total, unit=unit)

        return tell

"""How the command line shows things: money, runs and plans as tables, data as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import onaccount as oa
import onaccount.exporting as oa_exporting

from ._group import _State

__all__ = ["json_option"]

F = TypeVar("F", bound=Callable[..., Any])


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


def _money(amount: Decimal, currency: str = "") -> str:
    text = f"{amount:,.2f}" if amount == amount.quantize(Decimal("0.01")) else f"{amount:,}"
    return f"{text} {currency}".strip()


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


def _count(number: int, unit: str) -> str:
    # "1 invoices" reads wrong; units are plural nouns, drop the s for one.
    word = unit[:-1] if number == 1 and unit.endswith("s") else unit
    return f"{number:,} {word}"


def _report_line(report: oa_exporting.ExportReport, shown: int = 3) -> str:
    """One line on what an export wrote and refused, e.g. for ``ubl`` with defaults.

    ``ubl: 0 invoices written, 5,000 refused: missing billing.address (4,990), … — see
    refused.txt``
    """
    if report.written is None:
        parts = [f"{report.exporter}: written"]
    else:
        parts = [f"{report.exporter}: {_count(report.written, report.unit)} written"]
    refused = report.refused_accounts()
    if report.refusals:
        fields = report.refusals_by_field()
        listed = ", ".join(f"{field} ({count:,})" for field, count in fields[:shown])
        more = ", …" if len(fields) > shown else ""
        what = f"{len(refused):,} refused" if refused else "refused"
        parts.append(f"{what}: missing or wrong {listed}{more}")
    line = ", ".join(parts)
    if report.refusals and report.refusals_listed_in:
        line += f" — see {report.refusals_listed_in}"
    return line


class _ExportProgress:
    """A Rich progress bar on stderr with one task per exporter, counting what it did."""

    def __init__(self, state: _State) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            console=state.err,
            transient=True,
            disable=not state.err.is_terminal,
        )

    def __enter__(self) -> _ExportProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()

    def task(self, name: str) -> oa_exporting.ExportProgress:
        """A progress callback for one exporter (or an import), shown as its own bar."""
        bar = self._bar
        task = bar.add_task(name, total=None, unit="")

        def tell(done: int, total: int, unit: str) -> None:
            bar.update(task, completed=done, total=total, unit=unit)

        return tell

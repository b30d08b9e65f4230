"""Invoicing: preview and commit runs, undo an account's invoice, export runs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.table import Table

import onaccount as oa
from onaccount._runs import require_for_selection, require_undo
from onaccount.exporting import Exporter, ExportReport, export_files, load_exporters

from ._group import EXIT_REFUSED, _period, _State, cli, pass_state, period_options
from ._rendering import (
    _emit_json,
    _ExportProgress,
    _money,
    _plan_json,
    _print_plan,
    _report_line,
    _run_json,
    json_option,
)

__all__ = ["export_command", "exporters_command", "invoice_command", "undo_command"]

out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("exports"),
    show_default=True,
    help="Directory the export files are written to.",
)


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
@click.option("--option", "pairs", multiple=True, help="NAME=VALUE for the exporters.")
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
    pairs: tuple[str, ...],
    out: Path,
    as_json: bool,
) -> None:
    """Preview a run over a period (or commit it with --commit) and export it."""
    selection = _selection(accounts, all_accounts, balance)
    period = _period(period_text, tz, day_starts_at)
    # An unknown exporter is refused now, not after the run is committed.
    exporters = _exporters(formats)
    options = _parse_options(pairs) or None
    # Before the database is opened: an actor who may not is told so, not that it is missing.
    require_for_selection(state.actor, selection, "plan")
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
    reports = _export(state, run or plan, exporters, out, options) if exporters else []
    written = [path for report in reports for path in report.paths]
    if as_json:
        data = _plan_json(plan)
        if commit:
            data["run"] = None if run is None else _run_json(run)
            data["run_written"] = written_now
        data["exports"] = [str(p) for p in written]
        data["export_reports"] = [_report_json(report) for report in reports]
        _emit_json(state, data)
    else:
        _print_plan(state, plan)
        if run is not None and written_now:
            state.out.print(f"committed run {run.id}" + (f" (key {run.key})" if run.key else ""))
        elif run is not None:
            state.out.print(
                f"key {key}: already committed as run {run.id} on "
                f"{run.created_at.date().isoformat()}; nothing booked"
            )
        elif empty is not None:
            state.out.print(f"nothing to commit: {empty.message}")
        elif plan.drafts:
            state.out.print("preview only: add --commit to commit this run")
        _print_reports(state, reports)
    if plan.refusals and not plan.drafts and run is None:
        click.get_current_context().exit(EXIT_REFUSED)
    _exit_if_nothing_written(reports)


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
    state: _State,
    source: oa.Plan | oa.InvoiceRun,
    exporters: Iterable[Exporter[Any]],
    out: Path,
    options: dict[str, object] | None = None,
) -> list[ExportReport]:
    reports: list[ExportReport] = []
    with _ExportProgress(state) as progress:
        for exporter in exporters:
            tell = progress.task(exporter.identifier)
            reports.append(
                export_files(exporter, source, out, options, overwrite=True, progress=tell)
            )
    return reports


def _print_reports(state: _State, reports: Iterable[ExportReport]) -> None:
    for report in reports:
        state.out.print(_report_line(report), markup=False, highlight=False, soft_wrap=True)
        for path in report.paths:
            state.out.print(f"wrote {path}", markup=False, highlight=False, soft_wrap=True)


def _report_json(report: ExportReport) -> dict[str, object]:
    return {
        "exporter": report.exporter,
        "unit": report.unit,
        "written": report.written,
        "refused": list(report.refused_accounts()),
        "refused_fields": dict(report.refusals_by_field()),
        "paths": [str(p) for p in report.paths],
    }


def _exit_if_nothing_written(reports: Iterable[ExportReport]) -> None:
    """An export that wrote nothing of what it was asked for fails the command."""
    if any(report.nothing_written for report in reports):
        click.get_current_context().exit(EXIT_REFUSED)


@cli.command("undo")
@click.argument("run_id", metavar="RUN")
@click.option("--account", required=True, help="The account whose invoice is undone.")
@click.option("--reason", required=True, help="Why; kept in the audit trail.")
@pass_state
def undo_command(state: _State, run_id: str, account: str, reason: str) -> None:
    """Undo ACCOUNT's part of RUN: reverse its correction, free its purchases."""
    require_undo(state.actor)  # before the database is opened, as for invoice
    invoice = oa.undo_invoice(state.ledger(), run_id, account, actor=state.actor, reason=reason)
    delta = invoice.undo_mutation
    booked = (
        "no correction to reverse"
        if delta is None
        else f"balance {_money(delta.balance_delta)}, limit {_money(delta.limit_delta)}"
    )
    click.echo(f"undid the invoice of {invoice.account.label} in run {run_id}: {booked}")
    if invoice.over_limit is not None:
        click.echo(f"warning: {invoice.over_limit.message}")


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
    reports = _export(state, run, exporters, out, _parse_options(pairs) or None)
    _print_reports(state, reports)
    _exit_if_nothing_written(reports)


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

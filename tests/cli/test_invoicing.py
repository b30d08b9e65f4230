"""Invoice runs from the command line: preview, commit, export, the audit trail and undo."""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import termios
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import babel
import lxml.etree
import openpyxl
import pytest
from rich.console import Console

import onaccount as oa
from onaccount.cli import EXIT_COMMITTED_EXPORT_EMPTY, EXIT_INTERNAL, EXIT_REFUSED, EXIT_USAGE
from onaccount.cli._group import _State
from onaccount.cli._rendering import Display, _print_run
from onaccount.testing._registry import write_distribution
from onaccount_exporters import UblOptions
from onaccount_exporters._target2 import add_business_days
from tests.cli._support import (
    ADMIN,
    BALANCES,
    COMMANDS,
    OCTOBER,
    OCTOBER_TOTAL,
    TZ,
    ZONE,
    explain,
    invoke,
    json_of,
    local,
    open_ledger,
    state_of,
    succeeded,
    write,
)
from tests.cli.conftest import VARIABLES

OCTOBER_ALL = ("invoice", "--period", "2026-10", "--all")


def commit_october(db: Path, *more: str, strategy: str = "zero-balance") -> dict[str, Any]:
    """Commit a run over every account for October 2026 and return its JSON."""
    data = json_of(invoke(db, *OCTOBER_ALL, "--strategy", strategy, "--commit", *more, "--json"))
    assert isinstance(data, dict)
    return data


def balances(db: Path) -> dict[str, tuple[Decimal, Decimal]]:
    """Balance and limit of every account of the small ledger."""
    with open_ledger(db) as ledger:
        return {n: (s.balance, s.limit) for n, s in ledger.states(BALANCES).items()}


def test_preview_shows_the_plan_and_writes_nothing(small_db: Path) -> None:
    """A preview (no --commit) gives the library's plan and leaves the ledger unchanged."""
    before = state_of(small_db)
    data = json_of(invoke(small_db, *OCTOBER_ALL, "--strategy", "zero-balance", "--json"))
    assert state_of(small_db) == before
    with open_ledger(small_db) as ledger:
        period = oa.Period.parse("2026-10", tz=TZ)
        plan = oa.plan_run(ledger, period, oa.AccountQuery(), "zero-balance", actor=ADMIN)
    assert data["period"] == "2026-10"
    assert data["strategy"] == "zero-balance"
    assert (
        data["totals"]
        == {"EUR": str(OCTOBER_TOTAL)}
        == {c: str(v) for c, v in plan.totals.items()}
    )
    assert {d["account"]: Decimal(d["total"]) for d in data["drafts"]} == OCTOBER
    for row, draft in zip(data["drafts"], plan.drafts, strict=True):
        assert row["account"] == draft.account.number
        assert Decimal(row["balance_before"]) == draft.balance_before
        assert Decimal(row["balance_after"]) == draft.balance_after
        assert Decimal(row["limit_after"]) == draft.limit_after
    assert data["drafts"][0]["balance_after"] == "-2.40"
    assert [(r["account"], r["reason"]) for r in data["refusals"]] == [("900", "credit-account")]
    assert data["nothing_to_invoice"] == []
    assert "run" not in data
    assert data["exports"] == []


def test_preview_table_says_how_to_commit_and_warns_of_older_purchases(small_db: Path) -> None:
    """The preview table lists drafts and refusals, warns of uninvoiced October, hints --commit."""
    args = ("invoice", "--period", "2026-11", "--all", "--strategy", "zero-balance")
    output = succeeded(invoke(small_db, *args)).stdout
    assert "Preview: 2026-11 with zero-balance" in output
    assert "Anna Jansen" in output
    assert "warning: " in output
    summary = output[output.index("Summary of 2026-11") :]
    assert re.search(r"to invoice +1 account *\n", summary)
    assert re.search(r"total to invoice +€2\.40", summary)
    assert "preview only: add --commit to commit this run" in output


def test_a_committed_run_is_shown_as_invoiced_not_as_a_preview(small_db: Path) -> None:
    """After --commit the table and summary say what was invoiced, never 'Preview'."""
    args = ("invoice", "--period", "2026-10", "--all", "--strategy", "zero-balance", "--commit")
    output = succeeded(invoke(small_db, *args)).stdout
    assert output.startswith("committed run ")
    assert "Preview" not in output
    assert not re.search(r"^(total )?to invoice", output, re.MULTILINE)
    assert "Invoiced: 2026-10 with zero-balance" in output
    summary = output[output.index("Summary of 2026-10") :]
    assert re.search(r"invoiced +3 accounts", summary)
    assert re.search(r"committed +balances change by \+€74\.85", summary)
    assert re.search(r"total invoiced +€74\.85", summary)
    assert "preview only" not in output


def test_a_run_without_a_key_is_told_how_its_invoices_are_numbered(small_db: Path) -> None:
    """Before and after committing without --key: a free key to give, and what numbers mean."""
    args = ("invoice", "--period", "2026-10", "--account", "100", "--strategy", "none")
    preview = succeeded(invoke(small_db, *args)).stdout
    assert preview.splitlines()[-1] == (
        "preview only: add --commit to commit this run, with a --key such as 2026-10 to "
        "number its invoices 2026-10-100 and so on (without one, by the run's id)"
    )
    keyed = succeeded(invoke(small_db, *args, "--key", "oktober")).stdout
    assert keyed.splitlines()[-1] == "preview only: add --commit to commit this run"
    done = succeeded(invoke(small_db, *args, "--commit"))
    run_id = done.stdout.split()[2]
    assert done.stderr.splitlines()[-1] == (
        f"note: committed without --key, so its invoices are numbered by the run's id "
        f"({run_id}-100 and so on); give a --key such as 2026-10 to number a run's "
        "invoices 2026-10-100"
    )
    succeeded(invoke(small_db, *args, "--commit", "--key", "2026-10", "--account", "200"))
    again = ("invoice", "--period", "2026-10", "--account", "300", "--strategy", "none")
    assert "--key such as 2026-10-2 " in succeeded(invoke(small_db, *again)).stdout


def test_commit_books_the_run_the_library_reports(small_db: Path) -> None:
    """--commit --json prints the run as stored, and balances move as zero-balance says."""
    data = commit_october(small_db)
    run_json = data["run"]
    with open_ledger(small_db) as ledger:
        run = ledger.run(run_json["id"])
        assert [r.id for r in ledger.runs()] == [run.id]
        mutations = ledger.mutations(run_id=run.id)
    assert run_json["actor"] == run.actor == "tester"
    assert run_json["strategy"] == "zero-balance"
    assert run_json["key"] is None
    assert run_json["totals"] == {"EUR": str(OCTOBER_TOTAL)}
    assert {i["account"]: Decimal(i["total"]) for i in run_json["invoices"]} == OCTOBER
    assert all(i["state"] == "active" for i in run_json["invoices"])
    assert {m.account: m.balance_delta for m in mutations} == OCTOBER
    after = balances(small_db)
    assert after["100"] == (Decimal("-2.40"), Decimal("200.00"))
    assert after["200"][0] == after["300"][0] == Decimal("0.00")
    assert after["900"][0] == BALANCES["900"]
    for invoice in run_json["invoices"]:
        assert Decimal(invoice["balance_after"]) == after[invoice["account"]][0]


def test_limit_minus_invoiced_lowers_the_limit_and_keeps_the_room(small_db: Path) -> None:
    """With limit-minus-invoiced the balance rises by T, the limit falls by T, room stays."""
    before = balances(small_db)
    data = commit_october(small_db, strategy="limit-minus-invoiced")
    after = balances(small_db)
    for number, total in OCTOBER.items():
        assert after[number] == (before[number][0] + total, before[number][1] - total)
    anna = next(i for i in data["run"]["invoices"] if i["account"] == "100")
    assert (anna["limit_before"], anna["limit_after"]) == ("200.00", "182.15")


def test_commit_with_a_key_books_once(small_db: Path) -> None:
    """Committing twice with one --key shows the first run and books nothing again."""
    first = commit_october(small_db, "--key", "oct-2026")
    assert first["run"]["key"] == "oct-2026"
    booked = state_of(small_db)
    second = commit_october(small_db, "--key", "oct-2026")
    assert second["run"]["id"] == first["run"]["id"]
    assert second["run"]["totals"] == first["run"]["totals"]
    assert second["drafts"] == []
    assert state_of(small_db) == booked
    assert (first["run_written"], second["run_written"]) == (True, False)
    again = invoke(
        small_db, *OCTOBER_ALL, "--strategy", "zero-balance", "--commit", "--key", "oct-2026"
    )
    said = succeeded(again).stdout
    assert "committed run" not in said
    # When, in the run's zone (ISO, as no locale is set here), not a UTC date.
    created = dt.datetime.fromisoformat(first["run"]["created_at"]).astimezone(ZONE)
    said = " ".join(said.split())
    assert f"key oct-2026: already committed as run {first['run']['id']} on " in said
    assert f" on {created:%Y-%m-%d %H:%M}; nothing booked" in said
    # What the run invoiced is shown, not the empty plan made now.
    assert "invoiced 0 accounts" not in said
    assert f"Run {first['run']['id']}" in said
    assert "3 account invoices, total €74.85" in said
    assert state_of(small_db) == booked


def test_a_limit_lowered_below_zero_is_warned_of(small_db: Path) -> None:
    """limit-minus-invoiced over more than the limit warns that the limit goes below zero."""
    _round(small_db, "150.00", local(2026, 10, 20, 22, 0))
    args = ("invoice", "--period", "2026-10", "--account", "300")
    preview = " ".join(
        succeeded(invoke(small_db, *args, "--strategy", "limit-minus-invoiced")).stdout.split()
    )
    assert (
        "warning: account 300 'Chloé Dubois' is invoiced 152.80, more than its limit of "
        "100.00, so its limit goes below zero, to -52.80: it can buy nothing until the limit "
        "is set again (onaccount set-limit)"
    ) in preview, preview
    quiet = succeeded(invoke(small_db, *args, "--strategy", "zero-balance")).stdout
    assert "below zero" not in quiet


def test_undo_warns_when_the_limit_was_set_by_hand_after_the_run(small_db: Path) -> None:
    """Undoing a limit-minus-invoiced run after set-limit says the undo raised the new limit."""
    commit_october(small_db, "--key", "okt", strategy="limit-minus-invoiced")
    succeeded(invoke(small_db, "set-limit", "200", "1500", "--reason", "nieuw seizoen"))
    result = succeeded(invoke(small_db, "undo", "okt", "--account", "200", "--reason", "x"))
    said = " ".join(result.stdout.split())
    assert (
        "warning: the limit of account 200 'Team Heren 1' was set by hand after this run; "
        "the undo raised it by 54.20 from there, to 1,554.20: set it again if that is not meant"
    ) in said, said
    quiet = commit_october(small_db, "--key", "nov", strategy="zero-balance")
    assert quiet["run"] is not None
    other = succeeded(invoke(small_db, "undo", "nov", "--account", "200", "--reason", "x"))
    assert "set by hand" not in other.stdout


def test_a_run_shown_after_an_undo_totals_what_it_still_bills(small_db: Path) -> None:
    """A run with an undone invoice is totalled without it, as onaccount runs totals it."""
    run_id = commit_october(small_db)["run"]["id"]
    with open_ledger(small_db) as ledger:
        undone = oa.undo_invoice(ledger, run_id, "100", actor=ADMIN, reason="dubbel")
        run = ledger.run(run_id)
    state = _State(str(small_db), "tester", "superuser", False, Display(babel.Locale("en")))
    state.out = Console(file=io.StringIO(), width=200, color_system=None)
    _print_run(state, run)
    said = " ".join(state.out.file.getvalue().split())
    standing = Decimal("74.85") - undone.total
    assert f"3 account invoices, 1 undone, total €{standing}" in said, said


def test_a_retried_run_shows_each_balance_and_limit_it_changed(small_db: Path) -> None:
    """A retried limit-minus-invoiced commit shows its balances and limits, before and after."""
    args = (*OCTOBER_ALL, "--strategy", "limit-minus-invoiced", "--commit", "--key", "oct")
    assert succeeded(invoke(small_db, *args)).stdout.startswith("committed run ")
    again = succeeded(invoke(small_db, *args)).stdout
    assert "already committed" in again
    header = next(line for line in again.splitlines() if "invoiced" in line and "┃" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "account", "name", "invoiced", "state", "balance", "→ after", "limit", "→ after"
    ]  # fmt: skip


def test_a_key_used_for_another_period_is_refused_and_nothing_committed(small_db: Path) -> None:
    """November under October's key exits 3 naming the run, and never says "committed"."""
    october = commit_october(small_db, "--key", "oct")["run"]
    booked = state_of(small_db)
    result = invoke(
        small_db,
        "invoice", "--period", "2026-11", "--all", "--strategy", "limit-minus-invoiced",
        "--commit", "--key", "oct",
    )  # fmt: skip
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert "committed" not in result.stdout
    assert f"key 'oct' is in use by run {october['id']}" in result.stderr
    assert "period 2026-11" in result.stderr
    assert state_of(small_db) == booked


@pytest.mark.parametrize(
    "args",
    [
        ("invoice", "--period", "2026-10", "--all", "--strategy", "none", "--commit"),
        ("invoice", "--period", "2026-10", "--account", "100", "--strategy", "none"),
        ("undo", "some-run", "--account", "100", "--reason", "mistake"),
    ],
    ids=["bulk-commit", "single-plan", "undo"],
)
def test_a_viewer_is_told_it_may_not_before_the_database_is_opened(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Permission comes first: on a database that does not exist, a viewer hears "may not"."""
    missing = tmp_path / "missing.sqlite"
    result = invoke(missing, *args, role="viewer")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert "actor 'tester' may not" in result.stderr
    assert "does not exist" not in result.stderr
    assert not missing.exists()


def _round(db: Path, price: str, at: dt.datetime) -> None:
    """A round of drinks for ``price`` on account 300 at ``at``, past its limit if need be."""
    with open_ledger(db) as ledger:
        ledger.record(
            oa.Purchase(
                id="feest",
                account="300",
                at=at,
                lines=[oa.Line(product="Rondje", quantity=1, unit_price=price,
                               vat=oa.Vat.standard("0.21"))],
            ),
            allow_over_limit=True,
        )  # fmt: skip


def test_undo_warns_when_the_account_is_over_its_limit_again(small_db: Path) -> None:
    """Undoing a cleared invoice after new spending says the spending room is below zero."""
    run = commit_october(small_db)["run"]
    _round(small_db, "99.00", local(2026, 11, 20, 22, 0))
    result = succeeded(
        invoke(small_db, "undo", run["id"], "--account", "300", "--reason", "dubbel")
    )
    assert "warning: account 300 'Chloé Dubois' is over its limit again" in result.stdout
    assert "spending room -1.80" in result.stdout


def test_the_undo_warning_writes_amounts_as_the_locale_does(small_db: Path) -> None:
    """In nl_NL the spending room, balance and limit of the warning have decimal commas."""
    run = commit_october(small_db)["run"]
    _round(small_db, "1099.00", local(2026, 11, 20, 22, 0))
    result = succeeded(
        invoke(small_db, "--locale", "nl_NL", "undo", run["id"], "--account", "300",
               "--reason", "dubbel")
    )  # fmt: skip
    said = " ".join(result.stdout.split())
    assert "spending room -1.001,80 (balance -1.101,80, limit 100,00)" in said, said


def test_a_period_that_has_not_ended_is_committed_only_when_asked(small_db: Path) -> None:
    """Committing this month is refused (exit 2) unless --allow-open-period; a preview warns."""
    now = dt.datetime.now(ZONE)
    month = now.strftime("%Y-%m")
    _round(small_db, "3.10", now - dt.timedelta(minutes=1))
    before = state_of(small_db)
    args = ("invoice", "--period", month, "--account", "300", "--strategy", "zero-balance")
    refused = invoke(small_db, *args, "--commit")
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert f"period {month} has not ended" in refused.stderr
    assert "purchases booked after now would not be on these invoices" in refused.stderr
    assert "--allow-open-period" in refused.stderr
    assert state_of(small_db) == before
    preview = succeeded(invoke(small_db, *args))
    assert f"warning: period {month} has not ended" in preview.stderr
    assert "(committing it needs --allow-open-period)" in preview.stderr
    allowed = succeeded(invoke(small_db, *args, "--allow-open-period"))
    assert f"warning: period {month} has not ended" in allowed.stderr
    assert "needs --allow-open-period" not in allowed.stderr
    committed = succeeded(invoke(small_db, *args, "--commit", "--allow-open-period", "--json"))
    assert json.loads(committed.stdout)["run"]["invoices"][0]["total"] == "3.10"


def test_a_preview_with_nothing_to_invoice_writes_no_empty_export(
    small_db: Path, tmp_path: Path
) -> None:
    """--export over a period without sales writes no file of headers, and says so."""
    out = tmp_path / "out"
    args = ("invoice", "--period", "2026-08", "--all", "--strategy", "none")
    result = invoke(small_db, *args, "--export", "csv", "--out", str(out))
    assert result.exit_code == 0, explain(result)
    assert "nothing exported: the plan invoices no account" in result.stdout
    assert not out.exists() or not any(out.iterdir())


def test_a_period_with_nothing_to_invoice_is_no_refusal(small_db: Path) -> None:
    """--all over a period without sales exits 0, though the credit account is refused."""
    args = ("invoice", "--period", "2026-08", "--all", "--strategy", "zero-balance")
    preview = invoke(small_db, *args)
    assert preview.exit_code == 0, explain(preview)
    assert "refused" in preview.stdout
    assert "nothing to invoice" in preview.stdout
    data = json_of(invoke(small_db, *args, "--json"))
    assert data["drafts"] == []
    assert data["refusals"]
    assert data["nothing_to_invoice"]


def test_piped_output_has_no_trailing_spaces(small_db: Path) -> None:
    """Tables read by a program end each line at its last character, not padded to width."""
    output = succeeded(invoke(small_db, *OCTOBER_ALL, "--strategy", "none"))
    lines = output.stdout.splitlines()
    assert any(line.startswith("strategy") for line in lines)
    assert [line for line in lines if line != line.rstrip()] == []


def test_commit_without_anything_to_invoice_writes_no_run(small_db: Path) -> None:
    """A commit where every account is refused exits 3 and leaves no empty run behind."""
    before = state_of(small_db)
    args = ("invoice", "--period", "2026-10", "--account", "900", "--strategy", "none")
    result = invoke(small_db, *args, "--commit", "--json")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["run"] is None
    assert data["refusals"][0]["message"].endswith("only limit accounts can be invoiced")
    assert state_of(small_db) == before
    text = invoke(small_db, *args, "--commit")
    assert text.exit_code == EXIT_REFUSED
    said = text.stdout.splitlines()
    # Each refusal is said once, above the summary; the last line only says what happened.
    assert sum("only limit accounts can be invoiced" in line for line in said) == 1
    assert said[-1] == (
        "nothing to commit: the plan over 2026-10 invoices no account, so no run was "
        "committed and no key used (the refusals are listed above)"
    )
    assert state_of(small_db) == before


def test_commit_exports_csv_and_xlsx_into_out(small_db: Path, tmp_path: Path) -> None:
    """--export csv --export xlsx write both files into --out, and both sum to the run."""
    out = tmp_path / "out"
    data = commit_october(small_db, "--export", "csv", "--export", "xlsx", "--out", str(out))
    key = data["run"]["id"]
    assert data["exports"] == [
        str(out / f"run-2026-10-{key}-lines.csv"),
        str(out / f"run-2026-10-{key}.xlsx"),
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        f"run-2026-10-{key}-lines.csv",
        f"run-2026-10-{key}.xlsx",
    ]
    # The default CSV is for Excel in Dutch: a byte-order mark, ';' and decimal commas.
    raw = (out / f"run-2026-10-{key}-lines.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # Its header is in Dutch, as the rest of the defaults.
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert sum(Decimal(r["Bedrag"].replace(",", ".")) for r in rows) == OCTOBER_TOTAL
    assert {r["Transactie"] for r in rows} == {"p1", "p2", "p3", "p4"}
    workbook = openpyxl.load_workbook(out / f"run-2026-10-{key}.xlsx", read_only=True)
    try:
        summary = list(workbook["Overzicht"].iter_rows(values_only=True))
    finally:
        workbook.close()
    total = summary[0].index("Totaal")
    blank = next(i for i, row in enumerate(summary) if not row or row[0] is None)
    accounts = summary[1:blank]
    assert sum(Decimal(str(row[total])) for row in accounts) == OCTOBER_TOTAL
    # The totals row under the accounts says the same.
    assert Decimal(str(summary[-1][total])) == OCTOBER_TOTAL


def test_preview_exports_the_plan_without_committing(small_db: Path, tmp_path: Path) -> None:
    """--export without --commit writes the plan's file and books nothing."""
    before = state_of(small_db)
    out = tmp_path / "plan"
    args = (*OCTOBER_ALL, "--strategy", "none", "--export", "csv", "--out", str(out))
    output = succeeded(invoke(small_db, *args)).stdout
    assert f"wrote {out / 'plan-2026-10-lines.csv'}" in output
    assert (out / "plan-2026-10-lines.csv").exists()
    assert state_of(small_db) == before


def test_an_unknown_exporter_is_refused_before_the_commit(small_db: Path, tmp_path: Path) -> None:
    """--export with an exporter that is not installed exits 2 and commits nothing."""
    before = state_of(small_db)
    args = (*OCTOBER_ALL, "--strategy", "none", "--commit", "--export", "pdf")
    result = invoke(small_db, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "exporter 'pdf' is not registered" in result.stderr
    assert state_of(small_db) == before
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "selection",
    [(), ("--all", "--account", "100"), ("--all", "--balance", "<0")],
    ids=["none", "all-and-account", "all-and-balance"],
)
def test_invoice_needs_exactly_one_way_to_choose_accounts(
    small_db: Path, selection: tuple[str, ...]
) -> None:
    """Without one of --account, --all or --balance, or with two, invoice is a usage error."""
    args = ("invoice", "--period", "2026-10", "--strategy", "none", *selection)
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "exactly one of --account, --all, --balance" in result.stderr


def test_invoice_by_balance_selects_the_accounts_that_owe(small_db: Path) -> None:
    """--balance '<-10' invoices only the accounts whose balance is below -10."""
    args = ("invoice", "--period", "2026-10", "--balance", "<-10", "--strategy", "none")
    data = json_of(invoke(small_db, *args, "--json"))
    assert [d["account"] for d in data["drafts"]] == ["100", "200"]


def test_a_clerk_cannot_commit_a_bulk_run(small_db: Path) -> None:
    """A clerk's bulk commit exits 3 with one stderr line naming actor and capability."""
    before = state_of(small_db)
    args = (*OCTOBER_ALL, "--strategy", "zero-balance", "--commit")
    result = invoke(small_db, *args, role="clerk", actor="kassa-3")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert result.stderr.splitlines() == [
        "error: actor 'kassa-3' may not plan a run over more than one account: it lacks the "
        "'bulk-invoice' capability (it holds: invoice, view); pass --role superuser if you may"
    ]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert state_of(small_db) == before
    two = invoke(
        small_db, "invoice", "--period", "2026-10", "--account", "100", "--account", "200",
        "--strategy", "zero-balance", "--commit", role="clerk",
    )  # fmt: skip
    assert two.exit_code == EXIT_REFUSED, explain(two)
    assert "'bulk-invoice' capability" in two.stderr
    assert state_of(small_db) == before


def test_debug_shows_the_traceback_of_a_refusal(small_db: Path) -> None:
    """With --debug the refused bulk commit prints the traceback before the error line."""
    args = ("--debug", *OCTOBER_ALL, "--strategy", "zero-balance", "--commit")
    result = invoke(small_db, *args, role="clerk", actor="kassa-3")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "onaccount.PermissionDenied: actor 'kassa-3'" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: actor 'kassa-3' may not plan")


def test_a_clerk_invoices_one_account(small_db: Path) -> None:
    """A clerk may commit a run over a single account."""
    args = ("invoice", "--period", "2026-10", "--account", "300", "--strategy", "zero-balance")
    data = json_of(invoke(small_db, *args, "--commit", "--json", role="clerk", actor="kassa-3"))
    assert data["run"]["actor"] == "kassa-3"
    assert data["run"]["totals"] == {"EUR": "2.80"}
    assert balances(small_db)["300"][0] == Decimal("0.00")


def test_a_viewer_cannot_even_preview(small_db: Path) -> None:
    """A viewer's preview of one account exits 3 naming the invoice capability."""
    args = ("invoice", "--period", "2026-10", "--account", "100", "--strategy", "none")
    result = invoke(small_db, *args, role="viewer")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert "actor 'tester'" in result.stderr
    assert "'invoice' capability" in result.stderr


def test_runs_lists_committed_runs_with_their_invoice_states(small_db: Path) -> None:
    """The runs command lists runs oldest first as stored, undone invoices marked so."""
    october = commit_october(small_db, "--key", "oct")["run"]
    november = json_of(
        invoke(
            small_db, "invoice", "--period", "2026-11", "--account", "100",
            "--strategy", "none", "--commit", "--json",
        )
    )["run"]  # fmt: skip
    succeeded(invoke(small_db, "undo", october["id"], "--account", "200", "--reason", "dubbel"))
    runs = json_of(invoke(small_db, "runs", "--json", role="viewer"))
    assert [r["id"] for r in runs] == [october["id"], november["id"]]
    assert [r["key"] for r in runs] == ["oct", None]
    assert [r["period"] for r in runs] == ["2026-10", "2026-11"]
    assert {i["account"]: i["state"] for i in runs[0]["invoices"]} == {
        "100": "active",
        "200": "undone",
        "300": "active",
    }
    with open_ledger(small_db) as ledger:
        stored = ledger.runs()
    assert [r["totals"] for r in runs] == [
        {c: str(v) for c, v in r.totals.items()} for r in stored
    ]
    # What still stands: 200's invoice was undone, so its amount is billed no more.
    standing = sum(Decimal(i["total"]) for i in october["invoices"] if i["account"] != "200")
    assert standing < Decimal("74.85")
    assert runs[0]["standing_totals"] == {"EUR": str(standing)}
    assert runs[1]["standing_totals"] == runs[1]["totals"]
    table = succeeded(invoke(small_db, "runs", role="viewer")).stdout
    assert october["id"] in table
    assert f"€{standing}" in table
    assert "€74.85" not in table
    assert "€2.40" in table
    assert table.rstrip().endswith("\n2 runs")


def test_no_runs_are_counted_as_none(tmp_path: Path) -> None:
    """A ledger without runs says 0 runs under the empty table, as accounts do."""
    db = tmp_path / "empty.sqlite"
    succeeded(invoke(db, "db", "upgrade"))
    assert succeeded(invoke(db, "runs", role="viewer")).stdout.rstrip().endswith("\n0 runs")


def test_mutations_of_a_billed_period_booked_later_are_pointed_to(small_db: Path) -> None:
    """--period lists mutations booked in it; a run over it booked later is named, with how."""
    run = commit_october(small_db)["run"]
    result = invoke(small_db, "mutations", "--period", "2026-10", role="viewer")
    assert result.exit_code == 0, explain(result)
    assert result.stdout.rstrip().endswith("0 mutations")
    with open_ledger(small_db) as ledger:
        booked = ledger.mutations(run_id=run["id"])[0].at.astimezone(ZONE).date()
    words = " ".join(result.stderr.split())
    assert words == (
        "note: no mutations were booked in 2026-10; they are dated when they are booked, and "
        f"the run over 2026-10 booked its corrections on {booked.isoformat()}: see them with "
        f"onaccount mutations --run {run['id']}"
    ), words
    assert invoke(small_db, "mutations", "--period", "2026-10", "--json").stderr == ""
    filtered = invoke(small_db, "mutations", "--period", "2026-10", "--kind", "undo")
    assert filtered.stderr == "", "another filter may be what found nothing"


def test_mutations_report_filters_by_account_run_and_period(small_db: Path) -> None:
    """The mutations report with --account, --run and --period lists what the ledger holds."""
    with open_ledger(small_db) as ledger:
        oa.correct_balance(
            ledger, "300", "5.00", actor=ADMIN, reason="cash", at=local(2026, 9, 15, 12, 0)
        )
    run = commit_october(small_db)["run"]
    succeeded(invoke(small_db, "undo", run["id"], "--account", "100", "--reason", "dubbel"))

    def listed(*options: str) -> list[dict[str, Any]]:
        data = json_of(invoke(small_db, "mutations", *options, "--json", role="viewer"))
        rows: list[dict[str, Any]] = data["mutations"]
        return rows

    everything = listed()
    with open_ledger(small_db) as ledger:
        stored = ledger.mutations()
    assert [m["id"] for m in everything] == [m.id for m in stored]
    assert [Decimal(m["balance_delta"]) for m in everything] == [m.balance_delta for m in stored]
    assert [(m["account"], m["kind"]) for m in listed("--account", "100")] == [
        ("100", "run-correction"),
        ("100", "undo"),
    ]
    assert [Decimal(m["balance_delta"]) for m in listed("--account", "100")] == [
        Decimal("17.85"),
        Decimal("-17.85"),
    ]
    by_run = listed("--run", run["id"])
    assert len(by_run) == 4
    assert all(m["run"] == run["id"] for m in by_run)
    assert sum(Decimal(m["balance_delta"]) for m in by_run) == OCTOBER["200"] + OCTOBER["300"]
    september = listed("--period", "2026-09")
    assert [(m["account"], m["kind"], m["balance_delta"], m["reason"]) for m in september] == [
        ("300", "manual", "5.00", "cash")
    ]
    report = json_of(invoke(small_db, "mutations", "--run", run["id"], "--json"))
    assert [r["id"] for r in report["runs"]] == [run["id"]]
    table = succeeded(invoke(small_db, "mutations", "--account", "100")).stdout
    assert "run-correction" in table
    assert "dubbel" in table
    assert "Anna Jansen" in table, "each mutation names its account's holder"
    assert table.rstrip().endswith("2 mutations")
    named = json_of(invoke(small_db, "mutations", "--account", "100", "--json"))["mutations"]
    assert {m["name"] for m in named} == {"Anna Jansen"}


def test_export_and_undo_take_a_run_by_its_key(small_db: Path, tmp_path: Path) -> None:
    """The key a run was committed under names it for export and undo, as its id does."""
    run = commit_october(small_db, "--key", "oktober")["run"]
    out = tmp_path / "out"
    succeeded(invoke(small_db, "export", "oktober", "--format", "csv", "--out", str(out)))
    assert [p.name for p in out.iterdir()] == ["run-2026-10-oktober-lines.csv"]
    args = ("undo", "oktober", "--account", "100", "--reason", "billed twice")
    output = succeeded(invoke(small_db, *args)).stdout
    assert f"in run {run['id']}:" in output
    result = invoke(small_db, "export", "november", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "'november'" in result.stderr


def test_undo_reverses_the_correction_and_frees_the_purchases(small_db: Path) -> None:
    """Undoing restores balance and limit, lets a later run invoice again, and refuses twice."""
    before = balances(small_db)
    run = commit_october(small_db, strategy="limit-minus-invoiced")["run"]
    args = ("undo", run["id"], "--account", "100", "--reason", "billed twice")
    undone = succeeded(invoke(small_db, *args))
    assert undone.stdout.strip() == (
        f"undid the invoice of 100 'Anna Jansen' in run {run['id']}: balance changes by "
        "-€17.85; limit changes by +€17.85"
    )
    assert " ".join(undone.stderr.split()) == (
        "note: an export of this run made before it was undone still holds it: book or "
        "send its reversal where that export went"
    )
    assert balances(small_db)["100"] == before["100"]
    with open_ledger(small_db) as ledger:
        invoice = ledger.run(run["id"]).invoice_for("100")
        uninvoiced = {t.id for t in ledger.transactions(["100"], uninvoiced=True)}
    assert invoice.state is oa.InvoiceState.UNDONE
    assert invoice.undo_reason == "billed twice"
    assert invoice.undone_by == "tester"
    assert uninvoiced == {"p1", "p2", "p6"}
    again = invoke(small_db, *args)
    assert again.exit_code == EXIT_REFUSED, explain(again)
    assert len(again.stderr.splitlines()) == 1
    rerun = commit_october(small_db)
    assert {i["account"]: i["total"] for i in rerun["run"]["invoices"]} == {"100": "17.85"}


def test_a_viewer_cannot_undo(small_db: Path) -> None:
    """A viewer's undo exits 3 naming actor and the undo capability, and changes nothing."""
    run = commit_october(small_db)["run"]
    before = state_of(small_db)
    args = ("undo", run["id"], "--account", "100", "--reason", "oops")
    result = invoke(small_db, *args, role="viewer", actor="kijker")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert result.stderr.splitlines() == [
        "error: actor 'kijker' may not undo an account invoice: it lacks the 'undo' "
        "capability (it holds: view); pass --role superuser if you may"
    ]
    assert state_of(small_db) == before


def test_undo_of_an_unknown_run_is_a_usage_error(small_db: Path) -> None:
    """Undoing in a run the ledger does not know exits 2 naming the run."""
    result = invoke(small_db, "undo", "no-such-run", "--account", "100", "--reason", "x")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "no-such-run" in result.stderr


def test_export_writes_a_committed_run_again_with_options(small_db: Path, tmp_path: Path) -> None:
    """Exporting a run again writes it as the --option values say, undone invoices left out."""
    run = commit_october(small_db, "--key", "oct")["run"]
    succeeded(invoke(small_db, "undo", run["id"], "--account", "300", "--reason", "contant"))
    out = tmp_path / "again"
    args = ("export", run["id"], "--format", "csv", "--option", "dialect=rfc4180")
    more = ("--option", "layout=summary", "--option", "header=names")
    result = succeeded(invoke(small_db, *args, *more, "--out", str(out)))
    path = out / "run-2026-10-oct-summary-rfc4180-names.csv"
    assert result.stdout.splitlines() == [
        "csv: 2 rows written",
        "csv: left out the undone invoice of account 300 'Chloé Dubois' (2.80 EUR); an export "
        "of this run made before it was undone still holds it: book or send its reversal "
        "where that export went",
        f"wrote {path}",
    ]
    text = path.read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff")
    rows = {r["account"]: r for r in csv.DictReader(io.StringIO(text))}
    assert {n: Decimal(r["total"]) for n, r in rows.items()} == {
        n: total for n, total in OCTOBER.items() if n != "300"
    }
    assert rows["100"]["state"] == "active"
    both = succeeded(
        invoke(
            small_db, "export", run["id"], "--format", "csv", "--format", "xlsx",
            "--out", str(out),
        )
    ).stdout  # fmt: skip
    lines = out / "run-2026-10-oct-lines.csv"
    said = both.splitlines()
    assert [s for s in said if s.startswith("wrote ")] == [
        f"wrote {lines}",
        f"wrote {out / 'run-2026-10-oct.xlsx'}",
    ]
    assert [s for s in said if s.endswith(" written")] == [
        "csv: 5 rows written",
        "xlsx: 10 rows written",
    ]
    assert [s.partition(":")[0] for s in said if "left out the undone invoice" in s] == [
        "csv",
        "xlsx",
    ]
    assert lines.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--format", "csv", "--option", "colour=red"), "colour"),
        (("--format", "csv", "--option", "dialect=klingon"), "klingon"),
        (("--format", "csv", "--option", "dialect"), "NAME=VALUE"),
        (("--format", "pdf"), "pdf"),
    ],
)
def test_export_with_bad_options_is_a_usage_error(
    small_db: Path, tmp_path: Path, options: tuple[str, ...], named: str
) -> None:
    """An unknown option, a bad value, a bare name or an unknown format exits 2 naming it."""
    run = commit_october(small_db)["run"]
    result = invoke(small_db, "export", run["id"], *options, "--out", str(tmp_path / "x"))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert named in result.stderr
    assert not (tmp_path / "x").exists()


def test_export_of_an_unknown_run_is_a_usage_error(small_db: Path, tmp_path: Path) -> None:
    """Exporting a run the ledger does not know exits 2 naming the run."""
    result = invoke(small_db, "export", "nope", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "'nope'" in result.stderr


def test_exporters_lists_the_builtins_with_their_options(small_db: Path) -> None:
    """Exporters --json lists every exporter sorted, with origin, availability and options."""
    data = json_of(invoke(small_db, "exporters", "--json", role="viewer"))
    identifiers = [e["identifier"] for e in data["exporters"]]
    assert identifiers == sorted(identifiers)
    assert {"csv", "journal", "sepa", "ubl", "xlsx"} <= set(identifiers)
    csv_exporter = next(e for e in data["exporters"] if e["identifier"] == "csv")
    assert csv_exporter["plugin"] == "builtin"
    assert csv_exporter["distribution"] == "onaccount"
    assert csv_exporter["version"] == oa.__version__
    assert csv_exporter["available"] is True
    assert csv_exporter["install"] is None
    assert csv_exporter["extension"] == "csv"
    assert csv_exporter["description"].startswith("A table of purchase lines")
    dialect = csv_exporter["options"]["dialect"]
    assert dialect["type"] == "str"
    assert dialect["default"] == "excel-nl"
    assert dialect["choices"] == ["excel-nl", "rfc4180"]
    assert dialect["help"].startswith("excel-nl:")
    assert csv_exporter["options"]["header"]["default"] == "labels"
    assert csv_exporter["options"]["language"]["default"] == "nl"
    assert data["failures"] == []
    table = succeeded(invoke(small_db, "exporters", role="viewer")).stdout
    assert "Excel workbook" in table
    assert "onaccount exporters NAME" in table


def test_invoice_help_teaches_the_strategies_the_key_and_an_example() -> None:
    """The invoice --help explains each strategy in a line, what --key is for, and examples."""
    text = succeeded(invoke(None, "invoice", "--help")).stdout
    words = " ".join(text.split()).lower()
    assert "none: no correction; balance and limit stay as they are" in words
    # Neither sets the balance to zero: purchases outside the period stay owed.
    assert "zero-balance: clears the period's purchases from the balance" in words
    assert "limit-minus-invoiced: clears the purchases and lowers the limit by as much" in words
    assert "balance to zero" not in words
    assert "a name for this run, e.g. 2026-10; running the same command again books nothing" in (
        words
    )
    assert "Idempotency" not in text
    assert "Examples:" in text
    assert "onaccount --role superuser invoice --period 2026-10 --all" in text


def test_the_command_list_is_complete() -> None:
    """COMMANDS names every command and subcommand the script has."""
    from onaccount.cli import cli

    found = []
    for name, command in cli.commands.items():  # type: ignore[attr-defined] # a click group
        found.append(name)
        found += [f"{name} {sub}" for sub in getattr(command, "commands", {})]
    assert sorted(found) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(command: str) -> None:
    """Each command's --help ends with at least one example of its use."""
    text = succeeded(invoke(None, *command.split(), "--help")).stdout
    examples = text[text.index("Examples:") :]
    assert re.search(rf"onaccount (--\S+ \S+ )*{command}\b", examples), examples


@pytest.mark.parametrize("word", ["True", "true", "TRUE"])
def test_a_boolean_export_option_takes_true_in_any_case(
    small_db: Path, tmp_path: Path, word: str
) -> None:
    """--option header=True is the boolean true, as the exporters list shows it."""
    run = commit_october(small_db)["run"]
    args = ("export", run["id"], "--format", "journal", "--option", f"header={word}")
    succeeded(invoke(small_db, *args, "--out", str(tmp_path / "x")))
    (path,) = (tmp_path / "x").iterdir()
    assert path.read_text(encoding="utf-8-sig").startswith("entry")


def test_one_earlier_account_invoice_is_counted_in_the_singular(
    small_db: Path, tmp_path: Path
) -> None:
    """After a run of one account invoice, the journal note says '1 account invoice'."""
    one = ("invoice", "--period", "2026-10", "--account", "100", "--strategy", "zero-balance")
    succeeded(invoke(small_db, *one, "--commit"))
    other = ("invoice", "--period", "2026-10", "--account", "200", "--strategy", "zero-balance")
    result = succeeded(
        invoke(small_db, *other, "--commit", "--export", "journal", "--out", str(tmp_path))
    )
    assert "after the 1 account invoice of earlier runs;" in " ".join(result.stdout.split())


def test_a_runs_journal_entries_follow_the_earlier_runs(small_db: Path, tmp_path: Path) -> None:
    """November's journal numbers its entry after October's three, unless first_entry says."""
    commit_october(small_db)
    november = ("invoice", "--period", "2026-11", "--all", "--strategy", "zero-balance")
    result = invoke(small_db, *november, "--commit", "--export", "journal", "--out", str(tmp_path))
    assert result.exit_code == 0, explain(result)
    assert (
        "journal: entries numbered from 4, after the 3 account invoices of earlier runs; "
        "--option first_entry=N numbers them otherwise"
    ) in " ".join(result.stdout.split())
    (path,) = tmp_path.glob("*.journal.csv")
    rows = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert {row.split(";")[0] for row in rows} == {"4"}
    run = json_of(invoke(small_db, "runs", "--json"))[-1]["id"]
    again = ("export", run, "--format", "journal", "--force", "--out", str(tmp_path))
    succeeded(invoke(small_db, *again, "--option", "first_entry=1"))
    rows = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert {row.split(";")[0] for row in rows} == {"1"}


def test_an_option_without_an_exporter_is_refused_saying_to_choose_one(small_db: Path) -> None:
    """An --option without --export makes invoice exit 2 naming --export, before planning."""
    before = state_of(small_db)
    result = invoke(small_db, *OCTOBER_ALL, "--strategy", "none", "--commit", "--option", "a=b")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "none is chosen; name one with --export" in result.stderr
    assert state_of(small_db) == before


def test_an_export_option_is_read_as_its_type_so_account_numbers_stay_text(
    small_db: Path, tmp_path: Path
) -> None:
    """--option debtors_account=1300 is the text '1300' and header=false the boolean."""
    run = commit_october(small_db)["run"]
    args = ("export", run["id"], "--format", "journal", "--option", "debtors_account=1300")
    succeeded(invoke(small_db, *args, "--option", "header=false", "--out", str(tmp_path / "x")))
    (path,) = (tmp_path / "x").iterdir()
    text = path.read_text(encoding="utf-8-sig")
    assert not text.startswith("entry")
    assert ";1300;" in text


def test_each_exporter_takes_the_options_it_has(small_db: Path, tmp_path: Path) -> None:
    """With csv and journal, dialect goes to both and debtors_account to the journal only."""
    run = commit_october(small_db)["run"]
    args = ("export", run["id"], "--format", "csv", "--format", "journal")
    options = ("--option", "dialect=rfc4180", "--option", "debtors_account=1300")
    succeeded(invoke(small_db, *args, *options, "--out", str(tmp_path / "x")))
    written = {p.name: p.read_text(encoding="utf-8-sig") for p in (tmp_path / "x").iterdir()}
    (lines,) = (text for name, text in written.items() if name.endswith("-lines-rfc4180.csv"))
    (journal,) = (text for name, text in written.items() if name.endswith(".journal.csv"))
    assert lines.startswith("Kassadag,Verkoopdatum,")  # rfc4180: commas, Dutch labels
    assert ",1300," in journal
    # An option one of them has under another type goes to that one by its name.
    scoped = ("--option", "journal.header=false", "--option", "csv.header=names")
    succeeded(invoke(small_db, *args, *scoped, "--out", str(tmp_path / "z")))
    written = {p.name: p.read_text(encoding="utf-8-sig") for p in (tmp_path / "z").iterdir()}
    (lines,) = (text for name, text in written.items() if name.endswith("-lines-names.csv"))
    (journal,) = (text for name, text in written.items() if name.endswith(".journal.csv"))
    assert lines.startswith("business_date;")
    assert not journal.startswith("entry")
    result = invoke(small_db, *args, "--option", "colour=red", "--out", str(tmp_path / "y"))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "no exporter chosen (csv, journal) has an option 'colour'" in result.stderr
    assert "onaccount exporters csv" in result.stderr
    assert not (tmp_path / "y").exists()


def test_a_mistyped_option_is_named_by_its_exporter_with_the_closest_name(
    small_db: Path, tmp_path: Path
) -> None:
    """'layot' suggests 'layout'; a refused value names the exporter, not a Python class."""
    run = commit_october(small_db)["run"]["id"]
    args = ("export", run, "--format", "xlsx", "--out", str(tmp_path / "x"))
    result = invoke(small_db, *args, "--option", "layot=statement")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "no exporter chosen (xlsx) has an option 'layot' (did you mean 'layout'?); see" in (
        result.stderr
    )
    result = invoke(small_db, *args, "--option", "layout=dayz")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(
        "error: invalid value for --option: xlsx option 'layout' is 'dayz'; use one of "
    )
    assert "Options" not in result.stderr
    assert not (tmp_path / "x").exists()


def help_examples(command: str) -> list[list[str]]:
    """The examples of ``command --help`` as words, continued lines joined, without 'onaccount'."""
    text = succeeded(invoke(None, command, "--help")).stdout
    section = text[text.index("Examples:") :].split("\n\n", 1)[0]
    return [
        shlex.split(line.strip())[1:]
        for line in section.replace("\\\n", " ").splitlines()[1:]
        if line.strip().startswith("onaccount ")
    ]


@pytest.mark.parametrize("command", ["invoice", "export", "undo"])
def test_the_help_examples_run_on_the_demo_as_written(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Each example of invoice, export and undo --help runs with the default role on the demo.

    Only what the demo cannot know is filled in: its accounts for 1042 and 2001, its run
    for RUN, and for 2026-10 its uninvoiced month (a period) or its run's key.
    """
    monkeypatch.chdir(tmp_path)
    *_, run = json_of(invoke(demo_db, "runs", "--json", role="viewer"))
    examples = help_examples(command)
    assert examples
    for words in examples:
        filled = [
            {
                "2026-10": "2026-11" if command == "invoice" else run["key"],
                "1042": "1001",
                "2001": "1002",
                "RUN": run["id"],
            }.get(w, w)
            for w in words
        ]
        result = invoke(demo_db, *filled, role=None)
        assert result.exit_code == 0, f"onaccount {shlex.join(words)}\n{explain(result)}"


def test_exporters_name_shows_description_options_with_type_default_and_help(
    small_db: Path,
) -> None:
    """Exporters NAME shows what one exporter writes and every option with its help."""
    shown = succeeded(invoke(small_db, "exporters", "ubl", role="viewer")).stdout
    assert "Peppol" in shown
    assert "available" in shown
    for option in UblOptions.describe():
        assert f"{option.name} ({option.type}, default {json.dumps(option.default)}" in shown
    assert "The seller's legal registration number (BT-30)" in shown
    data = json_of(invoke(small_db, "exporters", "ubl", "--json", role="viewer"))
    assert data["identifier"] == "ubl"
    assert list(data["options"]) == [o.name for o in UblOptions.describe()]
    result = invoke(small_db, "exporters", "nope", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "'nope' is not registered" in result.stderr


def _in_terminal(
    tmp_path: Path, *args: str, columns: int = 80, env: dict[str, str] | None = None
) -> list[str]:
    """What the installed script shows in a terminal ``columns`` wide, line by line."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {
        **{k: v for k, v in os.environ.items() if k not in VARIABLES and k != "COLUMNS"},
        **(env or {}),
    }
    env["TERM"] = "xterm"
    script = Path(sys.executable).with_name("onaccount")
    with subprocess.Popen(
        [str(script), *args], cwd=tmp_path, env=env, stdin=slave, stdout=slave, stderr=slave
    ) as process:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closes when the script ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0, b"".join(chunks).decode()
    os.close(master)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode())
    return text.replace("\r\n", "\n").splitlines()


def test_exporters_at_80_columns_cut_nothing(tmp_path: Path) -> None:
    """In an 80-column terminal no line is wider, and no option name or help is cut off."""
    listing = _in_terminal(tmp_path, "exporters")
    assert all(len(line) <= 80 for line in listing), listing
    assert not any("…" in line for line in listing)
    shown = _in_terminal(tmp_path, "exporters", "ubl")
    assert all(len(line) <= 80 for line in shown), shown
    assert not any("…" in line for line in shown)
    words = " ".join(" ".join(shown).split())
    for option in UblOptions.describe():
        assert f"{option.name} " in words
        assert " ".join(option.help.split()) in words


_LONG_NAMED = """
import attrs
from onaccount.exporting import Exporter, ExportOptions, hookimpl


@attrs.frozen(kw_only=True)
class LedgerlinkOptions(ExportOptions):
    pass


class Ledgerlink(Exporter[LedgerlinkOptions]):
    identifier = "ledgerlink-nl"
    title = "Ledgerlink import (Boekhoudpakket Professioneel)"
    description = "An accounting package's import file."
    media_type = "text/plain"
    extension = "txt"
    Options = LedgerlinkOptions

    def write(self, document, stream, options, *, progress=None):
        stream.write(b"")


@hookimpl
def onaccount_register_exporters(registry):
    registry.add(Ledgerlink())
"""


def test_exporters_at_80_columns_fold_no_plugin_name_mid_word(tmp_path: Path) -> None:
    """A vendor's long distribution name and exporter title stay whole words at 80 columns."""
    site = tmp_path / "site"
    write_distribution(
        site,
        "onaccount-ledgerlink-export",
        "12.0.1",
        entry_points={"ledgerlink": "ledgerlink_exporters"},
        modules={"ledgerlink_exporters": _LONG_NAMED},
    )
    listing = _in_terminal(tmp_path, "exporters", env={"PYTHONPATH": str(site)})
    assert all(len(line) <= 80 for line in listing), listing
    words = {word for line in listing for word in line.replace("│", " ").split()}
    for whole in (
        "ledgerlink-nl",
        "(onaccount-ledgerlink-export",
        "12.0.1)",
        "Professioneel)",
    ):
        assert whole in words, listing


def test_exporters_name_a_builtin_by_the_package_and_version_on_its_row(tmp_path: Path) -> None:
    """A built-in exporter's origin is onaccount and its version, on the exporter's own line."""
    listing = _in_terminal(tmp_path, "exporters")
    (row,) = [line for line in listing if line.startswith("│ csv ")]
    assert row.rstrip(" │").endswith(f"│ onaccount {oa.__version__}"), listing


#: Run at start-up through PYTHONPATH: schwifty cannot be imported, as if not installed.
_WITHOUT_SCHWIFTY = """
import sys

class _Missing:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "schwifty":
            raise ModuleNotFoundError(name)
        return None

sys.meta_path.insert(0, _Missing())
"""


def test_exporters_give_the_install_command_whole_at_80_columns(tmp_path: Path) -> None:
    """An exporter that cannot run here is listed with its pip command on one line, to paste."""
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "sitecustomize.py").write_text(_WITHOUT_SCHWIFTY, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(hidden)}
    script = Path(sys.executable).with_name("onaccount")
    asked = subprocess.run(
        [str(script), "exporters", "sepa", "--json"], env=env, capture_output=True, check=True
    )
    # The program's own command: its interpreter's path may differ from this one's.
    command = json.loads(asked.stdout)["install"]
    assert "sepa" in command, command
    listing = _in_terminal(tmp_path, "exporters", env={"PYTHONPATH": str(hidden)})
    # The command stays whole however long this checkout's path makes it; the rest wraps.
    assert all(len(line) <= 80 for line in listing if command not in line), listing
    below = listing[listing.index("Not available here:") :]
    assert below[1:3] == [
        "  sepa needs schwifty, which is not installed; install it with",
        f"    {command}",
    ], listing
    (row,) = [line for line in listing if line.startswith("│ sepa ")]
    assert "│ no, see below" in row, row
    shown = _in_terminal(tmp_path, "exporters", "sepa", env={"PYTHONPATH": str(hidden)})
    at = shown.index("available: no, it needs schwifty, which is not installed; install it with")
    assert shown[at + 1] == f"  {command}", shown
    # Narrower, the sentence wraps under its own start, not back to the first column.
    narrow = _in_terminal(tmp_path, "exporters", columns=50, env={"PYTHONPATH": str(hidden)})
    below = narrow[narrow.index("Not available here:") + 1 :]
    assert below[:2] == ["  sepa needs schwifty, which is not installed;", "  install it with"]


def test_export_never_overwrites_an_earlier_export_unless_forced(
    small_db: Path, tmp_path: Path
) -> None:
    """A second export to the same files exits 2 naming the file and --force; --force replaces."""
    out = tmp_path / "again"
    run_id = commit_october(small_db, "--key", "k", strategy="none")["run"]["id"]
    succeeded(invoke(small_db, "export", run_id, "--format", "csv", "--out", str(out)))
    path = out / "run-2026-10-k-lines.csv"
    path.write_bytes(b"kept")
    result = invoke(small_db, "export", run_id, "--format", "csv", "--out", str(out))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert str(path) in result.stderr
    assert "--force" in result.stderr
    assert path.read_bytes() == b"kept"
    days = succeeded(
        invoke(
            small_db,
            "export",
            run_id,
            "--format",
            "csv",
            "--option",
            "layout=days",
            "--out",
            str(out),
        )
    )
    assert f"wrote {out / 'run-2026-10-k-days.csv'}" in days.stdout
    succeeded(invoke(small_db, "export", run_id, "--format", "csv", "--out", str(out), "--force"))
    assert path.read_bytes() != b"kept"


def test_an_export_after_an_undo_says_why_it_differs_from_the_file_sent(
    small_db: Path, tmp_path: Path
) -> None:
    """Exported again after an undo, the run differs: the refusal names the undone account."""
    out = tmp_path / "sent"
    run_id = commit_october(small_db, "--key", "k", strategy="none")["run"]["id"]
    succeeded(invoke(small_db, "export", run_id, "--format", "csv", "--out", str(out)))
    succeeded(invoke(small_db, "undo", "k", "--account", "200", "--reason", "dubbel"))
    result = invoke(small_db, "export", run_id, "--format", "csv", "--out", str(out))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert " ".join(result.stderr.split()) == (
        f"error: {out / 'run-2026-10-k-lines.csv'} exists already and differs from this "
        "export: the run's invoice of account 200 was undone, which an export leaves out; "
        "choose another --out directory to keep the file you have, or add --force to "
        "replace it"
    )
    # Written after the undo, a file differs for other reasons: none is guessed at.
    later = tmp_path / "later"
    succeeded(invoke(small_db, "export", run_id, "--format", "csv", "--out", str(later)))
    (later / "run-2026-10-k-lines.csv").write_bytes(b"edited")
    edited = invoke(small_db, "export", run_id, "--format", "csv", "--out", str(later))
    assert "undone" not in edited.stderr, explain(edited)


def test_an_out_directory_that_cannot_be_made_is_a_usage_error(
    small_db: Path, tmp_path: Path
) -> None:
    """--out under a file exits 2 naming the path and the reason, not as an internal error."""
    run_id = commit_october(small_db, "--key", "k")["run"]["id"]
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a directory", encoding="utf-8")
    out = blocker / "exports"
    result = invoke(small_db, "export", run_id, "--format", "csv", "--out", str(out))
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith(f"error: cannot use {out}: Not a directory; ")
    assert "internal error" not in result.stderr
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_repeating_month_end_with_export_keeps_the_same_files(
    small_db: Path, tmp_path: Path
) -> None:
    """Invoice --commit --key --export run twice: the files are the same, so exit 0."""
    out = tmp_path / "month-end"
    more = ("--key", "oct", "--export", "csv", "--export", "xlsx", "--out", str(out))
    first = commit_october(small_db, *more)
    again = invoke(small_db, *OCTOBER_ALL, "--strategy", "zero-balance", "--commit", *more)
    succeeded(again)
    assert "already committed as run" in again.stdout
    for path in first["exports"]:
        assert f"unchanged {path}" in again.stdout
        assert f"wrote {path}" not in again.stdout
    # The counts say the files held these rows already, not that they were written now.
    assert "rows written" not in again.stdout
    assert "csv: 6 rows, as written before" in again.stdout
    data = commit_october(small_db, *more)
    assert data["exports"] == first["exports"]
    assert [r["unchanged"] for r in data["export_reports"]] == [[p] for p in first["exports"]]


def test_an_export_that_writes_nothing_says_why_and_exits_3(
    small_db: Path, tmp_path: Path
) -> None:
    """UBL without seller details refuses every invoice: the CLI counts them and exits 3."""
    run = commit_october(small_db, "--key", "oct")["run"]
    out = tmp_path / "ubl"
    result = invoke(small_db, "export", run["id"], "--format", "ubl", "--out", str(out))
    assert result.exit_code == EXIT_REFUSED, explain(result)
    first = result.stdout.splitlines()[0]
    assert first.startswith("ubl: 0 invoices written, 3 refused: missing or wrong ")
    assert "billing.address (3)" in first
    assert first.endswith("— see run-2026-10-oct.ubl.zip.refused.txt")
    assert [p.name for p in out.iterdir()] == ["run-2026-10-oct.ubl.zip.refused.txt"]


def test_an_export_that_wrote_nothing_leaves_nothing_in_the_way_of_the_mended_one(
    small_db: Path, tmp_path: Path
) -> None:
    """XAF refused for lack of the club's details, then given them, is written without --force."""
    run = commit_october(small_db, "--key", "oct")["run"]
    out = tmp_path / "xaf"
    refused = invoke(small_db, "export", run["id"], "--format", "xaf", "--out", str(out))
    assert refused.exit_code == EXIT_REFUSED, explain(refused)
    given = ["--option", "seller_name=De Zwaluwen", "--option", "seller_vat_id=NL001234567B01"]
    mended = invoke(small_db, "export", run["id"], "--format", "xaf", "--out", str(out), *given)
    succeeded(mended)
    assert f"wrote {out / 'run-2026-10-oct.xaf.zip'}" in mended.stdout.splitlines()
    assert [p.name for p in out.iterdir()] == ["run-2026-10-oct.xaf.zip"]


def test_options_an_export_lacks_are_named_first_with_how_to_give_them(
    small_db: Path, tmp_path: Path
) -> None:
    """XAF without the club's name and VAT id says its options lack them, and how to fix it."""
    run = commit_october(small_db, "--key", "oct")["run"]
    out = tmp_path / "xaf"
    result = invoke(small_db, "export", run["id"], "--format", "xaf", "--out", str(out))
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert result.stdout.splitlines()[:3] == [
        "xaf: 0 transactions written; its options lack or cannot use seller_name, "
        "seller_vat_id: give them with --option NAME=VALUE or in an --options-file — see "
        "run-2026-10-oct.xaf.zip.refused.txt",
        "xaf: xaf option seller_name is empty: the auditfile names the company "
        "(companyName); set it",
        "xaf: xaf option seller_vat_id is empty: the auditfile names the company's VAT id "
        "(taxRegIdent); set it",
    ]


def test_export_per_account_writes_a_statement_workbook_for_each_member(
    small_db: Path, tmp_path: Path
) -> None:
    """--per account gives each invoiced account its own workbook, to attach to its invoice."""
    run = commit_october(small_db, "--key", "oct")["run"]
    billed = sorted(i["account"] for i in run["invoices"])
    out = tmp_path / "members"
    args = ("export", "oct", "--format", "xlsx", "--option", "layout=statement")
    result = invoke(small_db, *args, "--per", "account", "--out", str(out))
    assert result.exit_code == 0, explain(result)
    files = sorted(out.iterdir())
    assert len(files) == len(billed)
    assert [f.name.split("-", 1)[0] for f in files] == billed
    book = openpyxl.load_workbook(files[0])
    assert book.sheetnames == ["Dagen", "Producten"]
    assert book["Dagen"]["A1"].value == "Rekening"
    assert str(book["Dagen"]["B1"].value).startswith(f"{billed[0]} ")
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert len(wrote) == len(billed)
    refused = invoke(small_db, *args, "--per", "member", "--out", str(out))
    assert refused.exit_code == EXIT_USAGE
    assert "'member' is not one of 'run', 'account'" in refused.stderr
    # Entry numbers run through the run: per account every file would start again.
    journal = ("export", "oct", "--format", "journal", "--per", "account", "--out", str(out))
    refused = invoke(small_db, *journal)
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert "journal numbers its entries through the run" in refused.stderr
    before = state_of(small_db)
    committing = (*OCTOBER_ALL, "--strategy", "none", "--commit", "--export", "xaf")
    refused = invoke(small_db, *committing, "--per", "account", "--out", str(out))
    assert refused.exit_code == EXIT_USAGE, explain(refused)
    assert state_of(small_db) == before


_CLUB = (
    "seller_name=SV De Zwaluwen", "seller_iban=NL91ABNA0417164300", "seller_bic=ABNANL2A",
    "creditor_id=NL69ZZZ123456780000",
)  # fmt: skip


def _sign_mandate(
    db: Path, tmp_path: Path, *, iban: str = "NL20INGB0001234567", signed: str = "2025-01-15"
) -> None:
    """Give account 100 mandate M-100, signed on ``signed``, on ``iban``, as a treasurer does."""
    member = write(
        tmp_path,
        "member.csv",
        f"number,name,iban,mandate_id,mandate_date\n100,Anna Jansen,{iban},M-100,{signed}\n",
    )
    succeeded(invoke(db, "import", "accounts", str(member), "--update"))


def _pain008(out: Path) -> tuple[Any, dict[str, str]]:
    """The collection in the one archive in ``out``, and its namespace as ``s``."""
    (archive,) = out.iterdir()
    with zipfile.ZipFile(archive) as held:
        (name,) = [n for n in held.namelist() if n.endswith(".xml")]
        tree = lxml.etree.fromstring(held.read(name)).getroottree()
    return tree, {"s": tree.getroot().nsmap[None]}


def test_a_sepa_export_sends_a_changed_iban_with_the_one_collected_before(
    small_db: Path, tmp_path: Path
) -> None:
    """An IBAN changed since October's collection: November's file sends it as amended."""
    _sign_mandate(small_db, tmp_path)
    options = [arg for pair in _CLUB for arg in ("--option", pair)]
    october = (*OCTOBER_ALL, "--strategy", "zero-balance", "--commit", "--key", "oct")
    succeeded(
        invoke(small_db, *october, "--export", "sepa", *options, "--out", str(tmp_path / "oct"))
    )
    _sign_mandate(small_db, tmp_path, iban="NL39RABO0300065264")
    november = ("invoice", "--period", "2026-11", "--account", "100", "--strategy", "none")
    succeeded(invoke(small_db, *november, "--commit", "--key", "nov"))
    out = tmp_path / "nov"
    result = succeeded(
        invoke(small_db, "export", "nov", "--format", "sepa", *options, "--out", str(out))
    )
    assert (
        "sepa: account 100 collected under another mandate or IBAN than last time: sent as "
        "amended, with the one collected under then"
    ) in " ".join(result.stdout.split())
    tree, ns = _pain008(out)
    info = tree.find(".//s:DrctDbtTxInf/s:DrctDbtTx/s:MndtRltdInf", ns)
    assert info is not None
    assert info.findtext("s:AmdmntInd", namespaces=ns) == "true"
    # Another bank: the rulebook's "same mandate, new debtor agent" code.
    agent = "s:AmdmntInfDtls/s:OrgnlDbtrAgt/s:FinInstnId/s:Othr/s:Id"
    assert info.findtext(agent, namespaces=ns) == "SMNDA"


def test_a_sepa_export_collects_under_a_mandate_signed_after_the_run(
    small_db: Path, tmp_path: Path
) -> None:
    """--option current_billing=ledger collects under the mandate a member signed since."""
    october = (*OCTOBER_ALL, "--strategy", "none", "--commit", "--key", "oct")
    succeeded(invoke(small_db, *october))
    _sign_mandate(small_db, tmp_path, signed="2026-11-02")
    options = [arg for pair in _CLUB for arg in ("--option", pair)]
    export = ("export", "oct", "--format", "sepa", *options)
    nothing = invoke(small_db, *export, "--out", str(tmp_path / "before"))
    assert nothing.exit_code == 3, explain(nothing)
    (refusals,) = (tmp_path / "before").iterdir()
    listed = refusals.read_text(encoding="utf-8")
    anna = [line for line in listed.splitlines() if line.startswith("100\t")]
    assert [line.split("\t")[1] for line in anna] == ["billing.iban", "billing.mandate_id"]
    for line in anna:
        assert line.endswith("collect under them with option current_billing=ledger"), listed
    result = succeeded(
        invoke(
            small_db,
            *export,
            "--option",
            "current_billing=ledger",
            "--out",
            str(tmp_path / "now"),
        )
    )
    words = " ".join(result.stdout.split())
    assert "collected under the billing details the accounts have now" in words, explain(result)
    tree, ns = _pain008(tmp_path / "now")
    mandates = [m.text for m in tree.iterfind(".//s:MndtRltdInf/s:MndtId", ns)]
    assert "M-100" in mandates
    bad = invoke(small_db, *export, "--option", "current_billing=today", "--out", str(tmp_path))
    assert bad.exit_code == EXIT_USAGE, explain(bad)
    assert "'current_billing' is not 'ledger' or a JSON object" in " ".join(bad.stderr.split())


def test_a_sepa_export_of_an_old_run_collects_after_today(small_db: Path, tmp_path: Path) -> None:
    """October's run committed on 1 November and exported today collects after today."""
    _sign_mandate(small_db, tmp_path)
    october = oa.Period.month(2026, 10, tz=TZ, day_starts_at=dt.time(4))
    with open_ledger(small_db) as ledger:
        plan = oa.plan_run(ledger, october, ["100"], "none", actor=ADMIN)
        at = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
        oa.commit_run(ledger, plan, actor=ADMIN, key="oct", at=at)
    options = [arg for pair in _CLUB for arg in ("--option", pair)]
    out = tmp_path / "out"
    result = succeeded(
        invoke(small_db, "export", "oct", "--format", "sepa", *options, "--out", str(out))
    )
    tree, ns = _pain008(out)
    today = dt.datetime.now(ZONE).date()
    collected = dt.date.fromisoformat(tree.findtext(".//s:PmtInf/s:ReqdColltnDt", namespaces=ns))
    assert collected == add_business_days(today, 1)
    assert tree.findtext(".//s:GrpHdr/s:CreDtTm", namespaces=ns) == f"{today}T00:00:00"
    words = " ".join(result.stdout.split())
    assert f"sepa: collected on {collected}" in words, explain(result)
    assert f"sent on {today}" in words


def test_invoice_export_takes_options_like_export(small_db: Path, tmp_path: Path) -> None:
    """Invoice --export csv --option dialect=rfc4180 writes the RFC 4180 file."""
    out = tmp_path / "out"
    more = ("--export", "csv", "--option", "dialect=rfc4180", "--option", "header=names")
    data = commit_october(small_db, *more, "--out", str(out))
    (path,) = data["exports"]
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("business_date,sale_date,sale_time,account,")
    assert data["export_reports"][0]["written"] == len(text.splitlines()) - 1


def test_the_period_help_names_every_form_a_period_takes() -> None:
    """--period's help shows a month, quarter, week, year, single day and range of days."""
    words = " ".join(succeeded(invoke(None, "invoice", "--help")).stdout.split())
    for form in (
        "2026-10",
        "2026-Q4",
        "2026-W43",
        "(2026)",
        "(2026-10-05)",
        "2026-10-01..2026-10-15",
    ):
        assert form in words, form


@pytest.fixture
def broken_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An installed plugin whose module does not import; its name."""
    site = tmp_path / "site"
    write_distribution(
        site,
        "acme-broken",
        "0.3",
        entry_points={"acme": "acme_broken_module"},
        modules={"acme_broken_module": "raise ImportError('acme licence module missing')\n"},
    )
    monkeypatch.syspath_prepend(str(site))
    yield "acme"
    sys.modules.pop("acme_broken_module", None)


@pytest.mark.parametrize("command", ["export", "invoice"])
def test_a_broken_plugin_is_one_warning_line_and_the_export_goes_on(
    small_db: Path, tmp_path: Path, broken_plugin: str, command: str
) -> None:
    """A plugin that does not load is named once as a warning, not as a Python warning."""
    out = tmp_path / "out"
    if command == "export":
        run = commit_october(small_db)["run"]["id"]
        result = invoke(small_db, "export", run, "--format", "csv", "--out", str(out))
    else:
        result = invoke(
            small_db, *OCTOBER_ALL, "--strategy", "none", "--export", "csv", "--out", str(out)
        )
    assert result.exit_code == 0, explain(result)
    warned = [line for line in result.stderr.splitlines() if "acme" in line]
    assert len(warned) == 1, result.stderr
    assert warned[0].startswith(f"warning: plugin '{broken_plugin}' (acme-broken 0.3)")
    assert "PluginWarning" not in result.stderr
    assert "_registry.py" not in result.stderr
    assert any(out.iterdir())


_CRASHING = """
import attrs
from onaccount.exporting import Exporter, ExportOptions, hookimpl


@attrs.frozen(kw_only=True)
class CrashOptions(ExportOptions):
    pass


class Crash(Exporter[CrashOptions]):
    identifier = "crash"
    title = "Crashes"
    description = "Fails while writing."
    media_type = "text/plain"
    extension = "txt"
    Options = CrashOptions

    def write(self, document, stream, options, *, progress=None):
        raise ZeroDivisionError("division by zero")


@hookimpl
def onaccount_register_exporters(registry):
    registry.add(Crash())
"""


def test_a_plugin_that_fails_while_writing_is_a_bug_left_out_with_block_plugin(
    small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exporter's crash exits 1, a bug, and names --block-plugin, which leaves it out."""
    site = tmp_path / "site"
    write_distribution(
        site,
        "acme-crash",
        "1.0",
        entry_points={"acme": "acme_crash"},
        modules={"acme_crash": _CRASHING},
    )
    monkeypatch.syspath_prepend(str(site))
    run = commit_october(small_db)["run"]["id"]
    out = tmp_path / "out"
    result = invoke(small_db, "export", run, "--format", "crash", "--out", str(out))
    assert result.exit_code == EXIT_INTERNAL, explain(result)
    words = " ".join(result.stderr.split())
    assert "failed while writing: ZeroDivisionError: division by zero" in words
    assert words.endswith("or leave the plugin out with --block-plugin acme")
    left_out = invoke(
        small_db, "--block-plugin", "acme", "export", run, "--format", "crash", "--out", str(out)
    )
    assert left_out.exit_code == EXIT_USAGE, explain(left_out)
    assert "'crash'" in left_out.stderr
    assert "ZeroDivisionError" not in left_out.stderr
    listed = succeeded(invoke(None, "exporters", env={"ONACCOUNT_BLOCK_PLUGINS": "acme"}))
    assert "crash" not in listed.stdout.split()
    sys.modules.pop("acme_crash", None)


_PICKY = """
import attrs
from onaccount.exporting import ExportOptions, ExportRefusal, ExportReport, Exporter, hookimpl


@attrs.frozen(kw_only=True)
class PickyOptions(ExportOptions):
    pass


class Picky(Exporter[PickyOptions]):
    identifier = "picky"
    title = "Picky"
    description = "Refuses the accounts numbered below 150, writes the others."
    media_type = "text/plain"
    extension = "txt"
    Options = PickyOptions

    def write(self, document, stream, options, *, progress=None):
        refused, written = [], 0
        for entry in document.billed:
            number = entry.account.number
            if int(number) < 150:
                refused.append(
                    ExportRefusal(account=number, field="billing.iban", message=f"{number} no")
                )
                continue
            stream.write(number.encode() + b"\\n")
            written += 1
        return ExportReport(
            exporter="picky", unit="lines", written=written, accounts=written, refusals=refused
        )


@hookimpl
def onaccount_register_exporters(registry):
    registry.add(Picky())
"""


def test_an_export_that_refuses_some_accounts_names_them_when_no_file_lists_them(
    small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin's one-file export names the accounts it refused; --json gives them all."""
    site = tmp_path / "site"
    write_distribution(
        site,
        "acme-picky",
        "1.0",
        entry_points={"acme": "acme_picky"},
        modules={"acme_picky": _PICKY},
    )
    monkeypatch.syspath_prepend(str(site))
    run = commit_october(small_db)["run"]
    numbers = sorted(i["account"] for i in run["invoices"])
    odd = [n for n in numbers if int(n) < 150]
    assert odd, numbers
    assert len(odd) < len(numbers), numbers
    out = tmp_path / "out"
    result = invoke(small_db, "export", run["id"], "--format", "picky", "--out", str(out))
    assert result.exit_code == 0, explain(result)
    words = " ".join(result.stdout.split())
    accounts = ("account " if len(odd) == 1 else "accounts ") + ", ".join(odd)
    assert f"refused ({accounts}): missing or wrong billing.iban ({len(odd)})" in words, words
    again = invoke(small_db, "export", run["id"], "--format", "picky", "--out", str(out), "--json")
    assert again.exit_code == 0, explain(again)
    data = json_of(again)
    assert data["run"] == run, "the run as invoice --json gives it"
    (report,) = data["export_reports"]
    assert report["refused"] == odd
    assert report["written"] == len(numbers) - len(odd)
    assert data["exports"] == report["paths"]
    sys.modules.pop("acme_picky", None)


def test_the_command_a_committed_runs_empty_export_names_writes_it_again(
    small_db: Path, tmp_path: Path
) -> None:
    """XAF without the club's details: the command the warning names, options added, works."""
    out = tmp_path / "xaf"
    args = (*OCTOBER_ALL, "--strategy", "none", "--commit", "--export", "xaf", "--out", str(out))
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_COMMITTED_EXPORT_EMPTY, explain(result)
    named = result.stderr.splitlines()[-1].split("write it again with onaccount ", 1)[1]
    club = ("--option", "seller_name=De Zwaluwen", "--option", "seller_vat_id=NL001234567B01")
    again = invoke(small_db, *shlex.split(named), *club)
    assert again.exit_code == 0, explain(again)
    assert again.stdout.startswith("xaf: ")


def test_the_command_an_empty_export_names_keeps_the_options_given(
    small_db: Path, tmp_path: Path
) -> None:
    """The redo command carries --options-file and the exporter's own --option pairs."""
    club = write(tmp_path, "club.toml", 'seller_name = "De Zwaluwen"\n')
    out = tmp_path / "out"
    given = ("--options-file", str(club), "--option", "dialect=rfc4180")
    exports = ("--export", "xaf", "--export", "csv", "--option", "xaf.language=en")
    args = (*OCTOBER_ALL, "--strategy", "none", "--commit", *exports, *given)
    result = invoke(small_db, *args, "--out", str(out))
    assert result.exit_code == EXIT_COMMITTED_EXPORT_EMPTY, explain(result)
    named = result.stderr.splitlines()[-1].split("write it again with onaccount ", 1)[1]
    assert f"--options-file {club}" in named
    assert "--option xaf.language=en" in named
    assert "dialect" not in named, "the csv option is not the xaf export's"
    again = invoke(small_db, *shlex.split(named), "--option", "seller_vat_id=NL001234567B01")
    assert again.exit_code == 0, explain(again)
    with zipfile.ZipFile(next(out.glob("*.xaf.zip"))) as held:
        (name,) = [n for n in held.namelist() if n.endswith(".xaf")]
        assert b"<companyName>De Zwaluwen</companyName>" in held.read(name)


def test_a_journal_and_auditfile_booking_apart_are_warned_of(
    small_db: Path, tmp_path: Path
) -> None:
    """GL options given to the journal alone would make the auditfile book elsewhere: warned."""
    club = write(
        tmp_path,
        "club.toml",
        'seller_name = "De Zwaluwen"\nseller_vat_id = "NL001234567B01"\n'
        '[journal]\nvat_accounts = \'{"S 21%": "1510"}\'\nlanguage = "en"\n',
    )
    run = commit_october(small_db)["run"]["id"]
    export = ("export", run, "--format", "journal", "--format", "xaf", "--options-file", str(club))
    result = succeeded(invoke(small_db, *export, "--out", str(tmp_path / "apart")))
    assert " ".join(result.stderr.split()) == (
        "warning: the journal and xaf exports book to other accounts (their vat_accounts "
        "differ), so the auditfile will not match the journal; give these options at the "
        "top of the options file or as --option, for both"
    )
    moved = write(
        tmp_path,
        "moved.toml",
        'seller_name = "De Zwaluwen"\nseller_vat_id = "NL001234567B01"\n'
        'vat_accounts = \'{"S 21%": "1510"}\'\n[journal]\nlanguage = "en"\n',
    )
    export = (
        "export",
        run,
        "--format",
        "journal",
        "--format",
        "xaf",
        "--options-file",
        str(moved),
    )
    alike = succeeded(invoke(small_db, *export, "--out", str(tmp_path / "alike")))
    assert "warning" not in alike.stderr


def test_a_committed_run_whose_export_wrote_nothing_exits_apart_from_a_refusal(
    small_db: Path, tmp_path: Path
) -> None:
    """The run stands though UBL refused every invoice: exit 4, saying how to export again."""
    out = tmp_path / "ubl"
    args = (*OCTOBER_ALL, "--strategy", "none", "--commit", "--export", "ubl", "--out", str(out))
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_COMMITTED_EXPORT_EMPTY == 4, explain(result)
    assert result.stdout.startswith("committed run ")
    run = result.stdout.split()[2]
    assert result.stderr.splitlines()[-1] == (
        f"warning: run {run} is committed, but the ubl export wrote nothing; give what it "
        f"refused and write it again with onaccount export {run} --format ubl --out {out} "
        "--force"
    )
    with open_ledger(small_db) as ledger:
        assert ledger.run(run).id == run


CLUB_TOML = """\
# The club, for every export that takes it.
seller_name = "Sportvereniging De Zwaluwen"
seller_vat_id = "NL001234567B01"
creditor_id = "NL69ZZZ123456780000"

[csv]
dialect = "rfc4180"
"""


def test_an_options_file_gives_the_club_to_every_export_that_takes_it(
    small_db: Path, tmp_path: Path
) -> None:
    """A TOML file holds the club's details once; --option still wins over it."""
    run = commit_october(small_db, "--key", "oct")["run"]["id"]
    club = tmp_path / "club.toml"
    club.write_text(CLUB_TOML, encoding="utf-8")
    out = tmp_path / "out"
    args = ("export", run, "--format", "xaf", "--format", "csv", "--out", str(out))
    result = invoke(small_db, *args, "--options-file", str(club))
    assert result.exit_code == 0, explain(result)
    assert "xaf: 3 transactions written" in result.stdout
    lines = (out / "run-2026-10-oct-lines-rfc4180.csv").read_text(encoding="utf-8")
    assert lines.startswith("Kassadag,"), lines[:40]  # [csv] dialect from the file
    # From the environment, as a treasurer sets it once; --option wins.
    again = invoke(
        small_db,
        *args,
        "--force",
        "--option",
        "csv.dialect=excel-nl",
        env={"ONACCOUNT_OPTIONS_FILE": str(club)},
    )
    assert again.exit_code == 0, explain(again)
    assert "xaf: 3 transactions written" in again.stdout
    written = (out / "run-2026-10-oct-lines.csv").read_text(encoding="utf-8-sig")
    assert written.startswith("Kassadag;")


def test_an_options_file_with_a_mistake_is_refused_naming_it(
    small_db: Path, tmp_path: Path
) -> None:
    """A key no exporter under its table has, or a file that is no TOML, says where."""
    run = commit_october(small_db, "--key", "oct")["run"]["id"]
    club = tmp_path / "club.toml"
    club.write_text('[csv]\ndialekt = "rfc4180"\n', encoding="utf-8")
    args = ("export", run, "--format", "csv", "--out", str(tmp_path), "--options-file", str(club))
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert f"{club}: [csv] has no option 'dialekt' (did you mean 'dialect'?)" in result.stderr
    club.write_text("seller_name = De Zwaluwen\n", encoding="utf-8")
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert f"{club} is not a TOML file:" in result.stderr
    # A top-level key no installed exporter has, one letter from one that does: a typo.
    club.write_text('creditorid = "NL69ZZZ123456780000"\nkvk = "1234"\n', encoding="utf-8")
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert (
        f"{club}: creditorid is no option of any exporter (did you mean 'creditor_id'?)"
    ) in result.stderr

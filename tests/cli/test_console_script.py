"""The installed ``onaccount`` script as a real process against a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import onaccount as oa
from onaccount._words import reversal_advice
from onaccount.exporting._requirements import pip_install
from tests.cli._support import ADMIN, TZ, open_ledger, state_of
from tests.cli.conftest import DEMO_TODAY, VARIABLES

SCRIPT = Path(sys.executable).with_name("onaccount")
# 1007 paid cash on 18 October, so the demo refused to bill its October. What it bought
# before that day can be billed on its own.
BEFORE_CASH = ("--period", "2026-10-01..2026-10-17", "--tz", TZ, "--day-starts-at", "04:00")
OWING = ("--balance", "<0", "--strategy", "limit-minus-invoiced")


def onaccount(
    cwd: Path,
    *args: str,
    db: Path | None = None,
    env_db: Path | None = None,
    note: str | None = None,
) -> str:
    """Run the installed script in ``cwd`` on ``db`` (by --db or $ONACCOUNT_DB); its stdout.

    It must succeed and say nothing on stderr but the ``note`` given, if any.
    """
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    if env_db is not None:
        env["ONACCOUNT_DB"] = str(env_db)
    options = [] if db is None else ["--db", str(db)]
    done = subprocess.run(
        [str(SCRIPT), *options, "--actor", "treasurer", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    said = " ".join(done.stderr.split())
    assert said == ("" if note is None else f"note: {note}"), done.stderr
    return done.stdout


def as_json(cwd: Path, *args: str, db: Path | None = None, env_db: Path | None = None) -> Any:
    """The JSON the script printed for ``args``."""
    return json.loads(onaccount(cwd, *args, db=db, env_db=env_db))


def test_the_installed_script_agrees_with_the_library(tmp_path: Path) -> None:
    """Demo, statement, preview, commit, re-export, undo, mutations: numbers match the ledger."""
    assert SCRIPT.is_file(), f"no console script next to {sys.executable}"
    output = onaccount(tmp_path, "demo", "canteen", "--today", DEMO_TODAY)
    db = tmp_path / "canteen" / "onaccount.sqlite"
    assert "Try next:" in output
    with open_ledger(db) as ledger:
        demo_run = ledger.runs()[-1]
        assert demo_run.key == "demo-2026-10"

    # A statement of the billed month is what the demo's run invoiced.
    statement = as_json(
        tmp_path, "statement", "1001", "--period", "2026-10", "--day-starts-at", "04:00",
        "--json", db=db,
    )  # fmt: skip
    october = oa.Period.parse("2026-10", tz=TZ, day_starts_at="04:00")
    with open_ledger(db) as ledger:
        expected = oa.statement(ledger, "1001", october, actor=ADMIN)
    assert Decimal(statement["total"]) == expected.total == demo_run.invoice_for("1001").total
    assert sum(Decimal(d["total"]) for d in statement["days"]) == expected.total
    assert sum(Decimal(v["gross"]) for v in statement["vat"]) == expected.total

    # The preview: only 1007 still owes; planning writes nothing.
    before = state_of(db)
    preview = as_json(
        tmp_path, "--role", "superuser", "invoice", *BEFORE_CASH, *OWING, "--json", db=db
    )
    assert state_of(db) == before
    period = oa.Period.parse("2026-10-01..2026-10-17", tz=TZ, day_starts_at="04:00")
    with open_ledger(db) as ledger:
        plan = oa.plan_run(
            ledger, period, oa.AccountQuery(balance="<0"), "limit-minus-invoiced", actor=ADMIN
        )
        owed = ledger.states(["1007"])["1007"]
    assert [d["account"] for d in preview["drafts"]] == ["1007"]
    assert Decimal(preview["totals"]["EUR"]) == plan.totals["EUR"] > 0
    invoiced = plan.totals["EUR"]

    # The commit books what the preview showed, and the ledger agrees with its JSON.
    committed = as_json(
        tmp_path, "--role", "superuser", "invoice", *BEFORE_CASH, *OWING,
        "--commit", "--key", "1007-before-cash", "--json", db=db,
    )["run"]  # fmt: skip
    with open_ledger(db) as ledger:
        run = ledger.run(committed["id"])
        after = ledger.states(["1007"])["1007"]
        booked = ledger.mutations(run_id=run.id)
    assert run.key == "1007-before-cash"
    assert run.actor == "treasurer"
    assert Decimal(committed["totals"]["EUR"]) == run.totals["EUR"] == invoiced
    [invoice] = committed["invoices"]
    assert Decimal(invoice["balance_after"]) == after.balance == owed.balance + invoiced
    assert Decimal(invoice["limit_after"]) == after.limit == owed.limit - invoiced
    assert [(m.balance_delta, m.limit_delta) for m in booked] == [(invoiced, -invoiced)]

    # Exported again, in other options, the run still sums to what it invoiced.
    written = onaccount(
        tmp_path, "export", run.id, "--format", "csv", "--option", "dialect=rfc4180",
        "--option", "layout=summary", "--option", "header=names", "--out", "again", db=db,
    )  # fmt: skip
    path = (
        tmp_path
        / "again"
        / "run-2026-10-01..2026-10-17-1007-before-cash-summary-rfc4180-names.csv"
    )
    assert written.splitlines() == ["csv: 1 row written", f"wrote {Path('again') / path.name}"]
    [row] = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    assert (row["account"], Decimal(row["total"])) == ("1007", invoiced)

    # Undo restores 1007's balance and limit, booking the exact reverse.
    onaccount(
        tmp_path, "--role", "superuser", "undo", run.id, "--account", "1007",
        "--reason", "paid in cash after all", db=db, note=reversal_advice(1),
    )  # fmt: skip
    with open_ledger(db) as ledger:
        restored = ledger.states(["1007"])["1007"]
        stored = ledger.mutations(run_id=run.id)
    assert (restored.balance, restored.limit) == (owed.balance, owed.limit)

    # The mutations report, its database named by $ONACCOUNT_DB, lists both mutations.
    report = as_json(tmp_path, "mutations", "--run", run.id, "--json", env_db=db)
    assert [m["id"] for m in report["mutations"]] == [m.id for m in stored]
    assert [
        (m["kind"], Decimal(m["balance_delta"]), Decimal(m["limit_delta"]), m["actor"])
        for m in report["mutations"]
    ] == [
        ("run-correction", invoiced, -invoiced, "treasurer"),
        ("undo", -invoiced, invoiced, "treasurer"),
    ]
    assert [i["state"] for i in report["runs"][0]["invoices"]] == ["undone"]


def test_a_reader_that_stops_early_does_not_fail_a_committed_run(
    large_db: Path, tmp_path: Path
) -> None:
    """`onaccount invoice … --commit --rows all | head -1` commits, says so, and exits 0."""
    db = tmp_path / "club.sqlite"
    db.write_bytes(large_db.read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    args = ("invoice", "--period", "2026-10", "--all", "--strategy", "zero-balance")
    with subprocess.Popen(
        [str(SCRIPT), "--db", str(db), "--role", "superuser", *args, "--commit", "--rows", "all"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        # The reader goes away, as `head -1` does, while thousands of rows are still coming.
        process.stdout.close()
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    with open_ledger(db) as ledger:
        (run,) = ledger.runs()
    assert first == f"committed run {run.id}\n"


@pytest.mark.parametrize(
    "command",
    [("statement", "1001", "--period", "2026-10"), ("runs",), ("accounts",), ("mutations",)],
)
def test_a_reader_gone_before_the_first_line_ends_a_look_quietly_with_0(
    demo_db: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """`onaccount statement … | head -1` exits 0 with nothing on stderr: 1 is kept for bugs."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    with subprocess.Popen(
        [str(SCRIPT), "--db", str(demo_db), *command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        # Gone before anything is written, as a reader that took what it needed.
        process.stdout.close()
        said = process.stderr.read()
        assert process.wait(timeout=120) == 0, said
    assert not [line for line in said.splitlines() if not line.startswith("note: ")], said


@pytest.mark.parametrize("missing", ["babel", "click", "rich", "sqlalchemy"])
def test_without_the_cli_extra_the_script_says_which_extra_to_install(missing: str) -> None:
    """With any of the cli extra's packages missing, one line, exit 2, no traceback."""
    code = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if the cli extra were not installed\n"
        "from onaccount.cli import main\n"
        "sys.argv = ['onaccount', '--help']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "'cli' extra" in line
    assert line.endswith(f"install it with: {pip_install('onaccount', 'cli')}")
    assert missing in line

"""The installed script in an 80-column (or wider) pseudo-terminal over generated ledgers."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pexpect
import pyte
import pytest

import onaccount as oa
from onaccount.cli import EXIT_COMMITTED_EXPORT_EMPTY, EXIT_REFUSED, EXIT_USAGE
from onaccount.ledger.sql import upgrade
from tests.cli._support import (
    ADMIN,
    COMMANDS,
    PILS,
    build_large_ledger,
    invoke,
    json_of,
    local,
    open_ledger,
    purchase,
    succeeded,
)
from tests.cli.conftest import DEMO_TODAY, VARIABLES

SCRIPT = Path(sys.executable).with_name("onaccount")
COLUMNS, ROWS = 80, 40
#: What a terminal does not show: colours, cursor moves, line clears, window titles.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
BULK = ("--role", "superuser", "invoice", "--period", "2026-10", "--all")


def terminal(
    cwd: Path, *args: str, columns: int = COLUMNS, status: int = 0
) -> tuple[str, list[str]]:
    """Run the script in a ``columns``×40 pseudo-terminal; what it wrote, and the lines seen.

    The script must exit with ``status``.
    The lines come from a terminal emulator fed that output, scrollback included, so a
    progress display that redraws or clears itself leaves only what a screen would show.
    Every line written, and every redraw of one, is checked to fit the columns: the
    emulator would wrap a wider one out of sight.
    """
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(ROWS))
    output, exited = pexpect.run(
        str(SCRIPT),
        args=list(args),
        cwd=str(cwd),
        env=env,
        withexitstatus=True,
        dimensions=(ROWS, columns),
        timeout=300,
        encoding="utf-8",
    )
    assert exited == status, output
    assert "Traceback" not in output
    written = [
        _ESCAPES.sub("", part) for line in output.split("\r\n") for part in line.split("\r")
    ]
    wide = [line for line in written if len(line) > columns]
    assert wide == [], f"{len(wide)} line(s) wider than {columns} columns: {wide[:3]}"
    screen = pyte.HistoryScreen(columns, ROWS, history=10_000)
    pyte.Stream(screen).feed(output)
    rows = [*screen.history.top, *(screen.buffer[y] for y in range(ROWS))]
    lines = ["".join(row[x].data for x in range(columns)).rstrip() for row in rows]
    while lines and not lines[-1]:
        lines.pop()
    return output, lines


def test_accounts_fill_one_screen_with_a_count_of_the_rest(large_db: Path, tmp_path: Path) -> None:
    """3,000 accounts show as 20 rows in nl_NL amounts, '… and 2.980 more', all in 80 columns."""
    _, lines = terminal(tmp_path, "--db", str(large_db), "--locale", "nl_NL", "accounts")
    text = "\n".join(lines)
    assert "Accounts, amounts in EUR" in text
    assert re.search(r"│ +-6,20 │ +500,00 │ +493,80 │", text), text
    assert "… and 2.980 more accounts; show them with --rows all, or use --json" in text
    assert "3.000 accounts" in text
    assert len(lines) < 60


def test_a_bulk_preview_is_one_screen_of_rows_groups_and_summary(
    large_db: Path, tmp_path: Path
) -> None:
    """A preview of 3,000 accounts: capped rows, a line per kind of problem, then the summary."""
    _, lines = terminal(
        tmp_path, "--db", str(large_db), "--locale", "nl_NL", *BULK, "--strategy", "zero-balance"
    )
    text = "\n".join(lines)
    assert "balances change by € +18.228,00" in text.replace("\xa0", " ")
    assert "… and 2.920 more accounts" in text
    assert text.count("refused") <= 2
    assert re.search(r"^refused 30 credit accounts: ", text, re.MULTILINE), text
    assert text.count("warning:") == 1
    assert "business day 12-09-2026" in text
    summary = text[text.index("Summary of 2026-10") :]
    assert re.search(r"to invoice +2\.940 accounts", summary)
    assert re.search(r"refused +30 credit accounts\n", summary)
    assert re.search(r"total to invoice +€\xa018\.228,00", summary)
    assert text.index("warning:") < text.index("Summary") < text.index("preview only")
    # The planning spinner finished and cleared itself.
    assert "planning the run" not in text
    assert len(lines) < 80


def test_a_bulk_commit_names_its_run_and_leaves_no_spinner(large_db: Path, tmp_path: Path) -> None:
    """Committing 2,940 invoices prints the run id first; the status displays end cleanly."""
    db = tmp_path / "club.sqlite"
    db.write_bytes(large_db.read_bytes())
    output, lines = terminal(
        tmp_path, "--db", str(db), *BULK, "--strategy", "limit-minus-invoiced", "--commit"
    )
    shown = [line for line in lines if line.strip()]
    assert shown[0].startswith("committed run ")
    assert "committing the run" not in "\n".join(lines)
    # Rich hid the cursor for its spinner and showed it again.
    assert output.rfind("\x1b[?25h") > output.rfind("\x1b[?25l")


#: A key with spaces, which a table too narrow for it would wrap or cut.
RUN_KEY = "oktober 2026 leden"


def _two_runs(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A generated club of 300 accounts billed for October under a key, then for September.

    October bills 294 accounts 6.20 each (two Pils), €1,822.80; September bills the 24
    limit accounts among every 10th that bought at all, 2.40 each (a Koffie), €57.60.
    """
    db = build_large_ledger(tmp_path / "club.sqlite", accounts=300)
    october = ("--period", "2026-10", "--strategy", "limit-minus-invoiced", "--key", RUN_KEY)
    september = ("--period", "2026-09", "--strategy", "zero-balance")
    for options in (october, september):
        succeeded(invoke(db, "invoice", "--all", *options, "--commit"))
    return db, json_of(invoke(db, "runs", "--json"))


@pytest.mark.parametrize("columns", [COLUMNS, 160])
def test_runs_show_every_id_key_and_total_whole(tmp_path: Path, columns: int) -> None:
    """At 80 and at 160 columns each run's id, key, period, strategy, count and total is whole."""
    db, runs = _two_runs(tmp_path)
    _, lines = terminal(tmp_path, "--db", str(db), "runs", columns=columns)
    text = "\n".join(lines)
    assert "…" not in text

    def on_one_line(value: str) -> bool:
        return any(value in line for line in lines)

    october, september = runs
    for run in runs:
        assert on_one_line(run["id"]), text
        assert on_one_line(run["period"]), text
        assert on_one_line(run["strategy"]), text
    assert on_one_line(RUN_KEY), text
    assert on_one_line("294"), text
    assert on_one_line("24"), text
    assert on_one_line("€1,822.80"), text
    assert on_one_line("€57.60"), text
    assert text.index(october["id"]) < text.index(september["id"])


def test_runs_are_a_table_on_a_wide_terminal(tmp_path: Path) -> None:
    """At 160 columns the runs are one table: a header, then a row per run with id and total."""
    db, runs = _two_runs(tmp_path)
    _, lines = terminal(tmp_path, "--db", str(db), "runs", columns=160)
    header = next(line for line in lines if "strategy" in line)
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == [
        "run", "key", "period", "strategy", "by", "at", "invoices", "undone", "total"
    ]  # fmt: skip
    october, september = (next(line for line in lines if r["id"] in line) for r in runs)
    assert RUN_KEY in october
    assert "€1,822.80" in october
    assert "€57.60" in september


#: Who undid an invoice and why, longer than a column of an 80-column table.
TREASURER = "penningmeester.vereniging@example.org"
UNDO_REASON = "dubbel gefactureerd, zie de mail van de voorzitter van 3 november"
LIMIT_REASON = "verhoogd op verzoek van het bestuur na de ledenvergadering"


@pytest.mark.parametrize("columns", [COLUMNS, 160])
def test_mutations_show_every_run_id_reason_and_actor_whole(tmp_path: Path, columns: int) -> None:
    """At 80 and 160 columns each mutation's run id, account, kind, actor and reason is whole."""
    db, (october, _) = _two_runs(tmp_path)
    succeeded(
        invoke(db, "undo", october["id"], "--account", "00007", "--reason", UNDO_REASON,
               actor=TREASURER)
    )  # fmt: skip
    with open_ledger(db) as ledger:
        oa.change_limit(ledger, "00007", 750, actor=ADMIN, reason=LIMIT_REASON)
    mutations = json_of(invoke(db, "mutations", "--account", "00007", "--json"))["mutations"]
    assert [m["kind"] for m in mutations] == ["run-correction", "undo", "limit-change"]
    _, lines = terminal(
        tmp_path, "--db", str(db), "mutations", "--account", "00007", columns=columns
    )
    text = "\n".join(lines)
    assert "…" not in text, text

    def on_one_line(value: str) -> bool:
        return any(value in line for line in lines)

    for mutation in mutations:
        assert on_one_line(mutation["kind"]), text
        assert on_one_line(mutation["reason"]), text
        assert on_one_line(mutation["actor"]), text
    assert sum(october["id"] in line for line in lines) == 2, text
    assert on_one_line(TREASURER), text
    assert on_one_line("3 mutations"), text


def test_the_demo_progress_bar_finishes_in_a_terminal(tmp_path: Path) -> None:
    """In a terminal the demo shows its progress, clears it, and ends with what to try next."""
    output, lines = terminal(tmp_path, "demo", "canteen", "--today", DEMO_TODAY)
    assert "booking three months of sales" in output
    text = "\n".join(lines)
    assert "booking three months of sales" not in text
    assert "Try next:" in text
    assert (tmp_path / "canteen" / "onaccount.sqlite").is_file()


def test_the_demo_commands_to_try_fit_80_columns_and_paste_as_typed(tmp_path: Path) -> None:
    """'Try next' names the database once and wraps long commands with a continuation."""
    _, lines = terminal(tmp_path, "demo", "canteen", "--today", DEMO_TODAY)
    tips = lines[lines.index("Try next:") + 1 :]
    assert tips[:3] == [
        "  export ONACCOUNT_DB=canteen/onaccount.sqlite",
        "  export ONACCOUNT_DAY_STARTS_AT=04:00",
        "  export ONACCOUNT_LOCALE=nl_NL",
    ]
    # The script's path, unless the shell finds it by name (an activated environment).
    found = shutil.which("onaccount")
    typed = "onaccount" if found and Path(found).resolve() == SCRIPT.resolve() else SCRIPT
    # Joined as a shell joins continued lines, each command is whole and as it was typed.
    commands = " ".join(tips[3:]).replace(" \\ ", " ").split(f"  {typed} ")
    commands = [" ".join(c.split()) for c in commands if c.strip()]
    run = commands[2 + 1].removeprefix("mutations --run ")
    assert commands == [
        "accounts --balance '<0'",
        "statement 1001 --period 2026-10",
        "runs",
        f"mutations --run {run}",
        f"--role superuser undo {run} --account 1001 --reason 'billed twice'",
        f"export {run} --format csv --option dialect=rfc4180 --out exports",
        f"export {run} --format xaf --options-file canteen/club.toml --out exports",
        "exporters",
    ]
    assert all(line.startswith((f"  {typed} ", "      ")) for line in tips[3:])


def test_help_fits_the_terminal(tmp_path: Path) -> None:
    """Every --help the treasurer reads fits 80 columns; command lists are never cut."""
    for command in ("", *COMMANDS):
        _, lines = terminal(tmp_path, *command.split(), "--help")
        listed = lines[lines.index("Commands:") + 1 :] if "Commands:" in lines else []
        assert not [line for line in listed if line.endswith("...")], "\n".join(lines)


def _sales(path: Path, rows: int) -> Path:
    """A sales file of ``rows`` purchases without UTC offsets on the large ledger's accounts.

    None is on a prepaid account, which would be taken below zero (and warned of).
    """
    numbers = [n for n in range(1, 3001) if n % 100 != 0]
    lines = ["account,at,product,quantity,unit_price,vat_rate"]
    lines += [
        f"{numbers[i % len(numbers)]:05d},2026-11-{1 + i % 28:02d} 21:{i % 60:02d}:00,Bier,1,"
        "2.40,0.21"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_counts_its_rows_in_a_bar_that_finishes(large_db: Path, tmp_path: Path) -> None:
    """Importing 6,000 rows shows 'reading sales.csv' with its counts, then only the result."""
    db = tmp_path / "club.sqlite"
    db.write_bytes(large_db.read_bytes())
    _sales(tmp_path / "sales.csv", 6000)
    args = ("--db", str(db), "--role", "superuser", "import", "transactions", "sales.csv")
    output, lines = terminal(tmp_path, *args)
    shown = _ESCAPES.sub("", output)
    assert "reading sales.csv" in shown
    assert "6000/6000 rows" in shown
    assert "recording 6,000 bookings" in shown
    # Wrapped at the terminal's 80 columns, between words.
    assert [line.rstrip() for line in lines if line.strip()] == [
        "imported 6,000 bookings from sales.csv for business days 2026-11-01 to",
        "2026-11-28",
    ]
    # The bar and the spinner that follows it cleared themselves and gave the cursor back.
    assert output.rfind("\x1b[?25h") > output.rfind("\x1b[?25l")


def test_a_dry_run_import_says_it_checks_and_records_nothing(
    large_db: Path, tmp_path: Path
) -> None:
    """With --dry-run the spinner says 'checking 600 bookings', never 'recording'."""
    db = tmp_path / "club.sqlite"
    db.write_bytes(large_db.read_bytes())
    _sales(tmp_path / "sales.csv", 600)
    args = ("--db", str(db), "--role", "superuser", "import", "transactions", "sales.csv")
    output, _ = terminal(tmp_path, *args, "--dry-run")
    shown = _ESCAPES.sub("", output)
    assert "checking 600 bookings" in shown
    assert "recording" not in shown


def test_an_import_with_json_shows_no_bar(large_db: Path, tmp_path: Path) -> None:
    """With --json the terminal gets the counts as JSON and no progress display at all."""
    db = tmp_path / "club.sqlite"
    db.write_bytes(large_db.read_bytes())
    _sales(tmp_path / "sales.csv", 600)
    args = ("--db", str(db), "--role", "superuser", "import", "transactions", "sales.csv")
    output, lines = terminal(tmp_path, *args, "--json")
    assert "reading" not in output
    assert "recording" not in output
    assert '"added": 600' in "\n".join(lines)


#: A name longer than an 80-column table leaves for it, and amounts near 10,000.
BIG_NAME = "Stichting Vrienden van de Vereniging tot Bevordering der Sportieve Ontspanning"


def _big_spenders(tmp_path: Path) -> Path:
    """Two accounts that bought 3,304 Pils (€ 10.242,40) and 3 Pils (€ 9,30) in October."""
    db = tmp_path / "club.sqlite"
    upgrade(db)
    with open_ledger(db) as ledger:
        ledger.open_accounts(
            [
                oa.Account(number="10042", name=BIG_NAME, limit=20_000),
                oa.Account(number="10043", name="Anna", limit=200),
            ]
        )
        ledger.record_many(
            [
                purchase("big", "10042", local(2026, 10, 3, 21, 40), (PILS, 3304)),
                purchase("small", "10043", local(2026, 10, 4, 20, 0), (PILS, 3)),
            ]
        )
    return db


def _whole(lines: list[str], *values: str) -> None:
    """Each of ``values`` on one line of ``lines``, and every word of the long name shown."""
    text = "\n".join(lines)
    assert "…" not in text, text
    for value in values:
        assert any(value in line for line in lines), f"{value!r} not whole in:\n{text}"
    assert " ".join(" ".join(lines).split()).count("Sportieve") == 1, text
    for word in BIG_NAME.split():
        assert word in text, text


@pytest.mark.parametrize("strategy", ["none", "zero-balance", "limit-minus-invoiced"])
def test_a_preview_shows_amounts_near_10_000_and_long_names_whole(
    tmp_path: Path, strategy: str
) -> None:
    """At 80 columns a preview shows € 10.242,40, balances, limits and the long name whole."""
    db = _big_spenders(tmp_path)
    _, lines = terminal(
        tmp_path, "--db", str(db), "--locale", "nl_NL", *BULK, "--strategy", strategy
    )
    lines = [line.replace("\xa0", " ") for line in lines]
    _whole(lines, "10042", "€ 10.242,40", "-10.242,40", "20.000,00")
    if strategy == "limit-minus-invoiced":
        _whole(lines, "9.757,60")
    # A strategy that changes nothing leaves out the "→ after" columns.
    assert ("→ after" in "\n".join(lines)) == (strategy != "none")


def test_a_committed_run_shows_amounts_near_10_000_and_long_names_whole(tmp_path: Path) -> None:
    """At 80 columns the table after a commit shows € 10.242,40, the balances and the name."""
    db = _big_spenders(tmp_path)
    _, lines = terminal(
        tmp_path, "--db", str(db), "--locale", "nl_NL", *BULK, "--strategy", "zero-balance",
        "--commit",
    )  # fmt: skip
    lines = [line.replace("\xa0", " ") for line in lines]
    _whole(lines, "10042", "€ 10.242,40", "-10.242,40", "0,00")


#: A name of one long word, which no column can wrap between words.
ONE_WORD = "Heijden-Oosterhout-Bartholomeusdochter"


def test_accounts_and_a_statement_show_amounts_near_10_000_whole(tmp_path: Path) -> None:
    """At 80 columns accounts and statement keep € 10.242,40, -10.242,40 and names whole."""
    db = _big_spenders(tmp_path)
    with open_ledger(db) as ledger:
        ledger.open_accounts([oa.Account(number="10044", name=ONE_WORD, limit=100)])
    _, lines = terminal(tmp_path, "--db", str(db), "--locale", "nl_NL", "accounts")
    _whole(lines, "-10.242,40", "20.000,00", "9.757,60")
    # The one long word folds over lines of its cell, every letter shown.
    names = "".join(line.split("│")[2].strip() for line in lines if line.startswith("│"))
    assert ONE_WORD in names, "\n".join(lines)
    statement = ("statement", "10042", "--period", "2026-10")
    _, lines = terminal(tmp_path, "--db", str(db), "--locale", "nl_NL", *statement)
    lines = [line.replace("\xa0", " ") for line in lines]
    _whole(lines, "total € 10.242,40", "03-10-2026")


def test_an_export_reports_its_counts_in_the_locale_within_80_columns(
    large_db: Path, tmp_path: Path
) -> None:
    """Committing with --export csv and ubl says '2.940 rows written' and '2.940 refused'."""
    db = tmp_path / "club.sqlite"
    db.write_bytes(large_db.read_bytes())
    _, lines = terminal(
        tmp_path, "--db", str(db), "--locale", "nl_NL", *BULK, "--strategy", "zero-balance",
        "--commit", "--export", "csv", "--export", "ubl", status=EXIT_COMMITTED_EXPORT_EMPTY,
    )  # fmt: skip
    text = " ".join(" ".join(lines).split())
    assert "csv: 2.940 rows written" in text
    assert "is committed, but the ubl export wrote nothing" in text
    assert re.search(
        r"ubl: 0 invoices written, 2\.940 refused: missing or wrong \S+ \(2\.940\)", text
    )
    # The line that says so breaks between words: no count is split over two lines.
    assert not any(line.rstrip().endswith("(2.") for line in lines), "\n".join(lines)
    assert any("(2.940)" in line for line in lines), "\n".join(lines)


def test_undo_says_what_changed_within_80_columns(tmp_path: Path) -> None:
    """Undoing the long-named account's invoice by its key wraps between words at 80 columns."""
    db, _ = _two_runs(tmp_path)
    args = ("--role", "superuser", "undo", RUN_KEY, "--account", "00007", "--reason", "dubbel")
    _, lines = terminal(tmp_path, "--db", str(db), "--locale", "nl_NL", *args)
    text = " ".join(" ".join(lines).split())
    assert "undid the invoice of 00007 'Lid 7 van de Vereniging" in text
    assert "balance changes by € -6,20; limit changes by € +6,20" in text


def test_an_export_note_wraps_within_80_columns_and_its_path_stays_whole(
    tmp_path: Path,
) -> None:
    """The journal's numbering note breaks between words; the path written stays one line."""
    db, runs = _two_runs(tmp_path)
    _, lines = terminal(
        tmp_path, "--db", str(db), "export", runs[-1]["id"], "--format", "journal",
        "--out", "exports",
    )  # fmt: skip
    text = " ".join(" ".join(lines).split())
    # October's 294 account invoices come first: September's entries follow them.
    assert (
        "journal: entries numbered from 295, after the 294 account invoices of earlier "
        "runs; --option first_entry=N numbers them otherwise"
    ) in text, "\n".join(lines)
    (path,) = (tmp_path / "exports").iterdir()
    assert f"wrote exports/{path.name}" in lines, "\n".join(lines)


def test_errors_wrap_between_words_within_80_columns(tmp_path: Path) -> None:
    """A refusal longer than the terminal wraps between words; piped, it stays one line."""
    db, _ = _two_runs(tmp_path)
    args = ("--db", str(db), "--role", "clerk", "invoice", "--period", "2026-10", "--all")
    _, lines = terminal(tmp_path, *args, "--strategy", "none", status=EXIT_REFUSED)
    text = " ".join(" ".join(lines).split())
    assert "error: actor" in text
    assert "may not plan a run over more than one account" in text
    usage = ("--db", str(db), "invoice", "--period", "2026-13", "--all", "--strategy", "none")
    _, lines = terminal(tmp_path, *usage, status=EXIT_USAGE)
    assert " ".join(" ".join(lines).split()).startswith("error: ")


def test_the_bad_rows_of_an_import_wrap_within_80_columns(tmp_path: Path) -> None:
    """Each refused row is told between words at 80 columns, its file and line first."""
    db, _ = _two_runs(tmp_path)
    path = tmp_path / "leden.csv"
    path.write_text("number,name,limt\n1,Anna,1\n", encoding="utf-8")
    args = ("--db", str(db), "--role", "superuser", "import", "accounts", "leden.csv")
    _, lines = terminal(tmp_path, *args, status=EXIT_USAGE)
    text = " ".join(" ".join(lines).split())
    assert text.startswith("leden.csv: line 1: column 'limt' is unknown; did you mean"), text

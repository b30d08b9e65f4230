"""What the command line shows: amounts and dates in a locale, names as typed, lists capped."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Column, Table
from sqlalchemy.engine import make_url

import onaccount as oa
from onaccount.cli import EXIT_REFUSED, EXIT_USAGE
from onaccount.cli._rendering import amount_column, name_column, records, words_whole
from onaccount.ledger.sql import SQLLedger, upgrade
from tests.cli._support import KOFFIE, explain, invoke, json_of, local, purchase, succeeded
from tests.conftest import postgres_url

OCTOBER = ("--period", "2026-10")
#: Names a careless or hostile administrator could give an account.
HOSTILE = {
    "701": "[/]",
    "702": "[white on white]hidden[/] Team C",
    "703": "Escape \x1b[2J\x1b[31mred",
    "704": "Team \u202excod.exe",
}


def add_accounts(db: Path, *accounts: oa.Account, purchases: int = 1) -> None:
    """Open ``accounts`` on ``db``, each with ``purchases`` coffees on 5 October."""
    with contextlib.closing(SQLLedger(db)) as ledger:
        ledger.open_accounts(accounts)
        ledger.record_many(
            [
                purchase(f"{a.number}-{i}", a.number, local(2026, 10, 5, 10, i), (KOFFIE, 1))
                for a in accounts
                for i in range(purchases)
            ]
        )


@pytest.fixture
def many_db(tmp_path: Path) -> Path:
    """A ledger of 45 accounts that each bought one coffee in October."""
    db = tmp_path / "many.sqlite"
    upgrade(db)
    add_accounts(
        db, *(oa.Account(number=f"{i:04d}", name=f"Lid {i}", limit=50) for i in range(45))
    )
    return db


@pytest.fixture
def hostile_db(small_db: Path) -> Path:
    """The small ledger plus accounts whose names are markup, escape codes and bidi tricks."""
    add_accounts(small_db, *(oa.Account(number=n, name=v, limit=50) for n, v in HOSTILE.items()))
    return small_db


def test_amounts_follow_the_locale_with_the_currency_symbol(small_db: Path) -> None:
    """--locale nl_NL shows € 17,85 (a no-break space after €) and -20,25; en_US €17.85."""
    statement = ("statement", "100", "--period", "2026-10", "--day-starts-at", "04:00")
    dutch = succeeded(invoke(small_db, "--locale", "nl_NL", *statement)).stdout
    assert "total €\xa017,85" in dutch
    english = succeeded(invoke(small_db, "--locale", "en_US", *statement)).stdout
    assert "total €17.85" in english
    listed = succeeded(invoke(small_db, "--locale", "nl_NL", "accounts")).stdout
    assert re.search(r"│ +-20,25 │ +200,00 │ +179,75 │", listed), listed


def test_the_locale_comes_from_the_variable_then_the_environment(small_db: Path) -> None:
    """ONACCOUNT_LOCALE wins over LANG; without it, LANG decides."""
    statement = ("statement", "100", "--period", "2026-10", "--day-starts-at", "04:00")
    german = {"LC_ALL": None, "LANG": "de_DE.UTF-8"}
    assert "total 17,85\xa0€" in succeeded(invoke(small_db, *statement, env=german)).stdout
    env = {**german, "ONACCOUNT_LOCALE": "nl_NL"}
    assert "total €\xa017,85" in succeeded(invoke(small_db, *statement, env=env)).stdout


def test_without_a_locale_dates_are_iso_and_times_24_hour(small_db: Path) -> None:
    """With no locale set (or C.UTF-8) dates read 2026-10-17, never en_US's 10/17/26."""
    statement = ("statement", "200", "--period", "2026-10")
    for env in ({}, {"LANG": "C.UTF-8"}, {"LC_ALL": "POSIX"}):
        output = succeeded(invoke(small_db, *statement, env=env)).stdout
        assert "2026-10-17" in output, env
        assert "10/17/26" not in output, env
        assert "total €54.20" in output, env
    chosen = succeeded(invoke(small_db, "--locale", "en_US", *statement)).stdout
    assert "10/17/26" in chosen
    run = json_of(
        invoke(
            small_db,
            "invoice",
            "--period",
            "2026-10",
            "--all",
            "--strategy",
            "none",
            "--commit",
            "--json",
        )
    )
    created = run["run"]["created_at"]
    listed = succeeded(invoke(small_db, "runs", "--tz", "UTC")).stdout
    at = dt.datetime.fromisoformat(created).astimezone(dt.UTC)
    assert f"{at:%Y-%m-%d %H:%M}" in listed, listed


def test_an_unknown_locale_is_a_usage_error_naming_it(small_db: Path) -> None:
    """--locale xx_YY exits 2 naming the value and the flag."""
    result = invoke(small_db, "--locale", "xx_YY", "accounts")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "xx_YY" in result.stderr
    assert "--locale" in result.stderr


def test_each_currency_shows_its_own_minor_unit_and_never_minus_zero(tmp_path: Path) -> None:
    """Yen have no decimals, dinars three; a zero balance is never shown as -0,00."""
    db = tmp_path / "currencies.sqlite"
    upgrade(db)
    with contextlib.closing(SQLLedger(db)) as ledger:
        ledger.open_accounts(
            [
                oa.Account(number="1", name="Tokyo", limit=10000, currency="JPY"),
                oa.Account(number="2", name="Kuwait", limit=Decimal("1.5"), currency="KWD"),
                oa.Account(number="3", name="Nul", limit=0),
            ]
        )
    output = succeeded(invoke(db, "--locale", "nl_NL", "accounts")).stdout
    # Several currencies: each row names its own, beside amounts in its minor unit.
    assert re.search(r"│ JPY +│ +0 │ +10\.000 │ +10\.000 │", output), output
    assert re.search(r"│ KWD +│ +0,000 │ +1,500 │ +1,500 │", output), output
    assert re.search(r"│ EUR +│ +0,00 │ +0,00 │ +0,00 │", output), output
    assert "-0" not in output


def test_the_uninvoiced_warning_gives_the_business_date_of_the_oldest_sale(
    small_db: Path,
) -> None:
    """A sale at 03:00 on 1 October belongs to 30 September when days start at 04:00."""
    with contextlib.closing(SQLLedger(small_db)) as ledger:
        ledger.record(purchase("early", "300", local(2026, 10, 1, 3, 0), (KOFFIE, 1)))
    args = ("invoice", *OCTOBER, "--day-starts-at", "04:00", "--all", "--strategy", "none")
    output = succeeded(invoke(small_db, "--locale", "nl_NL", *args)).stdout
    assert "30-09-2026" in output
    assert "2026-10-01" not in output


def test_accounts_are_capped_with_a_count_and_json_stays_complete(many_db: Path) -> None:
    """45 accounts show 20 rows and '… and 25 more'; --rows all and --json show all 45."""
    output = succeeded(invoke(many_db, "accounts")).stdout
    assert "Lid 19" in output
    assert "Lid 20" not in output
    assert "… and 25 more accounts" in output
    assert "--rows all" in output
    everything = succeeded(invoke(many_db, "accounts", "--rows", "all")).stdout
    assert "Lid 44" in everything
    assert "more accounts" not in everything
    assert "Lid 4 " in succeeded(invoke(many_db, "accounts", "--rows", "5")).stdout
    assert len(json_of(invoke(many_db, "accounts", "--json"))) == 45


def test_a_bulk_preview_ends_with_a_summary_after_its_warnings(many_db: Path) -> None:
    """The preview caps its rows, then warnings, then a summary block with the totals."""
    args = ("--locale", "nl_NL", "invoice", *OCTOBER, "--all", "--strategy", "zero-balance")
    output = succeeded(invoke(many_db, *args)).stdout
    assert "… and 25 more accounts" in output
    summary = output[output.index("Summary") :]
    assert "45 accounts" in summary
    assert "€\xa0108,00" in summary
    assert "clears the period's purchases" in " ".join(summary.split())
    data = json_of(invoke(many_db, *args, "--json"))
    assert len(data["drafts"]) == 45


def test_user_data_is_shown_literally_without_control_or_bidi_characters(
    hostile_db: Path,
) -> None:
    """Markup in names is shown as typed; escape codes and bidi overrides never reach stdout."""
    result = invoke(hostile_db, "accounts")
    assert result.exit_code == 0, explain(result)
    assert "[/]" in result.stdout
    assert "[white on white]hidden[/] Team C" in result.stdout
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "Team xcod.exe" in result.stdout


def test_a_committed_run_is_reported_as_committed_whatever_its_names(hostile_db: Path) -> None:
    """An invoice --all --commit over markup names exits 0 and names the run it committed."""
    args = ("invoice", *OCTOBER, "--all", "--strategy", "zero-balance", "--commit")
    result = invoke(hostile_db, *args)
    assert result.exit_code == 0, explain(result)
    with contextlib.closing(SQLLedger(hostile_db)) as ledger:
        (run,) = ledger.runs()
    assert f"committed run {run.id}" in result.stdout
    assert "[white on white]hidden[/] Team C" in result.stdout


def test_undo_of_an_account_outside_the_run_names_only_a_few_of_its_accounts(
    many_db: Path,
) -> None:
    """The refusal lists the first invoiced accounts and counts the rest, not all 45."""
    args = ("invoice", *OCTOBER, "--all", "--strategy", "zero-balance", "--commit", "--json")
    run = json_of(invoke(many_db, *args))["run"]
    result = invoke(many_db, "undo", run["id"], "--account", "99999", "--reason", "typo")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "99999" in result.stderr
    # The accounts named, after the run's id (a random hex that may hold any digits).
    named = result.stderr.split("it invoiced accounts", 1)[1]
    assert "0044" not in named
    assert "and 35 more" in named


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("invoice", "--period", "2026-10", "--strategy", "nope"),
            "error: invalid value for '--strategy': 'nope' is not one of "
            "'limit-minus-invoiced', 'none', 'zero-balance'; "
            "see 'onaccount invoice --help'",
        ),
        (
            ("invoise",),
            "error: no such command 'invoise' (did you mean 'invoice'?); see 'onaccount --help'",
        ),
        (
            ("--rol", "admin", "runs"),
            "error: no such option '--rol' (did you mean '--role'?); see 'onaccount --help'",
        ),
        (
            ("invoice", "--period", "2026-10"),
            "error: missing option '--strategy'; choose from: limit-minus-invoiced, none, "
            "zero-balance; see 'onaccount invoice --help'",
        ),
        (
            ("undo", "2026-10"),
            "error: missing option '--account'; see 'onaccount undo --help'",
        ),
        (
            ("export", "2026-10", "--format", "csv", "--option", "a'b. Cd"),
            'error: invalid value for --option: "a\'b. Cd" is not NAME=VALUE; '
            "see 'onaccount export --help'",
        ),
        (
            ("invoice", "--strategy"),
            "error: option '--strategy' requires an argument; see 'onaccount invoice --help'",
        ),
    ],
    ids=[
        "bad-value",
        "unknown-command",
        "unknown-group-option",
        "missing-choice",
        "missing",
        "typed-text",
        "no-argument",
    ],
)
def test_a_usage_error_is_one_line_naming_the_help_to_read(
    small_db: Path, args: tuple[str, ...], said: str
) -> None:
    """Wrong options and commands exit 2 with one error line, as the library's refusals do."""
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == said + "\n"
    assert result.stdout == ""


def test_a_command_group_called_bare_shows_its_help(small_db: Path) -> None:
    """`onaccount db` alone lists its commands, as --help does, rather than an error."""
    result = invoke(small_db, "db")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith("Usage: onaccount db [OPTIONS] COMMAND [ARGS]...\n")
    assert "  upgrade  " in result.stderr


def test_a_permission_error_names_the_role_that_fixes_it(small_db: Path) -> None:
    """A clerk's bulk preview is refused with the --role to pass."""
    args = ("invoice", *OCTOBER, "--all", "--strategy", "none")
    result = invoke(small_db, *args, role="clerk")
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert "--role superuser" in result.stderr


def test_the_password_of_a_database_url_is_never_shown() -> None:
    """A PostgreSQL URL with a password is shown masked, in errors too."""
    url = "postgresql+psycopg://treasurer:s3cret-pw@127.0.0.1:9/ledger"
    result = invoke(None, "--db", url, "db", "upgrade")
    assert result.exit_code != 0, explain(result)
    assert "s3cret-pw" not in result.output
    assert "treasurer:***@127.0.0.1:9/ledger" in result.stderr


def test_db_upgrade_on_postgresql_shows_the_url_without_its_password() -> None:
    """Running db upgrade on the test server names the database with ``***`` for the password."""
    url = make_url(postgres_url())
    assert url.password, "the test server's URL has a password to hide"
    db = url.render_as_string(hide_password=False)
    result = succeeded(invoke(None, "--db", db, "db", "upgrade"))
    assert f":{url.password}@" not in result.output
    assert f"{url.username}:***@{url.host}" in result.stdout


def test_runs_show_when_in_the_local_zone_and_the_locale(small_db: Path) -> None:
    """The runs table shows the commit instant as a local wall time in the locale."""
    args = ("invoice", *OCTOBER, "--all", "--strategy", "zero-balance", "--commit", "--json")
    run = json_of(invoke(small_db, *args))["run"]
    created = dt.datetime.fromisoformat(run["created_at"]).astimezone(
        local(2026, 1, 1, 0, 0).tzinfo
    )
    output = succeeded(invoke(small_db, "--locale", "nl_NL", "runs")).stdout
    assert created.strftime("%d-%m-%Y %H:%M") in output


NAME = "Stichting Vrienden van de Vereniging tot Bevordering der Sportieve Ontspanning"


def rendered(width: int, columns: list[str | Column], *rows: list[str]) -> list[str]:
    """What `records` shows of ``rows`` on a console ``width`` columns wide, line by line."""
    out = Console(file=io.StringIO(), width=width, color_system=None)
    records(out, columns, rows)
    lines = out.file.getvalue().splitlines()  # type: ignore[attr-defined] # a StringIO above
    assert all(len(line) <= width for line in lines)
    return [line.rstrip() for line in lines]


def test_a_name_column_wraps_between_words_so_amounts_stay_whole() -> None:
    """A table whose name folds onto lines fits 60 columns, with each amount on one line."""
    lines = rendered(
        60,
        ["account", name_column(), amount_column("invoiced"), amount_column("balance")],
        ["10042", NAME, "€ 10.242,40", "-10.242,40"],
    )
    text = "\n".join(lines)
    assert "┃ account ┃" in text
    assert "…" not in text
    assert any("€ 10.242,40" in line and "-10.242,40" in line for line in lines)
    assert " ".join(text.replace("│", " ").split()).count("Sportieve Ontspanning") == 1


def test_a_table_too_wide_even_with_names_wrapped_becomes_a_block_per_row() -> None:
    """When amounts alone overflow, each row is a block of its header and whole values."""
    amounts = [amount_column(f"amount {i}") for i in range(5)]
    lines = rendered(
        40, ["account", name_column(), *amounts], ["10042", NAME, *["-10.242,40"] * 5]
    )
    assert lines[0] == "account 10042"
    assert lines[-5:] == [f"  amount {i}  -10.242,40" for i in range(5)]
    assert lines[1].split(None, 1)[0] == "name"


def test_a_column_given_by_its_header_alone_never_wraps() -> None:
    """A plain header keeps its values on one line: a key with spaces goes to blocks."""
    lines = rendered(40, ["run", "key"], ["4b73", "oktober 2026 leden van de club"])
    assert lines == ["run 4b73", "  key  oktober 2026 leden van de club"]


def _table_of(words: list[list[str]]) -> Table:
    table = Table("a", "b", "c")
    for row in words:
        table.add_row(*row)
    return table


@pytest.mark.parametrize("width", [30, 50, 80, 120])
def test_words_whole_keeps_each_word_on_one_line_and_the_table_within_the_width(
    width: int,
) -> None:
    """Columns give way above their longest word; too narrow for that, the table still fits."""
    rows = [
        ["csv", "Comma-separated values of every line", "onaccount 0.1.0"],
        [
            "ledgerlink-accounting",
            "Ledgerlink import",
            "ledgerlink (onaccount-ledgerlink-export 1.0)",
        ],
    ]
    table = _table_of(rows)
    words_whole(Console(width=width), table)
    out = Console(file=io.StringIO(), width=width, color_system=None)
    out.print(table)
    lines = out.file.getvalue().splitlines()  # type: ignore[attr-defined]  # a StringIO
    assert all(len(line) <= width for line in lines), lines
    shown = {word for line in lines for word in line.replace("│", " ").split()}
    whole = {word for row in rows for cell in row for word in cell.split()}
    assert (whole <= shown) == (width >= 80), lines

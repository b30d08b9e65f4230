"""Looking without writing: the accounts screen, an account's statement and the runs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import onaccount as oa
from onaccount.cli import EXIT_USAGE
from onaccount.ledger.sql import upgrade
from tests.cli._support import (
    ADMIN,
    TZ,
    explain,
    invoke,
    json_of,
    local,
    open_ledger,
    succeeded,
)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), ["100", "200", "300", "900"]),
        (("--name", "chloe"), ["300"]),
        (("--name", "TEAM"), ["200"]),
        (("--balance", "<0"), ["100", "200", "300"]),
        (("--balance", "<=-20.25"), ["100", "200"]),
        (("--balance", ">0"), ["900"]),
        (("--kind", "credit"), ["900"]),
        (("--kind", "limit", "--group", "leden"), ["100", "300"]),
        (("--group", "teams"), ["200"]),
        (("--tag", "team"), ["200"]),
        (("--group", "leden", "--balance", "<-10"), ["100"]),
    ],
)
def test_accounts_filters_select_what_the_library_selects(
    small_db: Path, options: tuple[str, ...], expected: list[str]
) -> None:
    """--name, --balance, --kind, --group and --tag pick the accounts find_accounts picks."""
    found = json_of(invoke(small_db, "accounts", *options, "--json", role="viewer"))
    assert [a["number"] for a in found] == expected


def test_accounts_looks_accounts_up_by_number(small_db: Path) -> None:
    """Numbers given as arguments show those accounts; an unknown one is named, not found."""
    every = [a["number"] for a in json_of(invoke(small_db, "accounts", "--json", role="viewer"))]
    wanted = every[1::2][:2]
    found = json_of(invoke(small_db, "accounts", *reversed(wanted), "--json", role="viewer"))
    assert [a["number"] for a in found] == wanted
    result = invoke(small_db, "accounts", wanted[0], "nope", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "account 'nope' does not exist" in " ".join(result.stderr.split())
    assert wanted[0] in result.stdout, "the accounts found are shown all the same"
    scripted = invoke(small_db, "accounts", wanted[0], "nope", "--json", role="viewer")
    assert (scripted.exit_code, scripted.stdout) == (EXIT_USAGE, ""), "no list short of one"
    several = invoke(small_db, "accounts", "nope", wanted[0], "9998", role="viewer")
    assert several.exit_code == EXIT_USAGE, explain(several)
    assert " ".join(several.stderr.split()) == (
        "error: accounts '9998', 'nope' do not exist; check the numbers or open the accounts first"
    ), "every unknown number is named at once"


def test_a_name_given_as_a_number_is_pointed_to_name(small_db: Path) -> None:
    """'accounts jansen' finds no number 'jansen': it names Anna Jansen and says --name."""
    result = invoke(small_db, "accounts", "jansen", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stdout == "", "no empty table above the mistake"
    assert " ".join(result.stderr.split()) == (
        "error: account 'jansen' does not exist; check the number or open the account "
        "first; 'jansen' is part of the name of 100 'Anna Jansen': to find accounts by name, "
        "use --name jansen"
    )


def test_a_number_typed_without_its_leading_zeros_names_the_account(tmp_path: Path) -> None:
    """'accounts 42' or 'statement 42' where the ledger holds 0042 names that account."""
    db = tmp_path / "zeros.sqlite"
    upgrade(db)
    with open_ledger(db) as ledger:
        ledger.open_accounts(
            [
                oa.Account(number="0042", name="Anna Jansen", limit=200),
                oa.Account(number="007", name="Bert Smit", limit=200),
            ]
        )
    result = invoke(db, "accounts", "42", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert " ".join(result.stderr.split()) == (
        "error: account '42' does not exist, but account 0042 'Anna Jansen' does: give its "
        "number with the leading zeros, 0042"
    )
    statement = invoke(db, "statement", "42", "--period", "2026-10", role="viewer")
    assert statement.exit_code == EXIT_USAGE, explain(statement)
    assert "but account 0042 'Anna Jansen' does" in " ".join(statement.stderr.split())
    several = invoke(db, "accounts", "42", "7", "8", role="viewer")
    assert " ".join(several.stderr.split()) == (
        "error: accounts '42', '7', '8' do not exist; check the numbers or open the accounts "
        "first; the ledger holds 0042 'Anna Jansen' and 007 'Bert Smit': give numbers with "
        "their leading zeros"
    )


def test_accounts_json_carries_balance_limit_and_spending_room(small_db: Path) -> None:
    """The JSON of each account agrees with the ledger's balance, limit and spending room."""
    found = json_of(invoke(small_db, "accounts", "--json", role="viewer"))
    with open_ledger(small_db) as ledger:
        states = {s.account.number: s for s in ledger.find_accounts(oa.AccountQuery())}
    for row in found:
        state = states[row["number"]]
        assert row["name"] == state.account.name
        assert row["kind"] == state.account.kind.value
        assert row["group"] == state.account.group
        assert row["currency"] == "EUR"
        assert Decimal(row["balance"]) == state.balance
        assert Decimal(row["limit"]) == state.limit
        assert Decimal(row["spending_room"]) == state.spending_room
    anna = found[0]
    assert (anna["balance"], anna["limit"], anna["spending_room"]) == (
        "-20.25",
        "200.00",
        "179.75",
    )


def test_accounts_json_carries_the_tags_and_billing_details(small_db: Path) -> None:
    """--json shows what an import gave an account: tags, IBAN, mandate, address."""
    with open_ledger(small_db) as ledger:
        team = ledger.get_account("200")
        billing = oa.BillingDetails(
            iban="NL91ABNA0417164300",
            mandate_id="M-200",
            mandate_date=dt.date(2025, 1, 15),
            address=oa.Address(street="Sportlaan 1", city="Utrecht"),
        )
        ledger.update_account(attrs.evolve(team, billing=billing))
    found = {r["number"]: r for r in json_of(invoke(small_db, "accounts", "--json"))}
    assert found["200"]["tags"] == ["team"]
    assert found["200"]["billing"]["iban"] == "NL91ABNA0417164300"
    assert found["200"]["billing"]["mandate_date"] == "2025-01-15"
    assert found["200"]["billing"]["address"]["city"] == "Utrecht"
    assert found["100"]["billing"] is None


def test_accounts_table_shows_names_amounts_and_a_count(small_db: Path) -> None:
    """Without --json the accounts print as a table of amounts in EUR, accents intact, a count."""
    output = succeeded(invoke(small_db, "accounts", "--group", "leden", role="viewer")).stdout
    assert "Chloé Dubois" in output
    assert "Accounts, amounts in EUR" in output
    assert re.search(r"│ +-20\.25 │ +200\.00 │ +179\.75 │", output), output
    assert "Team Heren 1" not in output
    assert output.rstrip().endswith("2 accounts")


def test_a_bad_balance_filter_is_a_usage_error(small_db: Path) -> None:
    """--balance with something that is no comparison exits 2 with one line saying so."""
    result = invoke(small_db, "accounts", "--balance", "negative", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.startswith("error: ")
    assert "negative" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_balance_filter_that_could_mean_thousands_is_refused(small_db: Path) -> None:
    """The --balance of accounts and invoice refuses '<-1.500' as ambiguous, not as -1.50."""
    said = (
        "error: balance '-1.500' is ambiguous: three digits after a point read as thousands "
        "in Dutch; write -1500 or -1.50, whichever you mean\n"
    )
    result = invoke(small_db, "accounts", "--balance", "<-1.500", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == said
    args = ("invoice", "--period", "2026-10", "--balance", "<-1.500", "--strategy", "none")
    result = invoke(small_db, *args)
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == said


@pytest.mark.parametrize("day_starts_at", ["00:00", "04:00"])
def test_statement_json_agrees_with_the_library(small_db: Path, day_starts_at: str) -> None:
    """Total, days, products and VAT of statement --json are the library's, to the cent."""
    data = json_of(
        invoke(
            small_db, "statement", "100", "--period", "2026-10", "--tz", TZ,
            "--day-starts-at", day_starts_at, "--json", role="viewer",
        )
    )  # fmt: skip
    period = oa.Period.parse("2026-10", tz=TZ, day_starts_at=day_starts_at)
    with open_ledger(small_db) as ledger:
        expected = oa.statement(ledger, "100", period, actor=ADMIN)
    assert data["account"] == "100"
    assert data["name"] == "Anna Jansen"
    assert data["period"] == "2026-10"
    assert Decimal(data["total"]) == expected.total == Decimal("17.85")
    assert [(d["date"], Decimal(d["total"]), d["purchases"]) for d in data["days"]] == [
        (d.date.isoformat(), d.total, d.count) for d in expected.days
    ]
    assert [
        (p["product"], Decimal(p["quantity"]), Decimal(p["amount"])) for p in data["products"]
    ] == [(p.product, p.quantity, p.amount) for p in expected.products]
    assert sum(Decimal(p["amount"]) for p in data["products"]) == expected.total
    for vat in data["vat"]:
        assert Decimal(vat["net"]) + Decimal(vat["vat_amount"]) == Decimal(vat["gross"])
    assert sum(Decimal(v["gross"]) for v in data["vat"]) == expected.total
    assert {v["vat"]: v["vat_amount"] for v in data["vat"]} == {"S 9%": "0.71", "S 21%": "1.61"}


def test_statement_days_follow_the_business_day_start(small_db: Path) -> None:
    """The 01:30 sale counts on 4 October from midnight, and on 3 October from 04:00."""
    days = {}
    for start in ("00:00", "04:00"):
        args = ("statement", "100", "--period", "2026-10", "--day-starts-at", start, "--json")
        days[start] = [(d["date"], d["total"]) for d in json_of(invoke(small_db, *args))["days"]]
    assert days["00:00"] == [("2026-10-03", "14.10"), ("2026-10-04", "3.75")]
    assert days["04:00"] == [("2026-10-03", "17.85")]


def test_statement_table_shows_days_products_and_vat(small_db: Path) -> None:
    """Without --json the statement prints its total, its days, its products and its VAT."""
    output = succeeded(
        invoke(small_db, "statement", "200", "--period", "2026-10", role="viewer")
    ).stdout
    assert "200 Team Heren 1" in output
    assert "total €54.20" in output
    assert "2026-10-17" in output
    assert "Statiegeld krat" in output
    assert "-7.80" in output
    for title in ("Days", "Products", "VAT"):
        assert title in output


def test_a_statement_without_purchases_says_so_instead_of_empty_tables(
    small_db: Path,
) -> None:
    """A period without purchases prints its heading, its zero total and one line saying so."""
    output = succeeded(
        invoke(small_db, "statement", "200", "--period", "2026-08", role="viewer")
    ).stdout
    assert output.splitlines()[1:] == ["total €0.00", "no purchases in this period"]
    after = succeeded(
        invoke(small_db, "statement", "200", "--period", "2026-10", "--uninvoiced", role="viewer")
    ).stdout
    assert "Products" in after
    invoke(small_db, "invoice", "--period", "2026-10", "--account", "200", "--strategy",
           "zero-balance", "--commit")  # fmt: skip
    after = succeeded(
        invoke(small_db, "statement", "200", "--period", "2026-10", "--uninvoiced", role="viewer")
    ).stdout
    assert after.splitlines()[1:] == ["total €0.00", "no uninvoiced purchases in this period"]


def test_statement_of_an_unknown_account_names_it(small_db: Path) -> None:
    """An account that does not exist exits 2 with one line naming the number."""
    result = invoke(small_db, "statement", "4242", "--period", "2026-10", role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr.splitlines() == [
        "error: account '4242' does not exist; check the number or open the account first"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--period", "2026-13"), "2026-13"),
        (("--period", "2026-10", "--tz", "Mars/Olympus"), "Mars/Olympus"),
        (("--period", "2026-10", "--day-starts-at", "25:00"), "25:00"),
    ],
)
def test_a_bad_period_is_a_usage_error(
    small_db: Path, options: tuple[str, ...], named: str
) -> None:
    """A period, zone or day start that makes no sense exits 2 with a message naming it."""
    result = invoke(small_db, "statement", "100", *options, role="viewer")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert named in result.stderr
    assert "Traceback" not in result.output


def test_runs_too_wide_for_the_table_show_as_blocks_with_every_value_whole(
    small_db: Path,
) -> None:
    """A key too long for the runs table in 200 piped columns gives a block per run instead."""
    key = "oktober 2026, leden en teams, " * 4 + "gecontroleerd door de penningmeester"
    october = ("--period", "2026-10", "--all", "--strategy", "zero-balance", "--key", key)
    november = ("--period", "2026-11", "--account", "100", "--strategy", "none")
    ids = [
        json_of(invoke(small_db, "invoice", *options, "--commit", "--json"))["run"]["id"]
        for options in (october, november)
    ]
    output = succeeded(invoke(small_db, "runs", role="viewer")).stdout
    lines = [line.rstrip() for line in output.splitlines()]
    assert max(map(len, lines)) <= 200
    assert "…" not in output
    first, second = (lines.index(f"run {run_id}") for run_id in ids)
    assert lines[first + 1 : first + 4] == [
        f"  key       {key}",
        "  period    2026-10",
        "  strategy  zero-balance",
    ]
    assert "  total     €74.85" in lines[first:second]
    # A run committed without a key has no key line.
    assert lines[second + 1 : second + 3] == ["  period    2026-11", "  strategy  none"]
    assert lines[-2:] == ["  total     €2.40", "2 runs"]


def _days(
    db: Path, *flags: str, env: dict[str, str | None] | None = None
) -> tuple[list[str], str]:
    """The business days of account 1001's October statement, and what was said beside."""
    args = ("statement", "1001", "--period", "2026-10", *flags, "--json")
    result = succeeded(invoke(db, *args, env=env))
    return [day["date"] for day in json_of(result)["days"]], " ".join(result.stderr.split())


def test_without_a_day_start_given_a_statement_keeps_the_last_runs(demo_db: Path) -> None:
    """The demo billed days from 04:00: a statement without --day-starts-at does too, saying so."""
    late, _ = _days(demo_db, "--day-starts-at", "04:00")
    midnight, _ = _days(demo_db, "--day-starts-at", "00:00")
    assert (late[0], midnight[0]) == ("2026-10-03", "2026-10-04")
    kept, said = _days(demo_db)
    assert kept == late
    assert said == (
        "note: business days start at 04:00, as in the last run (2026-10); "
        "--day-starts-at or $ONACCOUNT_DAY_STARTS_AT sets another start"
    )
    given, said = _days(demo_db, env={"ONACCOUNT_DAY_STARTS_AT": "00:00"})
    assert given == midnight
    assert said == (
        "note: business days start at 00:00 here but at 04:00 in the last run (2026-10): "
        "sales between 00:00 and 04:00 fall on another day than they did there; leave out "
        "--day-starts-at and unset $ONACCOUNT_DAY_STARTS_AT to start them as it did"
    )
    assert _days(demo_db, "--day-starts-at", "4:00") == (late, "")


def test_a_ledger_without_runs_starts_business_days_at_midnight(small_db: Path) -> None:
    """Before the first run there is no start to keep: 00:00, and nothing said."""
    result = succeeded(invoke(small_db, "statement", "100", "--period", "2026-10", "--json"))
    assert result.stderr == ""


def test_a_statement_says_how_much_of_its_total_is_invoiced(small_db: Path) -> None:
    """Under the total: what runs invoiced and what no run has, before and after a run."""
    args = ("statement", "200", "--period", "2026-10")
    before = succeeded(invoke(small_db, *args, role="viewer")).stdout.splitlines()
    assert before[1:3] == ["total €54.20", "none of it invoiced yet"]
    assert json_of(succeeded(invoke(small_db, *args, "--json")))["uninvoiced_total"] == "54.20"
    commit = ("invoice", "--period", "2026-10", "--account", "200", "--strategy", "none")
    succeeded(invoke(small_db, *commit, "--commit"))
    after = succeeded(invoke(small_db, *args, role="viewer")).stdout.splitlines()
    assert after[1:3] == ["total €54.20", "all of it invoiced"]
    run_id = json_of(succeeded(invoke(small_db, "runs", "--json")))[-1]["id"]
    undo = ("undo", run_id, "--account", "200", "--reason", "wrong team")
    succeeded(invoke(small_db, *undo))
    undone = succeeded(invoke(small_db, *args, role="viewer")).stdout.splitlines()
    assert undone[1:3] == ["total €54.20", "none of it invoiced yet"]


def test_a_credit_accounts_statement_says_it_is_never_invoiced(small_db: Path) -> None:
    """A prepaid card's purchases are paid already: no "not invoiced yet" under its total."""
    args = ("statement", "900", "--period", "2026-10")
    said = succeeded(invoke(small_db, *args, role="viewer")).stdout.splitlines()
    assert said[1:3] == [
        "total €4.80",
        "paid in advance from its credit: a credit account is never invoiced",
    ]


def test_a_statement_names_the_credit_bookings_inside_its_period(small_db: Path) -> None:
    """A cash payment mid-month is not in the total, but it is shown, and why runs refuse."""
    with open_ledger(small_db) as ledger:
        ledger.record(
            oa.CreditBooking(
                id="contant-100",
                account="100",
                at=local(2026, 10, 18, 12, 0),
                credit=Decimal("20.00"),
                kind=oa.CreditKind.PAYMENT,
                reason="contant betaald",
            )
        )
    args = ("statement", "100", "--period", "2026-10")
    said = succeeded(invoke(small_db, *args, role="viewer")).stdout.splitlines()
    assert said[2] == (
        "credit bookings in this period, not part of its total: contant-100 (payment €20.00 "
        "on business day 2026-10-18); a run over this period refuses the account while they "
        "are inside it"
    )
    data = json_of(succeeded(invoke(small_db, *args, "--json", role="viewer")))
    assert data["credits"] == [
        {"id": "contant-100", "kind": "payment", "credit": "20.00", "date": "2026-10-18"}
    ]


def test_a_statement_partly_invoiced_gives_both_parts(small_db: Path) -> None:
    """A run over October's first purchase day bills part of the month: both parts are given."""
    args = ("statement", "100", "--period", "2026-10")
    whole = json_of(succeeded(invoke(small_db, *args, "--json")))
    first = whole["days"][0]["date"]
    assert len(whole["days"]) > 1
    commit = ("invoice", "--period", first, "--account", "100", "--strategy", "none", "--commit")
    succeeded(invoke(small_db, *commit))
    found = re.fullmatch(
        r"€([\d.]+) of it invoiced, €([\d.]+) not yet",
        succeeded(invoke(small_db, *args)).stdout.splitlines()[2],
    )
    assert found is not None
    assert Decimal(found[1]) == Decimal(whole["days"][0]["total"])
    assert Decimal(found[1]) + Decimal(found[2]) == Decimal(whole["total"])
    assert json_of(succeeded(invoke(small_db, *args, "--json")))["uninvoiced_total"] == found[2]

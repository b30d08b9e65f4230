"""Managing accounts from the command line: limits and balance corrections, audited."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from onaccount.cli import EXIT_REFUSED, EXIT_USAGE
from tests.cli._support import explain, invoke, open_ledger


def _state(db: Path, number: str) -> tuple[Decimal, Decimal]:
    """The balance and limit of account ``number``, read back through the library."""
    with open_ledger(db) as ledger:
        state = ledger.states([number])[number]
    return state.balance, state.limit


def test_set_limit_sets_the_limit_and_says_what_it_was(small_db: Path) -> None:
    """set-limit books the new limit with its reason and shows before, after and the room."""
    result = invoke(small_db, "set-limit", "100", "250", "--reason", "new season")
    assert result.exit_code == 0, explain(result)
    assert result.stdout == (
        "set the limit of account 100 'Anna Jansen' to €250.00 (was €200.00); spending "
        "room €229.75\n"
    )
    assert _state(small_db, "100") == (Decimal("-20.25"), Decimal(250))
    report = json.loads(invoke(small_db, "mutations", "--account", "100", "--json").stdout)
    (mutation,) = report["mutations"]
    assert (mutation["kind"], mutation["limit_delta"], mutation["reason"]) == (
        "limit-change",
        "50.00",
        "new season",
    )
    assert mutation["actor"] == "tester"


def test_set_limit_with_the_limit_seen_refuses_a_limit_changed_meanwhile(small_db: Path) -> None:
    """--expected names the limit the treasurer saw; another one now is refused (exit 3)."""
    result = invoke(
        small_db, "set-limit", "100", "300", "--expected", "250", "--reason", "team grew"
    )
    assert result.exit_code == EXIT_REFUSED, explain(result)
    assert result.stderr == (
        "error: account 100 'Anna Jansen' has limit 200.00, not 250.00 as the change to "
        "300.00 assumed: it was changed since it was read, or the expected limit is mistyped; "
        "look at the account again and decide on the new limit\n"
    )
    assert _state(small_db, "100")[1] == Decimal(200)
    agreed = invoke(
        small_db, "set-limit", "100", "300", "--expected", "200.00", "--reason", "team grew"
    )
    assert agreed.exit_code == 0, explain(agreed)
    assert _state(small_db, "100")[1] == Decimal(300)


def test_correct_balance_takes_a_negative_amount_as_typed(small_db: Path) -> None:
    """correct-balance 100 -5.50 books a correction without '--' before the minus."""
    result = invoke(small_db, "correct-balance", "100", "-5.50", "--reason", "broken glass")
    assert result.exit_code == 0, explain(result)
    assert result.stdout == (
        "corrected the balance of account 100 'Anna Jansen' by -€5.50 to -€25.75 (was "
        "-€20.25); spending room €174.25\n"
    )
    paid = invoke(small_db, "correct-balance", "100", "25.75", "--reason", "paid cash")
    assert paid.exit_code == 0, explain(paid)
    assert _state(small_db, "100") == (Decimal(0), Decimal(200))


def test_amounts_typed_with_a_decimal_comma_show_the_locale_s_way(small_db: Path) -> None:
    """'1.250,00' typed on a Dutch screen is 1250.00, shown back the Dutch way."""
    result = invoke(small_db, "--locale", "nl_NL", "set-limit", "100", "1.250,00", "--reason", "x")
    assert result.exit_code == 0, explain(result)
    assert "to €\xa01.250,00 (was €\xa0200,00)" in result.stdout
    assert _state(small_db, "100") == (Decimal("-20.25"), Decimal(1250))


def test_an_amount_that_could_mean_thousands_or_an_exponent_is_refused(small_db: Path) -> None:
    """'1.500' (fifteen hundred in Dutch) and '1e3' are refused, not read as 1.5 or 1000."""
    for amount, said in [
        (
            "1.500",
            "new limit '1.500' is ambiguous: three digits after a point read as thousands "
            "in Dutch; write 1500 or 1.50, whichever you mean",
        ),
        (
            "1e3",
            "new limit '1e3' is not an amount; write digits with a point or a comma before the "
            "cents, such as 250, 250.50 or 250,50",
        ),
    ]:
        result = invoke(small_db, "--locale", "nl_NL", "set-limit", "100", amount, "--reason", "x")
        assert result.exit_code == EXIT_USAGE, explain(result)
        assert result.stderr == f"error: {said}\n"
    assert _state(small_db, "100") == (Decimal("-20.25"), Decimal(200))


def test_a_fraction_of_a_cent_is_refused_as_such_not_as_thousands(small_db: Path) -> None:
    """-0.001 cannot mean thousands: it is refused for its places, with no odd rewrite."""
    result = invoke(small_db, "correct-balance", "100", "-0.001", "--reason", "x")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "ambiguous" not in result.stderr
    assert "-0.001" in result.stderr
    assert _state(small_db, "100") == (Decimal("-20.25"), Decimal(200))


def test_a_negative_limit_is_refused_by_the_library_not_taken_for_an_option(
    small_db: Path,
) -> None:
    """set-limit 100 -5.50 says a limit is 0 or more, not that '-5' is no option."""
    result = invoke(small_db, "set-limit", "100", "-5.50", "--reason", "x")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert result.stderr == (
        "error: new limit -5.50 for account 100 'Anna Jansen' is below zero; give 0 or more\n"
    )


def test_a_mistyped_option_is_refused_by_name_with_the_one_meant(small_db: Path) -> None:
    """--reasn is no option: exit 2 naming it and --reason, and nothing is booked."""
    for command in (["set-limit", "100", "250"], ["correct-balance", "100", "-1"]):
        result = invoke(small_db, *command, "--reasn", "x")
        assert result.exit_code == EXIT_USAGE, explain(result)
        assert "--reasn" in result.stderr
        assert "--reason" in result.stderr
        assert "missing" not in result.stderr
        assert result.stderr.startswith("error: no such option '--reasn' (did you mean "), (
            result.stderr
        )
    result = invoke(small_db, "correct-balance", "100", "-1", "-r", "x")
    assert result.exit_code == EXIT_USAGE, explain(result)
    assert "-r" in result.stderr
    assert _state(small_db, "100") == (Decimal("-20.25"), Decimal(200))


def test_an_option_value_may_start_with_a_dash(small_db: Path) -> None:
    """--reason '-- see ticket 12' is the reason, not an option to refuse."""
    result = invoke(small_db, "correct-balance", "100", "1", "--reason", "-- see ticket 12")
    assert result.exit_code == 0, explain(result)
    assert _state(small_db, "100") == (Decimal("-19.25"), Decimal(200))


def test_changing_a_limit_or_balance_needs_the_superuser_role(small_db: Path) -> None:
    """A clerk is refused (exit 3) and told the role; nothing is booked."""
    for command in (["set-limit", "100", "250"], ["correct-balance", "100", "-1"]):
        result = invoke(small_db, *command, "--reason", "x", role="clerk")
        assert result.exit_code == EXIT_REFUSED, explain(result)
        assert result.stderr.endswith("; pass --role superuser if you may\n")
    assert _state(small_db, "100") == (Decimal("-20.25"), Decimal(200))


def test_a_credit_account_and_an_unknown_one_are_refused_by_name(small_db: Path) -> None:
    """A credit account or the same limit is refused (exit 3); an unknown number is named."""
    credit = invoke(small_db, "set-limit", "900", "50", "--reason", "x")
    assert credit.exit_code == EXIT_REFUSED, explain(credit)
    assert "900 'Kantinekaart'" in credit.stderr
    same = invoke(small_db, "set-limit", "100", "200", "--reason", "x")
    assert same.exit_code == EXIT_REFUSED, explain(same)
    assert "has limit 200.00 already; nothing to change" in same.stderr
    unknown = invoke(small_db, "correct-balance", "404", "1", "--reason", "x")
    assert unknown.exit_code != 0, explain(unknown)
    assert "account '404' does not exist" in unknown.stderr


def test_json_gives_the_mutation_and_the_account_after_it(small_db: Path) -> None:
    """--json prints the mutation booked and the account's balance, limit and room after it."""
    result = invoke(small_db, "correct-balance", "200", "4.20", "--reason", "deposit", "--json")
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert data["mutation"]["balance_delta"] == "4.20"
    assert data["mutation"]["reason"] == "deposit"
    assert data["account"] == {
        "number": "200",
        "name": "Team Heren 1",
        "currency": "EUR",
        "balance": "-50.00",
        "limit": "600.00",
        "spending_room": "550.00",
    }

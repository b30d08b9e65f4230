"""Counts and lists in the library's sentences."""

from __future__ import annotations

import pytest

from onaccount._words import (
    a_type,
    counted,
    either_way,
    field_name,
    for_command_line,
    in_words,
    joined,
    named,
    plural,
    with_article,
)


def test_one_is_singular_and_every_other_count_plural() -> None:
    """One takes the singular; none and many take the plural."""
    assert [plural("purchase", n) for n in (0, 1, 2)] == ["purchases", "purchase", "purchases"]


def test_a_count_has_thousands_separators() -> None:
    """Large counts are grouped by thousands, as the library writes counts elsewhere."""
    assert counted(10_006, "refusal") == "10,006 refusals"
    assert counted(1, "account invoice") == "1 account invoice"


def test_a_list_is_named_by_its_noun_in_number() -> None:
    """One account is ``account 1042``; several are ``accounts 1042, 2001``."""
    assert named("account", ["1042"]) == "account 1042"
    assert named("account", ("1042", "2001")) == "accounts 1042, 2001"


def test_named_counts_the_rest_of_a_total_beyond_the_items_given() -> None:
    """Three of twenty given: the other seventeen are counted, ten or more given or not."""
    assert named("account", ["1", "2", "3"], 20) == "accounts 1, 2, 3 and 17 more"
    assert named("account", [str(n) for n in range(12)]) == (
        "accounts 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more"
    )
    assert named("account", ["1042"]) == "account 1042"


def test_a_way_in_a_program_and_on_the_command_line_reads_as_the_command_alone() -> None:
    """either_way names both; for_command_line keeps only the command, as the CLI says it."""
    said = f"list the runs with {either_way('Ledger.runs()', 'onaccount runs')} to find it"
    assert (
        said == "list the runs with Ledger.runs() (onaccount runs on the command line) to find it"
    )
    assert for_command_line(said) == "list the runs with onaccount runs to find it"
    way = either_way("block=['acme']", "--block-plugin acme")
    blocked = f"load them with {way}"
    assert for_command_line(blocked) == "load them with --block-plugin acme"
    assert for_command_line("nothing to change (here)") == "nothing to change (here)"


def test_a_class_in_a_sentence_is_its_words() -> None:
    """Account, Line and CreditBooking read as 'account', 'line' and 'credit booking'."""
    assert [in_words(name) for name in ("Account", "Line", "CreditBooking")] == [
        "account",
        "line",
        "credit booking",
    ]


@pytest.mark.parametrize(
    ("word", "said"),
    [
        ("XlsxTableExporter", "an XlsxTableExporter"),
        ("CsvTableExporter", "a CsvTableExporter"),
        ("int", "an int"),
        ("object", "an object"),
        ("str", "a str"),
        ("SQLLedger", "an SQLLedger"),
        ("UUID", "a UUID"),
        ("UserDict", "a UserDict"),
        ("hour", "an hour"),
    ],
)
def test_with_article_picks_a_or_an_by_the_sound_of_the_word(word: str, said: str) -> None:
    """'an' goes before a vowel sound, whether spelt (an int) or read letter by letter (an SQL)."""
    assert with_article(word) == said


def test_a_value_s_type_is_named_with_its_article() -> None:
    """a_type names the type of a value as a sentence says it: an int, a Decimal."""
    assert [a_type(1), a_type(1.5), a_type(object())] == ["an int", "a float", "an object"]


def test_a_field_is_the_name_given_else_words_that_are_a_name() -> None:
    """field_name takes the name given, else the words if they are a name, never prose."""
    assert field_name("unit price", "unit_price") == "unit_price"
    assert field_name("transaction instant 'at'", "at") == "at"
    assert field_name("quantity") == "quantity"
    assert field_name("billing.iban") == "billing.iban"
    assert field_name("unit price") is None
    assert field_name("line 'Beer' of purchase e22 amount") is None


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_joined_lists_items_with_commas_and_a_last_and(items: list[str], text: str) -> None:
    """``a``, ``a and b``, ``a, b and c``: a list as a sentence writes it."""
    assert joined(items) == text

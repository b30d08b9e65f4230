"""IBANs: their shape and check digits, against schwifty, the library banks' files trust."""

from __future__ import annotations

import random

import pytest
import schwifty
from hypothesis import given
from hypothesis import strategies as st
from schwifty.exceptions import SchwiftyException

from onaccount._iban import compact_iban, iban_problem

_COUNTRIES = ["NL", "BE", "DE", "FR", "GB", "ES", "IT", "LU", "AT", "IE"]


@st.composite
def _ibans(draw: st.DrawFn) -> str:
    """A valid IBAN of a SEPA country, made by schwifty from a drawn seed."""
    country = draw(st.sampled_from(_COUNTRIES))
    seed = draw(st.integers(min_value=0, max_value=2**32))
    return str(schwifty.IBAN.random(country_code=country, random=random.Random(seed)))


@given(_ibans())
def test_every_iban_schwifty_makes_has_no_problem(iban: str) -> None:
    """An IBAN schwifty accepts is accepted: its shape and check digits are right."""
    assert iban_problem(iban) is None


@given(_ibans(), st.data())
def test_one_character_changed_is_caught_as_schwifty_catches_it(
    iban: str, data: st.DataObject
) -> None:
    """Changing one character after the country breaks the check digits, for both."""
    at = data.draw(st.integers(min_value=2, max_value=len(iban) - 1))
    digit = iban[at].isdigit()
    alphabet = "0123456789" if digit else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    other = data.draw(st.sampled_from([c for c in alphabet if c != iban[at]]))
    changed = iban[:at] + other + iban[at + 1 :]
    assert iban_problem(changed) == "its check digits are wrong"
    with pytest.raises(SchwiftyException):
        schwifty.IBAN(changed)


@pytest.mark.parametrize("text", ["NL91ABNA", "NL91", "9L91ABNA0417164300", "NLXXABNA0417164300"])
def test_text_without_an_ibans_shape_says_what_an_iban_is(text: str) -> None:
    """Too short, or no country letters or check digits: the shape is named, not the digits."""
    assert iban_problem(text) == (
        "an IBAN is two letters, two check digits and 11 to 30 letters or digits"
    )


def test_ibans_are_compacted_as_printed_in_groups_of_four() -> None:
    """Spaces, tabs and lower case go: 'nl91 abna 0417 1643 00' is NL91ABNA0417164300."""
    assert compact_iban("nl91 abna\t0417 1643 00") == "NL91ABNA0417164300"
    assert iban_problem(compact_iban("nl91 abna\t0417 1643 00")) is None

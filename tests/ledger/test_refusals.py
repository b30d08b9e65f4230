"""The refusals every ledger words alike."""

from __future__ import annotations

import pickle

import onaccount as oa
from onaccount.ledger import unknown_account


def test_unknown_account_names_one_number_or_all_of_several() -> None:
    """One unknown number reads as before; several are named at once, their tuple the value."""
    one = unknown_account("4242")
    assert str(one) == (
        "account '4242' does not exist; check the number or open the account first"
    )
    assert one.value == "4242"
    several = unknown_account("4242", "9998")
    assert isinstance(several, oa.UnknownAccount)
    assert str(several) == (
        "accounts '4242', '9998' do not exist; check the numbers or open the accounts first"
    )
    assert several.value == ("4242", "9998")
    restored = pickle.loads(pickle.dumps(several))
    assert (str(restored), restored.value) == (str(several), several.value)

"""Amounts as a treasurer types them: a point or a comma before the cents, never a guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

import onaccount as oa
from onaccount.cli._amounts import typed_amount, typed_balance


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("250", Decimal(250)),
        ("-5.50", Decimal("-5.50")),
        ("1500,00", Decimal("1500.00")),
        ("-0,5", Decimal("-0.5")),
        ("1.500,00", Decimal("1500.00")),
        ("12.345.678,90", Decimal("12345678.90")),
        ("1,500.00", Decimal("1500.00")),
        (" 0.125 ", Decimal("0.125")),
        # A comma after a lone 0, or before four places, groups no thousands.
        ("-0,005", Decimal("-0.005")),
        ("2,4050", Decimal("2.4050")),
    ],
)
def test_a_point_or_a_comma_before_the_cents_reads_as_written(typed: str, amount: Decimal) -> None:
    """Cents after a comma, or thousands grouped before them either way, read as meant."""
    assert typed_amount(typed, "new limit") == amount


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (
            "1.500",
            "new limit '1.500' is ambiguous: three digits after a point read as thousands in "
            "Dutch; write 1500 or 1.50, whichever you mean",
        ),
        (
            "1,500",
            "new limit '1,500' is ambiguous: three digits after a comma read as thousands in "
            "English; write 1500 or 1.50, whichever you mean",
        ),
        (
            "2.105",
            "new limit '2.105' is ambiguous: three digits after a point read as thousands in "
            "Dutch; write 2105 if that is what you mean",
        ),
        (
            "1e3",
            "new limit '1e3' is not an amount; write digits with a point or a comma before the "
            "cents, such as 250, 250.50 or 250,50",
        ),
        (
            "1.50,00",
            "new limit '1.50,00' is not an amount; write digits with a point or a comma before "
            "the cents, such as 250, 250.50 or 250,50",
        ),
    ],
)
def test_an_amount_that_may_mean_another_is_refused_saying_how_to_write_it(
    typed: str, said: str
) -> None:
    """Three digits after one separator, or a number no one writes so, is refused in words."""
    with pytest.raises(oa.InvalidAmount) as caught:
        typed_amount(typed, "new limit")
    assert caught.value.message == said


def test_a_balance_comparison_takes_an_amount_as_typed() -> None:
    """'<-0,50' compares with -0.50; no comparison at all is the library's refusal."""
    assert typed_balance("<-0,50") == oa.BalanceFilter("<", Decimal("-0.50"))
    assert typed_balance(" >= 1.500,00 ") == oa.BalanceFilter(">=", Decimal(1500))
    assert typed_balance(None) is None
    with pytest.raises(oa.InvalidValue, match="balance filter 'negative' cannot be read"):
        typed_balance("negative")


def test_a_balance_with_two_operators_is_refused_for_them() -> None:
    """``=<0`` names its operators and the one meant, not '<0' as a bad amount."""
    with pytest.raises(oa.InvalidValue, match=r"more than one operator \(=<\); write '<=0'"):
        typed_balance("=<0")

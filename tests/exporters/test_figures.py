"""Net amounts without VAT: VAT per category and rate, rounding cents spread exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from onaccount import InvoiceRun, minor_unit, vat_split
from onaccount.testing import sample_statement, strategies
from onaccount_exporters._figures import figures, spread

_CENT = Decimal("0.01")
_exacts = st.lists(
    st.integers(-(10**7), 10**7).map(lambda n: Decimal(n).scaleb(-5)), min_size=1, max_size=12
)


@given(exacts=_exacts)
def test_spread_adds_up_and_moves_no_part_by_a_cent(exacts: list[Decimal]) -> None:
    """Parts add up to the rounded sum and each is less than a cent from its exact share."""
    target = sum(exacts, Decimal(0)).quantize(_CENT)
    parts = spread(target, exacts, _CENT)
    assert sum(parts, Decimal(0)) == target
    for part, exact in zip(parts, exacts, strict=True):
        assert part == part.quantize(_CENT)
        assert abs(part - exact) < _CENT


@given(exacts=_exacts, shift=st.integers(-50, 50))
def test_spread_reaches_any_target(exacts: list[Decimal], shift: int) -> None:
    """Even far from the exact sum, the parts add up to the target and stay in cents."""
    target = sum(exacts, Decimal(0)).quantize(_CENT) + shift * _CENT
    parts = spread(target, exacts, _CENT)
    assert sum(parts, Decimal(0)) == target
    bound = (abs(shift) // len(exacts) + 2) * _CENT
    for part, exact in zip(parts, exacts, strict=True):
        assert part == part.quantize(_CENT)
        assert abs(part - exact) < bound


def test_spread_gives_the_missing_cent_to_the_largest_remainder_then_the_earliest() -> None:
    """Ties go to the earlier part, so the same input gives the same split."""
    thirds = [Decimal(1) / 3] * 3
    assert spread(Decimal("1.00"), thirds, _CENT) == (
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    )
    assert spread(Decimal("0.10"), [Decimal("0.044"), Decimal("0.056")], _CENT) == (
        Decimal("0.04"),
        Decimal("0.06"),
    )


@given(run=strategies.runs())
def test_vat_follows_design_and_line_nets_add_up_exactly(run: InvoiceRun) -> None:
    """Per category and rate VAT is round(gross × rate / (1 + rate)); lines sum to the net."""
    for invoice in run.invoices:
        statement = invoice.statement
        money = figures(statement)
        quantum = minor_unit(statement.currency)
        assert money.total == statement.total
        assert [line.product for line in money.lines] == list(statement.products)
        for group in money.groups:
            assert group.tax == vat_split(group.gross, group.rate, statement.currency).vat
            assert sum((line.net for line in group.lines), Decimal(0)) == group.net
            for line in group.lines:
                assert abs(line.net - line.product.amount / (1 + group.rate)) < quantum


def test_the_sample_statement_splits_per_rate() -> None:
    """The sample's 9 % and 21 % groups: VAT on each group's total, nets to the cent."""
    money = figures(sample_statement())
    assert [(g.category.value, g.rate, g.gross, g.tax, g.net) for g in money.groups] == [
        ("S", Decimal("0.09"), Decimal("13.65"), Decimal("1.13"), Decimal("12.52")),
        ("S", Decimal("0.21"), Decimal("14.00"), Decimal("2.43"), Decimal("11.57")),
    ]
    assert [line.net for line in money.lines] == [
        Decimal("6.42"),
        Decimal("2.31"),
        Decimal("9.26"),
        Decimal("6.10"),
    ]

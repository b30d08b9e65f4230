import datetime as dt
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import onaccount as oa
from onaccount.testing import strategies as oas

OCTOBER = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
TEAM = oa.Account(number="1042", name="Team A", limit=200)


def statement_of(total: str) -> oa.Statement:
    """A statement whose one purchase comes to ``total``."""
    line = oa.Line(product="Beer", quantity=1, unit_price=total, vat=oa.Vat.standard("0.21"))
    sale = oa.Purchase(account="1042", at=OCTOBER.start + dt.timedelta(hours=5), lines=[line])
    return oa.build_statement(TEAM, OCTOBER, [sale])


STATE = oa.AccountState(account=TEAM, balance=Decimal("-30.00"), limit=Decimal("200"))


@attrs.frozen
class Tip:
    """A host strategy: clear the balance and raise the limit by a fixed tip."""

    name: ClassVar[str] = "tip"
    description: ClassVar[str] = "Clear the balance and raise the limit by 5."

    def correction(self, state: oa.AccountState, statement: oa.Statement) -> oa.Correction:
        """Balance + T, limit + 5."""
        return oa.Correction(balance_delta=statement.total, limit_delta=Decimal(5))


def test_the_builtin_strategies_are_addressable_by_name() -> None:
    """The three built-ins are registered under none, zero-balance and limit-minus-invoiced."""
    assert sorted(oa.BUILTIN_STRATEGIES) == ["limit-minus-invoiced", "none", "zero-balance"]
    assert oa.resolve_strategy("none") == oa.NoCorrection()
    assert oa.resolve_strategy("zero-balance") == oa.ZeroBalance()
    assert oa.resolve_strategy("limit-minus-invoiced") == oa.LimitMinusInvoiced()
    for name, strategy in oa.BUILTIN_STRATEGIES.items():
        assert strategy.name == name
        assert strategy.description
        assert isinstance(strategy, oa.ResetStrategy)


def test_an_unknown_name_is_refused_listing_the_known_ones() -> None:
    """An unknown strategy name raises UnknownStrategy naming it and the known names."""
    with pytest.raises(oa.UnknownStrategy) as caught:
        oa.resolve_strategy("zero_balance")
    message = str(caught.value)
    assert "'zero_balance' is unknown" in message
    assert "limit-minus-invoiced, none, zero-balance" in message
    assert caught.value.value == "zero_balance"
    assert caught.value.field == "strategy"


def test_an_object_that_is_no_strategy_is_refused() -> None:
    """An object without name, description and correction is refused naming it."""
    with pytest.raises(oa.UnknownStrategy, match=r"42 is not a reset strategy"):
        oa.resolve_strategy(42)  # type: ignore[arg-type]


def test_a_host_strategy_is_accepted_as_it_is() -> None:
    """A host's own strategy object passes through resolve_strategy unchanged."""
    tip = Tip()
    assert oa.resolve_strategy(tip) is tip
    assert isinstance(tip, oa.ResetStrategy)


def test_no_correction_changes_nothing() -> None:
    """NoCorrection: balance, limit and spending room unchanged."""
    correction = oa.NoCorrection().correction(STATE, statement_of("12.50"))
    assert correction == oa.Correction()
    assert correction.is_zero


def test_zero_balance_raises_the_balance_by_the_invoiced_amount() -> None:
    """ZeroBalance: balance + T, limit unchanged, so spending room + T."""
    correction = oa.ZeroBalance().correction(STATE, statement_of("12.50"))
    assert correction == oa.Correction(balance_delta=Decimal("12.50"))


def test_limit_minus_invoiced_lowers_the_limit_by_the_invoiced_amount() -> None:
    """LimitMinusInvoiced: balance + T and limit − T, so the spending room stays."""
    correction = oa.LimitMinusInvoiced().correction(STATE, statement_of("12.50"))
    assert correction == oa.Correction(Decimal("12.50"), Decimal("-12.50"))
    assert correction.balance_delta + correction.limit_delta == 0


def test_corrections_negate_for_undo_and_know_when_they_are_zero() -> None:
    """−correction reverses both deltas; only the all-zero correction is zero."""
    correction = oa.Correction(Decimal("3.10"), Decimal("-3.10"))
    assert -correction == oa.Correction(Decimal("-3.10"), Decimal("3.10"))
    assert not correction.is_zero
    assert oa.Correction(Decimal("0.00"), Decimal("-0")).is_zero


@given(generated=oas.ledgers(), balance=st.integers(-(10**6), 10**6))
def test_every_strategy_does_what_the_design_table_says(
    generated: oas.GeneratedLedger, balance: int
) -> None:
    """For any statement, each built-in moves balance, limit and room as §5's table says."""
    for account in generated.accounts:
        statement = oa.statement(
            generated.ledger, account.number, generated.period, actor=generated.actor
        )
        state = oa.AccountState(
            account=account, balance=Decimal(balance).scaleb(-2), limit=account.limit
        )
        total = statement.total
        rows = {
            "none": (Decimal(0), Decimal(0), Decimal(0)),
            "zero-balance": (total, Decimal(0), total),
            "limit-minus-invoiced": (total, -total, Decimal(0)),
        }
        for name, (balance_change, limit_change, room_change) in rows.items():
            correction = oa.resolve_strategy(name).correction(state, statement)
            assert correction == oa.Correction(balance_change, limit_change)
            room = correction.balance_delta + correction.limit_delta
            assert room == room_change

"""Extreme and malformed values are typed refusals naming the value, never Python errors."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest

import onaccount as oa
from onaccount import (
    MAX_KEY_LENGTH,
    MAX_MINOR_UNITS,
    MAX_TEXT_LENGTH,
    Account,
    CreditBooking,
    InvalidValue,
    Line,
    OnAccountError,
    Purchase,
    Vat,
)

AT = dt.datetime(2026, 10, 3, 19, 40, tzinfo=dt.UTC)
VAT = Vat.standard("0.09")


def line(quantity: object = 1, unit_price: object = "2.40") -> Line:
    """A coffee with the given quantity and unit price."""
    return Line(product="Koffie", quantity=quantity, unit_price=unit_price, vat=VAT)


def refusal(call: object) -> OnAccountError:
    """The OnAccountError ``call()`` raises; it must also survive pickling."""
    assert callable(call)
    with pytest.raises(OnAccountError) as caught:
        call()
    error = caught.value
    assert pickle.loads(pickle.dumps(error)).message == error.message
    return error


@pytest.mark.parametrize("quantity", ["1e30", "1000000000", "-1e9"])
def test_a_huge_quantity_is_refused_naming_it(quantity: str) -> None:
    """1e30 and other quantities past the range are InvalidAmount, not decimal errors."""
    error = refusal(lambda: line(quantity=quantity))
    assert isinstance(error, oa.InvalidAmount)
    assert "quantity" in error.message
    assert str(Decimal(quantity)) in error.message


@pytest.mark.parametrize("price", ["1e30", "1e13", "0.0000001"])
def test_a_unit_price_out_of_range_is_refused_naming_it(price: str) -> None:
    """Unit prices of 10^13 or more, or with over six places, are refused before arithmetic."""
    error = refusal(lambda: line(unit_price=price))
    assert isinstance(error, oa.InvalidAmount)
    assert "unit price" in error.message


def test_a_purchase_past_the_stored_range_is_refused() -> None:
    """A line of 10^15 minor units or more is refused with the range, in the currency."""
    big = line(quantity=1000, unit_price="99999999999")
    error = refusal(lambda: Purchase(id="p", account="1", at=AT, lines=[big]))
    assert isinstance(error, oa.InvalidAmount)
    assert "10000000000000.00 EUR" in error.message
    # Just below the range is kept exactly.
    fine = line(quantity=1, unit_price="9999999999999.99")
    assert Purchase(id="q", account="1", at=AT, lines=[fine]).total == Decimal("9999999999999.99")


def test_a_purchase_total_past_the_stored_range_is_refused() -> None:
    """Lines each inside the range whose sum is not are refused as a total."""
    half = line(quantity=1, unit_price="6000000000000")
    error = refusal(lambda: Purchase(id="p", account="1", at=AT, lines=[half, half]))
    assert "total" in error.message


@pytest.mark.parametrize("amount", ["1e30", "10000000000000", "1e15"])
def test_a_huge_credit_or_limit_is_refused(amount: str) -> None:
    """Credits and limits of 10^15 minor units or more are refused naming the amount."""
    credit = refusal(
        lambda: CreditBooking(id="c", account="1", at=AT, credit=amount, reason="top-up")
    )
    assert isinstance(credit, oa.InvalidAmount)
    assert str(Decimal(amount)) in credit.message
    limit = refusal(lambda: Account(number="1", name="Jan", limit=amount))
    assert isinstance(limit, oa.InvalidAmount)
    assert MAX_MINOR_UNITS == 10**15


def test_a_zero_quantity_is_refused() -> None:
    """Quantity 0 would make an empty 0.00 line: refused, saying what to do."""
    error = refusal(lambda: line(quantity=0))
    assert isinstance(error, InvalidValue)
    assert "quantity 0" in error.message


@pytest.mark.parametrize(
    "instant",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    ],
)
def test_instants_outside_1900_to_9999_are_refused(instant: dt.datetime) -> None:
    """Year 1, 1899 and the last day of 9999 are InvalidValue naming the instant."""
    error = refusal(lambda: Purchase(id="p", account="1", at=instant, lines=[line()]))
    assert isinstance(error, InvalidValue)
    assert "between 1900-01-01 and 9999-12-30" in error.message


def test_instants_at_the_edges_of_the_range_are_kept() -> None:
    """The first instant of 1900 and the last of 9999-12-30 are fine."""
    for instant in (
        dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=dt.UTC),
    ):
        assert Purchase(id="p", account="1", at=instant, lines=[line()]).at == instant


@pytest.mark.parametrize(
    "build",
    [
        lambda text: Account(number="1", name=text),
        lambda text: Account(number="1", name="Jan", group=text),
        lambda text: Account(number="1", name="Jan", tags={text}),
        lambda text: Line(product=text, quantity=1, unit_price=1, vat=VAT),
        lambda text: CreditBooking(id="c", account="1", at=AT, credit=1, reason=text),
        lambda text: Purchase(id="p", account="1", at=AT, lines=[line()], note=text),
    ],
    ids=["name", "group", "tag", "product", "reason", "note"],
)
def test_text_that_no_database_can_store_is_refused(build: object) -> None:
    """A lone surrogate in any text is refused naming the field, on every ledger alike."""
    assert callable(build)
    error = refusal(lambda: build("Team \ud800 A"))
    assert isinstance(error, InvalidValue)
    assert "lone surrogate" in error.message


def test_over_long_text_is_refused_with_the_limit() -> None:
    """Names past MAX_TEXT_LENGTH and keys past MAX_KEY_LENGTH are refused with the limit."""
    name = refusal(lambda: Account(number="1", name="x" * (MAX_TEXT_LENGTH + 1)))
    assert f"at most {MAX_TEXT_LENGTH}" in name.message
    assert Account(number="1", name="x" * MAX_TEXT_LENGTH).name
    number = refusal(lambda: Account(number="1" * (MAX_KEY_LENGTH + 1), name="Jan"))
    assert f"at most {MAX_KEY_LENGTH}" in number.message
    tx_id = refusal(
        lambda: Purchase(id="p" * (MAX_KEY_LENGTH + 1), account="1", at=AT, lines=[line()])
    )
    assert f"at most {MAX_KEY_LENGTH}" in tx_id.message


@pytest.mark.parametrize("number", [" A", "A ", " 1042 ", "1042\n"])
def test_account_numbers_with_surrounding_white_space_are_refused(number: str) -> None:
    """' A ' is never a second account beside 'A': refused, naming the trimmed number."""
    error = refusal(lambda: Account(number=number, name="Jan"))
    assert isinstance(error, InvalidValue)
    assert repr(number.strip()) in error.message
    booking = refusal(lambda: Purchase(account=number, at=AT, lines=[line()]))
    assert repr(number.strip()) in booking.message


def test_plan_run_refuses_an_unknown_currency_itself() -> None:
    """plan_run(currency='usd') is one UnknownCurrency suggesting 'USD', not N refusals."""
    ledger = oa.MemoryLedger()
    ledger.open_account(Account(number="1", name="Jan", limit=100, currency="USD"))
    period = oa.Period.month(2026, 10, tz="Europe/Amsterdam")
    actor = oa.Actor.superuser("test")
    with pytest.raises(oa.UnknownCurrency, match="use 'USD'"):
        oa.plan_run(ledger, period, ["1"], "none", actor=actor, currency="usd")
    with pytest.raises(oa.UnknownCurrency, match="'XYZ'"):
        oa.plan_run(ledger, period, ["1"], "none", actor=actor, currency="XYZ")

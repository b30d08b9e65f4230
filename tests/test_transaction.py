import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onaccount import (
    CURRENCIES,
    Account,
    CreditBooking,
    CreditKind,
    FloatNotAllowed,
    InvalidAmount,
    InvalidValue,
    Line,
    Mutation,
    MutationKind,
    NaiveDatetime,
    NotAnInstant,
    OnAccountError,
    Purchase,
    UnknownCurrency,
    Vat,
)
from onaccount._money import DecimalLike

AT = dt.datetime(2026, 10, 4, 1, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
VAT = Vat.standard("0.09")

# Quantity 0 is refused: a line sells something (or takes it back).
quantities = st.decimals(min_value=-1000, max_value=1000, places=3).filter(bool)
unit_prices = st.decimals(min_value=0, max_value=10_000, places=4)


def half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction to ``places`` decimals, halves away from zero (the oracle)."""
    units = math.floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(units if value >= 0 else -units).scaleb(-places)


def line(
    quantity: DecimalLike = 1,
    unit_price: DecimalLike = "2.50",
    *,
    product: str = "Coffee",
    vat: Vat = VAT,
    code: str | None = None,
    group: str | None = None,
) -> Line:
    """A line of coffee with the given quantity and unit price."""
    return Line(
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        vat=vat,
        code=code,
        group=group,
    )


def purchase(*lines: Line, at: dt.datetime = AT, currency: str = "EUR", **given: str) -> Purchase:
    """A purchase on account 1001 at a fixed instant."""
    return Purchase(account="1001", at=at, lines=lines, currency=currency, **given)


# -- lines ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        ("3", "2.50", "7.50"),
        ("1", "0.005", "0.01"),
        ("0.5", "0.01", "0.01"),
        ("3", "0.335", "1.01"),
        ("1", "0.00499", "0.00"),
        ("-1", "0.005", "-0.01"),
        ("-2", "2.50", "-5.00"),
        ("0.333", "3.00", "1.00"),
        ("-1", "0", "0.00"),
        ("-2", "0.001", "0.00"),
    ],
)
def test_line_amount_is_rounded_half_up(quantity: str, unit_price: str, amount: str) -> None:
    """A line's amount is quantity × unit price rounded half up to the cent, zero as 0.00."""
    assert str(line(Decimal(quantity), Decimal(unit_price)).amount()) == amount


@given(quantity=quantities, unit_price=unit_prices, currency=st.sampled_from(sorted(CURRENCIES)))
def test_line_amount_matches_exact_half_up_rounding(
    quantity: Decimal, unit_price: Decimal, currency: str
) -> None:
    """Line.amount equals half-up rounding of the exact product, in the currency's places."""
    result = line(quantity, unit_price).amount(currency)
    places = CURRENCIES[currency]
    assert result == half_up(Fraction(quantity) * Fraction(unit_price), places)
    assert result.as_tuple().exponent == -places


def test_line_amount_uses_the_currency_places() -> None:
    """The same line rounds to whole yen but to cents of a euro."""
    coffee = line("1", "99.5")
    assert coffee.amount("JPY") == Decimal(100)
    assert coffee.amount("EUR") == Decimal("99.50")


def test_line_converts_and_strips_its_fields() -> None:
    """A line turns text numbers into Decimals and strips code and group, blank becoming None."""
    coffee = line("2", "2.50", code=" 0042 ", group="  ")
    assert coffee.quantity == Decimal(2)
    assert coffee.unit_price == Decimal("2.50")
    assert coffee.code == "0042"
    assert coffee.group is None


@pytest.mark.parametrize("product", ["", "   "])
def test_empty_product_name_is_refused(product: str) -> None:
    """A line whose product name is empty or blank raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        line(product=product)
    assert repr(product) in str(caught.value)
    assert "product" in str(caught.value)
    assert caught.value.value == product
    assert caught.value.field == "product"
    assert isinstance(caught.value, OnAccountError)


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (
            lambda: line(product=123),  # type: ignore[arg-type]  # what untyped callers pass
            "line product 123 is an int, not text; pass '123'",
        ),
        (
            lambda: Account(number=1042, name="B"),  # type: ignore[arg-type]  # as above
            "account number 1042 is an int, not text; pass '1042'",
        ),
        (
            lambda: Account(number="1042", name=None),  # type: ignore[arg-type]  # as above
            "account name is missing; give a non-empty",
        ),
    ],
)
def test_a_key_or_name_that_is_no_text_is_refused_as_such_not_as_empty(
    build: Callable[[], object], words: str
) -> None:
    """A number where text belongs is named as a number with the text to pass, not "empty"."""
    with pytest.raises(InvalidValue) as caught:
        build()
    assert caught.value.message.startswith(words), caught.value.message
    assert " is empty" not in caught.value.message


def test_float_quantity_is_refused() -> None:
    """A float quantity raises FloatNotAllowed, a TypeError naming the float."""
    with pytest.raises(FloatNotAllowed) as caught:
        line(quantity=1.5)  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "1.5" in str(caught.value)
    assert "quantity" in str(caught.value)
    assert caught.value.value == 1.5
    assert isinstance(caught.value, TypeError)


def test_float_unit_price_is_refused() -> None:
    """A float unit price raises FloatNotAllowed, a TypeError naming the float."""
    with pytest.raises(FloatNotAllowed) as caught:
        line(unit_price=2.35)  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "2.35" in str(caught.value)
    assert "unit price" in str(caught.value)
    assert caught.value.value == 2.35
    assert isinstance(caught.value, TypeError)


def test_nan_unit_price_is_refused() -> None:
    """A NaN unit price raises InvalidAmount naming it."""
    with pytest.raises(InvalidAmount) as caught:
        line(unit_price="NaN")
    assert "'NaN'" in str(caught.value)
    assert caught.value.value == "NaN"


def test_infinite_quantity_is_refused() -> None:
    """An infinite quantity raises InvalidAmount naming it."""
    with pytest.raises(InvalidAmount) as caught:
        line(quantity=Decimal("Infinity"))
    assert "Infinity" in str(caught.value)
    assert caught.value.value == Decimal("Infinity")


def test_line_vat_must_be_a_vat() -> None:
    """A VAT given as a bare rate raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        line(vat=Decimal("0.21"))  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "0.21" in str(caught.value)
    assert caught.value.value == Decimal("0.21")
    assert caught.value.field == "vat"


# -- purchases ------------------------------------------------------------------------------------


def test_purchase_total_and_amount() -> None:
    """A purchase's total is the sum of its line amounts and its amount is minus the total."""
    bought = purchase(line("2", "2.50"), line("1", "3.95"))
    assert bought.total == Decimal("8.95")
    assert bought.amount == Decimal("-8.95")
    assert bought.lines == (line("2", "2.50"), line("1", "3.95"))


def test_purchase_total_sums_rounded_lines() -> None:
    """Lines are rounded one by one before they are added, like the receipts the customer got."""
    bought = purchase(line("1", "0.005"), line("1", "0.005"))
    assert bought.total == Decimal("0.02")


def test_return_raises_the_balance() -> None:
    """A purchase whose returns outweigh its sales has a negative total and positive amount."""
    bought = purchase(line("1", "2.50"), line("-3", "2.50"))
    assert bought.total == Decimal("-5.00")
    assert bought.amount == Decimal("5.00")


def test_purchase_total_uses_its_currency() -> None:
    """A purchase in yen rounds its lines to whole yen."""
    bought = purchase(line("1", "99.5"), line("1", "0.4"), currency="JPY")
    assert bought.total == Decimal(100)


@given(
    lines=st.lists(st.tuples(quantities, unit_prices), min_size=1, max_size=8),
    currency=st.sampled_from(["EUR", "JPY", "BHD"]),
)
def test_purchase_total_is_the_sum_of_line_amounts(
    lines: list[tuple[Decimal, Decimal]], currency: str
) -> None:
    """For any lines, total = Σ rounded line amounts and amount = −total."""
    built = [line(quantity, price) for quantity, price in lines]
    bought = purchase(*built, currency=currency)
    places = CURRENCIES[currency]
    expected = sum(half_up(Fraction(q) * Fraction(p), places) for q, p in lines)
    assert bought.total == expected
    assert bought.amount == -bought.total


def test_purchase_without_lines_is_refused() -> None:
    """A purchase with no lines raises InvalidValue naming the purchase and its account."""
    with pytest.raises(InvalidValue) as caught:
        Purchase(id="receipt-7", account="1001", at=AT, lines=[])
    message = str(caught.value)
    assert "receipt-7" in message
    assert "1001" in message
    assert "no lines" in message
    assert caught.value.value == ()
    assert caught.value.field == "lines"


def test_purchase_line_must_be_a_line() -> None:
    """Something other than a Line among a purchase's lines raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        Purchase(account="1001", at=AT, lines=[line(), "Coffee x2"])  # type: ignore[list-item]
    assert "'Coffee x2'" in str(caught.value)
    assert caught.value.value == "Coffee x2"


def test_naive_purchase_time_is_refused() -> None:
    """A purchase at a naive datetime raises NaiveDatetime naming the field and the time."""
    naive = dt.datetime(2026, 10, 4, 1, 30)
    with pytest.raises(NaiveDatetime) as caught:
        purchase(line(), at=naive)
    message = str(caught.value)
    assert "2026-10-04T01:30:00" in message
    assert "'at'" in message
    assert caught.value.value is naive
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("at", ["2026-10-04T01:30:00+02:00", dt.date(2026, 10, 4), 1759534200])
def test_purchase_time_must_be_a_datetime(at: object) -> None:
    """A purchase at text, a date or a number raises NotAnInstant, a TypeError saying so."""
    with pytest.raises(NotAnInstant) as caught:
        purchase(line(), at=at)  # type: ignore[arg-type]  # the refusal untyped callers get
    message = str(caught.value)
    assert f"transaction instant 'at' {at!r} is " in message
    assert "pass a timezone-aware datetime" in message
    assert caught.value.value == at
    assert caught.value.field == "at"
    assert isinstance(caught.value, TypeError)
    assert isinstance(caught.value, InvalidValue)
    assert not isinstance(caught.value, NaiveDatetime)


def test_credit_booking_time_must_be_a_datetime() -> None:
    """A credit booking at an ISO text raises NotAnInstant naming the text."""
    text = "2026-10-05T12:00:00+02:00"
    with pytest.raises(NotAnInstant, match=re.escape(f"'at' {text!r} is text")):
        CreditBooking(account="2001", at=text, credit=10, reason="Cash")  # type: ignore[arg-type]  # the refusal untyped callers get


def test_mutation_time_must_be_a_datetime() -> None:
    """A mutation at a date raises NotAnInstant naming the field and the date."""
    with pytest.raises(NotAnInstant, match=r"mutation instant 'at' datetime.date\(2026, 10, 4\)"):
        Mutation(
            account="1001",
            kind=MutationKind.MANUAL,
            balance_delta="5.00",
            actor="admin",
            at=dt.date(2026, 10, 4),  # type: ignore[arg-type]  # the refusal untyped callers get
            reason="Correction",
        )


def test_purchase_in_unknown_currency_is_refused() -> None:
    """A purchase in a currency outside ISO 4217 raises UnknownCurrency naming it."""
    with pytest.raises(UnknownCurrency) as caught:
        purchase(line(), currency="EURO")
    assert "'EURO'" in str(caught.value)
    assert caught.value.value == "EURO"


def test_purchase_keeps_its_instant_and_gets_an_id() -> None:
    """A purchase keeps its aware instant and gets a fresh, unique id unless given one."""
    first, second = purchase(line()), purchase(line())
    assert first.at == AT
    assert first.at == dt.datetime(2026, 10, 3, 23, 30, tzinfo=dt.UTC)
    assert first.id
    assert first.id != second.id
    assert purchase(line(), id="receipt-1").id == "receipt-1"


def test_empty_account_number_on_a_purchase_is_refused() -> None:
    """A purchase on a blank account number raises InvalidValue."""
    with pytest.raises(InvalidValue) as caught:
        Purchase(account=" ", at=AT, lines=[line()])
    assert caught.value.field == "account"


# -- credit bookings ------------------------------------------------------------------------------


def test_credit_booking_raises_the_balance() -> None:
    """A credit booking's amount is its credit, positive."""
    booking = CreditBooking(account="2001", at=AT, credit="25.00", reason="Top-up at the till")
    assert booking.amount == Decimal("25.00")
    assert booking.kind is CreditKind.PAYMENT


def test_credit_booking_kind_is_read_from_text() -> None:
    """The kind of a credit booking can be given as its text value."""
    booking = CreditBooking(account="2001", at=AT, credit=10, kind="top-up", reason="Cash")
    assert booking.kind is CreditKind.TOP_UP


@pytest.mark.parametrize("credit", ["0", "0.00", "-5.00"])
def test_credit_booking_with_non_positive_amount_is_refused(credit: str) -> None:
    """A credit of zero or less raises InvalidValue naming the amount."""
    with pytest.raises(InvalidValue) as caught:
        CreditBooking(id="cb-1", account="2001", at=AT, credit=credit, reason="Refund")
    assert f"amount {credit};" in str(caught.value)
    assert "cb-1" in str(caught.value)
    assert caught.value.value == Decimal(credit)
    assert caught.value.field == "credit"


def test_credit_booking_with_too_many_places_is_refused() -> None:
    """A credit with more places than the currency has raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        CreditBooking(account="2001", at=AT, credit="10.005", reason="Refund")
    assert "10.005" in str(caught.value)
    assert "10.01" in str(caught.value)
    assert caught.value.value == Decimal("10.005")


def test_credit_booking_float_is_refused() -> None:
    """A float credit raises FloatNotAllowed naming it."""
    with pytest.raises(FloatNotAllowed) as caught:
        CreditBooking(account="2001", at=AT, credit=10.5, reason="Refund")  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "10.5" in str(caught.value)


def test_unknown_credit_kind_is_refused() -> None:
    """A credit booking kind nobody defined raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        CreditBooking(account="2001", at=AT, credit=10, kind="gift", reason="Gift")  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "'gift'" in str(caught.value)
    assert caught.value.value == "gift"


def test_credit_booking_needs_a_reason() -> None:
    """A credit booking with a blank reason raises InvalidValue."""
    with pytest.raises(InvalidValue) as caught:
        CreditBooking(account="2001", at=AT, credit=10, reason=" ")
    assert caught.value.field == "reason"


# -- mutations ------------------------------------------------------------------------------------


def test_mutation_keeps_who_when_why() -> None:
    """A mutation stores its deltas as Decimals along with actor, instant and reason."""
    mutation = Mutation(
        account="1001",
        kind=MutationKind.LIMIT_CHANGE,
        limit_delta="-50.00",
        actor="admin",
        at=AT,
        reason="Lowered after run 7",
    )
    assert mutation.balance_delta == Decimal(0)
    assert mutation.limit_delta == Decimal("-50.00")
    assert mutation.run_id is None
    assert mutation.id


def test_naive_mutation_time_is_refused() -> None:
    """A mutation at a naive datetime raises NaiveDatetime naming the time."""
    naive = dt.datetime(2026, 10, 4, 12)
    with pytest.raises(NaiveDatetime) as caught:
        Mutation(
            account="1001",
            kind=MutationKind.MANUAL,
            balance_delta="5.00",
            actor="admin",
            at=naive,
            reason="Correction",
        )
    assert "2026-10-04T12:00:00" in str(caught.value)
    assert caught.value.value is naive


def test_float_mutation_delta_is_refused() -> None:
    """A float balance delta raises FloatNotAllowed naming it."""
    with pytest.raises(FloatNotAllowed) as caught:
        Mutation(
            account="1001",
            kind=MutationKind.MANUAL,
            balance_delta=5.1,  # type: ignore[arg-type]  # the refusal untyped callers get
            actor="admin",
            at=AT,
            reason="Correction",
        )
    assert "5.1" in str(caught.value)
    assert caught.value.field == "balance_delta"

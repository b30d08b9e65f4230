import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onaccount import (
    CURRENCIES,
    FloatNotAllowed,
    InvalidAmount,
    InvalidValue,
    MissingExemptionReason,
    OnAccountError,
    UnknownCurrency,
    UnknownVatCategory,
    Vat,
    VatCategory,
    minor_unit,
    round_money,
    vat_split,
)
from onaccount._money import check_currency, line_amount, to_decimal, vat_sort_key

EXEMPT_CATEGORIES = ["E", "AE", "K", "G", "O"]

amounts = st.decimals(
    min_value=-1_000_000, max_value=1_000_000, places=4, allow_nan=False, allow_infinity=False
)
rates = st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4)
currencies = st.sampled_from(["EUR", "USD", "JPY", "BHD", "CLF", "ISK"])


def half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction to ``places`` decimals, halves away from zero (the oracle)."""
    units = math.floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(units if value >= 0 else -units).scaleb(-places)


# -- to_decimal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        (Decimal("12.50"), Decimal("12.50")),
        (12, Decimal(12)),
        ("12.50", Decimal("12.50")),
        ("  -0.005\n", Decimal("-0.005")),
    ],
)
def test_to_decimal_accepts_decimals_ints_and_numeric_text(
    given_value: object, expected: Decimal
) -> None:
    """Decimals, ints and numeric strings (surrounding space ignored) become exact Decimals."""
    result = to_decimal(given_value, field="amount")
    assert isinstance(result, Decimal)
    assert result == expected
    assert str(result) == str(expected)


def test_float_amount_is_refused_as_a_type_error() -> None:
    """A float amount raises FloatNotAllowed, a TypeError naming the float and the field."""
    with pytest.raises(FloatNotAllowed) as caught:
        to_decimal(0.1, field="unit price", name="unit_price")
    error = caught.value
    assert isinstance(error, TypeError)
    assert isinstance(error, OnAccountError)
    assert "0.1" in str(error)
    assert "unit price" in str(error)
    assert "float" in str(error)
    assert error.value == 0.1
    assert error.field == "unit_price"


def test_bool_amount_is_refused() -> None:
    """A bool is not taken for 0 or 1 but refused as FloatNotAllowed."""
    with pytest.raises(FloatNotAllowed) as caught:
        to_decimal(True, field="quantity")
    assert "True" in str(caught.value)
    assert caught.value.value is True


@pytest.mark.parametrize("bad", [None, [1], object()], ids=["none", "list", "object"])
def test_non_numeric_types_are_refused(bad: object) -> None:
    """Values that are no number at all raise FloatNotAllowed naming their type."""
    with pytest.raises(FloatNotAllowed) as caught:
        to_decimal(bad, field="amount")
    assert type(bad).__name__ in str(caught.value)
    assert caught.value.value is bad


@pytest.mark.parametrize("nan", [Decimal("NaN"), Decimal("sNaN"), "NaN", "-nan"])
def test_nan_amount_is_refused(nan: object) -> None:
    """NaN, as a Decimal or as text, raises InvalidAmount naming it."""
    with pytest.raises(InvalidAmount) as caught:
        to_decimal(nan, field="amount")
    assert repr(nan) in str(caught.value)
    assert caught.value.value is nan
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "infinity", [Decimal("Infinity"), Decimal("-Infinity"), "Infinity", "-inf"]
)
def test_infinite_amount_is_refused(infinity: object) -> None:
    """Positive and negative infinity raise InvalidAmount naming the value."""
    with pytest.raises(InvalidAmount) as caught:
        to_decimal(infinity, field="amount")
    assert repr(infinity) in str(caught.value)
    assert caught.value.value is infinity


@pytest.mark.parametrize("text", ["", "twelve", "12,50", "1.2.3"])
def test_malformed_number_text_is_refused(text: str) -> None:
    """Text that is not a decimal number raises InvalidAmount naming the text."""
    with pytest.raises(InvalidAmount) as caught:
        to_decimal(text, field="amount")
    assert repr(text) in str(caught.value)
    assert caught.value.value == text


# -- currencies ---------------------------------------------------------------------------


def test_currency_table_holds_three_letter_codes() -> None:
    """Every known currency is a three-letter upper-case code with 0 to 4 minor places."""
    assert CURRENCIES["EUR"] == 2
    for code, places in CURRENCIES.items():
        assert len(code) == 3
        assert code.isalpha()
        assert code.isupper()
        assert places in {0, 2, 3, 4}


@pytest.mark.parametrize(
    ("currency", "quantum"),
    [("EUR", "0.01"), ("USD", "0.01"), ("JPY", "1"), ("BHD", "0.001"), ("CLF", "0.0001")],
)
def test_minor_unit_is_the_currency_quantum(currency: str, quantum: str) -> None:
    """minor_unit gives the smallest amount of a currency as a Decimal quantum."""
    assert minor_unit(currency) == Decimal(quantum)
    assert minor_unit(currency).as_tuple().exponent == Decimal(quantum).as_tuple().exponent


def test_unknown_currency_code_is_refused() -> None:
    """A code outside ISO 4217 raises UnknownCurrency naming the code."""
    with pytest.raises(UnknownCurrency) as caught:
        check_currency("XYZ")
    assert "'XYZ'" in str(caught.value)
    assert caught.value.value == "XYZ"
    assert caught.value.field == "currency"
    assert isinstance(caught.value, ValueError)


def test_lower_case_currency_code_gets_a_hint() -> None:
    """A lower-case code is refused with a hint to write it in upper case."""
    with pytest.raises(UnknownCurrency) as caught:
        check_currency("eur")
    assert "'eur'" in str(caught.value)
    assert "'EUR'" in str(caught.value)


def test_minor_unit_of_unknown_currency_is_refused() -> None:
    """minor_unit raises UnknownCurrency, not KeyError, for an unknown code."""
    with pytest.raises(UnknownCurrency) as caught:
        minor_unit("EURO")
    assert "'EURO'" in str(caught.value)
    assert caught.value.value == "EURO"


# -- rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "EUR", "0.01"),
        ("0.004999", "EUR", "0.00"),
        ("-0.005", "EUR", "-0.01"),
        ("2.675", "EUR", "2.68"),
        ("0.5", "JPY", "1"),
        ("1.0005", "BHD", "1.001"),
        ("12", "EUR", "12.00"),
        ("-0.004", "EUR", "0.00"),
        ("-0.4", "JPY", "0"),
        ("-0", "EUR", "0.00"),
    ],
)
def test_round_money_rounds_half_up_to_the_minor_unit(
    amount: str, currency: str, expected: str
) -> None:
    """round_money rounds halves away from zero to the minor unit; zero is never -0.00."""
    result = round_money(Decimal(amount), currency)
    assert str(result) == expected


@given(amount=amounts, currency=currencies)
def test_round_money_matches_exact_half_up(amount: Decimal, currency: str) -> None:
    """round_money equals half-up rounding of the exact value, at the currency's places."""
    places = CURRENCIES[currency]
    result = round_money(amount, currency)
    assert result == half_up(Fraction(amount), places)
    assert result.as_tuple().exponent == -places


def test_round_money_refuses_a_float() -> None:
    """round_money raises FloatNotAllowed for a float rather than an AttributeError."""
    with pytest.raises(FloatNotAllowed) as caught:
        round_money(0.125, "EUR")  # type: ignore[arg-type]
    assert "0.125" in str(caught.value)
    assert caught.value.value == 0.125


def test_round_money_refuses_nan() -> None:
    """round_money raises InvalidAmount for NaN instead of passing it on."""
    nan = Decimal("NaN")
    with pytest.raises(InvalidAmount) as caught:
        round_money(nan, "EUR")
    assert "NaN" in str(caught.value)
    assert caught.value.value is nan


# -- VAT categories and rates ---------------------------------------------------------------


def test_vat_category_parses_its_codes() -> None:
    """VatCategory.parse reads every UNCL 5305 code onaccount knows, and passes members on."""
    for category in VatCategory:
        assert VatCategory.parse(category.value) is category
        assert VatCategory.parse(category) is category


def test_unknown_vat_category_is_refused() -> None:
    """An unknown category code raises UnknownVatCategory naming the code."""
    with pytest.raises(UnknownVatCategory) as caught:
        Vat("X", Decimal(0))
    assert "'X'" in str(caught.value)
    assert caught.value.value == "X"
    assert caught.value.field == "category"
    assert isinstance(caught.value, ValueError)


def test_standard_vat_takes_a_fraction() -> None:
    """Vat.standard keeps the rate as an exact fraction and needs no exemption reason."""
    vat = Vat.standard("0.21")
    assert vat.category is VatCategory.STANDARD
    assert vat.rate == Decimal("0.21")
    assert vat.exemption_reason is None
    assert vat == Vat("S", Decimal("0.21"))


@pytest.mark.parametrize("rate", ["0", "-0.21", "1", "1.5"])
def test_standard_vat_rate_must_lie_between_zero_and_one(rate: str) -> None:
    """Category S refuses a rate of 0, below 0, or 1 and above, naming the rate."""
    with pytest.raises(InvalidValue) as caught:
        Vat.standard(rate)
    assert f"VAT rate {rate} " in str(caught.value)
    assert caught.value.value == Decimal(rate)
    assert caught.value.field == "rate"


@pytest.mark.parametrize(
    ("rate", "hint"),
    [
        ("0", "; for a rate of 0 % use Vat.zero() (vat_category Z on the command line)"),
        ("-0.21", ""),
    ],
)
def test_a_standard_rate_of_zero_or_below_says_it_must_be_above_zero(rate: str, hint: str) -> None:
    """Category S at 0 or below must be above 0; at 0 the refusal points to Vat.zero()."""
    with pytest.raises(InvalidValue) as caught:
        Vat.standard(rate)
    assert caught.value.message == (
        f"VAT rate {rate} for category S must be above 0 and below 1{hint}"
    )


def test_standard_vat_rate_given_in_percent_gets_a_hint() -> None:
    """A rate of 21 is refused with the hint to write 21 % as 0.21, in words, not Python."""
    with pytest.raises(InvalidValue) as caught:
        Vat.standard(21)
    message = str(caught.value)
    assert message.endswith("; rates are fractions: write 21% as 0.21")
    assert "Decimal(" not in message
    assert caught.value.value == Decimal(21)
    with pytest.raises(InvalidValue) as caught:
        vat_split(Decimal("10.00"), Decimal(9))
    assert caught.value.message == (
        "VAT rate 9 must lie from 0 up to 1; rates are fractions: write 9% as 0.09"
    )


def test_vat_rate_as_float_is_refused() -> None:
    """A float VAT rate raises FloatNotAllowed naming the float."""
    with pytest.raises(FloatNotAllowed) as caught:
        Vat.standard(0.21)  # type: ignore[arg-type]
    assert "0.21" in str(caught.value)
    assert caught.value.value == 0.21


@pytest.mark.parametrize("category", ["Z", *EXEMPT_CATEGORIES])
def test_non_standard_vat_rate_must_be_zero(category: str) -> None:
    """Categories other than S refuse a non-zero rate, naming rate and category."""
    with pytest.raises(InvalidValue) as caught:
        Vat(category, Decimal("0.09"), "Exempt by law")
    assert "0.09" in str(caught.value)
    assert category in str(caught.value)
    assert caught.value.value == Decimal("0.09")
    assert caught.value.field == "rate"


def test_zero_rated_vat_needs_no_reason() -> None:
    """Category Z has rate 0 and no exemption reason."""
    vat = Vat.zero()
    assert vat.category is VatCategory.ZERO
    assert vat.rate == 0
    assert not vat.category.needs_exemption_reason


@pytest.mark.parametrize("category", EXEMPT_CATEGORIES)
def test_exempt_category_without_reason_is_refused(category: str) -> None:
    """An exempt category without a reason raises MissingExemptionReason naming the category."""
    with pytest.raises(MissingExemptionReason) as caught:
        Vat(category)
    assert f"category {category} " in str(caught.value)
    assert caught.value.value == category
    assert caught.value.field == "exemption_reason"
    assert isinstance(caught.value, ValueError)


def test_blank_exemption_reason_counts_as_missing() -> None:
    """A reason of only white space is no reason."""
    with pytest.raises(MissingExemptionReason):
        Vat.exempt("   ")


def test_exempt_vat_keeps_its_stripped_reason() -> None:
    """Vat.exempt stores the reason without surrounding space and takes other categories."""
    vat = Vat.exempt("  Article 11  ", "AE")
    assert vat.category is VatCategory.REVERSE_CHARGE
    assert vat.rate == 0
    assert vat.exemption_reason == "Article 11"


@pytest.mark.parametrize(
    ("rate", "percent", "text"),
    [
        ("0.21", "21", "S 21%"),
        ("0.09", "9", "S 9%"),
        ("0.055", "5.5", "S 5.5%"),
        ("0.2", "20", "S 20%"),
    ],
)
def test_vat_percent_and_str(rate: str, percent: str, text: str) -> None:
    """Vat.percent is the plain percentage and str(vat) shows category and percent."""
    vat = Vat.standard(rate)
    assert str(vat.percent) == percent
    assert str(vat) == text


def test_vat_sort_key_orders_by_category_code_then_rate() -> None:
    """vat_sort_key sorts mixed categories by code, then rate, as breakdowns list them."""
    mixed = [
        Vat.zero(),
        Vat.standard("0.21"),
        Vat.exempt("Article 11"),
        Vat.standard("0.09"),
    ]
    assert sorted(mixed, key=vat_sort_key) == [
        Vat.exempt("Article 11"),
        Vat.standard("0.09"),
        Vat.standard("0.21"),
        Vat.zero(),
    ]


def test_vat_is_hashable_and_compares_by_value() -> None:
    """Equal Vats are equal and hash alike, so they can key a VAT breakdown."""
    assert Vat.standard("0.21") == Vat.standard(Decimal("0.21"))
    assert len({Vat.standard("0.21"), Vat.standard("0.210"), Vat.zero()}) == 2


# -- VAT split ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gross", "rate", "net", "vat"),
    [
        ("12.10", "0.21", "10.00", "2.10"),
        ("10.00", "0.21", "8.26", "1.74"),
        ("10.90", "0.09", "10.00", "0.90"),
        ("0.01", "0.21", "0.01", "0.00"),
        ("-12.10", "0.21", "-10.00", "-2.10"),
        ("7.50", "0", "7.50", "0.00"),
        ("-3.90", "0", "-3.90", "0.00"),
        ("-0.01", "0.21", "-0.01", "0.00"),
        ("-0.00", "0.21", "0.00", "0.00"),
    ],
)
def test_vat_split_examples(gross: str, rate: str, net: str, vat: str) -> None:
    """vat_split gives the expected cents for known receipts, returns and zero VAT included."""
    split = vat_split(Decimal(gross), Decimal(rate))
    assert split.gross == Decimal(gross)
    # Compared as text: Decimal("-0.00") == Decimal("0.00"), but a statement prints the sign.
    assert str(split.net) == net
    assert str(split.vat) == vat


@given(gross=amounts, rate=rates, currency=currencies)
def test_vat_split_net_plus_vat_is_gross(gross: Decimal, rate: Decimal, currency: str) -> None:
    """For every gross and rate, net + vat == gross exactly."""
    split = vat_split(gross, rate, currency)
    assert split.net + split.vat == gross
    assert split.gross == gross


@given(gross=amounts, rate=rates, currency=currencies)
def test_vat_split_vat_is_rounded_half_up_from_the_exact_share(
    gross: Decimal, rate: Decimal, currency: str
) -> None:
    """The VAT part equals half-up rounding of the exact gross × rate / (1 + rate)."""
    split = vat_split(gross, rate, currency)
    exact = Fraction(gross) * Fraction(rate) / (1 + Fraction(rate))
    assert split.vat == half_up(exact, CURRENCIES[currency])
    assert split.vat.as_tuple().exponent == -CURRENCIES[currency]


@given(gross=amounts, rate=rates)
def test_vat_split_of_a_return_mirrors_the_sale(gross: Decimal, rate: Decimal) -> None:
    """Splitting −gross gives exactly −net and −vat of splitting gross."""
    sale = vat_split(gross, rate)
    ret = vat_split(-gross, rate)
    assert (ret.net, ret.vat) == (-sale.net, -sale.vat)


def is_negative_zero(amount: Decimal) -> bool:
    """Whether ``amount`` is zero with a minus sign, which prints as -0.00."""
    return amount.is_zero() and amount.is_signed()


#: Amounts around zero, where rounding a return gives a signed zero.
near_zero = (
    st.decimals(min_value=-1, max_value=1, places=6)
    | st.sampled_from([Decimal("-0"), Decimal("-0.00"), Decimal("-0.000001")])
    | amounts
)


@given(gross=near_zero, rate=rates, currency=currencies)
def test_no_split_or_rounded_amount_is_negative_zero(
    gross: Decimal, rate: Decimal, currency: str
) -> None:
    """Rounding, a VAT split and a line amount never give -0: zero prints as 0.00."""
    split = vat_split(gross, rate, currency)
    rounded = round_money(gross, currency)
    amount = line_amount(gross, rate, minor_unit(currency))
    for value in (split.gross, split.net, split.vat, rounded, amount):
        assert not is_negative_zero(value), (split, rounded, amount)


def test_vat_split_refuses_a_float_gross() -> None:
    """vat_split raises FloatNotAllowed for a float gross."""
    with pytest.raises(FloatNotAllowed) as caught:
        vat_split(12.1, Decimal("0.21"))  # type: ignore[arg-type]
    assert "12.1" in str(caught.value)
    assert caught.value.value == 12.1

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onaccount import (
    Account,
    AccountKind,
    Address,
    BillingDetails,
    FloatNotAllowed,
    InvalidAmount,
    InvalidValue,
    OnAccountError,
    UnknownCurrency,
)


def test_account_defaults() -> None:
    """A new account is a EUR limit account with limit 0, no group, no tags and no billing."""
    account = Account(number="1001", name="Jan Jansen")
    assert account.kind is AccountKind.LIMIT
    assert account.limit == Decimal(0)
    assert account.currency == "EUR"
    assert account.group is None
    assert account.tags == frozenset()
    assert account.billing is None
    assert account.label == "1001 'Jan Jansen'"


def test_account_converts_kind_limit_group_and_tags() -> None:
    """Kind text, limit text, a padded group and a tag list are converted on the way in."""
    account = Account(
        number="1002",
        name="Bar",
        kind="limit",
        limit="250.00",
        group="  Staff ",
        tags=["vip", "bar", "vip"],
        currency="USD",
    )
    assert account.kind is AccountKind.LIMIT
    assert account.limit == Decimal("250.00")
    assert account.group == "Staff"
    assert account.tags == frozenset({"vip", "bar"})
    assert account.currency == "USD"


def test_single_tag_string_is_one_tag() -> None:
    """A bare string for tags is one tag, not a set of its letters."""
    assert Account(number="1", name="A", tags="vip").tags == frozenset({"vip"})


def test_blank_group_becomes_none() -> None:
    """A group of only white space is no group."""
    assert Account(number="1", name="A", group="   ").group is None


def test_credit_account_has_limit_zero() -> None:
    """A credit (prepaid) account is accepted with limit 0."""
    account = Account(number="2001", name="Prepaid", kind=AccountKind.CREDIT)
    assert account.kind is AccountKind.CREDIT
    assert account.limit == 0


@pytest.mark.parametrize("field", ["number", "name"])
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_empty_number_or_name_is_refused(field: str, blank: str) -> None:
    """An account number or name with nothing but white space is refused, naming the field."""
    values = {"number": "1001", "name": "Jan", field: blank}
    with pytest.raises(InvalidValue) as caught:
        Account(number=values["number"], name=values["name"])
    assert repr(blank) in str(caught.value)
    assert field in str(caught.value)
    assert caught.value.value == blank
    assert caught.value.field == field


def test_unknown_account_kind_is_refused() -> None:
    """An account kind other than limit or credit raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        Account(number="1", name="A", kind="prepaid")  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "'prepaid'" in str(caught.value)
    assert caught.value.value == "prepaid"
    assert caught.value.field == "kind"


def test_negative_limit_is_refused() -> None:
    """A limit below zero raises InvalidValue naming the limit and the account."""
    with pytest.raises(InvalidValue) as caught:
        Account(number="1001", name="Jan", limit="-10.00")
    error = caught.value
    assert "-10.00" in str(error)
    assert "1001" in str(error)
    assert error.value == Decimal("-10.00")
    assert error.field == "limit"
    assert isinstance(error, ValueError)
    assert isinstance(error, OnAccountError)


@given(limit=st.decimals(max_value=Decimal("-0.01"), allow_nan=False, allow_infinity=False))
def test_every_negative_limit_is_refused(limit: Decimal) -> None:
    """No negative limit, however small or large, is accepted."""
    with pytest.raises(InvalidValue) as caught:
        Account(number="1", name="A", limit=limit)
    assert caught.value.value == limit


def test_float_limit_is_refused() -> None:
    """A float limit raises FloatNotAllowed, a TypeError naming the float."""
    with pytest.raises(FloatNotAllowed) as caught:
        Account(number="1", name="A", limit=100.5)  # type: ignore[arg-type]  # the refusal untyped callers get
    assert "100.5" in str(caught.value)
    assert caught.value.value == 100.5
    assert isinstance(caught.value, TypeError)


def test_nan_limit_is_refused() -> None:
    """A NaN limit raises InvalidAmount."""
    with pytest.raises(InvalidAmount) as caught:
        Account(number="1", name="A", limit=Decimal("NaN"))
    assert "NaN" in str(caught.value)


@pytest.mark.parametrize("limit", ["0.01", "50"])
def test_credit_account_with_a_limit_is_refused(limit: str) -> None:
    """A credit account with a non-zero limit raises InvalidValue naming the limit."""
    with pytest.raises(InvalidValue) as caught:
        Account(number="2001", name="Prepaid", kind="credit", limit=limit)
    assert limit in str(caught.value)
    assert "credit" in str(caught.value)
    assert caught.value.value == Decimal(limit)
    assert caught.value.field == "limit"


def test_unknown_account_currency_is_refused() -> None:
    """An account currency outside ISO 4217 raises UnknownCurrency naming it and the account."""
    with pytest.raises(UnknownCurrency) as caught:
        Account(number="1001", name="Jan", currency="XYZ")
    assert "'XYZ'" in str(caught.value)
    assert "1001" in str(caught.value)
    assert caught.value.value == "XYZ"


def test_accounts_compare_by_value() -> None:
    """Two accounts built alike are equal and hash alike."""
    one = Account(number="1", name="A", tags=["x"])
    two = Account(number="1", name="A", tags={"x"})
    assert one == two
    assert hash(one) == hash(two)


# -- addresses and billing details --------------------------------------------------------------


def test_address_strips_text_and_defaults_to_nl() -> None:
    """An address strips its parts, turns blanks into None and defaults to country NL."""
    address = Address(street=" Dam 1 ", postal_code="1012 JS", city="", country="NL")
    assert address.street == "Dam 1"
    assert address.city is None
    assert Address().country == "NL"


@pytest.mark.parametrize("country", ["nl", "NLD", "N1", ""])
def test_address_country_must_be_an_alpha_2_code(country: str) -> None:
    """A country that is not two upper-case letters raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        Address(country=country)
    assert repr(country) in str(caught.value)
    assert caught.value.value == country


def test_iban_is_normalised() -> None:
    """An IBAN written in lower-case groups is stored compact and upper case."""
    billing = BillingDetails(iban=" nl91 abna 0417 1643 00 ")
    assert billing.iban == "NL91ABNA0417164300"


def test_blank_billing_text_becomes_none() -> None:
    """Blank name, e-mail and IBAN are stored as None."""
    billing = BillingDetails(name="  ", email="", iban="   ")
    assert (billing.name, billing.email, billing.iban) == (None, None, None)


@pytest.mark.parametrize("email", ["treasurer", "@example.org", "treasurer@"])
def test_email_without_user_and_domain_is_refused(email: str) -> None:
    """An e-mail address without a user and a domain raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        BillingDetails(email=email)
    assert repr(email) in str(caught.value)
    assert caught.value.value == email
    assert caught.value.field == "email"


def test_mandate_id_without_date_is_refused() -> None:
    """A direct-debit mandate id without its signing date raises InvalidValue."""
    with pytest.raises(InvalidValue) as caught:
        BillingDetails(mandate_id="MANDATE-1")
    assert "mandate_date" in str(caught.value)
    assert caught.value.value == "MANDATE-1"
    assert caught.value.field == "mandate_date"


def test_mandate_date_without_id_is_refused() -> None:
    """A mandate date without the mandate id raises InvalidValue."""
    with pytest.raises(InvalidValue) as caught:
        BillingDetails(mandate_date=dt.date(2026, 1, 31))
    assert "mandate_id" in str(caught.value)
    assert caught.value.value == dt.date(2026, 1, 31)
    assert caught.value.field == "mandate_id"


def test_mandate_date_must_be_a_date() -> None:
    """A datetime or text as mandate date raises InvalidValue naming it."""
    moment = dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC)
    with pytest.raises(InvalidValue) as caught:
        BillingDetails(mandate_id="M-1", mandate_date=moment)
    assert "2026" in str(caught.value)
    assert caught.value.value == moment
    with pytest.raises(InvalidValue):
        BillingDetails(mandate_id="M-1", mandate_date="2026-01-31")  # type: ignore[arg-type]


def test_complete_billing_details_are_kept() -> None:
    """Billing details with address, VAT id, IBAN and a full mandate are kept as given."""
    billing = BillingDetails(
        name="Sportclub",
        address=Address(street="Dam 1", postal_code="1012 JS", city="Amsterdam"),
        email="treasurer@example.org",
        vat_id="NL123456789B01",
        iban="NL91ABNA0417164300",
        bic="ABNANL2A",
        mandate_id="M-1",
        mandate_date=dt.date(2026, 1, 31),
    )
    account = Account(number="1", name="Sportclub", billing=billing)
    assert account.billing is billing
    assert billing.mandate_date == dt.date(2026, 1, 31)


def test_billing_text_must_be_text() -> None:
    """A number where billing text belongs raises InvalidValue naming it."""
    with pytest.raises(InvalidValue) as caught:
        BillingDetails(vat_id=123456789)  # type: ignore[arg-type]
    assert "123456789" in str(caught.value)
    assert caught.value.value == 123456789


def test_a_nul_character_in_a_name_is_refused() -> None:
    """A NUL in a name is refused naming the text, since no database can store it."""
    with pytest.raises(InvalidValue, match="NUL") as caught:
        Account(number="1", name="Team\x00A")
    assert caught.value.value == "Team\x00A"


def test_a_nul_character_in_a_tag_is_refused() -> None:
    """Tags are text like names: a NUL in one is refused."""
    with pytest.raises(InvalidValue, match="NUL"):
        Account(number="1", name="A", tags={"vip\x00"})

from decimal import Decimal

import pytest

import onaccount as oa
from onaccount._query import fold_text

CAFE = oa.Account(
    number="2001", name="Café Zoë", limit=100, group="Members", tags=["vip", "board"]
)
TEAM = oa.Account(number="1042", name="Team A", limit=200, group="Teams")
PREPAID = oa.Account(number="9000", name="Prepaid", kind="credit")


def state(account: oa.Account, balance: str = "0", limit: str | None = None) -> oa.AccountState:
    """The account with ``balance`` and (by default) its opening limit."""
    return oa.AccountState(
        account=account,
        balance=Decimal(balance),
        limit=account.limit if limit is None else Decimal(limit),
    )


def test_fold_text_ignores_case_and_accents() -> None:
    """Folding makes "Café ZOË" and "cafe zoe" the same text."""
    assert fold_text("Café ZOË") == fold_text("cafe zoe") == "cafe zoe"
    assert fold_text("Straße") == "strasse"


def test_spending_room_is_limit_plus_balance() -> None:
    """The spending room is the limit plus the signed balance."""
    assert state(TEAM, "-23.80").spending_room == Decimal("176.20")
    assert state(PREPAID, "47.60").spending_room == Decimal("47.60")


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("<0", "<", Decimal(0)),
        ("<= -25.00", "<=", Decimal("-25.00")),
        (" =0 ", "=", Decimal(0)),
        (">=-50", ">=", Decimal(-50)),
        ("> 10.5", ">", Decimal("10.5")),
    ],
)
def test_balance_filters_are_read_from_text(text: str, op: str, value: Decimal) -> None:
    """BalanceFilter.parse reads an operator and a number, spaces allowed."""
    parsed = oa.BalanceFilter.parse(text)
    assert (parsed.op, parsed.value) == (op, value)
    assert oa.BalanceFilter.parse(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("below 0", "'below 0'"),
        ("<", "'<'"),
        ("0", "'0'"),
        ("=< 0", "'=< 0'"),
        ("<<0", "balance filter '<<0' has more than one operator (<<); write '<0'"),
        ("=<0", "balance filter '=<0' has more than one operator (=<); write '<=0'"),
        ("<zero", "value 'zero'"),
    ],
)
def test_unreadable_balance_filters_are_refused_naming_the_text(text: str, named: str) -> None:
    """A balance filter that cannot be read raises InvalidValue quoting the bad part."""
    with pytest.raises(oa.InvalidValue) as caught:
        oa.BalanceFilter.parse(text)
    assert named in str(caught.value)


def test_an_unknown_comparison_is_refused_naming_it() -> None:
    """BalanceFilter refuses an operator it does not know, listing the known ones."""
    with pytest.raises(oa.InvalidValue, match=r"balance comparison '!=' is unknown; use one of <"):
        oa.BalanceFilter("!=", 0)


def test_balance_filters_refuse_floats() -> None:
    """A float comparison value is refused like any float amount."""
    with pytest.raises(oa.FloatNotAllowed, match=r"balance filter value 0\.5 is a float"):
        oa.BalanceFilter("<", 0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("op", "matching"),
    [("<", ["-1"]), ("<=", ["-1", "0"]), ("=", ["0"]), (">=", ["0", "1"]), (">", ["1"])],
)
def test_balance_filters_compare_the_balance(op: str, matching: list[str]) -> None:
    """Each operator compares the balance with the value as written."""
    balance_filter = oa.BalanceFilter(op, 0)
    assert [b for b in ["-1", "0", "1"] if balance_filter.matches(Decimal(b))] == matching


def test_the_name_criterion_matches_a_folded_substring() -> None:
    """A name query finds accounts whose name contains it, ignoring case and accents."""
    query = oa.AccountQuery(name="  cafe zo ")
    assert query.name == "cafe zo"
    assert query.matches(state(CAFE))
    assert not query.matches(state(TEAM))


def test_every_given_criterion_must_match() -> None:
    """Numbers, group, tag, kind and balance all have to hold at once."""
    owing = state(CAFE, "-7.20")
    assert oa.AccountQuery().matches(owing)
    assert oa.AccountQuery(numbers="2001").matches(owing)
    assert oa.AccountQuery(numbers=["1042", "2001"], group="Members").matches(owing)
    assert oa.AccountQuery(tag="vip", kind="limit", balance="<0").matches(owing)
    assert not oa.AccountQuery(tag="vip", balance=">=0").matches(owing)
    assert not oa.AccountQuery(numbers=["1042"], tag="vip").matches(owing)
    assert not oa.AccountQuery(group="Teams").matches(owing)
    assert not oa.AccountQuery(kind=oa.AccountKind.CREDIT).matches(owing)
    assert not oa.AccountQuery(numbers=[]).matches(owing)


def test_a_query_balance_may_be_a_filter_or_its_text() -> None:
    """AccountQuery reads a balance given as text into a BalanceFilter."""
    assert oa.AccountQuery(balance="<0").balance == oa.BalanceFilter("<", 0)
    assert oa.AccountQuery(balance=oa.BalanceFilter(">", 5)).balance == oa.BalanceFilter(">", 5)


def test_an_unknown_account_kind_in_a_query_is_refused_naming_it() -> None:
    """AccountQuery(kind=...) refuses an unknown kind with InvalidValue, as Account does."""
    with pytest.raises(oa.InvalidValue, match=r"'savings'"):
        oa.AccountQuery(kind="savings")

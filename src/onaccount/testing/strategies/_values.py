"""Strategies for the domain's values: money, VAT, lines, accounts, periods, bookings."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypeVar, cast
from zoneinfo import ZoneInfo

import attrs
import pendulum
from hypothesis import strategies as st

from onaccount._account import Account, AccountKind, Address, BillingDetails, account_kind
from onaccount._enums import parse_enum
from onaccount._errors import InvalidValue
from onaccount._money import CURRENCIES, Vat, VatCategory, check_currency
from onaccount._party import PartyId
from onaccount._period import Period
from onaccount._permissions import Actor, Capability
from onaccount._transaction import CreditBooking, CreditKind, Line, Purchase
from onaccount._words import a_type

__all__ = [
    "DAY_STARTS",
    "DST_DATES",
    "HOSTILE_TEXTS",
    "TIME_ZONES",
    "account_names",
    "account_numbers",
    "accounts",
    "actors",
    "billing_details",
    "credit_bookings",
    "currencies",
    "day_starts",
    "instants",
    "lines",
    "periods",
    "purchases",
    "time_zones",
    "vats",
]

T = TypeVar("T")

#: Text that spreadsheets execute, XML cannot hold, or file systems and terminals mangle.
HOSTILE_TEXTS: tuple[str, ...] = (
    "=SUM(A1)",
    "+31 6 12345678",
    "@x",
    "-1",
    '=HYPERLINK("http://evil.example","click")',
    "\t=1+1",
    "\r=cmd|' /C calc'!A0",
    "Tab\tin the middle",
    "Line\nbreak",
    "Crème brûlée",
    "Zoë's 🍺 & 🍟",
    "a\x01b\x08c\x0bd\x0ce\x1ff\x7fg",
    '<b>&amp;</b> "quoted"',
    "../../etc/passwd",
    "CON",
    "名前の長い口座",
    "مرحبا",
    "\u202eRTL override",
    "O'Brien; DROP TABLE accounts; --",
    "  padded  ",
    "x" * 70,
)

#: Time zones the strategies draw from: DST in both hemispheres, none, a half-hour
#: offset, a half-hour DST shift (Lord Howe) and a DST switch at midnight (Havana).
TIME_ZONES: tuple[str, ...] = (
    "Europe/Amsterdam",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "Europe/London",
    "America/Havana",
    "Australia/Lord_Howe",
)

#: Business-day starts: midnight, the hospitality favourites, and times DST skips or repeats.
DAY_STARTS: tuple[dt.time, ...] = (
    dt.time(0, 0),
    dt.time(4, 0),
    dt.time(2, 30),
    dt.time(2, 0),
    dt.time(3, 0),
    dt.time(1, 0),
    dt.time(6, 0),
    dt.time(5, 30),
)

#: The 2026 dates on which one of `TIME_ZONES` changes its clocks.
DST_DATES: tuple[dt.date, ...] = (
    dt.date(2026, 10, 25),
    dt.date(2026, 3, 29),
    dt.date(2026, 3, 8),
    dt.date(2026, 11, 1),
    dt.date(2026, 4, 5),
    dt.date(2026, 9, 27),
    dt.date(2026, 10, 4),
)

# Currencies weighted towards EUR, with 0 (JPY) and 3 (KWD) minor-unit places in the mix.
_CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "JPY", "KWD", "CHF", "SEK")
# Roughly what one euro buys, so prices and limits look like real ones in every currency.
_MAGNITUDE: dict[str, Decimal] = {
    "EUR": Decimal(1),
    "USD": Decimal(1),
    "GBP": Decimal(1),
    "CHF": Decimal(1),
    "SEK": Decimal(11),
    "JPY": Decimal(160),
    "KWD": Decimal("0.3"),
}

_VATS: tuple[Vat, ...] = (
    Vat.standard("0.21"),
    Vat.standard("0.09"),
    Vat.standard("0.21"),
    Vat.standard("0.19"),
    Vat.standard("0.07"),
    Vat.standard("0.055"),
    Vat.standard("0.0825"),
    Vat.zero(),
    Vat.exempt("Exempt under article 11 of the VAT Act"),
    Vat.exempt("Reverse charge", VatCategory.REVERSE_CHARGE),
    Vat.exempt("=Outside the scope of VAT", VatCategory.OUTSIDE_SCOPE),
)

_PRODUCTS = (
    "Beer",
    "Coffee",
    "Fries",
    "Bitterballen (8)",
    "Red wine 0.15 l",
    "Tosti ham/cheese",
    "Sparkling water",
    "Apple pie",
    "Cheese (per kg)",
    "Club shirt",
)
_PRODUCT_GROUPS = ("Drinks", "Food", "Merchandise", "Bar; =kitchen")
_ACCOUNT_NAMES = (
    "Team A",
    "Café Zoë",
    "Hockey club De Ruif",
    "J. de Vries",
    "Müller & Söhne GmbH",
    "Ørsted Ålborg",
    "Staff",
)
_ACCOUNT_GROUPS = ("Teams", "Staff", "Members", "Café & co")
_TAGS = ("vip", "board", "volunteer", "=tag")
_HOSTILE_NUMBERS = ("0042", "=1+1", "1e5", "12/10", "+31", "-7", "A-12 3")
_CREDIT_REASONS = ("Cash top-up", "Bank transfer", "Refund of deposit", "=SUM(A1)")

_KINDS = (AccountKind.LIMIT, AccountKind.LIMIT, AccountKind.LIMIT, AccountKind.CREDIT)
_SUPERUSER = Actor.superuser("hypothesis")


# Hypothesis validates a strategy the first time it draws from it, which costs more than
# the draw: the strategies below are built once, not on every draw, so that a ledger of
# a few hundred values is quick to draw (HealthCheck.too_slow).

# NUL is left out: onaccount refuses it, since no database or document format keeps it.
_ANY_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00")
# Neither white space nor a control character, so a text holding one is never blank.
_VISIBLE_CHARACTER = st.characters(codec="utf-8", exclude_categories=("Z", "Cc"))


@st.composite
def _texts(draw: st.DrawFn, around: st.SearchStrategy[str]) -> str:
    text = draw(around)
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(_VISIBLE_CHARACTER) + text[at:]


@functools.cache
def _text(max_size: int = 20) -> st.SearchStrategy[str]:
    """Any unicode text with something besides white space, control characters included.

    Built around one visible character rather than filtered, so no draw is thrown away.
    """
    return _texts(st.text(_ANY_CHARACTER, max_size=max_size - 1))


def _weighted(
    *options: tuple[int, st.SearchStrategy[T]],
) -> st.SearchStrategy[T]:
    """Pick an option with the given weights; shrinks towards the first option."""
    table = [strategy for weight, strategy in options for _ in range(weight)]
    return st.sampled_from(table).flatmap(lambda s: s)


@functools.cache
def _sampled(values: tuple[T, ...]) -> st.SearchStrategy[T]:
    return st.sampled_from(values)


@functools.cache
def _one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws; shrinks towards False, where nothing extra happens."""
    return st.integers(0, n - 1).map(lambda k: k == n - 1)


def _worth(currency: str, extra_places: int, n: int) -> Decimal:
    """What ``n`` euro cents (or hundredths of a cent per extra place) are in ``currency``."""
    quantum = Decimal(1).scaleb(-(CURRENCIES[currency] + extra_places))
    magnitude = _MAGNITUDE.get(currency, Decimal(1))
    scale: int = 10**extra_places
    value = (Decimal(n) / (100 * scale) * magnitude).quantize(quantum, rounding=ROUND_HALF_UP)
    return max(value, quantum)


@functools.cache
def _money(
    currency: str, low: int, high: int, *, extra_places: int = 0
) -> st.SearchStrategy[Decimal]:
    """Amounts worth ``low``..``high`` euro cents in ``currency``, at its places (+ extra).

    With ``extra_places`` the amounts have digits beyond the minor unit, as unit prices
    per gram do.
    """
    scale: int = 10**extra_places
    convert = functools.partial(_worth, currency, extra_places)
    return st.integers(low * scale, high * scale).map(convert)


# -- money ------------------------------------------------------------------------------


_CURRENCY = st.sampled_from(_CURRENCIES)


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes, mostly EUR, with USD, GBP, CHF, SEK, JPY (0 places) and KWD (3)."""
    return _CURRENCY


_VAT = st.sampled_from(_VATS)


def vats() -> st.SearchStrategy[Vat]:
    """VAT: standard rates from 5.5 % to 21 % (8.25 % too), zero-rated and exempt ones."""
    return _VAT


@functools.cache
def _quantities(returns: bool) -> st.SearchStrategy[Decimal]:
    whole = st.integers(1, 6).map(Decimal)
    weighed = st.integers(1, 2500).map(lambda n: Decimal(n).scaleb(-3))
    options: list[tuple[int, st.SearchStrategy[Decimal]]] = [(14, whole), (2, weighed)]
    if returns:
        options.append((3, whole.map(lambda q: -q)))
        options.append((1, weighed.map(lambda q: -q)))
    return _weighted(*options)


@functools.cache
def _unit_prices(currency: str) -> st.SearchStrategy[Decimal]:
    return _weighted(
        (8, _money(currency, 5, 2500)),
        (1, _money(currency, 1, 500, extra_places=1)),
        (1, _money(currency, 1, 500, extra_places=2)),
        (1, st.just(Decimal(0))),
    )


@functools.cache
def _product_names() -> st.SearchStrategy[str]:
    return _weighted(
        (7, st.sampled_from(_PRODUCTS)),
        (2, st.sampled_from(HOSTILE_TEXTS)),
        (1, _text()),
    )


_PRODUCT_CODES = st.none() | st.integers(1, 9999).map(lambda n: f"PLU{n:04d}")
_PRODUCT_GROUP_OR_NONE = st.none() | st.sampled_from(_PRODUCT_GROUPS)


@st.composite
def _drawn_lines(draw: st.DrawFn, currency: str, returns: bool) -> Line:
    return Line(
        product=draw(_product_names()),
        quantity=draw(_quantities(returns)),
        unit_price=draw(_unit_prices(currency)),
        vat=draw(_VAT),
        code=draw(_PRODUCT_CODES),
        group=draw(_PRODUCT_GROUP_OR_NONE),
    )


@functools.cache
def _lines(currency: str, returns: bool) -> st.SearchStrategy[Line]:
    return _drawn_lines(currency, returns)


@functools.cache
def _receipts(currency: str, returns: bool, max_lines: int) -> st.SearchStrategy[list[Line]]:
    return st.lists(_lines(currency, returns), min_size=1, max_size=max_lines)


def lines(currency: str = "EUR", *, returns: bool = True) -> st.SearchStrategy[Line]:
    """Receipt lines priced in ``currency``.

    Unit prices mostly have the currency's places; some have one or two more (a price
    per kilogram), a few are free. Quantities are mostly whole, some weighed (three
    places), and with ``returns`` about one in five is negative: a return. Product names
    are realistic with hostile ones among them.
    """
    check_currency(currency)
    return _lines(currency, bool(returns))


# -- accounts ---------------------------------------------------------------------------


_NUMBERS = _weighted(
    (7, st.integers(1, 99999).map(str)),
    (1, st.integers(1, 9999).map(lambda n: f"{n:06d}")),
    (1, st.sampled_from(_HOSTILE_NUMBERS)),
)
_NAMES = _weighted(
    (5, st.sampled_from(_ACCOUNT_NAMES)),
    (3, st.sampled_from(HOSTILE_TEXTS)),
    (2, _text()),
)
_NAME_OR_NONE = st.none() | _NAMES


def account_numbers() -> st.SearchStrategy[str]:
    """Account numbers: mostly digits, some with leading zeros or that a spreadsheet reads."""
    return _NUMBERS


def account_names() -> st.SearchStrategy[str]:
    """Account names: realistic ones, `HOSTILE_TEXTS`, and arbitrary unicode text."""
    return _NAMES


_PARTY_IDS = (
    PartyId(scheme="0106", value="12345678"),
    PartyId(scheme="0208", value="0203201340"),
    PartyId(scheme="0190", value="00000001003214345000"),
    PartyId(scheme="9944", value="NL123456789B01"),
)


def _or_none(*values: T) -> st.SearchStrategy[T | None]:
    return st.none() | st.sampled_from(values)


_ADDRESSES = st.none() | st.builds(
    Address,
    street=st.sampled_from(("Dorpsstraat 1", "Rue de l'Église 3", "=A1 2")),
    postal_code=st.sampled_from(("1234 AB", "75001", "SW1A 1AA")),
    city=st.sampled_from(("Amsterdam", "Paris", "Zürich", "London")),
    country=st.sampled_from(("NL", "FR", "CH", "GB", "BE")),
)
_EMAILS = _or_none("treasurer@example.org", "zoë@café.example")
_VAT_IDS = _or_none("NL123456789B01", "BE0203201340")
_PEPPOL_IDS = _or_none(*_PARTY_IDS)
_REGISTRATIONS = _or_none(*_PARTY_IDS[:3])
_IBANS = _or_none("NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00", "BE68539007547034")
_BICS = _or_none("ABNANL2A", "COBADEFFXXX")


@st.composite
def _billing_details(draw: st.DrawFn) -> BillingDetails:
    mandate = draw(st.booleans())
    return BillingDetails(
        name=draw(_NAME_OR_NONE),
        address=draw(_ADDRESSES),
        email=draw(_EMAILS),
        vat_id=draw(_VAT_IDS),
        peppol_id=draw(_PEPPOL_IDS),
        registration=draw(_REGISTRATIONS),
        iban=draw(_IBANS),
        bic=draw(_BICS),
        mandate_id="MANDATE-0001" if mandate else None,
        mandate_date=dt.date(2025, 6, 1) if mandate else None,
    )


_BILLING = _billing_details()


def billing_details() -> st.SearchStrategy[BillingDetails]:
    """Billing details: any mix of name, address, e-mail, VAT id, party ids, IBAN and mandate."""
    return _BILLING


def _limit_in(currency: str, cents: int) -> Decimal:
    return _worth(currency, 0, cents) if cents else Decimal(0)


@functools.cache
def _limits(currency: str) -> st.SearchStrategy[Decimal]:
    return _weighted(
        (4, st.sampled_from((100, 200, 50, 250, 500, 1000)).map(lambda n: n * 100)),
        (1, st.just(0)),
        (1, st.integers(1, 100000)),
    ).map(functools.partial(_limit_in, currency))


_DRAWN_KINDS = st.sampled_from(_KINDS)
_ACCOUNT_GROUP_OR_NONE = _or_none(*_ACCOUNT_GROUPS)
_TAG_SETS = st.frozensets(st.sampled_from(_TAGS), max_size=2)
_BILLING_OR_NONE = st.none() | _BILLING


@st.composite
def _accounts(
    draw: st.DrawFn,
    kind: AccountKind | None,
    currency: str | None,
    numbers: st.SearchStrategy[str],
) -> Account:
    chosen_kind = draw(_DRAWN_KINDS) if kind is None else kind
    chosen_currency = draw(_CURRENCY) if currency is None else currency
    limit = Decimal(0) if chosen_kind is AccountKind.CREDIT else draw(_limits(chosen_currency))
    return Account(
        number=draw(numbers),
        name=draw(_NAMES),
        kind=chosen_kind,
        limit=limit,
        currency=chosen_currency,
        group=draw(_ACCOUNT_GROUP_OR_NONE),
        tags=draw(_TAG_SETS),
        billing=draw(_BILLING_OR_NONE),
    )


def accounts(
    kind: AccountKind | str | None = None,
    currency: str | None = None,
    *,
    numbers: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Account]:
    """Accounts of ``kind`` in ``currency`` (drawn when not given).

    Limit accounts get realistic limits (zero too); credit accounts have limit zero.
    Names include `HOSTILE_TEXTS` and arbitrary unicode; numbers come from ``numbers``
    or `account_numbers`.
    """
    resolved = None if kind is None else account_kind(kind)
    if currency is not None:
        check_currency(currency)
    return _accounts(resolved, currency, _NUMBERS if numbers is None else numbers)


def actors(
    capabilities: st.SearchStrategy[frozenset[Capability]] | None = None,
) -> st.SearchStrategy[Actor]:
    """Actors with any set of capabilities (or those ``capabilities`` draws)."""
    return st.builds(
        Actor,
        st.sampled_from(("admin", "clerk", "till-3", "=evil")),
        st.frozensets(st.sampled_from(Capability)) if capabilities is None else capabilities,
    )


# -- time -------------------------------------------------------------------------------


_TIME_ZONE = st.sampled_from(TIME_ZONES)
_DAY_START = st.sampled_from(DAY_STARTS)


def time_zones() -> st.SearchStrategy[str]:
    """IANA names from `TIME_ZONES`, shrinking towards Europe/Amsterdam."""
    return _TIME_ZONE


def day_starts() -> st.SearchStrategy[dt.time]:
    """Business-day starts from `DAY_STARTS`, shrinking towards midnight."""
    return _DAY_START


_MONTHS = st.sampled_from((10, 3, 11, 4, 9, 1, 2, 5, 6, 7, 8, 12))
_WEEKS = st.sampled_from((43, 13, 44, 10, 14, 39, 40, 1, 26, 52)) | st.integers(1, 53)
_QUARTERS = st.sampled_from((4, 1, 2, 3))
_ANCHORS = st.sampled_from(DST_DATES) | st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@st.composite
def _periods(
    draw: st.DrawFn,
    tz: str | None,
    day_starts_at: dt.time | None,
    shapes: tuple[_PeriodShape, ...],
) -> Period:
    zone = draw(_TIME_ZONE) if tz is None else tz
    start = draw(_DAY_START) if day_starts_at is None else day_starts_at
    shape = draw(_sampled(shapes))
    if shape == "month":
        return Period.month(2026, draw(_MONTHS), tz=zone, day_starts_at=start)
    if shape == "week":
        return Period.iso_week(2026, draw(_WEEKS), tz=zone, day_starts_at=start)
    if shape == "quarter":
        return Period.quarter(2026, draw(_QUARTERS), tz=zone, day_starts_at=start)
    anchor = draw(_ANCHORS)
    if shape == "day":
        return Period.day(anchor, tz=zone, day_starts_at=start)
    first = anchor - dt.timedelta(days=draw(st.integers(0, 7)))
    last = first + dt.timedelta(days=draw(st.integers(0, 14)))
    return Period.between(first, last, tz=zone, day_starts_at=start)


_PeriodShape = Literal["month", "week", "quarter", "day", "range"]
_KNOWN_SHAPES: tuple[_PeriodShape, ...] = ("month", "week", "quarter", "day", "range")
# Drawn when no shapes are given: months and ranges twice as often.
_SHAPES: tuple[_PeriodShape, ...] = ("month", "week", "range", "day", "month", "range", "quarter")


def _shapes(shapes: _PeriodShape | Iterable[_PeriodShape]) -> tuple[_PeriodShape, ...]:
    """The period shapes asked for; a bare string is one shape, as a bare tag is one tag."""
    given: tuple[object, ...] = (shapes,) if isinstance(shapes, str) else tuple(shapes)
    known = ", ".join(_KNOWN_SHAPES[:-1]) + f" or {_KNOWN_SHAPES[-1]}"
    if not given:
        raise InvalidValue(
            f"shapes={shapes!r} names no period shape; give one or more of {known}",
            value=shapes,
            field="shapes",
        )
    unknown: list[object] = []
    for shape in given:
        if shape not in _KNOWN_SHAPES and shape not in unknown:
            unknown.append(shape)
    if unknown:
        named = ", ".join(repr(s) for s in unknown)
        raise InvalidValue(
            f"period shape {named} is unknown; use {known}"
            if len(unknown) == 1
            else f"period shapes {named} are unknown; use {known}",
            value=shapes,
            field="shapes",
        )
    return cast(tuple[_PeriodShape, ...], given)


def periods(
    tz: str | None = None,
    day_starts_at: dt.time | str | None = None,
    *,
    shapes: _PeriodShape | Iterable[_PeriodShape] = _SHAPES,
) -> st.SearchStrategy[Period]:
    """Periods in 2026: months, ISO weeks, quarters, single days and ranges of dates.

    Months and weeks lean on the DST ones (March, October, November; weeks 13, 43 and
    44); days and ranges lie around `DST_DATES`. The time zone and business-day start
    are drawn unless given. ``shapes`` picks from "month", "week", "quarter", "day" and
    "range"; one shape may be given on its own (``shapes="day"``). The arguments are
    checked when the strategy is built.
    """
    start = None
    if day_starts_at is not None:
        # Validate and convert once, the way Period does.
        start = Period.day("2026-01-01", tz="UTC", day_starts_at=day_starts_at).day_starts_at
    if tz is not None:
        tz = Period.day("2026-01-01", tz=tz).tz
    return _periods(tz, start, _shapes(shapes))


def _check_period(period: object) -> Period | None:
    """``period`` itself, refused when the strategy is built unless it is a Period or None."""
    if period is not None and not isinstance(period, Period):
        raise InvalidValue(
            f"period {period!r} is {a_type(period)}, not a Period; pass a Period "
            "such as Period.month(2026, 10, tz='Europe/Amsterdam'), or None to draw one",
            value=period,
            field="period",
        )
    return period


_Region = Literal["inside", "before", "after", "outside"]


# A neighbour is a Period of its own, its day bounds worked out when it is made: the
# bookings of one ledger share a few.
@functools.lru_cache(maxsize=1024)
def _neighbour(period: Period, region: _Region, days: int) -> Period:
    if region == "before":
        first = period.first - dt.timedelta(days=days)
        last = period.first - dt.timedelta(days=1)
    else:
        first = period.last + dt.timedelta(days=1)
        last = period.last + dt.timedelta(days=days)
    return Period.between(first, last, tz=period.tz, day_starts_at=period.day_starts_at)


_SIDES: st.SearchStrategy[_Region] = st.sampled_from(("before", "after"))
_MICROSECONDS = st.sampled_from((0, 0, 0, 999999)) | st.integers(0, 999999)


@st.composite
def _instants(draw: st.DrawFn, period: Period | None, region: _Region) -> dt.datetime:
    if period is None:
        period = draw(_periods(None, None, _SHAPES))
    if region == "outside":
        region = draw(_SIDES)
    if region != "inside":
        period = _neighbour(period, region, draw(st.integers(1, 10)))
    bounds = period.day_bounds()
    index = draw(st.integers(0, len(bounds) - 2))
    low, high = bounds[index], bounds[index + 1]
    span = int((high - low).total_seconds())
    where = draw(st.integers(0, 5))
    if where == 0:
        # Just after a day start: the edges where business dates flip.
        offset = draw(st.integers(0, min(120, span - 1)))
    elif where == 1:
        offset = span - draw(st.integers(1, min(120, span)))
    else:
        offset = draw(st.integers(0, span - 1))
    micro = draw(_MICROSECONDS)
    utc = low + dt.timedelta(seconds=offset, microseconds=micro)
    shown = draw(st.integers(0, 3))
    if shown == 0:
        return utc.astimezone(ZoneInfo(period.tz))
    if shown == 1:
        return utc
    if shown == 2:
        local = utc.astimezone(ZoneInfo(period.tz))
        return utc.astimezone(dt.timezone(local.utcoffset() or dt.timedelta(0)))
    return pendulum.instance(utc).in_timezone(period.tz)


def instants(
    period: Period | None = None, *, outside: bool = False
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware instants inside ``period`` (drawn when not given).

    With ``outside``, instants in the days just before or after the period instead,
    its end included. Instants crowd around day starts and cover DST nights; they come
    as zoneinfo local time, UTC, a fixed offset or a pendulum ``DateTime``.
    """
    return _instants(_check_period(period), "outside" if outside else "inside")


# -- bookings ---------------------------------------------------------------------------

_IDS = st.uuids().map(lambda u: u.hex)
_NOTES = _or_none("Table 4", "=note", "Birthday 🎂")


@st.composite
def _purchases(
    draw: st.DrawFn,
    account: Account,
    period: Period | None,
    region: _Region,
    ids: st.SearchStrategy[str] | str,
    max_lines: int,
    returns: bool,
) -> Purchase:
    """A purchase; ``ids`` is a strategy, or the id itself when a ledger numbers them."""
    at = draw(_instants(period, region))
    drawn = draw(_receipts(account.currency, returns, max_lines))
    if returns and draw(_one_in(10)):
        # Now and then a receipt that only returns goods.
        drawn = [attrs.evolve(line, quantity=-abs(line.quantity)) for line in drawn]
    return Purchase(
        account=account.number,
        at=at,
        id=ids if isinstance(ids, str) else draw(ids),
        currency=account.currency,
        lines=drawn,
        note=draw(_NOTES),
    )


def _check_account(account: object) -> Account:
    if not isinstance(account, Account):
        raise InvalidValue(
            f"account {account!r} is not an Account; pass the Account the bookings are for",
            value=account,
            field="account",
        )
    return account


def purchases(
    account: Account,
    period: Period | None = None,
    *,
    outside: bool = False,
    ids: st.SearchStrategy[str] | None = None,
    max_lines: int = 4,
    returns: bool = True,
) -> st.SearchStrategy[Purchase]:
    """Purchases on ``account`` in its currency, at instants inside ``period``.

    One to ``max_lines`` lines from `lines`; with ``returns``, some lines and now and
    then a whole receipt are returns. With ``outside``, the instants lie just before or
    after the period. Ids are drawn from ``ids`` (random hex by default); give unique
    ones when recording many purchases in one ledger.
    """
    _check_account(account)
    _check_period(period)
    if isinstance(max_lines, bool) or not isinstance(max_lines, int):
        wrong = f"is {a_type(max_lines)}, not a whole number"
    elif max_lines < 1:
        wrong = "is below 1, and a purchase has at least one line"
    else:
        wrong = None
    if wrong is not None:
        raise InvalidValue(
            f"max_lines {max_lines!r} {wrong}; give max_lines=1 or more",
            value=max_lines,
            field="max_lines",
        )
    return _purchases(
        account,
        period,
        "outside" if outside else "inside",
        _IDS if ids is None else ids,
        max_lines,
        returns,
    )


_CREDIT_KINDS = st.sampled_from(CreditKind)
_REASONS = st.sampled_from(_CREDIT_REASONS)


@st.composite
def _credit_bookings(
    draw: st.DrawFn,
    account: Account,
    period: Period | None,
    region: _Region,
    ids: st.SearchStrategy[str] | str,
    kind: CreditKind | None,
    large: bool = False,
) -> CreditBooking:
    """A credit booking; ``ids`` is a strategy, or the id itself, as for `_purchases`."""
    low, high = (10000, 50000) if large else (100, 20000)
    return CreditBooking(
        account=account.number,
        at=draw(_instants(period, region)),
        id=ids if isinstance(ids, str) else draw(ids),
        currency=account.currency,
        credit=draw(_money(account.currency, low, high)),
        kind=draw(_CREDIT_KINDS) if kind is None else kind,
        reason=draw(_REASONS),
    )


def credit_bookings(
    account: Account,
    period: Period | None = None,
    *,
    kind: CreditKind | str | None = None,
    outside: bool = False,
    ids: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[CreditBooking]:
    """Top-ups, payments and refunds on ``account`` in its currency, inside ``period``.

    With ``outside``, the instants lie just before or after the period instead.
    """
    _check_account(account)
    _check_period(period)
    resolved = (
        None if kind is None else parse_enum(CreditKind, kind, what="credit kind", field="kind")
    )
    region: _Region = "outside" if outside else "inside"
    return _credit_bookings(account, period, region, _IDS if ids is None else ids, resolved)

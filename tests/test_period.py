import calendar
import datetime as dt
from itertools import pairwise
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onaccount import (
    InvalidPeriod,
    NaiveDatetime,
    NotAnInstant,
    OnAccountError,
    Period,
    PeriodParseError,
    UnknownTimeZone,
)
from onaccount._period import require_aware

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
MICROSECOND = dt.timedelta(microseconds=1)
AMSTERDAM = "Europe/Amsterdam"
NEW_YORK = "America/New_York"

#: Zones east and west of UTC, with whole-hour, half-hour and 45-minute offsets and DST.
ZONES = [
    "UTC",
    AMSTERDAM,
    NEW_YORK,
    "Europe/London",
    "Asia/Kolkata",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]

#: Days on which clocks change, including a skipped calendar day and a 28-second gap.
TRANSITIONS = [
    (AMSTERDAM, dt.date(2026, 3, 29)),
    (AMSTERDAM, dt.date(2026, 10, 25)),
    (NEW_YORK, dt.date(2026, 3, 8)),
    (NEW_YORK, dt.date(2026, 11, 1)),
    ("Europe/London", dt.date(2026, 3, 29)),
    ("Europe/London", dt.date(2026, 10, 25)),
    ("America/St_Johns", dt.date(2026, 3, 8)),
    ("America/St_Johns", dt.date(2026, 11, 1)),
    ("Australia/Lord_Howe", dt.date(2026, 4, 5)),
    ("Australia/Lord_Howe", dt.date(2026, 10, 4)),
    ("Pacific/Chatham", dt.date(2026, 4, 5)),
    ("Pacific/Chatham", dt.date(2026, 9, 27)),
    ("Pacific/Apia", dt.date(2011, 12, 30)),
    ("Pacific/Kwajalein", dt.date(1993, 8, 21)),
    (AMSTERDAM, dt.date(1937, 7, 1)),
]

zones = st.sampled_from(ZONES)
day_starts = (
    st.sampled_from([dt.time(0), dt.time(4), dt.time(2, 30), dt.time(1, 30), dt.time(23, 30)])
    | st.times()
)
dates = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 12, 31))
#: Every date whose next day datetime can still hold.
any_dates = st.dates(max_value=dt.date(9999, 12, 30))


def oracle_day_start(date: dt.date, starts_at: dt.time, tz: str) -> dt.datetime:
    """When business day ``date`` starts by the standard library's PEP 495 rule (fold=0)."""
    local = dt.datetime.combine(date, starts_at.replace(fold=0), tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC)


def hours(n: float) -> dt.timedelta:
    """A duration of ``n`` hours."""
    return dt.timedelta(hours=n)


def last_sunday(year: int, month: int) -> dt.date:
    """The last Sunday of a month."""
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)


def nth_sunday(year: int, month: int, n: int) -> dt.date:
    """The ``n``-th Sunday of a month."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


# -- constructors -----------------------------------------------------------------------------


def test_month_covers_the_calendar_month() -> None:
    """Period.month gives the first and last day of the month, leap February included."""
    october = Period.month(2026, 10, tz=AMSTERDAM)
    assert (october.first, october.last) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    february = Period.month(2028, 2, tz=AMSTERDAM)
    assert (february.first, february.last) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert type(october.first) is dt.date
    assert type(october.last) is dt.date


def test_quarter_covers_three_months() -> None:
    """Period.quarter gives the quarter's first and last day for each of the four quarters."""
    expected = {
        1: (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        2: (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        3: (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        4: (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    }
    for quarter, bounds in expected.items():
        period = Period.quarter(2026, quarter, tz=AMSTERDAM)
        assert (period.first, period.last) == bounds


def test_iso_week_runs_monday_to_sunday_across_the_year_end() -> None:
    """Period.iso_week uses ISO years: 2026-W01 starts in 2025 and 2026-W53 ends in 2027."""
    week1 = Period.iso_week(2026, 1, tz=AMSTERDAM)
    assert (week1.first, week1.last) == (dt.date(2025, 12, 29), dt.date(2026, 1, 4))
    week53 = Period.iso_week(2026, 53, tz=AMSTERDAM)
    assert (week53.first, week53.last) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    week43 = Period.iso_week(2026, 43, tz=AMSTERDAM)
    assert (week43.first, week43.last) == (dt.date(2026, 10, 19), dt.date(2026, 10, 25))


def test_year_day_and_between() -> None:
    """Period.year, Period.day and Period.between give the dates they are asked for."""
    year = Period.year(2026, tz=AMSTERDAM)
    assert (year.first, year.last) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert len(year.days()) == 365
    day = Period.day("2026-10-05", tz=AMSTERDAM)
    assert day.first == day.last == dt.date(2026, 10, 5)
    span = Period.between("2026-10-01", dt.date(2026, 10, 15), tz=AMSTERDAM)
    assert (span.first, span.last) == (dt.date(2026, 10, 1), dt.date(2026, 10, 15))


@given(year=st.integers(1, 9998), month=st.integers(1, 12))
def test_month_constructor_gives_the_right_first_and_last(year: int, month: int) -> None:
    """For any year and month, Period.month spans day 1 to the month's last day."""
    period = Period.month(year, month, tz="UTC")
    assert period.first == dt.date(year, month, 1)
    assert period.last == dt.date(year, month, calendar.monthrange(year, month)[1])


@given(year=st.integers(1, 9998), quarter=st.integers(1, 4))
def test_quarter_constructor_gives_the_right_first_and_last(year: int, quarter: int) -> None:
    """For any year and quarter, Period.quarter spans its three calendar months."""
    period = Period.quarter(year, quarter, tz="UTC")
    last_month = 3 * quarter
    assert period.first == dt.date(year, last_month - 2, 1)
    assert period.last == dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


@given(day=st.dates(max_value=dt.date(9999, 12, 20)))
def test_iso_week_constructor_gives_the_right_first_and_last(day: dt.date) -> None:
    """For any ISO week, Period.iso_week spans its Monday to its Sunday."""
    iso = day.isocalendar()
    period = Period.iso_week(iso.year, iso.week, tz="UTC")
    assert period.first.isocalendar() == (iso.year, iso.week, 1)
    assert period.last.isocalendar() == (iso.year, iso.week, 7)
    assert day in period.days()


@given(year=st.integers(1, 9998))
def test_year_constructor_gives_the_right_first_and_last(year: int) -> None:
    """For any year, Period.year spans 1 January to 31 December."""
    period = Period.year(year, tz="UTC")
    assert (period.first, period.last) == (dt.date(year, 1, 1), dt.date(year, 12, 31))


def test_pendulum_dates_become_plain_dates() -> None:
    """A period built from pendulum dates stores and compares as one built from plain dates."""
    built = Period(pendulum.date(2026, 10, 1), pendulum.date(2026, 10, 31), tz=AMSTERDAM)
    assert type(built.first) is dt.date
    assert built == Period.month(2026, 10, tz=AMSTERDAM)
    assert hash(built) == hash(Period.month(2026, 10, tz=AMSTERDAM))


# -- refused constructions ----------------------------------------------------------------------


def test_last_date_before_first_is_refused() -> None:
    """A period ending before it starts raises InvalidPeriod naming both dates."""
    with pytest.raises(InvalidPeriod) as caught:
        Period("2026-10-15", "2026-10-01", tz=AMSTERDAM)
    error = caught.value
    assert "2026-10-01" in str(error)
    assert "2026-10-15" in str(error)
    assert error.value == dt.date(2026, 10, 1)
    assert error.field == "last"
    assert isinstance(error, ValueError)
    assert isinstance(error, OnAccountError)


def test_unknown_time_zone_is_refused() -> None:
    """A time zone name outside the IANA database raises UnknownTimeZone naming it."""
    with pytest.raises(UnknownTimeZone) as caught:
        Period.month(2026, 10, tz="Mars/Olympus")
    assert "'Mars/Olympus'" in str(caught.value)
    assert caught.value.value == "Mars/Olympus"
    assert caught.value.field == "tz"
    assert isinstance(caught.value, ValueError)


def test_time_zone_names_are_case_sensitive() -> None:
    """A wrongly cased zone name is refused rather than guessed."""
    with pytest.raises(UnknownTimeZone) as caught:
        Period.month(2026, 10, tz="europe/amsterdam")
    assert caught.value.value == "europe/amsterdam"


def test_time_zone_that_is_not_text_is_refused() -> None:
    """A zone given as a number raises UnknownTimeZone naming the number."""
    with pytest.raises(UnknownTimeZone) as caught:
        Period.month(2026, 10, tz=1)  # type: ignore[arg-type]
    assert "1" in str(caught.value)
    assert caught.value.value == 1


def test_time_zone_objects_are_stored_by_name() -> None:
    """A zoneinfo, pendulum or stdlib UTC zone is accepted and kept as its IANA name."""
    assert Period.day("2026-10-05", tz=ZoneInfo(AMSTERDAM)).tz == AMSTERDAM  # type: ignore[arg-type]
    assert Period.day("2026-10-05", tz=pendulum.timezone(NEW_YORK)).tz == NEW_YORK  # type: ignore[arg-type]
    assert Period.day("2026-10-05", tz=UTC).tz == "UTC"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "value"),
    [
        (lambda: Period.month(2026, 13, tz=AMSTERDAM), 13),
        (lambda: Period.month(2026, 0, tz=AMSTERDAM), 0),
        (lambda: Period.quarter(2026, 5, tz=AMSTERDAM), 5),
        (lambda: Period.iso_week(2026, 54, tz=AMSTERDAM), 54),
        (lambda: Period.iso_week(2025, 53, tz=AMSTERDAM), 53),
    ],
    ids=["month-13", "month-0", "quarter-5", "week-54", "week-53-of-2025"],
)
def test_months_quarters_and_weeks_that_do_not_exist_are_refused(
    build: object, value: int
) -> None:
    """A month, quarter or ISO week number out of range raises InvalidPeriod naming it."""
    with pytest.raises(InvalidPeriod) as caught:
        build()  # type: ignore[operator]
    assert str(value) in str(caught.value)
    assert caught.value.value == value


@pytest.mark.parametrize("year", [0, 10000, -1])
def test_years_outside_the_calendar_are_refused(year: int) -> None:
    """Constructors raise InvalidPeriod, not a bare ValueError, for years datetime cannot hold."""
    for build in (Period.year, lambda y, tz: Period.month(y, 1, tz=tz)):
        with pytest.raises(InvalidPeriod) as caught:
            build(year, tz="UTC")
        assert str(year) in str(caught.value)
        assert caught.value.value == year


@pytest.mark.parametrize(
    "build",
    [
        lambda: Period.year(9999, tz="UTC"),
        lambda: Period.month(9999, 12, tz=NEW_YORK),
        lambda: Period.iso_week(9999, 52, tz="UTC"),
        lambda: Period.month(1, 1, tz=AMSTERDAM),
    ],
    ids=["year-9999", "december-9999", "last-iso-week", "january-1-east-of-utc"],
)
def test_periods_whose_instants_leave_the_calendar_are_refused(build: object) -> None:
    """A period whose first or last instant lies beyond year 1..9999 raises InvalidPeriod."""
    with pytest.raises(InvalidPeriod):
        build()  # type: ignore[operator]


def test_datetime_given_as_a_date_is_refused() -> None:
    """A datetime where a calendar date belongs raises InvalidPeriod naming it."""
    moment = dt.datetime(2026, 10, 1, 12, tzinfo=UTC)
    with pytest.raises(InvalidPeriod) as caught:
        Period(moment, dt.date(2026, 10, 31), tz=AMSTERDAM)
    assert "2026" in str(caught.value)
    assert caught.value.value == moment


def test_impossible_date_text_is_refused() -> None:
    """A date string for a day that does not exist raises InvalidPeriod naming it."""
    with pytest.raises(InvalidPeriod) as caught:
        Period.between("2026-02-30", "2026-03-31", tz=AMSTERDAM)
    assert "'2026-02-30'" in str(caught.value)
    assert caught.value.value == "2026-02-30"


@pytest.mark.parametrize(
    "starts_at",
    ["25:00", "4 o'clock", 4, dt.time(4, tzinfo=UTC)],
    ids=["hour-25", "words", "int", "aware-time"],
)
def test_bad_business_day_start_is_refused(starts_at: object) -> None:
    """A business-day start that is no wall-clock time raises InvalidPeriod naming it."""
    with pytest.raises(InvalidPeriod) as caught:
        Period.month(2026, 10, tz=AMSTERDAM, day_starts_at=starts_at)  # type: ignore[arg-type]
    assert caught.value.value == starts_at
    assert caught.value.field == "day_starts_at"
    shown = starts_at.isoformat() if isinstance(starts_at, dt.time) else repr(starts_at)
    assert shown in str(caught.value)


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("04:00", dt.time(4)),
        ("4:00", dt.time(4)),
        (" 4:30 ", dt.time(4, 30)),
        ("23:59", dt.time(23, 59)),
    ],
)
def test_business_day_start_text_is_read(text: str, starts: dt.time) -> None:
    """A business-day start given as 'HH:MM' text, or 'H:MM' as people type it, is a time."""
    period = Period.month(2026, 10, tz=AMSTERDAM, day_starts_at=text)
    assert period.day_starts_at == starts


# -- parsing and labels ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-10", "2026-10-01", "2026-10-31"),
        ("2026-Q4", "2026-10-01", "2026-12-31"),
        ("2026-q1", "2026-01-01", "2026-03-31"),
        ("2026-W43", "2026-10-19", "2026-10-25"),
        ("2026-w01", "2025-12-29", "2026-01-04"),
        ("2026-10-05", "2026-10-05", "2026-10-05"),
        ("2026-10-01..2026-10-15", "2026-10-01", "2026-10-15"),
        ("  2026-10-01 .. 2026-10-15\n", "2026-10-01", "2026-10-15"),
    ],
)
def test_parse_reads_every_documented_form(text: str, first: str, last: str) -> None:
    """Period.parse reads years, months, quarters, ISO weeks, days and ranges."""
    period = Period.parse(text, tz=AMSTERDAM, day_starts_at="04:00")
    assert period.first == dt.date.fromisoformat(first)
    assert period.last == dt.date.fromisoformat(last)
    assert period.tz == AMSTERDAM
    assert period.day_starts_at == dt.time(4)


@pytest.mark.parametrize("text", ["October 2026", "2026-1", "2026-Q5", "26-10", "2026/10", ""])
def test_unparseable_period_string_is_refused(text: str) -> None:
    """A string in none of the accepted forms raises PeriodParseError naming it."""
    with pytest.raises(PeriodParseError) as caught:
        Period.parse(text, tz=AMSTERDAM)
    assert repr(text) in str(caught.value)
    assert caught.value.value == text
    assert isinstance(caught.value, InvalidPeriod)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-W54",
        "2026-02-30",
        "2026-10-15..2026-10-01",
        "0000",
        "0000-10",
        "0000-Q4",
        "9999",
        "9999-12",
    ],
)
def test_well_formed_but_impossible_period_string_is_refused(text: str) -> None:
    """A string of the right shape naming no real period raises PeriodParseError naming it."""
    with pytest.raises(PeriodParseError) as caught:
        Period.parse(text, tz=AMSTERDAM)
    assert repr(text) in str(caught.value)
    assert caught.value.value == text


def test_parse_refuses_what_is_not_text() -> None:
    """Period.parse raises PeriodParseError naming a value that is not a string."""
    with pytest.raises(PeriodParseError) as caught:
        Period.parse(202610, tz=AMSTERDAM)  # type: ignore[arg-type]
    assert "202610" in str(caught.value)
    assert caught.value.value == 202610


def test_parse_keeps_zone_and_day_start_errors_as_they_are() -> None:
    """A bad zone or day start during parsing is reported as such, not as a parse error."""
    with pytest.raises(UnknownTimeZone):
        Period.parse("2026-10", tz="Mars/Olympus")
    with pytest.raises(InvalidPeriod) as caught:
        Period.parse("2026-10", tz=AMSTERDAM, day_starts_at="25:00")
    assert not isinstance(caught.value, PeriodParseError)
    assert caught.value.field == "day_starts_at"


@pytest.mark.parametrize(
    ("first", "last", "label"),
    [
        ("2026-10-01", "2026-10-31", "2026-10"),
        ("2026-10-01", "2026-12-31", "2026-Q4"),
        ("2026-01-01", "2026-03-31", "2026-Q1"),
        ("2026-01-01", "2026-12-31", "2026"),
        ("2026-10-19", "2026-10-25", "2026-W43"),
        ("2025-12-29", "2026-01-04", "2026-W01"),
        ("2026-10-05", "2026-10-05", "2026-10-05"),
        ("2026-10-01", "2026-10-15", "2026-10-01..2026-10-15"),
        ("2026-10-02", "2026-10-31", "2026-10-02..2026-10-31"),
        ("0999-10-01", "0999-10-31", "0999-10"),
    ],
)
def test_label_names_the_period_the_way_people_write_it(first: str, last: str, label: str) -> None:
    """Period.label prefers month, quarter, year, ISO week, day, then an explicit range."""
    assert Period.between(first, last, tz="UTC").label == label


def test_str_shows_label_zone_and_day_start() -> None:
    """str(period) gives the label, the zone and when business days start."""
    period = Period.month(2026, 10, tz=AMSTERDAM, day_starts_at="04:00")
    assert str(period) == "2026-10 (Europe/Amsterdam, days from 04:00)"


def _assert_round_trip(period: Period) -> None:
    """Parsing a period's label gives the period back."""
    parsed = Period.parse(period.label, tz=period.tz, day_starts_at=period.day_starts_at)
    assert parsed == period
    assert (parsed.first, parsed.last) == (period.first, period.last)


@given(year=st.integers(1, 9998), month=st.integers(1, 12), tz=zones)
def test_parse_round_trips_month_labels(year: int, month: int, tz: str) -> None:
    """Period.parse(label) gives back every month, in any year datetime can hold."""
    period = Period.month(year, month, tz="UTC" if year < 2 else tz)
    assert period.label == f"{year:04d}-{month:02d}"
    _assert_round_trip(period)


@given(year=st.integers(1, 9998), quarter=st.integers(1, 4), tz=zones)
def test_parse_round_trips_quarter_labels(year: int, quarter: int, tz: str) -> None:
    """Period.parse(label) gives back every quarter."""
    period = Period.quarter(year, quarter, tz="UTC" if year < 2 else tz)
    assert period.label == f"{year:04d}-Q{quarter}"
    _assert_round_trip(period)


@given(day=st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9999, 12, 20)), tz=zones)
def test_parse_round_trips_iso_week_labels(day: dt.date, tz: str) -> None:
    """Period.parse(label) gives back every ISO week."""
    iso = day.isocalendar()
    period = Period.iso_week(iso.year, iso.week, tz=tz)
    assert period.label == f"{iso.year:04d}-W{iso.week:02d}"
    _assert_round_trip(period)


@given(year=st.integers(2, 9998), tz=zones)
def test_parse_round_trips_year_labels(year: int, tz: str) -> None:
    """Period.parse(label) gives back every year."""
    period = Period.year(year, tz=tz)
    assert period.label == f"{year:04d}"
    _assert_round_trip(period)


@given(
    first=st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9999, 10, 1)),
    length=st.integers(0, 90),
    tz=zones,
    starts_at=day_starts,
)
def test_parse_round_trips_range_labels(
    first: dt.date, length: int, tz: str, starts_at: dt.time
) -> None:
    """Period.parse(label) gives back any explicit range, whatever label it gets."""
    period = Period.between(
        first, first + dt.timedelta(days=length), tz=tz, day_starts_at=starts_at
    )
    _assert_round_trip(period)


# -- instants and business dates ----------------------------------------------------------------


def test_month_boundaries_with_a_four_oclock_start() -> None:
    """October 2026 from 04:00 in Amsterdam starts 02:00 UTC (CEST) and ends 03:00 UTC (CET)."""
    period = Period.month(2026, 10, tz=AMSTERDAM, day_starts_at="04:00")
    assert period.start == dt.datetime(2026, 10, 1, 2, tzinfo=UTC)
    assert period.end == dt.datetime(2026, 11, 1, 3, tzinfo=UTC)
    assert period.day_start(dt.date(2026, 10, 1)) == period.start
    assert period.day_start(dt.date(2026, 10, 1)).hour == 4
    assert len(period.day_bounds()) == len(period.days()) + 1 == 32


def test_period_is_half_open() -> None:
    """A period contains its first instant and not the first instant after it."""
    period = Period.month(2026, 10, tz=AMSTERDAM)
    assert period.contains(period.start)
    assert period.start in period
    assert period.end - MICROSECOND in period
    assert period.end not in period
    assert period.start - MICROSECOND not in period


def test_four_oclock_start_puts_half_past_one_in_the_previous_day() -> None:
    """With days from 04:00 a sale at 01:30 on 4 October belongs to 3 October."""
    zone = ZoneInfo(AMSTERDAM)
    period = Period.month(2026, 10, tz=AMSTERDAM, day_starts_at="04:00")
    assert period.business_date(dt.datetime(2026, 10, 4, 1, 30, tzinfo=zone)) == dt.date(
        2026, 10, 3
    )
    assert period.business_date(dt.datetime(2026, 10, 4, 4, tzinfo=zone)) == dt.date(2026, 10, 4)
    just_before = dt.datetime(2026, 10, 4, 3, 59, 59, 999999, tzinfo=zone)
    assert period.business_date(just_before) == dt.date(2026, 10, 3)
    early_first = dt.datetime(2026, 10, 1, 1, 30, tzinfo=zone)
    assert early_first not in period
    assert period.business_date(early_first) == dt.date(2026, 9, 30)
    early_next_month = dt.datetime(2026, 11, 1, 1, 30, tzinfo=zone)
    assert early_next_month in period
    assert period.business_date(early_next_month) == dt.date(2026, 10, 31)


@given(day=dates, tz=zones)
def test_four_oclock_start_always_puts_half_past_one_in_the_previous_day(
    day: dt.date, tz: str
) -> None:
    """In any zone, with a 04:00 day start, 01:30 local belongs to the previous business day."""
    period = Period.month(day.year, day.month, tz=tz, day_starts_at="04:00")
    instant = dt.datetime.combine(day, dt.time(1, 30), tzinfo=ZoneInfo(tz))
    assert period.business_date(instant) == day - ONE_DAY
    assert period.contains(instant) == (day - ONE_DAY in period.days())
    assert period.business_date(instant.replace(hour=4)) == day


@given(first=dates, length=st.integers(0, 40), tz=zones, starts_at=day_starts, data=st.data())
def test_business_date_of_every_instant_in_a_period_is_one_of_its_days(
    first: dt.date, length: int, tz: str, starts_at: dt.time, data: st.DataObject
) -> None:
    """Every instant inside a period gets one of its days, the one whose day it lies in."""
    period = Period.between(
        first, first + dt.timedelta(days=length), tz=tz, day_starts_at=starts_at
    )
    width = (period.end - period.start) // MICROSECOND
    offset = data.draw(st.integers(0, width - 1) | st.sampled_from([0, width - 1]))
    instant = (period.start + offset * MICROSECOND).astimezone(ZoneInfo(data.draw(zones)))
    assert period.contains(instant)
    day = period.business_date(instant)
    assert day in period.days()
    assert oracle_day_start(day, starts_at, tz) <= instant
    assert instant < oracle_day_start(day + ONE_DAY, starts_at, tz)


@given(
    first=dates,
    length=st.integers(0, 10),
    tz=zones,
    starts_at=day_starts,
    after=st.booleans(),
    offset=st.integers(1, 5 * 24 * 3600 * 10**6),
)
def test_business_date_outside_a_period_follows_the_same_rule(
    first: dt.date, length: int, tz: str, starts_at: dt.time, after: bool, offset: int
) -> None:
    """Instants before or after a period get the business date whose day holds them."""
    period = Period.between(
        first, first + dt.timedelta(days=length), tz=tz, day_starts_at=starts_at
    )
    if after:
        instant = period.end + (offset - 1) * MICROSECOND
    else:
        instant = period.start - offset * MICROSECOND
    assert not period.contains(instant)
    day = period.business_date(instant)
    assert day not in period.days()
    assert oracle_day_start(day, starts_at, tz) <= instant
    assert instant < oracle_day_start(day + ONE_DAY, starts_at, tz)


@given(
    start=st.tuples(st.integers(1970, 2099), st.integers(1, 12)),
    count=st.integers(1, 14),
    tz=zones,
    starts_at=day_starts,
    data=st.data(),
)
def test_consecutive_months_partition_time(
    start: tuple[int, int], count: int, tz: str, starts_at: dt.time, data: st.DataObject
) -> None:
    """Every instant in a span of month periods lies in exactly one of them, and none outside."""
    year, month = start
    periods = [
        Period.month(
            year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, tz=tz, day_starts_at=starts_at
        )
        for i in range(count)
    ]
    for before, after in pairwise(periods):
        assert before.end == after.start
        assert before.last + ONE_DAY == after.first
    span_start, span_end = periods[0].start, periods[-1].end
    assert span_start == oracle_day_start(periods[0].first, starts_at, tz)
    assert span_end == oracle_day_start(periods[-1].last + ONE_DAY, starts_at, tz)
    margin = dt.timedelta(days=3)
    width = (span_end - span_start + 2 * margin) // MICROSECOND
    offsets = data.draw(st.lists(st.integers(0, width - 1), min_size=1, max_size=20))
    instants = [span_start - margin + o * MICROSECOND for o in offsets]
    instants += [p.start for p in periods] + [p.end - MICROSECOND for p in periods]
    for instant in instants:
        local = instant.astimezone(ZoneInfo(tz))
        holders = [p for p in periods if local in p]
        assert len(holders) == (1 if span_start <= instant < span_end else 0)
        for holder in holders:
            assert holder.business_date(local) in holder.days()


def test_naive_instant_is_refused() -> None:
    """Asking whether a period holds a naive datetime raises NaiveDatetime naming it."""
    period = Period.month(2026, 10, tz=AMSTERDAM)
    naive = dt.datetime(2026, 10, 5, 12, 30)
    with pytest.raises(NaiveDatetime) as caught:
        period.contains(naive)
    assert "2026-10-05T12:30:00" in str(caught.value)
    assert caught.value.value is naive
    assert caught.value.field == "instant"
    assert isinstance(caught.value, ValueError)


def test_naive_instant_has_no_business_date() -> None:
    """business_date raises NaiveDatetime for a naive datetime."""
    period = Period.month(2026, 10, tz=AMSTERDAM)
    naive = dt.datetime(2026, 10, 5, 12, 30)
    with pytest.raises(NaiveDatetime) as caught:
        period.business_date(naive)
    assert caught.value.value is naive


def test_a_date_is_not_an_instant() -> None:
    """A plain date where an instant is needed raises NotAnInstant, a TypeError naming it."""
    with pytest.raises(NotAnInstant) as caught:
        Period.month(2026, 10, tz=AMSTERDAM).contains(dt.date(2026, 10, 5))  # type: ignore[arg-type]
    assert "instant datetime.date(2026, 10, 5) is a date, not a datetime" in str(caught.value)
    assert "pass a timezone-aware datetime" in str(caught.value)
    assert caught.value.value == dt.date(2026, 10, 5)
    assert isinstance(caught.value, TypeError)


def test_iso_text_is_not_an_instant_but_the_refusal_shows_how_to_read_it() -> None:
    """An ISO instant given as text raises NotAnInstant suggesting datetime.fromisoformat."""
    text = "2026-10-05T12:00:00+02:00"
    with pytest.raises(NotAnInstant) as caught:
        require_aware(text, field="instant")
    assert str(caught.value) == (
        f"instant {text!r} is text, not a datetime; pass a timezone-aware datetime such as "
        f"datetime.fromisoformat({text!r})"
    )
    assert (caught.value.value, caught.value.field) == (text, "instant")


# -- daylight saving time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "starts_at", "length"),
    [
        (AMSTERDAM, "2026-03-29", "00:00", hours(23)),
        (AMSTERDAM, "2026-10-25", "00:00", hours(25)),
        (AMSTERDAM, "2026-03-28", "00:00", hours(24)),
        (NEW_YORK, "2026-03-08", "00:00", hours(23)),
        (NEW_YORK, "2026-11-01", "00:00", hours(25)),
        (NEW_YORK, "2026-11-02", "00:00", hours(24)),
        (AMSTERDAM, "2026-03-28", "04:00", hours(23)),
        (AMSTERDAM, "2026-03-29", "04:00", hours(24)),
        (AMSTERDAM, "2026-10-24", "04:00", hours(25)),
        (NEW_YORK, "2026-03-07", "04:00", hours(23)),
        (NEW_YORK, "2026-10-31", "04:00", hours(25)),
        (AMSTERDAM, "2026-03-28", "02:30", hours(24)),
        (AMSTERDAM, "2026-03-29", "02:30", hours(23)),
        (AMSTERDAM, "2026-10-24", "02:30", hours(24)),
        (AMSTERDAM, "2026-10-25", "02:30", hours(25)),
        ("Australia/Lord_Howe", "2026-10-04", "00:00", hours(23.5)),
        ("Australia/Lord_Howe", "2026-04-05", "00:00", hours(24.5)),
    ],
)
def test_dst_days_have_23_or_25_hours(
    tz: str, day: str, starts_at: str, length: dt.timedelta
) -> None:
    """Business days that hold a clock change are an hour (or half hour) short or long."""
    date = dt.date.fromisoformat(day)
    period = Period.month(date.year, date.month, tz=tz, day_starts_at=starts_at)
    assert period.day_length(date) == length


# Each example lays out a whole year, 366 days of bounds computed with pendulum.
@settings(max_examples=15)
@given(year=st.integers(2007, 2100), tz=st.sampled_from([AMSTERDAM, NEW_YORK]))
def test_only_the_two_clock_change_days_of_a_year_are_not_24_hours(year: int, tz: str) -> None:
    """In Amsterdam and New York exactly the spring and autumn change days are 23 and 25 hours."""
    period = Period.year(year, tz=tz)
    lengths = {day: period.day_length(day) for day in period.days()}
    odd = {day: length for day, length in lengths.items() if length != hours(24)}
    if tz == AMSTERDAM:
        expected = {last_sunday(year, 3): hours(23), last_sunday(year, 10): hours(25)}
    else:
        expected = {nth_sunday(year, 3, 2): hours(23), nth_sunday(year, 11, 1): hours(25)}
    assert odd == expected
    assert sum(lengths.values(), dt.timedelta()) == period.end - period.start


@pytest.mark.parametrize(
    ("tz", "day", "starts_at", "local", "utc"),
    [
        (AMSTERDAM, "2026-03-29", "02:30", (3, 30), dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        (AMSTERDAM, "2026-03-29", "02:00", (3, 0), dt.datetime(2026, 3, 29, 1, tzinfo=UTC)),
        (NEW_YORK, "2026-03-08", "02:30", (3, 30), dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
    ],
)
def test_start_in_the_skipped_hour_moves_forward_by_the_gap(
    tz: str, day: str, starts_at: str, local: tuple[int, int], utc: dt.datetime
) -> None:
    """A business-day start inside the hour clocks skip resolves to the same time an hour on."""
    date = dt.date.fromisoformat(day)
    period = Period.day(date, tz=tz, day_starts_at=starts_at)
    start = period.day_start(date)
    assert (start.date(), start.hour, start.minute) == (date, *local)
    assert start.astimezone(UTC) == utc
    assert period.start == utc


@pytest.mark.parametrize(
    ("tz", "day", "starts_at", "offset", "utc"),
    [
        (AMSTERDAM, "2026-10-25", "02:30", hours(2), dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (AMSTERDAM, "2026-10-25", "02:00", hours(2), dt.datetime(2026, 10, 25, 0, tzinfo=UTC)),
        (NEW_YORK, "2026-11-01", "01:30", hours(-4), dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)
def test_start_that_occurs_twice_takes_the_first_occurrence(
    tz: str, day: str, starts_at: str, offset: dt.timedelta, utc: dt.datetime
) -> None:
    """A business-day start in the hour clocks repeat is its first occurrence (summer offset)."""
    date = dt.date.fromisoformat(day)
    period = Period.day(date, tz=tz, day_starts_at=starts_at)
    start = period.day_start(date)
    assert start.utcoffset() == offset
    assert start.time() == dt.time.fromisoformat(starts_at)
    # PEP 495: an aware datetime in a repeated hour is never == one in another zone,
    # so compare the instant in UTC.
    assert start.astimezone(UTC) == utc
    assert period.start == utc


@given(
    transition=st.sampled_from(TRANSITIONS),
    shift=st.integers(-1, 1),
    starts_at=day_starts,
)
def test_day_starts_on_clock_change_days_follow_pep_495(
    transition: tuple[str, dt.date], shift: int, starts_at: dt.time
) -> None:
    """Near clock changes, day starts match the stdlib fold=0 rule: gaps forward, repeats first."""
    tz, day = transition
    day += shift * ONE_DAY
    period = Period.day(day, tz=tz, day_starts_at=starts_at)
    assert period.start == oracle_day_start(day, starts_at, tz)
    assert period.end == oracle_day_start(day + ONE_DAY, starts_at, tz)
    assert period.day_length(day) == period.end - period.start


def test_a_skipped_calendar_day_has_no_instants() -> None:
    """Samoa skipped 30 December 2011: that business day lasts no time and no instant gets it."""
    skipped = dt.date(2011, 12, 30)
    period = Period.between("2011-12-29", "2011-12-31", tz="Pacific/Apia")
    assert period.day_length(skipped) == dt.timedelta(0)
    assert period.day_start(skipped) == period.day_start(skipped + ONE_DAY)
    assert period.day_start(skipped) == dt.datetime(2011, 12, 30, 10, tzinfo=UTC)
    assert period.day_length(skipped - ONE_DAY) == hours(24)
    for hour in range(0, 72, 3):
        instant = period.start + hours(hour)
        assert period.business_date(instant) != skipped


def test_a_day_the_calendar_lacks_is_refused_in_words() -> None:
    """'2026-11-31' is no day of November: the refusal says how to write a date, no Python."""
    with pytest.raises(PeriodParseError) as caught:
        Period.parse("2026-11-31", tz="Europe/Amsterdam")
    assert caught.value.message == (
        "period '2026-11-31' cannot be read: date '2026-11-31' is not a day of the calendar; "
        "write a date such as 2026-10-01"
    )

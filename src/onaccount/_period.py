"""Periods: local calendar dates in one time zone, with a business-day start."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from typing import TypeAlias

import attrs
import pendulum
from pendulum.tz.exceptions import InvalidTimezone

from ._errors import (
    InvalidPeriod,
    InvalidValue,
    NaiveDatetime,
    NotAnInstant,
    PeriodParseError,
    UnknownTimeZone,
)
from ._words import a_type, field_name

__all__ = [
    "EARLIEST_INSTANT",
    "LATEST_INSTANT",
    "Period",
    "TimeZoneLike",
    "require_aware",
    "to_date",
    "to_utc",
    "wall_clock",
]

#: What a period's ``tz`` takes: an IANA name, or a zone object (`zoneinfo.ZoneInfo`,
#: ``datetime.UTC``) that is stored as its name.
TimeZoneLike: TypeAlias = str | dt.tzinfo

_ONE_DAY = dt.timedelta(days=1)
_UTC = dt.UTC

#: The first instant onaccount stores.
EARLIEST_INSTANT = dt.datetime(1900, 1, 1, tzinfo=_UTC)
#: The first instant past the range onaccount stores; a day before the calendar's end,
#: so every instant inside can be shown in every time zone.
LATEST_INSTANT = dt.datetime(9999, 12, 31, tzinfo=_UTC)


def require_aware(
    value: object, *, field: str, obj: object = None, name: str | None = None
) -> dt.datetime:
    """Return ``value`` if it is a timezone-aware datetime.

    Anything but a datetime raises `NotAnInstant`, a naive datetime `NaiveDatetime`. The
    refusal opens with ``field``, the words for the instant (``transaction instant
    'at'``); its ``field`` is ``name``, the attribute or parameter (``at``), as
    `field_name` says.
    """
    if not isinstance(value, dt.datetime):
        raise NotAnInstant(
            f"{field} {_described(value)}; pass a timezone-aware datetime{_reading(value)}",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetime(
            f"{field} {value.isoformat()} has no time zone; pass an aware datetime such as "
            f"{value.replace(tzinfo=_UTC).isoformat()!r} or pendulum.instance(value, tz)",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    return value


def _described(value: object) -> str:
    """What ``value`` is, for a refusal: ``'2026-10-05' is text, not a datetime``."""
    if value is None:
        return "is None"
    kind = "text" if isinstance(value, str) else a_type(value)
    return f"{value!r} is {kind}, not a datetime"


def _reading(value: object) -> str:
    """How to read ``value`` as an instant, when it is ISO text with an offset."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return ""
        if parsed.utcoffset() is not None:
            return f" such as datetime.fromisoformat({value!r})"
    return ""


def to_utc(
    value: object, *, field: str, obj: object = None, name: str | None = None
) -> dt.datetime:
    """``value``, an aware datetime, as a plain `datetime` in UTC.

    Two datetimes sharing one zone compare by wall clock and ignore ``fold``, so the
    hour that repeats when clocks go back would sort wrongly; instants kept in UTC
    always compare as instants. Refusals are worded and named as `require_aware`'s.
    """
    aware = require_aware(value, field=field, obj=obj, name=name)
    if aware.tzinfo is _UTC and type(aware) is dt.datetime:
        utc = aware
    else:
        try:
            moved = aware.astimezone(_UTC)
        except OverflowError:
            # Within hours of year 1 or 9999: outside the range below anyway.
            moved = EARLIEST_INSTANT - _ONE_DAY if aware.year < 9999 else LATEST_INSTANT
        utc = dt.datetime(
            moved.year, moved.month, moved.day, moved.hour, moved.minute, moved.second,
            moved.microsecond, tzinfo=_UTC,
        )  # fmt: skip
    if not EARLIEST_INSTANT <= utc < LATEST_INSTANT:
        raise InvalidValue(
            f"{field} {aware.isoformat()} is outside the instants onaccount stores: they lie "
            "between 1900-01-01 and 9999-12-30 (UTC); check the year",
            value=value,
            obj=obj,
            field=field_name(field, name),
        )
    return utc


def wall_clock(at: dt.datetime, tz: str) -> str:
    """``at`` as the clocks in ``tz`` showed it, for messages.

    ``2026-11-02 13:00:05 Europe/Amsterdam``: the zone named, as a reader may be in
    another one.
    """
    return f"{at.astimezone(_zone(tz)):%Y-%m-%d %H:%M:%S} {tz}"


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> pendulum.Timezone:
    return pendulum.timezone(name)


def _check_tz(name: object) -> str:
    if isinstance(name, dt.tzinfo):
        name = getattr(name, "name", getattr(name, "key", None)) or str(name)
    if not isinstance(name, str):
        raise UnknownTimeZone(
            f"time zone {name!r} is not an IANA time zone name; use e.g. 'Europe/Amsterdam'",
            value=name,
            field="tz",
        )
    try:
        _zone(name)
    except (InvalidTimezone, ValueError):
        raise UnknownTimeZone(
            f"time zone {name!r} is not in the IANA database; use a name such as "
            "'Europe/Amsterdam' or 'America/New_York'",
            value=name,
            field="tz",
        ) from None
    return name


_ONE_DIGIT_HOUR = re.compile(r"\d:\d\d(:\d\d)?")


def _to_time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        # People type 4:00 for 04:00; ISO wants the hour in two digits.
        if _ONE_DIGIT_HOUR.fullmatch(text):
            text = "0" + text
        try:
            result = dt.time.fromisoformat(text)
        except ValueError:
            raise InvalidPeriod(
                f"business-day start {value!r} is not a time of day; write it like '04:00'",
                value=value,
                field="day_starts_at",
            ) from None
    else:
        raise InvalidPeriod(
            f"business-day start {value!r} is not a time of day; pass datetime.time(4, 0) "
            "or '04:00'",
            value=value,
            field="day_starts_at",
        )
    if result.tzinfo is not None:
        raise InvalidPeriod(
            f"business-day start {result.isoformat()} carries a time zone; give the wall "
            "time only and the zone as tz",
            value=value,
            field="day_starts_at",
        )
    return result


def to_date(value: object, field: str, *, name: str | None = None) -> dt.date:
    """``value``, a date or ISO text, as a `datetime.date`.

    A refusal opens with ``field``; ``name`` is its ``field`` (see `field_name`).
    """
    if isinstance(value, dt.datetime):
        raise InvalidPeriod(
            f"{field} {value!r} is a datetime; a period is given in calendar dates, "
            f"pass {value.date()!r}",
            value=value,
            field=field_name(field, name),
        )
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidPeriod(
                f"{field} {value!r} is not a day of the calendar; write a date such as 2026-10-01",
                value=value,
                field=field_name(field, name),
            ) from None
    raise InvalidPeriod(
        f"{field} {value!r} is not a date; pass datetime.date(2026, 10, 1) or '2026-10-01'",
        value=value,
        field=field_name(field, name),
    )


def _check_year(year: int) -> None:
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise InvalidPeriod(
            f"year {year!r} is out of range; use {dt.MINYEAR} to {dt.MAXYEAR}",
            value=year,
            field="year",
        )


def _first_date(value: dt.date | str) -> dt.date:
    return to_date(value, "first date", name="first")


def _last_date(value: dt.date | str) -> dt.date:
    return to_date(value, "last date", name="last")


def _tz(value: TimeZoneLike) -> str:
    return _check_tz(value)


def _day_start(value: dt.time | str) -> dt.time:
    return _to_time(value)


def _check_order(instance: Period, attribute: attrs.Attribute[dt.date], last: dt.date) -> None:
    if last < instance.first:
        raise InvalidPeriod(
            f"period ends on {last.isoformat()}, before it starts on "
            f"{instance.first.isoformat()}; swap the dates",
            value=last,
            obj=instance,
            field="last",
        )


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_WEEK = re.compile(r"(\d{4})-[Ww](\d{2})")
_YEAR = re.compile(r"(\d{4})")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@attrs.frozen
class Period:
    """Inclusive local dates ``first``..``last`` in time zone ``tz``.

    Each business day starts at ``day_starts_at`` local time, so the period covers the
    instants in ``[day_start(first), day_start(last + 1 day))``. With a 04:00 start a sale
    at 01:30 belongs to the day before.
    """

    first: dt.date = attrs.field(converter=_first_date)
    last: dt.date = attrs.field(converter=_last_date, validator=_check_order)
    tz: str = attrs.field(kw_only=True, converter=_tz)
    day_starts_at: dt.time = attrs.field(kw_only=True, default=dt.time(0), converter=_day_start)
    _bounds: tuple[dt.datetime, ...] = attrs.field(
        init=False, default=(), repr=False, eq=False, hash=False
    )
    _days: tuple[dt.date, ...] = attrs.field(
        init=False, default=(), repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        # Dates and day boundaries (in UTC) are computed once, so placing an instant is a
        # bisect rather than a calendar computation per transaction, and every statement
        # of a run shares one tuple of dates.
        count = (self.last - self.first).days + 1
        try:
            dates = tuple(self.first + dt.timedelta(days=i) for i in range(count))
            bounds = tuple(
                self._day_start_utc(day) for day in (*dates, self.last + dt.timedelta(days=1))
            )
        except (OverflowError, ValueError):
            raise InvalidPeriod(
                f"period {self.first.isoformat()}..{self.last.isoformat()} in {self.tz} "
                "reaches beyond the years 1 to 9999 that datetime can hold",
                value=self.last,
                obj=self,
                field="last",
            ) from None
        object.__setattr__(self, "_bounds", bounds)
        object.__setattr__(self, "_days", dates)

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def between(
        cls,
        first: dt.date | str,
        last: dt.date | str,
        *,
        tz: TimeZoneLike,
        day_starts_at: dt.time | str = dt.time(0),
    ) -> Period:
        """The period from ``first`` to ``last``, both included."""
        return cls(first, last, tz=tz, day_starts_at=day_starts_at)

    @classmethod
    def day(
        cls, date: dt.date | str, *, tz: TimeZoneLike, day_starts_at: dt.time | str = dt.time(0)
    ) -> Period:
        """A single business day."""
        return cls(date, date, tz=tz, day_starts_at=day_starts_at)

    @classmethod
    def month(
        cls, year: int, month: int, *, tz: TimeZoneLike, day_starts_at: dt.time | str = dt.time(0)
    ) -> Period:
        """A calendar month, e.g. ``Period.month(2026, 10, tz="Europe/Amsterdam")``."""
        if not 1 <= month <= 12:
            raise InvalidPeriod(
                f"month {month!r} does not exist; use 1 to 12", value=month, field="month"
            )
        _check_year(year)
        first = pendulum.date(year, month, 1)
        return cls(first, first.end_of("month"), tz=tz, day_starts_at=day_starts_at)

    @classmethod
    def quarter(
        cls,
        year: int,
        quarter: int,
        *,
        tz: TimeZoneLike,
        day_starts_at: dt.time | str = dt.time(0),
    ) -> Period:
        """A calendar quarter, 1 to 4."""
        if not 1 <= quarter <= 4:
            raise InvalidPeriod(
                f"quarter {quarter!r} does not exist; use 1 to 4",
                value=quarter,
                field="quarter",
            )
        _check_year(year)
        first = pendulum.date(year, 3 * quarter - 2, 1)
        last = first.add(months=2).end_of("month")
        return cls(first, last, tz=tz, day_starts_at=day_starts_at)

    @classmethod
    def year(
        cls, year: int, *, tz: TimeZoneLike, day_starts_at: dt.time | str = dt.time(0)
    ) -> Period:
        """A calendar year."""
        _check_year(year)
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), tz=tz, day_starts_at=day_starts_at)

    @classmethod
    def iso_week(
        cls, year: int, week: int, *, tz: TimeZoneLike, day_starts_at: dt.time | str = dt.time(0)
    ) -> Period:
        """ISO week ``week`` of ISO year ``year``, Monday to Sunday."""
        try:
            first = dt.date.fromisocalendar(year, week, 1)
            last = first + dt.timedelta(days=6)
        except (ValueError, OverflowError):
            raise InvalidPeriod(
                f"ISO week {year}-W{week:02d} does not exist; ISO years have 52 or 53 weeks",
                value=week,
                field="week",
            ) from None
        return cls(first, last, tz=tz, day_starts_at=day_starts_at)

    @classmethod
    def parse(
        cls, text: str, *, tz: TimeZoneLike, day_starts_at: dt.time | str = dt.time(0)
    ) -> Period:
        """Read a period as people write it.

        Accepts ``2026``, ``2026-10``, ``2026-Q4``, ``2026-W43``, ``2026-10-05`` and
        ``2026-10-01..2026-10-15``.
        """
        if not isinstance(text, str):
            raise PeriodParseError(
                f"period {text!r} is not a string; write e.g. '2026-10'", value=text
            )
        s = text.strip()
        try:
            if m := _RANGE.fullmatch(s):
                return cls(m[1], m[2], tz=tz, day_starts_at=day_starts_at)
            if _DAY.fullmatch(s):
                # One date: named as such, not as the first of two.
                return cls.day(to_date(s, "date"), tz=tz, day_starts_at=day_starts_at)
            if m := _MONTH.fullmatch(s):
                return cls.month(int(m[1]), int(m[2]), tz=tz, day_starts_at=day_starts_at)
            if m := _QUARTER.fullmatch(s):
                return cls.quarter(int(m[1]), int(m[2]), tz=tz, day_starts_at=day_starts_at)
            if m := _WEEK.fullmatch(s):
                return cls.iso_week(int(m[1]), int(m[2]), tz=tz, day_starts_at=day_starts_at)
            if m := _YEAR.fullmatch(s):
                return cls.year(int(m[1]), tz=tz, day_starts_at=day_starts_at)
        except InvalidPeriod as error:
            if error.field in {"tz", "day_starts_at"}:
                raise
            raise PeriodParseError(
                f"period {text!r} cannot be read: {error.message}", value=text
            ) from None
        raise PeriodParseError(
            f"period {text!r} cannot be read; write '2026-10', '2026-Q4', '2026-W43', "
            "'2026', '2026-10-05' or '2026-10-01..2026-10-15'",
            value=text,
        )

    # -- time ---------------------------------------------------------------------------

    def _day_start_utc(self, date: dt.date) -> dt.datetime:
        t = self.day_starts_at
        zone = _zone(self.tz)
        # fold=0 takes the first of two occurrences on the night clocks go back
        # (pendulum's default is the second); a start inside the hour skipped when
        # clocks go forward moves forward by the gap.
        local = pendulum.datetime(
            date.year, date.month, date.day, t.hour, t.minute, t.second, t.microsecond,
            tz=zone, fold=0,
        )  # fmt: skip
        # Compare the whole wall time: a skipped span can be a whole day (Samoa, 2011-12-30).
        if local.naive() != dt.datetime.combine(date, t):
            local = pendulum.datetime(
                date.year, date.month, date.day, t.hour, t.minute, t.second, t.microsecond,
                tz=zone, fold=1,
            )  # fmt: skip
        utc = local.in_timezone("UTC")
        return dt.datetime(
            utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second,
            utc.microsecond, tzinfo=_UTC,
        )  # fmt: skip

    def day_start(self, date: dt.date) -> dt.datetime:
        """The instant business day ``date`` starts, in the period's time zone."""
        return pendulum.instance(self._day_start_utc(date)).in_timezone(self.tz)

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (included), in UTC."""
        return self._bounds[0]

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period (excluded), in UTC."""
        return self._bounds[-1]

    def contains(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` lies inside the period."""
        instant = require_aware(instant, field="instant")
        return self._bounds[0] <= instant < self._bounds[-1]

    __contains__ = contains

    def days(self) -> tuple[dt.date, ...]:
        """Every business date of the period, in order."""
        return self._days

    def day_bounds(self) -> tuple[dt.datetime, ...]:
        """The UTC start of every day of the period followed by the period's end."""
        return self._bounds

    def business_date(self, instant: dt.datetime) -> dt.date:
        """The business date ``instant`` belongs to (it may lie outside the period)."""
        instant = require_aware(instant, field="instant")
        bounds = self._bounds
        if bounds[0] <= instant < bounds[-1]:
            return self.first + dt.timedelta(days=bisect.bisect_right(bounds, instant) - 1)
        local = instant.astimezone(_zone(self.tz)).date()
        # With a business day starting after midnight the date is the local one or
        # the day before; check both rather than trust the wall clock on DST days.
        for candidate in (local, local - _ONE_DAY, local + _ONE_DAY):
            if (
                self._day_start_utc(candidate)
                <= instant
                < self._day_start_utc(candidate + _ONE_DAY)
            ):
                return candidate
        raise AssertionError(f"no business date for {instant!r}")  # pragma: no cover

    def day_length(self, date: dt.date) -> dt.timedelta:
        """How long business day ``date`` lasts: 23 or 25 hours on DST days."""
        return self._day_start_utc(date + _ONE_DAY) - self._day_start_utc(date)

    @property
    def label(self) -> str:
        """The period the way `parse` reads it back, e.g. ``2026-10`` or ``2026-Q4``."""
        first, last = self.first, self.last
        if first.day == 1:
            month_start = pendulum.date(first.year, first.month, 1)
            if last == month_start.end_of("month"):
                return f"{first.year:04d}-{first.month:02d}"
            if first.month % 3 == 1 and last == month_start.add(months=2).end_of("month"):
                return f"{first.year:04d}-Q{(first.month + 2) // 3}"
        if first == dt.date(first.year, 1, 1) and last == dt.date(first.year, 12, 31):
            return f"{first.year:04d}"
        iso = first.isocalendar()
        if iso.weekday == 1 and last == first + dt.timedelta(days=6):
            return f"{iso.year:04d}-W{iso.week:02d}"
        if first == last:
            return first.isoformat()
        return f"{first.isoformat()}..{last.isoformat()}"

    def __str__(self) -> str:
        start = self.day_starts_at.isoformat(timespec="minutes")
        return f"{self.label} ({self.tz}, days from {start})"

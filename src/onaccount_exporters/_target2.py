"""TARGET2 business days: the days on which SEPA direct debits settle.

TARGET2 is closed on Saturdays and Sundays and on six holidays: New Year's Day, Good
Friday, Easter Monday, Labour Day (1 May), Christmas Day and 26 December. Collection
dates are counted in these days.
"""

from __future__ import annotations

import datetime as dt
import functools

__all__ = ["add_business_days", "is_business_day", "next_business_day"]


@functools.cache
def _easter(year: int) -> dt.date:
    # The Gregorian computus (Meeus/Jones/Butcher): Easter Sunday of ``year``.
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@functools.cache
def _holidays(year: int) -> frozenset[dt.date]:
    easter = _easter(year)
    return frozenset(
        {
            dt.date(year, 1, 1),
            easter - dt.timedelta(days=2),
            easter + dt.timedelta(days=1),
            dt.date(year, 5, 1),
            dt.date(year, 12, 25),
            dt.date(year, 12, 26),
        }
    )


def is_business_day(day: dt.date) -> bool:
    """Whether TARGET2 is open on ``day``."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """``day`` if TARGET2 is open then, else the first business day after it."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The business day ``count`` business days after ``day`` (``day`` itself for 0)."""
    day = next_business_day(day)
    for _ in range(count):
        day = next_business_day(day + dt.timedelta(days=1))
    return day


def debit_day(invoiced: dt.date, days: int, lead_days: int = 1) -> dt.date:
    """The day a direct debit ``days`` after ``invoiced`` is collected.

    The first TARGET2 business day from then that the scheme's lead time allows; the
    invoice it collects is due on that day, so that the two never disagree.
    """
    wanted = invoiced + dt.timedelta(days=days)
    return next_business_day(max(wanted, add_business_days(invoiced, lead_days)))

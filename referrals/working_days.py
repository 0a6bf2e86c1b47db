"""Working days (Monday to Friday, less the configured nation's bank holidays), for targets."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from hub.settings import get_settings

LONDON = ZoneInfo("Europe/London")


# The `holidays` library's subdivisions of GB for each choice of BANK_HOLIDAYS.
REGIONS = {"scotland": "SCT", "england-and-wales": "ENG", "northern-ireland": "NIR"}


def bank_holidays(year: int, region: str = "") -> frozenset[date]:
    """The weekday bank holidays in `year` (substitute days included) for `region`.

    `region` is one of REGIONS, by default the BANK_HOLIDAYS setting. One-off holidays the
    government proclaims come with the `holidays` library's updates.
    """
    return _weekday_holidays(year, REGIONS[region or get_settings().bank_holidays])


@lru_cache(maxsize=64)
def _weekday_holidays(year: int, subdivision: str) -> frozenset[date]:
    calendar = holidays.country_holidays("GB", subdiv=subdivision, years=year)
    return frozenset(day for day in calendar if day.weekday() < 5)


def is_working_day(day: date, region: str = "") -> bool:
    """Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays(day.year, region)


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (start itself does not count)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def due_at(requested_at: datetime, days: int) -> datetime:
    """The end (midnight, UK time) of the `days`-th working day after the request."""
    last_day = add_working_days(requested_at.astimezone(LONDON).date(), days)
    end = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=LONDON)
    return end.astimezone(requested_at.tzinfo or LONDON)


def working_days_left(now: datetime, due: datetime) -> int:
    """Whole working days from today (UK) until the due day, inclusive of the due day; 0 if due."""
    today = now.astimezone(LONDON).date()
    last_day = (due.astimezone(LONDON) - timedelta(microseconds=1)).date()
    count = 0
    day = today
    while day < last_day:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count

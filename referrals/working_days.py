"""Working days in Scotland (Monday to Friday, less bank holidays), for response targets."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _easter(year: int) -> date:
    """Easter Sunday (the Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    j, k = divmod(c, 4)
    m = (a + 11 * h) // 319
    r = (2 * e + 2 * j - k - h + m + 32) % 7
    n = (h - m + r + 90) // 25
    p = (h - m + r + n + 19) % 32
    return date(year, n, p)


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    day = following - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _substitute(days: list[date]) -> list[date]:
    """Move holidays that fall at a weekend to the next free weekday, in order."""
    taken: set[date] = set()
    result = []
    for day in sorted(days):
        moved = day
        while moved.weekday() >= 5 or moved in taken:
            moved += timedelta(days=1)
        taken.add(moved)
        result.append(moved)
    return result


@lru_cache(maxsize=64)
def scottish_bank_holidays(year: int) -> frozenset[date]:
    """Scotland's bank holidays in `year`, with weekend substitutes."""
    fixed = _substitute([date(year, 1, 1), date(year, 1, 2)])
    christmas = _substitute([date(year, 12, 25), date(year, 12, 26)])
    st_andrew = _substitute([date(year, 11, 30)])
    return frozenset(
        [
            *fixed,
            _easter(year) - timedelta(days=2),  # Good Friday
            _first_monday(year, 5),
            _last_monday(year, 5),
            _first_monday(year, 8),
            *st_andrew,
            *christmas,
        ]
    )


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Scottish bank holiday."""
    return day.weekday() < 5 and day not in scottish_bank_holidays(day.year)


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

"""Open or closed at a moment, decided fast for thousands of listings, and exactly.

Weekly opening kept as minutes of the week answers most listings by comparison alone; a
listing with a dated exception today or yesterday, or with monthly or dated rules, is
answered from its opening hours by minutes of the local day; and within a day of the clocks
changing, where wall-clock minutes and instants part ways, `OpeningHours.is_open` decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from directory.hours import LONDON, OpeningHours
from directory.search.candidates import EXCEPTION_DATES, WEEK, Row
from directory.search.documents import MINUTES_PER_DAY, MINUTES_PER_WEEK, clock_changes_near


@dataclass(frozen=True, slots=True)
class Moment:
    """An instant prepared for quick open checks."""

    at: datetime
    minute_of_week: int
    minute_of_day: int
    day: date
    today: str
    yesterday: str
    clock_changes: bool
    quick_open: Callable[[Row], bool | None] = field(compare=False, repr=False)
    """`quick_open(doc, this moment)`, with the moment's parts bound (it runs per listing)."""

    @classmethod
    def of(cls, at: datetime) -> Moment:
        """Prepare `at` (any aware datetime)."""
        local = at.astimezone(LONDON)
        day = local.date()
        minute = local.hour * 60 + local.minute
        minute_of_week = local.weekday() * MINUTES_PER_DAY + minute
        today = f"{day:%Y%m%d}"
        yesterday = f"{day - timedelta(days=1):%Y%m%d}"
        clock_changes = clock_changes_near(at)
        return cls(
            at=at,
            minute_of_week=minute_of_week,
            minute_of_day=minute,
            day=day,
            today=today,
            yesterday=yesterday,
            clock_changes=clock_changes,
            quick_open=_quick_check(minute_of_week, today, yesterday, clock_changes),
        )


def quick_open(doc: Row, moment: Moment) -> bool | None:
    """Open at `moment` by the weekly minutes, or None when the opening hours must say."""
    return moment.quick_open(doc)


def _quick_check(
    minute: int, today: str, yesterday: str, clock_changes: bool
) -> Callable[[Row], bool | None]:
    later = minute + MINUTES_PER_WEEK

    def check(doc: Row) -> bool | None:
        week = doc[WEEK]
        if week is None or clock_changes:
            return None
        dates = doc[EXCEPTION_DATES]
        if dates and (today in dates or yesterday in dates):
            return None
        for start, end in week:  # noqa: SIM110 - a plain loop: any() is slower on this hot path
            if start <= minute < end or start <= later < end:
                return True
        return False

    return check


def _minutes(at: Any) -> int:
    return int(at.hour) * 60 + int(at.minute)


def exact_open(hours: OpeningHours, moment: Moment) -> bool:
    """`hours.is_open(moment.at)`, by minutes of the local day unless the clocks change nearby.

    Same rules as `OpeningHours`: an exception replaces every rule on its date, and an
    opening that closes at or before it opens runs past midnight (so yesterday's counts).
    """
    if moment.clock_changes:
        return hours.is_open(moment.at)
    minute = moment.minute_of_day
    for back, day in ((MINUTES_PER_DAY, moment.day - timedelta(days=1)), (0, moment.day)):
        exceptions = [e for e in hours.exceptions if e.on_date == day]
        if exceptions:
            spans = [
                (e.opens_at, e.closes_at)
                for e in exceptions
                if not e.closed and e.opens_at is not None and e.closes_at is not None
            ]
        else:
            spans = [(r.opens_at, r.closes_at) for r in hours.rules if r.applies_on(day)]
        for opens, closes in spans:
            start, end = _minutes(opens), _minutes(closes)
            if end <= start:
                end += MINUTES_PER_DAY
            if start - back <= minute < end - back:
                return True
    return False

"""Report periods: a month or a date range, as UK calendar days and the instants that bound them.

A day runs from midnight to midnight in Europe/London, so a month that crosses the clocks
changing is 743 or 745 hours long, and an event at 00:30 BST on 1 April is April's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from hub.errors import Invalid

LONDON = ZoneInfo("Europe/London")
LONGEST = timedelta(days=366)


class Period(msgspec.Struct, frozen=True, kw_only=True):
    """From `start` to `end`, both days included."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        """The first instant (UTC) of the first day, UK time."""
        return datetime.combine(self.start, time(0), tzinfo=LONDON).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant (UTC) after the last day, UK time."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(
            UTC
        )

    @property
    def label(self) -> str:
        """ "January 2027", or "1 Jan 2027 to 15 Mar 2027"."""
        if self.start.day == 1 and self.end == month_end(self.start):
            return f"{self.start:%B %Y}"
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"

    @property
    def is_month(self) -> bool:
        """True for exactly one calendar month."""
        return self.start.day == 1 and self.end == month_end(self.start)

    @property
    def query(self) -> str:
        """The query string that asks for this period again."""
        if self.is_month:
            return f"month={self.start:%Y-%m}"
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def month_end(first: date) -> date:
    """The last day of `first`'s month."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def month(text: str) -> Period:
    """ "2027-01" as a period, or Invalid."""
    try:
        first = datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        msg = "Enter the month as a year and month, for example 2027-01"
        raise Invalid(msg, {"month": msg}) from None
    return Period(start=first, end=month_end(first))


def date_range(start_text: str, end_text: str) -> Period:
    """A range of days from two ISO dates, or Invalid saying what is wrong."""
    try:
        start = date.fromisoformat(start_text.strip())
    except ValueError:
        msg = "Enter the first day as a date, for example 2027-01-01"
        raise Invalid(msg, {"from": msg}) from None
    try:
        end = date.fromisoformat(end_text.strip())
    except ValueError:
        msg = "Enter the last day as a date, for example 2027-01-31"
        raise Invalid(msg, {"to": msg}) from None
    if end < start:
        msg = "The last day must be the same as or after the first day"
        raise Invalid(msg, {"to": msg})
    if end - start > LONGEST:
        msg = "Choose a range of a year or less"
        raise Invalid(msg, {"to": msg})
    return Period(start=start, end=end)


def asked(month_text: str, start_text: str, end_text: str, today: date) -> Period:
    """The period a page asked for: a range, a month, or else last month."""
    if start_text or end_text:
        return date_range(start_text, end_text)
    if month_text:
        return month(month_text)
    last = today.replace(day=1) - timedelta(days=1)
    return Period(start=last.replace(day=1), end=last)

"""Plain words for dates and opening-hours exceptions, shared by listing and signposting pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from directory import schemas
from directory.hours import LONDON

UPCOMING_DAYS = 60


def long_date(day: date) -> str:
    """A date in words, like 3 March 2027."""
    return f"{day.day} {day:%B %Y}"


def describe_exception(item: schemas.ScheduleException) -> str:
    """A dated exception in words: closed on a date, or open other hours that day."""
    when = long_date(item.on_date)
    reason = f" ({item.description})" if item.description else ""
    if item.closed or item.opens_at is None or item.closes_at is None:
        return f"Closed on {when}{reason}"
    return f"Open {item.opens_at:%H:%M} to {item.closes_at:%H:%M} on {when}{reason}"


def upcoming_exceptions(
    record: schemas.ServiceRecord, today: date, days: int = UPCOMING_DAYS
) -> list[schemas.ScheduleException]:
    """The listing's dated exceptions (its own and its places') from today for `days` days."""
    last = today + timedelta(days=days)
    items = [*record.exceptions, *(e for loc in record.locations for e in loc.exceptions)]
    return sorted(
        (item for item in items if today <= item.on_date <= last), key=lambda e: e.on_date
    )


def moment_text(moment: datetime | None) -> str:
    """An instant in words in the hub's time, like 3 March 2027 at 14:05 ("" for None)."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{long_date(local.date())} at {local:%H:%M}"


def date_text(moment: datetime | None) -> str:
    """The date of an instant in the hub's time, in words ("" for None)."""
    return long_date(moment.astimezone(LONDON).date()) if moment is not None else ""


def checked_words(record: schemas.ServiceRecord, stale: bool) -> str:
    """Who checked the listing and when, in words ("Last checked" when stale)."""
    if record.verified_at is None:
        return "Never checked"
    who = f" by {record.verified_by_name}" if record.verified_by_name else ""
    return f"{'Last checked' if stale else 'Checked'}{who} on {date_text(record.verified_at)}"


def ages_text(record: schemas.ServiceRecord) -> str:
    """The age range in words, like 16 to 25, 18 and over, or Any age."""
    low, high = record.minimum_age, record.maximum_age
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"{low} and over"
    if high is not None:
        return f"Up to {high}"
    return "Any age"


def web_link(url: str) -> str:
    """The address if it is a web address (imported feeds may hold anything), else ""."""
    return url if url.lower().startswith(("https://", "http://")) else ""

"""When a session runs: its recurrence as listing schedule rules, and its dates in a range.

Weekly and one-off sessions are one weekly rule (a one-off's valid from and to are its day);
a monthly session is the nth weekday of the month, as its first date is (the 5th reads as the
last). HSDS schedules have no interval, so a fortnightly session is a weekly rule whose off
weeks are closed dates on the listing, written a year ahead on every save; they are not
occurrences, so they are never shown as cancellations.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from directory.hours import DAY_CODES

RECURRENCES = {
    "weekly": "Every week",
    "fortnightly": "Every other week",
    "monthly": "Once a month",
    "one_off": "Once only",
}
OFF_WEEK_NOTE = "Not this week (runs fortnightly)"
CANCELLED_NOTE = "Session cancelled"
HORIZON = timedelta(days=366)


def nth_of_month(day: date) -> int:
    """Which of its weekday in the month `day` is: 1-4, or -1 for a fifth (read as the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def rule_fields(recurrence: str, first: date, last: date | None) -> dict[str, object]:
    """freq, byday, valid_from and valid_to of the listing's schedule row."""
    code = DAY_CODES[first.weekday()]
    if recurrence == "monthly":
        return {
            "freq": "MONTHLY",
            "byday": f"{nth_of_month(first)}{code}",
            "valid_from": first,
            "valid_to": last,
        }
    if recurrence == "one_off":
        return {"freq": "WEEKLY", "byday": code, "valid_from": first, "valid_to": first}
    return {"freq": "WEEKLY", "byday": code, "valid_from": first, "valid_to": last}


def _matches_month_rule(day: date, first: date) -> bool:
    if day.weekday() != first.weekday():
        return False
    nth = nth_of_month(first)
    if nth > 0:
        return (day.day - 1) // 7 + 1 == nth
    return (day + timedelta(days=7)).month != day.month


def runs_on(recurrence: str, first: date, last: date | None, day: date) -> bool:
    """Does the session's recurrence (before cancellations) put it on `day`?"""
    if day < first or (last is not None and day > last):
        return False
    if recurrence == "one_off":
        return day == first
    if recurrence == "monthly":
        return _matches_month_rule(day, first)
    weeks, remainder = divmod((day - first).days, 7)
    if remainder:
        return False
    return recurrence == "weekly" or weeks % 2 == 0


_NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def describe(recurrence: str, first: date) -> str:
    """How often, in the words a worker would say: "Every Tuesday", "The last Friday of the
    month", "Once only, on Tuesday 8 December 2026"."""
    weekday = f"{first:%A}"
    if recurrence == "weekly":
        return f"Every {weekday}"
    if recurrence == "fortnightly":
        return f"Every other {weekday}"
    if recurrence == "monthly":
        return f"The {_NTH_WORDS[nth_of_month(first)]} {weekday} of the month"
    if recurrence == "one_off":
        return f"Once only, on {first:%A %-d %B %Y}"
    return RECURRENCES.get(recurrence, recurrence)


def next_date(
    recurrence: str, first: date, last: date | None, after: date, skipping: Collection[date] = ()
) -> date | None:
    """The first date after `after` that the recurrence puts the session on, other than the
    `skipping` ones (cancelled dates); None when there are no more within nine weeks."""
    day = max(after + timedelta(days=1), first)
    end = day + timedelta(days=62)  # a monthly session recurs within nine weeks
    if last is not None:
        end = min(end, last)
    while day <= end:
        if runs_on(recurrence, first, last, day) and day not in skipping:
            return day
        day += timedelta(days=1)
    return None


def dates_between(
    recurrence: str, first: date, last: date | None, start: date, end: date
) -> list[date]:
    """Every date in [start, end] the recurrence puts the session on (cancelled ones included)."""
    day = max(start, first)
    found = []
    while day <= end:
        if runs_on(recurrence, first, last, day):
            found.append(day)
        day += timedelta(days=1)
    return found


def off_weeks(first: date, last: date | None, today: date) -> Iterable[date]:
    """A fortnightly session's skipped weeks, from its first date to a year past today."""
    end = min(last, today + HORIZON) if last else today + HORIZON
    day = first + timedelta(days=7)
    while day <= end:
        yield day
        day += timedelta(days=14)

"""Opening hours as a form: rows of a day and up to two intervals, to and from HSDS schedules.

A row is a weekday, either every week or the nth (or last) of the month. Rows with the same
times on different days are saved as one rule (BYDAY=MO,TU,...), which keeps the listing's
hours short to read and close to how HSDS feeds write them.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, time, timedelta

from directory import schemas
from directory.hours import DAY_CODES, DAY_NAMES, parse_byday
from directory.listings.schemas import ExceptionForm, HoursRow

WEEK_CHOICES = {
    "": "Every",
    "1": "First",
    "2": "Second",
    "3": "Third",
    "4": "Fourth",
    "-1": "Last",
}
MAX_ROWS = 28
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?$")
TIME_HINT = "Use times like 09:00 or 17:30"

Interval = tuple[time, time]


def parse_clock(text: str) -> time:
    """A time of day as people type it: "9", "09:00", "9.30", "5:30pm", "noon", "midnight".

    Raises:
        ValueError: not a time of day.
    """
    value = text.strip().lower().replace(" ", "")
    not_a_time = ValueError(f"Not a time of day: {text!r}")
    if value in {"noon", "midday"}:
        return time(12, 0)
    if value == "midnight":
        return time(0, 0)
    match = _CLOCK.match(value)
    if not match:
        raise not_a_time
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if suffix:
        if not 1 <= hour <= 12:
            raise not_a_time
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour == 24 and minute == 0:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise not_a_time
    return time(hour, minute)


def clock_text(at: time | None) -> str:
    """A time as the form shows it, like 09:00."""
    return at.strftime("%H:%M") if at is not None else ""


def _row_key(code: str) -> tuple[str, str]:
    """`2TU` -> ("2", "TU"); `MO` -> ("", "MO")."""
    return code[:-2], code[-2:]


def rows_from_schedules(schedules: Sequence[schemas.Schedule]) -> list[HoursRow]:
    """The form's rows for these rules: one row per day (two intervals a row), in week order."""
    intervals: dict[tuple[str, str], set[Interval]] = defaultdict(set)
    for schedule in schedules:
        monthly = schedule.freq.upper() == "MONTHLY"
        for code in parse_byday(schedule.byday):
            week, day = _row_key(code)
            key = (week if monthly else "", day)
            intervals[key].add((schedule.opens_at, schedule.closes_at))
    order = list(WEEK_CHOICES)
    rows: list[HoursRow] = []
    for week, day in sorted(
        intervals,
        key=lambda key: (
            order.index(key[0]) if key[0] in order else len(order),
            DAY_CODES.index(key[1]),
        ),
    ):
        spans = sorted(intervals[(week, day)])
        for start in range(0, len(spans), 2):
            pair = spans[start : start + 2]
            second = pair[1] if len(pair) > 1 else None
            rows.append(
                HoursRow(
                    week=week,
                    day=day,
                    opens_1=clock_text(pair[0][0]),
                    closes_1=clock_text(pair[0][1]),
                    opens_2=clock_text(second[0] if second else None),
                    closes_2=clock_text(second[1] if second else None),
                )
            )
    return rows


def blank_week() -> list[HoursRow]:
    """One empty row per weekday: the form a new listing starts with."""
    return [HoursRow(day=code) for code in DAY_CODES]


def _check_pair(
    index: int, number: int, opens: str, closes: str, errors: dict[str, str]
) -> Interval | None:
    opens_id, closes_id = f"rows-{index}-opens-{number}", f"rows-{index}-closes-{number}"
    if not opens.strip() and not closes.strip():
        return None
    if not opens.strip():
        errors[opens_id] = f"Enter the opening time for row {index + 1}"
        return None
    if not closes.strip():
        errors[closes_id] = f"Enter the closing time for row {index + 1}"
        return None
    try:
        opens_at = parse_clock(opens)
    except ValueError:
        errors[opens_id] = f"Enter the opening time in row {index + 1} like 09:00"
        return None
    try:
        closes_at = parse_clock(closes)
    except ValueError:
        errors[closes_id] = f"Enter the closing time in row {index + 1} like 17:30"
        return None
    if opens_at == closes_at:
        errors[closes_id] = f"The closing time in row {index + 1} must differ from the opening time"
        return None
    return opens_at, closes_at


def schedules_from_rows(
    rows: Sequence[HoursRow], existing: Sequence[schemas.Schedule] = ()
) -> tuple[list[schemas.Schedule], dict[str, str]]:
    """Validated rules for the rows typed, and field id -> message for every problem.

    Days with the same times are joined into one rule; existing rule ids are reused in order
    so saving unchanged hours records no change.
    """
    errors: dict[str, str] = {}
    by_day: dict[tuple[str, str], set[Interval]] = defaultdict(set)
    for index, row in enumerate(rows):
        if row.is_blank:
            continue
        if row.day not in DAY_CODES:
            errors[f"rows-{index}-day"] = f"Choose the day for row {index + 1}"
        if row.week not in WEEK_CHOICES:
            errors[f"rows-{index}-week"] = f"Choose which week for row {index + 1}"
        pairs = ((1, row.opens_1, row.closes_1), (2, row.opens_2, row.closes_2))
        for number, opens, closes in pairs:
            interval = _check_pair(index, number, opens, closes, errors)
            if interval is not None and row.day in DAY_CODES:
                by_day[(row.week, row.day)].add(interval)
    if errors:
        return [], errors
    # Group days that share exactly the same intervals into one rule per interval.
    groups: dict[tuple[str, frozenset[Interval]], list[str]] = defaultdict(list)
    for (week, day), spans in sorted(by_day.items(), key=lambda item: DAY_CODES.index(item[0][1])):
        groups[("MONTHLY" if week else "WEEKLY", frozenset(spans))].append(f"{week}{day}")
    rules: list[tuple[str, str, time, time]] = []
    for (freq, shared), codes in groups.items():
        for opens_at, closes_at in sorted(shared):
            rules.append((freq, ",".join(codes), opens_at, closes_at))
    rules.sort(key=lambda rule: (rule[0] != "WEEKLY", _first_day(rule[1]), rule[2]))
    ids = [schedule.id for schedule in existing]
    schedules = [
        schemas.Schedule(
            id=ids[position] if position < len(ids) else uuid.uuid4(),
            freq=freq,
            byday=byday,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        for position, (freq, byday, opens_at, closes_at) in enumerate(rules)
    ]
    return schedules, {}


def _first_day(byday: str) -> int:
    codes = parse_byday(byday)
    return DAY_CODES.index(codes[0][-2:]) if codes else 0


def overnight_rows(rows: Sequence[HoursRow]) -> list[str]:
    """Plain words for rows that close after midnight, to confirm on the page."""
    notes = []
    for row in rows:
        for opens, closes in ((row.opens_1, row.closes_1), (row.opens_2, row.closes_2)):
            try:
                opens_at, closes_at = parse_clock(opens), parse_clock(closes)
            except ValueError:
                continue
            if closes_at < opens_at and row.day in DAY_CODES:
                day = DAY_NAMES[DAY_CODES.index(row.day)]
                notes.append(f"{day}: {clock_text(opens_at)} to {clock_text(closes_at)} next day")
    return notes


def exception_from_form(
    form: ExceptionForm, today: date, existing: Sequence[schemas.ScheduleException]
) -> tuple[schemas.ScheduleException | None, dict[str, str]]:
    """A validated dated exception, or the problems with the form."""
    errors: dict[str, str] = {}
    on_date = _date(form)
    if on_date is None:
        errors["on_date_day"] = "Enter a real date, for example 25 12 2026"
    elif on_date < today:
        errors["on_date_day"] = "Enter today's date or a date in the future"
    elif on_date > today + timedelta(days=2 * 366):
        errors["on_date_day"] = "Enter a date in the next two years"
    if form.kind not in {"closed", "open"}:
        errors["kind"] = "Choose closed all day, or open at different times"
    opens_at = closes_at = None
    if form.kind == "open":
        interval = _check_pair(0, 1, form.opens_at, form.closes_at, {})
        if interval is None:
            _exception_time_errors(form, errors)
        else:
            opens_at, closes_at = interval
    if len(form.description) > 200:
        errors["description"] = "The reason must be 200 characters or fewer"
    if on_date is not None and "on_date_day" not in errors:
        same_day = [item for item in existing if item.on_date == on_date]
        if same_day and (form.kind == "closed" or any(item.closed for item in same_day)):
            errors["on_date_day"] = "There is already a change on that date: remove it first"
    if errors or on_date is None:
        return None, errors
    return (
        schemas.ScheduleException(
            id=uuid.uuid4(),
            on_date=on_date,
            closed=form.kind == "closed",
            opens_at=opens_at,
            closes_at=closes_at,
            description=form.description.strip(),
        ),
        {},
    )


def _date(form: ExceptionForm) -> date | None:
    parts = (form.on_date_year, form.on_date_month, form.on_date_day)
    try:
        year, month, day = (int(part.strip()) for part in parts)
        return date(year, month, day) if year >= 2000 else None
    except ValueError:
        return None


def _exception_time_errors(form: ExceptionForm, errors: dict[str, str]) -> None:
    for name, value in (("opens_at", form.opens_at), ("closes_at", form.closes_at)):
        word = "opening" if name == "opens_at" else "closing"
        if not value.strip():
            errors[name] = f"Enter the {word} time"
            continue
        try:
            parse_clock(value)
        except ValueError:
            errors[name] = f"Enter the {word} time like 09:00"
    if not errors.get("opens_at") and not errors.get("closes_at"):
        errors["closes_at"] = "The closing time must differ from the opening time"

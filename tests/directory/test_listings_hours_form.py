"""The opening-hours form: typed times, rows to rules and back, dated exceptions."""

from __future__ import annotations

import uuid
from datetime import date, time

import pytest

from directory import schemas
from directory.hours import OpeningHours, describe_rules
from directory.listings.hours_form import (
    exception_from_form,
    overnight_rows,
    parse_clock,
    rows_from_schedules,
    schedules_from_rows,
)
from directory.listings.schemas import ExceptionForm, HoursRow


def test_times_are_read_as_people_type_them():
    typed = ["9", "09:00", "9.30", "0930", "5:30pm", "12am", "12pm", "noon", "midnight", "24:00"]
    assert [parse_clock(text) for text in typed] == [
        time(9),
        time(9),
        time(9, 30),
        time(9, 30),
        time(17, 30),
        time(0),
        time(12),
        time(12),
        time(0),
        time(0),
    ]
    for nonsense in ["", "25:00", "9:61", "13pm", "nine", "9:00:00"]:
        with pytest.raises(ValueError, match="Not a time of day"):
            parse_clock(nonsense)


def test_days_with_the_same_times_become_one_rule_and_read_back_as_rows():
    rows = [
        HoursRow(day=day, opens_1="9:00", closes_1="13:00", opens_2="18:00", closes_2="21:00")
        for day in ("MO", "TU", "WE")
    ] + [
        HoursRow(day="FR", opens_1="22:00", closes_1="06:00"),  # overnight
        HoursRow(week="2", day="TU", opens_1="10:00", closes_1="12:00"),  # 2nd Tuesday
        HoursRow(day="SA"),  # blank: left out
    ]
    schedules, errors = schedules_from_rows(rows)
    assert errors == {}
    assert [(s.freq, s.byday, s.opens_at, s.closes_at) for s in schedules] == [
        ("WEEKLY", "MO,TU,WE", time(9), time(13)),
        ("WEEKLY", "MO,TU,WE", time(18), time(21)),
        ("WEEKLY", "FR", time(22), time(6)),
        ("MONTHLY", "2TU", time(10), time(12)),
    ]
    hours = OpeningHours(rules=tuple(s.rule() for s in schedules))
    assert describe_rules(hours.rules) == [
        "Monday, Tuesday, Wednesday: 09:00 to 13:00, 18:00 to 21:00",
        "Friday: 22:00 to 06:00",
        "Second Tuesday of the month: 10:00 to 12:00",
    ]
    # Back to rows: one per day, in week order, every week before monthly.
    again = rows_from_schedules(schedules)
    assert [(r.week, r.day, r.opens_1, r.closes_1, r.opens_2, r.closes_2) for r in again] == [
        ("", "MO", "09:00", "13:00", "18:00", "21:00"),
        ("", "TU", "09:00", "13:00", "18:00", "21:00"),
        ("", "WE", "09:00", "13:00", "18:00", "21:00"),
        ("", "FR", "22:00", "06:00", "", ""),
        ("2", "TU", "10:00", "12:00", "", ""),
    ]
    assert overnight_rows(again) == ["Friday: 22:00 to 06:00 next day"]
    # Saving the same rows again reuses the ids, so nothing looks changed.
    resaved, _ = schedules_from_rows(again, existing=schedules)
    assert resaved == schedules
    # More than two intervals on a day come back as a second row for that day.
    three = [
        schemas.Schedule(
            id=uuid.uuid4(), freq="WEEKLY", byday="MO", opens_at=time(h), closes_at=time(h + 1)
        )
        for h in (8, 12, 16)
    ]
    rows = rows_from_schedules(three)
    assert [(r.opens_1, r.opens_2) for r in rows] == [("08:00", "12:00"), ("16:00", "")]


def test_bad_rows_are_flagged_and_dated_exceptions_checked():
    rows = [
        HoursRow(day="MO", opens_1="9:00"),
        HoursRow(day="TU", opens_1="soon", closes_1="17:00"),
        HoursRow(day="WE", opens_1="09:00", closes_1="9am"),
        HoursRow(day="XX", opens_1="09:00", closes_1="17:00"),
        HoursRow(day="TH", closes_2="17:00"),
    ]
    schedules, errors = schedules_from_rows(rows)
    assert schedules == []
    assert set(errors) == {
        "rows-0-closes-1",
        "rows-1-opens-1",
        "rows-2-closes-1",
        "rows-3-day",
        "rows-4-opens-2",
    }
    today = date(2026, 12, 1)
    closed = ExceptionForm(
        on_date_day="25",
        on_date_month="12",
        on_date_year="2026",
        kind="closed",
        description="Christmas Day",
    )
    exception, errors = exception_from_form(closed, today, [])
    assert errors == {}
    assert exception is not None
    assert (exception.on_date, exception.closed, exception.description) == (
        date(2026, 12, 25),
        True,
        "Christmas Day",
    )
    late = ExceptionForm(
        on_date_day="24",
        on_date_month="12",
        on_date_year="2026",
        kind="open",
        opens_at="18:00",
        closes_at="01:00",
    )
    exception, errors = exception_from_form(late, today, [])
    assert exception is not None
    assert (exception.closed, exception.opens_at, exception.closes_at) == (
        False,
        time(18),
        time(1),
    )
    problems = [
        (
            ExceptionForm(on_date_day="31", on_date_month="2", on_date_year="2027", kind="closed"),
            "on_date_day",
        ),
        (
            ExceptionForm(on_date_day="1", on_date_month="11", on_date_year="2026", kind="closed"),
            "on_date_day",
        ),  # in the past
        (ExceptionForm(on_date_day="2", on_date_month="12", on_date_year="2026", kind=""), "kind"),
        (
            ExceptionForm(
                on_date_day="2", on_date_month="12", on_date_year="2026", kind="open", opens_at="9"
            ),
            "closes_at",
        ),
    ]
    for form, field in problems:
        exception, errors = exception_from_form(form, today, [])
        assert exception is None
        assert field in errors, form
    existing = [schemas.ScheduleException(id=uuid.uuid4(), on_date=date(2026, 12, 25))]
    _, errors = exception_from_form(closed, today, existing)
    assert "remove it first" in errors["on_date_day"]

"""Opening hours: weekly, monthly, several intervals, midnight, exceptions, clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.hours import (
    LONDON,
    DatedException,
    OpeningHours,
    Rule,
    describe_rules,
    describe_status,
    parse_byday,
)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
SPLIT_DAY = OpeningHours(
    rules=(
        Rule(byday=WEEKDAYS, opens_at=time(9), closes_at=time(13)),
        Rule(byday=WEEKDAYS, opens_at=time(18), closes_at=time(21)),
    )
)
NIGHT_SHELTER = OpeningHours(
    rules=(Rule(byday=("FR", "SA"), opens_at=time(22), closes_at=time(6)),)
)


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (london(2026, 11, 23, 8, 59), False),  # Monday, before opening
        (london(2026, 11, 23, 9, 0), True),
        (london(2026, 11, 23, 12, 59), True),
        (london(2026, 11, 23, 13, 0), False),  # closing time itself is closed
        (london(2026, 11, 23, 17, 30), False),  # the gap between intervals
        (london(2026, 11, 23, 19, 0), True),
        (london(2026, 11, 28, 10, 0), False),  # Saturday
    ],
)
def test_several_intervals_a_day(moment, expected):
    assert SPLIT_DAY.is_open(moment) is expected


def test_open_across_midnight():
    assert NIGHT_SHELTER.is_open(london(2026, 11, 27, 23, 0))  # Friday night
    assert NIGHT_SHELTER.is_open(london(2026, 11, 28, 5, 59))  # early Saturday, Friday's rule
    assert not NIGHT_SHELTER.is_open(london(2026, 11, 28, 6, 0))
    assert NIGHT_SHELTER.is_open(london(2026, 11, 29, 3, 0))  # early Sunday, Saturday's rule
    assert not NIGHT_SHELTER.is_open(london(2026, 11, 30, 3, 0))  # early Monday: no Sunday rule


def test_clocks_going_back_make_the_overnight_opening_an_hour_longer():
    # 25 October 2026: 02:00 BST becomes 01:00 GMT. Saturday 22:00 to Sunday 06:00 local.
    hours = OpeningHours(rules=(Rule(byday=("SA",), opens_at=time(22), closes_at=time(6)),))
    opened = london(2026, 10, 24, 22).astimezone(UTC)
    closed = london(2026, 10, 25, 6).astimezone(UTC)
    assert (closed - opened).total_seconds() == 9 * 3600
    assert hours.is_open(datetime(2026, 10, 25, 5, 30, tzinfo=UTC))  # 05:30 GMT local
    assert not hours.is_open(datetime(2026, 10, 25, 6, 0, tzinfo=UTC))


def test_clocks_going_forward():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST. Open 20:00 to 08:00 local: 11 real hours.
    hours = OpeningHours(rules=(Rule(byday=("SA",), opens_at=time(20), closes_at=time(8)),))
    assert hours.is_open(datetime(2026, 3, 29, 6, 59, tzinfo=UTC))  # 07:59 BST
    assert not hours.is_open(datetime(2026, 3, 29, 7, 0, tzinfo=UTC))  # 08:00 BST
    assert hours.is_open(datetime(2026, 3, 28, 20, 0, tzinfo=UTC))  # 20:00 GMT


def test_summer_time_uses_local_wall_clock():
    # 09:00 BST is 08:00 UTC in July.
    assert SPLIT_DAY.is_open(datetime(2026, 7, 6, 8, 0, tzinfo=UTC))
    assert not SPLIT_DAY.is_open(datetime(2026, 7, 6, 7, 59, tzinfo=UTC))


def test_bank_holiday_closure_and_one_off_late_opening():
    hours = OpeningHours(
        rules=SPLIT_DAY.rules,
        exceptions=(
            DatedException(on_date=date(2026, 12, 25), closed=True, description="Christmas"),
            DatedException(
                on_date=date(2026, 12, 23), closed=False, opens_at=time(9), closes_at=time(23)
            ),
        ),
    )
    assert not hours.is_open(london(2026, 12, 25, 10))
    assert hours.is_open(london(2026, 12, 23, 15))  # usual gap, open late today
    assert hours.is_open(london(2026, 12, 23, 22, 30))
    assert hours.is_open(london(2026, 12, 24, 10))  # back to normal


def test_closure_does_not_cut_short_the_night_before():
    hours = OpeningHours(
        rules=NIGHT_SHELTER.rules,
        exceptions=(DatedException(on_date=date(2026, 11, 28), closed=True),),
    )
    assert hours.is_open(london(2026, 11, 28, 2))  # Friday's night runs into the closed Saturday
    assert not hours.is_open(london(2026, 11, 28, 23))  # Saturday's own opening is cancelled


def test_monthly_rules():
    hours = OpeningHours(
        rules=(
            Rule(byday=("2TU",), opens_at=time(10), closes_at=time(12), freq="MONTHLY"),
            Rule(byday=("-1FR",), opens_at=time(14), closes_at=time(16), freq="MONTHLY"),
        )
    )
    assert hours.is_open(london(2026, 12, 8, 11))  # second Tuesday of December 2026
    assert not hours.is_open(london(2026, 12, 1, 11))  # first Tuesday
    assert hours.is_open(london(2026, 11, 27, 15))  # last Friday of November 2026
    assert not hours.is_open(london(2026, 11, 20, 15))


def test_valid_dates_bound_a_rule():
    hours = OpeningHours(
        rules=(
            Rule(
                byday=("MO",),
                opens_at=time(9),
                closes_at=time(17),
                valid_from=date(2026, 12, 1),
                valid_to=date(2026, 12, 31),
            ),
        )
    )
    assert not hours.is_open(london(2026, 11, 30, 10))
    assert hours.is_open(london(2026, 12, 7, 10))
    assert not hours.is_open(london(2027, 1, 4, 10))


def test_next_change_and_status_words():
    monday_noon = london(2026, 11, 23, 12)
    assert SPLIT_DAY.next_change(monday_noon) == (True, london(2026, 11, 23, 13))
    assert describe_status(SPLIT_DAY, monday_noon) == "Open now until 13:00"
    assert describe_status(SPLIT_DAY, london(2026, 11, 23, 14)) == "Closed, opens at 18:00"
    assert describe_status(SPLIT_DAY, london(2026, 11, 23, 22)) == "Closed, opens tomorrow at 09:00"
    assert describe_status(SPLIT_DAY, london(2026, 11, 27, 22)) == "Closed, opens Monday at 09:00"
    assert describe_status(OpeningHours(), monday_noon) == "Opening hours not known"


def test_adjacent_intervals_merge_for_closing_time():
    hours = OpeningHours(
        rules=(
            Rule(byday=("MO",), opens_at=time(9), closes_at=time(12)),
            Rule(byday=("MO",), opens_at=time(12), closes_at=time(15)),
        )
    )
    assert hours.next_change(london(2026, 11, 23, 10)) == (True, london(2026, 11, 23, 15))


def test_evenings_weekends_and_slots():
    assert SPLIT_DAY.opens_evenings()
    assert not SPLIT_DAY.opens_weekends()
    assert NIGHT_SHELTER.opens_weekends()
    assert (5, 3) in NIGHT_SHELTER.weekly_hour_slots()  # Saturday 03:00, from Friday's rule
    assert (0, 9) in SPLIT_DAY.weekly_hour_slots()
    assert (0, 14) not in SPLIT_DAY.weekly_hour_slots()


def test_open_between():
    assert SPLIT_DAY.open_between(london(2026, 11, 23, 13), london(2026, 11, 23, 18, 1))
    assert not SPLIT_DAY.open_between(london(2026, 11, 23, 13), london(2026, 11, 23, 18))


def test_parse_and_describe():
    assert parse_byday("mo, TU ,2we,-1FR,XX,A1MO") == ("MO", "TU", "2WE", "-1FR")
    assert describe_rules(SPLIT_DAY.rules) == [
        "Monday, Tuesday, Wednesday, Thursday, Friday: 09:00 to 13:00, 18:00 to 21:00"
    ]


@given(
    opens=st.integers(0, 23),
    length=st.integers(1, 23),
    probe=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
)
def test_daily_rule_agrees_with_local_clock(opens, length, probe):
    """Every-day rule: open iff the local wall-clock time falls in the interval."""
    closes = (opens + length) % 24
    hours = OpeningHours(
        rules=(
            Rule(
                byday=("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
                opens_at=time(opens),
                closes_at=time(closes),
            ),
        )
    )
    local = probe.astimezone(LONDON)
    minute = local.hour * 60 + local.minute
    start, end = opens * 60, closes * 60
    expected = start <= minute < end if end > start else (minute >= start or minute < end)
    assert hours.is_open(probe) is expected

"""`next_change` reads a few days first: it must answer as if it had read the whole fortnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from directory.hours import (
    LONDON,
    LOOKAHEAD_DAYS,
    DatedException,
    OpeningHours,
    Rule,
    describe_status,
)

EVERY_DAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def whole_fortnight(hours: OpeningHours, moment: datetime) -> tuple[bool, datetime | None]:
    """The answer from every opening of the fortnight, merged: what `next_change` promises."""
    first = moment.astimezone(LONDON).date() - timedelta(days=1)
    intervals = [
        interval
        for offset in range(LOOKAHEAD_DAYS + 2)
        for interval in hours.intervals_starting_on(first + timedelta(days=offset))
    ]
    intervals.sort(key=lambda pair: pair[0].astimezone(UTC))
    merged: list[list[datetime]] = []
    for start, end in intervals:
        if merged and start.astimezone(UTC) <= merged[-1][1].astimezone(UTC):
            if end.astimezone(UTC) > merged[-1][1].astimezone(UTC):
                merged[-1][1] = end
        else:
            merged.append([start, end])
    at = moment.astimezone(UTC)
    for start, end in merged:
        if start.astimezone(UTC) <= at < end.astimezone(UTC):
            return True, end.astimezone(LONDON)
        if start.astimezone(UTC) > at:
            return False, start.astimezone(LONDON)
    return False, None


def test_open_round_the_clock_says_until_the_end_of_the_fortnight():
    hours = OpeningHours(rules=(Rule(byday=EVERY_DAY, opens_at=time(0), closes_at=time(0)),))
    monday = london(2026, 11, 23, 12)
    assert hours.next_change(monday) == (True, london(2026, 12, 8, 0))
    assert describe_status(hours, monday) == "Open now until Tuesday at 00:00"


def test_an_opening_next_week_is_found():
    hours = OpeningHours(rules=(Rule(byday=("SU",), opens_at=time(10), closes_at=time(12)),))
    assert describe_status(hours, london(2026, 11, 23, 12)) == "Closed, opens Sunday at 10:00"
    assert hours.next_change(london(2026, 11, 30, 12)) == (False, london(2026, 12, 6, 10))


def test_closed_for_a_fortnight_says_so():
    hours = OpeningHours(
        rules=(Rule(byday=("2TU",), opens_at=time(10), closes_at=time(12), freq="MONTHLY"),)
    )
    assert describe_status(hours, london(2026, 11, 23, 12)) == "Closed for the next two weeks"
    assert describe_status(hours, london(2026, 11, 24, 12)) == "Closed, opens Tuesday at 10:00"


def test_a_late_night_joining_the_next_morning_closes_when_the_morning_does():
    hours = OpeningHours(
        rules=(
            Rule(byday=("TH",), opens_at=time(18), closes_at=time(0)),
            Rule(byday=("FR",), opens_at=time(0), closes_at=time(9)),
        )
    )
    assert hours.next_change(london(2026, 11, 26, 20)) == (True, london(2026, 11, 27, 9))


rules = st.builds(
    Rule,
    byday=st.lists(
        st.sampled_from([*EVERY_DAY, "1MO", "2TU", "-1FR", "5SA", "0WE", "XTU"]),
        min_size=1,
        max_size=3,
    ).map(tuple),
    opens_at=st.builds(time, st.integers(0, 23), st.sampled_from([0, 30])),
    closes_at=st.builds(time, st.integers(0, 23), st.sampled_from([0, 30])),
    freq=st.sampled_from(["WEEKLY", "MONTHLY"]),
)
exceptions = st.builds(
    DatedException,
    on_date=st.dates(min_value=date(2026, 3, 20), max_value=date(2026, 11, 30)),
    closed=st.booleans(),
    opens_at=st.builds(time, st.integers(0, 23)),
    closes_at=st.builds(time, st.integers(0, 23)),
)


@settings(max_examples=300)
@given(
    rules=st.lists(rules, max_size=4).map(tuple),
    exceptions=st.lists(exceptions, max_size=3).map(tuple),
    moment=st.datetimes(
        min_value=datetime(2026, 3, 20), max_value=datetime(2026, 11, 20), timezones=st.just(UTC)
    ),
)
def test_next_change_agrees_with_reading_the_whole_fortnight(rules, exceptions, moment):
    hours = OpeningHours(rules=rules, exceptions=exceptions)
    assert hours.next_change(moment) == whole_fortnight(hours, moment)
    assert hours.next_change(moment)[0] is hours.is_open(moment)

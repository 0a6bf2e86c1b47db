"""A session's recurrence in a worker's words, and its next date."""

from __future__ import annotations

from datetime import date

import pytest

from directory.sessions.recurrence import describe, next_date

TUESDAY = date(2027, 1, 12)  # the second Tuesday of January
LAST_FRIDAY = date(2027, 1, 29)


@pytest.mark.parametrize(
    ("recurrence", "first", "words"),
    [
        ("weekly", TUESDAY, "Every Tuesday"),
        ("fortnightly", TUESDAY, "Every other Tuesday"),
        ("monthly", TUESDAY, "The second Tuesday of the month"),
        ("monthly", LAST_FRIDAY, "The last Friday of the month"),
        ("one_off", TUESDAY, "Once only, on Tuesday 12 January 2027"),
    ],
)
def test_how_often_is_said_with_the_day(recurrence: str, first: date, words: str) -> None:
    assert describe(recurrence, first) == words


def test_the_next_date_follows_the_recurrence_and_stops_at_the_end() -> None:
    assert next_date("weekly", TUESDAY, None, date(2027, 1, 13)) == date(2027, 1, 19)
    cancelled = {date(2027, 1, 19)}
    assert next_date("weekly", TUESDAY, None, date(2027, 1, 13), cancelled) == date(2027, 1, 26)
    assert next_date("fortnightly", TUESDAY, None, date(2027, 1, 13)) == date(2027, 1, 26)
    assert next_date("monthly", TUESDAY, None, TUESDAY) == date(2027, 2, 9)
    assert next_date("monthly", LAST_FRIDAY, None, LAST_FRIDAY) == date(2027, 2, 26)
    assert next_date("weekly", TUESDAY, date(2027, 1, 19), date(2027, 1, 19)) is None
    assert next_date("one_off", TUESDAY, TUESDAY, date(2027, 1, 1)) == TUESDAY
    assert next_date("weekly", TUESDAY, None, date(2027, 1, 1)) == TUESDAY

"""Working days: weekends, each nation's bank holidays with substitutes, Easter, clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from referrals.working_days import (
    LONDON,
    add_working_days,
    bank_holidays,
    due_at,
    is_working_day,
    working_days_left,
)


def test_scottish_bank_holidays_2026_match_the_published_list() -> None:
    assert sorted(bank_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 4, 3),  # Good Friday
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 6, 15),  # a one-off: Scotland in the men's football World Cup
        date(2026, 8, 3),  # Scotland's summer holiday is the first Monday of August
        date(2026, 11, 30),  # St Andrew's Day, a Monday
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2026, 12, 28),  # Boxing Day falls on a Saturday: substitute Monday
    ]


def test_weekend_new_year_and_christmas_get_substitutes_in_order() -> None:
    holidays = bank_holidays(2027)
    # 2 January 2027 is a Saturday; 25 and 26 December a Saturday and a Sunday.
    assert {date(2027, 1, 1), date(2027, 1, 4)} <= holidays
    assert {date(2027, 12, 27), date(2027, 12, 28)} <= holidays
    assert date(2027, 1, 2) not in holidays
    assert date(2027, 12, 25) not in holidays


def test_st_andrews_day_on_a_sunday_moves_to_the_monday() -> None:
    assert date(2025, 11, 30).weekday() == 6
    assert date(2025, 12, 1) in bank_holidays(2025)
    assert date(2025, 11, 30) not in bank_holidays(2025)


@pytest.mark.parametrize(
    ("year", "good_friday"),
    [(2024, date(2024, 3, 29)), (2025, date(2025, 4, 18)), (2038, date(2038, 4, 23))],
)
def test_good_friday_follows_easter(year: int, good_friday: date) -> None:
    assert good_friday in bank_holidays(year)
    assert not is_working_day(good_friday)


def test_easter_monday_is_a_working_day_in_scotland() -> None:
    assert is_working_day(date(2026, 4, 6))


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2026, 11, 27))  # Friday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert not is_working_day(date(2026, 11, 30))  # St Andrew's Day
    assert is_working_day(date(2026, 12, 1))


def test_adding_working_days_skips_weekends_and_holidays() -> None:
    # Friday 27 November 2026 + 1: not Monday 30 (St Andrew's Day) but Tuesday 1 December.
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 1)
    # Thursday 24 December + 2: skips Christmas, the weekend and Monday 28 December.
    assert add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 30)
    # Over Easter: Thursday 2 April 2026 + 1 skips Good Friday and the weekend.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 6)
    # From a Saturday, the next working day is the Monday.
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)


def test_due_at_is_midnight_uk_time_after_the_last_working_day() -> None:
    sent = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday
    # Tuesday 24 to Friday 27, then not St Andrew's Day: Tuesday 1 December, ending at midnight.
    assert due_at(sent, 5) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    assert due_at(sent, 5).tzinfo == UTC


def test_due_at_across_the_autumn_clock_change() -> None:
    # Thursday 22 October 2026 (BST) + 2 working days: Friday 23, then Monday 26 (GMT).
    sent = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
    due = due_at(sent, 2)
    assert due == datetime(2026, 10, 27, 0, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).hour == 0


def test_due_at_across_the_spring_clock_change() -> None:
    # Friday 27 March 2026 (GMT) + 1 working day: Monday 30 March, which ends at 23:00 UTC.
    sent = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    assert due_at(sent, 1) == datetime(2026, 3, 30, 23, 0, tzinfo=UTC)


def test_late_evening_counts_as_that_uk_day() -> None:
    # 23:30 UTC on Sunday 31 May 2026 is already Monday 1 June in London (BST).
    sent = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert due_at(sent, 1) == datetime(2026, 6, 2, 23, 0, tzinfo=UTC)


def test_working_days_left_counts_to_the_due_day() -> None:
    due = due_at(datetime(2026, 11, 23, 10, 0, tzinfo=UTC), 5)  # due day Tuesday 1 December
    assert working_days_left(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), due) == 5
    assert working_days_left(datetime(2026, 11, 27, 12, 0, tzinfo=UTC), due) == 1  # Friday
    assert working_days_left(datetime(2026, 11, 28, 12, 0, tzinfo=UTC), due) == 1  # Saturday
    assert working_days_left(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), due) == 0
    assert working_days_left(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), due) == 0


def test_each_nation_has_its_own_bank_holidays() -> None:
    england = bank_holidays(2026, "england-and-wales")
    northern_ireland = bank_holidays(2026, "northern-ireland")
    scotland = bank_holidays(2026, "scotland")
    assert date(2026, 4, 6) in england  # Easter Monday: not in Scotland
    assert date(2026, 4, 6) not in scotland
    assert date(2026, 8, 31) in england  # late summer, where Scotland has the first Monday
    assert date(2026, 8, 3) not in england
    assert date(2026, 3, 17) in northern_ireland  # St Patrick's Day
    assert date(2026, 7, 13) in northern_ireland  # Battle of the Boyne, 12 July a Sunday
    assert date(2026, 11, 30) not in england | northern_ireland  # St Andrew's Day


def test_the_setting_chooses_the_nation(monkeypatch) -> None:
    from hub.settings import get_settings

    monkeypatch.setenv("BANK_HOLIDAYS", "england-and-wales")
    get_settings.cache_clear()
    try:
        assert not is_working_day(date(2026, 4, 6))
    finally:
        monkeypatch.delenv("BANK_HOLIDAYS")
        get_settings.cache_clear()
    assert is_working_day(date(2026, 4, 6))

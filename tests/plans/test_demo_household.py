"""The demo household: three members, a planning meeting held with its actions in the plan,
a review meeting arranged, and a connections map; seeding again changes nothing."""

from __future__ import annotations

from datetime import date

from directory.hours import LONDON
from plans.demo_household import on_a_weekday, seed_demo_household
from plans.tables import Connection, HouseholdMember, Meeting, MeetingAction
from plans.web import DEMO_SEEDERS
from tests.plans.test_demo_plan import _seed_all


async def test_the_demo_has_a_household_of_three_with_meetings() -> None:
    assert DEMO_SEEDERS.index(seed_demo_household) > 0
    await _seed_all()
    await seed_demo_household()
    members = await HouseholdMember.select(
        HouseholdMember.relationship, HouseholdMember.responsible
    )
    assert sorted(m["relationship"] for m in members) == ["child", "first", "partner"]
    assert [m["responsible"] is not None for m in members].count(True) == 1
    found = {(m["kind"], m["status"]) for m in await Meeting.select()}
    assert found == {("planning", "held"), ("review", "arranged")}
    review = await Meeting.select(Meeting.starts_at).where(Meeting.kind == "review").first()
    assert review is not None
    assert review["starts_at"].astimezone(LONDON).weekday() < 5  # not on a weekend
    assert await MeetingAction.count() == 2
    assert await Connection.count() == 4
    await seed_demo_household()
    assert await Meeting.count() == 2


def test_a_weekend_review_moves_to_the_monday() -> None:
    assert on_a_weekday(date(2026, 12, 27)) == date(2026, 12, 28)  # Sunday
    assert on_a_weekday(date(2026, 12, 26)) == date(2026, 12, 28)  # Saturday
    assert on_a_weekday(date(2026, 12, 29)) == date(2026, 12, 29)  # Tuesday

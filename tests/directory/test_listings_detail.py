"""The service detail page for staff, and the change history for those who keep the listing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import msgspec
import pytest

from directory import schemas
from directory.listings.history import describe_changes
from directory.store import upsert_service
from hub import clock
from hub.audit import Actor
from tests.directory.factories import location, make_service, need, weekly
from tests.directory.listings_support import browser, main_of, org_with_admin, signed_in
from tests.support import make_organisation, make_staff


@pytest.fixture
async def client():
    """A browser on the app these tests share (overrides the fresh-app one)."""
    async with browser() as web:
        yield web


MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def _rich_listing(organisation):
    place = location(
        organisation,
        name="Lochee Community Centre",
        transportation="Bus 22 to Lochee High Street",
        accessibility=[schemas.Accessibility(id=uuid.uuid4(), description="Step-free entrance")],
    )
    return await make_service(
        organisation,
        name="Housing Options",
        description="Advice if you are homeless or might be.",
        eligibility_description="Adults living in Dundee",
        minimum_age=16,
        maximum_age=25,
        is_free=True,
        referral_methods=["network", "drop_in"],
        referral_instructions="Ask for the duty officer",
        capacity_status="waitlist",
        capacity_waitlist_weeks=3,
        capacity_note="Short wait for first appointments",
        capacity_updated_at=MONDAY_NOON,
        response_target_days=2,
        locations=[place],
        schedules=[weekly("MO,TU", 9, 13), weekly("MO,TU", 18, 21)],
        exceptions=[
            schemas.ScheduleException(
                id=uuid.uuid4(), on_date=date(2026, 12, 25), description="Christmas Day"
            )
        ],
        phones=[schemas.Phone(id=uuid.uuid4(), number="01382 434000")],
        languages=[schemas.Language(id=uuid.uuid4(), code="pl", name="Polish")],
        service_areas=[schemas.ServiceArea(id=uuid.uuid4(), name="Dundee City")],
        contacts=[schemas.Contact(id=uuid.uuid4(), name="Duty officer", email="duty@ho.example")],
        terms=[need("housing", "Housing"), need("crisis", "Crisis")],
    )


async def test_any_staff_member_sees_everything_about_a_listing(client):
    clock.freeze(MONDAY_NOON)
    owner = await make_organisation(name="Housing Office")
    listing = await _rich_listing(owner)
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    await signed_in(client, await make_staff(hub))
    page = await client.get(f"/directory/services/{listing.id}")
    assert page.status_code == 200
    for words in (
        "Housing Options",
        "Housing Office",
        "Advice if you are homeless or might be.",
        "Adults living in Dundee",
        "16 to 25",
        "Network e-referral, Drop in",
        "Ask for the duty officer",
        "Waiting list (about 3 weeks)",
        "Short wait for first appointments",
        "Updated 23 November 2026 at 12:00",
        "Replies to referrals within 2 working days",
        "Open now until 13:00",
        "Monday, Tuesday: 09:00 to 13:00, 18:00 to 21:00",
        "Closed on 25 December 2026 (Christmas Day)",
        "1 High Street, Dundee DD2 3AA",
        "Bus 22 to Lochee High Street",
        "Step-free entrance",
        "01382 434000",
        "Polish",
        "Dundee City",
        "Duty officer",
        "Crisis",
        "Free",
        "Checked on 23 November 2026",
    ):
        assert words in page.text, words
    # A worker from another organisation may not change it or read its history.
    assert f"/directory/listings/{listing.id}" not in page.text
    assert f"/directory/services/{listing.id}/history" not in page.text
    missing = await client.get(f"/directory/services/{uuid.uuid4()}")
    assert missing.status_code == 404


async def test_history_shows_who_changed_what_in_plain_words(client):
    clock.freeze(MONDAY_NOON)
    organisation, admin = await org_with_admin("Street Soccer")
    listing = await make_service(
        organisation, name="Football Sessions", capacity_status="accepting"
    )
    edited = msgspec.structs.replace(
        listing,
        capacity_status="not_accepting",
        schedules=[weekly("WE", 18, 20)],
        terms=[need("social", "Social connection and peer support")],
    )
    await upsert_service(
        edited, actor=Actor("staff", str(admin.id), str(organisation.id)), changed_by=admin.id
    )
    await signed_in(client, admin)
    page = await client.get(f"/directory/services/{listing.id}/history")
    assert page.status_code == 200
    text = main_of(page.text)
    assert f"by {admin.name}" in text
    assert "Wraparound (import or system)" in text  # the listing's creation by the factory
    for words in (
        "Accepting referrals",
        "Not accepting referrals",
        "Monday, Tuesday, Wednesday, Thursday, Friday: 09:00 to 17:00",
        "Wednesday: 18:00 to 20:00",
        "Social connection and peer support",
    ):
        assert words in text, words
    assert text.index("Listing edited") < text.index("Listing created")  # newest first
    lines = describe_changes(
        {
            "is_free": [True, False],
            "minimum_age": [None, 18],
            "referral_methods": [["phone"], ["phone", "self"]],
            "assured_date": ["2026-01-02", "2026-11-23"],
            "exceptions": [
                [],
                [{"id": str(uuid.uuid4()), "on_date": "2026-12-26", "closed": False,
                  "opens_at": "10:00:00", "closes_at": "14:00:00", "description": ""}],
            ],
            "status": ["active", "temporarily closed"],
            "description": ["", ""],
        }
    )  # fmt: skip
    assert [(line.field, line.before, line.after) for line in lines] == [
        ("Status", "Running", "Temporarily closed"),
        ("Free", "Yes", "No"),
        ("Youngest age", "(nothing)", "18"),
        ("How to refer", "Phone", "Phone, Self-referral"),
        ("Last checked", "2 January 2026", "23 November 2026"),
        (
            "Changes to opening hours on dates",
            "(nothing)",
            "Open 10:00 to 14:00 on 26 December 2026",
        ),
    ]


async def test_history_is_only_for_those_who_keep_the_listing(client):
    organisation, _ = await org_with_admin("Kith & Kin")
    listing = await make_service(organisation)
    _, stranger_admin = await org_with_admin("Churches")
    own_worker = await make_staff(organisation)
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    system_admin = await make_staff(hub, is_org_admin=True, is_system_admin=True)
    url = f"/directory/services/{listing.id}/history"
    expected = [(stranger_admin, 404), (own_worker, 404), (system_admin, 200)]
    for member, status in expected:
        await signed_in(client, member)
        assert (await client.get(url)).status_code == status, member.name

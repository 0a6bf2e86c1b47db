"""Search result rows: read leanly, they say what the whole listing says."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from directory import schemas
from directory.hours import LONDON, describe_status
from directory.read import load_services
from directory.search.results import load_results
from hub import clock
from hub.db import close_pool, get_engine, open_pool, raw
from tests.directory.factories import location, make_service, weekly
from tests.support import make_organisation

MONDAY_AFTERNOON = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)
MOMENTS = (
    MONDAY_AFTERNOON,
    datetime(2026, 11, 23, 23, 30, tzinfo=LONDON),
    datetime(2026, 11, 28, 10, 0, tzinfo=LONDON),  # a Saturday
    datetime(2026, 12, 24, 12, 0, tzinfo=LONDON),  # the day before a closure
    datetime(2026, 12, 25, 12, 0, tzinfo=LONDON),  # closed for Christmas
    datetime(2027, 3, 27, 22, 0, tzinfo=LONDON),  # the night the clocks go forward
)


@pytest.fixture(scope="module", autouse=True)
async def pooled():
    """A connection pool on PostgreSQL."""
    engine = get_engine()
    await open_pool(engine)
    yield
    await close_pool(engine)


@pytest.fixture(autouse=True)
async def empty_search_index(clean_database: None) -> None:
    """The index too: on PostgreSQL the clean-up's DELETEs skip foreign-key cascades."""
    await raw("DELETE FROM directory_search_doc")


def christmas() -> schemas.ScheduleException:
    return schemas.ScheduleException(id=uuid.uuid4(), on_date=date(2026, 12, 25), closed=True)


async def varied_services() -> list[schemas.ServiceRecord]:
    """Listings that differ in everything a result shows."""
    clock.freeze(MONDAY_AFTERNOON)
    org = await make_organisation(name="Lochee Trust")
    place = location(
        org,
        schedules=[weekly("SA", 10, 14)],
        exceptions=[
            schemas.ScheduleException(
                id=uuid.uuid4(),
                on_date=date(2026, 12, 24),
                closed=False,
                opens_at=time(9),
                closes_at=time(22),
            )
        ],
    )
    return [
        await make_service(org, name="Plain", exceptions=[christmas()]),
        await make_service(
            org,
            name="Waiting list",
            capacity_status="waitlist",
            capacity_waitlist_weeks=6,
            referral_methods=["drop_in", "self"],
            verified_at=MONDAY_AFTERNOON - timedelta(days=400),
        ),
        await make_service(
            org,
            name="Unverified overnight",
            capacity_status="not_accepting",
            referral_methods=[],
            verified_at=None,
            schedules=[weekly("FR,SA", 22, 6)],
        ),
        await make_service(
            org,
            name="Hours of its place",
            capacity_status="assessment_first",
            schedules=[],
            locations=[place],
        ),
        await make_service(
            org,
            name="Monthly",
            schedules=[
                schemas.Schedule(
                    id=uuid.uuid4(),
                    freq="MONTHLY",
                    byday="2TU",
                    opens_at=time(10),
                    closes_at=time(12),
                )
            ],
        ),
    ]


async def test_a_result_row_says_what_the_whole_listing_says():
    services = await varied_services()
    ids = [service.id for service in services]
    records = {record.id: record for record in await load_services(ids)}
    rows = await load_results([*ids, uuid.uuid4(), ids[0]])  # an unknown id, a repeat
    assert set(rows) == set(ids)
    for service_id, (listing, hours) in rows.items():
        record = records[service_id]
        assert listing.id == record.id
        assert listing.name == record.name
        assert listing.organisation_name == record.organisation_name == "Lochee Trust"
        assert listing.description == record.description
        assert listing.capacity_text == record.capacity_text
        assert listing.referral_text == record.referral_text
        assert listing.takes_network_referrals is record.takes_network_referrals
        assert listing.is_accepting is record.is_accepting
        assert listing.is_stale(MONDAY_AFTERNOON) is record.is_stale(MONDAY_AFTERNOON)
        for moment in MOMENTS:
            assert hours.is_open(moment) is record.hours().is_open(moment)
            assert describe_status(hours, moment) == describe_status(record.hours(), moment)
    by_name = {listing.name: listing for listing, _ in rows.values()}
    assert by_name["Waiting list"].capacity_text == "Waiting list (about 6 weeks)"
    assert by_name["Waiting list"].is_stale(MONDAY_AFTERNOON)
    assert by_name["Unverified overnight"].referral_text == "Not given"
    status = describe_status(rows[by_name["Hours of its place"].id][1], MONDAY_AFTERNOON)
    assert status == "Closed, opens Saturday at 10:00"


async def test_a_listing_missing_from_the_index_still_shows_its_hours():
    services = await varied_services()
    plain = services[0]
    await raw("DELETE FROM directory_search_doc")  # as if the index were behind
    rows = await load_results([plain.id])
    listing, hours = rows[plain.id]
    assert listing.name == "Plain"
    assert describe_status(hours, MONDAY_AFTERNOON) == "Open now until 17:00"
    assert not hours.is_open(datetime(2026, 12, 25, 12, 0, tzinfo=LONDON))


async def test_no_ids_no_query():
    assert await load_results([]) == {}

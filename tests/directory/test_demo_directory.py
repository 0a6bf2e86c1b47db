"""The demo directory: every demo organisation's services around Lochee, out-of-hours openings,
a mix of capacity, some listings gone stale, postcodes for distance; and re-running keeps data."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import msgspec

from directory.demo import demo_id, seed_demo_directory
from directory.exchange.postcodes import postcode_point
from directory.hours import LONDON
from directory.openreferral.filters import distance_metres
from directory.read import load_services
from directory.store import upsert_service
from directory.tables import Location, Service, ServiceChange
from directory.web import DEMO_SEEDERS
from hub import clock
from hub.audit import Actor
from hub.demo import HUB_NAME, SPOKES, seed_demo_network
from hub.tables import Organisation

LOCHEE = (56.468, -3.021)


def next_weekday_at(weekday: int, hour: int, minute: int = 0) -> datetime:
    """The next such local time (Monday is 0), a week or less from now."""
    today = clock.now().astimezone(LONDON).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


async def test_the_demo_directory_is_realistic_and_seeding_again_keeps_edits() -> None:
    assert seed_demo_directory in DEMO_SEEDERS
    await seed_demo_network()
    assert await seed_demo_directory() == []
    ids = [row["id"] for row in await Service.select(Service.id)]
    records = {record.name: record for record in await load_services(ids)}
    by_org = Counter(record.organisation_name for record in records.values())
    assert set(by_org) == {HUB_NAME, *SPOKES}
    assert all(1 <= count <= 3 for count in by_org.values()), by_org
    hub = await Organisation.select().where(Organisation.name == HUB_NAME).first()
    assert hub is not None
    assert await Location.exists().where(Location.organisation == hub["id"])
    places = [place for record in records.values() for place in record.locations]
    assert all(
        place.latitude is not None
        and place.longitude is not None
        and distance_metres(LOCHEE, (place.latitude, place.longitude)) < 6000
        for place in places
    )
    # Out of hours, as the hub's users asked for: nights across midnight, evenings, weekends.
    assert records["Safe Bus Zone"].hours().is_open(next_weekday_at(5, 1, 30))  # Sat 01:30
    assert not records["Safe Bus Zone"].hours().is_open(next_weekday_at(2, 1, 30))
    assert records["SMART Recovery peer group"].hours().is_open(next_weekday_at(0, 19))
    assert records["Pop-up shop: food and clothing"].hours().is_open(next_weekday_at(5, 11))
    assert records["Out-of-hours homelessness line"].hours().is_open(next_weekday_at(6, 3))
    assert sum(record.hours().opens_evenings() for record in records.values()) >= 8
    assert sum(record.hours().opens_weekends() for record in records.values()) >= 6
    # What hub staff need beyond HSDS.
    capacity = Counter(record.capacity_status for record in records.values())
    assert set(capacity) == {"accepting", "waitlist", "not_accepting", "assessment_first"}
    assert all(
        record.capacity_waitlist_weeks
        for record in records.values()
        if record.capacity_status == "waitlist"
    )
    assert sum(record.takes_network_referrals for record in records.values()) >= 15
    assert sum(record.response_target_days is not None for record in records.values()) >= 10
    assert sum(bool(record.languages) for record in records.values()) >= 2
    now = clock.now()
    stale = sorted(name for name, record in records.items() if record.is_stale(now))
    assert 1 <= len(stale) <= 3
    assert all(record.verified_by_name for record in records.values())
    drop_in = records["Lochee Hub drop-in and crisis support"]
    christmas = next(e for e in drop_in.exceptions if (e.on_date.month, e.on_date.day) == (12, 25))
    assert christmas.closed
    near_hub = await postcode_point("DD2 3BX")
    assert near_hub is not None
    assert distance_metres(near_hub, LOCHEE) < 500
    # Again: nothing new, nothing overwritten.
    renamed = msgspec.structs.replace(drop_in, name="Lochee Hub open door")
    await upsert_service(renamed, actor=Actor.system())
    history = await ServiceChange.count()
    await seed_demo_directory()
    assert await Service.count() == len(records)
    assert await ServiceChange.count() == history
    kept = await load_services([demo_id("service", "hub-drop-in")])
    assert kept[0].name == "Lochee Hub open door"

"""The listing write path: whole-record upsert, history, audit, reload."""

from __future__ import annotations

import json
import uuid

import msgspec

from directory import schemas
from directory.read import load_service, load_services
from directory.store import upsert_service
from directory.tables import Location, Phone, Schedule, ServiceChange
from hub.audit import Actor
from hub.tables import AuditEvent
from tests.directory.factories import location, make_service, need, weekly
from tests.support import make_organisation, make_staff


async def test_a_saved_listing_reads_back_whole():
    org = await make_organisation(name="Housing First")
    saved = await make_service(
        org,
        name="Housing First Dundee",
        terms=[need("housing"), need("substance-use")],
        phones=[schemas.Phone(id=uuid.uuid4(), number="01382 000000")],
        languages=[schemas.Language(id=uuid.uuid4(), code="pl", name="Polish")],
        capacity_status="waitlist",
        capacity_waitlist_weeks=6,
        minimum_age=18,
    )
    record = await load_service(saved.id)
    assert record is not None
    assert record.name == "Housing First Dundee"
    assert record.organisation_name == "Housing First"
    assert [term.code for term in record.terms] == ["housing", "substance-use"]
    assert record.first_phone == "01382 000000"
    assert record.capacity_text == "Waiting list (about 6 weeks)"
    assert record.takes_network_referrals
    assert record.point == (56.4685, -3.0210)
    assert len(record.locations) == 1
    assert record.hours().rules[0].byday == ("MO", "TU", "WE", "TH", "FR")


async def test_editing_keeps_history_and_audit():
    org = await make_organisation()
    editor = await make_staff(org, is_org_admin=True)
    saved = await make_service(org, name="Peer Café")
    edited = msgspec.structs.replace(
        saved, name="Peer Support Café", schedules=[weekly("SA", 10, 14)]
    )
    changes = await upsert_service(
        edited, actor=Actor("staff", str(editor.id), str(org.id)), changed_by=editor.id
    )
    assert set(changes) == {"name", "schedules"}
    assert changes["name"] == ["Peer Café", "Peer Support Café"]
    rows = (
        await ServiceChange.select()
        .where(ServiceChange.service_id == saved.id)
        .order_by(ServiceChange.changed_at)
    )
    assert len(rows) == 2  # created, then edited
    assert rows[1]["changed_by"] == editor.id
    assert json.loads(rows[1]["changes"])["name"] == ["Peer Café", "Peer Support Café"]
    assert await Schedule.count().where(Schedule.service == saved.id) == 1
    assert await AuditEvent.exists().where(AuditEvent.action == "directory.service_changed")
    # Saving the same thing again records nothing new.
    again = await upsert_service(edited, actor=Actor.system())
    assert again == {}
    assert await ServiceChange.count().where(ServiceChange.service_id == saved.id) == 2


async def test_locations_are_shared_and_updated_in_place():
    org = await make_organisation()
    place = location(org, name="Lochee Hub building")
    first = await make_service(org, locations=[place])
    second = await make_service(
        org,
        locations=[
            msgspec.structs.replace(
                place, phones=[schemas.Phone(id=uuid.uuid4(), number="01382 111111")]
            )
        ],
    )
    assert await Location.count() == 1
    records = await load_services([second.id, first.id])
    assert [r.id for r in records] == [second.id, first.id]
    assert records[1].locations[0].phones[0].number == "01382 111111"
    assert await Phone.count() == 1


async def test_unchanged_save_keeps_last_modified_and_location_link_ids():
    org = await make_organisation()
    saved = await make_service(org)
    first = await load_service(saved.id)
    from directory.tables import ServiceAtLocation

    link_before = await ServiceAtLocation.select(ServiceAtLocation.id).first()
    await upsert_service(saved, actor=Actor.system())
    second = await load_service(saved.id)
    assert first is not None
    assert second is not None
    assert second.updated_at == first.updated_at
    link_after = await ServiceAtLocation.select(ServiceAtLocation.id).first()
    assert link_after["id"] == link_before["id"]

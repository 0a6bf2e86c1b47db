"""Imports in batches: history, audit trail and search index in step, one bad listing alone.

Failures are real: a database trigger refuses one listing, a file breaks off half-way.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from directory.exchange.feed_maker import write_feed
from directory.exchange.importer import ImportSummary, import_candidates
from directory.exchange.list_reader import ListReader
from directory.exchange.sources import open_source
from directory.read import load_service
from directory.search.backend import database_backend
from directory.search.schemas import SearchQuery
from directory.tables import Location, Service, ServiceAtLocation, ServiceChange
from hub import audit
from hub.db import raw
from hub.tables import AuditEvent, Organisation
from tests.conftest import ON_POSTGRES


async def run(path: Path, batch_size: int = 500) -> ImportSummary:
    """Import a file as the command does, `batch_size` listings a transaction."""
    async with httpx.AsyncClient() as http:
        source = await open_source(str(path), http)
        return await import_candidates(source.candidates, source.label, batch_size=batch_size)


def counts(summary: ImportSummary) -> tuple[int, int, int, int]:
    """(created, updated, unchanged, failed)."""
    return summary.created, summary.updated, summary.unchanged, summary.failed


async def found(text: str) -> set[str]:
    """Names of the services a search for `text` finds."""
    results = await database_backend().search(SearchQuery(text=text, per_page=50))
    ids = [hit.service_id for hit in results.items]
    rows = await Service.select(Service.name).where(Service.id.is_in(ids)) if ids else []
    return {row["name"] for row in rows}


@pytest.fixture
async def refuse_listing_1() -> AsyncIterator[None]:
    """A trigger in the database that refuses to store a service named "Listing 1"."""
    if ON_POSTGRES:
        await raw(
            "CREATE FUNCTION refuse_listing_1() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN IF NEW.name = 'Listing 1' THEN RAISE EXCEPTION 'disk on fire'; END IF; "
            "RETURN NEW; END $$"
        )
        await raw(
            "CREATE TRIGGER refuse_listing_1 BEFORE INSERT OR UPDATE ON service "
            "FOR EACH ROW EXECUTE FUNCTION refuse_listing_1()"
        )
    else:
        await raw(
            "CREATE TRIGGER refuse_listing_1 BEFORE INSERT ON service "
            "WHEN NEW.name = 'Listing 1' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        )
    try:
        yield
    finally:
        await raw("DROP TRIGGER refuse_listing_1" + (" ON service" if ON_POSTGRES else ""))
        if ON_POSTGRES:
            await raw("DROP FUNCTION refuse_listing_1()")


async def test_one_listing_failing_in_the_database_rolls_back_only_itself(
    refuse_listing_1: None, tmp_path: Path
) -> None:
    services = [
        {"id": str(uuid.uuid4()), "name": f"Listing {n}", "status": "active",
         "description": "Warm space and soup",
         "organization": {"id": str(uuid.uuid4()), "name": f"Charity {n}"}}
        for n in range(3)
    ]  # fmt: skip
    path = tmp_path / "three.json"
    path.write_text(json.dumps(services))
    summary = await run(path)
    assert counts(summary) == (2, 0, 0, 1)
    assert "could not be saved" in str(summary.errors[0])
    assert "disk on fire" in str(summary.errors[0])
    assert summary.errors[0].where == "three.json item 2 (Listing 1)"
    names = {row["name"] for row in await Organisation.select(Organisation.name)}
    assert names == {"Charity 0", "Charity 2"}  # the failed listing's organisation went too
    assert summary.organisations_created == ["Charity 0", "Charity 2"]
    assert await ServiceChange.count() == 2
    created = AuditEvent.action == "directory.service_created"
    assert await AuditEvent.count().where(created) == 2
    assert (await audit.verify()).ok
    assert await found("soup") == {"Listing 0", "Listing 2"}


async def test_batches_keep_history_audit_and_index_in_step(tmp_path: Path) -> None:
    path = write_feed(tmp_path / "feed.json", 7, seed=3)
    items: list[dict[str, Any]] = json.loads(path.read_text())
    summary = await run(path, batch_size=3)
    assert counts(summary) == (7, 0, 0, 0), summary.errors
    assert await Service.count() == 7
    assert (
        await ServiceChange.count().where(ServiceChange.summary == "Imported from feed.json") == 7
    )
    assert await AuditEvent.count().where(AuditEvent.action == "directory.service_created") == 7
    assert (await audit.verify()).ok
    first = items[0]
    record = await load_service(uuid.UUID(first["id"]))
    assert record is not None
    assert record.name == first["name"]
    assert record.url == "https://service-0.example.org"  # scheme-less in the feed: repaired
    assert record.description.endswith("- Free & friendly")
    assert [phone.number for phone in record.phones] == [first["phones"][0]["number"]]
    assert [(s.byday, s.opens_at.isoformat()) for s in record.schedules] == [
        (s["byday"], s["opens_at"]) for s in first["schedules"]
    ]
    place = record.locations[0]
    assert (place.postal_code, place.latitude) == (
        first["service_at_locations"][0]["location"]["addresses"][0]["postal_code"],
        first["service_at_locations"][0]["location"]["latitude"],
    )
    assert {term.code for term in record.terms} == {
        a["taxonomy_term"]["code"] for a in first["attributes"]
    }
    assert first["name"] in await found(first["name"])
    # The same file again changes nothing; one edited listing is updated with a history line.
    again = await run(path, batch_size=3)
    assert counts(again) == (0, 0, 7, 0)
    assert await ServiceChange.count() == 7
    items[4]["name"] = "Renamed Recovery Cafe"
    path.write_text(json.dumps(items))
    edited = await run(path, batch_size=3)
    assert counts(edited) == (0, 1, 6, 0)
    assert await ServiceChange.count() == 8
    assert "Renamed Recovery Cafe" in await found("renamed recovery")
    assert (await audit.verify()).ok


async def test_a_place_shared_across_batches_is_stored_once(tmp_path: Path) -> None:
    path = write_feed(tmp_path / "feed.json", 4, seed=5)
    items = json.loads(path.read_text())
    shared = items[0]["service_at_locations"]
    items[3]["service_at_locations"] = shared  # the fourth listing is at the first's place
    path.write_text(json.dumps(items))
    summary = await run(path, batch_size=2)
    assert counts(summary) == (4, 0, 0, 0), summary.errors
    place_id = uuid.UUID(shared[0]["location"]["id"])
    assert await Location.count().where(Location.id == place_id) == 1
    at_place = await ServiceAtLocation.count().where(ServiceAtLocation.location == place_id)
    assert at_place == 2
    assert await found(items[3]["name"]) >= {items[3]["name"]}


async def test_a_file_broken_half_way_keeps_what_came_before(tmp_path: Path) -> None:
    good = {"id": str(uuid.uuid4()), "name": "Food Larder", "organization": {"name": "Pantry"}}
    path = tmp_path / "broken.json"
    path.write_text("[" + json.dumps(good) + ', {"id": "x", "name": ')
    summary = await run(path)
    assert counts(summary) == (1, 0, 0, 1)
    assert "not valid JSON from here on" in summary.errors[0].message
    assert summary.errors[0].where == "broken.json after item 1"


async def test_a_large_file_read_in_its_own_process_gives_the_same_listings(tmp_path: Path) -> None:
    path = write_feed(tmp_path / "feed.json", 450, seed=7)
    here = [c async for c in ListReader(path, in_process=True).candidates()]
    apart_reader = ListReader(path, in_process=False)
    apart = [c async for c in apart_reader.candidates()]
    assert len(apart) == 450
    assert apart == here  # every field, ids and times included, survives the trip
    assert apart_reader.position() == path.stat().st_size
    broken = tmp_path / "broken.json"
    broken.write_bytes(path.read_bytes()[:-5000])
    cut = [c async for c in ListReader(broken, in_process=False).candidates()]
    assert cut[-1].errors[0].message.startswith("not valid JSON from here on")
    assert len(cut) < 450


async def test_two_ids_for_one_new_organisation_in_a_batch_make_one_organisation(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    services = [
        {"id": str(uuid.uuid4()), "name": f"Club {n}",
         "organization": {"id": str(uuid.uuid4()), "name": "Riverside Trust",
                          "url": f"riverside{n}.example.org"}}
        for n in range(3)
    ]  # fmt: skip
    path = tmp_path / "clubs.json"
    path.write_text(json.dumps(services))
    with caplog.at_level(logging.WARNING, logger="directory.exchange.importer"):
        summary = await run(path)
    assert not caplog.records  # written as one batch: no fall-back to one listing at a time
    assert counts(summary) == (3, 0, 0, 0), summary.errors
    assert await Organisation.count() == 1
    assert summary.organisations_created == ["Riverside Trust"]
    owners = {row["organisation"] for row in await Service.select(Service.organisation)}
    assert len(owners) == 1

"""Importing Open Referral feeds and HSDS files: the validator's samples, HSDS's examples,
paging, idempotence, organisations created, and failures kept to the listing that failed.

Feeds are served in-process (httpx.MockTransport, or our own app over ASGI): never the
internet.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import create_app
from directory.exchange.importer import ImportSummary, import_candidates
from directory.exchange.sources import open_source
from directory.read import load_service
from directory.tables import Location, OrganisationProfile, Phone, Service, ServiceChange
from hub.db import transaction
from hub.errors import Invalid
from hub.tables import AuditEvent, Organisation, Staff
from tests.directory.factories import make_service, need
from tests.directory.test_openreferral_schemas import standards
from tests.support import make_organisation, make_staff

COUNSELLING = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
EXAMPLE_ORG = uuid.UUID("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")


def fixture_feed(folder: str) -> httpx.AsyncClient:
    """A feed that answers as the validator's sample API in `folder` does."""
    root = standards() / "oruk-validator-fixtures" / folder

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path.rstrip("/")
        if path == "":
            return httpx.Response(200, json=json.loads((root / "api_details.json").read_text()))
        if path == "/services":
            return httpx.Response(200, json=json.loads((root / "service_list.json").read_text()))
        full = json.loads((root / "service_full.json").read_text())
        if path == f"/services/{full['id']}":
            return httpx.Response(200, json=full)
        return httpx.Response(404, json={"title": "Not found"})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def run(spec: str, client: httpx.AsyncClient | None = None) -> ImportSummary:
    """Import `spec` as the command does."""
    async with client or httpx.AsyncClient() as http:
        source = await open_source(spec, http)
        return await import_candidates(source.candidates, source.label)


def counts(summary: ImportSummary) -> tuple[int, int, int, int]:
    """(created, updated, unchanged, failed)."""
    return summary.created, summary.updated, summary.unchanged, summary.failed


async def test_the_validators_default_feed_imports_cleanly_and_again_changes_nothing() -> None:
    summary = await run("http://feed.test/", fixture_feed("V3.0-UK-Default"))
    assert counts(summary) == (1, 0, 0, 0), summary.errors
    record = await load_service(COUNSELLING)
    assert record is not None
    assert record.name == "Community Counselling"
    assert record.organisation_name == "Example Organization Inc."
    assert record.minimum_age == 12
    assert [(s.byday, str(s.opens_at), str(s.closes_at)) for s in record.schedules] == [
        ("TH,FR", "10:00:00", "18:00:00")
    ]
    assert record.locations[0].name == "MyCity Civic Center"
    assert record.locations[0].latitude is None  # 100 is no latitude: left out, with a warning
    assert any(p.field.endswith("latitude") for p in summary.warnings)
    assert record.cost_options[0].amount == 35
    assert record.contacts[0].name == "Ann Persona"
    # A new organisation: listed, kind partner (hub allows no other kind), no staff.
    org = await Organisation.select().where(Organisation.id == EXAMPLE_ORG).first()
    assert org is not None
    assert org["kind"] == "partner"
    assert not await Staff.exists().where(Staff.organisation == EXAMPLE_ORG)
    profile = (
        await OrganisationProfile.select()
        .where(OrganisationProfile.organisation == EXAMPLE_ORG)
        .first()
    )
    assert profile is not None
    assert profile["website"] == "http://example.com"
    assert summary.organisations_created == ["Example Organization Inc."]
    assert await AuditEvent.exists().where(AuditEvent.action == "directory.organisation_listed")
    # Through the write path: history and audit as for any edit.
    assert await ServiceChange.exists().where(ServiceChange.service_id == COUNSELLING)
    assert await AuditEvent.exists().where(AuditEvent.action == "directory.service_created")
    again = await run("http://feed.test/", fixture_feed("V3.0-UK-Default"))
    assert counts(again) == (0, 0, 1, 0)
    assert await ServiceChange.count().where(ServiceChange.service_id == COUNSELLING) == 1
    unchanged = await load_service(COUNSELLING)
    assert unchanged is not None
    assert unchanged.updated_at == record.updated_at  # nothing written: last_modified holds


async def test_the_validators_test_feed_and_its_page_files_import_cleanly() -> None:
    summary = await run("http://feed.test/services", fixture_feed("V3.0-UK-Test"))
    assert counts(summary) == (1, 0, 0, 0), summary.errors
    assert any("127 repeated" in problem.message for problem in summary.warnings)
    # As files, the items are summaries; some name no organisation: the listing keeps its own.
    for name in ("service_list.json", "service_list_data.json"):
        summary = await run(str(standards() / "oruk-validator-fixtures/V3.0-UK-Test" / name))
        assert summary.failed == 0, summary.errors
    record = await load_service(COUNSELLING)
    assert record is not None
    assert record.organisation_id == EXAMPLE_ORG


async def test_bad_services_are_reported_by_field_and_good_ones_imported(tmp_path: Path) -> None:
    summary = await run("http://feed.test/", fixture_feed("V3.0-UK-Fail"))
    # Its one full service has a name: taken, its unusable web and e-mail addresses left out.
    assert summary.created == 1
    assert summary.failed == 2
    fields = {(problem.where.split(" (")[0], problem.field) for problem in summary.warnings}
    assert ("page 1 item 1", "url") in fields
    assert ("page 1 item 1", "email") in fields
    fetch_failures = [p for p in summary.errors if "could not fetch" in p.message]
    assert len(fetch_failures) == 2  # two listed ids the feed cannot give in full
    taken = await Service.select(Service.url, Service.email).first()
    assert taken == {"url": "", "email": ""}
    await Service.delete(force=True)
    # Its bad services in a file with a good one: the good one is imported.
    failing = json.loads(
        (standards() / "oruk-validator-fixtures/V3.0-UK-Fail/service_list.json").read_text()
    )["contents"]
    good = json.loads(
        (standards() / "oruk-validator-fixtures/V3.0-UK-Default/service_full.json").read_text()
    )
    good["id"] = str(uuid.uuid4())  # a different, valid service
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([*failing, good]))
    summary = await run(str(path))
    assert counts(summary) == (1, 0, 0, 3)
    lines = [str(problem) for problem in summary.errors]
    first = "mixed.json item 1 (ac148810-d857-441c-9679-408f346de14b)"
    assert f"{first}, field 'name': is required" in lines
    assert f"{first}, field 'url': 'example_counselling' is not a web address" in [
        str(problem) for problem in summary.warnings
    ]
    assert any(
        line.startswith("mixed.json item 3") and "'email': is not text" in line for line in lines
    )
    assert any("1 repeated listing(s) skipped" in p.message for p in summary.warnings)  # item 4
    assert await Service.count() == 1
    (tmp_path / "notes.txt").write_text("hello")
    for unreadable in ("nowhere.json", "notes.txt"):
        with pytest.raises(Invalid):
            await run(str(tmp_path / unreadable))


async def test_hsds_examples_import_as_json_csv_datapackage_and_organisation() -> None:
    examples = standards() / "hsds-3.0-examples"
    summary = await run(str(examples / "service_full.json"))
    assert counts(summary) == (1, 0, 0, 0), summary.errors
    record = await load_service(COUNSELLING)
    assert record is not None
    assert record.alternate_name == "MyCity Counselling Services"
    assert record.referral_instructions.startswith("If you are an NHS patient")
    assert [(lang.code, lang.name) for lang in record.languages] == [("ur", "Urdu")]
    assert record.cost_options[0].currency == "GBP"
    assert record.service_areas[0].description.startswith("The service is available")
    assert record.locations[0].accessibility[0].details.startswith("Switch hearing aid")
    assert record.locations[0].address_1 == "1-30 Main Street"
    # The example gives one phone id to the service and its location: each keeps a row.
    shared = uuid.UUID("1554f2e2-a373-45db-a3fa-9fc48a61c15e")
    place = record.locations[0]
    assert [phone.id for phone in record.phones] == [shared]
    assert [phone.id for phone in place.phones] == [uuid.uuid5(shared, str(place.id))]
    assert await Phone.count() == 2
    assert counts(await run(str(examples / "service_full.json"))) == (0, 0, 1, 0)
    csv_summary = await run(str(examples / "csv"))
    assert csv_summary.failed == 0, csv_summary.errors
    assert csv_summary.updated == 1
    warnings = [str(problem) for problem in csv_summary.warnings]
    assert (
        "locations.csv line 2, field 'latitude': 100 is outside ±90; the point is left out"
        in warnings
    )
    assert counts(await run(str(examples / "csv" / "datapackage.json"))) == (0, 0, 1, 0)
    # An organisation with its services nested: they are its services.
    from_org = await run(str(examples / "organization_full.json"))
    assert from_org.failed == 0, from_org.errors
    assert from_org.total == 1
    record = await load_service(COUNSELLING)
    assert record is not None
    assert record.organisation_id == EXAMPLE_ORG
    # A service at a location: its service, there.
    at_location = await run(str(examples / "service_at_location_full.json"))
    assert at_location.failed == 0, at_location.errors
    placed = await load_service(COUNSELLING)
    assert placed is not None
    assert [place.name for place in placed.locations] == ["MyCity Civic Center"]


async def test_a_feed_is_walked_page_by_page_and_full_services_fetched(client) -> None:
    org = await make_organisation("Paged Org")
    async with transaction():
        made = [await make_service(org, name=f"Paged {n}", terms=[need("food")]) for n in range(5)]
    app_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app()),  # type: ignore[arg-type]
        base_url="https://here.test",
    )
    seen: list[str] = []

    async def record(request: httpx.Request) -> None:
        seen.append(
            request.url.path + ("?" + request.url.query.decode() if request.url.query else "")
        )

    app_client.event_hooks["request"] = [record]
    summary = await run("https://here.test/openreferral/services?per_page=2", app_client)
    assert counts(summary) == (0, 0, 5, 0), summary.errors
    assert [path for path in seen if "&page=" in path] == [
        "/openreferral/services?per_page=2&page=2",
        "/openreferral/services?per_page=2&page=3",
    ]
    assert {f"/openreferral/services/{item.id}" for item in made} <= set(seen)


async def test_an_existing_organisation_is_matched_by_name_and_keeps_its_details(tmp_path) -> None:
    member = await make_organisation("Housing First")
    await OrganisationProfile.insert(
        OrganisationProfile(
            organisation=member.id, description="Ours", updated_at=member.created_at
        )
    )
    await make_staff(member)  # a member: its profile is its own, not the feed's
    service: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "Tenancy help",
        "status": "active",
        "organization": {"id": str(uuid.uuid4()), "name": "housing first", "description": "Theirs"},
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {"id": str(uuid.uuid4()), "location_type": "virtual"},
            }
        ],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(service))
    summary = await run(str(path))
    assert counts(summary) == (1, 0, 0, 0), summary.errors
    record = await load_service(uuid.UUID(service["id"]))
    assert record is not None
    assert record.organisation_id == member.id
    assert record.locations[0].organisation_id == member.id
    profile = (
        await OrganisationProfile.select()
        .where(OrganisationProfile.organisation == member.id)
        .first()
    )
    assert profile is not None
    assert profile["description"] == "Ours"
    assert await Organisation.count() == 1
    assert await Location.count() == 1

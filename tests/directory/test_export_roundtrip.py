"""Export then import into an empty database gives the same listings, as HSDS JSON and as a
CSV datapackage; the JSON export is valid ORUK."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import msgspec

from directory import schemas
from directory.exchange import exporter
from directory.exchange.importer import import_candidates
from directory.exchange.sources import open_source
from directory.read import load_services
from directory.tables import OrganisationProfile, Service, Taxonomy, TaxonomyTerm
from hub import clock
from hub.db import transaction
from hub.tables import Organisation
from tests.conftest import _clean_tables
from tests.directory.factories import location, make_service, need, weekly
from tests.directory.test_openreferral_schemas import assert_valid
from tests.support import make_organisation

NOW = datetime(2025, 6, 2, 10, 30, 15, 123456, tzinfo=UTC)
IGNORED = ("created_at", "updated_at", "verified_by_name")  # timestamps; staff are not exported


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted(item) for item in value]
        return sorted(
            items, key=lambda item: str(item.get("id") if isinstance(item, dict) else item)
        )
    return value


async def snapshot() -> list[dict[str, Any]]:
    """Every listing as load_services gives it, without timestamps, in a fixed order."""
    ids = [row["id"] for row in await Service.select(Service.id).order_by(Service.id)]
    found = []
    for record in await load_services(ids):
        data = msgspec.to_builtins(record)
        for key in IGNORED:
            data.pop(key)
        found.append(_sorted(data))
    return found


async def a_varied_directory() -> None:
    """Listings using every part of the record, a shared building and another's building."""
    async with transaction():  # one connection for the whole set-up
        await _a_varied_directory()


async def _a_varied_directory() -> None:
    clock.freeze(NOW)
    alpha = await make_organisation("Alpha Trust")
    beta = await make_organisation("Beta Group")
    await OrganisationProfile.insert(
        OrganisationProfile(
            organisation=alpha.id,
            description="A trust",
            website="https://alpha.example",
            email="hi@alpha.example",
            updated_at=NOW,
        )
    )
    custom = await _a_term_of_another_taxonomy()
    hall = _a_hall_with_everything(alpha)
    await make_service(alpha, **_every_field_filled(alpha, hall, custom))
    await make_service(alpha, name="Old service", status="defunct", locations=[hall], schedules=[])
    night = msgspec.structs.replace(weekly("FR,SA", 21, 0), closes_at=time(3))
    await make_service(beta, name="Beta at Alpha's hall", locations=[hall], schedules=[night])
    clock.reset()


async def _a_term_of_another_taxonomy() -> schemas.Term:
    other = uuid.uuid4()
    await Taxonomy.insert(Taxonomy(id=other, name="Other terms"))
    custom = TaxonomyTerm(
        id=uuid.uuid4(), taxonomy=other, code="x-1", name="Custom", description="d"
    )
    await TaxonomyTerm.insert(custom)
    return schemas.Term(id=custom.id, code="x-1", name="Custom", taxonomy_id=other)


def _a_hall_with_everything(alpha: Organisation) -> schemas.Location:
    """A place shared by three listings, with accessibility, a phone, hours and a closure."""
    return location(
        alpha,
        name="Alpha hall",
        address_2="Lochee",
        region="Dundee City",
        transportation="Bus 22",
        accessibility=[
            schemas.Accessibility(
                id=uuid.uuid4(), description="Ramp", url="https://a.example/access"
            )
        ],
        phones=[schemas.Phone(id=uuid.uuid4(), number="01632 960001", type="text")],
        schedules=[weekly("MO,TU", 9, 13)],
        exceptions=[schemas.ScheduleException(id=uuid.uuid4(), on_date=date(2025, 12, 25))],
    )


def _every_field_filled(
    alpha: Organisation, hall: schemas.Location, custom: schemas.Term
) -> dict[str, Any]:
    """A listing's fields with every one the exports carry set (for `make_service`)."""
    return {
        "name": "Everything service",
        "alternate_name": "Everything",
        "url": "https://alpha.example/everything",
        "email": "everything@alpha.example",
        "status": "inactive",
        "fees_description": "£3 a session",
        "is_free": False,
        "eligibility_description": "Adults",
        "minimum_age": 18,
        "maximum_age": 99,
        "referral_methods": ["network", "phone", "self"],
        "referral_instructions": "Ring first",
        "capacity_status": "waitlist",
        "capacity_waitlist_weeks": 4,
        "capacity_note": "Spring intake",
        "capacity_updated_at": NOW,
        "response_target_days": 3,
        "assured_date": date(2025, 5, 1),
        "verified_at": NOW,
        "terms": [need("housing"), custom],
        **_every_way_in(),
        **_weekly_monthly_and_dated_hours(),
        "locations": [
            hall,
            location(alpha, (56.46, -2.97), name="Alpha annex", postal_code="DD1 1AA"),
        ],
    }


def _every_way_in() -> dict[str, Any]:
    """Phones, contacts, languages, costs and areas, each with its optional fields set."""
    return {
        "phones": [
            schemas.Phone(
                id=uuid.uuid4(), number="01632 960002", extension="100", description="Desk"
            )
        ],
        "contacts": [
            schemas.Contact(
                id=uuid.uuid4(),
                name="Ann",
                title="Lead",
                department="Intake",
                email="ann@alpha.example",
            )
        ],
        "languages": [schemas.Language(id=uuid.uuid4(), code="pl", name="Polish")],
        "cost_options": [
            schemas.CostOption(
                id=uuid.uuid4(), option="Session", amount=2.5, amount_description="each"
            )
        ],
        "service_areas": [
            schemas.ServiceArea(id=uuid.uuid4(), name="Dundee", description="All of the city")
        ],
    }


def _weekly_monthly_and_dated_hours() -> dict[str, Any]:
    """A weekly evening, a bounded monthly session and an open-for-less day."""
    return {
        "schedules": [
            weekly("WE", 18, 21),
            msgspec.structs.replace(
                weekly("2TU", 10, 12),
                freq="MONTHLY",
                valid_from=date(2025, 1, 1),
                valid_to=date(2025, 12, 31),
                description="Second Tuesday",
            ),
        ],
        "exceptions": [
            schemas.ScheduleException(
                id=uuid.uuid4(),
                on_date=date(2025, 12, 24),
                closed=False,
                opens_at=time(10),
                closes_at=time(12),
                description="Christmas Eve, mornings only",
            )
        ],
    }


async def reimport(spec: Path) -> tuple[int, int, int, int]:
    async with httpx.AsyncClient() as client:
        source = await open_source(str(spec), client)
        summary = await import_candidates(source.candidates, source.label)
    assert summary.errors == [], summary.errors
    return summary.created, summary.updated, summary.unchanged, summary.failed


async def test_json_export_is_valid_oruk_and_imports_to_the_same_listings(tmp_path) -> None:
    await a_varied_directory()
    before = await snapshot()
    path = tmp_path / "directory.json"
    assert await exporter.write_json(path) == 3
    exported = json.loads(path.read_text())
    assert_valid(exported, "service_package")
    await _clean_tables()  # an empty database, as a fresh install has it
    assert not await Organisation.exists()
    assert await reimport(path) == (3, 0, 0, 0)
    assert await snapshot() == before
    profile = await OrganisationProfile.select().where(OrganisationProfile.website != "").first()
    assert profile is not None
    assert (profile["description"], profile["email"]) == ("A trust", "hi@alpha.example")
    assert await reimport(path) == (0, 0, 3, 0)


async def test_csv_datapackage_export_imports_to_the_same_listings(tmp_path) -> None:
    await a_varied_directory()
    before = await snapshot()
    folder = tmp_path / "package"
    assert await exporter.write_datapackage(folder) == 3
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        with (folder / resource["path"]).open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == [field["name"] for field in resource["schema"]["fields"]]
    with (folder / "services.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3
    await _clean_tables()
    assert await reimport(folder) == (3, 0, 0, 0)
    assert await snapshot() == before
    assert await reimport(folder / "datapackage.json") == (0, 0, 3, 0)

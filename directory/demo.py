"""The demo directory: the demo network's services around Lochee, and Dundee postcode points.

Runs after the hub's demo seeder (`wraparound demo`). Ids are fixed (uuid5), and a listing
that already exists is left alone, so running it again keeps whatever was edited since.
The data is in directory/data/demo_directory.toml and dundee_postcodes.csv (both invented).
"""

from __future__ import annotations

import logging
import tomllib
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from directory import schemas
from directory.exchange.hours_text import parse_hours
from directory.exchange.postcodes import load_postcodes
from directory.search.backend import ensure_index
from directory.store import upsert_service
from directory.tables import OrganisationProfile, Service
from directory.taxonomy import NEED_CATEGORIES, NEED_TAXONOMY_ID, ensure_need_taxonomy, term_id
from hub import clock
from hub.audit import Actor
from hub.db import transaction
from hub.demo import slug
from hub.tables import Organisation, Staff

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA / "demo_directory.toml"
POSTCODES_FILE = DATA / "dundee_postcodes.csv"
DEMO_NAMESPACE = uuid.UUID("0b7f3f6e-2d0c-4d8e-9a51-6c1f2b7d9e42")
LANGUAGES = {"en": "English", "pl": "Polish", "ar": "Arabic", "ur": "Urdu", "ro": "Romanian"}
_TERM_NAMES = {code: name for code, name, _ in NEED_CATEGORIES}


def demo_id(kind: str, key: str) -> uuid.UUID:
    """The fixed id of a demo record, e.g. demo_id("service", "safe-bus-zone")."""
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{key}")


def _schedules(owner: uuid.UUID, text: str) -> list[schemas.Schedule]:
    return [
        schemas.Schedule(
            id=uuid.uuid5(owner, f"schedule:{index}"),
            freq=rule.freq,
            byday=rule.byday,
            opens_at=rule.opens_at,
            closes_at=rule.closes_at,
        )
        for index, rule in enumerate(parse_hours(text))
    ]


def _location(key: str, spec: dict[str, Any], organisation_id: uuid.UUID) -> schemas.Location:
    location_id = demo_id("location", key)
    latitude, longitude = spec["point"]
    return schemas.Location(
        id=location_id,
        organisation_id=organisation_id,
        name=spec["name"],
        transportation=spec.get("transportation", ""),
        address_1=spec["address"],
        address_2="Lochee" if spec["postcode"].startswith("DD2 3") else "",
        city="Dundee",
        region="Dundee City",
        postal_code=spec["postcode"],
        latitude=latitude,
        longitude=longitude,
        accessibility=[
            schemas.Accessibility(id=uuid.uuid5(location_id, "accessibility"), description=text)
            for text in [spec.get("accessibility", "")]
            if text
        ],
        phones=[
            schemas.Phone(id=uuid.uuid5(location_id, "phone"), number=number)
            for number in [spec.get("phone", "")]
            if number
        ],
        schedules=_schedules(location_id, spec.get("hours", "")),
    )


def _next(month: int, day: int, today: date) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _service(
    spec: dict[str, Any], org: dict[str, Any], locations: dict[str, schemas.Location]
) -> schemas.ServiceRecord:
    service_id = demo_id("service", spec["key"])
    now = clock.now()
    verified_at = now - timedelta(days=spec["verified_days_ago"])
    today = now.date()
    exceptions = []
    if spec.get("bank_holidays") == "closed":
        for (month, day), name in {(12, 25): "Christmas Day", (1, 1): "New Year's Day"}.items():
            on = _next(month, day, today)
            exceptions.append(
                schemas.ScheduleException(
                    id=uuid.uuid5(service_id, f"closed:{month}-{day}"),
                    on_date=on,
                    description=f"Closed for {name}",
                )
            )
    return schemas.ServiceRecord(
        id=service_id,
        organisation_id=org["id"],
        organisation_name=org["name"],
        name=spec["name"],
        description=spec["description"],
        url=spec.get("url", ""),
        email=spec.get("email", ""),
        is_free=spec.get("free", True),
        fees_description=spec.get("fees", ""),
        eligibility_description=spec.get("eligibility", ""),
        minimum_age=spec.get("min_age"),
        maximum_age=spec.get("max_age"),
        referral_methods=spec["referral"],
        capacity_status=spec["capacity"],
        capacity_waitlist_weeks=spec.get("waitlist_weeks"),
        capacity_note=spec.get("capacity_note", ""),
        capacity_updated_at=verified_at,
        response_target_days=spec.get("response_days"),
        assured_date=verified_at.date(),
        verified_at=verified_at,
        locations=[locations[key] for key in spec["locations"]],
        phones=[
            schemas.Phone(id=uuid.uuid5(service_id, "phone"), number=number)
            for number in [spec.get("phone", "")]
            if number
        ],
        languages=[
            schemas.Language(
                id=uuid.uuid5(service_id, f"language:{code}"), code=code, name=LANGUAGES[code]
            )
            for code in spec.get("languages", [])
        ],
        terms=[
            schemas.Term(
                id=term_id(code), code=code, name=_TERM_NAMES[code], taxonomy_id=NEED_TAXONOMY_ID
            )
            for code in spec["categories"]
        ],
        schedules=_schedules(service_id, spec.get("hours", "")),
        exceptions=exceptions,
    )


async def _profiles(organisations: dict[str, dict[str, Any]], specs: dict[str, Any]) -> None:
    """Directory profiles (description, website, e-mail) for demo organisations without one."""
    for name, spec in specs.items():
        org = organisations.get(name)
        if org is None or await OrganisationProfile.exists().where(
            OrganisationProfile.organisation == org["id"]
        ):
            continue
        await OrganisationProfile.insert(
            OrganisationProfile(
                organisation=org["id"],
                description=spec.get("description", ""),
                website=spec.get("website", ""),
                email=spec.get("email", ""),
                updated_at=clock.now(),
            )
        )


async def seed_demo_directory() -> list[tuple[str, str]]:
    """Create the demo listings and postcode points that are missing; nothing to print.

    One transaction: the demo directory appears whole or not at all (and quickly).
    """
    async with transaction():
        await ensure_need_taxonomy()
        await load_postcodes(POSTCODES_FILE)
        await _seed_listings()
    await ensure_index()  # after an upgrade that changed how text is indexed
    return []


async def _seed_listings() -> None:
    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    rows = await Organisation.select(Organisation.id, Organisation.name)
    organisations = {row["name"]: row for row in rows}
    await _profiles(organisations, data["organisations"])
    locations = {
        key: _location(key, spec, organisations[spec["organisation"]]["id"])
        for key, spec in data["locations"].items()
        if spec["organisation"] in organisations
    }
    existing = {row["id"] for row in await Service.select(Service.id)}
    checkers = {
        row["email"]: row["id"]
        for row in await Staff.select(Staff.id, Staff.email).where(Staff.email.like("admin@%"))
    }
    for spec in data["services"]:
        org = organisations.get(spec["organisation"])
        if org is None or any(key not in locations for key in spec["locations"]):
            log.warning("demo organisation %s is missing; listing skipped", spec["organisation"])
            continue
        if demo_id("service", spec["key"]) in existing:
            continue
        record = _service(spec, org, locations)
        await upsert_service(record, actor=Actor.system(), summary="Demo listing")
        checker = checkers.get(f"admin@{slug(org['name'])}.example")
        if checker:  # who checked it: shown beside "last checked"
            await Service.update({Service.verified_by: checker}).where(Service.id == record.id)

"""Loading whole service listings in a handful of queries, for pages, search, API and exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.tables import (
    Accessibility,
    Contact,
    CostOption,
    Language,
    Location,
    Phone,
    Schedule,
    ScheduleException,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTaxonomy,
)


def _group(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


async def load_services(ids: Sequence[UUID]) -> list[schemas.ServiceRecord]:
    """The listed services, in the order asked, skipping ids that do not exist."""
    if not ids:
        return []
    wanted = list(dict.fromkeys(ids))
    services = await Service.select(
        *Service.all_columns(exclude=[Service.verified_by, Service.staleness_notified_at]),
        Service.organisation.name.as_alias("organisation_name"),
        Service.verified_by.name.as_alias("verified_by_name"),
    ).where(Service.id.is_in(wanted))
    if not services:
        return []
    links = await ServiceAtLocation.select(
        ServiceAtLocation.service, ServiceAtLocation.location
    ).where(ServiceAtLocation.service.is_in(wanted))
    location_ids = list({row["location"] for row in links})
    by_location = await _load_locations(location_ids)
    service_rows = {
        "contacts": _group(await Contact.select().where(Contact.service.is_in(wanted)), "service"),
        "phones": _group(await Phone.select().where(Phone.service.is_in(wanted)), "service"),
        "service_areas": _group(
            await ServiceArea.select().where(ServiceArea.service.is_in(wanted)), "service"
        ),
        "languages": _group(
            await Language.select().where(Language.service.is_in(wanted)), "service"
        ),
        "cost_options": _group(
            await CostOption.select().where(CostOption.service.is_in(wanted)), "service"
        ),
        "schedules": _group(
            await Schedule.select().where(Schedule.service.is_in(wanted)), "service"
        ),
        "exceptions": _group(
            await ScheduleException.select().where(ScheduleException.service.is_in(wanted)),
            "service",
        ),
    }
    terms = _group(
        await ServiceTaxonomy.select(
            ServiceTaxonomy.service,
            ServiceTaxonomy.taxonomy_term.id.as_alias("id"),
            ServiceTaxonomy.taxonomy_term.code.as_alias("code"),
            ServiceTaxonomy.taxonomy_term.name.as_alias("name"),
            ServiceTaxonomy.taxonomy_term.taxonomy.as_alias("taxonomy_id"),
        ).where(ServiceTaxonomy.service.is_in(wanted)),
        "service",
    )
    locations_of = _group(links, "service")
    records: dict[UUID, schemas.ServiceRecord] = {}
    for row in services:
        service_id = row["id"]
        data = {
            **row,
            "organisation_id": row["organisation"],
            "verified_by_name": row.get("verified_by_name") or "",
            "referral_methods": [m for m in (row["referral_methods"] or "").split(",") if m],
            "terms": sorted(terms.get(service_id, []), key=lambda term: term["name"]),
            "locations": [
                by_location[link["location"]]
                for link in locations_of.get(service_id, [])
                if link["location"] in by_location
            ],
            **{name: grouped.get(service_id, []) for name, grouped in service_rows.items()},
        }
        records[service_id] = msgspec.convert(data, schemas.ServiceRecord, strict=False)
    return [records[service_id] for service_id in wanted if service_id in records]


async def _load_locations(location_ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    if not location_ids:
        return {}
    rows = await Location.select().where(Location.id.is_in(location_ids))
    accessibility = _group(
        await Accessibility.select().where(Accessibility.location.is_in(location_ids)), "location"
    )
    phones = _group(await Phone.select().where(Phone.location.is_in(location_ids)), "location")
    schedules = _group(
        await Schedule.select().where(Schedule.location.is_in(location_ids)), "location"
    )
    exceptions = _group(
        await ScheduleException.select().where(ScheduleException.location.is_in(location_ids)),
        "location",
    )
    return {
        row["id"]: {
            **row,
            "organisation_id": row["organisation"],
            "accessibility": accessibility.get(row["id"], []),
            "phones": phones.get(row["id"], []),
            "schedules": schedules.get(row["id"], []),
            "exceptions": exceptions.get(row["id"], []),
        }
        for row in rows
    }


async def load_service(service_id: UUID) -> schemas.ServiceRecord | None:
    """One service, or None."""
    found = await load_services([service_id])
    return found[0] if found else None


async def load_location(location_id: UUID) -> schemas.Location | None:
    """One place with its accessibility, phones, hours and exceptions, or None."""
    found = await _load_locations([location_id])
    if location_id not in found:
        return None
    return msgspec.convert(found[location_id], schemas.Location, strict=False)

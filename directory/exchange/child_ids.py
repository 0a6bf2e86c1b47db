"""Child ids that no other owner holds, settled the same way on every import.

Feeds reuse ids across owners (HSDS's own example gives one phone id to a service, its
location and a contact), while each of our child tables keeps one row per id. The owner that
already has an id in the database keeps it; otherwise the first owner in the listing does.
Any other owner gets uuid5(id, owner): stable, so importing the same feed again changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.exchange.lookups import rows_with_ids
from directory.tables import (
    Accessibility,
    Contact,
    CostOption,
    Language,
    Phone,
    Schedule,
    ScheduleException,
    ServiceArea,
)

# kind -> (table, owner columns in order of precedence)
_TABLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "phones": (Phone, ("service", "location")),
    "schedules": (Schedule, ("service", "location")),
    "exceptions": (ScheduleException, ("service", "location")),
    "accessibility": (Accessibility, ("location",)),
    "contacts": (Contact, ("service",)),
    "languages": (Language, ("service",)),
    "cost_options": (CostOption, ("service",)),
    "service_areas": (ServiceArea, ("service",)),
}
_SERVICE_KINDS = (
    "phones",
    "schedules",
    "exceptions",
    "contacts",
    "languages",
    "cost_options",
    "service_areas",
)
_LOCATION_KINDS = ("accessibility", "phones", "schedules", "exceptions")


def _children(record: schemas.ServiceRecord) -> list[tuple[str, UUID, UUID]]:
    """(kind, child id, owner id) for every child, service's first, in a fixed order."""
    found = [
        (kind, child.id, record.id) for kind in _SERVICE_KINDS for child in getattr(record, kind)
    ]
    for place in record.locations:
        found.extend(
            (kind, child.id, place.id) for kind in _LOCATION_KINDS for child in getattr(place, kind)
        )
    return found


async def _owners_in_database(
    children: list[tuple[str, UUID, UUID]],
) -> dict[tuple[str, UUID], UUID]:
    owners: dict[tuple[str, UUID], UUID] = {}
    for kind, (table, columns) in _TABLES.items():
        ids = [child for child_kind, child, _ in children if child_kind == kind]
        for row in await rows_with_ids(table, columns, ids):
            owner = next((row[name] for name in columns if row[name] is not None), None)
            if owner is not None:
                owners[(kind, row["id"])] = owner
    return owners


def _renumber(
    items: list[Any], kind: str, owner: UUID, final: Callable[[str, UUID, UUID], UUID]
) -> list[Any]:
    return [msgspec.structs.replace(item, id=final(kind, item.id, owner)) for item in items]


async def settle_child_ids(record: schemas.ServiceRecord) -> schemas.ServiceRecord:
    """The listing with every child id its own (see the module docstring)."""
    return (await settle_child_ids_many([record]))[0]


async def settle_child_ids_many(
    records: list[schemas.ServiceRecord],
) -> list[schemas.ServiceRecord]:
    """Many listings settled as if saved one after another, with one query per child table."""
    children = [_children(record) for record in records]
    owners = await _owners_in_database([child for found in children for child in found])
    claimed: dict[tuple[str, UUID], UUID] = {}

    def final(kind: str, child: UUID, owner: UUID) -> UUID:
        first = owners.get((kind, child)) or claimed.setdefault((kind, child), owner)
        return child if first == owner else uuid.uuid5(child, str(owner))

    settled = []
    for record, found in zip(records, children, strict=True):
        # Claim in the fixed order first; most listings keep every id and are kept as they are.
        kept = [final(kind, child, owner) == child for kind, child, owner in found]
        settled.append(record if all(kept) else _renumbered(record, final))
    return settled


def _renumbered(
    record: schemas.ServiceRecord, final: Callable[[str, UUID, UUID], UUID]
) -> schemas.ServiceRecord:
    service_parts = {
        kind: _renumber(getattr(record, kind), kind, record.id, final) for kind in _SERVICE_KINDS
    }
    places = [
        msgspec.structs.replace(
            place,
            **{
                kind: _renumber(getattr(place, kind), kind, place.id, final)
                for kind in _LOCATION_KINDS
            },
        )
        for place in record.locations
    ]
    return msgspec.structs.replace(record, locations=places, **service_parts)

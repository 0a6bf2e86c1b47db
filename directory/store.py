"""The one write path for listings: upsert a whole service, keep its history, re-index it."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.read import load_service
from directory.search.sync import listing_changed
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
    ServiceChange,
    ServiceTaxonomy,
)
from hub import audit, clock
from hub.audit import Actor
from hub.db import transaction

# Fields whose change is bookkeeping, not an edit worth a history line.
_NOT_HISTORY = {"updated_at", "created_at", "organisation_name", "verified_by_name"}
_SERVICE_FIELDS = {
    column._meta.name
    for column in Service._meta.columns
    if column._meta.name not in {"id", "organisation", "verified_by", "staleness_notified_at"}
}


def _plain(value: Any) -> Any:
    """JSON-ready form, for comparing and keeping history."""
    return msgspec.to_builtins(value)


def _fields(struct: Any) -> dict[str, Any]:
    """A Struct's own fields with their Python values (dates stay dates), for writing rows."""
    return msgspec.structs.asdict(struct)


def diff(before: schemas.ServiceRecord | None, after: schemas.ServiceRecord) -> dict[str, Any]:
    """Field -> [before, after] for every field that changed (all fields for a new listing)."""
    new = _plain(after)
    if before is None:  # every set field, and quickly: a bulk import creates thousands
        return {
            name: [None, value]
            for name, value in new.items()
            if value is not None and name not in _NOT_HISTORY
        }
    old = _plain(before)
    return {
        name: [old.get(name), value]
        for name, value in new.items()
        if name not in _NOT_HISTORY and old.get(name) != value
    }


async def _replace_children(table: Any, owner_column: Any, owner_id: UUID, rows: list[Any]) -> None:
    await table.delete().where(owner_column == owner_id)
    for row in rows:
        await table.insert(table(**{**_fields(row), owner_column._meta.name: owner_id}))


async def _upsert_location(location: schemas.Location) -> None:
    values = _fields(location)
    for child in ("accessibility", "phones", "schedules", "exceptions"):
        values.pop(child)
    values["organisation"] = values.pop("organisation_id")
    values["updated_at"] = clock.now()
    if await Location.exists().where(Location.id == location.id):
        await Location.update(
            {Location._meta.get_column_by_name(k): v for k, v in values.items() if k != "id"}
        ).where(Location.id == location.id)
    else:
        await Location.insert(Location(**values))
    await _replace_children(
        Accessibility, Accessibility.location, location.id, location.accessibility
    )
    await _replace_children(Phone, Phone.location, location.id, location.phones)
    await _replace_children(Schedule, Schedule.location, location.id, location.schedules)
    await _replace_children(
        ScheduleException, ScheduleException.location, location.id, location.exceptions
    )


async def _link_locations(record: schemas.ServiceRecord) -> None:
    """Keep existing service-at-location rows (their ids are public), add new, drop removed."""
    wanted = [location.id for location in record.locations]
    existing = {
        row["location"]
        for row in await ServiceAtLocation.select(ServiceAtLocation.location).where(
            ServiceAtLocation.service == record.id
        )
    }
    removed = existing - set(wanted)
    if removed:
        await ServiceAtLocation.delete().where(
            (ServiceAtLocation.service == record.id)
            & ServiceAtLocation.location.is_in(list(removed))
        )
    for location_id in dict.fromkeys(wanted):
        if location_id not in existing:
            await ServiceAtLocation.insert(
                ServiceAtLocation(service=record.id, location=location_id)
            )


async def upsert_service(
    record: schemas.ServiceRecord,
    *,
    actor: Actor,
    changed_by: UUID | None = None,
    summary: str = "",
) -> dict[str, Any]:
    """Create or replace a whole listing in one transaction; returns what changed.

    History (who, when, each field's before and after) and the audit trail are written in the
    same transaction, and the database search index is brought into step before it commits.
    """
    now = clock.now()
    async with transaction():
        before = await load_service(record.id)
        values = {k: v for k, v in _fields(record).items() if k in _SERVICE_FIELDS}
        values["referral_methods"] = ",".join(record.referral_methods)
        values["updated_at"] = now
        values["organisation"] = record.organisation_id
        values["created_at"] = before.created_at if before else (record.created_at or now)
        columns: dict[Any, Any] = {
            Service._meta.get_column_by_name(k): v for k, v in values.items()
        }
        if before is None:
            await Service.insert(Service(id=record.id, **values))
        else:
            await Service.update(columns).where(Service.id == record.id)
        for location in record.locations:
            await _upsert_location(location)
        await _link_locations(record)
        await _replace_children(Contact, Contact.service, record.id, record.contacts)
        await _replace_children(Phone, Phone.service, record.id, record.phones)
        await _replace_children(ServiceArea, ServiceArea.service, record.id, record.service_areas)
        await _replace_children(Language, Language.service, record.id, record.languages)
        await _replace_children(CostOption, CostOption.service, record.id, record.cost_options)
        await _replace_children(Schedule, Schedule.service, record.id, record.schedules)
        await _replace_children(
            ScheduleException, ScheduleException.service, record.id, record.exceptions
        )
        await ServiceTaxonomy.delete().where(ServiceTaxonomy.service == record.id)
        for term in record.terms:
            await ServiceTaxonomy.insert(ServiceTaxonomy(service=record.id, taxonomy_term=term.id))
        after = await load_service(record.id)
        assert after is not None
        changes = diff(before, after)
        if not changes and before is not None:
            # Nothing changed: keep last_modified true for ORUK clients (modified_after).
            await Service.update({Service.updated_at: before.updated_at}).where(
                Service.id == record.id
            )
        if changes:
            await ServiceChange.insert(
                ServiceChange(
                    service_id=record.id,
                    changed_by=changed_by,
                    changed_at=now,
                    summary=summary or ("Listing created" if before is None else "Listing edited"),
                    changes=json.dumps(changes, default=str, sort_keys=True),
                )
            )
            await audit.record(
                "directory.service_created" if before is None else "directory.service_changed",
                actor,
                subject_type="service",
                subject_id=str(record.id),
                detail={"fields": sorted(changes)},
            )
        await listing_changed([record.id])
    return changes

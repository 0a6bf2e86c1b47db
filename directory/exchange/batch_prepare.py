"""A batch of candidates made ready to write: organisations, terms and child ids settled.

A few queries for the whole batch, in the caller's transaction: organisations found or created
(a listing naming none goes to the feed's publisher, with a warning), locations owned by an
organisation we have, taxonomy terms created or left out, child ids made the listing's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import msgspec

from directory import schemas
from directory.exchange import organisations
from directory.exchange.child_ids import settle_child_ids_many
from directory.exchange.hsds_in import UNKNOWN, Candidate
from directory.exchange.lookups import rows_with_ids
from directory.exchange.problems import Problem
from directory.exchange.publisher import NO_ORGANISATION, publisher_info
from directory.openreferral.info import OrganisationInfo
from directory.tables import Service


@dataclass
class Prepared:
    """A candidate with its final record (None when it cannot be saved) and its problems."""

    candidate: Candidate
    record: schemas.ServiceRecord | None
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


async def _current_owners(ids: list[UUID]) -> dict[UUID, UUID]:
    """Service id -> its organisation, for those of these services we have."""
    rows = await rows_with_ids(Service, ["organisation"], ids)
    return {row["id"]: row["organisation"] for row in rows}


def _organisation_of(
    item: Prepared, ours: dict[UUID, UUID], owners: dict[UUID, UUID], publisher: OrganisationInfo
) -> UUID:
    """Our organisation for the listing: its own, the one it names, its current one, or the
    publisher's (with a warning)."""
    candidate, record = item.candidate, item.record
    assert record is not None
    if candidate.organisation is not None:
        return ours[candidate.organisation.id]
    if record.organisation_id != UNKNOWN:
        return record.organisation_id
    if record.id in owners:
        return owners[record.id]
    item.warnings.append(
        Problem(
            candidate.where,
            "organization",
            f"none given; attached to the feed's publisher, {publisher.name}",
            NO_ORGANISATION,
            "",
            publisher.name,
        )
    )
    return ours[publisher.id]


def _places(
    item: Prepared, record: schemas.ServiceRecord, ours: dict[UUID, UUID], names: dict[UUID, str]
) -> list[schemas.Location]:
    """Locations belong to an organisation we have: their own, or else the service's."""
    places = []
    for place in record.locations:
        org_id = ours.get(place.organisation_id, place.organisation_id)
        if org_id == UNKNOWN:
            org_id = record.organisation_id
        elif org_id not in names:
            item.warnings.append(
                Problem(
                    item.candidate.where,
                    "location.organization_id",
                    f"no organisation {org_id} here; the service's organisation is used",
                )
            )
            org_id = record.organisation_id
        places.append(msgspec.structs.replace(place, organisation_id=org_id))
    return places


def _terms(item: Prepared, record: schemas.ServiceRecord, known: set[UUID]) -> list[schemas.Term]:
    for term in record.terms:
        if term.id not in known:
            item.warnings.append(
                Problem(
                    item.candidate.where, "attributes", f"no taxonomy term {term.id} here; left out"
                )
            )
    return [term for term in record.terms if term.id in known]


async def prepare_batch(
    candidates: list[Candidate], publisher: str
) -> tuple[list[Prepared], list[str]]:
    """(each candidate made ready or failed, names of the organisations created)."""
    items = [Prepared(candidate, candidate.record) for candidate in candidates]
    records = [item.record for item in items if item.record is not None]
    owners = await _current_owners([record.id for record in records])
    infos: list[OrganisationInfo] = []
    for candidate in candidates:
        infos += [*candidate.other_organisations]
        infos += [candidate.organisation] if candidate.organisation else []
    the_publisher = publisher_info(publisher)
    if any(
        c.organisation is None and r.organisation_id == UNKNOWN and r.id not in owners
        for c, r in ((i.candidate, i.record) for i in items if i.record is not None)
    ):
        infos.append(the_publisher)
    ours, created = await organisations.ensure_organisations(infos)
    for item in items:
        if item.record is not None:
            org_id = _organisation_of(item, ours, owners, the_publisher)
            item.record = msgspec.structs.replace(item.record, organisation_id=org_id)
    named = [item.record.organisation_id for item in items if item.record is not None]
    place_orgs = [
        ours.get(place.organisation_id, place.organisation_id)
        for item in items
        if item.record is not None
        for place in item.record.locations
    ]
    names = await organisations.existing_organisations(named + place_orgs)
    taxonomies = list({t.id: t for c in candidates for t in c.taxonomies}.values())
    terms = list({t.id: t for c in candidates for t in c.terms}.values())
    await organisations.ensure_terms(taxonomies, terms)
    known = await organisations.known_terms(
        list({term.id for item in items if item.record for term in item.record.terms})
    )
    ready: list[Prepared] = []
    for item in items:
        record = item.record
        if record is None:
            continue
        if record.organisation_id not in names:
            item.errors.append(
                Problem(
                    item.candidate.where,
                    "organization_id",
                    f"no organisation {record.organisation_id} here, and no details given",
                )
            )
            item.record = None
            continue
        item.record = msgspec.structs.replace(
            record,
            organisation_name=names[record.organisation_id],
            locations=_places(item, record, ours, names),
            terms=_terms(item, record, known),
        )
        ready.append(item)
    settled = await settle_child_ids_many([item.record for item in ready if item.record])
    for item, record in zip(ready, settled, strict=True):
        item.record = record
    return items, created

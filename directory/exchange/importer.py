"""Saving imported listings: each one whole, in its own transaction, through the write path.

Every listing goes through directory.store.upsert_service, so history, the audit trail and
the search index stay in step. A listing that fails is reported and rolled back alone (with
any organisation or term created for it); the others carry on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit
from uuid import UUID

import msgspec

from directory import schemas
from directory.exchange import organisations
from directory.exchange.child_ids import settle_child_ids
from directory.exchange.hsds_in import IMPORT_NAMESPACE, UNKNOWN, Candidate
from directory.exchange.problems import Problem, RowFailed
from directory.openreferral.info import OrganisationInfo
from directory.read import load_service
from directory.store import diff, upsert_service
from directory.tables import Service
from hub.audit import Actor
from hub.db import transaction
from hub.settings import get_settings

log = logging.getLogger(__name__)
NO_ORGANISATION = "no organisation, attached to the feed's publisher"


class ImportSummary(msgspec.Struct, kw_only=True):
    """What an import did: counts, organisations it created, and every problem."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    organisations_created: list[str] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []

    @property
    def total(self) -> int:
        """Listings read."""
        return self.created + self.updated + self.unchanged + self.failed


def publisher_info(name: str) -> OrganisationInfo:
    """The organisation standing for a feed's publisher, found or created by its name."""
    return OrganisationInfo(
        id=uuid.uuid5(IMPORT_NAMESPACE, f"organisation:{name.casefold()}"), name=name
    )


def publisher_name(given: str, source: str) -> str:
    """The publisher named on the command line, else in settings, else after the source."""
    named = given.strip() or get_settings().directory_publisher
    if named:
        return named[:200]
    host = urlsplit(source).hostname if "://" in source else None
    return f"Publisher of {host or source}"[:200]


async def _organisation(
    candidate: Candidate,
    record: schemas.ServiceRecord,
    created: list[str],
    warnings: list[Problem],
    publisher: str,
) -> tuple[schemas.ServiceRecord, dict[UUID, UUID]]:
    """The record with our organisation's id and name, and feed organisation id -> ours.

    A listing naming no organisation is attached to the feed's publisher, with a warning.

    Raises:
        RowFailed: the listing names no organisation we have or can create.
    """
    ours: dict[UUID, UUID] = {}
    for info in [*candidate.other_organisations, candidate.organisation]:
        if info is not None:
            ours[info.id], is_new = await organisations.ensure_organisation(info)
            if is_new:
                created.append(info.name)
    if candidate.organisation is not None:
        org_id = ours[candidate.organisation.id]
    elif record.organisation_id != UNKNOWN:
        org_id = record.organisation_id
    else:
        existing = await Service.select(Service.organisation).where(Service.id == record.id).first()
        if existing is None:
            info = publisher_info(publisher)
            org_id, is_new = await organisations.ensure_organisation(info)
            if is_new:
                created.append(info.name)
            warnings.append(
                Problem(
                    candidate.where,
                    "organization",
                    f"none given; attached to the feed's publisher, {info.name}",
                    NO_ORGANISATION,
                    "",
                    info.name,
                )
            )
        else:
            org_id = existing["organisation"]
    name = await organisations.organisation_name(org_id)
    if name is None:
        problem = Problem(
            candidate.where,
            "organization_id",
            f"no organisation {org_id} here, and no details given",
        )
        raise RowFailed([problem])
    ours[record.organisation_id] = org_id
    return msgspec.structs.replace(record, organisation_id=org_id, organisation_name=name), ours


async def _locations(
    candidate: Candidate,
    record: schemas.ServiceRecord,
    ours: dict[UUID, UUID],
    warnings: list[Problem],
) -> schemas.ServiceRecord:
    """Locations belong to an organisation we have: their own, or else the service's."""
    places = []
    for place in record.locations:
        org_id = ours.get(place.organisation_id, place.organisation_id)
        if org_id == UNKNOWN:
            org_id = record.organisation_id
        elif await organisations.organisation_name(org_id) is None:
            warnings.append(
                Problem(
                    candidate.where,
                    "location.organization_id",
                    f"no organisation {org_id} here; the service's organisation is used",
                )
            )
            org_id = record.organisation_id
        places.append(msgspec.structs.replace(place, organisation_id=org_id))
    return msgspec.structs.replace(record, locations=places)


async def _terms(
    candidate: Candidate, record: schemas.ServiceRecord, warnings: list[Problem]
) -> schemas.ServiceRecord:
    await organisations.ensure_terms(candidate.taxonomies, candidate.terms)
    known = await organisations.known_terms([term.id for term in record.terms])
    for term in record.terms:
        if term.id not in known:
            warnings.append(
                Problem(candidate.where, "attributes", f"no taxonomy term {term.id} here; left out")
            )
    return msgspec.structs.replace(
        record, terms=[term for term in record.terms if term.id in known]
    )


async def _save(
    candidate: Candidate,
    record: schemas.ServiceRecord,
    summary: ImportSummary,
    source: str,
    publisher: str,
) -> str:
    """Save one listing in one transaction; report only once it has committed."""
    warnings: list[Problem] = []
    created: list[str] = []
    async with transaction():
        record, ours = await _organisation(candidate, record, created, warnings, publisher)
        record = await _locations(candidate, record, ours, warnings)
        record = await _terms(candidate, record, warnings)
        record = await settle_child_ids(record)
        before = await load_service(record.id)
        if before is None:
            await upsert_service(record, actor=Actor.system(), summary=_summary(source))
            outcome = "created"
        elif diff(before, record):
            changes = await upsert_service(record, actor=Actor.system(), summary=_summary(source))
            outcome = "updated" if changes else "unchanged"
        else:
            outcome = "unchanged"  # not written: last_modified stays true for feed readers
    summary.warnings.extend(warnings)
    summary.organisations_created.extend(created)
    return outcome


def _summary(source: str) -> str:
    return f"Imported from {source}"[:300]


async def import_candidates(
    candidates: AsyncIterator[Candidate],
    source: str,
    on_item: Callable[[Candidate, str], None] | None = None,
    publisher: str = "",
) -> ImportSummary:
    """Save every good candidate; count and report the rest. `on_item` hears each outcome.

    Listings naming no organisation go to `publisher` (see `publisher_name`).
    """
    summary = ImportSummary()
    publisher = publisher_name(publisher, source)
    async for candidate in candidates:
        summary.warnings.extend(candidate.warnings)
        outcome = "failed"
        if candidate.errors or candidate.record is None:
            summary.errors.extend(
                candidate.errors or [Problem(candidate.where, "", "could not be read")]
            )
        else:
            try:
                outcome = await _save(candidate, candidate.record, summary, source, publisher)
            except RowFailed as exc:
                summary.errors.extend(exc.problems)
            except Exception as exc:  # one bad listing must not stop the rest (logged)
                log.warning("import of %s failed", candidate.where, exc_info=exc)
                summary.errors.append(Problem(candidate.where, "", f"could not be saved: {exc}"))
        if outcome == "failed":
            summary.failed += 1
        else:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        if on_item:
            on_item(candidate, outcome)
    return summary

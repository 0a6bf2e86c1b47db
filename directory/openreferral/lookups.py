"""Reading what HSDS shows beside a listing: organisations, taxonomy terms, location links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from piccolo.query import Select

from directory.openreferral.info import OrganisationInfo, TaxonomyInfo, TermInfo
from directory.tables import (
    OrganisationProfile,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from hub.tables import Organisation


async def organisations(ids: Iterable[UUID]) -> dict[UUID, OrganisationInfo]:
    """The organisations asked for, with their directory profiles where they have one."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.id.is_in(wanted)
    )
    profiles = {
        row["organisation"]: row
        for row in await OrganisationProfile.select().where(
            OrganisationProfile.organisation.is_in(wanted)
        )
    }
    found: dict[UUID, OrganisationInfo] = {}
    for row in rows:
        profile = profiles.get(row["id"], {})
        found[row["id"]] = OrganisationInfo(
            id=row["id"],
            name=row["name"],
            description=profile.get("description", ""),
            alternate_name=profile.get("alternate_name", ""),
            website=profile.get("website", ""),
            email=profile.get("email", ""),
            legal_status=profile.get("legal_status", ""),
        )
    return found


def _term(row: dict[str, Any]) -> TermInfo:
    return TermInfo(
        id=row["id"],
        code=str(row["code"]),
        name=str(row["name"]),
        description=str(row["description"] or ""),
        parent_id=row["parent_id"],
        taxonomy_id=row["taxonomy"],
        taxonomy_name=str(row["taxonomy_name"] or ""),
    )


def _term_select() -> Select:
    return TaxonomyTerm.select(
        *TaxonomyTerm.all_columns(), TaxonomyTerm.taxonomy.name.as_alias("taxonomy_name")
    )


async def terms(ids: Iterable[UUID]) -> dict[UUID, TermInfo]:
    """The taxonomy terms asked for."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await _term_select().where(TaxonomyTerm.id.is_in(wanted))
    return {row["id"]: _term(row) for row in rows}


async def terms_page(
    taxonomy_id: UUID | None, limit: int | None = None, offset: int = 0
) -> tuple[int, list[TermInfo]]:
    """(how many terms there are, one page of them) in taxonomy order, optionally one taxonomy."""
    where = TaxonomyTerm.taxonomy == taxonomy_id if taxonomy_id else None
    count = TaxonomyTerm.count()
    query = _term_select().order_by(
        TaxonomyTerm.taxonomy, TaxonomyTerm.position, TaxonomyTerm.name, TaxonomyTerm.id
    )
    if where is not None:
        count = count.where(where)
        query = query.where(where)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return await count, [_term(row) for row in await query]


async def taxonomies_page(
    limit: int | None = None, offset: int = 0
) -> tuple[int, list[TaxonomyInfo]]:
    """(how many taxonomies there are, one page of them) by name."""
    query = Taxonomy.select().order_by(Taxonomy.name, Taxonomy.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await query
    return await Taxonomy.count(), [_taxonomy(row) for row in rows]


def _taxonomy(row: dict[str, Any]) -> TaxonomyInfo:
    return TaxonomyInfo(
        id=row["id"],
        name=str(row["name"]),
        description=str(row["description"] or ""),
        uri=str(row["uri"] or ""),
        version=str(row["version"] or ""),
    )


async def taxonomy(taxonomy_id: UUID) -> TaxonomyInfo | None:
    """One taxonomy, or None."""
    row = await Taxonomy.select().where(Taxonomy.id == taxonomy_id).first()
    return _taxonomy(row) if row else None


async def link_ids(service_ids: Sequence[UUID]) -> dict[tuple[UUID, UUID], UUID]:
    """(service, location) -> service_at_location id, for the services given."""
    if not service_ids:
        return {}
    rows = await ServiceAtLocation.select(
        ServiceAtLocation.id, ServiceAtLocation.service, ServiceAtLocation.location
    ).where(ServiceAtLocation.service.is_in(list(service_ids)))
    return {(row["service"], row["location"]): row["id"] for row in rows}

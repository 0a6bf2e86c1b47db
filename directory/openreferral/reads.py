"""What each Open Referral UK endpoint answers, as plain dicts and pages (no web objects).

Lists page in the database first, then load the page's listings whole in a few queries
(directory.read.load_services). Defunct services, and organisations with no other service,
are not published; everything else is, whatever its status, as HSDS expects.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from directory import schemas
from directory.openreferral import lookups, mapping
from directory.openreferral.filters import (
    ids_matching,
    links_at,
    locations_within,
    origin_of,
    service_conditions,
    with_text_matches,
)
from directory.openreferral.info import OrganisationInfo, TermInfo
from directory.openreferral.params import Page, Paging, ServiceQuery, page_of
from directory.read import load_services
from directory.tables import Service, ServiceAtLocation
from hub.db import transaction
from hub.errors import NotFound
from hub.tables import Organisation

_PUBLIC = Service.status != "defunct"
P = ParamSpec("P")
R = TypeVar("R")


def one_snapshot(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run every query of a response on one connection, in one read transaction.

    A consistent view (the count matches the page), and on SQLite one connection instead of
    one per query. On SQLite transactions share the process's one kept writer connection, so
    this one queues behind any write in progress (`hub.db.transaction`): an API read served
    while an import's batch was open on that connection committed or broke the batch.
    """

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        async with transaction():
            return await func(*args, **kwargs)

    return wrapper


def _not_found() -> NotFound:
    msg = "There is no such record in this directory."
    return NotFound(msg)


def parse_id(raw: str) -> UUID:
    """A path id; anything that is not a UUID is simply not found.

    Raises:
        NotFound: `raw` is not a UUID.
    """
    try:
        return UUID(raw)
    except ValueError:
        raise _not_found() from None


async def _context(
    records: Sequence[schemas.ServiceRecord],
) -> tuple[dict[UUID, OrganisationInfo], dict[UUID, TermInfo]]:
    org_ids = [record.organisation_id for record in records]
    org_ids += [place.organisation_id for record in records for place in record.locations]
    orgs = await lookups.organisations(org_ids)
    terms = await lookups.terms(term.id for record in records for term in record.terms)
    return orgs, terms


@one_snapshot
async def full_services(ids: Sequence[UUID]) -> list[dict[str, Any]]:
    """Fully nested services, in the order asked."""
    records = await load_services(ids)
    orgs, terms = await _context(records)
    links = await lookups.link_ids([record.id for record in records])
    return [mapping.service_full(record, orgs, terms, links) for record in records]


async def _service_ids(query: ServiceQuery) -> tuple[int, list[UUID], dict[UUID, float]]:
    """(matches, this page's service ids, distance of each when near a postcode)."""
    where = service_conditions(query)
    origin = await origin_of(query)
    paging = query.paging
    if query.matching_ids is not None and (origin is None or query.proximity is None):
        allowed = await ids_matching(where, query.matching_ids)
        ranked = [service_id for service_id in query.matching_ids if service_id in allowed]
        return len(ranked), ranked[paging.offset : paging.offset + paging.per_page], {}
    if origin is None or query.proximity is None:
        total = await Service.count().where(where)
        rows = (
            await Service.select(Service.id)
            .where(where)
            .order_by(Service.name, Service.id)
            .limit(paging.per_page)
            .offset(paging.offset)
        )
        return total, [row["id"] for row in rows], {}
    near = await locations_within(origin, query.proximity)
    distances: dict[UUID, float] = {}
    for link in await links_at(near):
        distance = near[link["location"]]
        distances[link["service"]] = min(distance, distances.get(link["service"], distance))
    matching = await ids_matching(where, distances)
    ordered = sorted(matching, key=lambda service_id: (distances[service_id], str(service_id)))
    page = ordered[paging.offset : paging.offset + paging.per_page]
    return len(ordered), page, {service_id: distances[service_id] for service_id in page}


@one_snapshot
async def services_page(query: ServiceQuery) -> Page:
    """`/services`: one page of services (one-to-one fields), nearest first near a postcode.

    With `text`, best match first (nearest first near a postcode).
    """
    total, ids, _ = await _service_ids(await with_text_matches(query))
    records = await load_services(ids)
    orgs = await lookups.organisations(record.organisation_id for record in records)
    contents = [
        mapping.service_summary(record, orgs.get(record.organisation_id)) for record in records
    ]
    return page_of(total, query.paging, contents)


@one_snapshot
async def service(service_id: UUID) -> dict[str, Any]:
    """`/services/{id}`: one fully nested service.

    Raises:
        NotFound: no such public service.
    """
    if not await Service.exists().where((Service.id == service_id) & _PUBLIC):
        raise _not_found()
    found = await full_services([service_id])
    if not found:
        raise _not_found()
    return found[0]


async def _links_page(query: ServiceQuery) -> tuple[int, list[dict[str, Any]]]:
    query = await with_text_matches(query)
    where = ServiceAtLocation.service.is_in(
        Service.select(Service.id).where(service_conditions(query))
    )
    origin = await origin_of(query)
    paging = query.paging
    if origin is None or query.proximity is None:
        total = await ServiceAtLocation.count().where(where)
        rows = (
            await ServiceAtLocation.select(
                ServiceAtLocation.id, ServiceAtLocation.service, ServiceAtLocation.location
            )
            .where(where)
            .order_by(ServiceAtLocation.service.name, ServiceAtLocation.id)
            .limit(paging.per_page)
            .offset(paging.offset)
        )
        return total, rows
    near = await locations_within(origin, query.proximity)
    links = await links_at(near)
    allowed = await ids_matching(service_conditions(query), {link["service"] for link in links})
    kept = sorted(
        (link for link in links if link["service"] in allowed),
        key=lambda link: (near[link["location"]], str(link["id"])),
    )
    return len(kept), kept[paging.offset : paging.offset + paging.per_page]


def _place(record: schemas.ServiceRecord, location_id: UUID) -> schemas.Location | None:
    return next((place for place in record.locations if place.id == location_id), None)


@one_snapshot
async def service_at_locations_page(query: ServiceQuery) -> Page:
    """`/service_at_locations`: one page of service-at-location links, nearest first if asked."""
    total, rows = await _links_page(query)
    records = {record.id: record for record in await load_services([r["service"] for r in rows])}
    orgs = await lookups.organisations(record.organisation_id for record in records.values())
    contents = []
    for row in rows:
        record = records.get(row["service"])
        place = _place(record, row["location"]) if record else None
        if record and place:
            org = orgs.get(record.organisation_id)
            contents.append(mapping.service_at_location_summary(row["id"], record, place, org))
    return page_of(total, query.paging, contents)


@one_snapshot
async def service_at_location(link_id: UUID) -> dict[str, Any]:
    """`/service_at_locations/{id}`: one link, with its location and service fully nested.

    Raises:
        NotFound: no such link, or its service is not public.
    """
    row = (
        await ServiceAtLocation.select(ServiceAtLocation.service, ServiceAtLocation.location)
        .where(ServiceAtLocation.id == link_id)
        .first()
    )
    records = await load_services([row["service"]]) if row else []
    if not records or records[0].status == "defunct":
        raise _not_found()
    record = records[0]
    place = _place(record, row["location"]) if row else None
    if place is None:
        raise _not_found()
    orgs, terms = await _context(records)
    return mapping.service_at_location_full(link_id, record, place, orgs, terms)


def _publishing() -> Any:
    return Organisation.id.is_in(Service.select(Service.organisation).where(_PUBLIC))


@one_snapshot
async def organizations_page(paging: Paging) -> Page:
    """`/organizations`: organisations that publish at least one service."""
    total = await Organisation.count().where(_publishing())
    rows = (
        await Organisation.select(Organisation.id)
        .where(_publishing())
        .order_by(Organisation.name, Organisation.id)
        .limit(paging.per_page)
        .offset(paging.offset)
    )
    ids = [row["id"] for row in rows]
    infos = await lookups.organisations(ids)
    contents = [mapping.organization(infos[org_id]) for org_id in ids if org_id in infos]
    return page_of(total, paging, contents)


@one_snapshot
async def organization(org_id: UUID) -> dict[str, Any]:
    """`/organizations/{id}`: an organisation with its services fully nested.

    Raises:
        NotFound: no such organisation, or it publishes no service.
    """
    infos = await lookups.organisations([org_id])
    rows = (
        await Service.select(Service.id)
        .where((Service.organisation == org_id) & _PUBLIC)
        .order_by(Service.name, Service.id)
    )
    if org_id not in infos or not rows:
        raise _not_found()
    out = mapping.organization(infos[org_id])
    out["services"] = await full_services([row["id"] for row in rows])
    return out


@one_snapshot
async def taxonomies_page(paging: Paging) -> Page:
    """`/taxonomies`."""
    total, found = await lookups.taxonomies_page(paging.per_page, paging.offset)
    return page_of(total, paging, [mapping.taxonomy(item) for item in found])


@one_snapshot
async def taxonomy(taxonomy_id: UUID) -> dict[str, Any]:
    """`/taxonomies/{id}`: a taxonomy with its terms.

    Raises:
        NotFound: no such taxonomy.
    """
    found = await lookups.taxonomy(taxonomy_id)
    if found is None:
        raise _not_found()
    _, terms = await lookups.terms_page(taxonomy_id)
    return mapping.taxonomy(found, terms)


@one_snapshot
async def taxonomy_terms_page(paging: Paging, taxonomy_id: UUID | None = None) -> Page:
    """`/taxonomy_terms`, optionally of one taxonomy."""
    total, found = await lookups.terms_page(taxonomy_id, paging.per_page, paging.offset)
    return page_of(total, paging, [mapping.taxonomy_term(term) for term in found])


@one_snapshot
async def taxonomy_term(term_id: UUID) -> dict[str, Any]:
    """`/taxonomy_terms/{id}`.

    Raises:
        NotFound: no such term.
    """
    found = await lookups.terms([term_id])
    if term_id not in found:
        raise _not_found()
    return mapping.taxonomy_term(found[term_id])

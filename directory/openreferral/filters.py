"""ORUK filters as SQL conditions on services, and distance from a point in metres.

Everything but distance is one WHERE clause, so counting and paging happen in the database.
Distance narrows locations with a bounding box in SQL and measures the few left exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import WhereRaw

from directory.openreferral.params import BadQuery, ServiceQuery
from directory.tables import (
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTaxonomy,
    TaxonomyTerm,
)

EARTH_RADIUS_METRES = 6_371_008.8
METRES_PER_DEGREE = 111_320.0
MAX_TEXT_MATCHES = 5000
"""The most services a `text` filter keeps (best first)."""


def distance_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def _schedule_condition(query: ServiceQuery) -> Any:
    condition: Any = None

    def both(extra: Any) -> None:
        nonlocal condition
        condition = extra if condition is None else condition & extra

    if query.day:
        both(Schedule.byday.like(f"%{query.day}%"))
    if query.start_time is not None:
        both(Schedule.opens_at >= query.start_time)
    if query.end_time is not None:
        # A rule that runs past midnight ends the next day, after any end time asked for.
        both(
            (Schedule.closes_at <= query.end_time)
            & WhereRaw('"schedule"."closes_at" > "schedule"."opens_at"')
        )
    return condition


def _open_when_asked(query: ServiceQuery) -> Any:
    """Services whose hours match: their own rules, or (having none) their locations' rules."""
    condition = _schedule_condition(query)
    own = Schedule.select(Schedule.service).where(condition & Schedule.service.is_not_null())
    any_own = Schedule.select(Schedule.service).where(Schedule.service.is_not_null())
    at_locations = ServiceAtLocation.select(ServiceAtLocation.service).where(
        ServiceAtLocation.location.is_in(
            Schedule.select(Schedule.location).where(condition & Schedule.location.is_not_null())
        )
    )
    return Service.id.is_in(own) | (Service.id.not_in(any_own) & Service.id.is_in(at_locations))


def service_conditions(query: ServiceQuery) -> Any:
    """The WHERE clause for everything but distance; defunct services are never public."""
    where: Any = Service.status != "defunct"
    if query.matching_ids is not None:
        # An empty IN list is not valid SQL everywhere; no id is the nil UUID.
        where &= Service.id.is_in(list(query.matching_ids) or [UUID(int=0)])
    if query.taxonomy_term_ids:
        where &= Service.id.is_in(
            ServiceTaxonomy.select(ServiceTaxonomy.service).where(
                ServiceTaxonomy.taxonomy_term.is_in(list(query.taxonomy_term_ids))
            )
        )
    if query.taxonomy_id:
        where &= Service.id.is_in(
            ServiceTaxonomy.select(ServiceTaxonomy.service).where(
                ServiceTaxonomy.taxonomy_term.is_in(
                    TaxonomyTerm.select(TaxonomyTerm.id).where(
                        TaxonomyTerm.taxonomy == query.taxonomy_id
                    )
                )
            )
        )
    if query.organization_id:
        where &= Service.organisation == query.organization_id
    if query.modified_after:
        where &= Service.updated_at >= query.modified_after
    # ORUK: "minimum age of at least" and "maximum age equal to or below" the value given.
    if query.minimum_age is not None:
        where &= Service.minimum_age >= query.minimum_age
    if query.maximum_age is not None:
        where &= Service.maximum_age <= query.maximum_age
    if query.day or query.start_time is not None or query.end_time is not None:
        where &= _open_when_asked(query)
    return where


async def with_text_matches(query: ServiceQuery) -> ServiceQuery:
    """The query with the services its words find, best first, through the directory search.

    The same search as staff use (stems, typos, everyday words for needs), so `?text=drugs`
    finds the substance-use services; only listed (active) services are searched.
    """
    if not query.search:
        return query
    from directory.search.backend import get_backend
    from directory.search.schemas import SearchQuery

    found = await get_backend().search(SearchQuery(text=query.search, per_page=MAX_TEXT_MATCHES))
    ids = tuple(hit.service_id for hit in found.items)
    return msgspec.structs.replace(query, matching_ids=ids)


async def origin_of(query: ServiceQuery) -> tuple[float, float] | None:
    """The point of the postcode asked about, if any.

    Raises:
        BadQuery: the postcode is not one we know.
    """
    if not query.postcode:
        return None
    from directory.exchange.postcodes import postcode_point

    point = await postcode_point(query.postcode)
    if point is None:
        errors = {"postcode": "is not a postcode we know"}
        raise BadQuery("postcode is not a postcode we know", errors)
    return point


async def locations_within(origin: tuple[float, float], metres: float) -> dict[UUID, float]:
    """Location id -> distance in metres, for every location within `metres` of `origin`."""
    lat, lon = origin
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
    rows = await Location.select(Location.id, Location.latitude, Location.longitude).where(
        (Location.latitude >= lat - dlat)
        & (Location.latitude <= lat + dlat)
        & (Location.longitude >= lon - dlon)
        & (Location.longitude <= lon + dlon)
    )
    found: dict[UUID, float] = {}
    for row in rows:
        distance = distance_metres(origin, (row["latitude"], row["longitude"]))
        if distance <= metres:
            found[row["id"]] = distance
    return found


async def links_at(location_ids: Iterable[UUID]) -> list[dict[str, Any]]:
    """Service-at-location rows (id, service, location) for these locations."""
    wanted = list(location_ids)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 1000):
        rows.extend(
            await ServiceAtLocation.select(
                ServiceAtLocation.id, ServiceAtLocation.service, ServiceAtLocation.location
            ).where(ServiceAtLocation.location.is_in(wanted[start : start + 1000]))
        )
    return rows


async def ids_matching(where: Any, candidates: Iterable[UUID]) -> set[UUID]:
    """Which of the candidate services also meet `where` (in chunks, for any number)."""
    wanted = list(dict.fromkeys(candidates))
    found: set[UUID] = set()
    for start in range(0, len(wanted), 1000):
        rows = await Service.select(Service.id).where(
            where & Service.id.is_in(wanted[start : start + 1000])
        )
        found.update(row["id"] for row in rows)
    return found

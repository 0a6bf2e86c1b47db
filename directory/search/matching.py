"""What every backend does the same way once its index has found the candidates.

Indexes narrow (text, category, capability and hour-slot tokens, a bounding box); this module
decides exactly: distance by haversine, age, "open now" by the weekly minutes or, when a dated
exception or a clock change is near, by `OpeningHours.is_open`. Then it counts facets over the
results, orders them and cuts the page.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from directory.hours import LONDON, OpeningHours
from directory.search.documents import (
    ACCEPTING,
    EVENINGS,
    FREE,
    MINUTES_PER_WEEK,
    NETWORK,
    WEEKENDS,
    clock_changes_near,
    name_key,
)
from directory.search.schemas import FacetCounts, GeoPoint, SearchHit, SearchQuery, SearchResults

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
EXACT_NAME_BONUS = 1000.0
NAME_PREFIX_BONUS = 100.0


def haversine_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(origin: GeoPoint, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `km`."""
    dlat = km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(origin.latitude)), 0.01)
    dlon = min(km / (KM_PER_DEGREE * cos_lat), 180.0)
    return (
        origin.latitude - dlat,
        origin.latitude + dlat,
        origin.longitude - dlon,
        origin.longitude + dlon,
    )


@dataclass(slots=True)
class Candidate:
    """A document an index matched, with what the exact checks and facets need."""

    key: Any
    """The backend's handle for loading this candidate's opening hours."""
    service_id: str
    name_key: str
    score: float
    latitude: float | None
    longitude: float | None
    minimum_age: int | None
    maximum_age: int | None
    flags: int
    categories: str
    """Category codes separated by spaces."""
    languages: str
    """Language codes separated by spaces."""
    week: list[int] | None
    exception_dates: str
    """Dates (YYYYMMDD) of dated exceptions, separated by spaces."""
    distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class Moment:
    """An instant prepared for quick open checks."""

    at: datetime
    minute_of_week: int
    today: str
    yesterday: str
    clock_changes: bool

    @classmethod
    def of(cls, at: datetime) -> Moment:
        """Prepare `at` (any aware datetime)."""
        local = at.astimezone(LONDON)
        day = local.date()
        return cls(
            at=at,
            minute_of_week=local.weekday() * 1440 + local.hour * 60 + local.minute,
            today=f"{day:%Y%m%d}",
            yesterday=f"{day - timedelta(days=1):%Y%m%d}",
            clock_changes=clock_changes_near(at),
        )


def quick_open(candidate: Candidate, moment: Moment) -> bool | None:
    """Open at `moment` by the weekly minutes, or None when only `is_open` can tell."""
    week = candidate.week
    if week is None or moment.clock_changes:
        return None
    dates = candidate.exception_dates
    if dates and (moment.today in dates or moment.yesterday in dates):
        return None
    minute = moment.minute_of_week
    later = minute + MINUTES_PER_WEEK
    for index in range(0, len(week), 2):
        start, end = week[index], week[index + 1]
        if start <= minute < end or start <= later < end:
            return True
    return False


def required_flags(query: SearchQuery) -> int:
    """The flag bits every result must have."""
    flags = 0
    if query.accepts_network_referrals:
        flags |= NETWORK
    if query.accepting_now:
        flags |= ACCEPTING
    if query.free:
        flags |= FREE
    if query.evenings:
        flags |= EVENINGS
    if query.weekends:
        flags |= WEEKENDS
    return flags


def filter_moments(query: SearchQuery, now: datetime) -> list[datetime]:
    """The instants at which a result must be open."""
    moments = [now] if query.open_now else []
    if query.open_at is not None:
        moments.append(query.open_at)
    return moments


def narrow(query: SearchQuery, candidates: Iterable[Candidate]) -> list[Candidate]:
    """Keep candidates within the distance and age asked for; note each one's distance."""
    origin = query.origin
    limit = query.max_distance_km if origin is not None else None
    age = query.age
    flags = required_flags(query)
    categories = set(query.categories)
    language = query.language.lower()
    kept: list[Candidate] = []
    for candidate in candidates:
        # The index has applied these already; checking again costs little and keeps every
        # backend honest.
        if candidate.flags & flags != flags:
            continue
        if categories and not categories.issubset(candidate.categories.split()):
            continue
        if language and language not in candidate.languages.split():
            continue
        if age is not None and (
            (candidate.minimum_age is not None and age < candidate.minimum_age)
            or (candidate.maximum_age is not None and age > candidate.maximum_age)
        ):
            continue
        if origin is not None and candidate.latitude is not None:
            candidate.distance_km = haversine_km(
                origin.latitude, origin.longitude, candidate.latitude, candidate.longitude or 0.0
            )
        if limit is not None and (candidate.distance_km is None or candidate.distance_km > limit):
            continue
        kept.append(candidate)
    return kept


def needing_hours(candidates: Iterable[Candidate], moments: Iterable[datetime]) -> list[Any]:
    """Keys of candidates whose opening at one of `moments` needs the exact check."""
    prepared = [Moment.of(at) for at in moments]
    return [
        candidate.key
        for candidate in candidates
        if any(quick_open(candidate, moment) is None for moment in prepared)
    ]


def _is_open(candidate: Candidate, moment: Moment, hours: Mapping[Any, OpeningHours]) -> bool:
    quick = quick_open(candidate, moment)
    if quick is not None:
        return quick
    exact = hours.get(candidate.key)
    return exact is not None and exact.is_open(moment.at)


def complete(
    query: SearchQuery,
    candidates: list[Candidate],
    now: datetime,
    hours: Mapping[Any, OpeningHours],
    *,
    capped: bool = False,
    near_misses: bool = False,
) -> SearchResults:
    """Exact opening filters, facet counts over every result, order, and the page asked for.

    `candidates` have been through `narrow`; `hours` holds the opening hours of every key
    `needing_hours` named for `now` and the query's moments.
    """
    current = Moment.of(now)
    moments = [Moment.of(at) for at in filter_moments(query, now)]
    results: list[Candidate] = []
    open_now = 0
    for candidate in candidates:
        if any(not _is_open(candidate, moment, hours) for moment in moments):
            continue
        results.append(candidate)
        if _is_open(candidate, current, hours):
            open_now += 1
    facets = _facets(results)
    facets.open_now = open_now
    text_key = name_key(query.text)
    if text_key:
        for candidate in results:
            if candidate.name_key == text_key:
                candidate.score += EXACT_NAME_BONUS
            elif candidate.name_key.startswith(text_key):
                candidate.score += NAME_PREFIX_BONUS
    if query.by_distance:
        results.sort(
            key=lambda c: (
                c.distance_km is None,
                c.distance_km if c.distance_km is not None else 0.0,
                -c.score,
                c.name_key,
            )
        )
    else:
        results.sort(key=lambda c: (-c.score, c.name_key))
    page = results[query.offset : query.offset + query.per_page]
    return SearchResults(
        total=len(results),
        items=[
            SearchHit(
                service_id=UUID(c.service_id),
                score=round(c.score, 6),
                distance_km=None if c.distance_km is None else round(c.distance_km, 3),
            )
            for c in page
        ],
        facets=facets,
        page=query.page,
        per_page=query.per_page,
        capped=capped,
        near_misses=near_misses,
    )


def _facets(results: list[Candidate]) -> FacetCounts:
    categories: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    flags: Counter[int] = Counter()
    for candidate in results:
        if candidate.categories:
            categories.update(candidate.categories.split())
        if candidate.languages:
            languages.update(candidate.languages.split())
        flags[candidate.flags] += 1

    def with_bit(bit: int) -> int:
        return sum(count for value, count in flags.items() if value & bit)

    return FacetCounts(
        categories=dict(categories),
        evenings=with_bit(EVENINGS),
        weekends=with_bit(WEEKENDS),
        network=with_bit(NETWORK),
        accepting=with_bit(ACCEPTING),
        free=with_bit(FREE),
        languages=dict(languages),
    )

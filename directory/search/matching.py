"""What every backend does the same way once its index has found the candidates.

Indexes narrow (text, category, capability and hour-slot tokens, a bounding box); this module
decides exactly: distance by haversine, age, and "open" by minutes of the local day (or, when
the clocks change within a day of the moment, by `OpeningHours.is_open`). Then it counts
facets over the results, orders them and cuts the page. It runs once per matching listing,
so it is written for speed: one pass, no per-row allocation for rows it drops.

A backend makes a `Matcher`, offers it each indexed `Document` with its relevance score,
loads the opening hours of the keys in `matcher.unsure`, and calls `matcher.finish`.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from directory.hours import LONDON, OpeningHours
from directory.search.documents import (
    ACCEPTING,
    EVENINGS,
    FREE,
    MINUTES_PER_DAY,
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


_SETS: dict[tuple[str, ...], int] = {}
_SET_VALUES: list[tuple[str, ...]] = []
_SETS_LOCK = threading.Lock()


def code_set(codes: list[str] | tuple[str, ...]) -> int:
    """A small number standing for this set of codes (facets count numbers, then expand)."""
    key = tuple(sorted(codes))
    found = _SETS.get(key)
    if found is None:
        with _SETS_LOCK:
            found = _SETS.get(key)
            if found is None:
                found = len(_SET_VALUES)
                _SET_VALUES.append(key)
                _SETS[key] = found
    return found


class Document(NamedTuple):
    """What the exact checks and facets need of one indexed listing."""

    key: Any
    """The backend's handle for loading this listing's opening hours."""
    service_id: str
    name_key: str
    latitude: float | None
    longitude: float | None
    minimum_age: int | None
    maximum_age: int | None
    flags: int
    categories: list[str]
    languages: list[str]
    week: list[int] | None
    """Weekly opening as flat [start, end, ...] minutes of the week; None for monthly rules."""
    exception_dates: str
    """Dates (YYYYMMDD) of dated exceptions, separated by spaces."""
    category_set: int
    """`code_set(categories)`."""
    language_set: int
    """`code_set(languages)`."""

    @classmethod
    def of(
        cls,
        key: Any,
        service_id: str,
        name_key: str,
        point: tuple[float | None, float | None],
        ages: tuple[int | None, int | None],
        flags: int,
        categories: list[str],
        languages: list[str],
        week: list[int] | None,
        exception_dates: str,
    ) -> Document:
        """A document, with its code sets numbered."""
        return cls(
            key,
            service_id,
            name_key,
            point[0],
            point[1],
            ages[0],
            ages[1],
            flags,
            categories,
            languages,
            week,
            exception_dates,
            code_set(categories),
            code_set(languages),
        )


@dataclass(slots=True)
class Hit:
    """A document that passed the filters so far, with what this search found out about it."""

    doc: Document
    score: float
    distance_km: float | None
    open: list[bool | None]
    """Open at each of the matcher's moments (None: needs the opening hours)."""


@dataclass(frozen=True, slots=True)
class Moment:
    """An instant prepared for quick open checks."""

    at: datetime
    minute_of_week: int
    minute_of_day: int
    day: date
    today: str
    yesterday: str
    clock_changes: bool

    @classmethod
    def of(cls, at: datetime) -> Moment:
        """Prepare `at` (any aware datetime)."""
        local = at.astimezone(LONDON)
        day = local.date()
        minute = local.hour * 60 + local.minute
        return cls(
            at=at,
            minute_of_week=local.weekday() * MINUTES_PER_DAY + minute,
            minute_of_day=minute,
            day=day,
            today=f"{day:%Y%m%d}",
            yesterday=f"{day - timedelta(days=1):%Y%m%d}",
            clock_changes=clock_changes_near(at),
        )


def quick_open(doc: Document, moment: Moment) -> bool | None:
    """Open at `moment` by the weekly minutes, or None when the opening hours must say."""
    week = doc.week
    if week is None or moment.clock_changes:
        return None
    dates = doc.exception_dates
    if dates and (moment.today in dates or moment.yesterday in dates):
        return None
    minute = moment.minute_of_week
    later = minute + MINUTES_PER_WEEK
    for index in range(0, len(week), 2):
        start, end = week[index], week[index + 1]
        if start <= minute < end or start <= later < end:
            return True
    return False


def _minutes(at: Any) -> int:
    return int(at.hour) * 60 + int(at.minute)


def exact_open(hours: OpeningHours, moment: Moment) -> bool:
    """`hours.is_open(moment.at)`, by minutes of the local day unless the clocks change nearby.

    Same rules as `OpeningHours`: an exception replaces every rule on its date, and an
    opening that closes at or before it opens runs past midnight (so yesterday's counts).
    """
    if moment.clock_changes:
        return hours.is_open(moment.at)
    minute = moment.minute_of_day
    for back, day in ((MINUTES_PER_DAY, moment.day - timedelta(days=1)), (0, moment.day)):
        exceptions = [e for e in hours.exceptions if e.on_date == day]
        if exceptions:
            spans = [
                (e.opens_at, e.closes_at)
                for e in exceptions
                if not e.closed and e.opens_at is not None and e.closes_at is not None
            ]
        else:
            spans = [(r.opens_at, r.closes_at) for r in hours.rules if r.applies_on(day)]
        for opens, closes in spans:
            start, end = _minutes(opens), _minutes(closes)
            if end <= start:
                end += MINUTES_PER_DAY
            if start - back <= minute < end - back:
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


class Matcher:
    """Exact filters, facets, order and page for one search, fed one document at a time.

    The index has applied the category, capability and language filters already; they are
    checked again here because it costs little and keeps every backend honest.
    """

    def __init__(self, query: SearchQuery, now: datetime) -> None:
        self.query = query
        self.flags = required_flags(query)
        self.categories = set(query.categories)
        self.language = query.language.lower()
        origin = query.origin
        self.origin = origin
        self.limit = query.max_distance_km if origin is not None else None
        self.lat0 = math.radians(origin.latitude) if origin else 0.0
        self.lon0 = math.radians(origin.longitude) if origin else 0.0
        self.cos0 = math.cos(self.lat0)
        # Moment 0 is now (for the "open now" count); the rest are the ones asked for.
        self.moments = [Moment.of(now)]
        self.required: list[int] = []
        for at in filter_moments(query, now):
            if at == now:
                self.required.append(0)
            else:
                self.required.append(len(self.moments))
                self.moments.append(Moment.of(at))
        self.hits: list[Hit] = []
        self.unsure: list[Any] = []
        """Keys of hits whose opening needs their opening hours (load them for `finish`)."""

        self.offer = self._offer()
        """Call with each (document, score) the index matched."""

    def _offer(self) -> Callable[[Document, float], None]:
        """The per-document check, with everything it reads bound locally (it runs per row)."""
        flags = self.flags
        categories = self.categories
        language = self.language
        age = self.query.age
        origin = self.origin
        limit = self.limit
        lat0, lon0, cos0 = self.lat0, self.lon0, self.cos0
        diameter = 2 * EARTH_RADIUS_KM
        radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
        moments = self.moments
        required = self.required
        hits = self.hits
        unsure = self.unsure

        def offer(doc: Document, score: float) -> None:
            if doc.flags & flags != flags:
                return
            if categories and not categories.issubset(doc.categories):
                return
            if language and language not in doc.languages:
                return
            if age is not None and (
                (doc.minimum_age is not None and age < doc.minimum_age)
                or (doc.maximum_age is not None and age > doc.maximum_age)
            ):
                return
            distance = None
            if origin is not None and doc.latitude is not None:
                lat = radians(doc.latitude)
                dlon = radians(doc.longitude or 0.0) - lon0
                h = sin((lat - lat0) / 2) ** 2 + cos0 * cos(lat) * sin(dlon / 2) ** 2
                distance = diameter * asin(min(1.0, sqrt(h)))
                if limit is not None and distance > limit:
                    return
            elif limit is not None:
                return
            states = [quick_open(doc, moment) for moment in moments]
            for index in required:
                if states[index] is False:
                    return
            if None in states:
                unsure.append(doc.key)
            hits.append(Hit(doc, score, distance, states))

        return offer

    def finish(
        self,
        hours: Mapping[Any, OpeningHours],
        *,
        capped: bool = False,
        near_misses: bool = False,
    ) -> SearchResults:
        """Settle the unsure openings with `hours`, count facets, order, and cut the page."""
        query = self.query
        results: list[Hit] = []
        open_now = 0
        for hit in self.hits:
            states = hit.open
            if None in states:
                known = hours.get(hit.doc.key)
                states = [
                    state
                    if state is not None
                    else (known is not None and exact_open(known, moment))
                    for state, moment in zip(states, self.moments, strict=True)
                ]
                if not all(states[index] for index in self.required):
                    continue
            results.append(hit)
            if states[0]:
                open_now += 1
        facets = _facets(results)
        facets.open_now = open_now
        text_key = name_key(query.text)
        if text_key:
            for hit in results:
                if hit.doc.name_key == text_key:
                    hit.score += EXACT_NAME_BONUS
                elif hit.doc.name_key.startswith(text_key):
                    hit.score += NAME_PREFIX_BONUS
        if query.by_distance:
            results.sort(key=_nearest_first)
        else:
            results.sort(key=lambda hit: (-hit.score, hit.doc.name_key))
        page = results[query.offset : query.offset + query.per_page]
        return SearchResults(
            total=len(results),
            items=[
                SearchHit(
                    service_id=UUID(hit.doc.service_id),
                    score=round(hit.score, 6),
                    distance_km=None if hit.distance_km is None else round(hit.distance_km, 3),
                )
                for hit in page
            ],
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            capped=capped,
            near_misses=near_misses,
        )


def _nearest_first(hit: Hit) -> tuple[bool, float, float, str]:
    distance = hit.distance_km
    return (distance is None, distance or 0.0, -hit.score, hit.doc.name_key)


def _facets(results: list[Hit]) -> FacetCounts:
    flags = Counter(hit.doc.flags for hit in results)
    categories: dict[str, int] = {}
    for number, count in Counter(hit.doc.category_set for hit in results).items():
        for code in _SET_VALUES[number]:
            categories[code] = categories.get(code, 0) + count
    languages: dict[str, int] = {}
    for number, count in Counter(hit.doc.language_set for hit in results).items():
        for code in _SET_VALUES[number]:
            languages[code] = languages.get(code, 0) + count

    def with_bit(bit: int) -> int:
        return sum(count for value, count in flags.items() if value & bit)

    return FacetCounts(
        categories=categories,
        evenings=with_bit(EVENINGS),
        weekends=with_bit(WEEKENDS),
        network=with_bit(NETWORK),
        accepting=with_bit(ACCEPTING),
        free=with_bit(FREE),
        languages=languages,
    )

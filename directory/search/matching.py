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

import contextlib
import gc
import heapq
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any
from uuid import UUID

from directory.hours import OpeningHours
from directory.search.candidates import (
    CATEGORIES,
    CATEGORY_SET,
    EARTH_RADIUS_KM,
    FLAGS,
    KEY,
    LANGUAGE_SET,
    LANGUAGES,
    LATITUDE,
    LONGITUDE,
    MAXIMUM_AGE,
    MINIMUM_AGE,
    NAME_KEY,
    SERVICE_ID,
    Row,
    bounding_box,
    codes_of,
)
from directory.search.documents import ACCEPTING, EVENINGS, FREE, NETWORK, WEEKENDS, name_key
from directory.search.opening import Moment, exact_open, quick_open
from directory.search.schemas import FacetCounts, SearchHit, SearchQuery, SearchResults

EXACT_NAME_BONUS = 1000.0
NAME_PREFIX_BONUS = 100.0


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off while a search makes its thousands of hits.

    They are freed by reference counting as soon as the search ends; collections in the
    middle only promoted them to older generations, and the full collections that followed
    were most of the slowest searches' time. Collection resumes (if it was on) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(slots=True)
class Hit:
    """A document that passed the filters so far, with what this search found out about it."""

    doc: Row
    score: float
    distance_km: float | None
    open_now: bool | None
    """Open now (None: needs the opening hours)."""
    open_then: bool | None
    """Open at the moment asked for, when that is not now (None: needs the opening hours)."""
    order: float
    """Sort key, smaller first: the distance when nearest first, else minus the score."""
    rank: float
    """Minus the score: breaks ties between equal distances."""
    name: str
    """The name key: breaks remaining ties."""


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
    checked again here because it costs little and keeps every backend honest. Facets are
    counted as documents are accepted; only documents whose opening needs their opening
    hours wait for `finish`.
    """

    def __init__(self, query: SearchQuery, now: datetime) -> None:
        self.query = query
        self.now = Moment.of(now)
        self.must_be_open_now = query.open_now or query.open_at == now
        self.then = (
            Moment.of(query.open_at) if query.open_at is not None and query.open_at != now else None
        )
        self.hits: list[Hit] = []
        self.pending: list[Hit] = []
        self.unsure: list[Any] = []
        """Keys of documents whose opening needs their opening hours (load them for `finish`)."""
        self.flag_counts: dict[int, int] = {}
        self.category_counts: dict[int, int] = {}
        self.language_counts: dict[int, int] = {}
        self.open_now_count = 0
        self.offer = self._offer()
        """Call with each (document, score) the index matched."""

    def _count(self, hit: Hit) -> None:
        doc = hit.doc
        self.flag_counts[doc[FLAGS]] = self.flag_counts.get(doc[FLAGS], 0) + 1
        number = doc[CATEGORY_SET]
        self.category_counts[number] = self.category_counts.get(number, 0) + 1
        number = doc[LANGUAGE_SET]
        self.language_counts[number] = self.language_counts.get(number, 0) + 1
        if hit.open_now:
            self.open_now_count += 1

    def _offer(self) -> Callable[[Row, float], None]:
        """The per-document check, with everything it reads bound locally (it runs per row)."""
        query = self.query
        flags = required_flags(query)
        categories = tuple(query.categories)
        language = query.language.lower()
        age = query.age
        origin = query.origin
        limit = query.max_distance_km if origin is not None else None
        box = bounding_box(origin, limit) if origin is not None and limit is not None else None
        min_lat, max_lat, min_lon, max_lon = box or (-90.0, 90.0, -180.0, 180.0)
        lat0 = math.radians(origin.latitude) if origin else 0.0
        lon0 = math.radians(origin.longitude) if origin else 0.0
        cos0 = math.cos(lat0)
        diameter = 2 * EARTH_RADIUS_KM
        radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
        inf = math.inf
        now, then = self.now, self.then
        must_now = self.must_be_open_now
        by_distance = query.by_distance
        text_key = name_key(query.text) if not by_distance else ""
        hits, pending, unsure = self.hits, self.pending, self.unsure
        flag_counts = self.flag_counts
        category_counts = self.category_counts
        language_counts = self.language_counts

        def offer(doc: Row, score: float) -> None:
            doc_flags = doc[FLAGS]
            if doc_flags & flags != flags:
                return
            for code in categories:
                if code not in doc[CATEGORIES]:
                    return
            if language and language not in doc[LANGUAGES]:
                return
            if age is not None:
                minimum, maximum = doc[MINIMUM_AGE], doc[MAXIMUM_AGE]
                if (minimum is not None and age < minimum) or (
                    maximum is not None and age > maximum
                ):
                    return
            distance = None
            latitude = doc[LATITUDE]
            if origin is not None and latitude is not None:
                longitude = doc[LONGITUDE] or 0.0
                if box is not None and not (
                    min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon
                ):
                    return
                lat = radians(latitude)
                dlon = radians(longitude) - lon0
                h = sin((lat - lat0) / 2) ** 2 + cos0 * cos(lat) * sin(dlon / 2) ** 2
                distance = diameter * asin(min(1.0, sqrt(h)))
                if limit is not None and distance > limit:
                    return
            elif limit is not None:
                return
            open_now = quick_open(doc, now)
            if must_now and open_now is False:
                return
            open_then = None
            if then is not None:
                open_then = quick_open(doc, then)
                if open_then is False:
                    return
            name = doc[NAME_KEY]
            if text_key:
                if name == text_key:
                    score += EXACT_NAME_BONUS
                elif name.startswith(text_key):
                    score += NAME_PREFIX_BONUS
            order = (inf if distance is None else distance) if by_distance else -score
            hit = Hit(doc, score, distance, open_now, open_then, order, -score, name)
            if open_now is None or (then is not None and open_then is None):
                unsure.append(doc[KEY])
                pending.append(hit)
                return
            hits.append(hit)
            flag_counts[doc_flags] = flag_counts.get(doc_flags, 0) + 1
            number = doc[CATEGORY_SET]
            category_counts[number] = category_counts.get(number, 0) + 1
            number = doc[LANGUAGE_SET]
            language_counts[number] = language_counts.get(number, 0) + 1
            if open_now:
                self.open_now_count += 1

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
        now, then = self.now, self.then
        for hit in self.pending:
            known = hours.get(hit.doc[KEY])
            if hit.open_now is None:
                hit.open_now = known is not None and exact_open(known, now)
                if self.must_be_open_now and not hit.open_now:
                    continue
            if then is not None and hit.open_then is None:
                hit.open_then = known is not None and exact_open(known, then)
                if not hit.open_then:
                    continue
            self.hits.append(hit)
            self._count(hit)
        results = self.hits
        end = query.offset + query.per_page
        key = _NEAREST if query.by_distance else _BEST
        page = heapq.nsmallest(end, results, key=key)[query.offset :]
        return SearchResults(
            total=len(results),
            items=[
                SearchHit(
                    service_id=UUID(hit.doc[SERVICE_ID]),
                    score=round(hit.score, 6),
                    distance_km=None if hit.distance_km is None else round(hit.distance_km, 3),
                )
                for hit in page
            ],
            facets=self._facets(),
            page=query.page,
            per_page=query.per_page,
            capped=capped,
            near_misses=near_misses,
        )

    def _facets(self) -> FacetCounts:
        categories: dict[str, int] = {}
        for number, count in self.category_counts.items():
            for code in codes_of(number):
                categories[code] = categories.get(code, 0) + count
        languages: dict[str, int] = {}
        for number, count in self.language_counts.items():
            for code in codes_of(number):
                languages[code] = languages.get(code, 0) + count

        def with_bit(bit: int) -> int:
            return sum(count for value, count in self.flag_counts.items() if value & bit)

        return FacetCounts(
            categories=categories,
            open_now=self.open_now_count,
            evenings=with_bit(EVENINGS),
            weekends=with_bit(WEEKENDS),
            network=with_bit(NETWORK),
            accepting=with_bit(ACCEPTING),
            free=with_bit(FREE),
            languages=languages,
        )


# Sort keys built in C: order, then (nearest first) relevance, then the name.
_BEST = attrgetter("order", "name")
_NEAREST = attrgetter("order", "rank", "name")

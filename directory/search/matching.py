"""What every backend does the same way once its index has found the candidates.

Indexes narrow (text, category, capability and hour-slot tokens, a bounding box); this module
decides exactly: distance by haversine, age, and "open" by minutes of the local day (or, when
the clocks change within a day of the moment, by `OpeningHours.is_open`). Then it counts
facets over the results, orders them and cuts the page. It runs once per matching listing,
so it is written for speed: one pass with the cheapest rejections first, no allocation for
rows it drops, one tuple per hit, and the facets counted in C over every hit at the end.

A backend makes a `Matcher`, offers it each indexed `Document` with its relevance score,
loads the opening hours of the keys in `matcher.unsure`, and calls `matcher.finish`.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple
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
    NAME_TERMS,
    SERVICE_ID,
    Row,
    bounding_box,
    codes_of,
)
from directory.search.documents import ACCEPTING, EVENINGS, FREE, NETWORK, WEEKENDS, name_key
from directory.search.opening import Moment, exact_open
from directory.search.schemas import FacetCounts, SearchHit, SearchQuery, SearchResults
from directory.search.understanding import SearchPlan

# Relevance, Meilisearch's order as one number: words matched, then fewer typos, then words
# in the listing's own text (not only through a need's everyday words), then the words near
# each other, then words in the name, the exact name or its start, words found whole (not
# only as a prefix), then for words matched only through needs: in the need, then its words
# in the text; a need's word in the text counts more where the listing is in that need or
# its text uses the need's other words (the word in that sense); then the index's own score
# (bm25 on SQLite, ts_rank on PostgreSQL) as the last tie-break (where the two databases may
# order equal listings differently).
TIER = 1e7
"""Per (words matched x 10 - typos)."""
OWN_TEXT = 1e6
NEAR = 5e5
"""The words near each other in the name or description (Meilisearch's proximity)."""
IN_NAME = 1e5
EXACT_WORD = 3e4
"""Per word found whole, not only as the start of a longer word (Meilisearch's exactness)."""
EXACT_NAME_BONUS = 5e4
NAME_PREFIX_BONUS = 2e4
IN_NEED = 5e3
"""A word matched through a need the listing is in (its organisation chose it) ..."""
RELATED = 2e3
"""... counts more than through the need's other words in its text (a passing mention)."""
SPECIALIST = 1e3
IN_SENSE = 2e3
"""A word of a need in the listing's text, from a listing in that need or whose text uses its
other everyday words ("benefits" beside "universal credit", not "the benefits of exercise")."""
INDEX_SCORE = 999.0
DISTANCE_TIER = 1e6
"""Nearest first still puts listings matching more words (with fewer typos) first."""
NO_DISTANCE = 1e5


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


# A hit is a plain tuple (built in C, and the page is picked by C-built keys): a document that
# passed the filters so far, with what this search found out about it.
Hit = tuple[float, float, str, Row, float, float | None, bool | None, bool | None]
(
    ORDER,  # sort key, smaller first: the distance when nearest first, else minus the score
    RANK,  # minus the score: breaks ties between equal distances
    NAME,  # the name key: breaks remaining ties
    DOC,
    SCORE,
    DISTANCE,  # km from the origin, or None
    OPEN_NOW,  # open now (None: needs the opening hours)
    OPEN_THEN,  # open at the moment asked for when that is not now (None: needs the hours)
) = range(8)


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


class Measuring(NamedTuple):
    """How a search measures distance, in the forms the per-document check reads."""

    limit: float | None
    """The distance limit in km (None: no origin, or no limit)."""
    box: tuple[float, float, float, float] | None
    """(min lat, max lat, min lon, max lon) that can be within the limit, or None."""
    lat0: float
    """The origin's latitude in radians (0 without an origin)."""
    lon0: float
    """The origin's longitude in radians (0 without an origin)."""
    cos0: float
    """The cosine of lat0, once per search rather than once a document."""


def measuring_from(query: SearchQuery) -> Measuring:
    """Where the query measures distances from, and the box its distance limit allows."""
    origin = query.origin
    if origin is None:
        return Measuring(limit=None, box=None, lat0=0.0, lon0=0.0, cos0=1.0)
    limit = query.max_distance_km
    lat0 = math.radians(origin.latitude)
    return Measuring(
        limit=limit,
        box=bounding_box(origin, limit) if limit is not None else None,
        lat0=lat0,
        lon0=math.radians(origin.longitude),
        cos0=math.cos(lat0),
    )


def filter_moments(query: SearchQuery, now: datetime) -> list[datetime]:
    """The instants at which a result must be open."""
    moments = [now] if query.open_now else []
    if query.open_at is not None:
        moments.append(query.open_at)
    return moments


class Matcher:
    """Exact filters, facets, order and page for one search, fed one document at a time.

    The index has applied the category, capability and language filters already; they are
    checked again here because it costs little and keeps every backend honest. Documents
    whose opening needs their opening hours wait for `finish`, which counts the facets over
    every hit at once.
    """

    def __init__(self, query: SearchQuery, now: datetime, plan: SearchPlan | None = None) -> None:
        self.query = query
        self.plan = plan or SearchPlan()
        self.now = Moment.of(now)
        self.must_be_open_now = query.open_now or query.open_at == now
        self.then = (
            Moment.of(query.open_at) if query.open_at is not None and query.open_at != now else None
        )
        self.hits: list[Hit] = []
        self.pending: list[Hit] = []
        self.unsure: list[Any] = []
        """Keys of documents whose opening needs their opening hours (load them for `finish`)."""
        self.offer = self._offer()
        """Call with each (document, index score, words matched by its own text) found.

        The words are a bit mask over `plan.words` (bit i: word i is in the listing's text).
        Without words in the plan, the index score alone orders (Meilisearch's own).
        """

    def _relevance(self) -> Callable[[Row, float, int], tuple[float, int]]:
        """(score, tier) of a document from its index score and own-text words.

        Tables over every mask of matched words are made once, so a document costs a few
        lookups; a document's need categories give their mask once per distinct set.
        """
        words = self.plan.words
        if not words:
            return lambda doc, rank, mask: (rank, 0)
        count = len(words)
        full = (1 << count) - 1
        whole = sum(1 << i for i, word in enumerate(words) if not word.prefix)
        masks = range(1 << count)
        typos = [sum(w.typos for i, w in enumerate(words) if m >> i & 1) for m in masks]
        tier = [m.bit_count() * 10 - typos[m] for m in masks]
        own = [m.bit_count() for m in masks]
        word_categories = [set(word.categories) for word in words]
        by_category_set: dict[int, int] = {}
        needles = [
            (
                tuple(f" {term} " for term in word.terms),
                f" {word.prefix}" if word.prefix else "",
            )
            for word in words
        ]
        ranked = not self.query.by_distance

        def category_mask(doc: Row) -> int:
            mask = by_category_set.get(doc[CATEGORY_SET])
            if mask is None:
                codes = set(doc[CATEGORIES])
                mask = sum(1 << i for i, wanted in enumerate(word_categories) if wanted & codes)
                by_category_set[doc[CATEGORY_SET]] = mask
            return mask

        top = tier[full]

        def relevance(doc: Row, rank: float, mask: int) -> tuple[float, int]:
            if not ranked and mask & full == full:
                return 0.0, top  # every word in its text: only the distance orders it
            text = mask & full
            needs = category_mask(doc)
            related = (mask >> count) & full
            matched = text | needs | related
            level = tier[matched]
            if not ranked:
                return 0.0, level
            score = level * TIER + own[text] * OWN_TEXT
            score += own[((mask >> (2 * count)) | whole) & text] * EXACT_WORD
            if mask >> (3 * count):
                score += NEAR
            name = doc[NAME_TERMS]
            for exact, prefix in needles:
                if (prefix and prefix in name) or any(needle in name for needle in exact):
                    score += IN_NAME
            if needs & ~text:  # in a need a word names: specialist services (fewer needs) first
                score += IN_NEED + SPECIALIST / max(len(doc[CATEGORIES]), 1)
            if related & ~text:  # its text uses the named needs' other everyday words
                score += RELATED
            if (needs | related) & text:  # the word in its text, in that need's sense
                score += IN_SENSE
            if rank > 0:
                score += INDEX_SCORE * rank / (rank + 10.0)
            return score, level

        return relevance

    def _offer(self) -> Callable[[Row, float, int], None]:
        """The per-document check, with everything it reads bound locally (it runs per row).

        The filters are all "and" and have no side effects, so the cheapest rejections come
        first: the distance box throws out most candidates of a search near a point.
        """
        query = self.query
        flags = required_flags(query)
        categories, language, age = tuple(query.categories), query.language.lower(), query.age
        origin = query.origin
        limit, box, lat0, lon0, cos0 = measuring_from(query)
        min_lat, max_lat, min_lon, max_lon = box or (-90.0, 90.0, -180.0, 180.0)
        diameter = 2 * EARTH_RADIUS_KM
        radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
        now, then = self.now, self.then
        open_now_of = now.quick_open
        open_then_of = then.quick_open if then is not None else None
        must_now = self.must_be_open_now
        by_distance = query.by_distance
        text_key = name_key(query.text) if not by_distance else ""
        hits, pending, unsure = self.hits, self.pending, self.unsure
        relevance = self._relevance()

        def offer(doc: Row, rank: float, text: int = 0) -> None:
            if box is not None:  # a distance limit: no place, or outside the box, is out
                latitude = doc[LATITUDE]
                if latitude is None:
                    return
                longitude = doc[LONGITUDE] or 0.0
                if not (min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon):
                    return
            if doc[FLAGS] & flags != flags:
                return
            for code in categories:
                if code not in doc[CATEGORIES]:
                    return
            if language and language not in doc[LANGUAGES]:
                return
            if age is not None:
                low, high = doc[MINIMUM_AGE], doc[MAXIMUM_AGE]
                if (low is not None and age < low) or (high is not None and age > high):
                    return
            distance = None
            if origin is not None:
                latitude = doc[LATITUDE]
                if latitude is not None:
                    lat = radians(latitude)
                    dlon = radians(doc[LONGITUDE] or 0.0) - lon0
                    h = sin((lat - lat0) / 2) ** 2 + cos0 * cos(lat) * sin(dlon / 2) ** 2
                    distance = diameter * asin(min(1.0, sqrt(h)))
                    if limit is not None and distance > limit:
                        return
            open_now = open_now_of(doc)
            if must_now and open_now is False:
                return
            open_then = None
            if open_then_of is not None:
                open_then = open_then_of(doc)
                if open_then is False:
                    return
            score, level = relevance(doc, rank, text)
            name = doc[NAME_KEY]
            if text_key:
                if name == text_key:
                    score += EXACT_NAME_BONUS
                elif name.startswith(text_key):
                    score += NAME_PREFIX_BONUS
            if by_distance:
                order = (NO_DISTANCE if distance is None else distance) - level * DISTANCE_TIER
            else:
                order = -score
            hit = (order, -score, name, doc, score, distance, open_now, open_then)
            if open_now is None or (then is not None and open_then is None):
                unsure.append(doc[KEY])
                pending.append(hit)
                return
            hits.append(hit)

        return offer

    def finish(
        self,
        hours: Mapping[Any, OpeningHours],
        *,
        capped: bool = False,
    ) -> SearchResults:
        """Settle the unsure openings with `hours`, count facets, order, and cut the page."""
        query = self.query
        now, then = self.now, self.then
        results = self.hits
        for order, rank, name, doc, score, distance, open_now, open_then in self.pending:
            known = hours.get(doc[KEY])
            if open_now is None:
                open_now = known is not None and exact_open(known, now)
                if self.must_be_open_now and not open_now:
                    continue
            if then is not None and open_then is None:
                open_then = known is not None and exact_open(known, then)
                if not open_then:
                    continue
            results.append((order, rank, name, doc, score, distance, open_now, open_then))
        end = query.offset + query.per_page
        key = _NEAREST if query.by_distance else _BEST
        page = heapq.nsmallest(end, results, key=key)[query.offset :]
        return SearchResults(
            total=len(results),
            items=[
                SearchHit(
                    service_id=UUID(doc[SERVICE_ID]),
                    score=round(score, 6),
                    distance_km=None if distance is None else round(distance, 3),
                )
                for _, _, _, doc, score, distance, _, _ in page
            ],
            facets=_facets(results),
            page=query.page,
            per_page=query.per_page,
            capped=capped,
        )


def _facets(hits: list[Hit]) -> FacetCounts:
    """How many hits have each category, language, flag, and are open now."""
    docs = list(map(_doc, hits))
    categories: dict[str, int] = {}
    for number, count in Counter(map(_category_set, docs)).items():
        for code in codes_of(number):
            categories[code] = categories.get(code, 0) + count
    languages: dict[str, int] = {}
    for number, count in Counter(map(_language_set, docs)).items():
        for code in codes_of(number):
            languages[code] = languages.get(code, 0) + count
    flag_counts = Counter(map(_flags, docs))

    def with_bit(bit: int) -> int:
        return sum(count for value, count in flag_counts.items() if value & bit)

    return FacetCounts(
        categories=categories,
        open_now=sum(1 for hit in hits if hit[OPEN_NOW]),
        evenings=with_bit(EVENINGS),
        weekends=with_bit(WEEKENDS),
        network=with_bit(NETWORK),
        accepting=with_bit(ACCEPTING),
        free=with_bit(FREE),
        languages=languages,
    )


_doc = itemgetter(DOC)
_flags = itemgetter(FLAGS)
_category_set = itemgetter(CATEGORY_SET)
_language_set = itemgetter(LANGUAGE_SET)
# Sort keys built in C: order, then (nearest first) relevance, then the name.
_BEST = itemgetter(ORDER, NAME)
_NEAREST = itemgetter(ORDER, RANK, NAME)

"""Meilisearch backend (meilisearch-python-sdk, async): typo tolerance and scale.

Kept in step through the outbox (`directory.search_sync` jobs), with its index settings
applied at start. Meilisearch does the text, the filters and the geo radius and sort; the
exact "open now" check and the facet counts then run on its hits exactly as for the database
backends, over at most CANDIDATE_LIMIT hits (beyond that the total is an estimate, `capped`).
The request builders are plain functions so they can be checked without a server.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.index import AsyncIndex
from meilisearch_python_sdk.models.settings import (
    MeilisearchSettings,
    MinWordSizeForTypos,
    Pagination,
    TypoTolerance,
)

from directory.read import load_services
from directory.schemas import ServiceRecord
from directory.search.backend import Progress
from directory.search.candidates import Document
from directory.search.collapsed import collapsed_into
from directory.search.documents import (
    ACCEPTING,
    COLLAPSED,
    EVENINGS,
    FREE,
    NETWORK,
    WEEKENDS,
    IndexDocument,
    build_document,
    decode_hours,
    is_searchable,
    open_tokens,
)
from directory.search.language import STOP_WORDS, split_time_words, words
from directory.search.matching import Matcher, filter_moments
from directory.search.own_text import described, with_plan
from directory.search.schemas import SearchQuery, SearchResults
from directory.search.synonyms import load_synonyms
from directory.search.understanding import SearchPlan
from directory.tables import Service
from hub import clock

INDEX_UID = "directory_services"
CANDIDATE_LIMIT = 1000
BATCH = 1000
TASK_TIMEOUT_MS = 60_000
_FLAG_FIELDS = {
    NETWORK: "network",
    ACCEPTING: "accepting",
    FREE: "free",
    EVENINGS: "evenings",
    WEEKENDS: "weekends",
}
COLLAPSED_FIELD = "collapsed"
"""True on a possible duplicate waiting for an admin (see directory.search.collapsed)."""
RETRIEVE = [
    "id",
    "name_key",
    "_geo",
    "minimum_age",
    "maximum_age",
    "flags",
    "categories",
    "languages",
    "week",
    "exception_dates",
    "hours",
]
_SAFE = re.compile(r"[^a-z0-9_-]")


def index_settings(synonyms: dict[str, list[str]] | None = None) -> MeilisearchSettings:
    """Searchable (most important first), filterable incl. `_geo`, sortable, typo tolerance.

    Typos, stop words and the needs' everyday words as the database backends have them: one
    typo from 5 letters, two from 9; `synonyms` is `Synonyms.export()`.
    """
    return MeilisearchSettings(
        searchable_attributes=["name", "description", "other"],
        filterable_attributes=[
            "categories",
            "languages",
            *_FLAG_FIELDS.values(),
            "open_tokens",
            "minimum_age",
            "maximum_age",
            "_geo",
            COLLAPSED_FIELD,
        ],
        sortable_attributes=["_geo", "name_key"],
        typo_tolerance=TypoTolerance(
            enabled=True,
            min_word_size_for_typos=MinWordSizeForTypos(one_typo=5, two_typos=9),
            disable_on_attributes=["other"],
        ),
        pagination=Pagination(max_total_hits=CANDIDATE_LIMIT),
        stop_words=sorted(STOP_WORDS),
        synonyms=synonyms or {},
    )


def valid_point(latitude: float | None, longitude: float | None) -> bool:
    """True for a point Meilisearch accepts (a malformed `_geo` fails the whole batch)."""
    return (
        isinstance(latitude, float | int)
        and isinstance(longitude, float | int)
        and -90.0 <= latitude <= 90.0
        and -180.0 <= longitude <= 180.0
    )


def meili_document(doc: IndexDocument) -> dict[str, Any]:
    """One Meilisearch document; `_geo` only when the listing has a valid point."""
    document: dict[str, Any] = {
        "id": doc.service_id,
        "name": doc.name,
        "name_key": doc.name_key,
        "description": doc.description,
        "other": doc.other,
        "categories": doc.categories,
        "languages": doc.languages,
        **{field: bool(doc.flags & bit) for bit, field in _FLAG_FIELDS.items()},
        COLLAPSED_FIELD: bool(doc.flags & COLLAPSED),
        "open_tokens": [t for t in doc.tokens if t.startswith(("h_", "x_"))],
        "minimum_age": doc.minimum_age,
        "maximum_age": doc.maximum_age,
        "flags": doc.flags,
        "week": doc.week,
        "exception_dates": " ".join(doc.exception_dates),
        "hours": doc.hours,
    }
    if valid_point(doc.latitude, doc.longitude):
        document["_geo"] = {"lat": doc.latitude, "lng": doc.longitude}
    return document


def _quoted(value: str) -> str:
    return '"' + _SAFE.sub("", value.lower()) + '"'


def search_filter(query: SearchQuery, now: datetime) -> list[str]:
    """Meilisearch filter expressions, all of which must hold."""
    # NOT ... = true also passes documents written before the field existed.
    filters = [f"NOT {COLLAPSED_FIELD} = true"]
    filters += [f"categories = {_quoted(code)}" for code in query.categories]
    flags = {
        NETWORK: query.accepts_network_referrals,
        ACCEPTING: query.accepting_now,
        FREE: query.free,
        EVENINGS: query.evenings,
        WEEKENDS: query.weekends,
    }
    filters += [f"{_FLAG_FIELDS[bit]} = true" for bit, wanted in flags.items() if wanted]
    if query.language:
        filters.append(f"languages = {_quoted(query.language)}")
    for moment in filter_moments(query, now):
        tokens = open_tokens(moment)
        if tokens:
            filters.append(f"open_tokens IN [{', '.join(tokens)}]")
    if query.origin is not None and query.max_distance_km is not None:
        origin = query.origin
        metres = round(query.max_distance_km * 1000)
        filters.append(f"_geoRadius({origin.latitude}, {origin.longitude}, {metres})")
    if query.age is not None:
        age = int(query.age)
        filters.append(f"(minimum_age IS NULL OR minimum_age <= {age})")
        filters.append(f"(maximum_age IS NULL OR maximum_age >= {age})")
    return filters


def search_params(query: SearchQuery, now: datetime) -> dict[str, Any]:
    """Keyword arguments for `AsyncIndex.search`."""
    params: dict[str, Any] = {
        "query": query.text.strip() or None,
        "filter": search_filter(query, now) or None,
        "limit": CANDIDATE_LIMIT,
        "attributes_to_retrieve": RETRIEVE,
        "show_ranking_score": True,
    }
    if query.by_distance and query.origin is not None:
        params["sort"] = [f"_geoPoint({query.origin.latitude}, {query.origin.longitude}):asc"]
    return params


def document_from_hit(hit: dict[str, Any]) -> Document:
    """A hit as a document for the exact checks."""
    geo = hit.get("_geo") or {}
    week = hit.get("week")
    return Document.of(
        key=hit["id"],
        service_id=hit["id"],
        name_key=hit.get("name_key", ""),
        point=(geo.get("lat"), geo.get("lng")),
        ages=(hit.get("minimum_age"), hit.get("maximum_age")),
        flags=int(hit.get("flags", 0)),
        categories=list(hit.get("categories", [])),
        languages=list(hit.get("languages", [])),
        week=[int(minute) for minute in week] if week is not None else None,
        exception_dates=hit.get("exception_dates", ""),
    )


class MeilisearchBackend:
    """Search through a Meilisearch server."""

    name = "meilisearch"

    def __init__(self, url: str, api_key: str = "") -> None:
        self.url = url
        self.api_key = api_key
        self._client: AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def client(self) -> AsyncClient:
        """The async client for this event loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = AsyncClient(self.url, self.api_key or None, timeout=10)
            self._loop = loop
        return self._client

    def index_handle(self) -> AsyncIndex:
        """The services index."""
        return self.client().index(INDEX_UID)

    async def _wait(self, task_uid: int) -> None:
        await self.client().wait_for_task(
            task_uid, timeout_in_ms=TASK_TIMEOUT_MS, raise_for_status=True
        )

    async def setup(self) -> None:
        """Create the index if needed and apply its settings, waiting until they hold."""
        await self.client().get_or_create_index(INDEX_UID, primary_key="id")
        synonyms = (await load_synonyms()).export()
        task = await self.index_handle().update_settings(index_settings(synonyms))
        await self._wait(task.task_uid)

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of results."""
        now = clock.now()
        kept, open_now = split_time_words(words(query.text))
        plan = SearchPlan(open_now=open_now)
        query = msgspec.structs.replace(with_plan(query, plan), text=" ".join(kept))
        found = await self.index_handle().search(**search_params(query, now))
        hits: list[dict[str, Any]] = list(found.hits)
        matcher = Matcher(query, now)
        for hit in hits:
            matcher.offer(document_from_hit(hit), float(hit.get("_rankingScore", 0.0)), 0)
        hours_text = {hit["id"]: hit.get("hours", "") for hit in hits}
        hours = {
            key: decode_hours(hours_text[key]) for key in matcher.unsure if hours_text.get(key)
        }
        estimated = found.estimated_total_hits or len(hits)
        return described(matcher.finish(hours, capped=estimated > len(hits)), plan)

    async def index(self, service_ids: Sequence[UUID]) -> None:
        """Bring these services into step (waits for Meilisearch to apply it)."""
        records = await load_services(service_ids)
        await self.index_records(records)
        kept = {str(record.id) for record in records if is_searchable(record)}
        gone = [str(service_id) for service_id in service_ids if str(service_id) not in kept]
        if gone:
            await self.remove([UUID(service_id) for service_id in gone])

    async def index_records(self, records: Sequence[ServiceRecord]) -> None:
        """Send whole listings already in hand, in batches."""
        hidden = await collapsed_into([record.id for record in records])
        documents = [
            meili_document(build_document(record, collapsed=record.id in hidden))
            for record in records
            if is_searchable(record)
        ]
        for start in range(0, len(documents), BATCH):
            task = await self.index_handle().add_documents(
                documents[start : start + BATCH], primary_key="id"
            )
            await self._wait(task.task_uid)

    async def remove(self, service_ids: Sequence[UUID]) -> None:
        """Delete these services' documents."""
        if service_ids:
            task = await self.index_handle().delete_documents([str(i) for i in service_ids])
            await self._wait(task.task_uid)

    async def optimise(self) -> None:
        """Nothing to do: Meilisearch tidies its own index."""

    async def rebuild(self, progress: Progress | None = None) -> int:
        """Apply settings, empty the index and send every active service again."""
        await self.setup()
        task = await self.index_handle().delete_all_documents()
        await self._wait(task.task_uid)
        rows = await Service.select(Service.id).where(Service.status == "active")
        ids = [row["id"] for row in rows]
        if progress:
            progress(0, len(ids))
        for start in range(0, len(ids), BATCH):
            await self.index_records(await load_services(ids[start : start + BATCH]))
            if progress:
                progress(min(start + BATCH, len(ids)), len(ids))
        return len(ids)

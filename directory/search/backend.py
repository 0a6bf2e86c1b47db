"""The one search interface, and which backend the settings choose.

MEILISEARCH_URL set: Meilisearch (typo tolerance, scale), kept in step through the outbox.
Otherwise the database's own full-text index (SQLite FTS5 or PostgreSQL tsvector + pg_trgm),
kept in step inside the transaction of each listing change. The database index is kept in
step either way, so switching back needs no reindex.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol
from uuid import UUID

from directory.schemas import ServiceRecord
from directory.search.schemas import SearchQuery, SearchResults
from hub.db import is_sqlite
from hub.settings import get_settings

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Told (done, total) as a rebuild goes."""


class SearchBackend(Protocol):
    """What every search backend does."""

    name: str

    async def setup(self) -> None:
        """Prepare the index (settings, connections); safe to call more than once."""
        ...

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of results with the total and facet counts."""
        ...

    async def index(self, service_ids: Sequence[UUID]) -> None:
        """Bring these services' documents into step (removing any no longer searchable)."""
        ...

    async def index_records(self, records: Sequence[ServiceRecord]) -> None:
        """Index whole listings already in hand (bulk loads), replacing their documents."""
        ...

    async def remove(self, service_ids: Sequence[UUID]) -> None:
        """Take these services out of the index."""
        ...

    async def rebuild(self, progress: Progress | None = None) -> int:
        """Re-index every searchable service from scratch; returns how many were indexed."""
        ...

    async def optimise(self) -> None:
        """Tidy up after a bulk load."""
        ...


_backends: dict[str, SearchBackend] = {}


def database_backend() -> SearchBackend:
    """The database's own full-text index for the configured engine."""
    key = "sqlite" if is_sqlite() else "postgres"
    if key not in _backends:
        if key == "sqlite":
            from directory.search.sqlite import SQLiteBackend

            _backends[key] = SQLiteBackend()
        else:
            from directory.search.postgres import PostgresBackend

            _backends[key] = PostgresBackend()
    return _backends[key]


def meilisearch_backend() -> SearchBackend | None:
    """The Meilisearch backend when MEILISEARCH_URL is set, else None."""
    settings = get_settings()
    if not settings.meilisearch_url:
        return None
    key = "meilisearch:" + settings.meilisearch_url
    if key not in _backends:
        from directory.search.meili import MeilisearchBackend

        _backends[key] = MeilisearchBackend(settings.meilisearch_url, settings.meilisearch_api_key)
    return _backends[key]


def get_backend() -> SearchBackend:
    """The backend searches go to, as the settings choose."""
    return meilisearch_backend() or database_backend()


async def ensure_index(progress: Progress | None = None) -> int:
    """Rebuild the database index when it is empty but listings are not; returns how many.

    An upgrade that changes how text is indexed empties the index in its migration; this
    fills it again at the next start (or `wraparound demo`) without anyone being told to.
    """
    from directory.tables import Service
    from hub.db import raw

    if await raw("SELECT 1 FROM directory_search_doc LIMIT 1"):
        return 0
    if not await Service.exists().where(Service.status == "active"):
        return 0
    log.info("search index is empty: rebuilding it")
    return await database_backend().rebuild(progress)


async def prepare_search() -> None:
    """At app start: fill an emptied index; apply Meilisearch's settings (if it is down, log)."""
    await ensure_index()
    backend = meilisearch_backend()
    if backend is None:
        return
    try:
        await backend.setup()
    except Exception:  # searching says so later; starting must not fail
        log.exception("Meilisearch settings could not be applied at start")

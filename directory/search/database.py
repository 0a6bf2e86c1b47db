"""What the two database indexes share: writing documents inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from directory.read import load_services
from directory.schemas import ServiceRecord
from directory.search.backend import Progress
from directory.search.collapsed import collapsed_into
from directory.search.documents import IndexDocument, build_document, is_searchable
from directory.search.language import index_text, words
from directory.search.vocabulary import add_words, clear_words, count_words
from directory.tables import Service
from hub.db import get_engine, transaction

REBUILD_BATCH = 500


def transaction_connection() -> Any:
    """The driver connection of the transaction in progress (aiosqlite or asyncpg)."""
    current = get_engine().current_transaction.get()
    if current is None:
        msg = "search index writes must run inside a transaction"
        raise RuntimeError(msg)
    return current.connection


def written_words(doc: IndexDocument) -> list[str]:
    """The words of a listing's searchable text, as written (folded)."""
    # Part by part, as `analysed` has just read them (language caches each text's words).
    return [*words(doc.name), *words(doc.description), *words(doc.other)]


def analysed(doc: IndexDocument) -> tuple[str, str, str]:
    """The name, description and other text as the full-text columns store them."""
    return index_text(doc.name), index_text(doc.description), index_text(doc.other)


class DatabaseBackend:
    """Base of the SQLite and PostgreSQL backends: documents live in the listings' database."""

    name = "database"

    async def setup(self) -> None:
        """Nothing to prepare: the tables come from migrations."""

    async def index(self, service_ids: Sequence[UUID]) -> None:
        """Re-index these services now, in the caller's transaction if there is one."""
        async with transaction():
            records = await load_services(service_ids)
            await self._replace([str(service_id) for service_id in service_ids], records)

    async def index_records(self, records: Sequence[ServiceRecord]) -> None:
        """Index whole listings already in hand (bulk loads, rebuilds)."""
        async with transaction():
            await self._replace([str(record.id) for record in records], records)

    async def remove(self, service_ids: Sequence[UUID]) -> None:
        """Take these services out of the index."""
        async with transaction():
            await self._delete([str(service_id) for service_id in service_ids])

    async def rebuild(self, progress: Progress | None = None) -> int:
        """Re-index every active service batch by batch; the index answers throughout."""
        rows = await Service.select(Service.id).where(Service.status == "active")
        ids = [row["id"] for row in rows]
        async with transaction():
            await clear_words(transaction_connection())
        done = 0
        if progress:
            progress(0, len(ids))
        for start in range(0, len(ids), REBUILD_BATCH):
            batch = ids[start : start + REBUILD_BATCH]
            await self.index_records(await load_services(batch))
            done += len(batch)
            if progress:
                progress(done, len(ids))
        async with transaction():
            await self._delete_stale()
        await self.optimise()
        return len(ids)

    async def optimise(self) -> None:
        """Tidy the index after a bulk load (merge segments, refresh planner statistics)."""

    async def _replace(self, service_ids: list[str], records: Sequence[ServiceRecord]) -> None:
        # A possible duplicate waiting for an admin is shown within the listing it duplicates.
        hidden = await collapsed_into([record.id for record in records])
        documents = [
            build_document(record)
            for record in records
            if is_searchable(record) and record.id not in hidden
        ]
        await self._delete(service_ids)
        if documents:
            await self._insert(documents)
            await add_words(transaction_connection(), count_words(map(written_words, documents)))

    async def _delete(self, service_ids: list[str]) -> None:
        raise NotImplementedError

    async def _insert(self, documents: list[IndexDocument]) -> None:
        raise NotImplementedError

    async def _delete_stale(self) -> None:
        """Remove documents of services that are gone or no longer active."""
        raise NotImplementedError

"""What the two database indexes share: writing documents inside the caller's transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from directory.read import load_services
from directory.schemas import ServiceRecord
from directory.search.backend import Progress, database_backend
from directory.search.collapsed import collapsed_into
from directory.search.documents import IndexDocument, build_document, is_searchable
from directory.search.language import index_text, words
from directory.search.vocabulary import add_words, clear_words
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


def own_index() -> DatabaseBackend:
    """The database's own index, with the bulk-writing parts the search protocol leaves out."""
    backend = database_backend()
    assert isinstance(backend, DatabaseBackend)
    return backend


@dataclass
class IndexRows:
    """Documents made ready to write: their rows, and how many listings hold each word."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    words: Counter[str] = field(default_factory=Counter)


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

    def prepare(
        self, records: Sequence[ServiceRecord], hidden: Collection[UUID], into: IndexRows
    ) -> IndexRows:
        """Add these listings' rows to `into` (no database work: it can run beside writes).

        Listings not searchable, or `hidden` as possible duplicates, get no row.
        """
        for record in records:
            if is_searchable(record) and record.id not in hidden:
                document = build_document(record)
                into.rows.append(self.document_row(document))
                into.words.update(set(written_words(document)))
        return into

    async def write(self, service_ids: list[str], prepared: IndexRows) -> None:
        """Replace these services' documents with the prepared rows, in the transaction."""
        await self._delete(service_ids)
        if prepared.rows:
            await self._insert_rows(prepared.rows)
            await add_words(transaction_connection(), sorted(prepared.words.items()))

    async def _replace(self, service_ids: list[str], records: Sequence[ServiceRecord]) -> None:
        # A possible duplicate waiting for an admin is shown within the listing it duplicates.
        hidden = await collapsed_into([record.id for record in records])
        await self.write(service_ids, self.prepare(records, hidden, IndexRows()))

    def document_row(self, doc: IndexDocument) -> tuple[Any, ...]:
        """The row the backend's table stores for a document."""
        raise NotImplementedError

    async def _delete(self, service_ids: list[str]) -> None:
        raise NotImplementedError

    async def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    async def _delete_stale(self) -> None:
        """Remove documents of services that are gone or no longer active."""
        raise NotImplementedError

"""SQLite FTS5 backend: bm25 with column weights, prefix matching, filters as index tokens.

Documents live in `directory_search_doc` (one row per active service, with the timing and
facet data) and are indexed by the external-content FTS5 table `directory_search_fts`, which
triggers keep in step with it; a service's row goes when the service row does (foreign key).
Writes use the caller's transaction. A search runs in one worker thread on one of the
engine's long-lived read-only connections (hub.db), so it reads only what is committed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

from directory.hours import OpeningHours
from directory.search.database import DatabaseBackend, transaction_connection
from directory.search.documents import (
    FLAG_TOKENS,
    IndexDocument,
    category_token,
    decode_hours,
    decode_week,
    language_token,
    open_tokens,
    query_terms,
)
from directory.search.matching import (
    Candidate,
    bounding_box,
    complete,
    filter_moments,
    narrow,
    needing_hours,
    required_flags,
)
from directory.search.schemas import SearchQuery, SearchResults
from hub import clock
from hub.db import HubSQLiteEngine, ReadConnections, get_engine, transaction

# bm25 column weights: name, description, other text, filter tokens.
WEIGHTS = (10.0, 4.0, 2.0, 0.0)
TEXT_COLUMNS = "{name description other}"
_COLUMNS = (
    "d.id, d.service_id, d.name_key, d.latitude, d.longitude, d.minimum_age, d.maximum_age, "
    "d.flags, d.categories, d.languages, d.week, d.exception_dates"
)
_INSERT = (
    "INSERT INTO directory_search_doc (service_id, name, name_key, description, other, tokens, "
    "categories, languages, flags, week, exception_dates, hours, latitude, longitude, "
    "minimum_age, maximum_age) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHUNK = 900  # stays under SQLite's bound-parameter limit


def match_expression(query: SearchQuery, now: Any) -> str | None:
    """The FTS5 MATCH expression for the text and every filter the index can apply."""
    parts: list[str] = []
    terms = query_terms(query.text)
    if terms:
        # A one-letter prefix would merge half the vocabulary; match it whole instead.
        phrases = [f'"{term}"*' if len(term) > 1 else f'"{term}"' for term in terms]
        parts.append(f"{TEXT_COLUMNS} : ({' AND '.join(phrases)})")
    tokens = [category_token(code) for code in query.categories]
    flags = required_flags(query)
    tokens += [token for bit, token in FLAG_TOKENS.items() if flags & bit]
    if query.language:
        tokens.append(language_token(query.language))
    parts += [f"tokens : {token}" for token in tokens]
    for moment in filter_moments(query, now):
        any_of = open_tokens(moment)
        if any_of:
            parts.append(f"tokens : ({' OR '.join(any_of)})")
    if not parts:
        return None
    return " AND ".join(f"({part})" for part in parts)


class SQLiteBackend(DatabaseBackend):
    """Search in the embedded SQLite database."""

    name = "sqlite"

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of results (reads what is committed)."""
        now = clock.now()
        engine = get_engine()
        assert isinstance(engine, HubSQLiteEngine)
        return await asyncio.to_thread(self._search_in_thread, engine.readers, query, now)

    def _search_in_thread(
        self, readers: ReadConnections, query: SearchQuery, now: Any
    ) -> SearchResults:
        with readers.lend() as connection:
            cursor = connection.cursor()
            cursor.row_factory = None  # plain tuples: the candidate loop is the hot path
            try:
                candidates = narrow(query, self._candidates(cursor, query, now))
                moments = [now, *filter_moments(query, now)]
                hours = self._hours(cursor, needing_hours(candidates, moments))
            finally:
                cursor.close()
        return complete(query, candidates, now, hours)

    def _candidates(self, cursor: sqlite3.Cursor, query: SearchQuery, now: Any) -> list[Candidate]:
        expression = match_expression(query, now)
        conditions: list[str] = []
        args: list[Any] = []
        if query.origin is not None and query.max_distance_km is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(query.origin, query.max_distance_km)
            conditions.append("d.latitude BETWEEN ? AND ? AND d.longitude BETWEEN ? AND ?")
            args += [min_lat, max_lat, min_lon, max_lon]
        if query.age is not None:
            conditions.append(
                "(d.minimum_age IS NULL OR d.minimum_age <= ?) "
                "AND (d.maximum_age IS NULL OR d.maximum_age >= ?)"
            )
            args += [query.age, query.age]
        if expression is None:
            sql = f"SELECT {_COLUMNS}, 0.0 FROM directory_search_doc d"
        else:
            rank = "bm25(directory_search_fts, {}, {}, {}, {})".format(*WEIGHTS)
            if not query_terms(query.text):
                rank = "0.0"
            sql = (
                f"SELECT {_COLUMNS}, {rank} FROM directory_search_fts "
                "JOIN directory_search_doc d ON d.id = directory_search_fts.rowid"
            )
            conditions.insert(0, "directory_search_fts MATCH ?")
            args.insert(0, expression)
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        rows = cursor.execute(sql, args).fetchall()
        return [
            Candidate(
                key=row[0],
                service_id=row[1],
                name_key=row[2],
                score=-row[12],
                latitude=row[3],
                longitude=row[4],
                minimum_age=row[5],
                maximum_age=row[6],
                flags=row[7],
                categories=row[8],
                languages=row[9],
                week=decode_week(row[10]),
                exception_dates=row[11],
            )
            for row in rows
        ]

    def _hours(self, cursor: sqlite3.Cursor, keys: list[Any]) -> dict[Any, OpeningHours]:
        found: dict[Any, OpeningHours] = {}
        for chunk in chunks(keys):
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT id, hours FROM directory_search_doc WHERE id IN ({marks})"
            for key, text in cursor.execute(sql, list(chunk)).fetchall():
                found[key] = decode_hours(text)
        return found

    async def optimise(self) -> None:
        """Merge the FTS5 index into one segment: bulk loads leave many, and each costs a seek."""
        async with transaction():
            await transaction_connection().execute(
                "INSERT INTO directory_search_fts (directory_search_fts) VALUES ('optimize')"
            )

    async def _delete(self, service_ids: list[str]) -> None:
        if service_ids:
            await transaction_connection().executemany(
                "DELETE FROM directory_search_doc WHERE service_id = ?",
                [(service_id,) for service_id in service_ids],
            )

    async def _insert(self, documents: list[IndexDocument]) -> None:
        await transaction_connection().executemany(_INSERT, [_row(doc) for doc in documents])

    async def _delete_stale(self) -> None:
        await transaction_connection().execute(
            "DELETE FROM directory_search_doc WHERE service_id NOT IN "
            "(SELECT id FROM service WHERE status = 'active')"
        )


def _row(doc: IndexDocument) -> tuple[Any, ...]:
    return (
        doc.service_id,
        doc.name,
        doc.name_key,
        doc.description,
        doc.other,
        " ".join(doc.tokens),
        " ".join(doc.categories),
        " ".join(doc.languages),
        doc.flags,
        doc.week_json,
        " ".join(doc.exception_dates),
        doc.hours,
        doc.latitude,
        doc.longitude,
        doc.minimum_age,
        doc.maximum_age,
    )


def chunks(values: Sequence[Any], size: int = _CHUNK) -> list[Sequence[Any]]:
    """`values` in slices of at most `size`."""
    return [values[start : start + size] for start in range(0, len(values), size)]

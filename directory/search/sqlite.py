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
from directory.search.candidates import Document, Row, bounding_box
from directory.search.database import DatabaseBackend, analysed, transaction_connection
from directory.search.documents import (
    FLAG_TOKENS,
    IndexDocument,
    category_token,
    decode_hours,
    decode_week,
    language_token,
    open_tokens,
)
from directory.search.matching import (
    Matcher,
    collector_paused,
    filter_moments,
    required_flags,
)
from directory.search.own_text import (
    NEAR_TOKENS,
    OwnText,
    described,
    near_pairs,
    wants_any_word,
    with_plan,
    words_to_match,
)
from directory.search.schemas import SearchQuery, SearchResults
from directory.search.understanding import QueryWord, SearchPlan, understand
from hub import clock
from hub.db import (
    HubSQLiteEngine,
    ReadConnections,
    get_engine,
    sqlite_json_insert,
    sqlite_json_rows,
    transaction,
)

# bm25 column weights: name, description, other text, filter tokens.
WEIGHTS = (10.0, 4.0, 2.0, 0.0)
TEXT_COLUMNS = "{name description other}"
_COLUMNS = (
    "id, service_id, name_key, latitude, longitude, minimum_age, maximum_age, "
    "flags, categories, languages, week, exception_dates"
)
CACHE_LIMIT = 250_000
_INSERT = sqlite_json_insert(
    "directory_search_doc",
    (
        "service_id",
        "name",
        "name_key",
        "description",
        "other",
        "tokens",
        "categories",
        "languages",
        "flags",
        "week",
        "exception_dates",
        "hours",
        "latitude",
        "longitude",
        "minimum_age",
        "maximum_age",
    ),
)
_CHUNK = 900  # stays under SQLite's bound-parameter limit


def filter_expression(query: SearchQuery, now: Any) -> list[str]:
    """FTS5 conditions for every filter the index can apply (all must hold)."""
    tokens = [category_token(code) for code in query.categories]
    flags = required_flags(query)
    tokens += [token for bit, token in FLAG_TOKENS.items() if flags & bit]
    if query.language:
        tokens.append(language_token(query.language))
    parts = [f"tokens : {token}" for token in tokens]
    for moment in filter_moments(query, now):
        any_of = open_tokens(moment)
        if any_of:
            parts.append(f"tokens : ({' OR '.join(any_of)})")
    return parts


def text_expression(word: QueryWord) -> str:
    """The listing's own text has this word: a stem, or (as typed) the start of a word."""
    options = [f'"{term}"' for term in word.terms]
    if word.prefix:
        options.append(f'"{word.prefix}"*')
    return f"{TEXT_COLUMNS} : ({' OR '.join(options)})"


def related_expression(word: QueryWord) -> str:
    """The listing's name or description uses other everyday words of the needs it names.

    Not `other`: it holds every listing's need names ("Money and benefits").
    """
    options = " OR ".join(f'"{term}"' for term in word.related)
    return f"{{name description}} : ({options})"


def near_expression(plan: SearchPlan) -> str:
    """Each word within NEAR_TOKENS of the next, in the name or the description."""

    def term(text: str, prefix: bool) -> str:
        return f'"{text}"*' if prefix else f'"{text}"'

    pairs = [f"NEAR({term(*a)} {term(*b)}, {NEAR_TOKENS})" for a, b in near_pairs(plan)]
    return f"{{name description}} : ({' AND '.join(pairs)})"


def word_expression(word: QueryWord) -> str:
    """This word: in the listing's text, through a need it names, or that need's words."""
    parts = [text_expression(word)]
    if word.categories:
        parts.append(f"tokens : ({' OR '.join(category_token(c) for c in word.categories)})")
    if word.related:
        parts.append(related_expression(word))
    return " OR ".join(f"({part})" for part in parts) if len(parts) > 1 else parts[0]


def match_expression(
    query: SearchQuery, now: Any, plan: SearchPlan, *, every_word: bool = True
) -> str | None:
    """The FTS5 MATCH expression: the filters, and every word (or any word)."""
    parts = filter_expression(query, now)
    words = words_to_match(plan, query, every_word=every_word)
    if words:
        joiner = " AND " if every_word else " OR "
        parts.append(joiner.join(f"({word_expression(word)})" for word in words))
    if not parts:
        return None
    return " AND ".join(f"({part})" for part in parts)


class DocumentCache:
    """Parsed document rows by id, kept across searches.

    A row never changes once written and its id is never reused (a changed listing gets a
    new row), so nothing here goes stale; a search reads only ids from the full-text index
    and parses the rows it has not seen. Reading and parsing every row's columns again was
    most of the cost of a search matching thousands of listings.
    """

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self.limit = limit
        self._rows: dict[int, Row] = {}  # plain tuples: see matching.Row
        self._hours: dict[int, OpeningHours] = {}

    def get(self, cursor: sqlite3.Cursor, ids: list[int]) -> dict[int, Row]:
        """A mapping holding the documents with these ids (those still in the table)."""
        rows = self._rows
        missing = [key for key in ids if key not in rows]
        if missing:
            if len(rows) + len(missing) > self.limit:
                rows.clear()
                self._hours.clear()
            for chunk in chunks(missing):
                marks = ", ".join("?" * len(chunk))
                sql = f"SELECT {_COLUMNS} FROM directory_search_doc WHERE id IN ({marks})"
                for row in cursor.execute(sql, list(chunk)).fetchall():
                    rows[row[0]] = tuple(
                        Document.of(
                            row[0],
                            row[1],
                            row[2],
                            (row[3], row[4]),
                            (row[5], row[6]),
                            row[7],
                            row[8].split(),
                            row[9].split(),
                            decode_week(row[10]),
                            row[11],
                        )
                    )
        return rows

    def hours(self, cursor: sqlite3.Cursor, ids: list[int]) -> dict[int, OpeningHours]:
        """The opening hours of these documents."""
        known = self._hours
        missing = [key for key in ids if key not in known]
        for chunk in chunks(missing):
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT id, hours FROM directory_search_doc WHERE id IN ({marks})"
            for key, text in cursor.execute(sql, list(chunk)).fetchall():
                known[key] = decode_hours(text)
        return {key: known[key] for key in ids if key in known}


class SQLiteBackend(DatabaseBackend):
    """Search in the embedded SQLite database."""

    name = "sqlite"

    def __init__(self) -> None:
        self._caches: dict[str, DocumentCache] = {}

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of results (reads what is committed)."""
        now = clock.now()
        plan = await understand(query.text, exact=query.exact)
        query = with_plan(query, plan)
        engine = get_engine()
        assert isinstance(engine, HubSQLiteEngine)
        return await asyncio.to_thread(self._search_in_thread, engine.readers, query, plan, now)

    def _search_in_thread(
        self, readers: ReadConnections, query: SearchQuery, plan: SearchPlan, now: Any
    ) -> SearchResults:
        with readers.lend(plain=True) as connection, collector_paused():
            cursor = connection.cursor()
            try:
                results = self._run(cursor, query, plan, now, every_word=True)
                if wants_any_word(plan, query, results):
                    results = self._run(cursor, query, plan, now, every_word=False)
            finally:
                cursor.close()
            return described(results, plan)

    def _run(
        self, cursor: sqlite3.Cursor, query: SearchQuery, plan: SearchPlan, now: Any, **how: bool
    ) -> SearchResults:
        matcher = Matcher(query, now, plan)
        self._match(cursor, matcher, now, **how)
        hours = self._documents().hours(cursor, matcher.unsure)
        return matcher.finish(hours)

    def _match(
        self, cursor: sqlite3.Cursor, matcher: Matcher, now: Any, *, every_word: bool
    ) -> None:
        query, plan = matcher.query, matcher.plan
        expression = match_expression(query, now, plan, every_word=every_word)
        box = None
        if query.origin is not None and query.max_distance_km is not None:
            box = bounding_box(query.origin, query.max_distance_km)
        args: list[Any] = []
        ranked = bool(plan.words) and not query.by_distance
        if expression is None:
            sql = "SELECT id FROM directory_search_doc"
            if box is not None:
                sql += " WHERE latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?"
                args = list(box)
        else:
            # Nearest first, relevance only breaks ties of whole tiers, and bm25 would be a
            # third of the cost.
            rank = ", bm25(directory_search_fts, {}, {}, {}, {})".format(*WEIGHTS) if ranked else ""
            sql = f"SELECT rowid{rank} FROM directory_search_fts WHERE directory_search_fts MATCH ?"
            args = [expression]
        rows = cursor.execute(sql, args).fetchall()
        keys = [row[0] for row in rows]
        docs = self._documents().get(cursor, keys)
        masks = OwnText(plan, every_word=every_word, ranked=ranked)
        filters = filter_expression(query, now)
        for position in masks.asked:
            found = self._having(cursor, filters, text_expression(plan.words[position]))
            masks.found(position, found)
        for position in masks.exact:
            options = " OR ".join(f'"{term}"' for term in plan.words[position].terms)
            found = self._having(cursor, filters, f"{TEXT_COLUMNS} : ({options})")
            masks.found_exact(position, found)
        if masks.near:
            masks.found_near(self._having(cursor, filters, near_expression(plan)))
        for position in masks.related:
            parts = [*filters, related_expression(plan.words[position])]
            scored = cursor.execute(
                "SELECT rowid, -bm25(directory_search_fts, {}, {}, {}, {}) FROM "
                "directory_search_fts WHERE directory_search_fts MATCH ?".format(*WEIGHTS),
                [" AND ".join(f"({part})" for part in parts)],
            ).fetchall()
            masks.found_related(position, scored)
        offer = matcher.offer
        mask_of, score_of = masks.mask_of, masks.score_of
        if ranked:
            for key, rank in rows:
                doc = docs.get(key)
                if doc is not None:  # else removed since the index was read
                    offer(doc, score_of(key, -rank), mask_of(key))
            return
        if masks.constant is not None:  # nearest first, every word: no per-listing lookups
            constant = masks.constant
            for key in keys:
                doc = docs.get(key)
                if doc is not None:
                    offer(doc, 0.0, constant)
            return
        for key in keys:
            doc = docs.get(key)
            if doc is not None:
                offer(doc, 0.0, mask_of(key))

    def _having(self, cursor: sqlite3.Cursor, filters: list[str], text: str) -> Any:
        """Ids of the listings passing the filters and this text expression."""
        parts = [*filters, text]
        found = cursor.execute(
            "SELECT rowid FROM directory_search_fts WHERE directory_search_fts MATCH ?",
            [" AND ".join(f"({part})" for part in parts)],
        ).fetchall()
        return (row[0] for row in found)

    def _documents(self) -> DocumentCache:
        path = str(get_engine().path)  # type: ignore[attr-defined]
        if path not in self._caches:
            self._caches[path] = DocumentCache()
        return self._caches[path]

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

    def document_row(self, doc: IndexDocument) -> tuple[Any, ...]:
        """The document's row in `directory_search_doc` (FTS5 indexes it from there)."""
        return _row(doc)

    async def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        await transaction_connection().execute(_INSERT, (sqlite_json_rows(rows),))

    async def _delete_stale(self) -> None:
        await transaction_connection().execute(
            "DELETE FROM directory_search_doc WHERE service_id NOT IN "
            "(SELECT id FROM service WHERE status = 'active')"
        )


def _row(doc: IndexDocument) -> tuple[Any, ...]:
    name, description, other = analysed(doc)
    return (
        doc.service_id,
        name,
        doc.name_key,
        description,
        other,
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

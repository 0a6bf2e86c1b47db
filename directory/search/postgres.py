"""PostgreSQL backend: weighted tsvector (name A, description B, the rest C) with a GIN index,
prefix tsqueries ranked by ts_rank, filter tokens in a GIN-indexed text[], and pg_trgm
similarity on names as a fallback only when full text finds nothing (OR-ing it in cost 2-3x).
"""

from __future__ import annotations

from typing import Any

from directory.hours import OpeningHours
from directory.search.candidates import Document, Row, bounding_box
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
    Matcher,
    collector_paused,
    filter_moments,
    required_flags,
)
from directory.search.schemas import SearchQuery, SearchResults
from hub import clock
from hub.db import raw

CONFIG = "english"
# ts_rank weights for D, C, B, A: the name counts most, then the description.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
CACHE_LIMIT = 250_000
_COLUMNS = (
    "service_id::text AS service_id, name_key, latitude, longitude, minimum_age, maximum_age, "
    "flags, categories, languages, week, exception_dates"
)
_INSERT = (
    "INSERT INTO directory_search_doc (service_id, name, name_key, document, tokens, categories, "
    "languages, flags, week, exception_dates, hours, latitude, longitude, minimum_age, "
    "maximum_age) VALUES ($1::uuid, $2, $3, "
    f"setweight(to_tsvector('{CONFIG}', $2), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', $4), 'B') || "
    f"setweight(to_tsvector('{CONFIG}', $5), 'C'), "
    "$6::text[], $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
)


def tsquery_text(terms: list[str]) -> str:
    """`["hous", "support"]` -> `hous:* & support:*` (terms are word characters only)."""
    return " & ".join(f"{term}:*" for term in terms)


def filter_sql(query: SearchQuery, now: Any) -> tuple[list[str], list[Any]]:
    """WHERE conditions (with `{}` placeholders) and their values, for everything but text."""
    conditions: list[str] = []
    args: list[Any] = []
    required = [category_token(code) for code in query.categories]
    flags = required_flags(query)
    required += [token for bit, token in FLAG_TOKENS.items() if flags & bit]
    if query.language:
        required.append(language_token(query.language))
    if required:
        conditions.append("tokens @> {}::text[]")
        args.append(required)
    for moment in filter_moments(query, now):
        any_of = open_tokens(moment)
        if any_of:
            conditions.append("tokens && {}::text[]")
            args.append(any_of)
    if query.origin is not None and query.max_distance_km is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(query.origin, query.max_distance_km)
        conditions.append("latitude BETWEEN {} AND {} AND longitude BETWEEN {} AND {}")
        args += [min_lat, max_lat, min_lon, max_lon]
    if query.age is not None:
        conditions.append(
            "(minimum_age IS NULL OR minimum_age <= {}) "
            "AND (maximum_age IS NULL OR maximum_age >= {})"
        )
        args += [query.age, query.age]
    return conditions, args


class PostgresBackend(DatabaseBackend):
    """Search in PostgreSQL."""

    name = "postgres"

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of results; near misses by name when full text finds nothing."""
        now = clock.now()
        conditions, args = filter_sql(query, now)
        terms = query_terms(query.text)
        near_misses = False
        if terms:
            rows = await self._select(
                f"ts_rank({{}}::float4[], document, to_tsquery('{CONFIG}', {{}}))",
                [RANK_WEIGHTS, tsquery_text(terms)],
                [f"document @@ to_tsquery('{CONFIG}', {{}})", *conditions],
                [tsquery_text(terms), *args],
            )
            if not rows:
                text = " ".join(terms)
                rows = await self._select(
                    "word_similarity({}, name)", [text], ["{} <% name", *conditions], [text, *args]
                )
                near_misses = bool(rows)
        else:
            rows = await self._select("0.0", [], conditions, args)
        matcher = Matcher(query, now)
        with collector_paused():
            for row in rows:
                matcher.offer(_document(row), float(row["rank"]))
        hours = await self._hours(matcher.unsure)
        with collector_paused():
            return matcher.finish(hours, near_misses=near_misses)

    async def _select(
        self, rank: str, rank_args: list[Any], conditions: list[str], args: list[Any]
    ) -> list[dict[str, Any]]:
        sql = f"SELECT {_COLUMNS}, {rank} AS rank FROM directory_search_doc"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        return await raw(sql, *rank_args, *args)

    async def _hours(self, keys: list[Any]) -> dict[Any, OpeningHours]:
        if not keys:
            return {}
        rows = await raw(
            "SELECT service_id::text AS key, hours FROM directory_search_doc "
            "WHERE service_id = ANY({}::uuid[])",
            keys,
        )
        return {row["key"]: decode_hours(row["hours"]) for row in rows}

    async def optimise(self) -> None:
        """Refresh the planner's statistics after a bulk load."""
        await raw("ANALYZE directory_search_doc")

    async def _delete(self, service_ids: list[str]) -> None:
        if service_ids:
            await transaction_connection().execute(
                "DELETE FROM directory_search_doc WHERE service_id = ANY($1::uuid[])", service_ids
            )

    async def _insert(self, documents: list[IndexDocument]) -> None:
        await transaction_connection().executemany(_INSERT, [_row(doc) for doc in documents])

    async def _delete_stale(self) -> None:
        await transaction_connection().execute(
            "DELETE FROM directory_search_doc d WHERE NOT EXISTS "
            "(SELECT 1 FROM service s WHERE s.id = d.service_id AND s.status = 'active')"
        )


_documents: dict[tuple[Any, ...], Row] = {}


def _document(row: dict[str, Any]) -> Row:
    """The matcher's document for a row, parsed once per distinct row content.

    Parsing (the weekly minutes' JSON, numbering the code sets) cost more than the rest of a
    search matching thousands of listings. A parsed document depends only on the columns it
    is made from, so they are its key: a changed listing has a new key, and nothing goes
    stale. Kept as plain tuples, which the garbage collector stops tracking (see
    candidates.Row).
    """
    key = (
        row["service_id"],
        row["name_key"],
        row["latitude"],
        row["longitude"],
        row["minimum_age"],
        row["maximum_age"],
        row["flags"],
        row["categories"],
        row["languages"],
        row["week"],
        row["exception_dates"],
    )
    found = _documents.get(key)
    if found is None:
        if len(_documents) >= CACHE_LIMIT:
            _documents.clear()
        found = _documents[key] = tuple(
            Document.of(
                key=row["service_id"],
                service_id=row["service_id"],
                name_key=row["name_key"],
                point=(row["latitude"], row["longitude"]),
                ages=(row["minimum_age"], row["maximum_age"]),
                flags=row["flags"],
                categories=row["categories"].split(),
                languages=row["languages"].split(),
                week=decode_week(row["week"]),
                exception_dates=row["exception_dates"],
            )
        )
    return found


def _row(doc: IndexDocument) -> tuple[Any, ...]:
    return (
        doc.service_id,
        doc.name,
        doc.name_key,
        doc.description,
        doc.other,
        doc.tokens,
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

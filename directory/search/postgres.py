"""PostgreSQL backend: weighted tsvector (name A, description B, the rest C) with a GIN index,
over text analysed as on SQLite (`simple` configuration), ranked by ts_rank; filter tokens in
a GIN-indexed text[]. A search reads ids, scores and own-text flags only; the documents
themselves are parsed once per process and kept by id (ids are never reused).
"""

from __future__ import annotations

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
from hub.db import custom_plans, get_engine, raw, raw_tuples

CONFIG = "simple"
"""Text arrives analysed (stems and written words, see `language`): index it as it is."""
# ts_rank weights for D, C, B, A: the name counts most, then the description.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# Scaled to bm25's range on SQLite (ts_rank is a few tenths), so that the index score
# weighs the same against the rest of relevance on both databases.
RANK_SCALE = 30
NO_MATCH = 1e-6
"""ts_rank gives a document without the words 1e-20, not 0."""
RANK_SQL = f"{RANK_SCALE} * ts_rank({{}}::float4[], document, to_tsquery('{CONFIG}', {{}}))"
CACHE_LIMIT = 250_000
_COLUMNS = (
    "id, service_id::text AS service_id, name_key, latitude, longitude, minimum_age, "
    "maximum_age, flags, categories, languages, week, exception_dates"
)
# Each document's filter columns are copied into narrow rows of their own: a search that
# only filters (need, hours, distance) reads those, in half the time of the document rows.
# A whole batch goes in as one statement, column by column (tokens space-separated: a ragged
# array cannot be unnested), so a bulk import costs one round trip per batch, not per listing.
_INSERT = (
    "WITH doc AS (INSERT INTO directory_search_doc (service_id, name, name_key, document, "
    "tokens, categories, languages, flags, week, exception_dates, hours, latitude, longitude, "
    "minimum_age, maximum_age) SELECT d.service_id, d.name, d.name_key, "
    f"setweight(to_tsvector('{CONFIG}', d.name), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', d.description), 'B') || "
    f"setweight(to_tsvector('{CONFIG}', d.other), 'C'), "
    "string_to_array(d.tokens, ' '), d.categories, d.languages, d.flags, d.week, "
    "d.exception_dates, d.hours, d.latitude, d.longitude, d.minimum_age, d.maximum_age "
    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], "
    "$13::float8[], $14::float8[], $15::int[], $16::int[]) AS d(service_id, name, name_key, "
    "description, other, tokens, categories, languages, flags, week, exception_dates, hours, "
    "latitude, longitude, minimum_age, maximum_age) "
    "RETURNING id, tokens, latitude, longitude, minimum_age, maximum_age) "
    "INSERT INTO directory_search_filter SELECT * FROM doc"
)


def text_tsquery(word: QueryWord) -> str:
    """The listing's own text has this word: `'hous' | 'housing':*` (terms are word characters)."""
    options = [f"'{term}'" for term in word.terms]
    if word.prefix:
        options.append(f"'{word.prefix}':*")
    return " | ".join(options)


def filter_sql(query: SearchQuery, now: Any) -> tuple[list[str], list[Any]]:
    """WHERE conditions (with `{}` placeholders) and their values, for everything but text."""
    conditions: list[str] = []
    args: list[Any] = []
    required = [category_token(code) for code in query.categories]
    flags = required_flags(query)
    required += [token for bit, token in FLAG_TOKENS.items() if flags & bit]
    if query.language:
        required.append(language_token(query.language))
    for token in required:
        # One overlap per token: GIN answers && exactly, while @> rechecks every row's array.
        conditions.append("tokens && {}::text[]")
        args.append([token])
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


def words_sql(words: list[QueryWord], *, every_word: bool) -> tuple[str, list[Any]]:
    """One condition for the words (each in the text, through a need it names or its words)."""
    parts: list[str] = []
    args: list[Any] = []
    for word in words:
        options = [f"document @@ to_tsquery('{CONFIG}', {{}})"]
        args.append(text_tsquery(word))
        if word.categories:
            options.append("tokens && {}::text[]")
            args.append([category_token(code) for code in word.categories])
        if word.related:
            options.append(f"document @@ to_tsquery('{CONFIG}', {{}})")
            args.append(related_tsquery(word))
        parts.append("(" + " OR ".join(options) + ")")
    return "(" + (" AND " if every_word else " OR ").join(parts) + ")", args


def near_tsquery(plan: SearchPlan) -> str:
    """Each word within NEAR_TOKENS terms of the next, either way round, in the name or
    description (A, B): as SQLite's NEAR, which counts the terms between them."""

    def term(text: str, prefix: bool) -> str:
        return f"'{text}':*AB" if prefix else f"'{text}':AB"

    pairs = []
    for a, b in near_pairs(plan):
        apart = range(1, NEAR_TOKENS + 2)
        options = [f"{term(*x)} <{n}> {term(*y)}" for n in apart for x, y in ((a, b), (b, a))]
        pairs.append("(" + " | ".join(options) + ")")
    return " & ".join(pairs)


def related_tsquery(word: QueryWord) -> str:
    """Other everyday words of the needs it names, in the name or description (A, B) only.

    The rest (C) holds every listing's need names ("Money and benefits").
    """
    return " | ".join(f"'{term}':AB" for term in word.related)


class PostgresBackend(DatabaseBackend):
    """Search in PostgreSQL."""

    name = "postgres"

    def __init__(self) -> None:
        self._engine: object = None
        self._rows: dict[int, Row] = {}
        self._hours: dict[int, OpeningHours] = {}

    def _fresh_caches(self) -> None:
        """Forget parsed documents of another database (ids are only unique within one)."""
        engine = get_engine()
        if engine is not self._engine:
            self._engine = engine
            self._rows.clear()
            self._hours.clear()

    async def search(self, query: SearchQuery) -> SearchResults:
        """One page of results: every word first, then any word when that is too few.

        Its reads are planned for their own words and filters every time (`custom_plans`).
        """
        now = clock.now()
        plan = await understand(query.text, exact=query.exact)
        query = with_plan(query, plan)
        self._fresh_caches()
        with custom_plans():
            results = await self._run(query, plan, now, every_word=True)
            if wants_any_word(plan, query, results):
                results = await self._run(query, plan, now, every_word=False)
        return described(results, plan)

    async def _run(
        self, query: SearchQuery, plan: SearchPlan, now: Any, *, every_word: bool
    ) -> SearchResults:
        conditions, args = filter_sql(query, now)
        ranked = bool(plan.words) and not query.by_distance
        masks = OwnText(plan, every_word=every_word, ranked=ranked)
        columns = ["id"]
        column_args: list[Any] = []
        if ranked:
            columns.append(RANK_SQL)
            column_args += [RANK_WEIGHTS, " | ".join(text_tsquery(word) for word in plan.words)]
        for position in masks.asked:
            columns.append(f"document @@ to_tsquery('{CONFIG}', {{}})")
            column_args.append(text_tsquery(plan.words[position]))
        for position in masks.exact:
            columns.append(f"document @@ to_tsquery('{CONFIG}', {{}})")
            column_args.append(" | ".join(f"'{term}'" for term in plan.words[position].terms))
        if masks.near:
            columns.append(f"document @@ to_tsquery('{CONFIG}', {{}})")
            column_args.append(near_tsquery(plan))
        for position in masks.related:
            # ts_rank ignores the weight labels of a tsquery; @@ does not.
            columns.append(
                f"CASE WHEN document @@ to_tsquery('{CONFIG}', {{}}) THEN {RANK_SQL} END"
            )
            related = related_tsquery(plan.words[position])
            column_args += [related, RANK_WEIGHTS, related]
        words = words_to_match(plan, query, every_word=every_word)
        if words:
            condition, word_args = words_sql(words, every_word=every_word)
            conditions.append(condition)
            args += word_args
        table = "directory_search_doc" if words or len(columns) > 1 else "directory_search_filter"
        sql = f"SELECT {', '.join(columns)} FROM {table}"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        connection_rows = await raw_tuples(sql, *column_args, *args)
        docs = await self._documents([row[0] for row in connection_rows])
        first = 2 if ranked else 1
        for row in connection_rows if masks.constant is None else ():
            for at, position in enumerate(masks.asked, start=first):
                if row[at]:
                    masks.found(position, (row[0],))
            at_exact = first + len(masks.asked)
            for at, position in enumerate(masks.exact, start=at_exact):
                if row[at]:
                    masks.found_exact(position, (row[0],))
            at_near = at_exact + len(masks.exact)
            if masks.near and row[at_near]:
                masks.found_near((row[0],))
            for at, position in enumerate(masks.related, start=at_near + masks.near):
                if row[at] is not None:
                    masks.found_related(position, ((row[0], float(row[at])),))
        matcher = Matcher(query, now, plan)
        offer, mask_of, score_of = matcher.offer, masks.mask_of, masks.score_of
        with collector_paused():
            if masks.constant is not None and not ranked:  # nearest first, every word
                constant = masks.constant
                for row in connection_rows:
                    doc = docs.get(row[0])
                    if doc is not None:
                        offer(doc, 0.0, constant)
                connection_rows = []
            for row in connection_rows:
                doc = docs.get(row[0])
                if doc is not None:
                    rank = float(row[1]) if ranked and row[1] > NO_MATCH else 0.0
                    offer(doc, score_of(row[0], rank), mask_of(row[0]))
        hours = await self._hours_of(matcher.unsure)
        with collector_paused():
            return matcher.finish(hours)

    async def _documents(self, ids: list[int]) -> dict[int, Row]:
        """The parsed documents with these ids (a row never changes once written)."""
        known = self._rows
        missing = [key for key in ids if key not in known]
        if len(known) + len(missing) > CACHE_LIMIT:
            known.clear()
            self._hours.clear()
            missing = ids
        for start in range(0, len(missing), 5000):
            rows = await raw(
                f"SELECT {_COLUMNS} FROM directory_search_doc WHERE id = ANY({{}}::bigint[])",
                missing[start : start + 5000],
            )
            with collector_paused():
                for row in rows:
                    known[row["id"]] = _document(row)
        return known

    async def _hours_of(self, keys: list[Any]) -> dict[Any, OpeningHours]:
        known = self._hours
        missing = [key for key in keys if key not in known]
        if missing:
            rows = await raw(
                "SELECT id, hours FROM directory_search_doc WHERE id = ANY({}::bigint[])", missing
            )
            for row in rows:
                known[row["id"]] = decode_hours(row["hours"])
        return {key: known[key] for key in keys if key in known}

    async def optimise(self) -> None:
        """Refresh the planner's statistics after a bulk load."""
        await raw("ANALYZE directory_search_doc")

    async def _delete(self, service_ids: list[str]) -> None:
        if service_ids:
            await transaction_connection().execute(
                "DELETE FROM directory_search_doc WHERE service_id = ANY($1::uuid[])", service_ids
            )

    def document_row(self, doc: IndexDocument) -> tuple[Any, ...]:
        """The document's row in `directory_search_doc` (its tsvector is made in the insert)."""
        return _row(doc)

    async def _insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        columns = [list(column) for column in zip(*rows, strict=True)]
        await transaction_connection().execute(_INSERT, *columns)

    async def _delete_stale(self) -> None:
        await transaction_connection().execute(
            "DELETE FROM directory_search_doc d WHERE NOT EXISTS "
            "(SELECT 1 FROM service s WHERE s.id = d.service_id AND s.status = 'active')"
        )


def _document(row: dict[str, Any]) -> Row:
    """The matcher's document for a row, as a plain tuple (see candidates.Row)."""
    return tuple(
        Document.of(
            key=row["id"],
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

"""The words the directory's listings are written in: what a typed word may be corrected to.

Every written word of an indexed listing is kept in `directory_search_term` with the number of
listings it appeared in (counts only grow between rebuilds; they break ties between equally
close corrections). Each process keeps the words in memory, reloading after it wrote new
ones, and at least every RELOAD_SECONDS for words other processes wrote. Both databases use
this table, so both correct the same words to the same words.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from directory.search.language import stem, typo_budget
from hub.db import is_sqlite, raw, sqlite_json_insert, sqlite_json_rows

RELOAD_SECONDS = 30.0
MAX_CORRECTIONS = 3
MIN_WORD = 3
"""Shorter words are never offered as corrections (nor are words with digits)."""

_UPSERT_SQLITE = sqlite_json_insert(
    "directory_search_term",
    ("term", "documents"),
    "ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents",
)
_UPSERT_POSTGRES = (
    "INSERT INTO directory_search_term (term, documents) "
    "SELECT * FROM unnest($1::text[], $2::int[]) "
    "ON CONFLICT (term) DO UPDATE "
    "SET documents = directory_search_term.documents + excluded.documents"
)


async def add_words(connection: Any, counted: list[tuple[str, int]]) -> None:
    """Record these words on the transaction's driver connection; this process reloads."""
    if not counted:
        return
    if is_sqlite():
        await connection.execute(_UPSERT_SQLITE, (sqlite_json_rows(counted),))
    else:
        await connection.execute(
            _UPSERT_POSTGRES, [word for word, _ in counted], [n for _, n in counted]
        )
    forget()


async def clear_words(connection: Any) -> None:
    """Empty the table (a rebuild refills it)."""
    await connection.execute("DELETE FROM directory_search_term")
    forget()


class Vocabulary:
    """Written words in memory: is a word known, and what could a mistyped one be."""

    def __init__(self, counts: dict[str, int], extra: Iterable[str] = ()) -> None:
        self.counts = dict(counts)
        for word in extra:
            self.counts.setdefault(word, 0)
        self.sorted = sorted(self.counts)
        self.stems = {stem(word) for word in self.sorted}
        by_initial: dict[str, list[str]] = {}
        for word in self.sorted:
            if len(word) >= MIN_WORD and word.isalpha():
                by_initial.setdefault(word[0], []).append(word)
        self.by_initial = by_initial

    def knows(self, word: str, *, as_prefix: bool = False) -> bool:
        """True when a listing has this word (or its stem), or a word it begins (as typed)."""
        if word in self.counts or stem(word) in self.stems:
            return True
        if as_prefix:
            at = bisect.bisect_left(self.sorted, word)
            return at < len(self.sorted) and self.sorted[at].startswith(word)
        return False

    def corrections(self, word: str) -> tuple[list[str], int]:
        """The closest known words within the typo budget, most used first, and their typos.

        As Meilisearch counts: one typo in words of 5 to 8 letters, two in longer words, none
        in shorter ones or in the first letter; a swap of neighbours is one typo.
        """
        budget = typo_budget(word)
        candidates = self.by_initial.get(word[:1], [])
        if budget == 0 or not candidates:
            return [], 0
        found: list[tuple[str, int]] = []
        for match in process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=None
        ):
            if match[0] != word:
                found.append((str(match[0]), int(match[1])))
        if not found:
            return [], 0
        best = min(distance for _, distance in found)
        closest = sorted(
            (choice for choice, distance in found if distance == best),
            key=lambda choice: (-self.counts.get(choice, 0), choice),
        )
        return closest[:MAX_CORRECTIONS], best


class _Cache:
    """This process's vocabulary per database, reloaded when stale."""

    def __init__(self) -> None:
        self.words: dict[str, int] | None = None
        self.loaded_at = 0.0


_cache = _Cache()


def forget() -> None:
    """Reload the words before the next search (this process changed them)."""
    _cache.words = None


async def load_words() -> dict[str, int]:
    """Every recorded word with its count, from memory when fresh."""
    now = time.monotonic()
    if _cache.words is None or now - _cache.loaded_at > RELOAD_SECONDS:
        rows = await raw("SELECT term, documents FROM directory_search_term")
        _cache.words = {row["term"]: row["documents"] for row in rows}
        _cache.loaded_at = now
    return _cache.words

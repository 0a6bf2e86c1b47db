"""Everyday words for needs: "drugs" and "methadone" ask for substance use, "hungry" for food.

Each need category carries a list of words and phrases (`TaxonomyTerm.synonyms`, one per line
or comma-separated), shipped in `directory/data/need_synonyms.toml` and extended by admins.
A query's words are matched against them longest phrase first, on stems, so "food banks"
finds the phrase "food bank". Each process keeps them in memory (see `vocabulary`).
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from directory.search.language import STOP_WORDS, stem, words
from directory.taxonomy import NEED_TAXONOMY_ID
from hub.db import raw

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "need_synonyms.toml"
RELOAD_SECONDS = 30.0
MAX_PHRASE_WORDS = 6
_SEPARATORS = re.compile(r"[\n,;]+")
# Stems too common in listings to say which need a listing is about.
GENERIC = frozenset({"help", "support", "advic", "servic", "group", "communiti", "social"}) | {
    stem(word) for word in STOP_WORDS
}


def parse_synonyms(text: str) -> list[str]:
    """The phrases in an admin's text: one per line or comma-separated, tidied, no repeats."""
    phrases = (" ".join(part.split()).lower() for part in _SEPARATORS.split(text))
    return list(dict.fromkeys(phrase for phrase in phrases if phrase))


def format_synonyms(phrases: Iterable[str]) -> str:
    """Phrases as the column stores them: one per line."""
    return "\n".join(phrases)


def shipped_synonyms() -> dict[str, list[str]]:
    """Category code -> the everyday words shipped with Wraparound."""
    with SHIPPED.open("rb") as handle:
        data = tomllib.load(handle)
    return {code: parse_synonyms(", ".join(entry["words"])) for code, entry in data.items()}


class Synonyms:
    """Phrases (as stems) -> need categories, for matching the words of a query."""

    def __init__(
        self, by_category: Mapping[str, Iterable[str]], names: Mapping[str, str] | None = None
    ) -> None:
        self.names = dict(names or {})
        phrases: dict[tuple[str, ...], set[str]] = {}
        written: set[str] = set()
        self.written: dict[str, set[str]] = {}
        """Each phrase as written (folded) -> its categories, for Meilisearch."""
        for code, listed in by_category.items():
            for phrase in listed:
                folded = words(phrase)
                if folded and len(folded) <= MAX_PHRASE_WORDS:
                    phrases.setdefault(tuple(stem(word) for word in folded), set()).add(code)
                    self.written.setdefault(" ".join(folded), set()).add(code)
                    written.update(folded)
        self.phrases = {key: tuple(sorted(codes)) for key, codes in phrases.items()}
        related: dict[str, set[str]] = {}
        for key, codes in self.phrases.items():
            if len(key) == 1 and key[0] not in GENERIC:  # a phrase's words say little alone
                for code in codes:
                    related.setdefault(code, set()).add(key[0])
        self.related = {code: tuple(sorted(stems)) for code, stems in related.items()}
        """Category -> the stems of its everyday words (a listing's text using them is closer)."""
        self.longest = max((len(key) for key in self.phrases), default=0)
        self.words = frozenset(written)
        """Every word of every phrase: known words, and things a typo may be corrected to."""

    def categories_by_position(self, stems: list[str]) -> list[tuple[str, ...]]:
        """For each query word, the categories of the longest phrase covering it (or none)."""
        found: list[tuple[str, ...]] = [() for _ in stems]
        position = 0
        while position < len(stems):
            for length in range(min(self.longest, len(stems) - position), 0, -1):
                codes = self.phrases.get(tuple(stems[position : position + length]))
                if codes:
                    for covered in range(position, position + length):
                        found[covered] = tuple(sorted({*found[covered], *codes}))
                    position += length
                    break
            else:
                position += 1
        return found

    def export(self) -> dict[str, list[str]]:
        """Meilisearch's synonyms setting: each phrase -> the names of its categories.

        Every indexed listing carries its categories' names, so Meilisearch then finds the
        listings of the categories a phrase names, as the database backends do.
        """
        exported: dict[str, list[str]] = {}
        for phrase, codes in sorted(self.written.items()):
            names = sorted({self.names[code].lower() for code in codes if code in self.names})
            names = [name for name in names if name != phrase]
            if names:
                exported[phrase] = names
        return exported


class _Cache:
    def __init__(self) -> None:
        self.synonyms: Synonyms | None = None
        self.loaded_at = 0.0


_cache = _Cache()


def forget() -> None:
    """Reload before the next search (an admin changed them in this process)."""
    _cache.synonyms = None


async def load_by_category() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Category code -> its phrases as stored, and code -> name."""
    rows = await raw(
        "SELECT code, name, synonyms FROM taxonomy_term WHERE taxonomy = {}", NEED_TAXONOMY_ID
    )
    phrases = {row["code"]: parse_synonyms(row["synonyms"] or "") for row in rows}
    return phrases, {row["code"]: row["name"] for row in rows}


async def load_synonyms() -> Synonyms:
    """The need categories' phrases, from memory when fresh."""
    now = time.monotonic()
    if _cache.synonyms is None or now - _cache.loaded_at > RELOAD_SECONDS:
        _cache.synonyms = Synonyms(*await load_by_category())
        _cache.loaded_at = now
    return _cache.synonyms

"""No dead ends: when a search finds nothing, the needs it may mean and what is open now."""

from __future__ import annotations

from rapidfuzz import fuzz

from directory.search.language import words
from directory.search.synonyms import Synonyms, load_synonyms

MAX_SUGGESTIONS = 3
MIN_SIMILARITY = 70.0


def nearest_needs(
    text: str, synonyms: Synonyms, named: tuple[str, ...], limit: int = MAX_SUGGESTIONS
) -> list[str]:
    """Need category codes closest to what was typed: those it named, then similar words.

    A category is as close as its nearest name or everyday word, by rapidfuzz's weighted
    ratio (tolerant of typos, extra words and word order).
    """
    typed = " ".join(words(text))
    chosen = list(named)
    if not typed:
        return chosen[:limit]
    phrases: dict[str, list[str]] = {}
    for phrase, codes in synonyms.written.items():
        for code in codes:
            phrases.setdefault(code, []).append(phrase)
    for code, name in synonyms.names.items():
        phrases.setdefault(code, []).append(" ".join(words(name)))
    scored = sorted(
        (
            (max(fuzz.WRatio(typed, phrase) for phrase in listed), code)
            for code, listed in phrases.items()
            if code not in chosen
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    chosen += [code for score, code in scored if score >= MIN_SIMILARITY]
    return chosen[:limit]


async def suggest_needs(text: str, named: tuple[str, ...]) -> list[str]:
    """`nearest_needs` with this database's categories."""
    return nearest_needs(text, await load_synonyms(), named)

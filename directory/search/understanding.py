"""What a typed query asks for: its words with their stems, corrections, prefixes and needs.

Every backend searches from the same `SearchPlan`, so plurals, typos, prefixes, everyday words
for needs, stop words and "tonight" mean the same on SQLite, PostgreSQL and Meilisearch.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from directory.search.language import STOP_WORDS, split_time_words, stem, words
from directory.search.synonyms import Synonyms, load_synonyms
from directory.search.vocabulary import Vocabulary, load_words
from hub.db import get_engine

MIN_PREFIX = 3
"""The last word is also matched as the start of a longer word once it has this many letters."""
MAX_WORDS = 10


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and everything that counts as matching it."""

    typed: str
    shown: str
    """The word searched for: the typed one, or its correction."""
    terms: tuple[str, ...]
    """Index terms (stems) that match it exactly; "food bank" (two stems) matches them side by
    side, a phrase on every backend."""
    prefix: str = ""
    """Written words starting with this match too (the last word, as it is typed)."""
    typos: int = 0
    categories: tuple[str, ...] = ()
    """Need categories whose everyday words include it."""
    related: tuple[str, ...] = ()
    """Stems of those categories' other everyday words: in a listing's text, they rank it up."""


@dataclass(frozen=True)
class SearchPlan:
    """A query understood: the words to match, and whether it asked for what is open now."""

    words: tuple[QueryWord, ...] = ()
    open_now: bool = False
    """The text said "tonight", "today" or "now"."""
    corrected: bool = False
    categories: tuple[str, ...] = field(default=())
    """Every need category the words name."""

    @property
    def shown_text(self) -> str:
        """The words searched for, corrections included ("Showing results for ...")."""
        return " ".join(word.shown for word in self.words)

    @property
    def typos(self) -> int:
        """Typos corrected over all words."""
        return sum(word.typos for word in self.words)


def _content_words(folded: list[str]) -> list[int]:
    """Positions of the words worth matching (all of them when every word is a stop word)."""
    kept = [position for position, word in enumerate(folded) if word not in STOP_WORDS]
    first: dict[str, int] = {}
    for position in kept or range(len(folded)):
        first.setdefault(folded[position], position)  # a repeated word counts once
    return sorted(first.values())


def _corrections(
    folded: list[str], positions: list[int], vocabulary: Vocabulary, synonyms: Synonyms
) -> dict[int, tuple[list[str], int]]:
    """Position -> (closest known words, typos) for each word no listing or need knows."""
    last = positions[-1] if positions else -1
    found: dict[int, tuple[list[str], int]] = {}
    for position in positions:
        word = folded[position]
        as_prefix = position == last and len(word) >= MIN_PREFIX
        if word in synonyms.words or word.isdigit() or vocabulary.knows(word, as_prefix=as_prefix):
            continue
        closest, typos = vocabulary.corrections(word)
        if closest:
            found[position] = (closest, typos)
    return found


def _joined(
    positions: list[int], alternatives: list[list[str]], vocabulary: Vocabulary
) -> dict[int, list[str]]:
    """Position -> the stem of a listing's word that this word and its neighbour make written
    as one ("food bank": "foodbank"), which then matches either, as Meilisearch joins them."""
    found: dict[int, list[str]] = {}
    for first, second in itertools.pairwise(positions):
        joined = alternatives[first][0] + alternatives[second][0]
        if second == first + 1 and joined.isalpha() and vocabulary.knows(joined):
            found.setdefault(first, []).append(stem(joined))
            found.setdefault(second, []).append(stem(joined))
    return found


MIN_PART = 3
"""A word is split into two only where each part has this many letters or more."""
SUFFIX_WORDS = frozenset({"less", "ship", "hood", "able", "wise", "ward", "wards", "self", "like"})
"""Words that end longer words as suffixes: "homeless" is not "home less"."""
_NOT_SECOND = STOP_WORDS | SUFFIX_WORDS


def _split(word: str, vocabulary: Vocabulary) -> list[str]:
    """The two listing words `word` may be written as one of ("foodbanks": "food banks"), as
    phrases of stems ("food bank"): a listing with them side by side matches it."""
    return [
        f"{stem(word[:cut])} {stem(word[cut:])}"
        for cut in range(MIN_PART, len(word) - MIN_PART + 1)
        if word[:cut] not in STOP_WORDS
        and word[cut:] not in _NOT_SECOND
        and vocabulary.knows(word[:cut])
        and vocabulary.knows(word[cut:])
    ]


def plan_query(
    text: str, vocabulary: Vocabulary, synonyms: Synonyms, *, exact: bool = False
) -> SearchPlan:
    """Understand `text` against the listings' words and the needs' everyday words.

    Args:
        text: what was typed.
        vocabulary: the listings' written words (for typos and prefixes).
        synonyms: the need categories' everyday words.
        exact: search the words as typed, without correcting them.
    """
    folded, open_now = split_time_words(words(text))
    folded = folded[: MAX_WORDS * 2]
    positions = _content_words(folded)
    last = positions[-1] if positions else -1
    corrected = {} if exact else _corrections(folded, positions, vocabulary, synonyms)
    alternatives = [corrected.get(at, ([word], 0))[0] for at, word in enumerate(folded)]
    categories = synonyms.categories_by_position([stem(options[0]) for options in alternatives])
    joined = {} if exact else _joined(positions[:MAX_WORDS], alternatives, vocabulary)
    query_words = []
    for position in positions[:MAX_WORDS]:
        word = folded[position]
        stems = [stem(option) for option in alternatives[position]]
        apart = [] if exact or not word.isalpha() else _split(alternatives[position][0], vocabulary)
        terms = tuple(dict.fromkeys([*stems, *joined.get(position, ()), *apart]))
        related = {
            code_word
            for code in categories[position]
            for code_word in synonyms.related.get(code, ())
        }
        typed_last = position == last and len(word) >= MIN_PREFIX and position not in corrected
        query_words.append(
            QueryWord(
                typed=word,
                shown=alternatives[position][0],
                terms=terms,
                prefix=word if typed_last else "",
                typos=corrected.get(position, ([], 0))[1],
                categories=categories[position],
                related=tuple(sorted(related - set(terms))),
            )
        )
    named = tuple(sorted({code for word in query_words for code in word.categories}))
    return SearchPlan(
        words=tuple(query_words), open_now=open_now, corrected=bool(corrected), categories=named
    )


class _Cache:
    """The Vocabulary built from the words last loaded (building it stems every word)."""

    def __init__(self) -> None:
        self.key: tuple[int, int, int] | None = None
        self.vocabulary: Vocabulary | None = None


_cache = _Cache()


async def understand(text: str, *, exact: bool = False) -> SearchPlan:
    """`plan_query` with this database's words and everyday words."""
    if not words(text):
        return SearchPlan()
    counts = await load_words()
    synonyms = await load_synonyms()
    key = (id(get_engine()), id(counts), id(synonyms))
    if _cache.key != key or _cache.vocabulary is None:
        _cache.vocabulary = Vocabulary(counts, synonyms.words)
        _cache.key = key
    return plan_query(text, _cache.vocabulary, synonyms, exact=exact)

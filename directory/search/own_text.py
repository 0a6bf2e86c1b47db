"""What both database backends do around their index: own-text masks, any-word retries.

A listing can match a query word through its own text or through a need category the word
names; relevance puts own-text matches first, so a backend learns, per word, which listings
have it in their text. Every word must match first; when that leaves less than a page, the
search runs again wanting any word, ranking listings that match more words first.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import msgspec

from directory.search.schemas import SearchQuery, SearchResults
from directory.search.understanding import QueryWord, SearchPlan


class OwnText:
    """Which query words each found listing has in its own text, as a bit mask.

    Bits 0 to n-1: word i is in the text. Bits n to 2n-1 (relevance order only): the text
    has other everyday words of a need word i names ("company" for "lonely"). Bits 2n to 3n-1
    (relevance order only, for the word typed last): the text has the word itself, not only a
    longer word it begins ("work", not only "workers"). Bit 3n (relevance order, several words):
    the name or description has each word within NEAR_TOKENS of the next (proximity).
    """

    def __init__(self, plan: SearchPlan, *, every_word: bool, ranked: bool) -> None:
        words = plan.words
        self.related = (
            [position for position, word in enumerate(words) if word.related]
            if ranked or not every_word
            else []
        )
        """Positions of the words whose related everyday words the backend must look up."""
        self.exact = (
            [position for position, word in enumerate(words) if word.prefix] if ranked else []
        )
        """Positions of the words whose whole-word matches the backend must look up."""
        self.near = ranked and len(words) > 1
        """The backend must look up which listings have the words near each other."""
        self.fixed = 0
        self.asked: list[int] = []
        """Positions of the words whose listings the backend must look up (`found`)."""
        self.extra: dict[object, int] = {}
        self.related_scores: dict[object, float] = {}
        self.count = len(words)
        if not every_word:
            self.asked = list(range(len(words)))
            return
        for position, word in enumerate(words):
            if ranked and (word.categories or word.related):
                self.asked.append(position)  # found through its needs too: which by text?
            else:
                self.fixed |= 1 << position  # found with every word: only matters ranked

    @property
    def constant(self) -> int | None:
        """The one mask every listing has, when nothing is looked up per listing."""
        if self.asked or self.related or self.exact or self.near:
            return None
        return self.fixed

    def found(self, position: int, keys: Iterable[object]) -> None:
        """These listings have word `position` in their own text."""
        bit = 1 << position
        extra = self.extra
        for key in keys:
            extra[key] = extra.get(key, 0) | bit

    def found_related(self, position: int, ranked: Iterable[tuple[object, float]]) -> None:
        """These listings' text has everyday words related to word `position` (index scores)."""
        bit = 1 << (self.count + position)
        extra, scores = self.extra, self.related_scores
        for key, score in ranked:
            extra[key] = extra.get(key, 0) | bit
            scores[key] = scores.get(key, 0.0) + score

    def found_exact(self, position: int, keys: Iterable[object]) -> None:
        """These listings have word `position` itself, not only words it begins."""
        self.found(2 * self.count + position, keys)

    def found_near(self, keys: Iterable[object]) -> None:
        """These listings have the words near each other."""
        bit = 1 << (3 * self.count)
        extra = self.extra
        for key in keys:
            extra[key] = extra.get(key, 0) | bit

    def score_of(self, key: object, rank: float) -> float:
        """The index score, or (matched through needs only) how much its text uses their words."""
        return rank if rank > 0 else self.related_scores.get(key, 0.0)

    def mask_of(self, key: object) -> int:
        """The words one listing has in its own text (and the related, whole and near bits)."""
        return self.fixed | self.extra.get(key, 0)


NEAR_TOKENS = 3
"""Words this many index terms apart or closer count as near (the stems sit beside words)."""


def near_pairs(plan: SearchPlan) -> list[tuple[tuple[str, bool], tuple[str, bool]]]:
    """Each word with the next, each as (its stem, whether longer words starting so count).

    The word still being typed matches as the start of a word: its stem then also finds
    the word's other forms ("disabilities" finds "disability").
    """
    terms = [(word.terms[0], bool(word.prefix)) for word in plan.words]
    return list(itertools.pairwise(terms))


def words_to_match(plan: SearchPlan, query: SearchQuery, *, every_word: bool) -> list[QueryWord]:
    """The words the index must test: those the need filter does not already satisfy.

    A listing passing the filter for a need a word names matches that word; testing it again
    (in its text, its needs or their words) would only cost time.
    """
    chosen = set(query.categories)
    open_words = [word for word in plan.words if not chosen & set(word.categories)]
    if not every_word and len(open_words) < len(plan.words):
        return []  # some word always matches, so "any word" holds for every listing
    return open_words


def with_plan(query: SearchQuery, plan: SearchPlan) -> SearchQuery:
    """The query with "tonight"/"today"/"now" in its text as the open-now filter."""
    if plan.open_now and query.open_at is None and not query.open_now:
        return msgspec.structs.replace(query, open_now=True)
    return query


def wants_any_word(plan: SearchPlan, query: SearchQuery, results: SearchResults) -> bool:
    """True when listings with every word do not fill the page (then any word will do)."""
    return len(plan.words) > 1 and results.total < query.offset + query.per_page


def described(results: SearchResults, plan: SearchPlan) -> SearchResults:
    """The results with what the search understood of the words."""
    results.searched_for = plan.shown_text if plan.corrected else ""
    results.open_now_from_text = plan.open_now
    results.named_categories = plan.categories
    return results

"""English text for search: folding, words, one stemmer for every backend, stop and time words.

Both database indexes store text already analysed here (each word's stem, and the word itself
when it differs, for prefix search as you type), and queries are analysed the same way, so
SQLite and PostgreSQL match the same terms: "drugs" and "drug" are both `drug`, "clothes" and
"clothing" both `cloth`.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import Stemmer

_WORD = re.compile(r"[^\W_]+")

# Words a query can leave out without losing meaning ("somewhere to stay for my family").
STOP_WORDS = frozenset(
    {"a", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "do", "for", "from"}
    | {"get", "got", "have", "help", "i", "im", "in", "is", "it", "looking", "me", "my", "need"}
    | {"needs", "of", "on", "or", "please", "service", "services", "some", "somewhere"}
    | {"something", "that", "the", "there", "this", "to", "want", "where", "who", "with"}
    | {"you", "your"}
)
# Words that ask for services open now rather than describe one ("food tonight").
TIME_WORDS = frozenset({"tonight", "today", "now", "currently"})
# "open" only counts as a time word beside one of the above ("open now", "open today").
OPEN_WORD = "open"

_stemmers = threading.local()


def fold(text: str) -> str:
    """Lower case without accents, for comparing words ("Café" and "cafe" are the same)."""
    if text.isascii():  # nothing to decompose: most text, and the per-character pass is slow
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return list(_words(text))


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    """Cached: indexing a batch reads each listing's text twice (index columns, word table)."""
    return tuple(_WORD.findall(fold(text)))


def _stemmer() -> Stemmer.Stemmer:
    found = getattr(_stemmers, "stemmer", None)
    if found is None:  # a stemmer is not safe to share between threads
        found = _stemmers.stemmer = Stemmer.Stemmer("english")
    return found


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The English (Snowball) stem of a folded word: housing -> hous, drugs -> drug."""
    return str(_stemmer().stemWord(word))


def index_terms(text: str) -> list[str]:
    """What the index holds for a text: each word's stem, then the word when it differs."""
    terms: list[str] = []
    for word in _words(text):
        root = stem(word)
        terms.append(root)
        if root != word:
            terms.append(word)
    return terms


def index_text(text: str) -> str:
    """`index_terms` as one space-separated string, as the full-text columns store it."""
    return " ".join(index_terms(text))


def typo_budget(word: str) -> int:
    """Typos allowed in a word, as Meilisearch counts: none under 5 letters, one to 8, then two."""
    if len(word) < 5:
        return 0
    return 1 if len(word) <= 8 else 2


def split_time_words(folded: list[str]) -> tuple[list[str], bool]:
    """The words without "tonight", "today", "now" (and an "open" beside them), and whether any."""
    asked = False
    kept: list[str] = []
    for position, word in enumerate(folded):
        if word in TIME_WORDS:
            asked = True
            continue
        neighbours = folded[max(position - 1, 0) : position + 2]
        if word == OPEN_WORD and any(other in TIME_WORDS for other in neighbours):
            continue
        kept.append(word)
    return kept, asked

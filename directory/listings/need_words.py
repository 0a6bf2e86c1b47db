"""Everyday words for a need category: org admins add them, system admins also remove them.

Each phrase is a few plain words ("food bank", "someone to talk to"); search matches them on
stems, so one form of a word is enough. Changes take effect on this process's next search
and, on other processes, within the synonyms' reload time; Meilisearch gets them at once.
"""

from __future__ import annotations

import logging
import re
from uuid import UUID

from directory.search import synonyms
from directory.search.backend import meilisearch_backend
from directory.search.synonyms import format_synonyms, parse_synonyms
from directory.tables import TaxonomyTerm
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import audit
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)

MAX_PHRASES = 200
MAX_PHRASE_LENGTH = 60
MAX_PHRASE_WORDS = 6
_PHRASE = re.compile(r"^[^\W_]+(?:[' \u2019-][^\W_]+)*$")


def check_phrases(text: str) -> tuple[list[str], str]:
    """The phrases in the text, and what is wrong with them ("" when nothing)."""
    phrases = parse_synonyms(text)
    for phrase in phrases:
        if len(phrase) > MAX_PHRASE_LENGTH or len(phrase.split()) > MAX_PHRASE_WORDS:
            return phrases, (
                f"“{phrase[:MAX_PHRASE_LENGTH]}” is too long: use at most "
                f"{MAX_PHRASE_WORDS} words and {MAX_PHRASE_LENGTH} characters"
            )
        if not _PHRASE.match(phrase):
            return phrases, f"“{phrase}” can only have letters, numbers, spaces and hyphens"
    return phrases, ""


async def _current(term_id: UUID) -> tuple[str, list[str]]:
    row = (
        await TaxonomyTerm.select(TaxonomyTerm.name, TaxonomyTerm.synonyms)
        .where((TaxonomyTerm.id == term_id) & (TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID))
        .first()
    )
    if row is None:
        msg = "No such need category"
        raise NotFound(msg)
    return row["name"], parse_synonyms(row["synonyms"])


async def _save(principal: Principal, term_id: UUID, before: list[str], after: list[str]) -> None:
    if len(after) > MAX_PHRASES:
        msg = f"A need category can have at most {MAX_PHRASES} everyday words"
        raise Invalid(msg, {"words": msg})
    async with transaction():
        await TaxonomyTerm.update({TaxonomyTerm.synonyms: format_synonyms(after)}).where(
            TaxonomyTerm.id == term_id
        )
        await audit.record(
            "directory.need_words_changed",
            principal.actor,
            subject_type="taxonomy_term",
            subject_id=str(term_id),
            detail={
                "added": sorted(set(after) - set(before)),
                "removed": sorted(set(before) - set(after)),
            },
        )
    await words_changed()


async def words_changed() -> None:
    """After a commit that changed everyday words: searches and Meilisearch use them now."""
    synonyms.forget()
    backend = meilisearch_backend()
    if backend is not None:
        try:
            await backend.setup()  # its synonyms setting
        except Exception:  # the next start applies them; saving must not fail for it
            log.exception("Meilisearch synonyms could not be updated")


async def add_words(principal: Principal, term_id: UUID, text: str) -> list[str]:
    """Add phrases to a need category (any organisation admin); returns those added.

    Raises:
        Forbidden: not an organisation or system admin.
        Invalid: no phrase given, or one that is too long or has symbols.
    """
    if not roles.is_admin(principal):
        msg = "Only administrators add everyday words"
        raise Forbidden(msg)
    _, before = await _current(term_id)
    phrases, problem = check_phrases(text)
    if not problem and not phrases:
        problem = "Enter at least one word or phrase, like food bank"
    if problem:
        raise Invalid(problem, {"words": problem})
    added = [phrase for phrase in phrases if phrase not in before]
    if added:
        await _save(principal, term_id, before, [*before, *added])
    return added


async def replace_words(principal: Principal, term_id: UUID, text: str) -> list[str]:
    """Set a need category's whole list (system admins: they may also remove words).

    Raises:
        Forbidden: not a system admin.
        Invalid: a phrase that is too long or has symbols.
    """
    if not roles.is_system_admin(principal):
        msg = "Only system administrators remove everyday words"
        raise Forbidden(msg)
    _, before = await _current(term_id)
    phrases, problem = check_phrases(text)
    if problem:
        raise Invalid(problem, {"words": problem})
    if phrases != before:
        await _save(principal, term_id, before, phrases)
    return phrases

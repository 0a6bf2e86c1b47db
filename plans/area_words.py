"""Wellbeing areas in the client's own words: kept per plan, asked at a review, shown on the
client's progress chart and its legend in place of the project's name for the area."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from hub import clock
from plans.tables import AreaWords
from plans.vocabulary import WELLBEING_AREAS

MAX_WORDS = 80


def words_field(area: str) -> str:
    """The review form's field for the client's own words for an area."""
    return f"words_{area}"


async def words_for(plan_id: UUID) -> dict[str, str]:
    """Area -> the client's own words for it, where they gave some."""
    rows = await AreaWords.select(AreaWords.area, AreaWords.words).where(AreaWords.plan == plan_id)
    return {row["area"]: row["words"] for row in rows if row["area"] in WELLBEING_AREAS}


def read_words(values: Mapping[str, str], errors: dict[str, str]) -> dict[str, str]:
    """Area -> words from a review form (an empty box clears them); problems go into errors."""
    words: dict[str, str] = {}
    for area, label in WELLBEING_AREAS.items():
        field = words_field(area)
        text = " ".join(values.get(field, "").split())
        if len(text) > MAX_WORDS:
            errors[field] = f"Keep the client's words for “{label}” to {MAX_WORDS} characters"
        words[area] = text
    return words


async def save_words(plan_id: UUID, words: Mapping[str, str]) -> None:
    """Keep the client's words per area (call inside the review's transaction)."""
    now = clock.now()
    for area, text in words.items():
        await AreaWords.delete().where((AreaWords.plan == plan_id) & (AreaWords.area == area))
        if text:
            await AreaWords.insert(AreaWords(plan=plan_id, area=area, words=text, updated_at=now))

"""The need-category taxonomy shipped with Wraparound (system admins may edit it)."""

from __future__ import annotations

import uuid

NEED_TAXONOMY_ID = uuid.UUID("6f1c1a52-7c1e-4d5e-9d0e-1a2b3c4d5e60")
NEED_TAXONOMY_NAME = "Wraparound need categories"

# (code, name, description); codes are stable: filters, URLs and counts use them.
NEED_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("housing", "Housing", "Somewhere to live, keeping a tenancy, homelessness"),
    ("money", "Money and benefits", "Benefits, debt, budgeting, grants"),
    ("food", "Food", "Food banks, pantries, meals, the pop-up shop"),
    ("mental-health", "Mental health", "Feeling well in yourself, crisis and ongoing support"),
    ("substance-use", "Substance use", "Alcohol and drugs: harm reduction, treatment, recovery"),
    ("physical-health", "Physical health", "GP, pharmacy, health checks, hospital discharge"),
    ("employability", "Employability and learning", "Work, training, volunteering, learning"),
    ("family", "Family", "Parenting, children, kinship care, relationships"),
    ("social", "Social connection and peer support", "Groups, peer support, befriending, sport"),
    ("crisis", "Crisis", "Urgent help today: safety, emergency accommodation, crisis lines"),
    ("legal", "Legal", "Advice, advocacy, justice and court support"),
    ("safety", "Safety", "Domestic abuse, safe spaces, personal safety"),
    ("digital", "Digital", "Phones, internet access and digital skills"),
)


def term_id(code: str) -> uuid.UUID:
    """The fixed id of a shipped need category (stable across installs and exports)."""
    return uuid.uuid5(NEED_TAXONOMY_ID, code)


async def ensure_need_taxonomy() -> None:
    """Create the shipped taxonomy and any missing terms; terms admins edited are left alone.

    A shipped category whose everyday words are empty gets the shipped list
    (`directory/data/need_synonyms.toml`).
    """
    from directory.search.synonyms import format_synonyms, shipped_synonyms
    from directory.tables import Taxonomy, TaxonomyTerm

    if not await Taxonomy.exists().where(Taxonomy.id == NEED_TAXONOMY_ID):
        await Taxonomy.insert(
            Taxonomy(
                id=NEED_TAXONOMY_ID,
                name=NEED_TAXONOMY_NAME,
                description="What a visitor needs help with",
                version="1",
            )
        )
    for position, (code, name, description) in enumerate(NEED_CATEGORIES):
        if not await TaxonomyTerm.exists().where(TaxonomyTerm.id == term_id(code)):
            await TaxonomyTerm.insert(
                TaxonomyTerm(
                    id=term_id(code),
                    taxonomy=NEED_TAXONOMY_ID,
                    code=code,
                    name=name,
                    description=description,
                    position=position,
                )
            )
    for code, phrases in shipped_synonyms().items():
        await TaxonomyTerm.update({TaxonomyTerm.synonyms: format_synonyms(phrases)}).where(
            (TaxonomyTerm.id == term_id(code)) & (TaxonomyTerm.synonyms == "")
        )

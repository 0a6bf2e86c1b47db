"""System admins keep the need-category taxonomy: rename, describe, add terms, everyday words.

A term's code is its stable identity (filters, links, counts and exports use it), so it is
chosen once when the term is added and never changed; its name and description can be.
"""

from __future__ import annotations

import re
import uuid
from uuid import UUID

import msgspec
from piccolo.query.functions.aggregate import Count

from directory.listings.need_words import check_phrases, words_changed
from directory.listings.schemas import TermForm, TermView
from directory.search.sync import listing_changed
from directory.search.synonyms import format_synonyms
from directory.tables import ServiceTaxonomy, TaxonomyTerm
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import audit
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound

CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _require_system_admin(principal: Principal) -> None:
    if not roles.is_system_admin(principal):
        msg = "Only system administrators change the need categories"
        raise Forbidden(msg)


async def list_terms() -> list[TermView]:
    """The need categories in order, each with how many services use it."""
    usage = await ServiceTaxonomy.select(
        ServiceTaxonomy.taxonomy_term, Count(alias="services")
    ).group_by(ServiceTaxonomy.taxonomy_term)
    counts = {row["taxonomy_term"]: row["services"] for row in usage}
    rows = (
        await TaxonomyTerm.select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.description,
            TaxonomyTerm.position,
            TaxonomyTerm.synonyms,
        )
        .where(TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID)
        .order_by(TaxonomyTerm.position)
        .order_by(TaxonomyTerm.name)
    )
    return [TermView(**row, services=counts.get(row["id"], 0)) for row in rows]


async def get_term(term_id: UUID) -> TermView:
    """One need category, or NotFound."""
    for term in await list_terms():
        if term.id == term_id:
            return term
    msg = "No such need category"
    raise NotFound(msg)


async def _check(form: TermForm, except_id: UUID | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = form.name.strip()
    if not name:
        errors["name"] = "Enter the name people see"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    else:
        same_name = TaxonomyTerm.exists().where(
            (TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID) & (TaxonomyTerm.name == name)
        )
        if except_id is not None:
            same_name = same_name.where(TaxonomyTerm.id != except_id)
        if await same_name:
            errors["name"] = "Another need category already has that name"
    if len(form.description) > 1000:
        errors["description"] = "The description must be 1000 characters or fewer"
    return errors


async def add_term(principal: Principal, form: TermForm) -> UUID:
    """Add a need category with a new, unique code."""
    _require_system_admin(principal)
    code = form.code.strip().lower()
    errors: dict[str, str] = {}
    if not CODE.match(code) or len(code) > 100:
        errors["code"] = "Enter a code of lower-case letters, numbers and hyphens, like debt-advice"
    elif await TaxonomyTerm.exists().where(
        (TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID) & (TaxonomyTerm.code == code)
    ):
        errors["code"] = "Another need category already has that code"
    errors |= await _check(form, None)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    terms = await list_terms()
    term = TaxonomyTerm(
        id=uuid.uuid4(),
        taxonomy=NEED_TAXONOMY_ID,
        code=code,
        name=form.name.strip(),
        description=form.description.strip(),
        position=max((t.position for t in terms), default=-1) + 1,
    )
    async with transaction():
        await TaxonomyTerm.insert(term)
        await audit.record(
            "directory.term_added",
            principal.actor,
            subject_type="taxonomy_term",
            subject_id=str(term.id),
            detail={"code": code, "name": term.name},
        )
    return term.id


async def update_term(principal: Principal, term_id: UUID, form: TermForm) -> TermView:
    """Rename or re-describe a need category; services using it are re-indexed with it."""
    _require_system_admin(principal)
    before = await get_term(term_id)
    errors = await _check(form, term_id)
    words, problem = (before.words, "") if form.words is None else check_phrases(form.words)
    if problem:
        errors["words"] = problem
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    async with transaction():
        await TaxonomyTerm.update(
            {
                TaxonomyTerm.name: form.name.strip(),
                TaxonomyTerm.description: form.description.strip(),
                TaxonomyTerm.synonyms: format_synonyms(words),
            }
        ).where(TaxonomyTerm.id == term_id)
        users = await ServiceTaxonomy.select(ServiceTaxonomy.service).where(
            ServiceTaxonomy.taxonomy_term == term_id
        )
        await listing_changed([row["service"] for row in users])
        await audit.record(
            "directory.term_changed",
            principal.actor,
            subject_type="taxonomy_term",
            subject_id=str(term_id),
            detail={
                "name": [before.name, form.name.strip()],
                "words_added": sorted(set(words) - set(before.words)),
                "words_removed": sorted(set(before.words) - set(words)),
            },
        )
    await words_changed()
    return msgspec.structs.replace(
        before,
        name=form.name.strip(),
        description=form.description.strip(),
        synonyms=format_synonyms(words),
    )

"""Organisations and taxonomy terms an import needs, found or created.

An organisation named in a feed that we do not have is created as kind "partner" (the only
kinds hub allows are hub and partner) with a directory profile, and no staff. It is listed,
not a member of the network: membership means having staff who sign in, and nobody can sign
in for it until a system admin adds someone. Its creation is on the audit trail.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from directory.exchange.lookups import rows_with_ids
from directory.openreferral.info import OrganisationInfo, TaxonomyInfo, TermInfo
from directory.store_bulk import Rows
from directory.tables import OrganisationProfile, Taxonomy, TaxonomyTerm
from hub import audit, clock
from hub.audit import Actor
from hub.db import raw
from hub.tables import Organisation, Staff

_PROFILE_FIELDS = ("description", "alternate_name", "website", "email", "legal_status")


async def is_listed_only(org_id: UUID) -> bool:
    """True for an organisation with no staff: listed in the directory, not a network member."""
    return not await Staff.exists().where(Staff.organisation == org_id)


async def _by_name(name: str) -> UUID | None:
    rows = await raw("SELECT id FROM organisation WHERE LOWER(name) = LOWER({})", name)
    return rows[0]["id"] if rows else None


async def _profile(info: OrganisationInfo, org_id: UUID, created: bool) -> None:
    """Create the profile if missing; refresh it only for organisations that are listed only.

    Only values given are written: a feed without an organisation's website does not blank it.
    """
    values = {name: getattr(info, name) for name in _PROFILE_FIELDS}
    existing = (
        await OrganisationProfile.select().where(OrganisationProfile.organisation == org_id).first()
    )
    if existing is None:
        await OrganisationProfile.insert(
            OrganisationProfile(organisation=org_id, updated_at=clock.now(), **values)
        )
        return
    changed = {name: value for name, value in values.items() if value and existing[name] != value}
    if changed and (created or await is_listed_only(org_id)):
        await OrganisationProfile.update(
            {
                **{OrganisationProfile._meta.get_column_by_name(k): v for k, v in changed.items()},
                OrganisationProfile.updated_at: clock.now(),
            }
        ).where(OrganisationProfile.organisation == org_id)


async def ensure_organisation(info: OrganisationInfo) -> tuple[UUID, bool]:
    """(our id for this organisation, whether it was created): by id, then by name, then new."""
    if await Organisation.exists().where(Organisation.id == info.id):
        await _profile(info, info.id, created=False)
        return info.id, False
    same_name = await _by_name(info.name)
    if same_name is not None:
        await _profile(info, same_name, created=False)
        return same_name, False
    await Organisation.insert(
        Organisation(id=info.id, name=info.name, kind="partner", created_at=clock.now())
    )
    await _profile(info, info.id, created=True)
    await audit.record(
        "directory.organisation_listed",
        Actor.system(),
        subject_type="organisation",
        subject_id=str(info.id),
        detail={"name": info.name, "source": "import"},
    )
    return info.id, True


async def organisation_name(org_id: UUID) -> str | None:
    """The organisation's name, or None when there is no such organisation."""
    row = await Organisation.select(Organisation.name).where(Organisation.id == org_id).first()
    return row["name"] if row else None


async def ensure_terms(taxonomies: list[TaxonomyInfo], terms: list[TermInfo]) -> None:
    """Create missing taxonomies and terms; existing ones (maybe edited here) are left alone."""
    have_terms = await known_terms([item.id for item in terms])
    terms = [item for item in terms if item.id not in have_terms]
    taxonomy_ids = list({item.id for item in taxonomies})
    have = (
        {
            row["id"]
            for row in await Taxonomy.select(Taxonomy.id).where(Taxonomy.id.is_in(taxonomy_ids))
        }
        if taxonomy_ids and terms
        else set(taxonomy_ids)
    )
    for taxonomy in {item.id: item for item in taxonomies}.values():
        if taxonomy.id in have:
            continue
        name = taxonomy.name
        if await Taxonomy.exists().where(Taxonomy.name == name):
            name = f"{name} ({str(taxonomy.id)[:8]})"  # names are unique; ids are what count
        await Taxonomy.insert(
            Taxonomy(
                id=taxonomy.id,
                name=name,
                description=taxonomy.description,
                uri=taxonomy.uri,
                version=taxonomy.version,
            )
        )
    for term in {item.id: item for item in terms}.values():
        if await TaxonomyTerm.exists().where(TaxonomyTerm.id == term.id):
            continue
        await TaxonomyTerm.insert(
            TaxonomyTerm(
                id=term.id,
                taxonomy=term.taxonomy_id,
                code=term.code,
                name=term.name,
                description=term.description,
                parent_id=term.parent_id,
            )
        )


async def ensure_organisations(infos: list[OrganisationInfo]) -> tuple[dict[UUID, UUID], list[str]]:
    """Many organisations at once, as `ensure_organisation` finds or creates each.

    Returns (feed id -> our id, names of the organisations created). A few queries for the
    whole list; only profiles that changed are written one by one.
    """
    wanted = _merged(infos)
    if not wanted:
        return {}, []
    by_id = {row["id"] for row in await rows_with_ids(Organisation, [], [i.id for i in wanted])}
    rest = [info for info in wanted if info.id not in by_id]
    names: dict[str, UUID] = {}
    if rest:
        keys = list({info.name.casefold() for info in rest})
        marks = ", ".join("{}" for _ in keys)
        rows = await raw(f"SELECT id, name FROM organisation WHERE LOWER(name) IN ({marks})", *keys)
        names = {row["name"].casefold(): row["id"] for row in rows}
    ours: dict[UUID, UUID] = {}
    existing: dict[UUID, OrganisationInfo] = {}
    new: list[OrganisationInfo] = []
    for info in wanted:
        if info.id in by_id:
            ours[info.id] = info.id
            existing.setdefault(info.id, info)
        elif info.name.casefold() in names:
            ours[info.id] = names[info.name.casefold()]
            existing.setdefault(ours[info.id], info)
        else:
            names[info.name.casefold()] = ours[info.id] = info.id
            new.append(info)
    if new:
        now = clock.now()
        created = Rows()  # one multi-row statement (COPY on PostgreSQL) for each table
        for info in new:
            created.add(
                Organisation,
                {"id": info.id, "name": info.name, "kind": "partner", "created_at": now},
            )
        for info in new:
            profile = {name: getattr(info, name) for name in _PROFILE_FIELDS}
            created.add(
                OrganisationProfile, {**profile, "organisation": info.id, "updated_at": now}
            )
        await created.insert()
        await audit.record_many(
            [
                audit.Event(
                    "directory.organisation_listed",
                    Actor.system(),
                    subject_type="organisation",
                    subject_id=str(info.id),
                    detail={"name": info.name, "source": "import"},
                )
                for info in new
            ]
        )
    # After the new ones exist: a second id for a name new in this batch refreshes its profile.
    await _refresh_profiles(existing)
    return ours, [info.name for info in new]


def _merged(infos: list[OrganisationInfo]) -> list[OrganisationInfo]:
    """One info per id, as saving them in turn would leave it: later values given win."""
    merged: dict[UUID, OrganisationInfo] = {}
    for info in infos:
        first = merged.get(info.id)
        if first is None:
            merged[info.id] = info
            continue
        given = {name: getattr(info, name) for name in _PROFILE_FIELDS if getattr(info, name)}
        if given:
            merged[info.id] = msgspec.structs.replace(first, **given)
    return list(merged.values())


async def _refresh_profiles(infos: dict[UUID, OrganisationInfo]) -> None:
    """`_profile` for organisations we have, reading their profiles in one query."""
    if not infos:
        return
    rows = await OrganisationProfile.select().where(
        OrganisationProfile.organisation.is_in(list(infos))
    )
    profiles = {row["organisation"]: row for row in rows}
    for org_id, info in infos.items():
        row = profiles.get(org_id)
        changed = row is None or any(
            getattr(info, name) and row[name] != getattr(info, name) for name in _PROFILE_FIELDS
        )
        if changed:
            await _profile(info, org_id, created=False)


async def existing_organisations(ids: list[UUID]) -> dict[UUID, str]:
    """Id -> name for those of these organisations that exist."""
    rows = await rows_with_ids(Organisation, ["name"], ids)
    return {row["id"]: row["name"] for row in rows}


async def known_terms(ids: list[UUID]) -> set[UUID]:
    """Which of these term ids exist."""
    if not ids:
        return set()
    rows = await TaxonomyTerm.select(TaxonomyTerm.id).where(TaxonomyTerm.id.is_in(ids))
    return {row["id"] for row in rows}

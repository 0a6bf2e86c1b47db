"""One HSDS 3.0 / Open Referral UK service (a JSON object) read into a listing to import.

The result is a `Candidate`: the listing, the organisation and taxonomy terms it needs, and
every problem found, by place and field. Our own `wraparound` extension (referral routes,
capacity, response target, verification, dated exceptions) is read back when present.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from uuid import UUID

import msgspec

from directory import schemas
from directory.exchange import hsds_parts as parts
from directory.exchange.fields import FieldReader
from directory.exchange.problems import Problem
from directory.openreferral.info import OrganisationInfo, TaxonomyInfo, TermInfo
from directory.schemas import CAPACITY_STATUSES, REFERRAL_METHODS
from directory.tables import OrganisationProfile, Service, Taxonomy, TaxonomyTerm
from hub.tables import Organisation

IMPORT_NAMESPACE = uuid.UUID("5d0e8a3c-1f4b-4c7e-8a2d-9b6f0e3c7a15")
IMPORTED_TAXONOMY = "Imported terms"
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
UNKNOWN = UUID(int=0)  # an id the importer fills in: the listing's organisation, a term's taxonomy


class Candidate(msgspec.Struct, kw_only=True):
    """One listing read from the input, ready to save unless it has errors.

    `organisation` is the listing's; `other_organisations` own some of its locations.
    """

    where: str
    key: str = ""  # the listing's id as the input gave it: each is read once
    record: schemas.ServiceRecord | None = None
    organisation: OrganisationInfo | None = None
    other_organisations: list[OrganisationInfo] = []
    taxonomies: list[TaxonomyInfo] = []
    terms: list[TermInfo] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []


def slug(text: str) -> str:
    """`Mental Health` -> `mental-health` (codes for imported terms that have none)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "term"


def read_organisation(
    reader: FieldReader, obj: dict[str, Any], path: str
) -> OrganisationInfo | None:
    """The organisation; a doubtful website or e-mail is left out with a warning."""
    name = reader.text(obj, path, "name", limit=(Organisation, "name"), required=True)
    org_id = reader.uuid(obj, path, "id") or (
        uuid.uuid5(IMPORT_NAMESPACE, f"organisation:{name.casefold()}") if name else None
    )
    # HSDS 3 calls the website `website`; Open Referral UK feeds often call it `url`.
    site_key = "website" if obj.get("website") else "url"
    values = {
        "website": reader.url(obj, path, site_key, (OrganisationProfile, "website")),
        "email": reader.email(obj, path, "email", (OrganisationProfile, "email")),
    }
    if not name or org_id is None:
        return None
    return OrganisationInfo(
        id=org_id,
        name=name,
        description=reader.prose(obj, path, "description"),
        alternate_name=reader.text(
            obj, path, "alternate_name", limit=(OrganisationProfile, "alternate_name")
        ),
        legal_status=reader.text(
            obj, path, "legal_status", limit=(OrganisationProfile, "legal_status")
        ),
        **values,
    )


def _term(
    reader: FieldReader, obj: dict[str, Any], path: str
) -> tuple[TermInfo, TaxonomyInfo] | None:
    term_id = reader.uuid(obj, path, "id", required=True)
    name = reader.text(obj, path, "name", limit=(TaxonomyTerm, "name")) or reader.text(
        obj, path, "term", limit=(TaxonomyTerm, "name")
    )
    detail = reader.child(obj, path, "taxonomy_detail") or {}
    taxonomy_name = (
        reader.text(detail, f"{path}.taxonomy_detail", "name", limit=(Taxonomy, "name"))
        or reader.text(obj, path, "taxonomy", limit=(Taxonomy, "name"))
        or IMPORTED_TAXONOMY
    )
    taxonomy_id = (
        reader.uuid(obj, path, "taxonomy_id")
        or reader.uuid(detail, f"{path}.taxonomy_detail", "id")
        or uuid.uuid5(IMPORT_NAMESPACE, f"taxonomy:{taxonomy_name.casefold()}")
    )
    if term_id is None:
        return None
    if not name:
        reader.error(obj, path, "name", "is required")
        return None
    code = reader.text(obj, path, "code", limit=(TaxonomyTerm, "code")) or slug(name)
    term = TermInfo(
        id=term_id,
        code=code,
        name=name,
        description=reader.text(obj, path, "description"),
        parent_id=reader.uuid(obj, path, "parent_id"),
        taxonomy_id=taxonomy_id,
        taxonomy_name=taxonomy_name,
    )
    taxonomy = TaxonomyInfo(
        id=taxonomy_id,
        name=taxonomy_name,
        description=reader.text(detail, f"{path}.taxonomy_detail", "description"),
        version=reader.text(detail, f"{path}.taxonomy_detail", "version"),
    )
    return term, taxonomy


def _extension(
    reader: FieldReader, data: dict[str, Any], costs: list[schemas.CostOption]
) -> dict[str, Any]:
    """Our fields HSDS lacks; sensible defaults for a feed that is not ours."""
    path = parts.EXTENSION
    extension = reader.child(data, "", path)
    paid = any((cost.amount or 0) > 0 for cost in costs)
    if extension is None:
        return {"is_free": not paid}
    methods = extension.get("referral_methods") or []
    if isinstance(methods, str):
        methods = [item.strip() for item in methods.split(",") if item.strip()]
    if not isinstance(methods, list) or any(method not in REFERRAL_METHODS for method in methods):
        reader.error(
            extension, path, "referral_methods", f"must be some of {', '.join(REFERRAL_METHODS)}"
        )
        methods = []
    capacity = reader.child(extension, path, "capacity") or {}
    status = reader.text(capacity, f"{path}.capacity", "status") or "accepting"
    if status not in CAPACITY_STATUSES:
        reader.error(
            capacity, f"{path}.capacity", "status", f"must be one of {', '.join(CAPACITY_STATUSES)}"
        )
    return {
        "referral_methods": list(dict.fromkeys(methods)),
        "capacity_status": status,
        "capacity_waitlist_weeks": reader.whole(capacity, f"{path}.capacity", "waitlist_weeks"),
        "capacity_note": reader.text(capacity, f"{path}.capacity", "note"),
        "capacity_updated_at": reader.instant(capacity, f"{path}.capacity", "updated_at"),
        "response_target_days": reader.whole(extension, path, "response_target_days"),
        "is_free": reader.flag(extension, path, "is_free", not paid),
        "verified_at": reader.instant(extension, path, "verified_at"),
    }


def _status(reader: FieldReader, data: dict[str, Any]) -> str:
    status = reader.text(data, "", "status").lower()
    if not status:
        reader.warn(data, "", "status", "missing; taken as active")
        return "active"
    if status not in STATUSES:
        reader.error(data, "", "status", f"'{status}' is not one of {', '.join(STATUSES)}")
    return status


def _attributes(
    reader: FieldReader, data: dict[str, Any], candidate: Candidate
) -> list[schemas.Term]:
    terms: dict[UUID, schemas.Term] = {}
    for index, item in enumerate(reader.items(data, "", "attributes")):
        path = f"attributes[{index}]"
        if item.get("link_entity") not in (None, "", "service"):
            continue
        nested = reader.child(item, path, "taxonomy_term")
        if nested is None:
            term_id = reader.uuid(item, path, "taxonomy_term_id", required=True)
            if term_id:  # a term we must already have; checked before saving
                terms[term_id] = schemas.Term(id=term_id, code="", name="", taxonomy_id=UNKNOWN)
            continue
        found = _term(reader, nested, f"{path}.taxonomy_term")
        if found:
            term, taxonomy = found
            candidate.terms.append(term)
            candidate.taxonomies.append(taxonomy)
            terms[term.id] = schemas.Term(
                id=term.id, code=term.code, name=term.name, taxonomy_id=term.taxonomy_id
            )
    return list(terms.values())


def _locations(
    reader: FieldReader,
    links: list[dict[str, Any]],
    org_id: UUID,
    book: parts.IdBook,
    candidate: Candidate,
) -> list[schemas.Location]:
    """The service's places (each once); organisations owning a building are noted."""
    locations: dict[UUID, schemas.Location] = {}
    for index, link in enumerate(links):
        place = reader.child(link, f"service_at_locations[{index}]", "location")
        path = f"service_at_locations[{index}].location"
        found = parts.location(reader, place, path, org_id, book) if place else None
        if found:
            locations.setdefault(found.id, found)
        building_owner = parts.location_owner(reader, place, path) if place else None
        if building_owner:
            owner_path = f"{path}.{parts.EXTENSION}.organization"
            other = read_organisation(reader, building_owner, owner_path)
            candidate.other_organisations += [other] if other else []
    return list(locations.values())


def _reachable(
    reader: FieldReader,
    data: dict[str, Any],
    links: list[dict[str, Any]],
    owner: UUID,
    book: parts.IdBook,
) -> dict[str, list[Any]]:
    """Phones, hours and contacts: the service's own, then its links' (HSDS puts them there
    too), all kept as the service's."""
    found: dict[str, list[Any]] = {}
    for key in ("phones", "schedules", "contacts"):
        read = getattr(parts, key)
        found[key] = read(reader, reader.items(data, "", key), key, owner, book)
        for index, link in enumerate(links):
            where = f"service_at_locations[{index}]"
            found[key] += read(
                reader, reader.items(link, where, key), f"{where}.{key}", owner, book
            )
    return found


def _service_values(
    reader: FieldReader,
    data: dict[str, Any],
    links: list[dict[str, Any]],
    candidate: Candidate,
    owner: UUID,
    book: parts.IdBook,
) -> dict[str, Any]:
    """The service's own fields (all but id, name, organisation and places)."""
    costs = parts.cost_options(
        reader, reader.items(data, "", "cost_options"), "cost_options", owner, book
    )
    return {
        "alternate_name": reader.text(
            data, "", "alternate_name", limit=(Service, "alternate_name")
        ),
        "description": reader.prose(data, "", "description"),
        "url": reader.url(data, "", "url", (Service, "url")),
        "email": reader.email(data, "", "email", (Service, "email")),
        "status": _status(reader, data),
        "fees_description": reader.prose(data, "", "fees_description")
        or reader.prose(data, "", "fees"),
        "eligibility_description": reader.prose(data, "", "eligibility_description"),
        "referral_instructions": reader.prose(data, "", "application_process"),
        "minimum_age": reader.whole(data, "", "minimum_age"),
        "maximum_age": reader.whole(data, "", "maximum_age"),
        "assured_date": reader.day(data, "", "assured_date"),
        **_reachable(reader, data, links, owner, book),
        "languages": parts.languages(
            reader, reader.items(data, "", "languages"), "languages", owner, book
        ),
        "service_areas": parts.service_areas(
            reader, reader.items(data, "", "service_areas"), "service_areas", owner, book
        ),
        "cost_options": costs,
        "exceptions": parts.exceptions(reader, data, "", owner, book),
        "terms": _attributes(reader, data, candidate),
        **_extension(reader, data, costs),
    }


def read_service(data: Any, where: str, parent: OrganisationInfo | None = None) -> Candidate:
    """One service object as a Candidate (errors fail it; warnings are only reported)."""
    key = str(data.get("id") or "").strip() if isinstance(data, dict) else ""
    candidate = Candidate(where=where, key=key)
    if not isinstance(data, dict):
        candidate.errors.append(Problem(where, "", "is not a JSON object"))
        return candidate
    reader = FieldReader(where)
    service_id = reader.uuid(data, "", "id", required=True)
    name = reader.text(data, "", "name", limit=(Service, "name"), required=True)
    nested_org = reader.child(data, "", "organization")
    org = read_organisation(reader, nested_org, "organization") if nested_org else parent
    org_id = org.id if org else reader.uuid(data, "", "organization_id") or UNKNOWN
    candidate.organisation = org
    owner = service_id or UNKNOWN
    book = parts.IdBook()
    links = reader.items(data, "", "service_at_locations")
    locations = _locations(reader, links, org_id, book, candidate)
    values = _service_values(reader, data, links, candidate, owner, book)
    candidate.errors, candidate.warnings = reader.errors, reader.warnings
    if service_id is None or not name or reader.errors:
        return candidate
    candidate.record = schemas.ServiceRecord(
        id=service_id,
        organisation_id=org_id,
        organisation_name=org.name if org else "",
        name=name,
        locations=locations,
        **values,
    )
    return candidate

"""Listings as Open Referral UK / HSDS 3.0 JSON: what the API serves and exports write.

Fields HSDS 3.0 lacks (how to refer, capacity, response target, verification, dated
exceptions) travel in a `wraparound` object on the service and location; HSDS allows extra
properties, and our import reads them back so an export re-imports to the same listing.
Values the schema would reject (a malformed stored URL or e-mail) are left out, never sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from directory import schemas
from directory.openreferral.formats import email_or_none, uri_or_none
from directory.openreferral.info import OrganisationInfo, TaxonomyInfo, TermInfo

ORUK_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
OPENAPI_URL = "https://docs.openreferraluk.org/en/latest/openapi30.json"
EXTENSION = "wraparound"


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` unless the value is empty (HSDS omits what is not known)."""
    if value is None or value == "" or value == []:
        return
    target[key] = value


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def derived_id(owner: UUID, name: str) -> UUID:
    """A stable id for something we show but do not store (an address, an attribute link)."""
    return uuid.uuid5(owner, name)


def api_root() -> dict[str, str]:
    """What `/` says: the HSDS version, the ORUK profile and its OpenAPI file."""
    return {"version": ORUK_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


def organization(org: OrganisationInfo) -> dict[str, Any]:
    """An organisation (organization_list fields; `description` is required, maybe empty)."""
    out: dict[str, Any] = {"id": str(org.id), "name": org.name, "description": org.description}
    _put(out, "alternate_name", org.alternate_name)
    _put(out, "email", email_or_none(org.email))
    _put(out, "website", uri_or_none(org.website))
    _put(out, "legal_status", org.legal_status)
    return out


def taxonomy(info: TaxonomyInfo, terms: list[TermInfo] | None = None) -> dict[str, Any]:
    """A taxonomy, with its terms when given."""
    out: dict[str, Any] = {"id": str(info.id), "name": info.name, "description": info.description}
    _put(out, "uri", uri_or_none(info.uri))
    _put(out, "version", info.version)
    if terms is not None:
        out["taxonomy_terms"] = [taxonomy_term(term) for term in terms]
    return out


def taxonomy_term(term: TermInfo) -> dict[str, Any]:
    """A taxonomy term (`description` is required, maybe empty)."""
    out: dict[str, Any] = {
        "id": str(term.id),
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "taxonomy_id": str(term.taxonomy_id),
    }
    _put(out, "taxonomy", term.taxonomy_name)
    _put(out, "parent_id", str(term.parent_id) if term.parent_id else None)
    return out


def service_summary(
    record: schemas.ServiceRecord, org: OrganisationInfo | None = None
) -> dict[str, Any]:
    """A service's one-to-one fields (service_list), with its organisation when given."""
    out: dict[str, Any] = {
        "id": str(record.id),
        "organization_id": str(record.organisation_id),
        "name": record.name,
        "status": record.status,
    }
    _put(out, "alternate_name", record.alternate_name)
    _put(out, "description", record.description)
    _put(out, "url", uri_or_none(record.url))
    _put(out, "email", email_or_none(record.email))
    _put(out, "fees", record.fees_description)
    _put(out, "fees_description", record.fees_description)
    _put(out, "eligibility_description", record.eligibility_description)
    _put(out, "application_process", record.referral_instructions)
    _put(out, "minimum_age", record.minimum_age)
    _put(out, "maximum_age", record.maximum_age)
    _put(out, "assured_date", _day(record.assured_date))
    _put(out, "last_modified", _instant(record.updated_at))
    if org is not None:
        out["organization"] = organization(org)
    return out


def service_full(
    record: schemas.ServiceRecord,
    orgs: Mapping[UUID, OrganisationInfo],
    terms: Mapping[UUID, TermInfo],
    link_ids: Mapping[tuple[UUID, UUID], UUID],
    *,
    with_locations: bool = True,
) -> dict[str, Any]:
    """A fully nested service (service.json): locations, hours, contacts, terms and the rest.

    `orgs` holds the service's organisation and its locations'; `link_ids` gives each
    (service, location) pair its service_at_location id.
    """
    out = service_summary(record, orgs.get(record.organisation_id))
    out["phones"] = [phone(item) for item in record.phones]
    out["schedules"] = [schedule(item, service_id=record.id) for item in record.schedules]
    out["service_areas"] = [
        {"id": str(area.id), "service_id": str(record.id), "name": area.name}
        | ({"description": area.description} if area.description else {})
        for area in record.service_areas
    ]
    out["languages"] = [language(item, record.id) for item in record.languages]
    out["cost_options"] = [cost_option(item, record.id) for item in record.cost_options]
    out["contacts"] = [contact(item, record.id) for item in record.contacts]
    out["attributes"] = [attribute(record.id, term, terms.get(term.id)) for term in record.terms]
    if with_locations:
        out["service_at_locations"] = [
            {
                "id": str(
                    link_ids.get((record.id, place.id), derived_id(record.id, str(place.id)))
                ),
                "service_id": str(record.id),
                "location_id": str(place.id),
                "location": location_full(place, _owner(record, place, orgs)),
            }
            for place in record.locations
        ]
    out[EXTENSION] = service_extension(record)
    return out


def service_extension(record: schemas.ServiceRecord) -> dict[str, Any]:
    """What HSDS 3.0 has no field for: referral routes, capacity, response target, checks."""
    return {
        "referral_methods": list(record.referral_methods),
        "capacity": {
            "status": record.capacity_status,
            "waitlist_weeks": record.capacity_waitlist_weeks,
            "note": record.capacity_note,
            "updated_at": _instant(record.capacity_updated_at),
        },
        "response_target_days": record.response_target_days,
        "is_free": record.is_free,
        "verified_at": _instant(record.verified_at),
        "schedule_exceptions": [exception(item) for item in record.exceptions],
    }


def attribute(service_id: UUID, term: schemas.Term, info: TermInfo | None) -> dict[str, Any]:
    """A service's taxonomy term as an HSDS attribute (the link and the term itself)."""
    detail = info or TermInfo(
        id=term.id, code=term.code, name=term.name, taxonomy_id=term.taxonomy_id
    )
    return {
        "id": str(derived_id(service_id, f"attribute:{term.id}")),
        "link_id": str(service_id),
        "link_entity": "service",
        "taxonomy_term_id": str(term.id),
        "taxonomy_term": taxonomy_term(detail),
    }


def location_type(place: schemas.Location) -> str:
    """`physical` when it has an address or a point, else `virtual`."""
    has_point = place.latitude is not None and place.longitude is not None
    return "physical" if (place.address_1 or place.postal_code or has_point) else "virtual"


def location_summary(place: schemas.Location) -> dict[str, Any]:
    """A location's one-to-one fields (service_at_location_list)."""
    out: dict[str, Any] = {
        "id": str(place.id),
        "location_type": location_type(place),
        "organization_id": str(place.organisation_id),
    }
    _put(out, "name", place.name)
    _put(out, "description", place.description)
    _put(out, "transportation", place.transportation)
    _put(out, "latitude", place.latitude)
    _put(out, "longitude", place.longitude)
    return out


def _owner(
    record: schemas.ServiceRecord, place: schemas.Location, orgs: Mapping[UUID, OrganisationInfo]
) -> OrganisationInfo | None:
    """The location's organisation when it is not the service's own (e.g. the hub's building)."""
    if place.organisation_id == record.organisation_id:
        return None
    return orgs.get(place.organisation_id)


def location_full(place: schemas.Location, owner: OrganisationInfo | None = None) -> dict[str, Any]:
    """A location with its address, accessibility, phones and opening hours.

    `owner`, when the location is another organisation's, travels in the extension so an
    import can create that organisation before the location needs it.
    """
    out = location_summary(place)
    out["addresses"] = [address(place)] if (place.address_1 or place.postal_code) else []
    out["accessibility"] = [
        {"id": str(item.id), "location_id": str(place.id)}
        | {key: value for key, value in _accessibility(item).items() if value}
        for item in place.accessibility
    ]
    out["phones"] = [phone(item) for item in place.phones]
    out["schedules"] = [schedule(item, location_id=place.id) for item in place.schedules]
    out[EXTENSION] = {"schedule_exceptions": [exception(item) for item in place.exceptions]}
    if owner is not None:
        out[EXTENSION]["organization"] = organization(owner)
    return out


def _accessibility(item: schemas.Accessibility) -> dict[str, Any]:
    return {
        "description": item.description,
        "details": item.details,
        "url": uri_or_none(item.url),
    }


def address(place: schemas.Location) -> dict[str, Any]:
    """The location's postal address (ORUK requires these keys, even when empty)."""
    out: dict[str, Any] = {
        "id": str(derived_id(place.id, "address")),
        "location_id": str(place.id),
        "address_1": place.address_1,
        "city": place.city,
        "state_province": place.region,
        "postal_code": place.postal_code,
        "country": place.country,
        "address_type": "physical",
    }
    _put(out, "address_2", place.address_2)
    _put(out, "region", place.region)
    return out


def phone(item: schemas.Phone) -> dict[str, Any]:
    """A phone number (HSDS wants the extension as a number, so only digits are kept)."""
    out: dict[str, Any] = {"id": str(item.id), "number": item.number, "type": item.type}
    if item.extension.isdigit():
        out["extension"] = int(item.extension)
    _put(out, "description", item.description)
    return out


def schedule(
    item: schemas.Schedule, *, service_id: UUID | None = None, location_id: UUID | None = None
) -> dict[str, Any]:
    """An opening rule in RRULE fields."""
    out: dict[str, Any] = {
        "id": str(item.id),
        "freq": item.freq,
        "interval": 1,
        "byday": item.byday,
        "opens_at": _clock(item.opens_at),
        "closes_at": _clock(item.closes_at),
    }
    _put(out, "service_id", str(service_id) if service_id else None)
    _put(out, "location_id", str(location_id) if location_id else None)
    _put(out, "valid_from", _day(item.valid_from))
    _put(out, "valid_to", _day(item.valid_to))
    _put(out, "description", item.description)
    return out


def exception(item: schemas.ScheduleException) -> dict[str, Any]:
    """A dated exception (closed, or other hours on that date)."""
    out: dict[str, Any] = {"id": str(item.id), "date": item.on_date.isoformat()}
    out["closed"] = item.closed
    _put(out, "opens_at", _clock(item.opens_at))
    _put(out, "closes_at", _clock(item.closes_at))
    _put(out, "description", item.description)
    return out


def language(item: schemas.Language, service_id: UUID) -> dict[str, Any]:
    """A language the service is offered in."""
    out: dict[str, Any] = {"id": str(item.id), "service_id": str(service_id)}
    _put(out, "name", item.name)
    _put(out, "code", item.code)
    return out


def cost_option(item: schemas.CostOption, service_id: UUID) -> dict[str, Any]:
    """A cost."""
    out: dict[str, Any] = {"id": str(item.id), "service_id": str(service_id)}
    _put(out, "option", item.option)
    _put(out, "amount", item.amount)
    _put(out, "currency", item.currency)
    _put(out, "amount_description", item.amount_description)
    return out


def contact(item: schemas.Contact, service_id: UUID) -> dict[str, Any]:
    """A named contact."""
    out: dict[str, Any] = {"id": str(item.id), "service_id": str(service_id)}
    _put(out, "name", item.name)
    _put(out, "title", item.title)
    _put(out, "department", item.department)
    _put(out, "email", email_or_none(item.email))
    return out


def service_at_location_summary(
    link_id: UUID,
    record: schemas.ServiceRecord,
    place: schemas.Location,
    org: OrganisationInfo | None,
) -> dict[str, Any]:
    """One service at one location, one-to-one fields (service_at_location_list)."""
    return {
        "id": str(link_id),
        "service_id": str(record.id),
        "location_id": str(place.id),
        "location": location_summary(place),
        "service": service_summary(record, org),
    }


def service_at_location_full(
    link_id: UUID,
    record: schemas.ServiceRecord,
    place: schemas.Location,
    orgs: Mapping[UUID, OrganisationInfo],
    terms: Mapping[UUID, TermInfo],
) -> dict[str, Any]:
    """One service at one location, fully nested (service_at_location.json)."""
    return {
        "id": str(link_id),
        "service_id": str(record.id),
        "location_id": str(place.id),
        "location": location_full(place, _owner(record, place, orgs)),
        "service": service_full(record, orgs, terms, {}, with_locations=False),
    }

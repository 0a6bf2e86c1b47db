"""A plain CSV of services, one per line, as a spreadsheet would hold them.

Columns (header names are case-insensitive; only `name` and `organisation` are required):
name, organisation (or organization), id, description, categories (need-category codes or
names, separated by ; or ,), phone, email, website (or url), address, address_2, town (or
city), postcode, latitude, longitude, hours ("Mon-Fri 09:00-17:00; Sat 10-14"),
referral_methods ("network; phone; self; drop in"), referral_instructions, capacity
("accepting", "waitlist", "not accepting", "assessment first"), waitlist_weeks,
response_target_days, minimum_age, maximum_age, languages ("pl; Arabic"), eligibility,
fees ("free" or what it costs), status. Without latitude and longitude a known postcode
gives the point. A line without an id gets a stable one from organisation and name, so
importing the same file again updates the same listings.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from directory import schemas
from directory.exchange.fields import FieldReader
from directory.exchange.hours_text import HoursTextError, parse_hours
from directory.exchange.hsds_in import IMPORT_NAMESPACE, STATUSES, Candidate
from directory.exchange.postcodes import postcode_point
from directory.openreferral.info import OrganisationInfo
from directory.tables import Location, Phone, Service, TaxonomyTerm
from hub.csv_cells import read_cell
from hub.errors import Invalid
from hub.tables import Organisation

ALIASES = {
    "organization": "organisation", "url": "website", "address_1": "address", "city": "town",
    "postal_code": "postcode", "referral": "referral_methods", "min_age": "minimum_age",
    "max_age": "maximum_age", "category": "categories", "lat": "latitude", "lon": "longitude",
    "long": "longitude", "lng": "longitude",
}  # fmt: skip
REFERRAL_WORDS = {
    "network": "network", "e-referral": "network", "network e-referral": "network",
    "ereferral": "network", "phone": "phone", "telephone": "phone", "self": "self",
    "self-referral": "self", "self referral": "self", "drop in": "drop_in",
    "drop-in": "drop_in", "drop_in": "drop_in", "dropin": "drop_in",
}  # fmt: skip
CAPACITY_WORDS = {
    "accepting": "accepting", "open": "accepting", "waitlist": "waitlist",
    "waiting list": "waitlist", "not accepting": "not_accepting",
    "not_accepting": "not_accepting", "closed": "not_accepting",
    "assessment first": "assessment_first", "assessment_first": "assessment_first",
}  # fmt: skip
LANGUAGE_NAMES = {
    "english": "en", "polish": "pl", "arabic": "ar", "urdu": "ur", "punjabi": "pa",
    "romanian": "ro", "bengali": "bn", "mandarin": "zh", "chinese": "zh", "french": "fr",
    "spanish": "es", "portuguese": "pt", "kurdish": "ku", "farsi": "fa", "persian": "fa",
    "tigrinya": "ti", "somali": "so", "ukrainian": "uk", "russian": "ru", "gaelic": "gd",
    "scots gaelic": "gd", "british sign language": "bfi", "bsl": "bfi",
}  # fmt: skip


LANGUAGE_OF_CODE = {code: name.title() for name, code in reversed(LANGUAGE_NAMES.items())}


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


def _words(reader: FieldReader, row: dict[str, Any], key: str, table: dict[str, str]) -> list[str]:
    found = []
    for word in _split(reader.text(row, "", key)):
        code = table.get(word.lower())
        if code is None:
            reader.error(
                row, "", key, f"'{word}' is not one of {', '.join(sorted(set(table.values())))}"
            )
        else:
            found.append(code)
    return list(dict.fromkeys(found))


async def _term_lookup() -> dict[str, schemas.Term]:
    rows = await TaxonomyTerm.select(
        TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.taxonomy
    )
    lookup: dict[str, schemas.Term] = {}
    for row in rows:
        term = schemas.Term(
            id=row["id"], code=row["code"], name=row["name"], taxonomy_id=row["taxonomy"]
        )
        lookup.setdefault(row["code"].lower(), term)
        lookup.setdefault(row["name"].lower(), term)
    return lookup


def _hours(
    reader: FieldReader, row: dict[str, Any], service_id: uuid.UUID
) -> list[schemas.Schedule]:
    text = reader.text(row, "", "hours")
    try:
        rules = parse_hours(text)
    except HoursTextError as exc:
        reader.error(row, "", "hours", str(exc))
        return []
    return [
        schemas.Schedule(
            id=uuid.uuid5(service_id, f"schedule:{index}"),
            freq=rule.freq,
            byday=rule.byday,
            opens_at=rule.opens_at,
            closes_at=rule.closes_at,
        )
        for index, rule in enumerate(rules)
    ]


async def _location(
    reader: FieldReader, row: dict[str, Any], org_id: uuid.UUID
) -> schemas.Location | None:
    address = reader.text(row, "", "address", limit=(Location, "address_1"))
    postcode = reader.text(row, "", "postcode", limit=(Location, "postal_code")).upper()
    latitude, longitude = reader.number(row, "", "latitude"), reader.number(row, "", "longitude")
    if (latitude is None) != (longitude is None):
        reader.error(
            row, "", "longitude" if longitude is None else "latitude", "is required with the other"
        )
    elif (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        reader.error(row, "", "latitude", "the point is not on the map")
    if latitude is None and postcode:
        point = await postcode_point(postcode)
        if point is None:
            reader.warn(row, "", "postcode", f"'{postcode}' is not a postcode we know; no point")
        else:
            latitude, longitude = point
    if not (address or postcode or latitude is not None):
        return None
    key = f"location:{address.casefold()}|{postcode.replace(' ', '')}"
    return schemas.Location(
        id=uuid.uuid5(org_id, key),
        organisation_id=org_id,
        address_1=address,
        address_2=reader.text(row, "", "address_2", limit=(Location, "address_2")),
        city=reader.text(row, "", "town", limit=(Location, "city")),
        postal_code=postcode,
        latitude=latitude,
        longitude=longitude,
    )


async def _candidate(row: dict[str, Any], where: str, terms: dict[str, schemas.Term]) -> Candidate:
    reader = FieldReader(where)
    name = reader.text(row, "", "name", limit=(Service, "name"), required=True)
    org_name = reader.text(row, "", "organisation", limit=(Organisation, "name"), required=True)
    org = OrganisationInfo(
        id=uuid.uuid5(IMPORT_NAMESPACE, f"organisation:{org_name.casefold()}"), name=org_name
    )
    service_id = reader.uuid(row, "", "id") or uuid.uuid5(
        IMPORT_NAMESPACE, f"service:{org_name.casefold()}|{name.casefold()}"
    )
    status = reader.text(row, "", "status").lower() or "active"
    if status not in STATUSES:
        reader.error(row, "", "status", f"'{status}' is not one of {', '.join(STATUSES)}")
    categories = []
    for word in _split(reader.text(row, "", "categories")):
        term = terms.get(word.lower())
        if term is None:
            reader.error(row, "", "categories", f"'{word}' is not a need category we have")
        else:
            categories.append(term)
    capacity = _words(reader, row, "capacity", CAPACITY_WORDS)
    fees = reader.text(row, "", "fees")
    phone = reader.text(row, "", "phone", limit=(Phone, "number"))
    languages = []
    for word in _split(reader.text(row, "", "languages")):
        code = LANGUAGE_NAMES.get(word.lower(), word.lower() if len(word) <= 3 else "")
        label = word if len(word) > 3 else LANGUAGE_OF_CODE.get(code, "")
        language_id = uuid.uuid5(service_id, f"language:{word.lower()}")
        languages.append(schemas.Language(id=language_id, code=code, name=label))
    place = await _location(reader, row, org.id)
    record = schemas.ServiceRecord(
        id=service_id,
        organisation_id=org.id,
        organisation_name=org_name,
        name=name,
        description=reader.text(row, "", "description"),
        url=reader.url(row, "", "website", (Service, "url")),
        email=reader.email(row, "", "email", (Service, "email")),
        status=status,
        fees_description="" if fees.lower() == "free" else fees,
        is_free=not fees or fees.lower() == "free",
        eligibility_description=reader.text(row, "", "eligibility"),
        minimum_age=reader.whole(row, "", "minimum_age"),
        maximum_age=reader.whole(row, "", "maximum_age"),
        referral_methods=_words(reader, row, "referral_methods", REFERRAL_WORDS),
        referral_instructions=reader.text(row, "", "referral_instructions"),
        capacity_status=capacity[0] if capacity else "accepting",
        capacity_waitlist_weeks=reader.whole(row, "", "waitlist_weeks"),
        response_target_days=reader.whole(row, "", "response_target_days"),
        locations=[place] if place else [],
        phones=[schemas.Phone(id=uuid.uuid5(service_id, "phone"), number=phone)] if phone else [],
        languages=list({language.id: language for language in languages}.values()),
        terms=list({term.id: term for term in categories}.values()),
        schedules=_hours(reader, row, service_id),
    )
    failed = bool(reader.errors) or not name or not org_name
    return Candidate(
        where=where,
        key=str(service_id),
        record=None if failed else record,
        organisation=org,
        errors=reader.errors,
        warnings=reader.warnings,
    )


def _normalised(header: list[str]) -> list[str]:
    names = [name.strip().lower().replace(" ", "_") for name in header]
    return [ALIASES.get(name, name) for name in names]


def count_rows(path: Path) -> int:
    """Lines of data (for the progress bar)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


async def read_plain_csv(path: Path) -> AsyncIterator[Candidate]:
    """Every line of the file as a Candidate.

    Raises:
        Invalid: the file lacks a name or organisation column (or is an HSDS services.csv).
    """
    terms = await _term_lookup()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = _normalised(next(reader, []))
        if "organization_id" in header and "organisation" not in header:
            msg = (
                f"{path.name} looks like an HSDS services.csv: import its folder (the datapackage)"
            )
            raise Invalid(msg)
        missing = [column for column in ("name", "organisation") if column not in header]
        if missing:
            msg = f"{path.name} has no {' or '.join(missing)} column"
            raise Invalid(msg)
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = dict(zip(header, map(read_cell, values), strict=False))
            yield await _candidate(row, f"line {reader.line_num}", terms)

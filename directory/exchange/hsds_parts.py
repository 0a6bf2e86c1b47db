"""The parts of an HSDS service read into our Structs: places, phones, hours, contacts, costs.

Ids are kept as the feed gives them; one repeated for the same owner is dropped. Ids shared
by different owners are sorted out before saving (directory.exchange.child_ids).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from directory import schemas
from directory.exchange.fields import FieldReader
from directory.hours import parse_byday
from directory.tables import (
    Accessibility,
    Contact,
    CostOption,
    Language,
    Location,
    Phone,
    ScheduleException,
    ServiceArea,
)

EXTENSION = "wraparound"
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"
UNSUPPORTED_RRULE = ("bymonthday", "byweekno", "byyearday", "count", "until")


class IdBook:
    """Which child ids each owner already has in this listing, so repeats are dropped."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, UUID, UUID]] = set()

    def claim(self, kind: str, child: UUID, owner: UUID) -> bool:
        """False when this owner already has the child (HSDS repeats a service's schedules
        and phones on its service-at-location links)."""
        if (kind, child, owner) in self._seen:
            return False
        self._seen.add((kind, child, owner))
        return True


def _id(reader: FieldReader, obj: dict[str, Any], path: str) -> UUID | None:
    return reader.uuid(obj, path, "id", required=True)


def _fresh(
    reader: FieldReader,
    items: list[dict[str, Any]],
    path: str,
    kind: str,
    owner: UUID,
    book: IdBook,
) -> Iterator[tuple[str, dict[str, Any], UUID]]:
    """(where, object, id) of each item this owner does not have yet."""
    for index, obj in enumerate(items):
        where = f"{path}[{index}]"
        child_id = _id(reader, obj, where)
        if child_id is not None and book.claim(kind, child_id, owner):
            yield where, obj, child_id


def phones(
    reader: FieldReader, items: list[dict[str, Any]], path: str, owner: UUID, book: IdBook
) -> list[schemas.Phone]:
    """Phone numbers; a numeric HSDS extension becomes text."""
    found = []
    for where, obj, phone_id in _fresh(reader, items, path, "phone", owner, book):
        number = reader.text(obj, where, "number", limit=(Phone, "number"), required=True)
        extension = obj.get("extension")
        if isinstance(extension, float) and extension.is_integer():
            obj = {**obj, "extension": int(extension)}
        values = {
            "extension": reader.text(obj, where, "extension", limit=(Phone, "extension")),
            "type": reader.text(obj, where, "type", limit=(Phone, "type")) or "voice",
            "description": reader.text(obj, where, "description"),
        }
        if number:
            found.append(schemas.Phone(id=phone_id, number=number.strip('"'), **values))
    return found


def _rule(reader: FieldReader, obj: dict[str, Any], where: str) -> dict[str, Any] | None:
    """The weekly or monthly rule of one HSDS schedule, or None (with a warning) if we cannot."""
    freq = reader.text(obj, where, "freq").upper() or "WEEKLY"
    byday = ",".join(parse_byday(reader.text(obj, where, "byday")))
    opens_at, closes_at = (
        reader.clock(obj, where, "opens_at"),
        reader.clock(obj, where, "closes_at"),
    )
    interval = reader.number(obj, where, "interval")
    if freq == "DAILY":
        freq, byday = "WEEKLY", byday or ALL_DAYS
    reason = ""
    if freq not in {"WEEKLY", "MONTHLY"}:
        reason = f"freq {freq} cannot be shown as opening hours"
    elif not byday:
        reason = "no byday (days of the week)"
    elif opens_at is None or closes_at is None:
        reason = "no opens_at and closes_at"
    elif interval not in (None, 1):
        reason = f"every {interval:g} {freq.lower()[:-2]}s cannot be shown as opening hours"
    if reason:
        reader.warn(obj, where, "freq" if "freq" in reason else "byday", f"{reason}; left out")
        return None
    ignored = [name for name in UNSUPPORTED_RRULE if obj.get(name) not in (None, "")]
    if ignored:
        reader.warn(obj, where, ignored[0], f"{', '.join(ignored)} not supported; ignored")
    return {"freq": freq, "byday": byday, "opens_at": opens_at, "closes_at": closes_at}


def schedules(
    reader: FieldReader, items: list[dict[str, Any]], path: str, owner: UUID, book: IdBook
) -> list[schemas.Schedule]:
    """Opening rules (RRULE fields) we can represent exactly; others are reported."""
    found = []
    for where, obj, schedule_id in _fresh(reader, items, path, "schedule", owner, book):
        rule = _rule(reader, obj, where)
        valid_from, valid_to = (
            reader.day(obj, where, "valid_from"),
            reader.day(obj, where, "valid_to"),
        )
        description = reader.text(obj, where, "description")
        if rule:
            found.append(
                schemas.Schedule(
                    id=schedule_id,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    description=description,
                    **rule,
                )
            )
    return found


def exceptions(
    reader: FieldReader, obj: dict[str, Any], path: str, owner: UUID, book: IdBook
) -> list[schemas.ScheduleException]:
    """Dated exceptions from our `wraparound` extension (HSDS 3.0 has none)."""
    extension = reader.child(obj, path, EXTENSION) or {}
    found = []
    items = reader.items(extension, f"{path}.{EXTENSION}", "schedule_exceptions")
    where_all = f"{path}.{EXTENSION}.schedule_exceptions".lstrip(".")
    for where, item, exception_id in _fresh(reader, items, where_all, "exception", owner, book):
        on_date = reader.day(item, where, "date")
        if on_date is None:
            reader.error(item, where, "date", "is required")
        exception = schemas.ScheduleException(
            id=exception_id,
            on_date=on_date or date.min,
            closed=reader.flag(item, where, "closed", True),
            opens_at=reader.clock(item, where, "opens_at"),
            closes_at=reader.clock(item, where, "closes_at"),
            description=reader.text(
                item, where, "description", limit=(ScheduleException, "description")
            ),
        )
        if on_date:
            found.append(exception)
    return found


def _address(reader: FieldReader, obj: dict[str, Any], path: str) -> dict[str, Any]:
    items = reader.items(obj, path, "addresses")
    if not items:
        return {}
    chosen = next((a for a in items if a.get("address_type") == "physical"), items[0])
    where = f"{path}.addresses[{items.index(chosen)}]"
    country = reader.text(chosen, where, "country").upper()
    if country == "UK":
        country = "GB"
    if country and len(country) != 2:
        reader.error(chosen, where, "country", f"'{country}' is not a two-letter country code")
    return {
        "address_1": reader.text(chosen, where, "address_1", limit=(Location, "address_1")),
        "address_2": reader.text(chosen, where, "address_2", limit=(Location, "address_2")),
        "city": reader.text(chosen, where, "city", limit=(Location, "city")),
        "region": reader.text(chosen, where, "region", limit=(Location, "region"))
        or reader.text(chosen, where, "state_province", limit=(Location, "region")),
        "postal_code": reader.text(chosen, where, "postal_code", limit=(Location, "postal_code")),
        "country": country if len(country) == 2 else "GB",
    }


def _point(
    reader: FieldReader, obj: dict[str, Any], path: str
) -> tuple[float | None, float | None]:
    latitude, longitude = (
        reader.number(obj, path, "latitude"),
        reader.number(obj, path, "longitude"),
    )
    if latitude is None or longitude is None:
        return None, None
    for key, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if not -limit <= value <= limit:
            reader.warn(obj, path, key, f"{value:g} is outside ±{limit}; the point is left out")
            return None, None
    return latitude, longitude


def location(
    reader: FieldReader, obj: dict[str, Any], path: str, fallback_org: UUID, book: IdBook
) -> schemas.Location | None:
    """A location with its address, point, accessibility, phones and hours.

    Its organisation, when the feed gives one, is the location's `organization_id`; our
    exports also give that organisation's details (see `location_owner`).
    """
    location_id = _id(reader, obj, path)
    latitude, longitude = _point(reader, obj, path)
    owner = location_id or fallback_org
    accessibility = []
    items = reader.items(obj, path, "accessibility")
    for where, item, item_id in _fresh(
        reader, items, f"{path}.accessibility", "accessibility", owner, book
    ):
        values = {
            "description": reader.text(item, where, "description")
            or reader.text(item, where, "accessibility"),
            "details": reader.text(item, where, "details"),
            "url": reader.url(item, where, "url", (Accessibility, "url")),
        }
        accessibility.append(schemas.Accessibility(id=item_id, **values))
    found = schemas.Location(
        id=owner,
        organisation_id=reader.uuid(obj, path, "organization_id") or fallback_org,
        name=reader.text(obj, path, "name", limit=(Location, "name")),
        description=reader.text(obj, path, "description"),
        transportation=reader.text(obj, path, "transportation"),
        latitude=latitude,
        longitude=longitude,
        accessibility=accessibility,
        phones=phones(reader, reader.items(obj, path, "phones"), f"{path}.phones", owner, book),
        schedules=schedules(
            reader, reader.items(obj, path, "schedules"), f"{path}.schedules", owner, book
        ),
        exceptions=exceptions(reader, obj, path, owner, book),
        **_address(reader, obj, path),
    )
    return found if location_id else None


def location_owner(reader: FieldReader, obj: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The owning organisation our exports put in a location's extension, if any."""
    extension = reader.child(obj, path, EXTENSION) or {}
    return reader.child(extension, f"{path}.{EXTENSION}", "organization")


def contacts(
    reader: FieldReader, items: list[dict[str, Any]], path: str, owner: UUID, book: IdBook
) -> list[schemas.Contact]:
    """Named contacts."""
    found = []
    for where, obj, contact_id in _fresh(reader, items, path, "contact", owner, book):
        values = {
            "name": reader.text(obj, where, "name", limit=(Contact, "name")),
            "title": reader.text(obj, where, "title", limit=(Contact, "title")),
            "department": reader.text(obj, where, "department", limit=(Contact, "department")),
            "email": reader.email(obj, where, "email", (Contact, "email")),
        }
        found.append(schemas.Contact(id=contact_id, **values))
    return found


def languages(
    reader: FieldReader, items: list[dict[str, Any]], path: str, owner: UUID, book: IdBook
) -> list[schemas.Language]:
    """Languages; one with neither a code nor a name says nothing and is left out."""
    found = []
    for where, obj, language_id in _fresh(reader, items, path, "language", owner, book):
        code = reader.text(obj, where, "code", limit=(Language, "code")).lower()
        name = reader.text(obj, where, "name", limit=(Language, "name"))
        if not code and not name:
            reader.warn(obj, where, "code", "a language with no code or name; left out")
            continue
        found.append(schemas.Language(id=language_id, code=code, name=name))
    return found


def cost_options(
    reader: FieldReader, items: list[dict[str, Any]], path: str, owner: UUID, book: IdBook
) -> list[schemas.CostOption]:
    """Costs; the currency is upper-cased (HSDS's example says `gbp`)."""
    found = []
    for where, obj, cost_id in _fresh(reader, items, path, "cost_option", owner, book):
        currency = reader.text(obj, where, "currency", limit=(CostOption, "currency"))
        found.append(
            schemas.CostOption(
                id=cost_id,
                option=reader.text(obj, where, "option", limit=(CostOption, "option")),
                amount=reader.number(obj, where, "amount"),
                currency=currency.upper() or "GBP",
                amount_description=reader.text(obj, where, "amount_description"),
            )
        )
    return found


def service_areas(
    reader: FieldReader, items: list[dict[str, Any]], path: str, owner: UUID, book: IdBook
) -> list[schemas.ServiceArea]:
    """Where clients may live (ORUK's `service_area` text stands in for a missing name)."""
    found = []
    for where, obj, area_id in _fresh(reader, items, path, "service_area", owner, book):
        name = reader.text(obj, where, "name", limit=(ServiceArea, "name")) or reader.text(
            obj, where, "service_area", limit=(ServiceArea, "name")
        )
        description = reader.text(obj, where, "description")
        found.append(schemas.ServiceArea(id=area_id, name=name, description=description))
    return found

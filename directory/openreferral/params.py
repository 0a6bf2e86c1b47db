"""The Open Referral UK query parameters and the page envelope, parsed and checked."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

import msgspec

from directory.hours import DAY_CODES, DAY_NAMES
from hub.errors import Invalid

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
MAX_PROXIMITY_METRES = 200_000
MAX_AGE = 150
MAX_SEARCH_LENGTH = 200
MAX_TERM_IDS = 100
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


class BadQuery(Invalid):
    """A query parameter the API cannot use; answered 400 with each parameter's problem."""

    status_code = 400
    title = "Bad request"


class Paging(msgspec.Struct, frozen=True, kw_only=True):
    """Which page of how many."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page


class ServiceQuery(msgspec.Struct, frozen=True, kw_only=True):
    """ORUK `/services` and `/service_at_locations` filters (all optional, combined with AND)."""

    paging: Paging = Paging()
    search: str = ""
    """Words to find (`text`, or `search`), through the directory's own search."""
    matching_ids: tuple[UUID, ...] | None = None
    """Services the words find, best first (set by the reads, not by the client)."""
    taxonomy_term_ids: tuple[UUID, ...] = ()
    taxonomy_id: UUID | None = None
    organization_id: UUID | None = None
    modified_after: datetime | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str = ""
    start_time: time | None = None
    end_time: time | None = None
    postcode: str = ""
    proximity: float | None = None


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """The ORUK page envelope."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


def page_of(total: int, paging: Paging, contents: list[dict[str, Any]]) -> Page:
    """The envelope for one page; an empty result is one empty page, not zero pages."""
    total_pages = max(1, math.ceil(total / paging.per_page))
    return Page(
        total_items=total,
        total_pages=total_pages,
        page_number=paging.page,
        size=len(contents),
        first_page=paging.page == 1,
        last_page=paging.page >= total_pages,
        empty=not contents,
        contents=contents,
    )


def _whole(
    params: Mapping[str, str], name: str, default: int, most: int, errors: dict[str, str]
) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    # ASCII digits only, and few enough of them to compare without building a huge int.
    if not re.fullmatch(r"[0-9]{1,18}", raw) or not 1 <= int(raw) <= most:
        errors[name] = f"must be a whole number from 1 to {most}"
        return default
    return int(raw)


def parse_paging(params: Mapping[str, str]) -> Paging:
    """`page` (at most MAX_PAGE) and `per_page` (at most MAX_PER_PAGE).

    Raises:
        BadQuery: either is not a whole number within its limits (the message names them).
    """
    errors: dict[str, str] = {}
    page = _whole(params, "page", 1, MAX_PAGE, errors)
    per_page = _whole(params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, errors)
    if errors:
        raise BadQuery(_message(errors), errors)
    return Paging(page=page, per_page=per_page)


def parse_taxonomy_filter(params: Mapping[str, str]) -> UUID | None:
    """`/taxonomy_terms`'s optional `taxonomy_id`.

    Raises:
        BadQuery: it is given and is not an id.
    """
    errors: dict[str, str] = {}
    raw = params.get("taxonomy_id", "").strip()
    found = _uuid(raw, "taxonomy_id", errors) if raw else None
    if errors:
        raise BadQuery(_message(errors), errors)
    return found


def _message(errors: dict[str, str]) -> str:
    return "; ".join(f"{name} {problem}" for name, problem in errors.items())


def _uuid(raw: str, name: str, errors: dict[str, str]) -> UUID | None:
    try:
        return UUID(raw.strip())
    except ValueError:
        errors[name] = "must be an id (a UUID)"
        return None


def _number(raw: str, name: str, most: float, errors: dict[str, str]) -> float | None:
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,6})?", raw.strip()):
        errors[name] = f"must be a number from 0 to {most:g}"
        return None
    value = float(raw)
    if value > most:
        errors[name] = f"must be a number from 0 to {most:g}"
        return None
    return value


def _time(raw: str, name: str, errors: dict[str, str]) -> time | None:
    try:
        return time.fromisoformat(raw.strip()).replace(tzinfo=None)
    except ValueError:
        errors[name] = "must be a time such as 09:30"
        return None


def _instant(raw: str, errors: dict[str, str]) -> datetime | None:
    problem = (
        f"must be a date or date and time from {EARLIEST_YEAR} to {LATEST_YEAR}, "
        "e.g. 2025-01-31T09:00:00Z"
    )
    try:
        moment = datetime.fromisoformat(raw.strip())
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        errors["modified_after"] = problem
        return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        errors["modified_after"] = problem
        return None
    return moment


def day_code(raw: str) -> str | None:
    """`MO`, `mon` or `Monday` -> `MO`; None when it is not a day."""
    text = raw.strip().lower()
    for code, name in zip(DAY_CODES, DAY_NAMES, strict=True):
        if text in {code.lower(), name.lower(), name[:3].lower()}:
            return code
    return None


def parse_service_query(params: Mapping[str, str]) -> ServiceQuery:
    """Every ORUK filter, checked; unknown parameters are ignored as ORUK allows.

    Raises:
        BadQuery: any parameter is malformed; every problem is listed.
    """
    errors: dict[str, str] = {}
    try:
        paging = parse_paging(params)
    except BadQuery as exc:
        errors.update(exc.errors)
        paging = Paging()
    # ORUK 3.0 names the full-text filter `text`; earlier clients send `search`.
    text = params.get("text", "").strip() or params.get("search", "").strip()
    values: dict[str, Any] = {"paging": paging, "search": text}
    if len(values["search"]) > MAX_SEARCH_LENGTH:
        errors["search"] = f"must be at most {MAX_SEARCH_LENGTH} characters"
    if raw := params.get("taxonomy_term_id", "").strip():
        parts = raw.split(",")
        if len(parts) > MAX_TERM_IDS:
            errors["taxonomy_term_id"] = f"must list at most {MAX_TERM_IDS} ids"
            parts = []
        found = [_uuid(part, "taxonomy_term_id", errors) for part in parts]
        values["taxonomy_term_ids"] = tuple(term for term in found if term)
    for name in ("taxonomy_id", "organization_id"):
        if raw := params.get(name, "").strip():
            values[name] = _uuid(raw, name, errors)
    if raw := params.get("modified_after", "").strip():
        values["modified_after"] = _instant(raw, errors)
    for name, most in (
        ("minimum_age", MAX_AGE),
        ("maximum_age", MAX_AGE),
        ("proximity", MAX_PROXIMITY_METRES),
    ):
        if raw := params.get(name, "").strip():
            values[name] = _number(raw, name, most, errors)
    if raw := params.get("day", "").strip():
        values["day"] = day_code(raw) or ""
        if not values["day"]:
            errors["day"] = "must be a day, e.g. MO or Monday"
    for name in ("start_time", "end_time"):
        if raw := params.get(name, "").strip():
            values[name] = _time(raw, name, errors)
    values["postcode"] = params.get("postcode", "").strip()
    proximity = values.get("proximity")
    if proximity is not None and not values["postcode"]:
        errors["proximity"] = "needs a postcode to measure from"
    if errors:
        raise BadQuery(_message(errors), errors)
    return ServiceQuery(**values)

"""Staff search: read the form, find where distance is measured from, search, shape results."""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec

from directory.hours import DAY_CODES, DAY_NAMES, LONDON, status_and_open
from directory.listings.schemas import LANGUAGES
from directory.places.postcodes import EXPECTED as EXPECTED_POSTCODE
from directory.places.postcodes import locate as locate_postcode
from directory.places.postcodes import parse as parse_postcode
from directory.search.backend import get_backend
from directory.search.collapsed import AlsoListed, also_listed
from directory.search.fallback import suggest_needs
from directory.search.results import ResultListing, load_results
from directory.search.schemas import GeoPoint, SearchQuery, SearchResults
from directory.signposting.services import on_list_query
from directory.tables import Location
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import clock
from hub.accounts.schemas import Principal
from hub.db import raw
from hub.web.numbers import whole_number

PER_PAGE = 20
MAX_PAGE = 10_000
OPEN_NOW_SHOWN = 5
DISTANCES = ("1", "2", "5", "10", "25")
MILES_PER_KM = 0.621371
SUMMARY_LENGTH = 180
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")


class SearchForm(msgspec.Struct, kw_only=True):
    """The search form as typed: every field a string or list, checked when building a query."""

    q: str = ""
    category: list[str] = []
    when: str = ""
    """Empty for any time, `now`, or `at` (then `day` and `time` say when)."""
    day: str = "today"
    """`today`, `tomorrow` or a weekday code (`mo` ... `su`: the next one)."""
    time: str = ""
    evenings: bool = False
    weekends: bool = False
    network: bool = False
    accepting: bool = False
    free: bool = False
    language: str = ""
    age: str = ""
    distance: str = ""
    near: str = "hub"
    """Measure distance from the `hub` or a `postcode`."""
    postcode: str = ""
    lat: str = ""
    lon: str = ""
    sort: str = "relevance"
    page: int = 1
    exact: bool = False
    """Search the words as typed (the "search for ... instead" link)."""


def read_search_form(params: Mapping[str, Sequence[str]]) -> SearchForm:
    """The form from query parameters (name -> values); anything unexpected is ignored."""
    values: dict[str, Any] = {}
    for name, hint in SearchForm.__annotations__.items():
        given = [value for value in params.get(name, []) if isinstance(value, str)]
        if not given:
            continue
        if hint == "bool":
            values[name] = given[-1].lower() in {"true", "on", "yes", "1"}
        elif hint == "list[str]":
            values[name] = [value.strip() for value in given if value.strip()]
        elif hint == "int":
            values[name] = whole_number(given[-1], 1, MAX_PAGE) or 1
        else:
            values[name] = given[-1].strip()[:200]
    return msgspec.convert(values, SearchForm)


class Result(msgspec.Struct, kw_only=True):
    """One result as the page shows it."""

    service: ResultListing
    status: str
    is_open: bool
    distance_km: float | None
    stale: bool
    on_list: bool
    approximate: bool = False
    """The distance is from the middle of a postcode sector or district, not the postcode."""
    also_listed: list[AlsoListed] = []
    """Possible duplicates collapsed into this one while an admin decides."""

    @property
    def summary(self) -> str:
        """What it does, in a sentence or two."""
        text = " ".join(self.service.description.split())
        if len(text) <= SUMMARY_LENGTH:
            return text
        return text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:.") + "…"

    @property
    def distance_text(self) -> str:
        """The distance in both units, like 1.2 km (0.7 miles)."""
        if self.distance_km is None:
            return ""
        about = "About " if self.approximate else ""
        if self.distance_km < 0.05:
            return f"{about}under 0.1 km (next door)".capitalize()
        return f"{about}{self.distance_km:.1f} km ({self.distance_km * MILES_PER_KM:.1f} miles)"


class Option(msgspec.Struct, frozen=True):
    """A filter choice with its facet count."""

    value: str
    text: str
    count: int
    selected: bool


class SearchPage(msgspec.Struct, kw_only=True):
    """Everything the search page shows."""

    form: SearchForm
    results: SearchResults
    items: list[Result]
    errors: dict[str, str]
    origin_label: str
    has_origin: bool
    origin_note: str = ""
    """Why distances are approximate, or from the hub, when the postcode was not found exactly."""
    categories: list[Option]
    languages: list[Option]
    pages: int
    page_urls: dict[int, str]
    exact_url: str = ""
    """The same search with the words as typed, when some were corrected."""
    suggested_needs: list[Option] = []
    """When nothing was found: the need categories the words may mean (links)."""
    open_now: list[Result] = []
    """When nothing was found: services open now, nearest the hub first."""


async def hub_point(principal: Principal | None) -> tuple[GeoPoint, str] | None:
    """Where "from the hub" measures from: the hub's first located place (else one's own)."""
    own = principal.organisation_id if principal else None
    whose = Location.organisation.kind == "hub"
    if own is not None:
        whose = whose | (Location.organisation.id == own)
    rows = await Location.select(
        Location.latitude,
        Location.longitude,
        Location.organisation.id.as_alias("organisation_id"),
        Location.organisation.name.as_alias("organisation_name"),
        Location.organisation.kind.as_alias("kind"),
    ).where(Location.latitude.is_not_null() & Location.longitude.is_not_null() & whose)
    if not rows:
        return None
    rows.sort(key=lambda row: (row["kind"] != "hub", row["organisation_id"] != own))
    best = rows[0]
    return GeoPoint(best["latitude"], best["longitude"]), best["organisation_name"]


def _point(lat: str, lon: str) -> GeoPoint | None:
    try:
        point = GeoPoint(float(lat), float(lon))
    except ValueError:
        return None
    finite = math.isfinite(point.latitude) and math.isfinite(point.longitude)
    if finite and abs(point.latitude) <= 90 and abs(point.longitude) <= 180:
        return point
    return None


def open_at(day: str, at: str, now: datetime) -> datetime | None:
    """The next instant matching a day choice and "HH:MM" in Europe/London, or None."""
    match = _TIME.match(at.strip())
    if not match:
        return None
    today = now.astimezone(LONDON).date()
    if day == "tomorrow":
        date = today + timedelta(days=1)
    elif day.upper() in DAY_CODES:
        date = today + timedelta(days=(DAY_CODES.index(day.upper()) - today.weekday()) % 7)
    else:
        date = today
    return datetime.combine(date, time(int(match.group(1)), int(match.group(2))), tzinfo=LONDON)


async def _postcode_origin(text: str, errors: dict[str, str]) -> tuple[GeoPoint | None, str, str]:
    """Where a typed postcode is, what to call it and, when not exact, why (never refused when
    well-formed: one found nowhere leaves the distances to be measured from the hub)."""
    parsed = parse_postcode(text)
    if parsed is None:
        errors["postcode"] = EXPECTED_POSTCODE
        return None, "", ""
    place = await locate_postcode(parsed)
    if place is None:
        return None, "", f"We could not find where {parsed.text} is: distances are from the hub."
    note = ""
    if place.approximate:
        note = (
            f"{parsed.text} is not in our postcode list, so distances are from the middle of "
            f"its {place.label} and are approximate."
        )
    return GeoPoint(place.latitude, place.longitude), place.label, note


async def build_query(
    form: SearchForm, principal: Principal | None
) -> tuple[SearchQuery, dict[str, str], str, str]:
    """The query the form asks for, errors for what could not be used, the origin's name and,
    when the origin is not exactly the postcode typed, a note saying so."""
    errors: dict[str, str] = {}
    now = clock.now()
    age: int | None = None
    if form.age:
        age = whole_number(form.age, 0, 120)
        if age is None:
            errors["age"] = "Enter age as a whole number of years, like 34"
    when = None
    if form.when == "at":
        when = open_at(form.day, form.time, now)
        if when is None:
            errors["time"] = "Enter a time like 18:30"
    origin: GeoPoint | None = None
    label = ""
    note = ""
    if form.near == "postcode" and form.postcode:
        origin, label, note = await _postcode_origin(form.postcode, errors)
    elif form.lat and form.lon:
        origin = _point(form.lat, form.lon)
        label = "the point chosen"
    if origin is None and "postcode" not in errors:
        found = await hub_point(principal)
        if found is not None:
            origin, label = found
    distance = float(form.distance) if form.distance in DISTANCES else None
    query = SearchQuery(
        text=form.q[:200],
        categories=tuple(dict.fromkeys(form.category)),
        open_now=form.when == "now",
        open_at=when,
        evenings=form.evenings,
        weekends=form.weekends,
        accepts_network_referrals=form.network,
        accepting_now=form.accepting,
        free=form.free,
        language=form.language.lower()[:12],
        age=age,
        origin=origin,
        max_distance_km=distance if origin is not None else None,
        sort="distance" if form.sort == "distance" and origin is not None else "relevance",
        page=max(form.page, 1),
        per_page=PER_PAGE,
        exact=form.exact,
    )
    return query, errors, label if origin is not None else "", note


_NEEDS_AND_LIST = (
    "SELECT 'need' AS kind, t.code AS code, t.name AS name, t.position AS position "
    "FROM taxonomy_term t WHERE t.taxonomy = {}"
)
_LISTED = " UNION ALL SELECT 'listed', CAST(o.service AS TEXT), '', 0 FROM ({}) o"


async def _needs_and_list(principal: Principal | None) -> tuple[list[tuple[str, str]], set[UUID]]:
    """The need categories (code, name) in order, and the services on the worker's list.

    One read, beside the search (it was two or three, each its own worker thread on SQLite,
    taking turns with the search's own): the page needs both on every keystroke.
    """
    sql = _NEEDS_AND_LIST
    args: list[Any] = [NEED_TAXONOMY_ID]
    if principal is not None and principal.is_staff:
        sql += _LISTED
        args.append(on_list_query(principal))
    needs: list[tuple[str, str]] = []
    listed: set[UUID] = set()
    for row in await raw(sql + " ORDER BY position", *args):
        if row["kind"] == "need":
            needs.append((row["code"], row["name"]))
        else:
            listed.add(UUID(row["code"]))
    return needs, listed


def _page_urls(params: Sequence[tuple[str, str]], pages: int, current: int) -> dict[int, str]:
    kept = [(name, value) for name, value in params if name != "page"]
    wanted = {1, pages, current - 1, current, current + 1} & set(range(1, pages + 1))
    return {n: "/directory?" + urlencode([*kept, ("page", str(n))]) for n in sorted(wanted)}


async def search_directory(
    form: SearchForm,
    principal: Principal | None,
    *,
    params: Sequence[tuple[str, str]] = (),
) -> SearchPage:
    """Run the staff search; `params` (the query string's pairs) make the page links."""
    query, errors, label, note = await build_query(form, principal)
    # Read the filter names and the list beside the search. This read goes first: on SQLite it
    # runs on this thread and is done before the search's worker thread starts (run while
    # that thread works, it waited for the interpreter lock, up to 5 ms); on PostgreSQL it is
    # in flight while the search is.
    (need_categories, on_list), results = await asyncio.gather(
        _needs_and_list(principal), get_backend().search(query)
    )
    approximate = bool(note) and query.origin is not None and form.near == "postcode"
    items = await _shown(results, on_list, approximate=approximate)
    selected = set(query.categories)
    categories = [
        Option(code, name, results.facets.categories.get(code, 0), code in selected)
        for code, name in need_categories
    ]
    language_codes = set(results.facets.languages) | ({query.language} if query.language else set())
    languages = sorted(
        (
            Option(
                code,
                LANGUAGES.get(code, code.upper()),
                results.facets.languages.get(code, 0),
                code == query.language,
            )
            for code in language_codes
        ),
        key=lambda option: option.text,
    )
    pages = max(1, math.ceil(results.total / PER_PAGE))
    suggested: list[Option] = []
    open_now: list[Result] = []
    if results.total == 0 and query.text.strip():
        suggested, open_now = await _no_dead_end(query, results, need_categories, on_list)
    return SearchPage(
        form=form,
        results=results,
        items=items,
        errors=errors,
        origin_label=label,
        has_origin=query.origin is not None,
        origin_note=note,
        categories=categories,
        languages=languages,
        pages=pages,
        page_urls=_page_urls(params, pages, query.page),
        exact_url=_exact_url(params) if results.searched_for else "",
        suggested_needs=suggested,
        open_now=open_now,
    )


async def _shown(
    results: SearchResults, on_list: set[UUID], *, approximate: bool = False
) -> list[Result]:
    """The page's hits as the page shows them (any removed since the search are left out)."""
    shown = await load_results([hit.service_id for hit in results.items])
    also = await also_listed(
        [key for key, (listing, _) in shown.items() if listing.has_also_listed]
    )
    now = clock.now()
    items = []
    for hit in results.items:
        if hit.service_id not in shown:
            continue  # removed between the search and now
        listing, hours = shown[hit.service_id]
        status, is_open = status_and_open(hours, now)
        items.append(
            Result(
                service=listing,
                status=status,
                is_open=is_open,
                distance_km=hit.distance_km,
                stale=listing.is_stale(now),
                on_list=listing.id in on_list,
                approximate=approximate and hit.distance_km is not None,
                also_listed=also.get(listing.id, []),
            )
        )
    return items


async def _no_dead_end(
    query: SearchQuery,
    results: SearchResults,
    need_categories: list[tuple[str, str]],
    on_list: set[UUID],
) -> tuple[list[Option], list[Result]]:
    """Needs the words may mean, and services open now nearest the hub (or wherever asked)."""
    names = dict(need_categories)
    codes = await suggest_needs(query.text, results.named_categories)
    suggested = [Option(code, names[code], 0, False) for code in codes if code in names]
    around = SearchQuery(
        open_now=True,
        origin=query.origin,
        sort="distance" if query.origin is not None else "relevance",
        per_page=OPEN_NOW_SHOWN,
    )
    return suggested, await _shown(await get_backend().search(around), on_list)


def _exact_url(params: Sequence[tuple[str, str]]) -> str:
    kept = [(name, value) for name, value in params if name not in {"page", "exact"}]
    return "/directory?" + urlencode([*kept, ("exact", "true")])


def day_choices() -> list[tuple[str, str]]:
    """Choices for "open at": today, tomorrow, then each weekday."""
    return [
        ("today", "Today"),
        ("tomorrow", "Tomorrow"),
        *((code.lower(), name) for code, name in zip(DAY_CODES, DAY_NAMES, strict=True)),
    ]

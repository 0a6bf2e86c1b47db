"""What a backend hands the matcher for each listing its index found, and distance helpers."""

from __future__ import annotations

import math
import threading
from typing import Any, NamedTuple

from directory.search.language import index_text
from directory.search.schemas import GeoPoint

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(origin: GeoPoint, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box holding every point within `km`."""
    dlat = km / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(origin.latitude)), 0.01)
    dlon = min(km / (KM_PER_DEGREE * cos_lat), 180.0)
    return (
        origin.latitude - dlat,
        origin.latitude + dlat,
        origin.longitude - dlon,
        origin.longitude + dlon,
    )


_SETS: dict[tuple[str, ...], int] = {}
_SET_VALUES: list[tuple[str, ...]] = []
_SETS_LOCK = threading.Lock()


def code_set(codes: list[str] | tuple[str, ...]) -> int:
    """A small number standing for this set of codes (facets count numbers, then expand)."""
    key = tuple(sorted(codes))
    found = _SETS.get(key)
    if found is None:
        with _SETS_LOCK:
            found = _SETS.get(key)
            if found is None:
                found = len(_SET_VALUES)
                _SET_VALUES.append(key)
                _SETS[key] = found
    return found


def codes_of(number: int) -> tuple[str, ...]:
    """The codes a `code_set` number stands for."""
    return _SET_VALUES[number]


class Document(NamedTuple):
    """What the exact checks and facets need of one indexed listing.

    Only tuples, strings and numbers, so a cache of thousands of them costs the garbage
    collector nothing (lists made its full collections pause searches by 50 ms and more).
    """

    key: Any
    """The backend's handle for loading this listing's opening hours."""
    service_id: str
    name_key: str
    latitude: float | None
    longitude: float | None
    minimum_age: int | None
    maximum_age: int | None
    flags: int
    categories: tuple[str, ...]
    languages: tuple[str, ...]
    week: tuple[tuple[int, int], ...] | None
    """Weekly opening as (start, end) minutes of the week; None for monthly or dated rules."""
    exception_dates: str
    """Dates (YYYYMMDD) of dated exceptions, separated by spaces."""
    category_set: int
    """`code_set(categories)`."""
    language_set: int
    """`code_set(languages)`."""
    name_terms: str
    """The name's index terms, each with a space either side (to find a word in the name)."""

    @classmethod
    def of(
        cls,
        key: Any,
        service_id: str,
        name_key: str,
        point: tuple[float | None, float | None],
        ages: tuple[int | None, int | None],
        flags: int,
        categories: list[str] | tuple[str, ...],
        languages: list[str] | tuple[str, ...],
        week: list[int] | None,
        exception_dates: str,
    ) -> Document:
        """A document, with its code sets numbered and its weekly minutes paired."""
        return cls(
            key,
            service_id,
            name_key,
            point[0],
            point[1],
            ages[0],
            ages[1],
            flags,
            tuple(categories),
            tuple(languages),
            None if week is None else tuple(zip(week[::2], week[1::2], strict=True)),
            exception_dates,
            code_set(categories),
            code_set(languages),
            f" {index_text(name_key)} ",
        )


# Field positions: the hot loops index documents, so a cache may hold them as plain tuples,
# which (unlike NamedTuple instances) the garbage collector stops tracking. A cache of
# 100,000 tracked documents made every full collection pause a search by 50 ms.
(
    KEY,
    SERVICE_ID,
    NAME_KEY,
    LATITUDE,
    LONGITUDE,
    MINIMUM_AGE,
    MAXIMUM_AGE,
    FLAGS,
    CATEGORIES,
    LANGUAGES,
    WEEK,
    EXCEPTION_DATES,
    CATEGORY_SET,
    LANGUAGE_SET,
    NAME_TERMS,
) = range(len(Document._fields))

Row = tuple[Any, ...]
"""A `Document`, or the plain tuple of its fields."""

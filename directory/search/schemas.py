"""What a directory search asks for and what every backend answers with."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

SORTS = ("relevance", "distance")
MAX_PER_PAGE = 100


class GeoPoint(msgspec.Struct, frozen=True):
    """A point on the map, in degrees."""

    latitude: float
    longitude: float


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """One search: free text plus filters that must all hold (filters are AND).

    Several categories mean a service must have every one of them, like every other filter:
    a hub worker narrowing "housing" and "substance use" wants services that help with both.
    """

    text: str = ""
    categories: tuple[str, ...] = ()
    open_now: bool = False
    open_at: datetime | None = None
    evenings: bool = False
    weekends: bool = False
    accepts_network_referrals: bool = False
    accepting_now: bool = False
    free: bool = False
    language: str = ""
    age: int | None = None
    origin: GeoPoint | None = None
    max_distance_km: float | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    exact: bool = False
    """Search the words exactly as typed: no spelling corrections."""

    @property
    def by_distance(self) -> bool:
        """True when results are ordered nearest first (only possible with an origin)."""
        return self.sort == "distance" and self.origin is not None

    @property
    def offset(self) -> int:
        """How many results come before this page."""
        return (max(self.page, 1) - 1) * self.per_page


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    """One matching service: its id, relevance and distance from the origin."""

    service_id: UUID
    score: float = 0.0
    distance_km: float | None = None


class FacetCounts(msgspec.Struct, kw_only=True):
    """How many of the results have each filter's property (so ticking it leaves that many)."""

    categories: dict[str, int] = {}
    open_now: int = 0
    evenings: int = 0
    weekends: int = 0
    network: int = 0
    accepting: int = 0
    free: int = 0
    languages: dict[str, int] = {}


class SearchResults(msgspec.Struct, kw_only=True):
    """One page of results, the total and the facet counts over all results."""

    total: int = 0
    items: list[SearchHit] = []
    facets: FacetCounts = msgspec.field(default_factory=FacetCounts)
    page: int = 1
    per_page: int = 20
    capped: bool = False
    """True when the backend stopped counting at its candidate limit (Meilisearch)."""
    searched_for: str = ""
    """The words searched for when some typed ones were corrected ("housing" for "housng")."""
    open_now_from_text: bool = False
    """The text said "tonight", "today" or "now", so only services open now were kept."""
    named_categories: tuple[str, ...] = ()
    """Need categories the words named through their everyday words."""

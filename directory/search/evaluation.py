"""Relevance: run a set of labelled queries and report recall@5 (tests and bench use it).

A query passes when every service it expects is among the first five results.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

from directory.search.backend import get_backend
from directory.search.schemas import SearchQuery
from directory.tables import Service
from hub import clock

TOP = 5


@dataclass(frozen=True)
class LabelledQuery:
    """A query as typed, what kind of query it is, and the services it must find."""

    text: str
    kind: str
    expect: tuple[str, ...]
    at: datetime | None = None
    """The moment it is typed, for queries that mean "open now"."""


@dataclass
class Outcome:
    """What one query found, and which expected services were missing from the top five."""

    query: LabelledQuery
    found: list[str]
    missing: list[str]


@dataclass
class Report:
    """Every query's outcome, with recall@5 overall and by kind."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def misses(self) -> list[Outcome]:
        """The queries that missed an expected service."""
        return [outcome for outcome in self.outcomes if outcome.missing]

    def recall(self, kind: str | None = None) -> float:
        """Share of expected services found in the top five (of this kind of query)."""
        chosen = [o for o in self.outcomes if kind is None or o.query.kind == kind]
        expected = sum(len(o.query.expect) for o in chosen)
        missing = sum(len(o.missing) for o in chosen)
        return 1.0 if expected == 0 else (expected - missing) / expected

    def by_kind(self) -> dict[str, tuple[int, float]]:
        """Kind -> (queries, recall@5)."""
        counts: dict[str, int] = defaultdict(int)
        for outcome in self.outcomes:
            counts[outcome.query.kind] += 1
        return {kind: (count, self.recall(kind)) for kind, count in sorted(counts.items())}

    def describe_misses(self) -> str:
        """One line per missed query: what was typed, missing, and what came instead."""
        return "\n".join(
            f"{o.query.text!r} ({o.query.kind}): missing {o.missing}; top {TOP}: {o.found}"
            for o in self.misses
        )


def load_queries(path: Path) -> list[LabelledQuery]:
    """The labelled queries of a TOML file (`[[query]]` tables: text, kind, expect, at)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [
        LabelledQuery(
            text=entry["text"],
            kind=entry.get("kind", ""),
            expect=tuple(entry["expect"]),
            at=entry.get("at"),
        )
        for entry in data["query"]
    ]


async def evaluate(queries: list[LabelledQuery]) -> Report:
    """Run every query against the configured backend; names are matched to listings' names."""
    rows = await Service.select(Service.id, Service.name)
    names: dict[UUID, str] = {row["id"]: row["name"] for row in rows}
    report = Report()
    try:
        for query in queries:
            if query.at is not None:
                clock.freeze(query.at)
            else:
                clock.reset()
            results = await get_backend().search(SearchQuery(text=query.text, per_page=TOP))
            found = [names.get(hit.service_id, str(hit.service_id)) for hit in results.items]
            missing = [name for name in query.expect if name not in found]
            report.outcomes.append(Outcome(query, found, missing))
    finally:
        clock.reset()
    return report

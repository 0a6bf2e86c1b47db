"""Small helpers every figure uses: counting into labelled rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from reports.schemas import Row


def rows_by_count(counts: Mapping[str, int]) -> list[Row]:
    """Rows largest first (then by label)."""
    return [
        Row(label=label, count=count)
        for label, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def rows_in_order(counts: Mapping[str, int], labels: Iterable[str]) -> list[Row]:
    """Rows in a fixed order (statuses, ratings, weeks), zeros included."""
    return [Row(label=label, count=counts.get(label, 0)) for label in labels]


def tally(labels: Iterable[str]) -> Counter[str]:
    """How often each label occurs."""
    return Counter(labels)

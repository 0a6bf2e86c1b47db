"""Small helpers every figure uses: counting into labelled rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from consent import small_numbers
from reports.schemas import Row


def rows_by_count(counts: Mapping[str, int]) -> list[Row]:
    """Rows largest first (then by label). Counts the small-number rule withholds rank as
    equals, in label order: their order among themselves would tell a 4 from a 1."""
    return [
        Row(label=label, count=count)
        for label, count in sorted(counts.items(), key=lambda item: (-_rank(item[1]), item[0]))
    ]


def _rank(count: int) -> int:
    return small_numbers.SMALLEST_SHOWN - 1 if small_numbers.is_suppressed(count) else count


def rows_in_order(counts: Mapping[str, int], labels: Iterable[str]) -> list[Row]:
    """Rows in a fixed order (statuses, ratings, weeks), zeros included."""
    return [Row(label=label, count=counts.get(label, 0)) for label in labels]


def tally(labels: Iterable[str]) -> Counter[str]:
    """How often each label occurs."""
    return Counter(labels)

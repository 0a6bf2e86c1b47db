"""The sharing policy's rule for aggregates: a count from 1 to 4 never leaves as a number.

Reports (page, chart, CSV, published figures) show such a count as "fewer than 5", so a small
hub cannot re-identify a person from a figure. Zero is shown: it names nobody. Figures derived
from fewer than 5 people (a median, a 90th percentile) are withheld the same way.
"""

from __future__ import annotations

SMALLEST_SHOWN = 5
FEWER_THAN = f"fewer than {SMALLEST_SHOWN}"


def is_suppressed(count: int) -> bool:
    """True for a count that must not be shown as a number (1 to 4)."""
    return 0 < count < SMALLEST_SHOWN


def shown(count: int) -> str:
    """The count as a report may show it: the number, or "fewer than 5"."""
    return FEWER_THAN if is_suppressed(count) else str(count)


def enough(people: int) -> bool:
    """May a figure worked out from this many people (a median, a percentile) be shown?"""
    return people >= SMALLEST_SHOWN

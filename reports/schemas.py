"""A report's shape: sections of figures, each figure labelled counts (small numbers hidden)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from consent import small_numbers


class Row(msgspec.Struct, frozen=True, kw_only=True):
    """One labelled count of a figure."""

    label: str
    count: int

    @property
    def shown(self) -> str:
        """The count as it may leave the report (see consent.small_numbers)."""
        return small_numbers.shown(self.count)

    @property
    def suppressed(self) -> bool:
        """True when the number itself is withheld."""
        return small_numbers.is_suppressed(self.count)


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    """One chart and its table: a title and labelled counts."""

    key: str
    title: str
    rows: list[Row]
    unit: str = "people"
    note: str = ""

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not any(row.count for row in self.rows)


class Statement(msgspec.Struct, frozen=True, kw_only=True):
    """A figure that is not a count (a median response time), already in words."""

    label: str
    value: str


class Section(msgspec.Struct, frozen=True, kw_only=True):
    """A part of the report: visits, signposting, referrals, plans, goals, feedback."""

    key: str
    title: str
    figures: list[Figure]
    statements: list[Statement] = []
    statements_title: str = ""
    comments: list[str] = []
    """Latest feedback in people's words: for the hub's staff only."""


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """Whose figures: the whole hub (organisation_id None) or one partner's own."""

    organisation_id: UUID | None
    name: str

    @property
    def hub_wide(self) -> bool:
        """True for the hub manager's whole-hub report."""
        return self.organisation_id is None


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """Every section for one scope and period."""

    scope: Scope
    period_label: str
    sections: list[Section]

    def figure(self, key: str) -> Figure | None:
        """The figure with this key, if any."""
        for section in self.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure
        return None

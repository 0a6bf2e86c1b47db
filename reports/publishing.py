"""Shared monitoring: a partner publishes its month's figures; the hub sees partners side by side.

What is published is the report as shown (small numbers already withheld, no comments), so
the hub's managers see exactly what the partner saw and nothing more.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Invalid
from reports.periods import Period
from reports.schemas import Report
from reports.tables import PublishedFigures

SIDE_BY_SIDE = ("visits-new-returning", "referrals-outcomes", "plans-reviews", "feedback-ratings")


class PartnerColumn(msgspec.Struct, frozen=True, kw_only=True):
    """One partner's published month."""

    organisation_name: str
    published_at: str
    cells: dict[str, str]


class SideBySide(msgspec.Struct, frozen=True, kw_only=True):
    """Published figures of every partner for one month: rows of (figure, label), a column each."""

    rows: list[tuple[str, str]]
    partners: list[PartnerColumn]


def as_shown(report: Report) -> dict[str, Any]:
    """The report as published: titles, labels and shown counts; no comments."""
    return {
        "period": report.period_label,
        "figures": [
            {
                "key": figure.key,
                "title": figure.title,
                "rows": [[row.label, row.shown] for row in figure.rows],
            }
            for section in report.sections
            for figure in section.figures
        ],
        "statements": [
            [statement.label, statement.value]
            for section in report.sections
            for statement in section.statements
        ],
    }


async def publish(principal: Principal, report: Report, period: Period) -> None:
    """Publish (or publish again) a partner's own month to the hub, in one transaction."""
    if report.scope.organisation_id is None or not period.is_month:
        msg = "Choose one month of your own organisation's figures to publish"
        raise Invalid(msg, {"month": msg})
    figures = json.dumps(as_shown(report))
    async with transaction():
        await PublishedFigures.delete().where(
            (PublishedFigures.organisation == report.scope.organisation_id)
            & (PublishedFigures.month == period.start)
        )
        await PublishedFigures.insert(
            PublishedFigures(
                organisation=report.scope.organisation_id,
                month=period.start,
                figures=figures,
                published_at=clock.now(),
                published_by=principal.id,
            )
        )
        await audit.record(
            "report.published",
            principal.actor,
            subject_type="organisation",
            subject_id=str(report.scope.organisation_id),
            detail={"month": period.start.isoformat()},
        )


async def is_published(organisation_id: Any, period: Period) -> bool:
    """Has this organisation published this month?"""
    return await PublishedFigures.exists().where(
        (PublishedFigures.organisation == organisation_id)
        & (PublishedFigures.month == period.start)
    )


async def side_by_side(period: Period) -> SideBySide:
    """Every partner's published figures for the month, for the hub's managers."""
    rows = await PublishedFigures.select(
        PublishedFigures.organisation.name.as_alias("name"),
        PublishedFigures.figures,
        PublishedFigures.published_at,
    ).where(PublishedFigures.month == period.start)
    labels: list[tuple[str, str]] = []
    partners = []
    for row in sorted(rows, key=lambda r: r["name"]):
        published = json.loads(row["figures"])
        cells = {}
        for figure in published["figures"]:
            if figure["key"] not in SIDE_BY_SIDE:
                continue
            for label, shown in figure["rows"]:
                key = (figure["title"], label)
                if key not in labels:
                    labels.append(key)
                cells[f"{figure['title']}|{label}"] = shown
        partners.append(
            PartnerColumn(
                organisation_name=row["name"],
                published_at=f"{row['published_at']:%-d %b %Y}",
                cells=cells,
            )
        )
    return SideBySide(rows=labels, partners=partners)

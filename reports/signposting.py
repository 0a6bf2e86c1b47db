"""Signposting: hand-overs by need category and by the service signposted to."""

from __future__ import annotations

from collections import Counter

from piccolo.query.functions.aggregate import Count, Sum

from directory.tables import SignpostCount, SignpostItem, TaxonomyTerm
from directory.taxonomy import NEED_TAXONOMY_ID
from reports.counting import rows_by_count
from reports.periods import Period
from reports.schemas import Figure, Scope, Section


async def _category_names() -> dict[str, str]:
    rows = await TaxonomyTerm.select(TaxonomyTerm.code, TaxonomyTerm.name).where(
        TaxonomyTerm.taxonomy == NEED_TAXONOMY_ID
    )
    return {row["code"]: row["name"] for row in rows}


async def signposting_section(scope: Scope, period: Period) -> Section:
    """Hand-overs in the period. The need counts are the hub's (anonymous daily tallies); a
    partner sees the hand-overs to its own services."""
    items = SignpostItem.select(
        SignpostItem.service.name.as_alias("service_name"), Count(alias="times")
    ).where(
        (SignpostItem.signpost_list.handed_over_at >= period.starts_at)
        & (SignpostItem.signpost_list.handed_over_at < period.ends_at)
    )
    if scope.organisation_id is not None:
        items = items.where(SignpostItem.service.organisation == scope.organisation_id)
    by_service: Counter[str] = Counter(
        {
            row["service_name"]: int(row["times"])
            for row in await items.group_by(SignpostItem.service.name)
        }
    )
    figures = []
    if scope.hub_wide:
        names = await _category_names()
        counts = (
            await SignpostCount.select(
                SignpostCount.category_code, Sum(SignpostCount.total, alias="total")
            )
            .where((SignpostCount.day >= period.start) & (SignpostCount.day <= period.end))
            .group_by(SignpostCount.category_code)
        )
        by_need: Counter[str] = Counter()
        for row in counts:
            by_need[names.get(row["category_code"], row["category_code"])] += int(row["total"] or 0)
        figures.append(
            Figure(
                key="signposting-by-need",
                title="Signposting by need",
                rows=rows_by_count(by_need),
                unit="services signposted",
            )
        )
    figures.append(
        Figure(
            key="signposting-by-service",
            title="Services signposted to",
            rows=rows_by_count(by_service)[:20],
            unit="hand-overs",
            note="The 20 most signposted." if len(by_service) > 20 else "",
        )
    )
    return Section(key="signposting", title="Signposting", figures=figures)

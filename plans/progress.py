"""Progress: each wellbeing area's ratings over the reviews, oldest first, with its chart.

`progress` reads the numbers (no access check); `progress_for` is what plan pages call after
plans.access.plan_access: nothing for a reader who does not see the whole plan.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

import msgspec

from plans.access import PlanAccess
from plans.area_words import words_for
from plans.chart import area_chart
from plans.tables import Plan, Rating, Review
from plans.vocabulary import WELLBEING_AREAS


class Point(msgspec.Struct, frozen=True, kw_only=True):
    """One review's ratings of one area."""

    held_on: date
    client_score: int
    worker_score: int | None


class AreaProgress(msgspec.Struct, frozen=True, kw_only=True):
    """One wellbeing area's ratings over time, and its chart (an SVG string)."""

    area: str
    label: str
    """The client's own words for the area where they gave some, else the project's name."""
    points: list[Point]
    svg: str = ""
    project_label: str = ""
    """The project's name for the area (shown beside the client's words)."""

    @property
    def change(self) -> int:
        """The client's latest rating minus their first."""
        return self.points[-1].client_score - self.points[0].client_score if self.points else 0


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """Every area rated at least once, in the project's order."""

    areas: list[AreaProgress]
    reviews: int
    client_view: bool = False
    """True when the client reads it ("you"), False for staff ("the client")."""


async def progress(client_id: UUID, *, client_view: bool = False) -> Progress:
    """Per area, the series of (held_on, client score, worker score) over the reviews."""
    plan = await Plan.select(Plan.id).where(Plan.client == client_id).first()
    if plan is None:
        return Progress(areas=[], reviews=0, client_view=client_view)
    reviews = (
        await Review.select(Review.id, Review.held_on)
        .where(Review.plan == plan["id"])
        .order_by(Review.held_on)
        .order_by(Review.created_at)
    )
    order = {row["id"]: (index, row["held_on"]) for index, row in enumerate(reviews)}
    ratings = await Rating.select(
        Rating.review, Rating.area, Rating.client_score, Rating.worker_score
    ).where(Rating.review.is_in(list(order) or [plan["id"]]))
    series: dict[str, list[tuple[int, Point]]] = defaultdict(list)
    for row in ratings:
        index, held_on = order[row["review"]]
        point = Point(
            held_on=held_on, client_score=row["client_score"], worker_score=row["worker_score"]
        )
        series[row["area"]].append((index, point))
    own = await words_for(plan["id"])
    areas = []
    for area, project_label in WELLBEING_AREAS.items():
        if area not in series:
            continue
        label = own.get(area) or project_label
        points = [point for _, point in sorted(series[area], key=lambda pair: pair[0])]
        areas.append(
            AreaProgress(
                area=area,
                label=label,
                project_label=project_label,
                points=points,
                svg=area_chart(area, label, points, client_view=client_view),
            )
        )
    return Progress(areas=areas, reviews=len(reviews), client_view=client_view)


async def progress_for(access: PlanAccess) -> Progress:
    """The progress a reader may see: all of it with the whole plan, otherwise nothing.

    The caller has checked access with plans.access.plan_access and logs the page's reads.
    """
    if not (access.sees_all or access.is_client):
        return Progress(areas=[], reviews=0)
    return await progress(access.client_id, client_view=access.is_client)

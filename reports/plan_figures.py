"""Plans and goals: open plans, reviews held, due and overdue; the client's own ratings and goals.

A partner sees the plans of clients whose care team it is on now. Overdue: an open plan whose
next review date passed before the period's end (or today, if sooner). Wellbeing: for each
area, each client's latest rating up to the period's end against their first, from clients
rated at least twice. Goals: every goal closed so far, by the outcome the client gave it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from plans.tables import CareTeamMember, Goal, Plan, Rating, Review
from plans.vocabulary import GOAL_OUTCOMES, WELLBEING_AREAS
from reports.counting import rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Row, Scope, Section

CHANGES = ("rose", "stayed the same", "fell")


async def _plan_ids(scope: Scope) -> set[object] | None:
    """The plans a partner may count; None for the whole hub."""
    if scope.organisation_id is None:
        return None
    clients = await CareTeamMember.select(CareTeamMember.client).where(
        (CareTeamMember.organisation == scope.organisation_id) & CareTeamMember.removed_at.is_null()
    )
    client_ids = list({row["client"] for row in clients})
    if not client_ids:
        return set()
    rows = await Plan.select(Plan.id).where(Plan.client.is_in(client_ids))
    return {row["id"] for row in rows}


async def plans_sections(scope: Scope, period: Period, today: date) -> list[Section]:
    """The plans section and the goals section."""
    allowed = await _plan_ids(scope)
    plans = [
        row
        for row in await Plan.select(
            Plan.id, Plan.status, Plan.next_review_on, Plan.created_at, Plan.closed_at
        ).where(Plan.created_at < period.ends_at)
        if allowed is None or row["id"] in allowed
    ]
    open_plans = [
        row for row in plans if row["closed_at"] is None or row["closed_at"] >= period.ends_at
    ]
    cutoff = min(period.end, today)
    reviews = [
        row
        for row in await Review.select(Review.id, Review.plan, Review.held_on).where(
            Review.held_on <= period.end
        )
        if allowed is None or row["plan"] in allowed
    ]
    held = sum(1 for row in reviews if row["held_on"] >= period.start)
    due = sum(
        1
        for row in open_plans
        if row["next_review_on"] and period.start <= row["next_review_on"] <= period.end
    )
    overdue = sum(
        1
        for row in open_plans
        if row["status"] == "open" and row["next_review_on"] and row["next_review_on"] < cutoff
    )
    ratings = await Rating.select(
        Rating.review.plan.as_alias("plan"),
        Rating.review.held_on.as_alias("held_on"),
        Rating.area,
        Rating.client_score,
    ).where(Rating.review.held_on <= period.end)
    series: dict[tuple[object, str], list[tuple[date, int]]] = defaultdict(list)
    for row in ratings:
        if allowed is None or row["plan"] in allowed:
            series[(row["plan"], row["area"])].append((row["held_on"], row["client_score"]))
    changes: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, area), points in series.items():
        if len(points) < 2:
            continue
        points.sort()
        first, latest = points[0][1], points[-1][1]
        change = "rose" if latest > first else "fell" if latest < first else "stayed the same"
        changes[area][change] += 1
    wellbeing = Figure(
        key="wellbeing",
        title="Wellbeing in the client's own ratings: latest against first",
        rows=[
            Row(label=f"{label}: {change}", count=changes[area][change])
            for area, label in WELLBEING_AREAS.items()
            if area in changes
            for change in CHANGES
        ],
        unit="people",
        note="People rated at least twice, by area.",
    )
    goal_rows = await Goal.select(Goal.plan, Goal.outcome).where(
        (Goal.status == "closed") & (Goal.outcome != "")
    )
    outcomes = Counter(
        GOAL_OUTCOMES.get(row["outcome"], row["outcome"])
        for row in goal_rows
        if allowed is None or row["plan"] in allowed
    )
    return [
        Section(
            key="plans",
            title="Plans and reviews",
            figures=[
                Figure(
                    key="plans-reviews",
                    title="Plans and reviews",
                    rows=[
                        Row(label="Clients with an open plan", count=len(open_plans)),
                        Row(label="Reviews held", count=held),
                        Row(label="Reviews due", count=due),
                        Row(label="Reviews overdue", count=overdue),
                    ],
                    unit="",
                ),
                wellbeing,
            ],
        ),
        Section(
            key="goals",
            title="Goals, as the client rated them",
            figures=[
                Figure(
                    key="goals-outcomes",
                    title="Goals closed so far, by outcome",
                    rows=rows_in_order(outcomes, list(GOAL_OUTCOMES.values())),
                    unit="goals",
                )
            ],
        ),
    ]

"""Plans and goals: open plans, reviews held, due and overdue; the client's own ratings and goals.

A partner sees the plans of clients whose care team it is on now. Overdue: an open plan whose
next review date passed before the period's end (or today, if sooner). Wellbeing: for each
area, each client reviewed in the period: their latest rating up to the period's end against
their first (clients rated at least twice). Goals: every goal closed so far, by the outcome
the client gave it. Counted by the database (a busy hub has tens of thousands of ratings).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from hub.db import raw
from plans.tables import CareTeamMember, Goal, Plan, Review
from plans.vocabulary import GOAL_OUTCOMES, WELLBEING_AREAS
from reports.counting import rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Row, Scope, Section

CHANGES = ("rose", "stayed the same", "fell")
_WELLBEING_SQL = """
SELECT area,
    SUM(CASE WHEN last_score > first_score THEN 1 ELSE 0 END) AS rose,
    SUM(CASE WHEN last_score = first_score THEN 1 ELSE 0 END) AS same,
    SUM(CASE WHEN last_score < first_score THEN 1 ELSE 0 END) AS fell
FROM (
    SELECT rt."area" AS area,
        FIRST_VALUE(rt."client_score") OVER whole AS first_score,
        LAST_VALUE(rt."client_score") OVER whole AS last_score,
        COUNT(*) OVER whole AS ratings,
        ROW_NUMBER() OVER ordered AS place
    FROM "rating" rt JOIN "review" rv ON rv."id" = rt."review"
    WHERE rv."held_on" <= {} PLAN_FILTER AND rv."plan" IN (
        SELECT "plan" FROM "review" WHERE "held_on" >= {} AND "held_on" <= {})
    WINDOW whole AS (
        PARTITION BY rv."plan", rt."area" ORDER BY rv."held_on", rv."created_at"
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    ),
    ordered AS (PARTITION BY rv."plan", rt."area" ORDER BY rv."held_on", rv."created_at")
) AS per_person
WHERE place = 1 AND ratings >= 2
GROUP BY area
"""
_PARTNER_PLANS = """AND rv."plan" IN (
    SELECT p."id" FROM "plan" p JOIN "care_team_member" c ON c."client" = p."client"
    WHERE c."organisation" = {} AND c."removed_at" IS NULL)"""


async def _plan_ids(scope: Scope) -> list[Any] | None:
    """The plans a partner may count; None for the whole hub."""
    if scope.organisation_id is None:
        return None
    clients = await CareTeamMember.select(CareTeamMember.client).where(
        (CareTeamMember.organisation == scope.organisation_id) & CareTeamMember.removed_at.is_null()
    )
    client_ids = list({row["client"] for row in clients})
    if not client_ids:
        return []
    return [row["id"] for row in await Plan.select(Plan.id).where(Plan.client.is_in(client_ids))]


def _within(query: Any, column: Any, allowed: list[Any] | None) -> Any:
    if allowed is None:
        return query
    return query.where(column.is_in(allowed or [None]))


async def _count(query: Any) -> int:
    row = await query.first()
    return int(row["n"]) if row else 0


async def _wellbeing(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    if scope.organisation_id is None:
        rows = await raw(
            _WELLBEING_SQL.replace("PLAN_FILTER", ""), period.end, period.start, period.end
        )
    else:
        rows = await raw(
            _WELLBEING_SQL.replace("PLAN_FILTER", _PARTNER_PLANS),
            period.end,
            scope.organisation_id,
            period.start,
            period.end,
        )
    return {
        row["area"]: {
            "rose": int(row["rose"] or 0),
            "stayed the same": int(row["same"] or 0),
            "fell": int(row["fell"] or 0),
        }
        for row in rows
    }


async def plans_sections(scope: Scope, period: Period, today: date) -> list[Section]:
    """The plans section and the goals section."""
    allowed = await _plan_ids(scope)
    open_at_end = (Plan.created_at < period.ends_at) & (
        Plan.closed_at.is_null() | (Plan.closed_at >= period.ends_at)
    )
    plans = _within(Plan.select(Count(alias="n")), Plan.id, allowed)
    open_plans = await _count(plans.where(open_at_end))
    due = await _count(
        _within(Plan.select(Count(alias="n")), Plan.id, allowed).where(
            open_at_end
            & (Plan.next_review_on >= period.start)
            & (Plan.next_review_on <= period.end)
        )
    )
    overdue = await _count(
        _within(Plan.select(Count(alias="n")), Plan.id, allowed).where(
            (Plan.status == "open") & (Plan.next_review_on < min(period.end, today))
        )
    )
    held = await _count(
        _within(Review.select(Count(alias="n")), Review.plan, allowed).where(
            (Review.held_on >= period.start) & (Review.held_on <= period.end)
        )
    )
    changes = await _wellbeing(scope, period)
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
    goal_rows = (
        await _within(Goal.select(Goal.outcome, Count(alias="n")), Goal.plan, allowed)
        .where((Goal.status == "closed") & (Goal.outcome != ""))
        .group_by(Goal.outcome)
    )
    outcomes = Counter(
        {GOAL_OUTCOMES.get(row["outcome"], row["outcome"]): int(row["n"]) for row in goal_rows}
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
                        Row(label="Clients with an open plan", count=open_plans),
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

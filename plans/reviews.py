"""Plan reviews: the lead records when the review was held, who took part, what was said and
decided, the client's (and optionally the worker's) 1-10 ratings, and the next review date.

The next review is 4 to 8 weeks on (6 when left empty). Recording a review sets the plan's
next review date and clears its overdue flag, all in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from consent import access_log
from consent.vocabulary import IDENTITY, PLAN, PLAN_SHARING
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import Client
from hub.web.numbers import whole_number
from plans.access import PlanAccess, plan_access
from plans.area_words import read_words, save_words, words_for
from plans.content import today
from plans.lead import ensure_plan
from plans.tables import Plan, Rating, Review
from plans.vocabulary import (
    REVIEW_DEFAULT,
    REVIEW_MAX,
    REVIEW_MIN,
    SCORE_MAX,
    SCORE_MIN,
    WELLBEING_AREAS,
)

MAX_SHORT = 2000
MAX_LONG = 10000


class ReviewForm(msgspec.Struct, kw_only=True):
    """Form: one review, with a client and a worker score field for each wellbeing area."""

    held_on: date | None = None
    participants: str = ""
    notes: str = ""
    decisions: str = ""
    next_review_on: date | None = None
    client_home: str = ""
    worker_home: str = ""
    client_money: str = ""
    worker_money: str = ""
    client_health: str = ""
    worker_health: str = ""
    client_feeling_well: str = ""
    worker_feeling_well: str = ""
    client_drugs_alcohol: str = ""
    worker_drugs_alcohol: str = ""
    client_friends: str = ""
    worker_friends: str = ""
    client_time: str = ""
    worker_time: str = ""
    client_hopes: str = ""
    worker_hopes: str = ""
    words_home: str = ""
    words_money: str = ""
    words_health: str = ""
    words_feeling_well: str = ""
    words_drugs_alcohol: str = ""
    words_friends: str = ""
    words_time: str = ""
    words_hopes: str = ""


class RatingView(msgspec.Struct, frozen=True, kw_only=True):
    """One area's ratings at one review."""

    area: str
    label: str
    client_score: int
    worker_score: int | None


class ReviewView(msgspec.Struct, frozen=True, kw_only=True):
    """A review as the plan's readers see it."""

    id: UUID
    held_on: date
    participants: str
    notes: str
    decisions: str
    next_review_on: date | None
    recorded_by_name: str
    organisation_name: str
    created_at: datetime
    ratings: list[RatingView]
    meeting_id: UUID | None = None
    """The review meeting it was held as, if any."""


class ReviewStart(msgspec.Struct, frozen=True, kw_only=True):
    """What the review form shows before anything is typed."""

    client_id: UUID
    client_name: str
    next_review_on: date | None
    last_scores: dict[str, tuple[int, int | None]]
    """Area -> (client, worker) scores at the most recent review, as a reminder."""
    area_words: dict[str, str] = {}
    """Area -> what the client calls it, as they said at an earlier review."""


def client_field(area: str) -> str:
    """The form field for the client's score in an area."""
    return f"client_{area}"


def worker_field(area: str) -> str:
    """The form field for the worker's score in an area."""
    return f"worker_{area}"


async def open_plan(client_id: UUID) -> UUID:
    """The client's plan id, or Forbidden when the plan is closed."""
    plan_id = await ensure_plan(client_id)
    row = await Plan.select(Plan.status).where(Plan.id == plan_id).first()
    if row is None or row["status"] != "open":
        msg = "This plan is closed"
        raise Forbidden(msg)
    return plan_id


async def lead_access(principal: Principal, client_id: UUID) -> PlanAccess:
    access = await plan_access(principal, client_id)
    if not access.is_lead:
        msg = "Only the client's lead professional can record a review"
        raise Forbidden(msg)
    return access


def _text(errors: dict[str, str], field: str, value: str, limit: int, required: str = "") -> str:
    value = value.strip()
    if required and not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = f"Keep this to {limit} characters or fewer"
    return value


def _score(errors: dict[str, str], field: str, value: str, whose: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    score = whole_number(value, SCORE_MIN, SCORE_MAX)
    if score is None:
        errors[field] = f"{whose} rating for “{label}” must be a number from 1 to 10"
    return score


def read_ratings(form: ReviewForm, errors: dict[str, str]) -> dict[str, tuple[int, int | None]]:
    """Area -> (client score, worker score) for the areas rated; problems go into `errors`."""
    ratings: dict[str, tuple[int, int | None]] = {}
    for area, label in WELLBEING_AREAS.items():
        client_name, worker_name = client_field(area), worker_field(area)
        client = _score(errors, client_name, getattr(form, client_name), "The client's", label)
        worker = _score(errors, worker_name, getattr(form, worker_name), "Your", label)
        if client is None and worker is not None and client_name not in errors:
            errors[worker_name] = (
                f"Add the client's rating for “{label}” before your own, or leave yours empty"
            )
        elif client is not None:
            ratings[area] = (client, worker)
    return ratings


def _dates(form: ReviewForm, errors: dict[str, str]) -> tuple[date, date]:
    held_on = form.held_on
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held"
        return today(), today() + REVIEW_DEFAULT
    if held_on > today():
        errors["held_on"] = "The date the review was held must be today or in the past"
    next_on = form.next_review_on or held_on + REVIEW_DEFAULT
    if not held_on + REVIEW_MIN <= next_on <= held_on + REVIEW_MAX:
        errors["next_review_on"] = (
            "The next review must be 4 to 8 weeks after this one "
            f"(between {_day(held_on + REVIEW_MIN)} and {_day(held_on + REVIEW_MAX)})"
        )
    return held_on, next_on


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def validate(
    form: ReviewForm,
) -> tuple[dict[str, Any], dict[str, tuple[int, int | None]], dict[str, str]]:
    """The review's values, ratings and the client's words per area, or Invalid listing every
    problem."""
    errors: dict[str, str] = {}
    date_errors: dict[str, str] = {}
    held_on, next_on = _dates(form, date_errors)
    if "held_on" in date_errors:
        errors["held_on"] = date_errors.pop("held_on")
    values = {
        "held_on": held_on,
        "next_review_on": next_on,
        "participants": _text(
            errors, "participants", form.participants, MAX_SHORT, "Say who took part"
        ),
        "notes": _text(errors, "notes", form.notes, MAX_LONG),
        "decisions": _text(errors, "decisions", form.decisions, MAX_LONG),
    }
    ratings = read_ratings(form, errors)
    words = read_words(msgspec.structs.asdict(form), errors)
    errors.update(date_errors)  # in the order the form asks
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return values, ratings, words


async def record_review(principal: Principal, client_id: UUID, form: ReviewForm) -> UUID:
    """Record a review held with the client (the lead only, on an open plan)."""
    access = await lead_access(principal, client_id)
    plan_id = await open_plan(client_id)
    values, ratings, words = validate(form)
    async with transaction():
        return await save_review(principal, access, plan_id, (values, ratings, words))


async def save_review(
    principal: Principal,
    access: PlanAccess,
    plan_id: UUID,
    validated: tuple[dict[str, Any], dict[str, tuple[int, int | None]], dict[str, str]],
    meeting_id: UUID | None = None,
) -> UUID:
    """Write a validated review, its ratings and the client's words, and move the plan's next
    review date (clearing its overdue flag); call inside a transaction. A review meeting is
    recorded through here too, with its `meeting_id`."""
    values, ratings, words = validated
    now = clock.now()
    review = Review(
        plan=plan_id,
        recorded_by=principal.id,
        organisation=access.organisation_id,
        created_at=now,
        meeting=meeting_id,
        **values,
    )
    await Review.insert(review)
    if ratings:
        await Rating.insert(
            *[
                Rating(review=review.id, area=area, client_score=client, worker_score=worker)
                for area, (client, worker) in ratings.items()
            ]
        )
    await save_words(plan_id, words)
    await Plan.update(
        {
            Plan.next_review_on: values["next_review_on"],
            Plan.review_overdue_flagged_on: None,
            Plan.updated_at: now,
        }
    ).where(Plan.id == plan_id)
    await audit.record(
        "plan.review_recorded",
        principal.actor,
        subject_type="plan",
        subject_id=str(plan_id),
        detail={"review_id": str(review.id), "areas_rated": len(ratings)},
    )
    return UUID(str(review.id))


async def start_review(principal: Principal, client_id: UUID) -> ReviewStart:
    """What the lead sees on an empty review form (refused to anyone else, or when closed)."""
    access = await lead_access(principal, client_id)
    plan_id = await open_plan(client_id)
    plan = await Plan.select(Plan.next_review_on).where(Plan.id == plan_id).first()
    name = ""
    if access.decision is None or access.decision.identity_visible:
        row = await Client.select(Client.full_name).where(Client.id == client_id).first()
        name = row["full_name"] if row else ""
    last = await _reviews(plan_id, limit=1)
    if name or last:
        shown = ([IDENTITY] if name else []) + ([PLAN] if last else [])
        await access_log.record_reads(
            principal, {client_id: shown}, context="plan review", purpose=PLAN_SHARING
        )
    return ReviewStart(
        client_id=client_id,
        client_name=name,
        next_review_on=plan["next_review_on"] if plan else None,
        last_scores={r.area: (r.client_score, r.worker_score) for r in last[0].ratings}
        if last
        else {},
        area_words=await words_for(plan_id),
    )


async def _reviews(plan_id: UUID, limit: int | None = None) -> list[ReviewView]:
    query = (
        Review.select(
            Review.id,
            Review.held_on,
            Review.participants,
            Review.notes,
            Review.decisions,
            Review.next_review_on,
            Review.recorded_by.name.as_alias("recorded_by_name"),
            Review.organisation.name.as_alias("organisation_name"),
            Review.created_at,
            Review.meeting,
        )
        .where(Review.plan == plan_id)
        .order_by(Review.held_on, ascending=False)
        .order_by(Review.created_at, ascending=False)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = await query
    if not rows:
        return []
    ratings = await Rating.select(
        Rating.review, Rating.area, Rating.client_score, Rating.worker_score
    ).where(Rating.review.is_in([row["id"] for row in rows]))
    by_review: dict[UUID, dict[str, RatingView]] = {row["id"]: {} for row in rows}
    for rating in ratings:
        by_review[rating["review"]][rating["area"]] = RatingView(
            area=rating["area"],
            label=WELLBEING_AREAS.get(rating["area"], rating["area"]),
            client_score=rating["client_score"],
            worker_score=rating["worker_score"],
        )
    return [
        ReviewView(
            id=row["id"],
            held_on=row["held_on"],
            participants=row["participants"],
            notes=row["notes"],
            decisions=row["decisions"],
            next_review_on=row["next_review_on"],
            recorded_by_name=row["recorded_by_name"] or "",
            organisation_name=row["organisation_name"] or "",
            created_at=row["created_at"],
            ratings=[by_review[row["id"]][a] for a in WELLBEING_AREAS if a in by_review[row["id"]]],
            meeting_id=row["meeting"],
        )
        for row in rows
    ]


async def reviews_for(access: PlanAccess) -> list[ReviewView]:
    """The plan's reviews, newest first, for a reader who sees the whole plan (else none).

    The caller has checked access with plans.access.plan_access and logs the page's reads.
    """
    if not (access.sees_all or access.is_client):
        return []
    row = await Plan.select(Plan.id).where(Plan.client == access.client_id).first()
    if row is None:
        return []
    return await _reviews(row["id"])


class ReviewList(msgspec.Struct, frozen=True, kw_only=True):
    """The reviews page: every review, the next date, and whether the reader is the lead."""

    client_id: UUID
    reviews: list[ReviewView]
    next_review_on: date | None
    is_lead: bool
    is_open: bool


async def plan_reviews(principal: Principal, client_id: UUID) -> ReviewList:
    """The reviews page, for whoever sees the whole plan (logged for staff)."""
    access = await plan_access(principal, client_id)
    if not access.sees_all:
        raise NotFound("No such plan")
    found = await reviews_for(access)
    plan = (
        await Plan.select(Plan.next_review_on, Plan.status).where(Plan.client == client_id).first()
    )
    if not access.is_client:
        await access_log.record_reads(
            principal, {client_id: [PLAN]}, context="plan reviews", purpose=PLAN_SHARING
        )
    is_open = plan is not None and plan["status"] == "open"
    return ReviewList(
        client_id=client_id,
        reviews=found,
        next_review_on=plan["next_review_on"] if plan and is_open else None,
        is_lead=access.is_lead,
        is_open=is_open,
    )

"""Feedback in people's own words: given anonymously from a link or QR code, no sign-in.

What it is about is read from the link: a session, a partner's service (after a referral) or
a signposting hand-over. Nothing about the person is kept. The words are shown only to the
hub's staff (the hub-wide report) and never put in any API.
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

import msgspec

from consent import small_numbers
from directory.sessions.services import get_session
from directory.tables import Service, SignpostList
from hub import audit, clock
from hub.audit import Actor
from hub.errors import Invalid, NotFound
from reports.counting import rows_by_count, rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Scope, Section, Statement
from reports.tables import Feedback

RATINGS = {
    5: "5 (very good)",
    4: "4 (good)",
    3: "3 (all right)",
    2: "2 (poor)",
    1: "1 (very poor)",
}
LONGEST_COMMENT = 1000
LATEST = 10


class FeedbackForm(msgspec.Struct, kw_only=True):
    """Form: a rating and optional words."""

    rating: str = ""
    comment: str = ""


class Subject(msgspec.Struct, frozen=True, kw_only=True):
    """What feedback is about, as the link names it."""

    about: str
    title: str
    session_id: UUID | None = None
    service_id: UUID | None = None
    organisation_id: UUID | None = None


async def subject(about: str, key: str) -> Subject:
    """What a feedback link is about, or NotFound."""
    try:
        if about == "session":
            session = await get_session(UUID(key))
            return Subject(
                about=about,
                title=session.title,
                session_id=session.id,
                service_id=session.service_id,
                organisation_id=session.organisation_id,
            )
        if about == "service":
            row = (
                await Service.select(Service.id, Service.name, Service.organisation)
                .where(Service.id == UUID(key))
                .first()
            )
            if row is not None:
                return Subject(
                    about=about,
                    title=row["name"],
                    service_id=row["id"],
                    organisation_id=row["organisation"],
                )
        if about == "signposting":
            row = (
                await SignpostList.select(SignpostList.organisation)
                .where(SignpostList.token == key)
                .first()
            )
            if row is not None:
                return Subject(
                    about=about,
                    title="Being signposted at the hub",
                    organisation_id=row["organisation"],
                )
    except ValueError:
        pass
    msg = "This feedback link does not work"
    raise NotFound(msg)


async def give_feedback(about: Subject, form: FeedbackForm) -> None:
    """Keep one anonymous piece of feedback.

    Raises:
        Invalid: no rating from 1 to 5, or words too long.
    """
    errors = {}
    try:
        rating = int(form.rating)
    except ValueError:
        rating = 0
    if rating not in RATINGS:
        errors["rating"] = "Choose a rating from 1 to 5"
    comment = form.comment.strip()
    if len(comment) > LONGEST_COMMENT:
        errors["comment"] = f"Keep it to {LONGEST_COMMENT} characters or fewer"
    if errors:
        msg = "Check your feedback"
        raise Invalid(msg, errors)
    row = Feedback(
        about=about.about,
        session_id=about.session_id,
        service_id=about.service_id,
        organisation_id=about.organisation_id,
        title=about.title[:300],
        rating=rating,
        comment=comment,
        given_at=clock.now(),
    )
    await Feedback.insert(row)
    await audit.record(
        "feedback.given", Actor.anonymous(), subject_type="feedback", subject_id=str(row.id)
    )


async def feedback_section(scope: Scope, period: Period) -> Section:
    """Ratings in the period, what they were about, and (hub-wide only) the latest words."""
    query = Feedback.select(
        Feedback.rating, Feedback.title, Feedback.about, Feedback.comment, Feedback.given_at
    ).where((Feedback.given_at >= period.starts_at) & (Feedback.given_at < period.ends_at))
    if scope.organisation_id is not None:
        query = query.where(Feedback.organisation_id == scope.organisation_id)
    rows = await query.order_by(Feedback.given_at, ascending=False)
    ratings = Counter(RATINGS[row["rating"]] for row in rows if row["rating"] in RATINGS)
    about = Counter(row["title"] for row in rows)
    scores: dict[str, list[int]] = {}
    for row in rows:
        scores.setdefault(row["title"], []).append(row["rating"])
    averages = [
        Statement(
            label=title,
            value=f"average {sum(given) / len(given):.1f} from {len(given)} ratings"
            if small_numbers.enough(len(given))
            else f"Not shown: {small_numbers.FEWER_THAN} ratings",
        )
        for title, given in sorted(scores.items())
    ]
    comments = (
        [f"{row['title']}: {row['comment']}" for row in rows if row["comment"]][:LATEST]
        if scope.hub_wide
        else []
    )
    return Section(
        key="feedback",
        title="Feedback",
        figures=[
            Figure(
                key="feedback-ratings",
                title="Ratings given",
                rows=rows_in_order(ratings, list(RATINGS.values())),
                unit="ratings",
            ),
            Figure(
                key="feedback-about",
                title="Feedback by session or service",
                rows=rows_by_count(about),
                unit="ratings",
            ),
        ],
        statements=averages,
        statements_title="Average rating by session or service",
        comments=comments,
    )

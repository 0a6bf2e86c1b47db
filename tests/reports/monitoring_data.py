"""A hand-built month of hub activity (January 2027) whose every figure is known in advance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from directory.tables import SignpostCount, SignpostItem, SignpostList
from hub import clock
from hub.tables import Client
from plans.attendance.tables import Attendance
from plans.tables import CareTeamMember, Goal, Plan, Rating, Review
from referrals.tables import Referral
from reports.periods import Period
from reports.tables import Feedback
from tests.directory.factories import make_service
from tests.directory.sessions_support import Hub, make_hub, make_session
from tests.support import make_client

JANUARY = Period(start=date(2027, 1, 1), end=date(2027, 1, 31))
AFTER_JANUARY = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)


@dataclass
class Month:
    """The hub, its two sessions and the partner's listing."""

    hub: Hub
    recovery: Any  # the partner's SMART Recovery group (substance use)
    social: Any  # the hub's own social afternoon
    listing: Any  # the partner's own listing
    clients: list[Client]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _attendance(month: Month) -> None:
    rows = [
        (month.recovery.id, date(2027, 1, 12), 6, True, None),
        (month.recovery.id, date(2027, 1, 19), 3, False, None),
        (month.social.id, date(2027, 1, 13), 7, False, None),
        (month.social.id, date(2027, 1, 20), 2, False, _at(date(2027, 1, 21))),  # taken off
        (month.recovery.id, date(2027, 2, 2), 4, False, None),  # February
    ]
    for session_id, day, visitors, first, removed in rows:
        await Attendance.insert(
            Attendance(
                session=session_id,
                on_date=day,
                visitors=visitors,
                first_visit=first,
                organisation=month.hub.hub.id,
                recorded_by=month.hub.worker.id,
                recorded_at=_at(day),
                removed_at=removed,
            )
        )


async def _signposting(month: Month) -> None:
    for day, code, total in [(10, "housing", 4), (11, "housing", 3), (12, "food", 2)]:
        await SignpostCount.insert(
            SignpostCount(day=date(2027, 1, day), category_code=code, total=total)
        )
    handed = SignpostList(
        token="t-january",
        organisation=month.hub.hub.id,
        created_by=month.hub.worker.id,
        created_at=_at(date(2027, 1, 10)),
        handed_over_at=_at(date(2027, 1, 10)),
    )
    await SignpostList.insert(handed)
    for position, service_id in enumerate([month.listing.id, month.social.service_id]):
        await SignpostItem.insert(
            SignpostItem(signpost_list=handed.id, service=service_id, position=position)
        )


async def _referrals(month: Month) -> None:
    """7 sent on Tuesday 12 January: answered after 1, 1, 2, 3 and 10 working days, one
    declined the same day, one not answered; two of the accepted completed."""
    sent = _at(date(2027, 1, 12))
    plan = [
        ("accepted", date(2027, 1, 13), "", ""),
        ("in-progress", date(2027, 1, 13), "", ""),
        ("completed", date(2027, 1, 14), "", "need_met"),
        ("completed", date(2027, 1, 15), "", "need_met"),
        ("on-hold", date(2027, 1, 26), "", ""),
        ("rejected", date(2027, 1, 12), "no_capacity", ""),
        ("requested", None, "", ""),
    ]
    for index, (status, answered, reason, outcome) in enumerate(plan):
        await Referral.insert(
            Referral(
                client=month.clients[index % len(month.clients)].id,
                service=month.listing.id,
                service_name=month.listing.name,
                sender_organisation=month.hub.hub.id,
                sender_staff=month.hub.worker.id,
                recipient_organisation=month.hub.partner.id,
                status=status,
                requested_at=sent,
                responded_at=_at(answered, 15) if answered else None,
                reason_code=reason,
                outcome_code=outcome,
                updated_at=sent,
            )
        )


async def _plans(month: Month) -> None:
    """Three plans: one due and overdue (rose), one overdue (same, and money fell), one closed."""
    first, second, third = month.clients[:3]
    now = _at(date(2026, 10, 1))
    specs = [
        (
            first,
            date(2027, 1, 20),
            None,
            [(date(2026, 11, 1), {"home": 4}), (date(2027, 1, 10), {"home": 7})],
        ),
        (
            second,
            date(2026, 12, 20),
            None,
            [
                (date(2026, 12, 1), {"home": 5, "money": 6}),
                (date(2027, 1, 15), {"home": 5, "money": 3}),
            ],
        ),
        (third, None, _at(date(2027, 1, 5)), []),
    ]
    plan_ids = []
    for client, next_review, closed_at, reviews in specs:
        plan = Plan(
            client=client.id,
            status="closed" if closed_at else "open",
            next_review_on=next_review,
            created_at=now,
            updated_at=now,
            closed_at=closed_at,
        )
        await Plan.insert(plan)
        plan_ids.append(plan.id)
        for held_on, scores in reviews:
            review = Review(
                plan=plan.id,
                held_on=held_on,
                recorded_by=month.hub.worker.id,
                organisation=month.hub.hub.id,
                created_at=_at(held_on),
            )
            await Review.insert(review)
            for area, score in scores.items():
                await Rating.insert(Rating(review=review.id, area=area, client_score=score))
    for plan_id, status, outcome in [
        (plan_ids[0], "closed", "achieved"),
        (plan_ids[1], "closed", "partly"),
        (plan_ids[1], "agreed", ""),
    ]:
        await Goal.insert(
            Goal(
                plan=plan_id,
                words="A goal",
                status=status,
                outcome=outcome,
                proposed_by_kind="client",
                created_at=now,
            )
        )
    await CareTeamMember.insert(
        CareTeamMember(
            client=first.id,
            organisation=month.hub.partner.id,
            staff=month.hub.partner_worker.id,
            added_at=now,
        )
    )


async def _feedback(month: Month) -> None:
    for _ in range(6):
        await Feedback.insert(
            Feedback(
                about="session",
                session_id=month.recovery.id,
                organisation_id=month.hub.partner.id,
                title=month.recovery.title,
                rating=5,
                given_at=_at(date(2027, 1, 12), 20),
            )
        )
    await Feedback.insert(
        Feedback(
            about="session",
            session_id=month.social.id,
            organisation_id=month.hub.hub.id,
            title=month.social.title,
            rating=2,
            comment="Too crowded",
            given_at=_at(date(2027, 1, 13), 16),
        )
    )
    await Feedback.insert(  # February
        Feedback(
            about="session",
            session_id=month.social.id,
            organisation_id=month.hub.hub.id,
            title=month.social.title,
            rating=1,
            given_at=datetime(2027, 2, 1, 0, 30, tzinfo=UTC),
        )
    )


async def january() -> Month:
    """The whole hand-built month."""
    clock.freeze(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    hub = await make_hub()
    recovery = await make_session(hub, date(2027, 1, 5))
    social = await make_session(
        hub,
        date(2027, 1, 6),
        title="Social afternoon",
        organisation_id=str(hub.hub.id),
        category="social",
    )
    listing = await make_service(hub.partner, name="Recovery Dundee one-to-one")
    clients = [await make_client(hub.hub) for _ in range(3)]
    month = Month(hub=hub, recovery=recovery, social=social, listing=listing, clients=clients)
    await _attendance(month)
    await _signposting(month)
    await _referrals(month)
    await _plans(month)
    await _feedback(month)
    clock.freeze(AFTER_JANUARY)
    return month

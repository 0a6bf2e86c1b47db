"""Demo activity: the hub's timetable and three months of visits, signposting, referrals,
plans, reviews and feedback, so `/reports` shows real charts on first start.

Runs after the other demo seeders (`wraparound demo`). Sessions go through the timetable's
own service (so they are listings); the months of activity are written in bulk, as a year of
paper sign-in sheets would be typed in. Seeded once: a hub that has a timetable is left alone.
Random but repeatable (a fixed seed), relative to today.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from directory.sessions import services as timetable
from directory.sessions.schemas import SessionForm
from directory.sessions.tables import HubSession
from directory.tables import Service, SignpostCount, SignpostItem, SignpostList
from directory.taxonomy import NEED_CATEGORIES
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import transaction
from hub.demo import DEMO_CLIENT_USERNAME, HUB_NAME, slug
from hub.tables import Client, ClientAccount, Organisation, Staff
from plans.attendance.schemas import AGE_BANDS
from plans.attendance.tables import Attendance
from plans.tables import Goal, Plan, Rating, Review
from plans.vocabulary import WELLBEING_AREAS
from referrals import lifecycle
from referrals.tables import Referral
from reports import publishing
from reports.build import build_report
from reports.periods import month
from reports.schemas import Scope
from reports.tables import Feedback

log = logging.getLogger(__name__)
DAYS = 92
CLIENTS = 40  # with plans and reviews, so the wellbeing figure clears the small-number rule
REFERRALS = 240  # over the three months
SESSIONS = [
    # title, running organisation, need, recurrence, weekday (0 Monday), start, end, capacity, book
    (
        "SMART Recovery group",
        "Positive Steps",
        "substance-use",
        "weekly",
        1,
        "18:30",
        "20:00",
        "12",
        False,
    ),
    (
        "Mental health drop-in",
        "Community MH",
        "mental-health",
        "weekly",
        3,
        "13:00",
        "15:00",
        "",
        False,
    ),
    ("Peer support café", "Peer Support", "social", "fortnightly", 0, "10:30", "12:30", "", False),
    ("Job club", "Employability", "employability", "weekly", 2, "10:00", "12:00", "12", True),
    ("Community lunch", HUB_NAME, "food", "monthly", 4, "12:00", "14:00", "40", False),
]
COMMENTS = [
    "Friendly and no pressure.",
    "I felt listened to.",
    "Would like it to run more often.",
    "Good to see familiar faces.",
    "The room was a bit cold.",
    "Helped me more than I expected.",
]


async def _principal(organisation_name: str, *, admin: bool = False) -> Principal | None:
    organisation = (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.kind)
        .where(Organisation.name == organisation_name)
        .first()
    )
    role = "admin" if admin else "worker"
    email = f"{role}@{slug(organisation_name)}.example"
    staff = await Staff.select(Staff.id, Staff.name).where(Staff.email == email).first()
    if organisation is None or staff is None:
        return None
    return Principal(
        kind="staff",
        id=staff["id"],
        name=staff["name"],
        session_key="demo",
        organisation_id=organisation["id"],
        organisation_name=organisation["name"],
        organisation_kind=organisation["kind"],
        is_org_admin=admin,
    )


async def _timetable(hub: Principal, today: date) -> list[Any]:
    places = await timetable.hub_places()
    if not places:
        return []
    organisations = {name: org_id for org_id, name in await timetable.running_organisations(hub)}
    start = today - timedelta(days=DAYS)
    made = []
    for title, runner, need, recurrence, weekday, starts, ends, capacity, book in SESSIONS:
        if runner not in organisations:
            continue
        first = start + timedelta(days=(weekday - start.weekday()) % 7)
        form = SessionForm(
            title=title,
            organisation_id=str(organisations[runner]),
            category=need,
            location_id=str(places[0].id),
            recurrence=recurrence,
            first_date=first,
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            booking_needed=book,
        )
        made.append(await timetable.get_session(await timetable.create_session(hub, form)))
    return made


async def _visits(sessions: list[Any], hub: Principal, today: date, rng: random.Random) -> None:
    bands = [band for band in AGE_BANDS if band]
    rows = []
    for session in sessions:
        for day in timetable.occurrences(
            session, today - timedelta(days=DAYS), today - timedelta(days=1)
        ):
            for _ in range(rng.randint(2, 4)):
                rows.append(
                    Attendance(
                        session=session.id,
                        on_date=day,
                        visitors=rng.randint(1, 5),
                        age_band=rng.choice(bands),
                        first_visit=rng.random() < 0.25,
                        organisation=hub.organisation_id,
                        recorded_by=hub.id,
                        recorded_at=datetime.combine(day, time(12), tzinfo=UTC),
                    )
                )
    if rows:
        await Attendance.insert(*rows)


async def _demo_client_came(sessions: list[Any], hub: Principal, today: date) -> None:
    """The demo client came to the peer support café: it shows in their portal and plan."""
    account = (
        await ClientAccount.select(ClientAccount.client)
        .where(ClientAccount.username == DEMO_CLIENT_USERNAME)
        .first()
    )
    cafe = next((s for s in sessions if s.title == "Peer support café"), None)
    if account is None or cafe is None:
        return
    days = timetable.occurrences(cafe, today - timedelta(days=DAYS), today - timedelta(days=1))
    await Attendance.insert(
        *[
            Attendance(
                session=cafe.id,
                on_date=day,
                client=account["client"],
                first_visit=index == 0,
                organisation=hub.organisation_id,
                recorded_by=hub.id,
                recorded_at=datetime.combine(day, time(12), tzinfo=UTC),
            )
            for index, day in enumerate(days[-3:])
        ]
    )


async def _signposting(hub: Principal, today: date, rng: random.Random) -> None:
    codes = [code for code, _, _ in NEED_CATEGORIES]
    counts = [
        SignpostCount(
            day=today - timedelta(days=offset), category_code=code, total=rng.randint(1, 4)
        )
        for offset in range(1, DAYS)
        if (today - timedelta(days=offset)).weekday() < 5
        for code in rng.sample(codes, 3)
    ]
    await SignpostCount.insert(*counts)
    services = [row["id"] for row in await Service.select(Service.id).limit(40)]
    for offset in range(1, DAYS, 2):
        at = datetime.combine(today - timedelta(days=offset), time(11), tzinfo=UTC)
        handed = SignpostList(
            token=uuid.uuid4().hex,
            organisation=hub.organisation_id,
            created_by=hub.id,
            created_at=at,
            expires_at=at,
            handed_over_at=at,
        )
        await SignpostList.insert(handed)
        picked = rng.sample(services, min(3, len(services)))
        await SignpostItem.insert(
            *[
                SignpostItem(signpost_list=handed.id, service=sid, position=i)
                for i, sid in enumerate(picked)
            ]
        )


async def _clients(hub: Principal, count: int) -> list[uuid.UUID]:
    now = clock.now()
    clients = [
        Client(
            full_name=f"Demo Visitor {number}",
            preferred_name="",
            registered_by=hub.organisation_id,
            created_at=now,
        )
        for number in range(1, count + 1)
    ]
    await Client.insert(*clients)
    return [client.id for client in clients]


async def _referrals(
    hub: Principal, clients: list[uuid.UUID], today: date, rng: random.Random
) -> None:
    services = (
        await Service.select(
            Service.id, Service.name, Service.organisation, Service.response_target_days
        )
        .where(Service.organisation != hub.organisation_id)
        .limit(12)
    )
    if not services:
        return
    # Most referrals go to a few busy services with a response target, as in a real hub, so
    # their response times clear the small-number rule and show against the target.
    services.sort(key=lambda service: service["response_target_days"] is None)
    busy = [8 if position < 4 else 1 for position in range(len(services))]
    outcomes = [
        (lifecycle.COMPLETED, "need_met"),
        (lifecycle.COMPLETED, "partly_met"),
        (lifecycle.IN_PROGRESS, ""),
        (lifecycle.ACCEPTED, ""),
        (lifecycle.REJECTED, ""),
        (lifecycle.FAILED, ""),
        (lifecycle.CANCELLED, ""),
        (lifecycle.REQUESTED, ""),
    ]
    weights = [5, 2, 4, 3, 2, 1, 1, 1]
    rows = []
    for _ in range(REFERRALS):
        service = rng.choices(services, busy)[0]
        sent = datetime.combine(today - timedelta(days=rng.randint(1, DAYS)), time(10), tzinfo=UTC)
        status, outcome = rng.choices(outcomes, weights)[0]
        answered = None
        if status not in (lifecycle.REQUESTED, lifecycle.CANCELLED):
            answered = sent + timedelta(days=rng.choice([0, 1, 1, 2, 3, 4, 6, 9]), hours=3)
        rows.append(
            Referral(
                client=rng.choice(clients),
                service=service["id"],
                service_name=service["name"],
                sender_organisation=hub.organisation_id,
                sender_staff=hub.id,
                recipient_organisation=service["organisation"],
                status=status,
                requested_at=sent,
                responded_at=answered,
                closed_at=answered if status in lifecycle.TERMINAL else None,
                reason_code=rng.choice(list(lifecycle.DECLINE_REASONS))
                if status == lifecycle.REJECTED
                else "",
                outcome_code=outcome,
                updated_at=answered or sent,
            )
        )
    await Referral.insert(*rows)


async def _plans(hub: Principal, clients: list[uuid.UUID], today: date, rng: random.Random) -> None:
    areas = list(WELLBEING_AREAS)
    for client_id in clients:
        created = datetime.combine(today - timedelta(days=DAYS + 30), time(9), tzinfo=UTC)
        plan = Plan(
            client=client_id,
            next_review_on=today + timedelta(days=rng.randint(-20, 30)),
            created_at=created,
            updated_at=created,
        )
        await Plan.insert(plan)
        scores = {area: rng.randint(2, 6) for area in areas[:4]}
        for held in (today - timedelta(days=DAYS - 5), today - timedelta(days=rng.randint(5, 40))):
            review = Review(
                plan=plan.id,
                held_on=held,
                recorded_by=hub.id,
                organisation=hub.organisation_id,
                created_at=created,
            )
            await Review.insert(review)
            await Rating.insert(
                *[
                    Rating(review=review.id, area=area, client_score=score)
                    for area, score in scores.items()
                ]
            )
            scores = {
                area: min(10, max(1, score + rng.choice([-1, 0, 1, 2, 2])))
                for area, score in scores.items()
            }
        await Goal.insert(
            Goal(
                plan=plan.id,
                words="Something that matters to me",
                status="closed",
                outcome=rng.choices(
                    ["achieved", "partly", "not", "no_longer_wanted"], [5, 3, 1, 1]
                )[0],
                proposed_by_kind="client",
                created_at=created,
            )
        )


async def _feedback(sessions: list[Any], today: date, rng: random.Random) -> None:
    rows = []
    for _ in range(70):
        session = rng.choice(sessions)
        rows.append(
            Feedback(
                about="session",
                session_id=session.id,
                service_id=session.service_id,
                organisation_id=session.organisation_id,
                title=session.title,
                rating=rng.choices([5, 4, 3, 2, 1], [6, 5, 2, 1, 1])[0],
                comment=rng.choice(COMMENTS) if rng.random() < 0.4 else "",
                given_at=datetime.combine(
                    today - timedelta(days=rng.randint(1, DAYS)), time(19), tzinfo=UTC
                ),
            )
        )
    await Feedback.insert(*rows)


async def _publish_last_month(today: date) -> None:
    last_month = month(f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}")
    for name in ("Positive Steps", "Employability", "Peer Support"):
        admin = await _principal(name, admin=True)
        if admin is None or admin.organisation_id is None:
            continue
        scope = Scope(organisation_id=admin.organisation_id, name=name)
        await publishing.publish(admin, await build_report(scope, last_month, today), last_month)


async def seed_demo_activity() -> list[tuple[str, str]]:
    """The timetable and three months of activity, once; returns where to look."""
    if await HubSession.exists():
        return []
    hub = await _principal(HUB_NAME)
    if hub is None:
        log.warning("demo activity: no demo hub worker; run the network seeder first")
        return []
    today = timetable.today()
    rng = random.Random(16)
    async with transaction():
        sessions = await _timetable(hub, today)
        if not sessions:
            return []
        await _visits(sessions, hub, today, rng)
        await _demo_client_came(sessions, hub, today)
        await _signposting(hub, today, rng)
        clients = await _clients(hub, CLIENTS)
        await _referrals(hub, clients, today, rng)
        await _plans(hub, clients, today, rng)
        await _feedback(sessions, today, rng)
        await audit.record("demo.activity_seeded", Actor.system(), subject_type="reports")
    await _publish_last_month(today)
    return [("hub manager (reports)", f"admin@{slug(HUB_NAME)}.example")]

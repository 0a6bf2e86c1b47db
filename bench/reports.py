"""Reports benchmark: the monthly and yearly report pages over a busy hub's year.

For each database (a temporary SQLite file; PostgreSQL at BENCH_POSTGRES_URL in a fresh
database dropped afterwards) a child process migrates, writes a year (2026) of synthetic
activity in bulk: 50,000 visits on 20 sessions, 20,000 signposting hand-overs, 10,000
referrals with their moves, 2,000 plans with three reviews each (ratings and goals) and 3,000
pieces of feedback; signs a hub manager in through the form, then times GET /reports for each
month (`--rounds` times) and for the whole year, through the app in-process (routing, guards,
queries, charts and templates; no network). Prints the figures and the machine's load and
writes bench/results/reports-<time>.json.

    .venv/bin/python bench/reports.py [--rounds 3] [--databases sqlite,postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import (  # noqa: E402
    POSTGRES_URL,
    bench_environment,
    database,
    percentiles,
    postgres_reachable,
    run,
)

RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway database
YEAR = 2026
SIZES = {"visits": 50_000, "signposting": 20_000, "referrals": 10_000, "plans": 2_000}
CHUNK = 1000


async def _chunks(table: Any, rows: list[Any]) -> None:
    from hub.db import transaction

    # PostgreSQL takes at most 32,767 values in one statement.
    size = min(CHUNK, 30_000 // len(table._meta.columns))
    for start in range(0, len(rows), size):
        async with transaction():
            await table.insert(*rows[start : start + size])


def _moment(rng: random.Random) -> datetime:
    start = datetime(YEAR, 1, 1, 8, tzinfo=UTC)
    return start + timedelta(minutes=rng.randint(0, 364 * 24 * 60))


@dataclass
class _Year:
    """What the year's rows hang on: the hub, its worker, services, sessions and clients."""

    rng: random.Random
    now: datetime
    hub: Any = None
    worker: Any = None
    services: list[Any] = field(default_factory=list)
    sessions: list[Any] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)


async def _seed_people(year: _Year) -> str:
    """The hub, ten partners, a manager and a worker; returns the manager's e-mail."""
    from argon2 import PasswordHasher

    from directory.taxonomy import ensure_need_taxonomy
    from hub.tables import Organisation, Staff

    await ensure_need_taxonomy()
    year.hub = Organisation(name="Bench Hub", kind="hub", created_at=year.now)
    partners = [Organisation(name=f"Partner {i}", created_at=year.now) for i in range(10)]
    await Organisation.insert(year.hub, *partners)
    hashed = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    people = {"manager": True, "worker": False}
    staff = {
        role: Staff(
            organisation=year.hub.id,
            name=role.title(),
            email=f"{role}@bench.example",
            password_hash=hashed,
            is_org_admin=admin,
            created_at=year.now,
            password_changed_at=year.now,
        )
        for role, admin in people.items()
    }
    await Staff.insert(*staff.values())
    year.worker = staff["worker"]
    await _seed_services(year, partners)
    return str(staff["manager"].email)


async def _seed_services(year: _Year, partners: list[Any]) -> None:
    """Fifty partner services, the first twenty of them weekly hub sessions."""
    from directory.sessions.tables import HubSession
    from directory.tables import Service, ServiceTaxonomy
    from directory.taxonomy import NEED_CATEGORIES, term_id

    rng, now = year.rng, year.now
    codes = [code for code, _, _ in NEED_CATEGORIES]
    year.services = [
        Service(
            organisation=rng.choice(partners).id,
            name=f"Service {i}",
            created_at=now,
            updated_at=now,
            response_target_days=rng.choice([None, 3, 5, 10]),
        )
        for i in range(50)
    ]
    await Service.insert(*year.services)
    await ServiceTaxonomy.insert(
        *[
            ServiceTaxonomy(service=s.id, taxonomy_term=term_id(rng.choice(codes)))
            for s in year.services
        ]
    )
    year.sessions = [
        HubSession(service=s.id, recurrence="weekly", first_date=date(YEAR, 1, 5), created_at=now)
        for s in year.services[:20]
    ]
    await HubSession.insert(*year.sessions)


async def _seed_visits_and_signposting(year: _Year) -> None:
    """50,000 visits; 20,000 hand-overs of two services each; the daily need tallies."""
    from directory.tables import SignpostCount, SignpostItem, SignpostList
    from directory.taxonomy import NEED_CATEGORIES
    from plans.attendance.tables import Attendance

    rng, now, hub, worker = year.rng, year.now, year.hub, year.worker
    await _chunks(
        Attendance,
        [
            Attendance(
                session=rng.choice(year.sessions).id,
                on_date=date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 364)),
                visitors=1,
                first_visit=rng.random() < 0.2,
                organisation=hub.id,
                recorded_by=worker.id,
                recorded_at=now,
            )
            for _ in range(SIZES["visits"])
        ],
    )
    lists, items = [], []
    for _ in range(SIZES["signposting"]):
        at = _moment(rng)
        handed = SignpostList(
            token=uuid.uuid4().hex,
            organisation=hub.id,
            created_by=worker.id,
            created_at=at,
            expires_at=at,
            handed_over_at=at,
        )
        lists.append(handed)
        items += [
            SignpostItem(signpost_list=handed.id, service=s.id, position=i)
            for i, s in enumerate(rng.sample(year.services, 2))
        ]
    await _chunks(SignpostList, lists)
    await _chunks(SignpostItem, items)
    codes = [code for code, _, _ in NEED_CATEGORIES]
    await _chunks(
        SignpostCount,
        [
            SignpostCount(
                day=date(YEAR, 1, 1) + timedelta(days=d),
                category_code=code,
                total=rng.randint(1, 12),
            )
            for d in range(365)
            for code in codes
        ],
    )


async def _seed_referrals(year: _Year) -> None:
    """10,000 referrals from the hub, each with its sent move and (if answered) its answer."""
    from referrals import lifecycle
    from referrals.tables import Referral, ReferralEvent

    rng = year.rng
    statuses = [
        lifecycle.COMPLETED,
        lifecycle.IN_PROGRESS,
        lifecycle.REJECTED,
        lifecycle.FAILED,
        lifecycle.CANCELLED,
        lifecycle.REQUESTED,
        lifecycle.ACCEPTED,
    ]
    referrals, events = [], []
    for _ in range(SIZES["referrals"]):
        service, sent, status = rng.choice(year.services), _moment(rng), rng.choice(statuses)
        waiting = status in (lifecycle.REQUESTED, lifecycle.CANCELLED)
        answered = None if waiting else sent + timedelta(days=rng.randint(0, 9))
        referral = Referral(
            client=rng.choice(year.clients).id,
            service=service.id,
            service_name=service.name,
            sender_organisation=year.hub.id,
            sender_staff=year.worker.id,
            recipient_organisation=service.organisation,
            status=status,
            requested_at=sent,
            responded_at=answered,
            reason_code="no_capacity" if status == lifecycle.REJECTED else "",
            outcome_code="need_met" if status == lifecycle.COMPLETED else "",
            updated_at=sent,
        )
        referrals.append(referral)
        events.append(
            ReferralEvent(referral=referral.id, at=sent, kind="sent", to_status="requested")
        )
        if answered:
            events.append(
                ReferralEvent(
                    referral=referral.id,
                    at=answered,
                    kind="moved",
                    from_status="requested",
                    to_status=status,
                )
            )
    await _chunks(Referral, referrals)
    await _chunks(ReferralEvent, events)


async def _seed_plans(year: _Year) -> None:
    """2,000 clients, each with a plan, three reviews of four ratings, and two goals."""
    from hub.tables import Client
    from plans.tables import Goal, Plan, Rating, Review
    from plans.vocabulary import WELLBEING_AREAS

    rng, now = year.rng, year.now
    year.clients = [
        Client(full_name=f"Client {i}", registered_by=year.hub.id, created_at=now)
        for i in range(SIZES["plans"])
    ]
    await _chunks(Client, year.clients)
    plans, reviews, ratings, goals = [], [], [], []
    for client in year.clients:
        next_review = date(YEAR, 1, 1) + timedelta(days=rng.randint(30, 400))
        plan = Plan(client=client.id, next_review_on=next_review, created_at=now, updated_at=now)
        plans.append(plan)
        for held in sorted(rng.sample(range(365), 3)):
            review = Review(
                plan=plan.id,
                held_on=date(YEAR, 1, 1) + timedelta(days=held),
                recorded_by=year.worker.id,
                organisation=year.hub.id,
                created_at=now,
            )
            reviews.append(review)
            ratings += [
                Rating(review=review.id, area=area, client_score=rng.randint(1, 10))
                for area in rng.sample(list(WELLBEING_AREAS), 4)
            ]
        goals += [
            Goal(
                plan=plan.id,
                words="goal",
                status=rng.choice(["agreed", "closed"]),
                outcome=rng.choice(["achieved", "partly", "not"]),
                proposed_by_kind="client",
                created_at=now,
            )
            for _ in range(2)
        ]
    for table, rows in ((Plan, plans), (Review, reviews), (Rating, ratings), (Goal, goals)):
        await _chunks(table, rows)


async def _seed_feedback(year: _Year) -> None:
    """3,000 ratings of the sessions through the year."""
    from reports.tables import Feedback

    rng = year.rng
    await _chunks(
        Feedback,
        [
            Feedback(
                about="session",
                session_id=rng.choice(year.sessions).id,
                title="A session",
                rating=rng.randint(1, 5),
                comment=rng.choice(["", "Good"]),
                given_at=_moment(rng),
            )
            for _ in range(3000)
        ],
    )


async def _seed() -> str:
    """The busy year; returns the hub manager's e-mail."""
    year = _Year(rng=random.Random(2026), now=datetime(YEAR, 1, 1, tzinfo=UTC))
    email = await _seed_people(year)
    await _seed_visits_and_signposting(year)
    await _seed_plans(year)
    await _seed_referrals(year)
    await _seed_feedback(year)
    return email


async def _inner(rounds: int) -> dict[str, Any]:
    import re

    import httpx

    from app import create_app
    from hub.cli import migrate
    from hub.db import close_pool, get_engine, open_pool

    await migrate()
    engine = get_engine()
    await open_pool(engine)
    started = time.perf_counter()
    email = await _seed()
    seeded = time.perf_counter() - started
    transport = httpx.ASGITransport(app=create_app(), client=("127.0.0.1", 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as browser:
        form = await browser.get("/sign-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed = await browser.post(
            "/sign-in", data={"email": email, "password": PASSWORD, "_csrf_token": token.group(1)}
        )
        assert signed.status_code == 303, signed.text[:300]

        async def timed(path: str) -> float:
            begin = time.perf_counter()
            response = await browser.get(path)
            elapsed = (time.perf_counter() - begin) * 1000
            assert response.status_code == 200, (path, response.status_code)
            assert "Attendance by session" in response.text
            return elapsed

        await timed(f"/reports?month={YEAR}-01")  # warm-up
        monthly = [
            await timed(f"/reports?month={YEAR}-{m:02d}")
            for _ in range(rounds)
            for m in range(1, 13)
        ]
        yearly = [
            await timed(f"/reports?from={YEAR}-01-01&to={YEAR}-12-31")
            for _ in range(max(rounds, 5))
        ]
    await close_pool(engine)
    return {
        "seed_seconds": round(seeded, 1),
        "monthly_ms": percentiles(monthly),
        "year_ms": percentiles(yearly) if len(yearly) > 1 else {"max": max(yearly)},
    }


def bench(kind: str, rounds: int) -> dict[str, Any]:
    """Run the child for one database; returns its figures with the machine's load."""
    with (
        tempfile.TemporaryDirectory(prefix="wa-bench-reports-") as folder,
        database(kind, Path(folder)) as url,
    ):
        env = bench_environment(url, Path(folder))
        out = run(env, PYTHON, __file__, "--inner", "--rounds", str(rounds), capture=True)
    result = json.loads(out.strip().splitlines()[-1])
    result["database"] = kind
    result["load_after"] = os.getloadavg()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(asyncio.run(_inner(args.rounds))))
        return 0
    results = []
    for kind in args.databases.split(","):
        if kind == "postgres" and not postgres_reachable(POSTGRES_URL):
            print("PostgreSQL not reachable: skipped")
            continue
        load_before = os.getloadavg()
        result = bench(kind, args.rounds)
        result["load_before"] = load_before
        results.append(result)
        print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"reports-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps({"sizes": SIZES, "results": results}, indent=2))
    print(f"written {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

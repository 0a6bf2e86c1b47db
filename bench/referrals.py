"""Referrals benchmark: send, accept and complete over HTTP with 16 users at once, and a race.

For each database (a temporary SQLite file; PostgreSQL at BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/test, in a fresh database dropped afterwards) it seeds a
hub with 16 workers, a partner with 16 workers and one service taking network referrals, and
clients whose consent names the partner; starts a real `wraparound serve` (Granian); signs
everyone in through the sign-in form; then, with 16 users at once (asyncio tasks, each its own
browser session, every POST carrying its CSRF token), times:

- send: POST /referrals/new (16 hub workers, `--per-user` referrals each);
- accept: POST /referrals/<id>/move action=accept (16 partner workers, each their own share);
- complete: POST /referrals/<id>/move action=complete (the same shares);
- race: for each of `--race` new referrals, all 16 partner workers press "Accept" at once.

Then it checks the database: every referral has exactly the moves that were answered 303 (no
lost and no duplicated moves: events per referral and final versions), and in the race exactly
one accept per referral won and the other 15 were told 409. Prints a table and writes
bench/results/referrals-<time>.json.

    .venv/bin/python bench/referrals.py [--per-user 25] [--race 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's packages (this file's own folder comes after)

from bench import cpu, light_client  # noqa: E402
from bench.search import (  # noqa: E402
    hello_server,
    postgres_reachable,
    run,
    served_app,
    serving,
    sign_in_form,
)

RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway database
USERS = 16


# --- Inside a child process whose environment names the database -------------------------


async def _inner_setup(users: int, clients: int) -> dict[str, Any]:
    """Seed the network through the real write paths; returns who and what to use."""
    from consent.vocabulary import CONTACT, IDENTITY
    from hub import clock
    from hub.db import close_pool, get_engine, open_pool

    engine = get_engine()
    await open_pool(engine)
    now = clock.now()
    senders = [f"sender{i}@hub.bench.example" for i in range(users)]
    acceptors = [f"worker{i}@partner.bench.example" for i in range(users)]
    hub, partner = await _seed_organisations(senders, acceptors, now)
    service_id = await _seed_service(partner, now)
    client_ids = [str(await _seed_client(index, hub, partner, now)) for index in range(clients)]
    await close_pool(engine)
    return {
        "senders": senders,
        "acceptors": acceptors,
        "service_id": str(service_id),
        "client_ids": client_ids,
        "categories": [IDENTITY, CONTACT],
    }


async def _seed_organisations(
    senders: list[str], acceptors: list[str], now: datetime
) -> tuple[Any, Any]:
    """The hub (whose staff send) and the partner (whose staff accept), with their staff."""
    from hub.accounts.passwords import hash_password
    from hub.db import transaction
    from hub.tables import Organisation, Staff

    password_hash = await hash_password(PASSWORD)
    hub = Organisation(name="Bench Hub", kind="hub", created_at=now)
    partner = Organisation(name="Bench Partner", kind="partner", created_at=now)
    async with transaction():
        await Organisation.insert(hub, partner)
        await Staff.insert(
            *[
                Staff(
                    organisation=organisation.id,
                    name=f"Bench {email.split('@')[0]}",
                    email=email,
                    password_hash=password_hash,
                    active=True,
                    created_at=now,
                    password_changed_at=now,
                    notify_by_email=False,
                )
                for organisation, emails in ((hub, senders), (partner, acceptors))
                for email in emails
            ]
        )
    return hub, partner


async def _seed_service(partner: Any, now: datetime) -> uuid.UUID:
    """The partner's one listing that takes network referrals."""
    from directory import schemas
    from directory.store import upsert_service
    from hub.audit import Actor

    service = schemas.ServiceRecord(
        id=uuid.uuid4(),
        organisation_id=partner.id,
        organisation_name=partner.name,
        name="Bench tenancy support",
        description="Help to find and keep a tenancy",
        referral_methods=["network"],
        response_target_days=5,
        verified_at=now,
    )
    await upsert_service(service, actor=Actor.system())
    return service.id


async def _seed_client(index: int, hub: Any, partner: Any, now: datetime) -> uuid.UUID:
    """A client the hub registered, with a consent naming the partner."""
    from consent import consents, validation
    from consent.involvement import start_involvement
    from consent.vocabulary import (
        CONTACT,
        COORDINATION,
        CURRENT_NOTICE,
        IDENTITY,
        NEEDS,
        local_date,
    )
    from hub.audit import Actor
    from hub.db import transaction
    from hub.tables import Client

    start, end = validation.default_period(local_date(now))
    client = Client(
        full_name=f"Bench Client {index}",
        preferred_name="Bench",
        registered_by=hub.id,
        created_at=now,
    )
    async with transaction():
        await Client.insert(client)
        await start_involvement(client.id, hub.id, "registered", Actor.system())
        await consents.insert_version(
            client.id,
            {
                "organisation_ids": [str(partner.id)],
                "organisation_names": [partner.name],
                "categories": [IDENTITY, CONTACT, NEEDS],
                "purposes": [COORDINATION],
                "valid_from": start,
                "valid_to": end,
                "method": "verbal",
                "notice_version": CURRENT_NOTICE,
                "capacity": "has_capacity",
                "given_by": "client",
                "obtained_by_staff": None,
                "obtained_by_organisation": hub.id,
            },
            Actor.system(),
        )
    return client.id


async def _inner_verify(ids: list[uuid.UUID]) -> dict[str, Any]:
    """Each referral's status, version and number of moves, as the database has them."""
    from piccolo.query.functions.aggregate import Count

    from hub.db import close_pool, get_engine, open_pool
    from referrals.tables import Referral, ReferralEvent

    engine = get_engine()
    await open_pool(engine)
    rows = await Referral.select(Referral.id, Referral.status, Referral.version).where(
        Referral.id.is_in(ids)
    )
    moved = await (
        ReferralEvent.select(ReferralEvent.referral, Count(alias="moves"))
        .where(ReferralEvent.referral.is_in(ids) & (ReferralEvent.kind == "moved"))
        .group_by(ReferralEvent.referral)
    )
    moves = {str(row["referral"]): row["moves"] for row in moved}
    total = await Referral.count()
    await close_pool(engine)
    return {
        "total_referrals": total,
        "referrals": {
            str(row["id"]): [row["status"], row["version"], moves.get(str(row["id"]), 0)]
            for row in rows
        },
    }


async def _profile_user(client: Any, email: str) -> tuple[Any, str]:
    """Sign one person in on the in-process client; their cookies and CSRF token."""
    client.cookies.clear()
    token = await sign_in_form(client, email, PASSWORD)
    return dict(client.cookies), token


async def _inner_profile(seeded: dict[str, Any], moves: int, kind: str) -> dict[str, Any]:
    """Statements and time per request of send, accept and complete, one request at a time.

    In this process, with the query counter installed before the app is built, through
    Litestar's test client (the whole ASGI stack: middleware, CSRF, session, templates).
    """
    from bench import query_counter

    tally = query_counter.install(kind, keep_texts=True)
    from litestar.testing import AsyncTestClient

    from app import create_app

    phases: dict[str, dict[str, Any]] = {}
    logging.getLogger("httpx").setLevel(logging.WARNING)
    async with AsyncTestClient(app=create_app()) as client:
        client.follow_redirects = False
        sender = await _profile_user(client, seeded["senders"][0])
        acceptor = await _profile_user(client, seeded["acceptors"][0])

        async def timed_post(
            name: str, who: tuple[Any, str], url: str, data: dict[str, Any]
        ) -> str:
            client.cookies.clear()
            client.cookies.update(who[0])
            tally.reset()
            started = time.perf_counter()
            response = await client.post(url, data={**data, "_csrf_token": who[1]})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 303, (response.status_code, response.text[:300])
            phase = phases.setdefault(
                name, {"requests": 0, "ms": 0.0, "statements": Counter(), "spans": Counter()}
            )
            phase["requests"] += 1
            phase["ms"] += elapsed
            phase["statements"].update(tally.statements)
            phase["spans"].update(tally.spans_ms)
            phase["last_texts"] = list(tally.texts)
            return str(response.headers["location"]).rsplit("/", 1)[-1].split("?")[0]

        form = {
            "client_id": seeded["client_ids"][0],
            "service_id": seeded["service_id"],
            "reason_client": "I need somewhere to live",
            "reason_worker": "Sofa-surfing for a month",
            "urgency": "routine",
            "contact_how": "phone",
            "categories": seeded["categories"],
        }
        warm_up = 3
        for number in range(moves + warm_up):
            if number == warm_up:
                phases.clear()
            sent = await timed_post("send", sender, "/referrals/new", form)
            move = f"/referrals/{sent}/move"
            await timed_post("accept", acceptor, move, {"action": "accept", "version": "1"})
            done = {"action": "complete", "version": "2", "outcome_code": "need_met"}
            await timed_post("complete", acceptor, move, done)
    report = {}
    for name, phase in phases.items():
        count = phase["requests"]
        report[name] = {
            "requests": count,
            "ms_per_request": round(phase["ms"] / count, 2),
            "statements_per_request": round(sum(phase["statements"].values()) / count, 1),
            "statements_by_kind": {k: round(v / count, 1) for k, v in phase["statements"].items()},
            "spans_ms": {k: round(v / count, 2) for k, v in sorted(phase["spans"].items())},
            "statements_of_the_last": phase["last_texts"],
        }
    return report


def inner(mode: str, args: argparse.Namespace) -> None:
    """Entry point of the child processes."""
    if mode == "setup":
        result = asyncio.run(_inner_setup(USERS, args.clients))
    elif mode == "profile":
        seeded = json.loads(Path(args.ids_file).read_text())
        kind = "postgres" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
        result = asyncio.run(_inner_profile(seeded, args.profile, kind))
    else:
        ids = [uuid.UUID(i) for i in json.loads(Path(args.ids_file).read_text())]
        result = asyncio.run(_inner_verify(ids))
    print(json.dumps(result))


# --- The orchestrating process ------------------------------------------------------------


def _admin_sql(url: str, statement: str) -> None:
    import asyncpg

    async def execute() -> None:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute())


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh database of `kind`; yields its DATABASE_URL."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    name = f"wa_bench_{uuid.uuid4().hex[:10]}"
    _admin_sql(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_URL)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        _admin_sql(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(env: dict[str, str], workers: int) -> Iterator[str]:
    """`wraparound serve` (Granian) until the block ends; yields its base URL."""
    with serving(served_app(workers), env) as base:
        yield base


@dataclass
class User:
    """One signed-in browser session."""

    email: str
    client: Any
    token: str = ""


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    cpu_ms: dict[str, float] | None = None

    def row(self, backend: str) -> dict[str, Any]:
        """A table row: requests, outcomes, throughput and percentiles."""
        cuts = statistics.quantiles(self.latencies_ms, n=100, method="inclusive")
        return {
            "backend": backend,
            "phase": self.name,
            "requests": len(self.latencies_ms),
            "statuses": dict(sorted(self.statuses.items())),
            "per_second": round(len(self.latencies_ms) / self.seconds, 1),
            "p50": round(cuts[49], 1),
            "p95": round(cuts[94], 1),
            "p99": round(cuts[98], 1),
            "max": round(max(self.latencies_ms), 1),
            "cpu_ms_per_request": self.cpu_ms,
        }


async def sign_in(base: str, email: str) -> User:
    """A browser session signed in through the real form, with a CSRF token for its forms."""
    client = light_client.Session(base)
    return User(email=email, client=client, token=await sign_in_form(client, email, PASSWORD))


async def timed(phase: Phase, request: Awaitable[Any]) -> Any:
    """Await one request, noting its latency and status."""
    started = time.perf_counter()
    response = await request
    phase.latencies_ms.append((time.perf_counter() - started) * 1000)
    phase.statuses[response.status_code] += 1
    return response


async def run_phase(
    name: str, users: list[User], work: Callable[[Phase, int, User], Awaitable[None]]
) -> Phase:
    """All users at once, each doing its share; the phase's wall time is the slowest user's."""
    phase = Phase(name)
    cpu_before = cpu.sample()
    started = time.perf_counter()
    await asyncio.gather(*(work(phase, index, user) for index, user in enumerate(users)))
    phase.seconds = time.perf_counter() - started
    phase.cpu_ms = cpu.per_request_ms(cpu_before, cpu.sample(), len(phase.latencies_ms))
    return phase


def _location_id(response: Any) -> str:
    assert response.status_code == 303, (response.status_code, response.text[:500])
    return str(response.headers["location"]).rsplit("/", 1)[-1].split("?")[0]


async def drive(base: str, seeded: dict[str, Any], per_user: int, race: int) -> dict[str, Any]:
    """Every phase over HTTP; returns the phases and what each request was answered."""
    senders = await asyncio.gather(*(sign_in(base, e) for e in seeded["senders"]))
    acceptors = await asyncio.gather(*(sign_in(base, e) for e in seeded["acceptors"]))
    clients = seeded["client_ids"]
    for _ in range(3):  # warm up: every worker process has rendered pages and opened its pool
        await asyncio.gather(*(user.client.get("/referrals") for user in [*senders, *acceptors]))

    def referral_form(user: User, number: int) -> dict[str, Any]:
        return {
            "_csrf_token": user.token,
            "client_id": clients[number % len(clients)],
            "service_id": seeded["service_id"],
            "reason_client": "I need somewhere to live",
            "reason_worker": "Sofa-surfing for a month",
            "client_wants": "A tenancy",
            "urgency": "routine",
            "contact_how": "phone",
            "contact_when": "Mornings",
            "categories": seeded["categories"],
        }

    shares: list[list[str]] = [[] for _ in range(USERS)]

    async def send(phase: Phase, index: int, user: User) -> None:
        for number in range(per_user):
            form = referral_form(user, index * per_user + number)
            response = await timed(phase, user.client.post("/referrals/new", data=form))
            shares[index].append(_location_id(response))

    def move(action: str, version: int, **extra: str) -> Callable[..., Awaitable[None]]:
        async def work(phase: Phase, index: int, user: User) -> None:
            for referral_id in shares[index]:
                form = {"_csrf_token": user.token, "action": action, "version": str(version)}
                await timed(
                    phase,
                    user.client.post(f"/referrals/{referral_id}/move", data={**form, **extra}),
                )

        return work

    phases = [await run_phase("send", senders, send)]
    phases.append(await run_phase("accept", acceptors, move("accept", 1)))
    phases.append(
        await run_phase("complete", acceptors, move("complete", 2, outcome_code="need_met"))
    )

    # The race: new referrals, then all 16 partner workers accept each one at the same moment.
    raced: list[str] = []
    for number in range(race):
        user = senders[number % USERS]
        response = await user.client.post("/referrals/new", data=referral_form(user, number))
        raced.append(_location_id(response))
    race_phase = Phase("race accept")
    winners: dict[str, list[int]] = {}
    started = time.perf_counter()
    for referral_id in raced:
        form = {"action": "accept", "version": "1"}
        answers = await asyncio.gather(
            *(
                timed(
                    race_phase,
                    user.client.post(
                        f"/referrals/{referral_id}/move", data={**form, "_csrf_token": user.token}
                    ),
                )
                for user in acceptors
            )
        )
        winners[referral_id] = [answer.status_code for answer in answers]
    race_phase.seconds = time.perf_counter() - started
    phases.append(race_phase)
    for user in [*senders, *acceptors]:
        await user.client.aclose()
    return {
        "phases": phases,
        "completed": [referral_id for share in shares for referral_id in share],
        "raced": winners,
    }


def check(driven: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """No lost and no duplicated moves: what the database holds against what HTTP answered."""
    rows = found["referrals"]
    problems = []
    for referral_id in driven["completed"]:
        if rows.get(referral_id) != ["completed", 3, 2]:
            problems.append(
                (referral_id, "expected completed, version 3, 2 moves", rows.get(referral_id))
            )
    for referral_id, statuses in driven["raced"].items():
        answered = Counter(statuses)
        if answered != Counter({303: 1, 409: USERS - 1}):
            problems.append((referral_id, "expected one 303 and 15 409s", dict(answered)))
        if rows.get(referral_id) != ["accepted", 2, 1]:
            problems.append(
                (referral_id, "expected accepted, version 2, 1 move", rows.get(referral_id))
            )
    expected = len(driven["completed"]) + len(driven["raced"])
    if found["total_referrals"] != expected:
        problems.append(("all", f"expected {expected} referrals", found["total_referrals"]))
    return {
        "referrals_checked": len(rows),
        "moves_expected": 2 * len(driven["completed"]) + len(driven["raced"]),
        "moves_found": sum(row[2] for row in rows.values()),
        "problems": problems[:20],
        "ok": not problems,
    }


def bench_backend(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, serve, drive and check one database."""
    workdir = Path(tempfile.mkdtemp(prefix=f"wa-bench-referrals-{kind}-"))
    try:
        with database(kind, workdir) as url:
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "WRAPAROUND_VAR_DIR": str(workdir),
                "WRAPAROUND_ENV": "development",
                "SECRET_KEY": "bench-secret-" + "x" * 40,
                "SECURE_COOKIES": "false",
                "WORKER_IN_PROCESS": "false",
                "MEILISEARCH_URL": "",
                "TEMPLATE_RELOAD": "false",  # as in production
            }
            run(env, WRAPAROUND, "migrate", capture=True)
            print(
                f"\n{kind}: seeding {USERS} + {USERS} staff and {args.clients} clients", flush=True
            )
            command = [PYTHON, __file__, "--inner", "setup", "--clients", str(args.clients)]
            seeded = json.loads(run(env, *command, capture=True).splitlines()[-1])
            result: dict[str, Any] = {"rows": [], "check": {"backend": kind, "ok": True}}
            if not args.no_load:
                result = load_phases(kind, env, workdir, seeded, args)
            if args.profile:
                print(f"{kind}: profiling {args.profile} of each move", flush=True)
                seeded_file = workdir / "seeded.json"
                seeded_file.write_text(json.dumps(seeded))
                command = [PYTHON, __file__, "--inner", "profile", "--ids-file", str(seeded_file)]
                command += ["--profile", str(args.profile)]
                answer = subprocess.run(  # noqa: S603 - our own command; its errors show
                    command, env=env, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE
                )
                profile = json.loads(answer.stdout.splitlines()[-1])
                result["profile"] = {"backend": kind, "moves": profile}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return result


async def hello_phase(base: str, per_user: int) -> Phase:
    """16 users at once, each GET / `per_user` times (after a warm-up), like the real phases."""
    clients = [light_client.Session(base, timeout=60) for _ in range(USERS)]
    await asyncio.gather(*(client.get("/") for client in clients))

    async def work(phase: Phase, index: int, user: User) -> None:
        for _ in range(per_user):
            await timed(phase, user.client.get("/"))

    users = [User(email="", client=client) for client in clients]
    phase = await run_phase("hello world", users, work)
    for client in clients:
        await client.aclose()
    return phase


def load_phases(
    kind: str, env: dict[str, str], workdir: Path, seeded: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """The 16-user phases over HTTP against `wraparound serve`, then the database's check."""
    # `wraparound serve` runs SQLite in one web process (more is refused).
    workers = 1 if kind == "sqlite" else args.workers
    with hello_server(workers) as base:
        hello = asyncio.run(hello_phase(base, args.hello))
    print(f"{kind}: driving over HTTP ({workers} Granian workers)", flush=True)
    with server(env, workers) as base:
        driven = asyncio.run(drive(base, seeded, args.per_user, args.race))
    driven["phases"].insert(0, hello)
    ids_file = workdir / "ids.json"
    ids_file.write_text(json.dumps([*driven["completed"], *driven["raced"]]))
    command = [PYTHON, __file__, "--inner", "verify", "--ids-file", str(ids_file)]
    found = json.loads(run(env, *command, capture=True).splitlines()[-1])
    rows = [phase.row(kind) for phase in driven["phases"]]
    for row in rows:  # the same run's hello world: the machine's own speed at that moment
        row["rate_of_hello"] = round(row["per_second"] / rows[0]["per_second"], 3)
        row["p95_of_hello"] = round(row["p95"] / rows[0]["p95"], 1)
    return {"rows": rows, "check": {"backend": kind, **check(driven, found)}}


def print_profile(console: Any, profile: dict[str, Any]) -> None:
    """One table per database: statements and milliseconds per request of each move."""
    from rich.table import Table

    moves = profile["moves"]
    table = Table(title=f"One request at a time, {profile['backend']}: per request (ms)")
    table.add_column("what")
    for name in moves:
        table.add_column(name, justify="right")
    table.add_row("whole request", *(f"{m['ms_per_request']:.2f}" for m in moves.values()))
    table.add_row("statements", *(f"{m['statements_per_request']:.1f}" for m in moves.values()))
    kinds = sorted({k for m in moves.values() for k in m["statements_by_kind"]})
    for kind in kinds:
        values = (m["statements_by_kind"].get(kind, 0) for m in moves.values())
        table.add_row(f"  {kind}", *(f"{v:.1f}" for v in values))
    spans = sorted({k for m in moves.values() for k in m["spans_ms"]})
    for name in spans:
        table.add_row(name, *(f"{m['spans_ms'].get(name, 0):.2f}" for m in moves.values()))
    console.print(table)


def print_cpu(console: Any, results: list[dict[str, Any]]) -> None:
    """Whose CPU each phase used, in milliseconds per request (from /proc)."""
    from rich.table import Table

    table = Table(title="CPU per request (ms): the bench's client, the server, PostgreSQL, all")
    for column in ("backend", "phase", *cpu.PARTIES):
        table.add_column(column, justify="left" if column in {"backend", "phase"} else "right")
    for result in results:
        for row in result["rows"]:
            spent = row.get("cpu_ms_per_request")
            if spent:
                parties = (f"{spent[party]:.2f}" for party in cpu.PARTIES)
                table.add_row(row["backend"], row["phase"], *parties)
    console.print(table)


def report(results: list[dict[str, Any]], context: dict[str, Any]) -> Path:
    """Print the tables and write the JSON; returns the file written."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    table = Table(title=f"Referrals over HTTP, {USERS} users at once (latency in ms)")
    columns = (
        "backend",
        "phase",
        "requests",
        "statuses",
        "per_second",
        "p50",
        "p95",
        "p99",
        "max",
        "rate_of_hello",
        "p95_of_hello",
    )
    for column in columns:
        table.add_column(
            column, justify="left" if column in {"backend", "phase", "statuses"} else "right"
        )
    for result in results:
        for row in result["rows"]:
            statuses = " ".join(f"{code}x{count}" for code, count in row["statuses"].items())
            table.add_row(
                row["backend"],
                row["phase"],
                str(row["requests"]),
                statuses,
                *(f"{row[key]:.1f}" for key in ("per_second", "p50", "p95", "p99", "max")),
                f"{row['rate_of_hello']:.3f}",
                f"{row['p95_of_hello']:.1f}",
            )
    console.print(table)
    print_cpu(console, results)
    checks = Table(title="Moves: database against HTTP answers")
    for column in ("backend", "referrals", "moves expected", "moves found", "verdict"):
        checks.add_column(column)
    for result in results:
        check_row = result["check"]
        if "moves_expected" not in check_row:  # --no-load: nothing was driven
            continue
        checks.add_row(
            check_row["backend"],
            str(check_row["referrals_checked"]),
            str(check_row["moves_expected"]),
            str(check_row["moves_found"]),
            "OK: none lost, none doubled" if check_row["ok"] else f"FAILED {check_row['problems']}",
        )
    console.print(checks)
    for result in results:
        if "profile" in result:
            print_profile(console, result["profile"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"referrals-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"context": context, "results": results}, indent=2))
    print(f"Written to {path}")
    return path


def main() -> int:
    """Run the bench; exit status 1 when a move was lost or doubled."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-user", type=int, default=100, help="referrals each sender sends")
    parser.add_argument("--race", type=int, default=40, help="referrals all 16 race to accept")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument(
        "--workers", type=int, default=2, help="Granian worker processes (PostgreSQL; SQLite: 1)"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--hello", type=int, default=200, help="hello-world GETs per user")
    parser.add_argument(
        "--profile", type=int, default=20, help="moves profiled one at a time (0: none)"
    )
    parser.add_argument(
        "--no-load", action="store_true", help="only the profile, not the 16-user phases"
    )
    parser.add_argument("--inner", choices=("setup", "verify", "profile"), help=argparse.SUPPRESS)
    parser.add_argument("--ids-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner, args)
        return 0
    kinds = [kind for kind in args.backends.split(",") if kind]
    if "postgres" in kinds and not postgres_reachable(POSTGRES_URL):
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: skipping it")
        kinds.remove("postgres")
    context = {
        "started": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "users": USERS,
        "per_user": args.per_user,
        "race": args.race,
        "granian_workers": args.workers,
    }
    results = [bench_backend(kind, args) for kind in kinds]
    context["load_average_at_end"] = os.getloadavg()
    report(results, context)
    return 0 if all(result["check"]["ok"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())

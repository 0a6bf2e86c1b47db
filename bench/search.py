"""Search benchmark: p50/p95/p99 of the search call and of the search page over HTTP.

Builds synthetic directories (10,000 then 100,000 services, by `wraparound directory
generate`) in a temporary SQLite file and, when it answers at BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/test), in a fresh PostgreSQL database. For each
backend and size it times:

- the search call alone (`get_backend().search(query)` in one process, pool open), and
- GET /directory over HTTP against a real `wraparound serve` (Granian, one process),
  after a hello-world app's GET / on the same kind of server (the machine's speed then),

with text + need category + open at a weekday afternoon + within a distance + nearest first.
Floors at 100,000 services (issue 14's, tighter than issue 11's): the call's p95 at most
30 ms on SQLite and 50 ms on PostgreSQL, the whole page over HTTP at most 35 and 60 ms.
First it reports recall@5 of the relevance set (tests/directory/relevance/queries.toml) on
the demo directory in a fresh database of each kind. Prints a table and writes
bench/results/search-<time>.json.

    .venv/bin/python bench/search.py [--sizes 10000,100000] [--queries 400] [--keep DIR]

--keep DIR keeps the databases (SQLite in DIR/bench.sqlite, PostgreSQL as wa_bench_keep) and
reuses them next time, generating only what a size still lacks; sizes below what a kept
database already holds are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
ADMIN_EMAIL = "bench@wraparound.example"
ADMIN_PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway database
# p95 floors at 100,000 services: issue 11's (the call under 35 ms on SQLite and 60 on
# PostgreSQL, with typo tolerance and synonyms on; the page under 100 ms), tightened by
# issue 14's (the call at most 30 and 50 ms, the whole page over HTTP at most 35 and 60).
FLOORS_MS = {
    ("sqlite", 100_000, "call"): 30.0,
    ("sqlite", 100_000, "http"): 35.0,
    ("postgres", 100_000, "call"): 50.0,
    ("postgres", 100_000, "http"): 60.0,
}
HELLO = "hello world"
RELEVANCE_SET = ROOT / "tests" / "directory" / "relevance" / "queries.toml"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
# (text, need category) pairs a hub worker would type and tick.
SEARCHES = (
    ("housing", "housing"),
    ("hous", "housing"),
    ("tenancy support", "housing"),
    ("food", "food"),
    ("pantry", "food"),
    ("money advice", "money"),
    ("debt", "money"),
    ("wellbeing", "mental-health"),
    ("recovery", "substance-use"),
    ("peer support", "social"),
    ("jobs", "employability"),
    ("family", "family"),
)
DUNDEE = (56.4620, -2.9707)
KEPT_POSTGRES = "wa_bench_keep"
DISTANCES_KM = (2, 5)


def make_queries(count: int, seed: int) -> list[dict[str, Any]]:
    """Searches as form parameters: text, category, open Monday 14:00, distance, nearest first."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        text, category = rng.choice(SEARCHES)
        queries.append(
            {
                "q": text,
                "category": category,
                "when": "at",
                "day": "mo",
                "time": "14:00",
                "distance": str(rng.choice(DISTANCES_KM)),
                "sort": "distance",
                "lat": f"{DUNDEE[0] + rng.uniform(-0.03, 0.03):.5f}",
                "lon": f"{DUNDEE[1] + rng.uniform(-0.05, 0.05):.5f}",
            }
        )
    return queries


def by_distance(
    what: str, latencies_ms: list[float], queries: list[dict[str, Any]]
) -> list[tuple[str, list[float]]]:
    """The latencies overall, then split by the distance limit of each query."""
    groups: dict[str, list[float]] = {}
    for latency, params in zip(latencies_ms, queries, strict=True):
        groups.setdefault(params["distance"], []).append(latency)
    return [
        (what, latencies_ms),
        *(
            (f"{what} @{km} km", values)
            for km, values in sorted(groups.items(), key=lambda g: int(g[0]))
        ),
    ]


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    """p50, p95, p99 and the mean, in milliseconds."""
    cuts = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 2),
        "p95": round(cuts[94], 2),
        "p99": round(cuts[98], 2),
        "mean": round(statistics.fmean(latencies_ms), 2),
        "n": len(latencies_ms),
    }


# --- Inside a child process whose environment names the database -------------------------


async def _inner_call(count: int, seed: int) -> dict[str, Any]:
    from directory.hours import LONDON
    from directory.search.backend import get_backend
    from directory.search.services import build_query, read_search_form
    from hub import clock
    from hub.db import close_pool, get_engine, open_pool

    engine = get_engine()
    await open_pool(engine)
    backend = get_backend()
    # "Now" is a Monday afternoon, so the figures do not depend on when the bench runs.
    monday = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)
    clock.freeze(monday)
    queries = []
    for params in make_queries(count + 50, seed):
        form = read_search_form({name: [value] for name, value in params.items()})
        query, _, _, _ = await build_query(form, None)
        queries.append(query)
    for query in queries[:50]:
        await backend.search(query)
    latencies = []
    totals = []
    for query in queries[50:]:
        started = time.perf_counter()
        results = await backend.search(query)
        latencies.append((time.perf_counter() - started) * 1000)
        totals.append(results.total)
    await close_pool(engine)
    return {"latencies_ms": latencies, "mean_results": statistics.fmean(totals)}


async def _inner_relevance() -> dict[str, Any]:
    from directory.demo import seed_demo_directory
    from directory.search.evaluation import evaluate, load_queries
    from hub.db import close_pool, get_engine, open_pool
    from hub.demo import seed_demo_network

    engine = get_engine()
    await open_pool(engine)
    await seed_demo_network()
    await seed_demo_directory()
    report = await evaluate(load_queries(RELEVANCE_SET))
    await close_pool(engine)
    return {
        "queries": len(report.outcomes),
        "recall_at_5": round(report.recall(), 4),
        "by_kind": {kind: [n, round(recall, 4)] for kind, (n, recall) in report.by_kind().items()},
        "misses": report.describe_misses().splitlines(),
    }


def relevance(kind: str) -> dict[str, Any]:
    """Recall@5 of the relevance set on the demo directory, in a fresh database of this kind."""
    workdir = Path(tempfile.mkdtemp(prefix=f"wa-relevance-{kind}-"))
    try:
        with database(kind, workdir) as url:
            env = {**os.environ, "DATABASE_URL": url, "WRAPAROUND_VAR_DIR": str(workdir)}
            env.update({"SECRET_KEY": "bench-secret-" + "x" * 40, "MEILISEARCH_URL": ""})
            run(env, WRAPAROUND, "migrate", capture=True)
            found = json.loads(run(env, PYTHON, __file__, "--inner", "relevance", capture=True))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    by_kind = ", ".join(f"{k} {v[1]:.3f} ({v[0]})" for k, v in found["by_kind"].items())
    print(
        f"\n{kind}: recall@5 {found['recall_at_5']:.3f} over {found['queries']} queries: {by_kind}"
    )
    for line in found["misses"]:
        print(f"  missed: {line}")
    return found


async def _inner_count() -> int:
    from directory.tables import Service

    return int(await Service.count())


async def _inner_admin() -> None:
    from hub.accounts.staff import create_system_admin

    await create_system_admin("Bench Hub", "Bench Worker", ADMIN_EMAIL, ADMIN_PASSWORD)


def inner(mode: str, count: int, seed: int) -> None:
    """Entry point of the child processes."""
    sys.path.insert(0, str(ROOT))
    if mode == "admin":
        asyncio.run(_inner_admin())
        return
    if mode == "count":
        print(asyncio.run(_inner_count()))
        return
    if mode == "relevance":
        print(json.dumps(asyncio.run(_inner_relevance())))
        return
    print(json.dumps(asyncio.run(_inner_call(count, seed))))


# --- The orchestrating process ------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run a command with `env`, failing loudly."""
    result = subprocess.run(  # noqa: S603 - our own commands
        args, env=env, cwd=ROOT, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def postgres_reachable(url: str) -> bool:
    """True when PostgreSQL answers at `url`."""
    import asyncpg

    async def ping() -> None:
        connection = await asyncpg.connect(url, timeout=5)
        await connection.close()

    try:
        asyncio.run(ping())
    except Exception:  # noqa: BLE001 - any failure means it is not available
        return False
    return True


def _admin_sql(url: str, statement: str) -> None:
    import asyncpg

    async def execute() -> None:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute())


def _postgres_exists(url: str, name: str) -> bool:
    import asyncpg

    async def ask() -> bool:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            found = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        finally:
            await connection.close()
        return found is not None

    return asyncio.run(ask())


@contextmanager
def database(kind: str, workdir: Path, *, keep: bool = False) -> Iterator[str]:
    """A database of `kind` for one bench run (fresh unless kept); yields its DATABASE_URL."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    name = KEPT_POSTGRES if keep else f"wa_bench_{uuid.uuid4().hex[:10]}"
    if not (keep and _postgres_exists(POSTGRES_URL, name)):
        _admin_sql(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    parts = urlsplit(POSTGRES_URL)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        if not keep:
            _admin_sql(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serving(
    command: Callable[[int], list[str]], env: dict[str, str] | None = None, ready: str = "/healthz"
) -> Iterator[str]:
    """Run `command(port)` until the block ends, once GET `ready` answers 200; yields its URL."""
    import httpx

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command
        command(port),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + ready, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            msg = "the server did not start"
            raise RuntimeError(msg)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def served_app(workers: int) -> Callable[[int], list[str]]:
    """The command line of `wraparound serve` (Granian) with `workers` processes, by port."""
    return lambda port: [
        WRAPAROUND,
        "serve",
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
    ]


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """`wraparound serve` (Granian, one process) until the block ends; yields its base URL."""
    with serving(served_app(1), env) as base:
        yield base


async def sign_in_form(client: Any, email: str, password: str) -> str:
    """Sign in through the real form on an async client that keeps cookies (the session);
    returns the CSRF token the signed-in pages' forms carry."""
    page = await client.get("/sign-in")
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the sign-in page"
    data = {"email": email, "password": password, "_csrf_token": token.group(1)}
    signed_in = await client.post("/sign-in", data=data)
    assert signed_in.status_code in {302, 303}, signed_in.text[:300]
    home = await client.get("/")
    token = CSRF.search(home.text)
    assert token, "no CSRF token on the home page"
    return token.group(1)


@contextmanager
def hello_server(workers: int) -> Iterator[str]:
    """The hello-world app under Granian with `workers` processes; yields its base URL."""
    granian = str(ROOT / ".venv" / "bin" / "granian")
    with serving(
        lambda port: [
            *(granian, "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "bench.hello_app:app"),
        ],
        ready="/",
    ) as base:
        yield base


def hello_latencies(base: str, count: int) -> list[float]:
    """GET / of the hello-world app `count` times, one at a time, after 50 unmeasured."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(50):
            client.get("/")
        latencies = []
        for _ in range(count - 50):
            started = time.perf_counter()
            response = client.get("/")
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
    return latencies


def http_latencies(base: str, queries: list[dict[str, Any]], htmx: bool) -> dict[str, Any]:
    """Sign in through the real form, then time GET /directory for each query."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/sign-in")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on the sign-in page"
        signed_in = client.post(
            "/sign-in",
            data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "_csrf_token": token.group(1)},
        )
        assert signed_in.status_code in {302, 303}, signed_in.text[:500]
        headers = {"HX-Request": "true"} if htmx else {}
        for params in queries[:50]:
            client.get("/directory", params=params, headers=headers)
        latencies = []
        for params in queries[50:]:
            started = time.perf_counter()
            response = client.get("/directory", params=params, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            assert "found" in response.text
    return {"latencies_ms": latencies}


def bench_backend(
    kind: str,
    sizes: list[int],
    count: int,
    seed: int,
    keep: Path | None = None,
    *,
    http: bool = True,
) -> list[dict[str, Any]]:
    """Every size for one backend, growing one database (kept in `keep` when given)."""
    rows: list[dict[str, Any]] = []
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    workdir = keep or Path(tempfile.mkdtemp(prefix=f"wa-bench-{kind}-"))
    try:
        with database(kind, workdir, keep=keep is not None) as url:
            env = bench_environment(url, workdir)
            run(env, WRAPAROUND, "migrate", capture=True)
            run(env, PYTHON, __file__, "--inner", "admin")
            have = int(run(env, PYTHON, __file__, "--inner", "count", capture=True))
            for size in sizes:
                if size < have:
                    print(f"\n{kind}: the kept database holds {have:,}: skipping {size:,}")
                    continue
                generate_seconds = grow_directory(env, kind, have, size)
                have = size
                queries = make_queries(count + 50, seed)
                call_rows = time_search_call(env, kind, size, count, seed, queries)
                rows += [
                    {**row, "generate_seconds": round(generate_seconds, 1)} for row in call_rows
                ]
                if http:
                    rows += time_search_over_http(env, kind, size, queries)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return rows


def bench_environment(url: str, workdir: Path) -> dict[str, str]:
    """The environment every bench process runs in: this database, no mail, no Meilisearch."""
    return {
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


def grow_directory(env: dict[str, str], kind: str, have: int, size: int) -> float:
    """Generate listings until the database holds `size`; returns the seconds it took."""
    print(f"\n{kind}: generating {size - have:,} more services (to {size:,})", flush=True)
    started = time.monotonic()
    if size > have:
        run(env, WRAPAROUND, "directory", "generate", "--count", str(size - have))
    return time.monotonic() - started


def time_search_call(
    env: dict[str, str], kind: str, size: int, count: int, seed: int, queries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Percentiles of the search call in its own process, near searches apart from others."""
    print(f"{kind} {size:,}: timing the search call", flush=True)
    inner = ("--inner", "call", "--queries", str(count), "--seed", str(seed))
    call = json.loads(run(env, PYTHON, __file__, *inner, capture=True))
    return [
        {
            "backend": kind,
            "services": size,
            "what": what,
            "mean_results": round(call["mean_results"], 1),
            **percentiles(values),
        }
        for what, values in by_distance("call", call["latencies_ms"], queries[50:])
    ]


def time_search_over_http(
    env: dict[str, str], kind: str, size: int, queries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Percentiles of GET /directory from a served app, as a full page and as htmx asks,
    after a hello-world app's GET / on the same server and client (the machine's speed)."""
    print(f"{kind} {size:,}: timing GET /directory over HTTP", flush=True)
    with hello_server(1) as base:
        hello = hello_latencies(base, len(queries))
    rows: list[dict[str, Any]] = [
        {"backend": kind, "services": size, "what": HELLO, **percentiles(hello)}
    ]
    with server(env) as base:
        for htmx, label in ((False, "http"), (True, "http-htmx")):
            timed = http_latencies(base, queries, htmx)
            rows += [
                {"backend": kind, "services": size, "what": what, **percentiles(values)}
                for what, values in by_distance(label, timed["latencies_ms"], queries[50:])
            ]
    return rows


def missed(row: dict[str, Any]) -> bool:
    """Is the row's p95 above its floor (False when it has none)?"""
    floor = FLOORS_MS.get((row["backend"], row["services"], row["what"]))
    return floor is not None and row["p95"] > floor


def report(rows: list[dict[str, Any]], context: dict[str, Any]) -> Path:
    """Print the table and write the JSON; returns the file written."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Directory search latency (ms)")
    columns = ("backend", "services", "what", "p50", "p95", "p99", "mean", "n", "p95 ÷ hello")
    for column in (*columns, "floor"):
        table.add_column(column, justify="right" if column not in {"backend", "what"} else "left")
    hello_p95 = {
        (row["backend"], row["services"]): row["p95"] for row in rows if row["what"] == HELLO
    }
    for row in rows:
        if (hello := hello_p95.get((row["backend"], row["services"]))) is not None:
            row["p95_of_hello"] = round(row["p95"] / hello, 1)
        floor = FLOORS_MS.get((row["backend"], row["services"], row["what"]))
        verdict = "" if floor is None else f"p95≤{floor:g} {'MISSED' if missed(row) else 'OK'}"
        table.add_row(
            row["backend"],
            f"{row['services']:,}",
            row["what"],
            *(f"{row[key]:.1f}" for key in ("p50", "p95", "p99", "mean")),
            str(row["n"]),
            f"{row['p95_of_hello']:.0f}" if "p95_of_hello" in row else "",
            verdict,
        )
    Console(width=140).print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"search-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"context": context, "rows": rows}, indent=2))
    print(f"Written to {path}")
    return path


def main() -> int:
    """Run the bench."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the databases (SQLite under DIR) and reuse them next run",
    )
    parser.add_argument("--relevance-only", action="store_true", help="recall@5 only")
    parser.add_argument("--call-only", action="store_true", help="time the search call only")
    parser.add_argument(
        "--inner", choices=("call", "admin", "count", "relevance"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.inner:
        inner(args.inner, args.queries, args.seed)
        return 0
    sizes = sorted(int(size) for size in args.sizes.split(","))
    kinds = [kind for kind in args.backends.split(",") if kind]
    if "postgres" in kinds and not postgres_reachable(POSTGRES_URL):
        print(f"PostgreSQL not reachable at {POSTGRES_URL}: skipping it")
        kinds.remove("postgres")
    context = {
        "started": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "queries": args.queries,
        "query": "text + need category + open Monday 14:00 + within 2 or 5 km + nearest first",
    }
    rows: list[dict[str, Any]] = []
    context["relevance"] = {}
    for kind in kinds:
        context["relevance"][kind] = relevance(kind)
        if not args.relevance_only:
            rows.extend(
                bench_backend(
                    kind, sizes, args.queries, args.seed, args.keep, http=not args.call_only
                )
            )
    context["load_average_at_end"] = os.getloadavg()
    report(rows, context)
    incomplete = [kind for kind, found in context["relevance"].items() if found["misses"]]
    return 1 if any(missed(row) for row in rows) or incomplete else 0


if __name__ == "__main__":
    sys.exit(main())

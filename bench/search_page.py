"""Search page profile: what GET /directory costs beyond the search call, in one process.

Runs the search page (whole page and the htmx results fragment) through Litestar's test
client (the whole ASGI stack, no network) on a database `bench/search.py --keep DIR` built,
with `bench/query_counter.py` installed. For each request it times the whole request and the
search call inside it (`get_backend().search`, wrapped), so page minus call is measured on
the same request rather than across two runs, and counts the statements made outside the
call (a context variable set while the call runs tells the two apart, in its worker thread
too). Spans: templates, the results' listings, "also listed", the need names, the worker's
list, the session.

    .venv/bin/python bench/search_page.py --keep /tmp/wa-search-10k [--queries 200]
    .venv/bin/python bench/search_page.py --postgres [--queries 200]    # wa_bench_keep
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import query_counter
from bench.search import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    KEPT_POSTGRES,
    POSTGRES_URL,
    RESULTS,
    bench_environment,
    make_queries,
    sign_in_form,
)

IN_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("in_search_call", default=False)
WARM_UP = 30


class Outside:
    """Statements made outside the search call since the last reset, with their texts."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.texts: list[str] = []

    def reset(self) -> None:
        """Start counting afresh."""
        self.kinds.clear()
        self.texts.clear()


OUTSIDE = Outside()
CALL_MS: list[float] = []


def _install(kind: str) -> query_counter.Tally:
    """The counter, told apart inside and outside the call, and the pieces to time."""
    counted = query_counter.Tally.saw

    def saw(self: query_counter.Tally, sql: str) -> None:
        counted(self, sql)
        if not IN_CALL.get():
            words = sql.lstrip().split(None, 1)
            OUTSIDE.kinds[words[0].upper().rstrip(";") if words else "?"] += 1
            OUTSIDE.texts.append(" ".join(sql.split())[:160])

    query_counter.Tally.saw = saw  # type: ignore[method-assign]
    tally = query_counter.install(kind)
    from directory.search import services

    for name, label in (
        ("load_results", "results' listings"),
        ("also_listed", "also listed"),
        ("_needs_and_list", "need names and the worker's list"),
        ("_need_categories", "need names"),  # before issue 14's cuts
        ("_on_list", "worker's list"),  # before issue 14's cuts
        ("build_query", "build query"),
    ):
        if hasattr(services, name):
            query_counter._wrap(services, name, label)
    return tally


def _wrap_search_call() -> None:
    """Time every search call and mark its statements as the call's."""
    from directory.search.backend import get_backend

    backend_type = type(get_backend())
    original = backend_type.search

    async def search(self: Any, query: Any) -> Any:
        token = IN_CALL.set(True)
        started = time.perf_counter()
        try:
            return await original(self, query)
        finally:
            CALL_MS.append((time.perf_counter() - started) * 1000)
            IN_CALL.reset(token)

    backend_type.search = search  # type: ignore[method-assign]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


async def _profile(kind: str, queries: list[dict[str, Any]]) -> dict[str, Any]:
    tally = _install(kind)
    from litestar.testing import AsyncTestClient

    from app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)
    report: dict[str, Any] = {}
    async with AsyncTestClient(app=create_app()) as client:
        client.follow_redirects = False
        await sign_in_form(client, ADMIN_EMAIL, ADMIN_PASSWORD)
        _wrap_search_call()
        for htmx, label in ((False, "page"), (True, "htmx fragment")):
            headers = {"HX-Request": "true"} if htmx else {}
            totals, calls, spans, outside = [], [], Counter[str](), Counter[str]()
            for number, params in enumerate(queries):
                tally.reset()
                OUTSIDE.reset()
                CALL_MS.clear()
                started = time.perf_counter()
                response = await client.get("/directory", params=params, headers=headers)
                total = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.status_code
                if number < WARM_UP:
                    continue
                totals.append(total)
                calls.append(sum(CALL_MS))
                spans.update(tally.spans_ms)
                outside.update(OUTSIDE.kinds)
            count = len(totals)
            report[label] = {
                "requests": count,
                "whole request": _percentiles(totals),
                "search call": _percentiles(calls),
                "page minus call": _percentiles(
                    [t - c for t, c in zip(totals, calls, strict=True)]
                ),
                "statements outside the call": {k: round(v / count, 2) for k, v in outside.items()},
                "spans_ms": {k: round(v / count, 2) for k, v in sorted(spans.items())},
                "statements outside the call, last request": list(OUTSIDE.texts),
                "bytes": len(response.content),
            }
    return report


def main() -> int:
    """Profile the page on a kept database and print (and write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="the SQLite bench directory (DIR/bench.sqlite)")
    parser.add_argument("--postgres", action="store_true", help=f"the kept {KEPT_POSTGRES}")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.postgres:
        parts = urlsplit(POSTGRES_URL)
        url = urlunsplit((parts.scheme, parts.netloc, f"/{KEPT_POSTGRES}", parts.query, ""))
        workdir, kind = Path(tempfile.mkdtemp(prefix="wa-search-page-")), "postgres"
    elif args.keep is not None:
        url, workdir, kind = f"sqlite:///{args.keep / 'bench.sqlite'}", args.keep, "sqlite"
    else:
        parser.error("give --keep DIR or --postgres")
    os.environ.update(bench_environment(url, workdir))
    load_at_start = os.getloadavg()
    queries = make_queries(args.queries + WARM_UP, args.seed)
    report = asyncio.run(_profile(kind, queries))
    context = {
        "started": datetime.now(UTC).isoformat(),
        "backend": kind,
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "queries": args.queries,
    }
    for label, figures in report.items():
        print(f"\n{kind}, {label} ({figures['requests']} requests, {figures['bytes']:,} bytes):")
        for what in ("whole request", "search call", "page minus call"):
            print(f"  {what:<18} " + "  ".join(f"{k} {v:6.2f}" for k, v in figures[what].items()))
        print(f"  statements outside the call: {figures['statements outside the call']}")
        print(f"  spans (ms per request): {figures['spans_ms']}")
    print(f"\nload average {context['load_average_at_start']} -> {context['load_average_at_end']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"search-page-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"context": context, "report": report}, indent=2))
    print(f"Written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

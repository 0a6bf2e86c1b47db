"""Relevance on a real feed: import it into a scratch database, run labelled queries, score them.

    .venv/bin/python bench/relevance.py FEED [--labels FILE] [--backends sqlite,postgres]

FEED is an Open Referral UK feed (a file or a URL; bench/README.md names the council feed
the labels were written for); the labels default to
bench/relevance/north-lincolnshire.toml (queries with the feed's service ids judged relevant,
by hand). For each backend it reports, over the first five results of each query:

- hit@5: share of queries with at least one relevant listing;
- precision@5: relevant listings among the five shown, over five;
- recall@5: relevant listings shown, over the relevant ones that fit in five.

It prints a table by kind of query, lists the misses, and writes
bench/results/relevance-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "relevance" / "north-lincolnshire.toml"
TOP = 5


def score(found: list[str], relevant: set[str]) -> dict[str, float]:
    """hit@5, precision@5 and recall@5 of one query's results."""
    shown = set(found[:TOP]) & relevant
    return {
        "hit": 1.0 if shown else 0.0,
        "precision": len(shown) / TOP,
        "recall": len(shown) / min(TOP, len(relevant)) if relevant else 1.0,
    }


async def _inner(labels: Path) -> list[dict[str, Any]]:
    from directory.search.backend import get_backend
    from directory.search.schemas import SearchQuery
    from hub.db import close_pool, get_engine, open_pool

    await open_pool(get_engine())
    with labels.open("rb") as handle:
        queries = tomllib.load(handle)["query"]
    rows = []
    for query in queries:
        results = await get_backend().search(SearchQuery(text=query["text"], per_page=TOP))
        found = [str(hit.service_id) for hit in results.items]
        relevant = set(query["relevant"])
        rows.append(
            {
                "text": query["text"],
                "kind": query["kind"],
                "found": found,
                "relevant": len(relevant),
                "searched_for": results.searched_for,
                **score(found, relevant),
            }
        )
    await close_pool(get_engine())
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean scores overall and by kind of query."""
    groups: dict[str, list[dict[str, Any]]] = {"all": rows}
    for row in rows:
        groups.setdefault(row["kind"], []).append(row)
    return {
        name: {
            "queries": len(members),
            **{
                key: round(sum(row[key] for row in members) / len(members), 3)
                for key in ("hit", "precision", "recall")
            },
        }
        for name, members in groups.items()
    }


def run_backend(kind: str, feed: str, labels: Path) -> list[dict[str, Any]]:
    """Import the feed into a fresh database of this kind and score every labelled query."""
    import search as search_bench  # bench/search.py: scratch databases and child commands

    workdir = Path(tempfile.mkdtemp(prefix=f"wa-relevance-{kind}-"))
    try:
        with search_bench.database(kind, workdir) as url:
            env = {**os.environ, "DATABASE_URL": url, "WRAPAROUND_VAR_DIR": str(workdir)}
            env.update({"SECRET_KEY": "bench-secret-" + "x" * 40, "MEILISEARCH_URL": ""})
            search_bench.run(env, search_bench.WRAPAROUND, "migrate", capture=True)
            print(f"{kind}: importing {feed}", flush=True)
            search_bench.run(
                env, search_bench.WRAPAROUND, "directory", "import", feed, capture=True
            )
            answer = search_bench.run(
                env, search_bench.PYTHON, __file__, "--inner", "--labels", str(labels), capture=True
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return json.loads(answer)


def report(results: dict[str, list[dict[str, Any]]], feed: str) -> Path:
    """Print the table and the misses; write the JSON."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Relevance on {Path(feed).name} (first {TOP} results)")
    for column in ("backend", "queries", "kind", "hit@5", "precision@5", "recall@5"):
        table.add_column(column, justify="left" if column in {"backend", "kind"} else "right")
    summaries = {kind: summary(rows) for kind, rows in results.items()}
    for backend, by_kind in summaries.items():
        for name, figures in by_kind.items():
            table.add_row(
                backend,
                str(figures["queries"]),
                name,
                f"{figures['hit']:.3f}",
                f"{figures['precision']:.3f}",
                f"{figures['recall']:.3f}",
            )
    Console(width=120).print(table)
    for backend, rows in results.items():
        for row in rows:
            if not row["hit"]:
                print(f"{backend}: no relevant listing in the first {TOP} for {row['text']!r}")
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"relevance-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"feed": feed, "summary": summaries, "queries": results}, indent=1))
    print(f"Written to {path}")
    return path


def main() -> int:
    """Run the bench."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", nargs="?", help="an Open Referral UK feed: file or URL")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(asyncio.run(_inner(args.labels))))
        return 0
    if not args.feed:
        parser.error("give the feed to import (a file or a URL)")
    import search as search_bench

    kinds = [kind for kind in args.backends.split(",") if kind]
    if "postgres" in kinds and not search_bench.postgres_reachable(search_bench.POSTGRES_URL):
        print(f"PostgreSQL not reachable at {search_bench.POSTGRES_URL}: skipping it")
        kinds.remove("postgres")
    results = {kind: run_backend(kind, args.feed, args.labels) for kind in kinds}
    report(results, args.feed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every labelled query finds its services in the top five, on the demo directory."""

from __future__ import annotations

from pathlib import Path

from directory.demo import seed_demo_directory
from directory.search.evaluation import evaluate, load_queries
from directory.tables import Service
from hub.demo import seed_demo_network

QUERIES = Path(__file__).with_name("queries.toml")


async def test_the_set_is_big_enough_and_names_real_listings() -> None:
    await seed_demo_network()
    await seed_demo_directory()
    queries = load_queries(QUERIES)
    assert len(queries) >= 60
    kinds = {query.kind for query in queries}
    assert {"plural", "typo", "everyday", "prefix", "multi-word", "exact"} <= kinds
    names = {row["name"] for row in await Service.select(Service.name)}
    unknown = {name for query in queries for name in query.expect} - names
    assert not unknown, f"expected services missing from the demo directory: {unknown}"


async def test_every_query_finds_what_a_hub_worker_expects() -> None:
    await seed_demo_network()
    await seed_demo_directory()
    report = await evaluate(load_queries(QUERIES))
    assert not report.misses, (
        f"recall@5 {report.recall():.3f}, {len(report.misses)} queries missed:\n"
        + report.describe_misses()
    )

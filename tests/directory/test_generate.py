"""Synthetic directories: realistic listings written in bulk, searchable at once; the commands."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from click.testing import CliRunner

from directory.generate import DUNDEE, generate_directory
from directory.hours import LONDON
from directory.read import load_services
from directory.search.backend import database_backend
from directory.search.candidates import haversine_km
from directory.search.schemas import SearchQuery
from directory.tables import Service, ServiceChange
from hub import clock
from hub.db import raw
from hub.tables import Organisation
from tests.support import pools_set_aside

MONDAY_AFTERNOON = datetime(2026, 11, 23, 14, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
async def empty_search_index(clean_database: None) -> None:
    """The index too: on PostgreSQL the clean-up's DELETEs skip foreign-key cascades."""
    await raw("DELETE FROM directory_search_doc")


async def test_a_generated_directory_is_realistic_and_searchable():
    clock.freeze(MONDAY_AFTERNOON)
    seen: list[tuple[int, int]] = []
    written = await generate_directory(300, seed=11, progress=lambda d, t: seen.append((d, t)))
    assert written == 300
    assert seen[0] == (0, 300)
    assert seen[-1] == (300, 300)
    assert await Service.count() == 300
    assert await Organisation.count() == 60
    assert await ServiceChange.count() == 0  # nobody edited these: no history lines

    results = await database_backend().search(SearchQuery(per_page=300))
    assert results.total == 300
    facets = results.facets
    assert len(facets.categories) >= 10
    assert {"pl", "ar"} & set(facets.languages)
    assert 0 < facets.open_now < 300
    assert 0 < facets.evenings < 300
    assert 0 < facets.weekends < 300
    assert 0 < facets.accepting < 300

    records = await load_services([hit.service_id for hit in results.items])
    assert all(record.locations and record.terms and record.phones for record in records)
    assert all(haversine_km(*DUNDEE, *record.point) < 25 for record in records if record.point)
    assert any(record.exceptions for record in records)
    assert any(record.capacity_status == "waitlist" for record in records)
    assert any(record.hours().opens_evenings() for record in records)
    found = await database_backend().search(SearchQuery(text="housing", categories=("housing",)))
    assert found.total > 0


async def test_generating_again_adds_more():
    await generate_directory(20, seed=1)
    await generate_directory(20)
    assert await Service.count() == 40


def test_the_generate_and_reindex_commands():
    from app import main

    runner = CliRunner()
    with pools_set_aside():  # each command, and the deletion, runs on a loop of its own
        generated = runner.invoke(main, ["directory", "generate", "--count", "30", "--seed", "5"])
        assert generated.exit_code == 0, generated.output
        assert "Generated 30 services" in generated.output

        async def lose_the_index() -> None:
            await raw("DELETE FROM directory_search_doc")

        asyncio.run(lose_the_index())
        reindexed = runner.invoke(main, ["directory", "reindex"])
    assert reindexed.exit_code == 0, reindexed.output
    assert "Indexed 30 services" in reindexed.output

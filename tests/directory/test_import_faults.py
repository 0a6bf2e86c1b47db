"""Feeds that fail, loop or attack: clear messages, what came before kept, never a hang.

Served over HTTP on loopback by tests/directory/feed_server.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from directory.exchange.importer import ImportSummary, import_candidates
from directory.exchange.problems import STOPPED
from directory.exchange.sources import open_source
from directory.tables import Service
from hub.errors import Invalid
from tests.directory.feed_server import serve_feed


def listing(name: str, **fields: Any) -> dict[str, Any]:
    """One service with its organisation."""
    org = {"id": "0d7c51b4-5a35-4b8e-9f43-3c1f3d8e9a01", "name": "Harbour Trust"}
    return {"id": str(uuid.uuid4()), "name": name, "organization": org, **fields}


async def run(url: str, timeout: float = 10) -> ImportSummary:
    """Import the feed at `url` as the command does."""
    async with httpx.AsyncClient(timeout=timeout) as http:
        source = await open_source(url, http)
        return await import_candidates(source.candidates, source.label)


async def test_a_feed_that_answers_500_stops_with_a_message() -> None:
    with serve_feed() as feed:
        feed.status = 500
        with pytest.raises(Invalid, match=r"could not read the feed at .*500"):
            await run(feed.url)
    assert not await Service.exists()


async def test_a_feed_failing_half_way_keeps_the_pages_before_and_says_so() -> None:
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar"), listing("Men's Shed")], [listing("Lost")]]
        feed.page_status = {2: 503}
        summary = await run(feed.url)
    assert (summary.created, summary.failed) == (2, 1)
    assert summary.errors[0].where == "page 2"
    assert "503" in summary.errors[0].message
    assert {row["name"] for row in await Service.select(Service.name)} == {"Tea Bar", "Men's Shed"}


async def test_a_feed_whose_pages_loop_is_stopped_at_the_first_repeat() -> None:
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar")], [listing("Food Larder")]]
        feed.loops = True
        summary = await run(feed.url)
        list_pages = [path for path in feed.requests if path.startswith("/services?")]
    assert summary.created == 2
    assert "loops" in summary.errors[0].message
    assert len(list_pages) == 2  # pages 2 and 3 (page 1 was the first answer); then stopped


async def test_deeply_nested_or_broken_pages_are_refused_with_a_message() -> None:
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar")], [], []]
        feed.raw_pages = {2: b"[" * 100_000 + b"]" * 100_000}
        summary = await run(feed.url)
    assert summary.created == 1
    assert "not JSON we can read" in summary.errors[0].message
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar")], []]
        feed.raw_pages = {2: b'{"contents": [{"id": '}
        summary = await run(feed.url)
    assert "not JSON we can read" in summary.errors[0].message


async def test_a_feed_timing_out_half_way_keeps_the_pages_before_and_says_so() -> None:
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar")], [listing("Lost")]]
        feed.slow_pages = {2: 1.0}
        summary = await run(feed.url, timeout=0.3)
    assert (summary.created, summary.error_kinds[STOPPED]) == (1, 1)
    assert summary.errors[0].where == "page 2"
    assert "Timeout" in summary.errors[0].message
    assert [row["name"] for row in await Service.select(Service.name)] == ["Tea Bar"]


async def test_a_page_of_a_million_listings_is_refused_with_a_message_not_read() -> None:
    million = b'{"total_pages": 2, "page_number": 2, "contents": [' + b"{}," * 999_999 + b"{}]}"
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar")], []]
        feed.raw_pages = {2: million}
        summary = await run(feed.url)
    assert (summary.created, summary.failed) == (1, 1)
    assert "page 2 lists 1,000,000 services, more than 10,000 a page" in summary.errors[0].message
    assert summary.error_kinds[STOPPED] == 1

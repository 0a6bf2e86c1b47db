"""Feeds kept in step: pulls over HTTP on loopback, disappearance, the guard, the admin page."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from directory.feeds import duplicates, services
from directory.feeds.tables import Feed, FeedListing
from directory.read import load_service
from directory.search.backend import database_backend
from directory.search.schemas import SearchQuery
from directory.search.sync import listing_changed
from directory.tables import Service, ServiceChange
from hub import clock
from hub.db import transaction
from hub.errors import Invalid
from tests.directory.feed_server import serve_feed
from tests.directory.test_import_cli import command
from tests.support import make_organisation, make_staff, post_form, sign_in

ORG = {"id": "7a0c2d4e-1b3f-4a5c-8d6e-9f0a1b2c3d4e", "name": "Riverside Trust"}


def listing(name: str, **fields: Any) -> dict[str, Any]:
    """One service as a council feed lists it."""
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": f"<p>{name}: a warm welcome.</p>",
        "url": "www.riverside.example.org",
        "status": "active",
        "organization": dict(ORG),
        **fields,
    }


async def found(text: str) -> set[uuid.UUID]:
    """Ids a search finds."""
    results = await database_backend().search(SearchQuery(text=text, per_page=50))
    return {hit.service_id for hit in results.items}


async def test_a_pull_keeps_the_directory_in_step_with_the_feed() -> None:
    items = [listing(f"Walking Group {n}") for n in range(10)]
    with serve_feed() as feed:
        feed.pages = [items[:5], items[5:]]
        feed_id = await services.register_feed(feed.url, "Northshire Council", every_hours=6)
        first = await services.pull_feed(feed_id)
        assert (first.status, first.counts["created"], first.counts["hidden"]) == ("ok", 10, 0)
        assert await FeedListing.count().where(FeedListing.feed == feed_id) == 10
        # One listing leaves the feed: the next full pull (a day on) hides it from search,
        # keeps it, with a history line.
        gone = items.pop(3)
        feed.pages = [items[:5], items[5:]]
        clock.advance(timedelta(hours=25))
        second = await services.pull_feed(feed_id)
        assert (second.status, second.counts["hidden"], second.counts["unchanged"]) == ("ok", 1, 9)
        record = await load_service(uuid.UUID(gone["id"]))
        assert record is not None
        assert record.status == "inactive"
        assert uuid.UUID(gone["id"]) not in await found("walking group")
        history = ServiceChange.service_id == uuid.UUID(gone["id"])
        assert await ServiceChange.count().where(history) == 2
        # It comes back when the feed brings it back.
        items.append(gone)
        feed.pages = [items[:5], items[5:]]
        third = await services.pull_feed(feed_id)  # within the day: what changed only
        assert (third.status, third.counts["updated"], third.counts.get("hidden")) == (
            "ok",
            1,
            None,
        )
    back = await load_service(uuid.UUID(gone["id"]))
    assert back is not None
    assert back.status == "active"
    assert uuid.UUID(gone["id"]) in await found("walking group")
    row = await Feed.select().where(Feed.id == feed_id).first()
    assert row is not None
    assert (row["last_status"], row["every_hours"]) == ("ok", 6)
    assert row["last_seconds"] is not None
    assert "web address without https://, repaired" in row["report"]


async def test_a_mass_disappearance_is_held_for_an_admin_and_nothing_is_hidden() -> None:
    items = [listing(f"Food Larder {n}") for n in range(10)]
    with serve_feed() as feed:
        feed.pages = [items]
        feed_id = await services.register_feed(feed.url, "Northshire Council")
        await services.pull_feed(feed_id)
        feed.pages = [items[:2]]  # eight of ten vanish at once
        clock.advance(timedelta(hours=25))
        held = await services.pull_feed(feed_id)
    assert held.status == "held"
    assert "8 of 10 listings vanished" in held.message
    assert await Service.count().where(Service.status == "active") == 10
    hidden = await services.confirm_removals(feed_id)
    assert hidden == 8
    assert await Service.count().where(Service.status == "active") == 2
    with pytest.raises(Invalid, match="no removals waiting"):
        await services.confirm_removals(feed_id)


async def test_a_pull_that_stops_part_way_or_fails_hides_nothing() -> None:
    items = [listing(f"Recovery Cafe {n}") for n in range(6)]
    with serve_feed() as feed:
        feed.pages = [items[:3], items[3:]]
        feed_id = await services.register_feed(feed.url, "Northshire Council")
        await services.pull_feed(feed_id)
        feed.page_status = {2: 500}  # the second page fails: its listings look gone
        clock.advance(timedelta(hours=25))  # a full pull, the kind that hides what is gone
        stopped = await services.pull_feed(feed_id)
        assert stopped.status == "incomplete"
        feed.page_status = {}
        feed.loops = True  # pages that go round and round
        looped = await services.pull_feed(feed_id)
        assert looped.status == "incomplete"  # a loop may hide pages never served: hide nothing
        feed.loops = False
        feed.status = 503
        failed = await services.pull_feed(feed_id)
    assert failed.status == "failed"
    assert "Nothing changed" in failed.message
    assert await Service.count().where(Service.status == "active") == 6


async def test_registering_a_feed_checks_what_it_is_given() -> None:
    for url, publisher, hours, field in [
        ("council.example.org/api", "Council", 24, "url"),
        ("https://council.example.org/api", " ", 24, "publisher"),
        ("https://council.example.org/api", "Council", 0, "every_hours"),
    ]:
        with pytest.raises(Invalid) as refused:
            await services.register_feed(url, publisher, hours)
        assert field in refused.value.errors
    await services.register_feed("https://council.example.org/api", "Council")
    with pytest.raises(Invalid, match="registered already"):
        await services.register_feed("https://council.example.org/api", "Council")


async def test_a_system_admin_registers_pulls_and_reads_the_problems(
    client: httpx.AsyncClient,
) -> None:
    hub = await make_organisation(kind="hub")
    admin = await make_staff(hub, is_system_admin=True)
    worker = await make_staff(hub)
    items = [listing("Tea Bar", email="tea@riverside.example.org."), listing("Men's Shed")]
    with serve_feed() as feed:
        feed.pages = [items]
        await sign_in(client, worker.email)
        assert (await client.get("/admin/feeds")).status_code in (403, 404)
        await client.post("/sign-out", data={})
        client.cookies.clear()
        await sign_in(client, admin.email)
        empty = await client.get("/admin/feeds")
        assert "No feeds yet" in empty.text
        assert "<table" not in empty.text  # no header row over nothing
        added = await post_form(
            client,
            "/admin/feeds",
            {"url": feed.url, "publisher": "Northshire Council", "every_hours": "12"},
        )
        assert added.status_code == 303
        listed = await client.get("/admin/feeds")
        assert "Northshire Council" in listed.text
        assert "1 feed<" in listed.text
        feed_id = (await Feed.select(Feed.id).first() or {})["id"]
        pulled = await post_form(client, f"/admin/feeds/{feed_id}/pull", {}, "/admin/feeds")
        assert pulled.status_code == 303
    page = await client.get("/admin/feeds?saved=pulled")
    assert "created: 2" in page.text
    report = await client.get(f"/admin/feeds/{feed_id}/problems.csv")
    assert report.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert {row["kind"] for row in rows} >= {"punctuation trimmed from an address"}
    bad = await post_form(client, "/admin/feeds", {"url": "nope", "publisher": ""}, "/admin/feeds")
    assert bad.status_code == 422
    assert "Enter the feed" in bad.text


async def test_one_service_from_two_feeds_is_flagged_once_and_an_admin_merges_it(
    client: httpx.AsyncClient,
) -> None:
    council = listing("Riverside Food Bank", url="www.foodbank.example.org")
    twin = listing("Riverside Food-Bank", url="https://FoodBank.example.org/")
    other = listing("Riverside Lunch Club", url="https://foodbank.example.org/")  # not a twin
    same_feed = listing("Tea Bar", url="https://tea.example.org")
    with serve_feed() as first, serve_feed() as second:
        first.pages = [[council, same_feed, listing("Tea Bar", url="https://tea.example.org")]]
        second.pages = [[twin, other]]
        first_id = await services.register_feed(first.url, "Northshire Council")
        second_id = await services.register_feed(second.url, "Riverside Partnership")
        await services.pull_feed(first_id)
        pulled = await services.pull_feed(second_id)
        assert pulled.counts["possible duplicates"] == 1
        flags = await duplicates.open_flags()
        assert [(f["service_name"], f["other_name"], f["reason"]) for f in flags] == [
            ("Riverside Food-Bank", "Riverside Food Bank", "same name and web address")
        ]
        hub = await make_organisation(kind="hub")
        admin = await make_staff(hub, is_system_admin=True)
        await sign_in(client, admin.email)
        listed = await client.get("/admin/feeds")
        assert "1 possible duplicate to check" in listed.text
        page = await client.get("/admin/feeds/duplicates")
        assert "Riverside Food-Bank: same name and web address" in page.text
        merged = await post_form(
            client,
            f"/admin/feeds/duplicates/{flags[0]['id']}",
            {"decision": "merged"},
            "/admin/feeds/duplicates",
        )
        assert merged.status_code == 303
        twin_record = await load_service(uuid.UUID(twin["id"]))
        assert twin_record is not None
        assert twin_record.status == "inactive"
        assert uuid.UUID(twin["id"]) not in await found("food bank")
        assert uuid.UUID(council["id"]) in await found("food bank")
        again = await services.pull_feed(second_id)  # the feed still lists it: it stays hidden
    assert again.status == "ok"
    assert "possible duplicates" not in again.counts
    twin_record = await load_service(uuid.UUID(twin["id"]))
    assert twin_record is not None
    assert twin_record.status == "inactive"
    assert await duplicates.open_flags() == []


def test_names_phones_and_addresses_are_compared_once_normalised() -> None:
    assert duplicates.name_key("St. Mary's Food-Bank & Pantry") == "st mary s food bank and pantry"
    assert duplicates.phone_key("+44 (0)1724 123456") == duplicates.phone_key("01724 123456")
    assert duplicates.web_key("HTTPS://www.Example.org/") == duplicates.web_key("example.org")


async def test_a_listing_from_a_feed_changes_here_only_where_the_feed_is_silent(
    client: httpx.AsyncClient,
) -> None:
    item = listing("Riverside Tea Bar")
    with serve_feed() as feed:
        feed.pages = [[item]]
        await services.pull_feed(await services.register_feed(feed.url, "Northshire Council"))
    service_id = uuid.UUID(item["id"])
    hub = await make_organisation(kind="hub")
    admin = await make_staff(hub, is_system_admin=True)
    await sign_in(client, admin.email)
    base = f"/directory/listings/{service_id}"
    page = await client.get(base)
    assert "comes from Northshire Council" in page.text
    renamed = await post_form(
        client,
        f"{base}/details",
        {"name": "Renamed here", "description": "Tea.", "is_free": "true", "status": "active"},
        f"{base}/details",
    )
    assert renamed.status_code == 422
    assert "comes from Northshire Council" in renamed.text
    referral = await post_form(
        client,
        f"{base}/referral",
        {"referral_methods": "phone", "response_target_days": "5"},
        f"{base}/referral",
    )
    assert referral.status_code == 303
    record = await load_service(service_id)
    assert record is not None
    assert (record.name, record.referral_methods, record.response_target_days) == (
        "Riverside Tea Bar",
        ["phone"],
        5,
    )


async def test_between_full_pulls_only_what_changed_is_asked_for() -> None:
    stamp = "2026-01-01T00:00:00Z"
    items = [listing(f"Book Club {n}", last_modified=stamp) for n in range(4)]
    with serve_feed() as feed:
        feed.pages = [items]
        feed_id = await services.register_feed(feed.url, "Northshire Council")
        full = await services.pull_feed(feed_id)
        assert (full.counts["created"], full.counts["hidden"]) == (4, 0)
        clock.advance(timedelta(hours=2))
        items[0] = {
            **items[0],
            "name": "Book Club Renamed",
            "last_modified": "2999-01-01T00:00:00Z",
        }
        gone = items.pop()
        feed.pages = [items]
        changes = await services.pull_feed(feed_id)
        asked = [path for path in feed.requests if "modified_after=" in path]
        assert changes.status == "ok"
        assert (changes.counts["read"], changes.counts["updated"]) == (1, 1)
        assert "hidden" not in changes.counts  # an incremental pull cannot tell what is gone
        assert len(asked) == 1
        clock.advance(timedelta(hours=23))  # a day after the last full pull: read it all
        daily = await services.pull_feed(feed_id)
    assert (daily.counts["read"], daily.counts["hidden"]) == (3, 1)
    record = await load_service(uuid.UUID(gone["id"]))
    assert record is not None
    assert record.status == "inactive"


async def test_the_commands_register_a_feed_and_pull_what_is_due() -> None:
    with serve_feed() as feed:
        feed.pages = [[listing("Tea Bar"), listing("Men's Shed")]]
        added = await command("feed-add", feed.url, "--publisher", "Northshire Council")
        assert added.exit_code == 0, added.output
        synced = await command("sync")
        assert synced.exit_code == 0, synced.output
        assert f"{feed.url}: ok" in synced.output
        assert "created 2" in synced.output
        again = await command("sync")  # pulled a moment ago: not due
        assert again.output.strip() == "No feed is due."
        feed.status = 500
        failed = await command("sync", "--all")
    assert failed.exit_code == 1
    assert "failed" in failed.output


async def test_a_possible_duplicate_shows_once_in_search_until_an_admin_keeps_them_apart(
    client: httpx.AsyncClient,
) -> None:
    council = listing("Riverside Food Bank", url="www.foodbank.example.org")
    partner_org = {"id": str(uuid.uuid4()), "name": "Riverside Partnership Trust"}
    twin = listing("Riverside Food-Bank", url="https://foodbank.example.org/")
    twin["organization"] = partner_org
    with serve_feed() as first, serve_feed() as second:
        first.pages = [[council]]
        second.pages = [[twin]]
        await services.pull_feed(await services.register_feed(first.url, "Northshire Council"))
        pulled = await services.pull_feed(
            await services.register_feed(second.url, "Riverside Partnership")
        )
    assert pulled.counts["possible duplicates"] == 1
    council_id, twin_id = uuid.UUID(council["id"]), uuid.UUID(twin["id"])
    # One entry while the flag waits: the twin is collapsed into the council's listing.
    assert await found("food bank") == {council_id}
    worker = await make_staff(await make_organisation(kind="hub"))
    await sign_in(client, worker.email)
    page = await client.get("/directory", params={"q": "food bank"})
    assert page.text.count(f'href="/directory/services/{council_id}"') == 1
    also = f'<a class="govuk-link" href="/directory/services/{twin_id}">'
    assert also + "Riverside Partnership Trust (from Riverside Partnership&#39;s feed)" in page.text
    detail = await client.get(f"/directory/services/{council_id}")
    assert "Also listed by" in detail.text
    assert also in detail.text
    # The council's listing leaves search: the twin is no longer collapsed into anything.
    (flag,) = await duplicates.open_flags()
    await Service.update({Service.status: "inactive"}).where(Service.id == council_id)
    async with transaction():
        await listing_changed([council_id])
    assert await found("food bank") == {twin_id}
    async with transaction():
        await Service.update({Service.status: "active"}).where(Service.id == council_id)
        await listing_changed([council_id])
    assert await found("food bank") == {council_id}
    # Kept apart: both are found again, and neither says it is also listed elsewhere.
    await duplicates.decide(flag["id"], "kept_apart")
    assert await found("food bank") == {council_id, twin_id}
    again = await client.get("/directory", params={"q": "food bank"})
    assert "Also listed by" not in again.text

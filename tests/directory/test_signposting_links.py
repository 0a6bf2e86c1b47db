"""A signposting link can be ended before its 30 days: by the worker, or by the visitor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from directory.tables import SignpostList
from hub import clock
from hub.tables import AuditEvent
from tests.directory.factories import make_service
from tests.directory.listings_support import browser, first_row, post, signed_in
from tests.support import csrf_from, make_organisation, make_staff

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
async def shared_link():
    """A hub worker signed in who has handed a visitor a link: (browser, worker, token, id)."""
    clock.freeze(TUESDAY)
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    worker = await make_staff(hub)
    partner = await make_organisation(name="Housing First")
    service = await make_service(partner, name="Housing Options", phones=[])
    async with browser() as client:
        await signed_in(client, worker)
        await post(client, "/directory/list/add", {"service_id": str(service.id), "next": "/"})
        await post(client, "/directory/list/hand-over", {"mode": "link"})
        row = await first_row(SignpostList.select(SignpostList.id, SignpostList.token))
        yield client, worker, row["token"], row["id"]


async def test_the_worker_ends_the_link_at_once(shared_link):
    client, _, token, list_id = shared_link
    page = await client.get(f"/directory/list/{list_id}/link")
    assert "End this link now" in page.text
    ended = await client.post(
        f"/directory/list/{list_id}/end-link", data={"_csrf_token": csrf_from(page.text)}
    )
    assert ended.status_code == 303
    async with browser() as visitor:
        gone = await visitor.get(f"/s/{token}")
    assert gone.status_code == 410
    assert "This link was ended" in gone.text
    assert "Housing Options" not in gone.text
    assert await AuditEvent.exists().where(AuditEvent.action == "directory.signpost_link_ended")


async def test_the_visitor_ends_their_own_link(shared_link):
    _, _, token, _ = shared_link
    async with browser() as visitor:
        page = await visitor.get(f"/s/{token}")
        assert "Stop this link working" in page.text
        stopped = await visitor.post(f"/s/{token}/end", data={"_csrf_token": csrf_from(page.text)})
        assert stopped.status_code == 303
        assert (await visitor.get(f"/s/{token}")).status_code == 410


async def test_nobody_else_ends_a_workers_link(shared_link):
    _, _, token, list_id = shared_link
    other = await make_staff(await make_organisation(name="Elsewhere", kind="hub"))
    async with browser() as stranger:
        await signed_in(stranger, other)
        page = await stranger.get("/directory/list")
        refused = await stranger.post(
            f"/directory/list/{list_id}/end-link", data={"_csrf_token": csrf_from(page.text)}
        )
        assert refused.status_code == 404
        guessed = await stranger.post(
            "/s/not-a-real-token/end", data={"_csrf_token": csrf_from(page.text)}
        )
        assert guessed.status_code == 404
    async with browser() as visitor:
        assert (await visitor.get(f"/s/{token}")).status_code == 200

"""Community connections: recorded with the client, seen only where consent names "friends and
community", changes since the last review, and the map (SVG) with its list."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree

import pytest

from consent.vocabulary import COMMUNITY, IDENTITY, PLAN, PLAN_SHARING
from hub import clock
from hub.errors import Forbidden, Invalid
from plans import connections, reviews
from plans.connections import ConnectionForm
from plans.connections_map import connections_svg
from plans.reviews import ReviewForm
from tests.consent.factories import consent_to
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.factories import Team
from tests.plans.meeting_support import led_team
from tests.support import post_form, sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)


async def community_team() -> Team:
    """The led team, with the client's consent naming Housing First for friends and community."""
    t = await led_team()
    await consent_to(t.net.client.id, [t.net.partner], [IDENTITY, PLAN, COMMUNITY], [PLAN_SHARING])
    return t


async def test_only_organisations_the_consent_names_see_connections() -> None:
    t = await community_team()
    form = ConnectionForm(name="Sister Kim", kind="family", closeness="close", wants_more=True)
    await connections.add(t.net.recipient, t.net.client.id, form)
    lead_view = await connections.connections_for(t.net.recipient, t.net.client.id)
    assert [(i.number, i.name, i.wants_more) for i in lead_view.items] == [(1, "Sister Kim", True)]
    hub_view = await connections.connections_for(t.net.sender, t.net.client.id)
    assert not hub_view.visible
    assert hub_view.items == []
    assert "friends and community" in hub_view.withheld_reason
    with pytest.raises(Forbidden):
        await connections.add(t.net.sender, t.net.client.id, form)
    mine = await connections.connections_for(t.client_principal, t.net.client.id)
    assert [i.name for i in mine.items] == ["Sister Kim"]


async def test_bad_connections_are_refused() -> None:
    t = await community_team()
    with pytest.raises(Invalid) as caught:
        await connections.add(t.net.recipient, t.net.client.id, ConnectionForm(closeness="near"))
    assert set(caught.value.errors) == {"name", "kind", "closeness"}


async def test_changes_since_the_last_review_are_listed() -> None:
    t = await community_team()
    kim = await connections.add(
        t.net.recipient,
        t.net.client.id,
        ConnectionForm(name="Sister Kim", kind="family", closeness="distant"),
    )
    club = await connections.add(
        t.net.recipient,
        t.net.client.id,
        ConnectionForm(name="Boxing club", kind="club", closeness="some"),
    )
    await reviews.record_review(
        t.net.recipient,
        t.net.client.id,
        ReviewForm(held_on=date(2026, 11, 2), participants="Robin and Pat"),
    )
    clock.freeze(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    await connections.change(
        t.net.recipient, t.net.client.id, kim, ConnectionForm(closeness="close", wants_more=True)
    )
    await connections.end(t.net.recipient, t.net.client.id, club)
    await connections.add(
        t.net.recipient,
        t.net.client.id,
        ConnectionForm(name="Walking group", kind="hub_group", closeness="some"),
    )
    found = await connections.connections_for(t.net.recipient, t.net.client.id)
    assert found.since == date(2026, 11, 2)
    assert [c.words for c in found.changes] == [
        "Sister Kim feels closer now (close)",
        "New: Walking group (some)",
        "No longer connected: Boxing club",
    ]
    assert [i.name for i in found.items] == ["Sister Kim", "Walking group"]


def test_the_map_puts_each_connection_on_its_ring_and_holds_no_names() -> None:
    items = [
        connections.ConnectionView(
            number=n,
            id=None,
            name=name,
            kind="friend",
            kind_label="Friend",
            closeness=closeness,
            wants_more=more,
        )
        for n, (name, closeness, more) in enumerate(
            [("<script>Kim", "close", True), ("Jo", "distant", False)], start=1
        )
    ]
    svg = str(connections_svg(items, "Client"))
    tree = ElementTree.fromstring(svg)  # noqa: S314 - our own markup
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = [t.text for t in tree.findall(".//s:text", ns)]
    assert {"Close", "Some", "Distant", "Client", "1", "2", "+"} <= set(texts)
    assert "Kim" not in svg
    assert tree.get("role") == "img"
    assert len(tree.findall(".//s:rect", ns)) == 1  # the one they want more of


async def test_the_plan_page_shows_the_map(client: Any) -> None:
    t = await community_team()
    await sign_in(client, t.net.partner_worker.email)
    added = await post_form(
        client,
        f"/plans/{t.net.client.id}/connections",
        {"name": "Sister Kim", "kind": "family", "closeness": "close"},
    )
    assert added.status_code == 303
    plan = await client.get(f"/plans/{t.net.client.id}")
    assert "<svg" in plan.text
    assert "Sister Kim" in plan.text
    bad = await post_form(client, f"/plans/{t.net.client.id}/connections", {"name": ""})
    assert bad.status_code == 422
    assert "Say who or what the client is connected to" in bad.text


async def test_hub_sessions_are_numbered_on_their_ring_like_the_list_beside_the_map() -> None:
    from datetime import timedelta

    from plans.attendance import services as attendance
    from tests.plans.test_attendance import TUESDAY, _session

    t = await community_team()
    for name, closeness in [("Sister Kim", "close"), ("Old school friend", "distant")]:
        form = ConnectionForm(name=name, kind="friend", closeness=closeness)
        await connections.add(t.net.recipient, t.net.client.id, form)
    group = await _session(t, "social")  # a weekly group: two visits put it on the middle ring
    for week in (0, 1):
        day = TUESDAY + timedelta(weeks=week)
        await attendance.tick_in(t.net.sender, group, day, t.net.client.id)
    seen = await connections.connections_for(t.net.recipient, t.net.client.id)
    listed = [(item.number, item.closeness, item.from_sessions) for item in seen.items]
    assert listed == [(1, "close", False), (2, "some", True), (3, "distant", False)]

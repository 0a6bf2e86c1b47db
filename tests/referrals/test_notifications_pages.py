"""Notification pages: the unread count in the navigation, the list, opening one, e-mail choice."""

from __future__ import annotations

import re
from uuid import UUID

from hub import notifications
from hub.tables import Notification
from tests.consent.fixtures import client, other_client, pooled
from tests.referrals.factories import network, sent
from tests.support import csrf_from, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)

BADGE = re.compile(
    r'href="/notifications"[^>]*>\s*Notifications <strong class="govuk-tag govuk-tag--red">(\d+)'
    r'<span class="govuk-visually-hidden"> unread</span>'
)
BADGE_WORDS = re.compile(r'govuk-tag--red">([0-9+]+)<span class="govuk-visually-hidden"> unread')
ITEMS = re.compile(r'href="/notifications/([0-9a-f-]{36})"')


async def unread(staff_id: UUID) -> int:
    """The staff member's unread notifications."""
    return await notifications.unread_count(staff_id)


async def test_the_navigation_counts_unread_notifications(client):
    net = await network()
    await sign_in(client, net.partner_worker.email)
    assert BADGE.search((await client.get("/")).text) is None
    assert 'href="/notifications"' in (await client.get("/")).text

    await sent(net)
    await sent(net)
    home = await client.get("/")
    badge = BADGE.search(home.text)
    assert badge is not None
    assert badge.group(1) == "2"


async def test_the_badge_counts_up_to_99_then_says_99_plus(client):
    net = await network()
    await sign_in(client, net.partner_worker.email)
    for _ in range(99):
        await notifications.notify([net.partner_worker.id], "Something happened")
    badge = BADGE_WORDS.search((await client.get("/")).text)
    assert badge is not None
    assert badge.group(1) == "99"

    await notifications.notify([net.partner_worker.id], "Something happened")
    badge = BADGE_WORDS.search((await client.get("/")).text)
    assert badge is not None
    assert badge.group(1) == "99+"
    assert await unread(net.partner_worker.id) == 100  # the page of notifications has them all


async def test_opening_a_notification_marks_it_read_and_follows_its_link(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    listed = await client.get("/notifications")
    assert listed.status_code == 200
    assert "New referral to Housing First Dundee" in listed.text
    assert "Unread" in listed.text
    (notification_id,) = ITEMS.findall(listed.text)

    opened = await client.get(f"/notifications/{notification_id}")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/referrals/{referral_id}"
    assert await unread(net.partner_worker.id) == 0
    assert "Unread" not in (await client.get("/notifications")).text


async def test_mark_all_as_read(client):
    net = await network()
    for _ in range(3):
        await sent(net)
    await sign_in(client, net.partner_worker.email)
    assert await unread(net.partner_worker.id) == 3
    answer = await post_form(client, "/notifications/read", {}, "/notifications")
    assert answer.status_code == 303
    assert await unread(net.partner_worker.id) == 0
    assert await unread(net.partner_colleague.id) == 3  # only one's own
    assert BADGE.search((await client.get("/")).text) is None


async def test_newest_first(client):
    net = await network()
    first = await sent(net)
    second = await sent(net)
    await sign_in(client, net.partner_worker.email)
    listed = await client.get("/notifications")
    refs = re.findall(r"ref ([0-9a-f]{8})\)", listed.text)
    assert refs == [str(second)[:8], str(first)[:8]]


async def test_another_staff_members_notification_looks_missing(client):
    net = await network()
    await sent(net)
    theirs = await Notification.select(Notification.id).where(
        Notification.staff == net.partner_colleague.id
    )
    await sign_in(client, net.partner_worker.email)
    answer = await client.get(f"/notifications/{theirs[0]['id']}")
    assert answer.status_code == 404
    made_up = await client.get("/notifications/00000000-0000-4000-8000-000000000000")
    assert made_up.status_code == 404
    assert await unread(net.partner_colleague.id) == 1


async def test_email_copies_can_be_turned_off_and_on(client):
    net = await network()
    await sign_in(client, net.hub_worker.email)
    form = await client.get("/account/notifications")
    assert form.status_code == 200
    before = await notifications.email_preference(net.hub_worker.id)
    assert re.search(rf'value="{"on" if before else "off"}" checked', form.text)

    off = await client.post(
        "/account/notifications", data={"_csrf_token": csrf_from(form.text), "email": "off"}
    )
    assert off.status_code == 303
    assert await notifications.email_preference(net.hub_worker.id) is False
    saved = await client.get(off.headers["location"])
    assert "Your choice is saved." in saved.text
    assert 'value="off" checked' in saved.text

    on = await post_form(client, "/account/notifications", {"email": "on"})
    assert on.status_code == 303
    assert await notifications.email_preference(net.hub_worker.id) is True

    nonsense = await post_form(client, "/account/notifications", {"email": "sometimes"})
    assert nonsense.status_code == 422
    assert 'href="#email"' in nonsense.text
    assert await notifications.email_preference(net.hub_worker.id) is True

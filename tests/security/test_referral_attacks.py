"""Attacks on referral pages: other organisations' ids, over-posting, closed threads, forged forms.

Every refusal must look exactly like a made-up id, and change nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from uuid import UUID

from consent.vocabulary import IDENTITY
from hub.tables import AuditEvent
from referrals.tables import Referral, ReferralEvent, ReferralMessage
from tests.consent.factories import consent_to, registered_client
from tests.consent.fixtures import client, other_client, pooled
from tests.referrals.factories import Network, network, sent
from tests.support import csrf_from, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)

UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def main_of(html: str) -> str:
    """The page's <main>, ids blanked: what the person actually reads."""
    return UUIDS.sub("<id>", html.split("<main", 1)[1])


async def snapshot(referral_id: UUID) -> tuple[Any, ...]:
    """Everything a page could change about a referral."""
    row = await Referral.select().where(Referral.id == referral_id).output(load_json=True).first()
    events = await ReferralEvent.count().where(ReferralEvent.referral == referral_id)
    messages = await ReferralMessage.count().where(ReferralMessage.referral == referral_id)
    return (dict(row or {}), events, messages)


async def test_another_organisations_referral_looks_missing_on_every_route(client):
    net = await network()
    referral_id = await sent(net)
    before = await snapshot(referral_id)
    await sign_in(client, net.outsider_worker.email)
    token = csrf_from((await client.get("/")).text)
    leaked, guessed = str(referral_id), str(uuid.uuid4())

    real = await client.get(f"/referrals/{leaked}")
    fake = await client.get(f"/referrals/{guessed}")
    assert real.status_code == fake.status_code == 404
    assert main_of(real.text) == main_of(fake.text)
    for path, data in (
        ("/referrals/{}/move", {"action": "accept", "version": "1"}),
        ("/referrals/{}/move", {"action": "cancel", "version": "1", "reason_code": "other"}),
        ("/referrals/{}/messages", {"body": "Hello?"}),
    ):
        real = await client.post(path.format(leaked), data={**data, "_csrf_token": token})
        fake = await client.post(path.format(guessed), data={**data, "_csrf_token": token})
        assert real.status_code == fake.status_code == 404, path
        assert main_of(real.text) == main_of(fake.text), path
        assert "Robin" not in real.text

    assert await snapshot(referral_id) == before
    refused = await AuditEvent.count().where(
        (AuditEvent.action == "referral.refused") & (AuditEvent.subject_id == leaked)
    )
    assert refused == 4


async def test_the_send_form_will_not_take_another_organisations_client(client):
    net = await network()
    stranger = await registered_client(net.outsider, full_name="Stranger Danger")
    await consent_to(stranger.id, [net.partner], [IDENTITY])
    await sign_in(client, net.hub_worker.email)

    form = await client.get(f"/referrals/new?service={net.service_id}&client={stranger.id}")
    assert form.status_code == 404
    assert "Stranger" not in form.text
    choose = await client.get(f"/referrals/new?service={net.service_id}")
    assert "Stranger" not in choose.text
    refusals = AuditEvent.count().where(
        (AuditEvent.action == "client_record.refused") & (AuditEvent.subject_id == str(stranger.id))
    )
    refused_before = await refusals

    answer = await post_form(
        client,
        "/referrals/new",
        {
            "service_id": str(net.service_id),
            "client_id": str(stranger.id),
            "reason_client": "x",
            "reason_worker": "y",
            "urgency": "routine",
            "contact_how": "phone",
            "categories": [IDENTITY],
        },
        f"/referrals/new?service={net.service_id}",
    )
    assert answer.status_code == 404
    assert await Referral.count() == 0
    # The refusal is in the audit trail, though the send's transaction was rolled back.
    assert await refusals == refused_before + 1


async def _over_post(browser: Any, net: Network, path: str, data: dict[str, Any]) -> Any:
    page = await browser.get(f"/referrals/{path.split('/')[2]}")
    forged = {
        "status": "completed",
        "recipient_organisation": str(net.outsider.id),
        "sender_organisation": str(net.outsider.id),
        "client_id": str(uuid.uuid4()),
        "client": str(uuid.uuid4()),
        "version": "1",
        "_csrf_token": csrf_from(page.text),
    }
    return await browser.post(path, data={**forged, **data})


async def test_over_posting_changes_nothing_beyond_the_allowed_move(client):
    net = await network()
    referral_id = await sent(net)
    before, _, _ = await snapshot(referral_id)
    await sign_in(client, net.partner_worker.email)

    moved = await _over_post(client, net, f"/referrals/{referral_id}/move", {"action": "accept"})
    assert moved.status_code == 303
    posted = await _over_post(
        client, net, f"/referrals/{referral_id}/messages", {"body": "Accepted, will call"}
    )
    assert posted.status_code == 303

    after, _, messages = await snapshot(referral_id)
    assert after["status"] == "accepted"
    assert after["version"] == 2
    for field in ("client", "sender_organisation", "recipient_organisation", "service"):
        assert after[field] == before[field], field
    assert messages == 1
    message = await ReferralMessage.select().where(ReferralMessage.referral == referral_id).first()
    assert message["author_organisation"] == net.partner.id
    assert message["author_staff"] == net.partner_worker.id


async def test_a_declined_recipient_cannot_read_or_write_the_thread(client, other_client):
    net = await network()
    referral_id = await sent(net)
    page = f"/referrals/{referral_id}"
    async with other_client() as hub:
        await sign_in(hub, net.hub_worker.email)
        await post_form(hub, f"{page}/messages", {"body": "She was hurt last week"}, page)
    await sign_in(client, net.partner_worker.email)
    shown = await client.get(page)
    assert "She was hurt last week" in shown.text
    token = csrf_from(shown.text)
    version = re.search(r'name="version" value="(\d+)"', shown.text)
    assert version is not None
    declined = await client.post(
        f"{page}/move",
        data={
            "_csrf_token": token,
            "action": "decline",
            "version": version.group(1),
            "reason_code": "not_eligible",
        },
    )
    assert declined.status_code == 303

    tomb = await client.get(page)
    assert tomb.status_code == 200
    assert "She was hurt last week" not in tomb.text
    assert "Robin" not in tomb.text
    refused = await client.post(
        f"{page}/messages", data={"_csrf_token": token, "body": "Can we still talk?"}
    )
    assert refused.status_code == 409
    assert "She was hurt last week" not in refused.text
    assert await ReferralMessage.count().where(ReferralMessage.referral == referral_id) == 1


async def test_forms_without_a_csrf_token_are_refused(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    await client.get(f"/referrals/{referral_id}")  # opened: the page itself changes this
    before = await snapshot(referral_id)
    for path, data in (
        (f"/referrals/{referral_id}/move", {"action": "accept", "version": "1"}),
        (f"/referrals/{referral_id}/messages", {"body": "forged"}),
        ("/notifications/read", {}),
        ("/account/notifications", {"email": "off"}),
    ):
        answer = await client.post(path, data=data)
        assert answer.status_code == 403, path
        forged = await client.post(path, data={**data, "_csrf_token": "not-the-token"})
        assert forged.status_code == 403, path
    assert await snapshot(referral_id) == before
    sent_form = await client.post(
        "/referrals/new", data={"service_id": str(net.service_id), "client_id": str(net.client.id)}
    )
    assert sent_form.status_code == 403
    assert await Referral.count() == 1

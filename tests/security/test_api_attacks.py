"""Attacks on the partner API, as a partner system (or whoever holds its token) would try them.

Another organisation's referral must look exactly like a made-up id on every route; request
bodies cannot carry fields the pages would never take; a closed thread stays closed; a revoked
token stops at once.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from consent import breakglass
from consent.schemas import BreakGlassRequest
from consent.vocabulary import RISK
from hub.accounts import api_tokens
from hub.accounts.api_tokens import ApiTokenCreate
from hub.tables import AuditEvent
from referrals.tables import Referral, ReferralMessage
from tests.consent.factories import note, principal, staff_member
from tests.referrals.factories import network, sent
from tests.referrals.test_api import bearer, token_for
from tests.support import make_organisation, sign_in

PROBLEM = "application/problem+json"


def routes(referral_id: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every API route about one referral, with a body that would otherwise be accepted."""
    base = f"/api/v1/referrals/{referral_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/messages", None),
        ("POST", f"{base}/moves", {"action": "accept"}),
        ("POST", f"{base}/moves", {"action": "cancel", "reason_code": "sent_in_error"}),
        ("POST", f"{base}/messages", {"body": "Let me in"}),
    ]


async def _snapshot(referral_id: Any) -> dict[str, Any]:
    row = await Referral.select().where(Referral.id == referral_id).first()
    assert row is not None
    return {**row, "messages": await ReferralMessage.count()}


async def test_another_organisations_referral_looks_like_no_referral_on_every_route(
    client,
) -> None:
    net = await network()
    referral_id = await sent(net)
    outsider = bearer(await token_for(net.outsider))
    before = await _snapshot(referral_id)
    refusals_before = await AuditEvent.count().where(AuditEvent.action == "referral.refused")

    for (method, url, body), (_, made_up_url, _) in zip(
        routes(referral_id), routes(uuid.uuid4()), strict=True
    ):
        theirs = await client.request(method, url, json=body, headers=outsider)
        made_up = await client.request(method, made_up_url, json=body, headers=outsider)
        assert theirs.status_code == 404, (method, url)
        assert theirs.headers["content-type"].startswith(PROBLEM)
        assert theirs.content == made_up.content, (method, url)
        assert "Robin" not in theirs.text

    listing = await client.get("/api/v1/referrals", headers=outsider)
    sent_listing = await client.get("/api/v1/referrals?box=sent", headers=outsider)
    assert listing.json()["total"] == sent_listing.json()["total"] == 0
    assert await _snapshot(referral_id) == before
    refusals = await AuditEvent.count().where(AuditEvent.action == "referral.refused")
    assert refusals - refusals_before == 2 * len(routes(referral_id))


async def test_recipient_cannot_over_post_status_or_organisations(client) -> None:
    net = await network()
    referral_id = await sent(net)
    partner = bearer(await token_for(net.partner))
    before = await _snapshot(referral_id)

    for extra in (
        {"status": "completed"},
        {"recipient_organisation": str(net.outsider.id)},
        {"sender_organisation": str(net.partner.id)},
        {"client": str(uuid.uuid4())},
        {"categories": ["mental_health"]},
        {"version": 1, "status": "accepted", "closed_at": None},
    ):
        response = await client.post(
            f"/api/v1/referrals/{referral_id}/moves",
            json={"action": "accept", **extra},
            headers=partner,
        )
        assert response.status_code == 422, extra
        assert response.headers["content-type"].startswith(PROBLEM)
        assert set(response.json()["errors"]) & set(extra) - {"version"}
    message = await client.post(
        f"/api/v1/referrals/{referral_id}/messages",
        json={"body": "Hi", "author_organisation": str(net.hub.id), "author_staff": "x"},
        headers=partner,
    )
    assert message.status_code == 422
    assert await _snapshot(referral_id) == before

    # A move the lifecycle does not allow cannot be forced by naming a later status.
    jumped = await client.post(
        f"/api/v1/referrals/{referral_id}/moves",
        json={"action": "complete", "outcome_code": "need_met"},
        headers=partner,
    )
    assert jumped.status_code == 409
    assert await _snapshot(referral_id) == before


async def test_declined_recipient_cannot_read_or_write_the_thread(client) -> None:
    net = await network()
    referral_id = await sent(net)
    partner = bearer(await token_for(net.partner))
    hub = bearer(await token_for(net.hub))
    thread = f"/api/v1/referrals/{referral_id}/messages"
    await client.post(thread, json={"body": "Robin sleeps at the bus station"}, headers=hub)
    declined = await client.post(
        f"/api/v1/referrals/{referral_id}/moves",
        json={"action": "decline", "reason_code": "no_capacity"},
        headers=partner,
    )
    assert declined.status_code == 200

    read = await client.get(thread, headers=partner)
    written = await client.post(thread, json={"body": "One more thing"}, headers=partner)
    view = await client.get(f"/api/v1/referrals/{referral_id}", headers=partner)

    assert read.status_code == 403
    assert read.headers["content-type"].startswith(PROBLEM)
    assert "bus station" not in read.text
    assert written.status_code == 409
    assert view.status_code == 200
    assert view.json()["access"] == "tombstone"
    assert view.json()["messages"] == []
    assert view.json()["client"] is None
    assert "Robin" not in view.text
    assert "bus station" not in view.text
    assert await ReferralMessage.count() == 1
    # The sender still has the whole thread.
    assert len((await client.get(thread, headers=hub)).json()) == 1


async def test_revoked_token_stops_at_once_on_every_route(client) -> None:
    net = await network()
    referral_id = await sent(net)
    member = await staff_member(net.partner, is_org_admin=True)
    admin = msgspec.structs.replace(principal(member, net.partner), is_org_admin=True)
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read_write"))
    token = bearer(made.token)
    assert (await client.get("/api/v1/referrals", headers=token)).status_code == 200

    await api_tokens.revoke_token(admin, made.id)

    before = await _snapshot(referral_id)
    for method, url, body in [("GET", "/api/v1/referrals", None), *routes(referral_id)]:
        response = await client.request(method, url, json=body, headers=token)
        assert response.status_code == 401, (method, url)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert "Robin" not in response.text
    assert await _snapshot(referral_id) == before


async def test_read_only_token_cannot_write_by_any_route(client) -> None:
    net = await network()
    referral_id = await sent(net)
    reader = bearer(await token_for(net.partner, scope="read"))
    before = await _snapshot(referral_id)

    for method, url, body in routes(referral_id):
        if method != "POST":
            continue
        response = await client.request(method, url, json=body, headers=reader)
        assert response.status_code == 403, url
    assert await _snapshot(referral_id) == before


async def test_session_cookie_cannot_drive_the_api_from_another_site(client) -> None:
    """CSRF protection is off under /api/, so a browser's cookie must count for nothing there."""
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    before = await _snapshot(referral_id)

    response = await client.post(
        f"/api/v1/referrals/{referral_id}/moves",
        content=b'{"action": "accept"}',
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
    )

    assert response.status_code == 401
    assert await _snapshot(referral_id) == before


async def test_token_never_uses_its_makers_break_glass(client) -> None:
    net = await network()
    elsewhere = await make_organisation("Third Sector Trust")
    await note(net.client.id, elsewhere, RISK, "Unshared risk note")
    referral_id = await sent(net)
    member = await staff_member(net.hub, is_org_admin=True)
    admin = msgspec.structs.replace(principal(member, net.hub), is_org_admin=True)
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    reason = "Police called: immediate risk to the client's safety, need the full record now"
    await breakglass.open_break_glass(admin, net.client.id, BreakGlassRequest(reason=reason))

    response = await client.get(f"/api/v1/referrals/{referral_id}", headers=bearer(made.token))

    assert response.status_code == 200
    assert "Unshared risk note" not in response.text

"""The partner JSON API at /api/v1 over HTTP: tokens, scopes, inbox, read, move, thread, docs."""

from __future__ import annotations

import msgspec

from consent.tables import AccessLog
from consent.vocabulary import CONTACT, HOUSING, IDENTITY, NEEDS, RISK
from hub.accounts import api_tokens
from hub.accounts.api_tokens import ApiTokenCreate
from hub.tables import ApiToken, AuditEvent, Organisation
from referrals.tables import Referral, ReferralMessage
from tests.consent.factories import note, principal, staff_member
from tests.referrals.factories import network, sent
from tests.support import sign_in

PROBLEM = "application/problem+json"


async def token_for(organisation: Organisation, scope: str = "read_write") -> str:
    """A live API token for the organisation, made by a new admin of it."""
    member = await staff_member(organisation, is_org_admin=True, name=f"{organisation.name} Admin")
    admin = msgspec.structs.replace(principal(member, organisation), is_org_admin=True)
    made = await api_tokens.create_token(
        admin, ApiTokenCreate(name=f"{organisation.name} CMS", scope=scope)
    )
    return made.token


def bearer(token: str) -> dict[str, str]:
    """The header a partner system sends."""
    return {"Authorization": f"Bearer {token}"}


async def _status(referral_id) -> tuple[str, int]:
    row = await Referral.select(Referral.status, Referral.version).where(Referral.id == referral_id)
    return row[0]["status"], row[0]["version"]


async def test_inbox_lists_received_referrals_with_counts_and_paging(client) -> None:
    net = await network()
    first = await sent(net)
    second = await sent(net, urgency="urgent")
    token = await token_for(net.partner)

    response = await client.get("/api/v1/referrals", headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [str(second), str(first)]
    assert body["total"] == 2
    assert body["counts"]["new"] == 2
    assert body["items"][0]["client_name"] == "Robin Client"
    assert body["items"][0]["other_organisation"] == "Lochee Hub"
    paged = await client.get(
        "/api/v1/referrals", params={"per_page": 1, "page": 2}, headers=bearer(token)
    )
    assert [item["id"] for item in paged.json()["items"]] == [str(first)]
    assert paged.json()["total"] == 2
    none = await client.get(
        "/api/v1/referrals", params={"status": "accepted"}, headers=bearer(token)
    )
    assert none.json()["items"] == []
    sent_box = await client.get("/api/v1/referrals", params={"box": "sent"}, headers=bearer(token))
    assert sent_box.json()["total"] == 0
    hub_sent = await client.get(
        "/api/v1/referrals", params={"box": "sent"}, headers=bearer(await token_for(net.hub))
    )
    assert hub_sent.json()["total"] == 2


async def test_bad_paging_is_a_problem_naming_the_parameter(client) -> None:
    net = await network()
    token = await token_for(net.partner)
    response = await client.get(
        "/api/v1/referrals", params={"per_page": 1000, "box": "all"}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert {"per_page", "box"} <= set(response.json()["errors"])


async def test_read_shows_only_shared_categories_and_is_logged_as_the_token(client) -> None:
    net = await network()
    await note(net.client.id, net.hub, NEEDS, "Needs a food bank")
    await note(net.client.id, net.hub, HOUSING, "Sofa surfing")
    await note(net.client.id, net.hub, RISK, "Threats from an ex-partner")
    await note(net.client.id, net.hub, CONTACT, "Mobile works mornings")
    referral_id = await sent(net, categories=[IDENTITY, CONTACT])
    token = await token_for(net.partner)
    token_id = (await ApiToken.select(ApiToken.id).first())["id"]

    response = await client.get(f"/api/v1/referrals/{referral_id}", headers=bearer(token))

    assert response.status_code == 200
    view = response.json()
    assert view["access"] == "full"
    assert view["role"] == "recipient"
    assert view["client"]["name"] == "Robin Client"
    assert view["opened_at"] is not None
    assert {entry["category"] for entry in view["shared_entries"]} == {CONTACT}
    for hidden in ("food bank", "Sofa surfing", "ex-partner"):
        assert hidden not in response.text
    assert [move["action"] for move in view["moves"]] == ["accept", "decline"]
    log = await AccessLog.select().where(AccessLog.client == net.client.id).first()
    assert log["organisation"] == net.partner.id
    opened = await AuditEvent.select().where(AuditEvent.action == "referral.opened").first()
    assert (opened["actor_kind"], opened["actor_id"]) == ("api", str(token_id))
    read = await AuditEvent.select().where(AuditEvent.action == "client_data.read").first()
    assert (read["actor_kind"], read["actor_id"]) == ("api", str(token_id))


async def test_recipient_accepts_then_completes_through_the_api(client) -> None:
    net = await network()
    referral_id = await sent(net)
    token = await token_for(net.partner)
    url = f"/api/v1/referrals/{referral_id}/moves"

    accepted = await client.post(
        url, json={"action": "accept", "version": 1}, headers=bearer(token)
    )

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["version"] == 2
    missing = await client.post(url, json={"action": "complete"}, headers=bearer(token))
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith(PROBLEM)
    assert set(missing.json()["errors"]) == {"outcome_code"}
    done = await client.post(
        url, json={"action": "complete", "outcome_code": "need_met"}, headers=bearer(token)
    )
    assert done.status_code == 200
    assert done.json()["access"] == "tombstone"
    assert done.json()["client"] is None
    assert done.json()["outcome_label"] == "Need met"
    assert await _status(referral_id) == ("completed", 3)
    token_id = (await ApiToken.select(ApiToken.id).first())["id"]
    move = await AuditEvent.select().where(AuditEvent.action == "referral.complete").first()
    assert (move["actor_kind"], move["actor_id"]) == ("api", str(token_id))


async def test_impossible_and_stale_moves_are_conflicts(client) -> None:
    net = await network()
    referral_id = await sent(net)
    url = f"/api/v1/referrals/{referral_id}/moves"
    partner = bearer(await token_for(net.partner))
    hub = bearer(await token_for(net.hub))

    sender_accepts = await client.post(url, json={"action": "accept"}, headers=hub)
    assert sender_accepts.status_code == 409
    assert "Only the service" in sender_accepts.json()["detail"]
    assert (await client.post(url, json={"action": "start"}, headers=partner)).status_code == 409
    assert (await client.post(url, json={"action": "accept"}, headers=partner)).status_code == 200
    stale = await client.post(url, json={"action": "hold", "version": 1}, headers=partner)
    assert stale.status_code == 409
    assert "Someone else changed this referral first" in stale.json()["detail"]
    assert await _status(referral_id) == ("accepted", 2)


async def test_declining_needs_a_reason(client) -> None:
    net = await network()
    referral_id = await sent(net)
    token = await token_for(net.partner)
    url = f"/api/v1/referrals/{referral_id}/moves"

    response = await client.post(url, json={"action": "decline"}, headers=bearer(token))

    assert response.status_code == 422
    assert response.json()["errors"] == {"reason_code": "Choose a reason"}
    assert await _status(referral_id) == ("requested", 1)
    declined = await client.post(
        url, json={"action": "decline", "reason_code": "no_capacity"}, headers=bearer(token)
    )
    assert declined.json()["status"] == "rejected"


async def test_both_sides_write_and_read_the_thread(client) -> None:
    net = await network()
    referral_id = await sent(net)
    partner = bearer(await token_for(net.partner))
    hub = bearer(await token_for(net.hub))
    url = f"/api/v1/referrals/{referral_id}/messages"

    posted = await client.post(url, json={"body": "  Can we call on Tuesday?  "}, headers=partner)
    assert posted.status_code == 201
    assert posted.json()["body"] == "Can we call on Tuesday?"
    assert posted.json()["organisation"] == "Housing First"
    assert posted.json()["own"] is True
    assert posted.json()["author"].startswith("API: ")
    await client.post(url, json={"body": "Yes, after ten."}, headers=hub)

    thread = await client.get(url, headers=partner)
    assert thread.status_code == 200
    assert [(m["body"], m["own"]) for m in thread.json()] == [
        ("Can we call on Tuesday?", True),
        ("Yes, after ten.", False),
    ]
    empty = await client.post(url, json={"body": "   "}, headers=partner)
    assert empty.status_code == 422
    assert empty.json()["errors"] == {"body": "Enter a message"}
    assert await ReferralMessage.count() == 2


async def test_read_only_token_reads_but_cannot_move_or_post(client) -> None:
    net = await network()
    referral_id = await sent(net)
    token = bearer(await token_for(net.partner, scope="read"))

    assert (await client.get(f"/api/v1/referrals/{referral_id}", headers=token)).status_code == 200
    moved = await client.post(
        f"/api/v1/referrals/{referral_id}/moves", json={"action": "accept"}, headers=token
    )
    posted = await client.post(
        f"/api/v1/referrals/{referral_id}/messages", json={"body": "Hello"}, headers=token
    )

    for response in (moved, posted):
        assert response.status_code == 403
        assert response.headers["content-type"].startswith(PROBLEM)
        assert "read-only" in response.json()["detail"]
    assert await _status(referral_id) == ("requested", 1)
    assert await ReferralMessage.count() == 0


async def test_missing_unknown_and_revoked_tokens_get_401(client) -> None:
    net = await network()
    referral_id = await sent(net)
    member = await staff_member(net.partner, is_org_admin=True)
    admin = msgspec.structs.replace(principal(member, net.partner), is_org_admin=True)
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    url = f"/api/v1/referrals/{referral_id}"
    assert (await client.get(url, headers=bearer(made.token))).status_code == 200
    await api_tokens.revoke_token(admin, made.id)

    for headers in (
        {},
        bearer(made.token),
        bearer(made.token[:-1] + ("A" if made.token[-1] != "A" else "B")),
        {"Authorization": f"Basic {made.token}"},
        {"Authorization": "Bearer"},
    ):
        response = await client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "Robin" not in response.text


async def test_a_signed_in_browser_session_does_not_open_the_api(client) -> None:
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    assert (await client.get("/")).status_code == 200

    read = await client.get(f"/api/v1/referrals/{referral_id}")
    moved = await client.post(f"/api/v1/referrals/{referral_id}/moves", json={"action": "accept"})

    assert read.status_code == 401
    assert moved.status_code == 401
    assert await _status(referral_id) == ("requested", 1)


async def test_docs_and_openapi_describe_the_referral_routes(client) -> None:
    docs = await client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "<h1" in docs.text
    assert "Wraparound partner API" in docs.text
    for words in ("List referrals", "Read a referral", "Move a referral", "MoveRequest"):
        assert words in docs.text
    # Nothing the page's strict Content-Security-Policy would block.
    assert "<script" not in docs.text
    assert "style=" not in docs.text
    assert "https://" not in docs.text
    assert "script-src 'self'" in docs.headers["content-security-policy"]

    spec_response = await client.get("/api/v1/docs/openapi.json")
    assert spec_response.status_code == 200
    spec = spec_response.json()
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert set(spec["paths"]) == {
        "/referrals",
        "/referrals/{referral_id}",
        "/referrals/{referral_id}/moves",
        "/referrals/{referral_id}/messages",
    }
    assert set(spec["paths"]["/referrals/{referral_id}/messages"]) == {"get", "post"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    move = spec["paths"]["/referrals/{referral_id}/moves"]["post"]
    assert move["security"] == [{"bearerAuth": []}]
    assert set(move["responses"]) >= {"200", "401", "403", "404", "409", "422"}
    assert "/staff" not in str(spec["paths"])


async def test_api_root_says_where_the_docs_are(client) -> None:
    response = await client.get("/api/v1")
    assert response.status_code == 200
    assert response.json()["docs"] == "/api/v1/docs"
    assert (await client.get(response.json()["openapi"])).status_code == 200

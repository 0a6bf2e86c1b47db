"""Attacks on consent and the client record, as the other side would try them.

Each attempt must fail with nothing shown (a refusal looks exactly like a made-up id) and
leave its mark in the audit trail where it should.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from consent import policy
from consent.tables import AccessLog, BreakGlass, ClientEntry, Consent
from consent.vocabulary import CONTACT, HOUSING, IDENTITY, LONDON, RISK
from hub import clock
from hub.db import is_sqlite, raw
from hub.tables import AuditEvent, Client, ClientInvitation
from tests.consent.factories import (
    consent_to,
    decided,
    first,
    involve,
    note,
    principal,
    registered_client,
    staff_member,
)
from tests.consent.fixtures import client, other_client, pooled
from tests.support import csrf_from, make_organisation, post_form, sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)

UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def main_of(html: str) -> str:
    """The page's <main>, ids blanked: what the person actually reads."""
    return UUIDS.sub("<id>", html.split("<main", 1)[1])


async def _network():
    """The hub registered Dana and shares housing with Housing First; Employability is not
    involved and has no consent."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    housing = await make_organisation("Housing First")
    outsider_org = await make_organisation("Employability")
    hub_worker = await staff_member(hub)
    housing_worker = await staff_member(housing)
    outsider = await staff_member(outsider_org)
    dana = await registered_client(
        hub, full_name="Dana Lee", date_of_birth=date(1984, 6, 1), username="dana"
    )
    await note(dana.id, hub, RISK, "Threats from an ex-partner")
    await note(dana.id, hub, HOUSING, "Temporary accommodation")
    await involve(dana.id, housing, "referral:1")
    consent_id = await consent_to(
        dana.id, [housing], [IDENTITY, HOUSING, CONTACT], obtained_by=hub_worker
    )
    return {
        "hub": hub,
        "housing": housing,
        "outsider_org": outsider_org,
        "hub_worker": hub_worker,
        "housing_worker": housing_worker,
        "outsider": outsider,
        "dana": dana,
        "consent_id": consent_id,
    }


async def _same_as_made_up(client, path: str, leaked: str, guessed: str, post: bool = False):
    if post:
        token = csrf_from((await client.get("/")).text)
        real = await client.post(path.format(leaked), data={"_csrf_token": token, "text": "x"})
        fake = await client.post(path.format(guessed), data={"_csrf_token": token, "text": "x"})
    else:
        real = await client.get(path.format(leaked))
        fake = await client.get(path.format(guessed))
    assert real.status_code == fake.status_code == 404, path
    assert main_of(real.text) == main_of(fake.text), path
    assert "Dana" not in real.text


async def test_another_organisations_client_and_consent_ids_look_missing(client, other_client):
    world = await _network()
    await sign_in(client, world["outsider"].email)
    leaked, guessed = str(world["dana"].id), str(uuid.uuid4())
    entries, consents = await ClientEntry.count(), await Consent.count()

    for path in (
        "/clients/{}",
        "/clients/{}/entries/new",
        "/clients/{}/consents/new",
    ):
        await _same_as_made_up(client, path, leaked, guessed)
    for path in (
        "/clients/{}/entries/new",
        "/clients/{}/consents/new",
        "/clients/{}/invitation",
    ):
        await _same_as_made_up(client, path, leaked, guessed, post=True)
    consent, made_up = str(world["consent_id"]), str(uuid.uuid4())
    for path in ("/consents/{}/receipt", "/consents/{}/change", "/consents/{}/withdraw"):
        await _same_as_made_up(client, path, consent, made_up)
    for path in ("/consents/{}/change", "/consents/{}/withdraw"):
        await _same_as_made_up(client, path, consent, made_up, post=True)
    # An organisation not involved with the client cannot even ask for an override.
    await _same_as_made_up(client, "/clients/{}/break-glass", leaked, guessed)

    assert (await ClientEntry.count(), await Consent.count()) == (entries, consents)
    assert await ClientInvitation.count() == 0
    refused = await AuditEvent.select(AuditEvent.subject_id, AuditEvent.action).where(
        AuditEvent.action.is_in(["client_record.refused", "consent.refused"])
    )
    assert sum(r["subject_id"] == leaked for r in refused) == 6
    assert sum(r["subject_id"] == consent for r in refused) == 5
    # Even a partner named in the consent cannot change it: the hub obtained it. (It may read
    # its own part of the receipt, as it may record a withdrawal: test_receipt_access.)
    async with other_client() as partner:
        await sign_in(partner, world["housing_worker"].email)
        await _same_as_made_up(partner, "/consents/{}/change", consent, made_up)


async def test_withdrawal_stops_reading_on_the_very_next_request(client, other_client):
    world = await _network()
    await sign_in(client, world["housing_worker"].email)
    record = f"/clients/{world['dana'].id}"
    before = await client.get(record)
    assert before.status_code == 200
    assert "Temporary accommodation" in before.text
    assert before.headers["cache-control"] == "no-store"
    assert "Dana Lee" in (await post_form(client, "/clients", {"q": "dana"})).text

    async with other_client() as phone:
        await sign_in_client(phone, "dana")
        stop = f"/portal/consents/{world['consent_id']}/withdraw"
        assert (await post_form(phone, stop, {})).status_code == 303

    after = await client.get(record)
    assert after.status_code == 404
    assert "Temporary accommodation" not in after.text
    assert str(world["dana"].id) not in (await client.get("/clients")).text
    assert "Dana" not in main_of((await post_form(client, "/clients", {"q": "lee"})).text)
    assert await AuditEvent.exists().where(AuditEvent.action == "consent.withdrawn")


async def test_expiry_stops_reading_at_its_date_with_no_job_and_is_audited(client):
    last_day = datetime(2026, 11, 30, 23, 59, 50, tzinfo=LONDON)
    clock.freeze(last_day.astimezone(UTC))
    world = await _network()
    await Consent.update(
        {Consent.withdrawn_at: clock.now(), Consent.withdrawn_reason: "withdrawn"}
    ).where(Consent.id == world["consent_id"])
    expiring = await consent_to(
        world["dana"].id,
        [world["housing"]],
        [HOUSING],
        obtained_by=world["hub_worker"],
        valid_from=last_day.date(),
        valid_to=last_day.date(),
    )
    await sign_in(client, world["housing_worker"].email)
    assert (await client.get(f"/clients/{world['dana'].id}")).status_code == 200

    clock.advance(timedelta(seconds=15))  # past midnight: nothing runs, the next read decides

    assert (await client.get(f"/clients/{world['dana'].id}")).status_code == 404
    assert (await client.get(f"/clients/{world['dana'].id}")).status_code == 404
    expired = await AuditEvent.select().where(AuditEvent.action == "consent.expired")
    assert [e["subject_id"] for e in expired] == [str(expiring)]  # once, however many reads


async def test_list_search_and_duplicate_check_do_not_leak_an_unshared_client(client):
    world = await _network()
    await sign_in(client, world["outsider"].email)

    listing = await client.get("/clients")
    found = await post_form(client, "/clients", {"q": "Dana Lee"})
    nobody = await post_form(client, "/clients", {"q": "Zed Quux"})
    assert str(world["dana"].id) not in listing.text
    assert main_of(found.text).replace("Dana Lee", "Zed Quux") == main_of(nobody.text)

    same_person = {
        "full_name": "Dana Lee",
        "date_of_birth-day": "1",
        "date_of_birth-month": "6",
        "date_of_birth-year": "1984",
    }
    registered = await post_form(client, "/clients/new", same_person)
    assert registered.status_code == 303  # straight through: nothing hints she exists
    assert await Client.count() == 2
    assert not await AuditEvent.exists().where(
        (AuditEvent.action == "client_data.read") & (AuditEvent.subject_id == str(world["dana"].id))
    )


async def test_a_given_consent_cannot_be_edited_by_forged_or_over_posted_forms(client):
    world = await _network()
    other_person = await registered_client(world["hub"], full_name="Other Person")
    await sign_in(client, world["hub_worker"].email)
    consent = str(world["consent_id"])
    assert (await post_form(client, f"/consents/{consent}", {}, form_page="/")).status_code in (
        404,
        405,
    )
    before = await first(Consent.select().where(Consent.id == world["consent_id"]))

    changed = await post_form(
        client,
        f"/consents/{consent}/change",
        {
            "organisation_ids": [str(world["housing"].id)],
            "categories": [HOUSING],
            "purposes": ["coordination"],
            "method": "written",
            "notice_version": "2026-11",
            "capacity": "has_capacity",
            "given_by": "client",
            # Over-posted: none of these may be set by a form.
            "version": "99",
            "series": str(uuid.uuid4()),
            "client": str(other_person.id),
            "supersedes": str(uuid.uuid4()),
            "obtained_by_staff": str(world["housing_worker"].id),
            "obtained_by_organisation": str(world["housing"].id),
            "given_at": "2020-01-01T00:00:00Z",
            "withdrawn_at": "",
            "status": "active",
        },
    )

    assert changed.status_code == 303
    new_id = uuid.UUID(changed.headers["location"].split("/")[2])
    new = await first(Consent.select().where(Consent.id == new_id))
    assert (new["version"], new["series"], new["client"]) == (2, before["series"], before["client"])
    assert new["supersedes"] == world["consent_id"]
    assert new["obtained_by_staff"] == world["hub_worker"].id
    assert new["given_at"] > datetime(2026, 1, 1, tzinfo=UTC)
    old = await first(Consent.select().where(Consent.id == world["consent_id"]))
    assert old["withdrawn_reason"] == "replaced"
    for key in ("organisation_ids", "categories", "valid_to", "given_at", "version"):
        assert old[key] == before[key]

    # Nor by going round the app: the database refuses edits and reverts.
    for statement in (
        'UPDATE consent SET categories = \'["housing", "risk"]\'',
        "UPDATE consent SET valid_to = '2099-01-01'",
        "UPDATE consent SET withdrawn_at = NULL, withdrawn_reason = ''",
    ):
        with pytest.raises(Exception, match=r"never edited|final"):
            await raw(statement)
    assert (await first(Consent.select().where(Consent.id == new_id)))["categories"] == (
        new["categories"]
    )
    # Nor is the record of who looked rewritten (and on PostgreSQL nothing is deleted).
    assert await AccessLog.count() > 0
    with pytest.raises(Exception, match=r"append-only"):
        await raw("UPDATE access_log SET categories = '[]'")
    if not is_sqlite():
        for table in ("consent", "access_log"):
            with pytest.raises(Exception, match=r"DELETE refused"):
                await raw(f"DELETE FROM {table}")


async def test_break_glass_needs_a_reason_ends_on_time_and_never_lists(client):
    world = await _network()
    # Peer Support is on Dana's care team but no consent names it: it sees nothing without
    # an override. (An organisation not involved at all cannot open one: test_breakglass_*.)
    peers = await make_organisation("Peer Support")
    peer_worker = await staff_member(peers)
    await involve(world["dana"].id, peers, "care_team")
    await sign_in(client, peer_worker.email)
    dana = world["dana"].id
    assert (await client.get(f"/clients/{dana}")).status_code == 404
    no_reason = await post_form(client, f"/clients/{dana}/break-glass", {"reason": ""})
    assert no_reason.status_code == 422
    ghost = await post_form(
        client, f"/clients/{uuid.uuid4()}/break-glass", {"reason": "A real-sounding reason"}
    )
    assert ghost.status_code == 404
    assert await AuditEvent.exists().where(AuditEvent.action == "break_glass.refused")
    assert await BreakGlass.count() == 0

    await post_form(client, f"/clients/{dana}/break-glass", {"reason": "She rang us in danger"})
    assert (await client.get(f"/clients/{dana}")).status_code == 200
    assert str(dana) not in (await client.get("/clients")).text
    assert "Dana Lee" not in main_of((await post_form(client, "/clients", {"q": "Dana"})).text)
    duplicate = await post_form(
        client,
        "/clients/new",
        {
            "full_name": "Dana Lee",
            "date_of_birth-day": "1",
            "date_of_birth-month": "6",
            "date_of_birth-year": "1984",
        },
    )
    assert duplicate.status_code == 303  # no duplicate shown: break-glass opens one record only
    asking = principal(peer_worker, peers)
    assert dana not in {d.client_id for d in await policy.visible_clients(asking)}
    clock.advance(timedelta(hours=4, seconds=1))
    assert not (await decided(asking, dana)).visible


async def test_a_client_cannot_reach_another_clients_portal_pages(client):
    world = await _network()
    await registered_client(world["hub"], full_name="Robin Reid", username="robin")
    await sign_in_client(client, "robin")
    theirs, made_up = str(world["consent_id"]), str(uuid.uuid4())

    for path in (
        "/portal/consents/{}",
        "/portal/consents/{}/withdraw",
        "/portal/consents/{}/narrow",
    ):
        await _same_as_made_up(client, path, theirs, made_up)
    for path in ("/portal/consents/{}/withdraw", "/portal/consents/{}/narrow"):
        await _same_as_made_up(client, path, theirs, made_up, post=True)
    assert "Dana" not in (await client.get("/portal/consents")).text
    assert "Housing First" not in (await client.get("/portal/who-saw")).text
    for staff_page in (f"/clients/{world['dana'].id}", f"/consents/{theirs}/receipt"):
        assert (await client.get(staff_page)).status_code == 403

    row = await first(Consent.select().where(Consent.id == world["consent_id"]))
    assert row["withdrawn_at"] is None
    refused = await AuditEvent.select().where(
        (AuditEvent.action == "consent.refused") & (AuditEvent.subject_id == theirs)
    )
    assert len(refused) == 5
    assert all(event["actor_kind"] == "client" for event in refused)


async def test_withdrawing_without_a_csrf_token_changes_nothing(client):
    world = await _network()
    await sign_in_client(client, "dana")
    await client.get("/portal/consents")
    response = await client.post(f"/portal/consents/{world['consent_id']}/withdraw")
    assert response.status_code == 403
    row = await first(Consent.select().where(Consent.id == world["consent_id"]))
    assert row["withdrawn_at"] is None

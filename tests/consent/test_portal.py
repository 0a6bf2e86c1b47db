"""The client's portal: consents in plain words, receipts, stopping and narrowing, who looked."""

from __future__ import annotations

from consent import record
from consent.breakglass import open_break_glass
from consent.schemas import BreakGlassRequest
from consent.tables import Consent
from consent.vocabulary import CONTACT, HOUSING, IDENTITY
from hub.tables import AuditEvent, Organisation
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
from tests.support import make_organisation, post_form, sign_in, sign_in_client


async def _client_with_consent(client, *, partners=("Housing First",), categories=(HOUSING,)):
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await staff_member(hub)
    organisations = [await make_organisation(name) for name in partners]
    person = await registered_client(hub, full_name="Kerry Smith", username="kez")
    for organisation in organisations:
        await involve(person.id, organisation)
    consent_id = await consent_to(
        person.id, organisations, [IDENTITY, *categories], obtained_by=worker
    )
    await sign_in_client(client, "kez")
    return hub, worker, organisations, person, consent_id


async def test_client_reads_the_receipt_and_stops_sharing(client):
    _, _, [partner], person, consent_id = await _client_with_consent(client)
    partner_worker = principal(await staff_member(partner), partner)
    assert (await decided(partner_worker, person.id)).visible

    mine = await client.get("/portal/consents")
    assert "Housing First can see your identity and housing, until the end of" in mine.text
    receipt = await client.get(f"/portal/consents/{consent_id}")
    assert "You agreed that Housing First may see your identity and housing." in receipt.text
    assert "How to stop or change it" in receipt.text
    confirm = await client.get(f"/portal/consents/{consent_id}/withdraw")
    assert "Stop sharing with Housing First?" in confirm.text

    stopped = await post_form(client, f"/portal/consents/{consent_id}/withdraw", {})

    assert stopped.headers["location"] == "/portal/consents?done=withdrawn"
    after = await client.get(stopped.headers["location"])
    assert "You have stopped sharing" in after.text
    assert "Withdrawn" in after.text
    assert not (await decided(partner_worker, person.id)).visible  # the next request
    row = await first(Consent.select().where(Consent.id == consent_id))
    assert (row["withdrawn_by_kind"], row["withdrawn_how"]) == ("client", "portal")
    withdrawn = await AuditEvent.select().where(AuditEvent.action == "consent.withdrawn")
    assert withdrawn[0]["actor_kind"] == "client"
    again = await post_form(
        client, f"/portal/consents/{consent_id}/withdraw", {}, form_page="/portal/consents"
    )
    assert again.status_code == 409


async def test_client_shares_less_with_a_new_smaller_version(client):
    _, _, [housing, peer], person, consent_id = await _client_with_consent(
        client, partners=("Housing First", "Peer Support"), categories=(HOUSING, CONTACT)
    )
    page = f"/portal/consents/{consent_id}/narrow"
    form = await client.get(page)
    assert f'value="{housing.id}" checked' in form.text

    unchanged = await post_form(
        client,
        page,
        {
            "organisation_ids": [str(housing.id), str(peer.id)],
            "categories": [IDENTITY, HOUSING, CONTACT],
        },
    )
    assert unchanged.status_code == 422
    stranger = await make_organisation("Community MH")
    widened = await post_form(
        client,
        page,
        {"organisation_ids": [str(peer.id), str(stranger.id)], "categories": [HOUSING, "risk"]},
    )
    assert widened.status_code == 422
    assert "You can only remove organisations here" in widened.text
    assert await Consent.count() == 1

    narrowed = await post_form(
        client, page, {"organisation_ids": [str(peer.id)], "categories": [HOUSING]}
    )

    assert narrowed.status_code == 303
    assert "Done. You now share less" in (await client.get(narrowed.headers["location"])).text
    rows = await Consent.select().order_by(Consent.version).output(load_json=True)
    old, new = rows
    assert old["withdrawn_reason"] == "replaced"
    assert (new["version"], new["organisation_ids"], new["categories"]) == (
        2,
        [str(peer.id)],
        [HOUSING],
    )
    assert (new["given_by"], new["method"], new["obtained_by_staff"]) == (
        "client",
        "electronic",
        None,
    )
    peer_view = await decided(principal(await staff_member(peer), peer), person.id)
    housing_view = await decided(principal(await staff_member(housing), housing), person.id)
    assert peer_view.consented == {HOUSING}
    assert not housing_view.visible


async def test_who_saw_my_record_and_the_leads_view_of_their_own_staff(client, other_client):
    hub, hub_worker, [partner], person, _ = await _client_with_consent(client)
    lead = await staff_member(partner)
    await Organisation.update({Organisation.data_protection_lead_id: lead.id}).where(
        Organisation.id == partner.id
    )
    partner_worker = await staff_member(partner)
    await note(person.id, hub, HOUSING, "Tenancy at risk")
    peer = await make_organisation("Peer Support")
    outsider = await staff_member(peer)
    await involve(person.id, peer, "care_team")  # break-glass needs a relationship
    as_partner = principal(partner_worker, partner)
    await record.get_record(as_partner, person.id)
    await record.get_record(as_partner, person.id)
    await record.get_record(principal(hub_worker, hub), person.id)
    as_outsider = principal(outsider, peer)
    await open_break_glass(as_outsider, person.id, BreakGlassRequest(reason="Fire at her address"))
    await record.get_record(as_outsider, person.id)

    seen = await client.get("/portal/who-saw")

    text = seen.text
    assert (
        f"{partner_worker.name} from Housing First saw your identity and housing (2 times" in text
    )
    assert f"{hub_worker.name} from Lochee Hub saw your" in text
    assert f"{outsider.name} from Peer Support saw your" in text
    assert "They used emergency safeguarding access" in text
    assert "Fire at her address" not in text

    async with other_client() as lead_browser:
        await sign_in(lead_browser, lead.email)
        reads = await lead_browser.get("/oversight/access-log")
        assert reads.status_code == 200
        assert reads.text.count(partner_worker.name) == 2
        assert hub_worker.name not in reads.text
        assert outsider.name not in reads.text
    async with other_client() as worker_browser:
        await sign_in(worker_browser, partner_worker.email)
        assert (await worker_browser.get("/oversight/access-log")).status_code == 403

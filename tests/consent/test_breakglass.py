"""Break-glass: a reason, four hours, one record, flagged reads, and the reviewers' queue."""

from __future__ import annotations

from datetime import timedelta

from consent.tables import AccessLog, BreakGlass, BreakGlassReview
from consent.vocabulary import HOUSING, RISK
from hub import clock
from hub.tables import AuditEvent, Organisation, OutboxJob
from tests.consent.factories import (
    decided,
    first,
    involve,
    note,
    principal,
    registered_client,
    staff_member,
)
from tests.support import make_organisation, post_form, sign_in


async def _emergency(client):
    """A Housing First worker with an open referral for a client the hub shared nothing of."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    lead = await staff_member(partner, email="dp-lead@housing-first.example")
    await Organisation.update({Organisation.data_protection_lead_id: lead.id}).where(
        Organisation.id == partner.id
    )
    worker = await staff_member(partner)
    person = await registered_client(hub, full_name="Dana Lee")
    await note(person.id, hub, RISK, "Threats from an ex-partner")
    await involve(person.id, partner, "referral:1")
    await sign_in(client, worker.email)
    return hub, partner, lead, worker, person


async def test_opening_needs_a_reason_then_shows_the_record_for_four_hours(client):
    _, partner, _, worker, person = await _emergency(client)
    record = f"/clients/{person.id}"
    assert (await client.get(record)).status_code == 404

    form = await client.get(f"{record}/break-glass")
    assert "It opens this one record to you alone, for 4 hours." in form.text
    refused = await post_form(client, f"{record}/break-glass", {"reason": "  urgent "})
    assert refused.status_code == 422
    assert await BreakGlass.count() == 0

    opened = await post_form(
        client, f"{record}/break-glass", {"reason": "Police report she is missing tonight"}
    )
    assert opened.status_code == 303
    page = await client.get(record)
    assert page.status_code == 200
    assert "Dana Lee" in page.text
    assert "Threats from an ex-partner" in page.text
    assert "You are using emergency safeguarding access until" in page.text
    read = await first(AccessLog.select().where(AccessLog.staff == worker.id))
    assert read["break_glass"] is not None
    opened_event = await AuditEvent.select().where(AuditEvent.action == "break_glass.opened")
    assert len(opened_event) == 1
    assert "missing" not in opened_event[0]["detail"]  # the reason stays out of the trail
    mail = await first(OutboxJob.select().where(OutboxJob.kind == "email"))
    assert "dp-lead@housing-first.example" in mail["payload"]
    assert "Dana" not in mail["payload"]

    # Four hours on (a session would have timed out by then, so ask the policy directly).
    asking = principal(worker, partner)
    clock.advance(timedelta(hours=3, minutes=59))
    assert (await decided(asking, person.id)).visible
    clock.advance(timedelta(minutes=2))
    assert not (await decided(asking, person.id)).visible


async def test_break_glass_never_lists_or_searches_and_can_be_ended_early(client):
    _, _, _, _, person = await _emergency(client)
    await post_form(
        client, f"/clients/{person.id}/break-glass", {"reason": "Concern for her safety now"}
    )
    listing = await client.get("/clients")
    search = await post_form(client, "/clients", {"q": "Dana"})
    assert str(person.id) not in listing.text
    assert str(person.id) not in search.text
    assert "Dana Lee" not in search.text
    assert "No client shared with your organisation matches" in search.text

    glass = await first(BreakGlass.select())
    closed = await post_form(
        client, f"/break-glass/{glass['id']}/close", {}, form_page=f"/clients/{person.id}"
    )
    assert closed.status_code == 303
    assert (await client.get(f"/clients/{person.id}")).status_code == 404
    assert await AuditEvent.exists().where(AuditEvent.action == "break_glass.closed")


async def test_the_data_protection_lead_signs_off_or_flags_each_one(client, other_client):
    _, _, lead, worker, person = await _emergency(client)
    await post_form(
        client, f"/clients/{person.id}/break-glass", {"reason": "Reported missing tonight"}
    )
    await client.get(f"/clients/{person.id}")
    glass = await first(BreakGlass.select())

    # The opener is not their own reviewer.
    own = await client.get("/oversight/break-glass")
    assert "Nothing is waiting for your review." in own.text
    refused = await post_form(
        client,
        f"/oversight/break-glass/{glass['id']}/review",
        {"role": "data_protection_lead", "outcome": "signed_off"},
        form_page="/oversight/break-glass",
    )
    assert refused.status_code == 404

    async with other_client() as lead_browser:
        await sign_in(lead_browser, lead.email)
        queue = await lead_browser.get("/oversight/break-glass")
        assert "Reported missing tonight" in queue.text
        assert worker.name in queue.text
        assert "Risk and safeguarding" in queue.text or "risk and safeguarding" in queue.text
        no_note = await post_form(
            lead_browser,
            f"/oversight/break-glass/{glass['id']}/review",
            {"role": "data_protection_lead", "outcome": "flagged"},
            form_page="/oversight/break-glass",
        )
        assert no_note.status_code == 422
        assert "Say what concerns you" in no_note.text
        flagged = await post_form(
            lead_browser,
            f"/oversight/break-glass/{glass['id']}/review",
            {"role": "data_protection_lead", "outcome": "flagged", "note": "Ask why not 999"},
            form_page="/oversight/break-glass",
        )
        assert flagged.status_code == 303
        again = await post_form(
            lead_browser,
            f"/oversight/break-glass/{glass['id']}/review",
            {"role": "data_protection_lead", "outcome": "signed_off"},
            form_page="/oversight/break-glass",
        )
        assert again.status_code == 409
        history = await lead_browser.get("/oversight/break-glass")
        assert "Flagged for follow-up" in history.text
        assert "Ask why not 999" in history.text
    reviews = await BreakGlassReview.select()
    assert [(r["outcome"], r["reviewer"]) for r in reviews] == [("flagged", lead.id)]
    assert await AuditEvent.exists().where(AuditEvent.action == "break_glass.reviewed")


async def test_a_lead_who_opens_one_is_reviewed_by_an_admin_and_others_see_nothing(
    client, other_client
):
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    lead = await staff_member(partner)
    admin = await staff_member(partner, is_org_admin=True)
    await Organisation.update({Organisation.data_protection_lead_id: lead.id}).where(
        Organisation.id == partner.id
    )
    outsider = await staff_member(await make_organisation("Peer Support"), is_org_admin=True)
    person = await registered_client(hub)
    await note(person.id, hub, HOUSING, "Rough sleeping")
    await involve(person.id, partner, "referral:1")
    await sign_in(client, lead.email)
    await post_form(client, f"/clients/{person.id}/break-glass", {"reason": "Found unconscious"})

    async with other_client() as admin_browser:
        await sign_in(admin_browser, admin.email)
        assert "Found unconscious" in (await admin_browser.get("/oversight/break-glass")).text
    async with other_client() as outsider_browser:
        await sign_in(outsider_browser, outsider.email)
        assert (
            "Found unconscious" not in (await outsider_browser.get("/oversight/break-glass")).text
        )

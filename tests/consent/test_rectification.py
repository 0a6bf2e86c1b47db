"""Rectification: a client asks for an entry to be corrected; the recording organisation
corrects it (the original kept in the entry's history) or declines with a reason."""

from __future__ import annotations

from consent.tables import ClientEntry, CorrectionRequest, EntryVersion
from consent.vocabulary import HOUSING, IDENTITY
from hub.tables import AuditEvent, Notification
from tests.consent.factories import (
    consent_to,
    first,
    involve,
    note,
    registered_client,
    staff_member,
)
from tests.support import make_organisation, post_form, sign_in, sign_in_client


async def _asked(client):
    """Kerry (portal 'kez') asks Lochee Hub to correct its housing note; returns the hub
    worker, the client, the entry and the request's id."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await staff_member(hub)
    admin = await staff_member(hub, is_org_admin=True)
    person = await registered_client(hub, full_name="Kerry Smith", username="kez")
    await note(person.id, hub, HOUSING, "Lives at 12 Hill Street")
    await sign_in_client(client, "kez")
    page = await client.get("/portal/corrections")
    assert "Lives at 12 Hill Street" in page.text
    entry = await first(ClientEntry.select().where(ClientEntry.client == person.id))

    empty = await post_form(client, f"/portal/corrections/{entry['id']}", {})
    assert empty.status_code == 422
    assert "There is a problem" in empty.text
    assert "Say what is wrong in this entry" in empty.text
    sent = await post_form(
        client,
        f"/portal/corrections/{entry['id']}",
        {"what_is_wrong": "I moved in May", "should_say": "Lives at 3 Low Road"},
    )
    assert sent.headers["location"] == "/portal/corrections?done=asked"
    told = await Notification.select().where(Notification.staff == admin.id)
    assert [row["subject"] for row in told] == ["A client asked for an entry to be corrected"]
    request = await first(CorrectionRequest.select())
    return worker, person, entry, request["id"]


async def test_the_recording_organisation_corrects_and_the_original_stays_in_the_history(
    client, other_client
):
    worker, person, entry, request_id = await _asked(client)
    async with other_client() as staff:
        await sign_in(staff, worker.email)
        queue = await staff.get("/corrections")
        assert f"/corrections/{request_id}" in queue.text
        shown = await staff.get(f"/corrections/{request_id}")
        assert "I moved in May" in shown.text
        assert "Lives at 12 Hill Street" in shown.text
        emptied = await post_form(
            staff, f"/corrections/{request_id}/correct", {"text": " "}, f"/corrections/{request_id}"
        )
        assert emptied.status_code == 422
        corrected = await post_form(
            staff,
            f"/corrections/{request_id}/correct",
            {"text": "Lives at 3 Low Road"},
            f"/corrections/{request_id}",
        )
        assert corrected.status_code == 303
        again = await post_form(
            staff,
            f"/corrections/{request_id}/correct",
            {"text": "Something else"},
            f"/corrections/{request_id}",
        )
        assert again.status_code == 409  # answered once
        record = await staff.get(f"/clients/{person.id}")
    assert "Lives at 3 Low Road" in record.text
    assert "Corrected: how it read before (1)" in record.text
    assert "Lives at 12 Hill Street" in record.text  # the original, in the history
    [version] = await EntryVersion.select().where(EntryVersion.entry == entry["id"])
    assert version["data"] == '{"text":"Lives at 12 Hill Street"}'
    mine = await client.get("/portal/corrections")
    assert "Corrected" in mine.text
    assert "Lives at 3 Low Road" in mine.text
    actions = {row["action"] for row in await AuditEvent.select(AuditEvent.action)}
    assert {"correction.asked", "client_entry.corrected"} <= actions


async def test_declining_needs_a_reason_the_client_then_reads(client, other_client):
    worker, _, entry, request_id = await _asked(client)
    async with other_client() as staff:
        await sign_in(staff, worker.email)
        no_reason = await post_form(
            staff, f"/corrections/{request_id}/decline", {}, f"/corrections/{request_id}"
        )
        assert no_reason.status_code == 422
        assert "Say why the entry is not changed" in no_reason.text
        declined = await post_form(
            staff,
            f"/corrections/{request_id}/decline",
            {"reason": "Our visit on 2 June confirmed Hill Street"},
            f"/corrections/{request_id}",
        )
        assert declined.headers["location"] == "/corrections?status=declined"
    mine = await client.get("/portal/corrections")
    assert "Not changed: Our visit on 2 June confirmed Hill Street" in mine.text
    unchanged = await first(ClientEntry.select().where(ClientEntry.id == entry["id"]))
    assert unchanged["data"] == '{"text":"Lives at 12 Hill Street"}'
    assert not await EntryVersion.exists().where(EntryVersion.entry == entry["id"])


async def test_a_partner_with_consent_sees_the_entry_but_not_the_request(client, other_client):
    """Only the organisation that recorded the entry answers for it."""
    _, person, _, request_id = await _asked(client)
    partner = await make_organisation("Housing First")
    await involve(person.id, partner)
    hub_worker = await staff_member(partner)
    await consent_to(person.id, [partner], [IDENTITY, HOUSING], obtained_by=hub_worker)
    async with other_client() as browser:
        await sign_in(browser, hub_worker.email)
        assert "Lives at 12 Hill Street" in (await browser.get(f"/clients/{person.id}")).text
        assert (await browser.get(f"/corrections/{request_id}")).status_code == 404
        assert f"/corrections/{request_id}" not in (await browser.get("/corrections")).text


def test_a_corrected_contact_entry_is_checked_like_a_new_one():
    import pytest

    from consent.rectification import corrected_details
    from hub.errors import Invalid

    with pytest.raises(Invalid) as refused:
        corrected_details("contact", {"email": "not an address", "preferred_contact": "pigeon"})
    assert set(refused.value.errors) == {"email", "preferred_contact"}
    fixed = corrected_details("contact", {"phone": "01382 123456", "preferred_contact": "phone"})
    assert (fixed.phone, fixed.preferred_contact) == ("01382 123456", "phone")  # type: ignore[attr-defined]

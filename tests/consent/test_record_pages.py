"""Registering a client, the duplicate check, reading a record and adding to it, the list."""

from __future__ import annotations

import re
from datetime import date

from consent.tables import AccessLog, ClientEntry, Involvement
from consent.vocabulary import CONTACT, HOUSING, IDENTITY, MENTAL_HEALTH, NEEDS
from hub.tables import AuditEvent, Client
from tests.consent.factories import (
    consent_to,
    first,
    involve,
    note,
    registered_client,
    staff_member,
)
from tests.support import make_organisation, post_form, sign_in

FULL_FORM = {
    "full_name": "Kerry Smith",
    "preferred_name": "Kez",
    "date_of_birth-day": "3",
    "date_of_birth-month": "11",
    "date_of_birth-year": "1979",
    "pronouns": "she/her",
    "phone": "07700 900123",
    "email": "kez@example.org",
    "address": "1 High Street, Dundee",
    "preferred_contact": "text",
    "safe_times": "Weekdays after 3pm, no voicemail",
    "language": "Polish",
    "interpreter_needed": "true",
}
DUPLICATES = re.compile(r'name="acknowledged_duplicates" value="([^"]*)"')


async def _hub_worker(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await staff_member(hub)
    await sign_in(client, worker.email)
    return hub, worker


async def test_worker_registers_a_client_with_contact_and_language(client):
    hub, _ = await _hub_worker(client)

    created = await post_form(client, "/clients/new", FULL_FORM)

    assert created.status_code == 303
    record = await client.get(created.headers["location"])
    assert record.status_code == 200
    for shown in (
        "Kerry Smith",
        "3 November 1979",
        "she/her",
        "07700 900123",
        "Text message",
        "Weekdays after 3pm, no voicemail",
        "Polish",
        "Needs an interpreter",
    ):
        assert shown in record.text, shown
    row = await first(Client.select().where(Client.full_name == "Kerry Smith"))
    assert row["registered_by"] == hub.id
    involvement = await first(Involvement.select().where(Involvement.client == row["id"]))
    assert (involvement["organisation"], involvement["source"]) == (hub.id, "registered")
    categories = {e["category"] for e in await ClientEntry.select(ClientEntry.category)}
    assert categories == {IDENTITY, CONTACT, NEEDS}
    read = await first(AccessLog.select().where(AccessLog.client == row["id"]))
    assert read["context"] == "record"
    assert await AuditEvent.exists().where(AuditEvent.action == "client.registered")


async def test_registration_mistakes_keep_what_was_typed_and_save_nothing(client):
    await _hub_worker(client)
    form = {**FULL_FORM, "phone": "", "email": "not an address", "full_name": ""}

    response = await post_form(client, "/clients/new", form)

    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Enter the client&#39;s full name" in response.text
    assert "Enter their phone, as text message is how they prefer" in response.text
    assert "Enter an e-mail address in the correct format" in response.text
    assert 'value="not an address"' in response.text
    assert "Weekdays after 3pm, no voicemail" in response.text
    assert await Client.count() == 0
    assert await ClientEntry.count() == 0


async def test_a_possible_duplicate_is_shown_before_a_new_record_is_made(client):
    hub, _ = await _hub_worker(client)
    existing = await registered_client(
        hub, full_name="Kerry Smyth", preferred_name="", date_of_birth=date(1979, 11, 3)
    )

    first = await post_form(client, "/clients/new", FULL_FORM)

    assert first.status_code == 200
    assert "This person may already have a record" in first.text
    assert f"/clients/{existing.id}" in first.text
    assert await Client.count() == 1
    hidden_field = DUPLICATES.search(first.text)
    assert hidden_field is not None
    acknowledged = hidden_field.group(1)
    assert acknowledged == str(existing.id)
    assert 'value="Kerry Smith"' in first.text  # the form keeps what was typed

    # A made-up acknowledgement does not get past the check.
    forged = await post_form(
        client, "/clients/new", {**FULL_FORM, "acknowledged_duplicates": "not-an-id"}
    )
    assert "This person may already have a record" in forged.text
    assert await Client.count() == 1

    second = await post_form(
        client, "/clients/new", {**FULL_FORM, "acknowledged_duplicates": acknowledged}
    )
    assert second.status_code == 303
    assert await Client.count() == 2
    shown = await AccessLog.select().where(AccessLog.context == "duplicate_check")
    assert {row["client"] for row in shown} == {existing.id}


async def test_different_birthday_or_distant_name_is_not_a_duplicate(client):
    hub, _ = await _hub_worker(client)
    await registered_client(hub, full_name="Kerry Smith", date_of_birth=date(1979, 11, 4))
    await registered_client(hub, full_name="Morag Brown", date_of_birth=date(1979, 11, 3))

    response = await post_form(client, "/clients/new", FULL_FORM)

    assert response.status_code == 303


async def test_record_shows_what_is_shared_and_says_plainly_what_is_not(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    worker = await staff_member(partner)
    person = await registered_client(hub, full_name="Robin Reid")
    await involve(person.id, partner, "referral:abc")
    await consent_to(person.id, [partner], [HOUSING, CONTACT])
    await note(person.id, hub, HOUSING, "Sleeping at a friend's flat")
    await note(person.id, hub, MENTAL_HEALTH, "Sees the community team")
    await note(person.id, partner, MENTAL_HEALTH, "Said they feel low")
    await sign_in(client, worker.email)

    page = await client.get(f"/clients/{person.id}")

    assert page.status_code == 200
    text = page.text
    assert "Robin Reid" not in text  # identity is not shared
    assert "Name not shared with you" in text
    assert "Sleeping at a friend&#39;s flat" in text
    assert "Sees the community team" not in text
    assert "Said they feel low" in text  # their own entry, in a category not shared
    assert "Mental health is sensitive" in text
    assert "The client has not agreed to share identity with your organisation." in text
    read = await first(
        AccessLog.select().where(AccessLog.staff == worker.id).output(load_json=True)
    )
    assert read["categories"] == [HOUSING, MENTAL_HEALTH]
    # Without identity, they may not act for the client.
    assert "Record consent" not in text
    assert (await client.get(f"/clients/{person.id}/consents/new")).status_code == 404


async def test_worker_adds_a_sensitive_note_only_their_organisation_sees(client, other_client):
    hub, _ = await _hub_worker(client)
    partner = await make_organisation("Housing First")
    partner_worker = await staff_member(partner)
    person = await registered_client(hub)
    await involve(person.id, partner)
    await consent_to(person.id, [partner], [IDENTITY, HOUSING])

    form_page = f"/clients/{person.id}/entries/new"
    missing = await post_form(client, form_page, {"category": "", "text": " "})
    assert missing.status_code == 422
    assert await ClientEntry.count() == 0
    saved = await post_form(
        client, form_page, {"category": MENTAL_HEALTH, "text": "Anxious about the hearing"}
    )
    assert saved.status_code == 303
    assert "Anxious about the hearing" in (await client.get(f"/clients/{person.id}")).text

    async with other_client() as partner_browser:
        await sign_in(partner_browser, partner_worker.email)
        theirs = await partner_browser.get(f"/clients/{person.id}")
    assert theirs.status_code == 200
    assert "Jo Bloggs" in theirs.text
    assert "Anxious about the hearing" not in theirs.text


async def test_list_and_search_show_only_names_the_policy_shares(client):
    hub, _ = await _hub_worker(client)
    other = await make_organisation("Community MH")
    mine = await registered_client(hub, full_name="Alex Morgan")
    shared = await registered_client(other, full_name="Sam Taylor")
    await involve(shared.id, hub)
    await consent_to(shared.id, [hub], [IDENTITY])
    nameless = await registered_client(other, full_name="Chris Park")
    await involve(nameless.id, hub)
    await consent_to(nameless.id, [hub], [HOUSING])
    hidden = await registered_client(other, full_name="Sam Hidden")

    listing = await client.get("/clients")
    assert "Alex Morgan" in listing.text
    assert "Sam Taylor" in listing.text
    assert "Chris Park" not in listing.text
    assert f"/clients/{nameless.id}" in listing.text  # listed, without the name
    assert str(hidden.id) not in listing.text

    search = await post_form(client, "/clients", {"q": "sam"})
    assert "Sam Taylor" in search.text
    assert str(mine.id) not in search.text
    assert str(nameless.id) not in search.text
    assert str(hidden.id) not in search.text
    assert "1 client matching" in search.text
    none = await post_form(client, "/clients", {"q": "Chris Park"})
    assert "No client shared with your organisation matches" in none.text

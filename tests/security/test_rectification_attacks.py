"""Rectification attacks: a client asking about another client's entry, another organisation
reading or answering a request about an entry it did not record."""

from __future__ import annotations

import pytest

from consent import rectification
from consent.rectification import CorrectionAsk
from consent.tables import ClientEntry, CorrectionRequest
from consent.vocabulary import HOUSING, IDENTITY
from hub.accounts.schemas import Principal
from hub.errors import NotFound
from tests.consent.factories import (
    consent_to,
    first,
    involve,
    note,
    principal,
    registered_client,
    staff_member,
)
from tests.consent.fixtures import client, other_client, pooled
from tests.support import make_organisation, post_form, sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]


async def _two_clients():
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await staff_member(hub)
    kerry = await registered_client(hub, full_name="Kerry Smith", username="kez")
    alex = await registered_client(hub, full_name="Alex Other", username="alex")
    await note(kerry.id, hub, HOUSING, "Kerry's housing note")
    await note(alex.id, hub, HOUSING, "Alex's housing note")
    alex_entry = await first(ClientEntry.select().where(ClientEntry.client == alex.id))
    kerry_entry = await first(ClientEntry.select().where(ClientEntry.client == kerry.id))
    return hub, worker, kerry, alex, kerry_entry["id"], alex_entry["id"]


async def test_a_client_cannot_see_or_ask_about_another_clients_entry(client):
    _, _, kerry, _, _, alex_entry = await _two_clients()
    await sign_in_client(client, "kez")
    assert "Alex's housing note" not in (await client.get("/portal/corrections")).text
    assert (await client.get(f"/portal/corrections/{alex_entry}")).status_code == 404
    tried = await post_form(
        client,
        f"/portal/corrections/{alex_entry}",
        {"what_is_wrong": "x", "should_say": "y"},
        "/portal/corrections",
    )
    assert tried.status_code == 404
    assert "Alex's housing note" not in tried.text
    assert not await CorrectionRequest.exists()
    kerry_as_client = Principal(kind="client", id=kerry.id, name="Kerry", session_key="t")
    with pytest.raises(NotFound):
        await rectification.ask(
            kerry_as_client, alex_entry, CorrectionAsk(what_is_wrong="x", should_say="y")
        )


async def test_another_organisation_cannot_read_or_answer_a_request(client, other_client):
    _, _, kerry, _, kerry_entry, _ = await _two_clients()
    kerry_as_client = Principal(kind="client", id=kerry.id, name="Kerry", session_key="t")
    request_id = await rectification.ask(
        kerry_as_client, kerry_entry, CorrectionAsk(what_is_wrong="Moved", should_say="3 Low Road")
    )
    partner = await make_organisation("Housing First")  # involved, and shown the housing entry
    await involve(kerry.id, partner)
    partner_worker = await staff_member(partner)
    await consent_to(kerry.id, [partner], [IDENTITY, HOUSING], obtained_by=partner_worker)
    outsider_org = await make_organisation("Elsewhere Trust")
    outsider = await staff_member(outsider_org)
    for member, organisation in ((partner_worker, partner), (outsider, outsider_org)):
        who = principal(member, organisation)
        with pytest.raises(NotFound):
            await rectification.detail(who, request_id)
        with pytest.raises(NotFound):
            await rectification.correct(who, request_id, {"text": "Hacked"})
        with pytest.raises(NotFound):
            await rectification.decline(who, request_id, "No")
        assert await rectification.queue(who) == []
        async with other_client() as browser:
            await sign_in(browser, member.email)
            assert (await browser.get(f"/corrections/{request_id}")).status_code == 404
            tried = await post_form(
                browser, f"/corrections/{request_id}/correct", {"text": "Hacked"}, "/corrections"
            )
            assert tried.status_code == 404
    entry = await first(ClientEntry.select().where(ClientEntry.id == kerry_entry))
    assert entry["data"] == '{"text":"Kerry\'s housing note"}'
    still = await first(CorrectionRequest.select().where(CorrectionRequest.id == request_id))
    assert still["status"] == "open"
    # a staff member is no client: the portal page is not theirs
    async with other_client() as browser:
        await sign_in(browser, partner_worker.email)
        assert (await browser.get("/portal/corrections")).status_code in {302, 303, 403, 404}


async def test_the_queue_lists_only_clients_the_policy_still_shows():
    """An organisation no longer involved with the client no longer sees their request."""
    from consent.tables import Involvement
    from hub.db import raw

    hub, worker, kerry, _, kerry_entry, _ = await _two_clients()
    kerry_as_client = Principal(kind="client", id=kerry.id, name="Kerry", session_key="t")
    await rectification.ask(
        kerry_as_client, kerry_entry, CorrectionAsk(what_is_wrong="Moved", should_say="Low Road")
    )
    assert len(await rectification.queue(principal(worker, hub))) == 1
    await raw("UPDATE involvement SET ended_at = started_at WHERE client = {}", kerry.id)
    assert await Involvement.exists().where(Involvement.ended_at.is_not_null())
    assert await rectification.queue(principal(worker, hub)) == []

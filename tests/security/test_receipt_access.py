"""Whoever may record a consent's withdrawal may read what they are withdrawing.

The receipt tells the client to "tell any worker at the services above"; a worker there must
be able to open it (their own part of it, as on the withdrawal page), and anyone who may not
withdraw it gets exactly what a made-up id gets.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

from consent.vocabulary import CONTACT, HOUSING, IDENTITY
from tests.consent.factories import consent_to, involve, registered_client, staff_member
from tests.consent.fixtures import client, other_client, pooled
from tests.support import make_organisation, sign_in

__all__ = ["client", "other_client", "pooled"]

UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _main(html: str) -> str:
    return UUIDS.sub("<id>", html.split("<main", 1)[1])


async def _consent_naming_two():
    hub = await make_organisation("Lochee Hub", kind="hub")
    housing = await make_organisation("Housing First")
    clinic = await make_organisation("Hilltown Clinic")
    named_only = await make_organisation("Street Soccer")
    outsider = await make_organisation("Employability")
    hub_worker = await staff_member(hub)
    dana = await registered_client(hub, full_name="Dana Lee", date_of_birth=date(1984, 6, 1))
    await involve(dana.id, housing, "referral:1")
    await involve(dana.id, clinic, "care_team")
    consent_id = await consent_to(
        dana.id, [housing, clinic, named_only], [IDENTITY, HOUSING, CONTACT], obtained_by=hub_worker
    )
    return {
        "hub": hub_worker,
        "housing": await staff_member(housing),
        "named_only": await staff_member(named_only),
        "outsider": await staff_member(outsider),
        "consent_id": str(consent_id),
    }


async def test_a_named_partner_reads_the_receipt_it_may_withdraw(client):
    world = await _consent_naming_two()
    await sign_in(client, world["housing"].email)
    consent = world["consent_id"]

    withdraw = await client.get(f"/consents/{consent}/withdraw")
    receipt = await client.get(f"/consents/{consent}/receipt")
    assert withdraw.status_code == receipt.status_code == 200
    assert "Dana Lee" in receipt.text
    assert "Housing First" in receipt.text
    # Its own part only: the other services the client uses stay private.
    assert "Hilltown Clinic" not in receipt.text
    assert "Street Soccer" not in receipt.text
    assert "Lochee Hub" not in _main(receipt.text)
    assert "shows only the part of the consent that names your organisation" in receipt.text


async def test_receipt_and_withdrawal_answer_alike_for_everyone(client, other_client):
    world = await _consent_naming_two()
    consent, made_up = world["consent_id"], str(uuid.uuid4())
    for who in ("hub", "housing", "named_only", "outsider"):
        async with other_client() as browser:
            await sign_in(browser, world[who].email)
            withdraw = await browser.get(f"/consents/{consent}/withdraw")
            receipt = await browser.get(f"/consents/{consent}/receipt")
            assert withdraw.status_code == receipt.status_code, who
            if receipt.status_code == 404:
                fake = await browser.get(f"/consents/{made_up}/receipt")
                assert _main(receipt.text) == _main(fake.text), who
    # The hub obtained it: every name on it. Not involved at all: nothing.
    async with other_client() as browser:
        await sign_in(browser, world["hub"].email)
        full = await browser.get(f"/consents/{consent}/receipt")
        assert all(name in full.text for name in ("Hilltown Clinic", "Street Soccer"))
    async with other_client() as browser:
        await sign_in(browser, world["outsider"].email)
        assert (await browser.get(f"/consents/{consent}/receipt")).status_code == 404

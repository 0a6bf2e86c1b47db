"""A partner named in a consent ends sharing with itself, never with everyone else.

The withdrawal page shows a named partner only its own part of the consent; recording a
withdrawal there must not stop the client's sharing with services the partner was never
shown. The organisation that recorded the consent ends all of it, and its page says so.
"""

from __future__ import annotations

from datetime import date

from consent.tables import Consent
from consent.vocabulary import CONTACT, HOUSING, IDENTITY
from hub.tables import AuditEvent
from tests.consent.factories import (
    consent_to,
    decided,
    involve,
    principal,
    registered_client,
    staff_member,
)
from tests.consent.fixtures import client, other_client, pooled
from tests.support import make_organisation, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]


async def _world():
    hub = await make_organisation("Lochee Hub", kind="hub")
    housing = await make_organisation("Housing First")
    clinic = await make_organisation("Hilltown Clinic")
    hub_worker = await staff_member(hub)
    housing_worker = await staff_member(housing)
    clinic_worker = await staff_member(clinic)
    dana = await registered_client(hub, full_name="Dana Lee", date_of_birth=date(1984, 6, 1))
    await involve(dana.id, housing, "referral:1")
    await involve(dana.id, clinic, "care_team")
    consent_id = await consent_to(
        dana.id, [housing, clinic], [IDENTITY, HOUSING, CONTACT], obtained_by=hub_worker
    )
    return {
        "hub": (hub_worker, hub),
        "housing": (housing_worker, housing),
        "clinic": (clinic_worker, clinic),
        "dana": dana,
        "consent_id": consent_id,
    }


async def _withdraw(browser, consent_id):
    return await post_form(
        browser, f"/consents/{consent_id}/withdraw", {"how": "in_person", "confirm": "true"}
    )


async def test_a_named_partner_withdraws_its_own_part_only(client):
    world = await _world()
    worker, housing = world["housing"]
    await sign_in(client, worker.email)
    page = await client.get(f"/consents/{world['consent_id']}/withdraw")
    assert "This ends sharing with Housing First only" in page.text
    assert "Hilltown Clinic" not in page.text

    done = await _withdraw(client, world["consent_id"])
    assert done.status_code == 303

    dana = world["dana"].id
    assert not (await decided(principal(worker, housing), dana)).consented
    clinic_worker, clinic = world["clinic"]
    assert (await decided(principal(clinic_worker, clinic), dana)).consented == {
        IDENTITY,
        HOUSING,
        CONTACT,
    }
    rows = (
        await Consent.select(Consent.organisation_names, Consent.withdrawn_reason)
        .order_by(Consent.version)
        .output(load_json=True)
    )
    assert [(r["organisation_names"], r["withdrawn_reason"] or "") for r in rows] == [
        (["Housing First", "Hilltown Clinic"], "replaced"),
        (["Hilltown Clinic"], ""),
    ]
    assert await AuditEvent.exists().where(AuditEvent.action == "consent.withdrawn_part")


async def test_the_recording_organisation_ends_it_for_everyone_and_is_told_so(client):
    world = await _world()
    worker, _ = world["hub"]
    await sign_in(client, worker.email)
    page = await client.get(f"/consents/{world['consent_id']}/withdraw")
    assert "This ends sharing with everyone it names" in page.text
    assert "Housing First" in page.text
    assert "Hilltown Clinic" in page.text
    assert (await _withdraw(client, world["consent_id"])).status_code == 303
    dana = world["dana"].id
    for who in ("housing", "clinic"):
        member, organisation = world[who]
        assert not (await decided(principal(member, organisation), dana)).consented
    assert await Consent.count() == 1

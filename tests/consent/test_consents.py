"""Recording, changing and withdrawing consent; receipts; expiry at read time; finality."""

from __future__ import annotations

from datetime import timedelta

from consent.tables import Consent
from consent.vocabulary import CONTACT, HOUSING, IDENTITY, local_date
from hub import clock
from hub.tables import AuditEvent
from tests.consent.factories import first, involve, registered_client, staff_member
from tests.support import make_organisation, post_form, sign_in


async def _setting(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    worker = await staff_member(hub)
    partner_worker = await staff_member(partner)
    person = await registered_client(hub, full_name="Kerry Smith")
    await involve(person.id, partner, "referral:1")
    await sign_in(client, worker.email)
    return hub, partner, worker, partner_worker, person


def _consent_form(*organisations, **changes):
    form = {
        "organisation_ids": [str(o.id) for o in organisations],
        "categories": [HOUSING, CONTACT],
        "purposes": ["coordination", "contact"],
        "method": "verbal",
        "notice_version": "2026-11",
        "capacity": "has_capacity",
        "given_by": "client",
    }
    return {**form, **changes}


async def test_staff_record_consent_and_get_a_plain_receipt(client):
    hub, partner, worker, _, person = await _setting(client)
    form_page = f"/clients/{person.id}/consents/new"
    blank = await client.get(form_page)
    today = local_date(clock.now())
    assert f'name="valid_from-year" type="text" value="{today.year}"' in blank.text
    assert 'value="2026-11" checked' in blank.text

    saved = await post_form(client, form_page, _consent_form(partner))

    assert saved.status_code == 303
    receipt = await client.get(saved.headers["location"])
    assert receipt.status_code == 200
    text = receipt.text
    assert "You agreed that Housing First may see your contact details and housing." in text
    assert "To refer you and to join up the support you get and to get in touch with you" in text
    assert "You can stop sharing, or share less, at any time" in text
    row = await first(Consent.select().output(load_json=True))
    assert row["organisation_names"] == ["Housing First"]
    assert row["categories"] == [CONTACT, HOUSING]
    assert row["obtained_by_staff"] == worker.id
    assert row["obtained_by_organisation"] == hub.id
    assert row["valid_to"] == row["valid_from"].replace(year=row["valid_from"].year + 1) - (
        timedelta(days=1)
    )
    assert row["version"] == 1
    assert await AuditEvent.exists().where(AuditEvent.action == "consent.given")


async def test_consent_form_mistakes_keep_what_was_ticked_and_save_nothing(client):
    _, partner, _, _, person = await _setting(client)
    form = _consent_form(
        partner,
        categories=[],
        capacity="lacks_capacity",
        given_by="client",
        **{"valid_to-day": "1", "valid_to-month": "1", "valid_to-year": "2020"},
    )

    response = await post_form(client, f"/clients/{person.id}/consents/new", form)

    assert response.status_code == 422
    assert "Choose the information the client agrees to share" in response.text
    assert "cannot give consent themselves" in response.text
    assert "The end date must be on or after the start date" in response.text
    assert f'value="{partner.id}" checked' in response.text
    assert await Consent.count() == 0

    on_behalf = _consent_form(partner, given_by="representative")
    response = await post_form(client, f"/clients/{person.id}/consents/new", on_behalf)
    assert response.status_code == 422
    assert "Enter the name of the person who gave consent" in response.text
    assert "Describe the evidence of their authority" in response.text
    assert await Consent.count() == 0


async def test_changing_a_consent_makes_a_new_version_and_ends_the_old(client, other_client):
    _, partner, _, partner_worker, person = await _setting(client)
    other = await make_organisation("Peer Support")
    saved = await post_form(client, f"/clients/{person.id}/consents/new", _consent_form(partner))
    first = saved.headers["location"].split("/")[2]
    async with other_client() as partner_browser:
        await sign_in(partner_browser, partner_worker.email)
        # Named in it, but the hub obtained it: the partner sees its own part, never changes it.
        assert (await partner_browser.get(f"/consents/{first}/change")).status_code == 404

    page = await client.get(f"/consents/{first}/change")
    assert "This makes version 2" in page.text
    assert f'value="{partner.id}" checked' in page.text
    changed = await post_form(
        client, f"/consents/{first}/change", _consent_form(other, categories=[IDENTITY])
    )
    assert changed.status_code == 303
    second = changed.headers["location"].split("/")[2]

    rows = {str(r["id"]): r for r in await Consent.select().where(Consent.client == person.id)}
    old, new = rows[first], rows[second]
    assert old["withdrawn_reason"] == "replaced"
    assert old["withdrawn_at"] is not None
    assert (new["series"], new["version"], str(new["supersedes"])) == (old["series"], 2, first)
    assert new["withdrawn_at"] is None
    again = await post_form(
        client, f"/consents/{first}/change", _consent_form(partner), form_page="/clients"
    )
    assert again.status_code == 409  # an ended consent is never changed again
    assert await Consent.count() == 2
    old_receipt = await client.get(f"/consents/{first}/receipt")
    assert "when a newer version replaced it" in old_receipt.text
    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action)]
    assert actions.count("consent.replaced") == 1


async def test_staff_record_a_withdrawal_and_it_takes_effect_on_the_next_request(
    client, other_client
):
    _, partner, _, partner_worker, person = await _setting(client)
    saved = await post_form(client, f"/clients/{person.id}/consents/new", _consent_form(partner))
    consent_id = saved.headers["location"].split("/")[2]
    async with other_client() as partner_browser:
        await sign_in(partner_browser, partner_worker.email)
        before = await partner_browser.get(f"/clients/{person.id}")
        assert before.status_code == 200

        unconfirmed = await post_form(client, f"/consents/{consent_id}/withdraw", {"how": "phone"})
        assert unconfirmed.status_code == 422
        assert "Confirm that the client withdrew this consent" in unconfirmed.text
        done = await post_form(
            client, f"/consents/{consent_id}/withdraw", {"how": "phone", "confirm": "true"}
        )
        assert done.status_code == 303

        after = await partner_browser.get(f"/clients/{person.id}")
        assert after.status_code == 404
    row = await first(Consent.select().where(Consent.id == consent_id))
    assert (row["withdrawn_reason"], row["withdrawn_how"]) == ("withdrawn", "phone")
    assert await AuditEvent.exists().where(AuditEvent.action == "consent.withdrawn")

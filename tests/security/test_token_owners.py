"""API tokens do not outlive the admin who answers for them.

A token belongs to its organisation but is answered for by one active admin. Deactivating or
demoting that admin suspends the token at once; another admin takes it over in one click
(audited) and it works again.
"""

from __future__ import annotations

import msgspec

from hub.accounts import api_tokens
from hub.accounts.api_tokens import ApiTokenCreate
from hub.tables import AuditEvent, Staff
from tests.consent.factories import principal, staff_member
from tests.consent.fixtures import client, other_client, pooled
from tests.support import csrf_from, make_organisation, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]

API = "/api/v1/referrals"


async def _token(organisation, admin) -> str:
    asking = msgspec.structs.replace(principal(admin, organisation), is_org_admin=True)
    made = await api_tokens.create_token(asking, ApiTokenCreate(name="Case system", scope="read"))
    return made.token


async def _works(client, token: str) -> bool:
    response = await client.get(API, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


async def test_deactivating_the_admin_suspends_their_token_until_taken_over(client, other_client):
    organisation = await make_organisation("Housing First")
    maker = await staff_member(organisation, is_org_admin=True, name="Mo Maker")
    other = await staff_member(organisation, is_org_admin=True, name="Ola Other")
    token = await _token(organisation, maker)
    assert await _works(client, token)

    async with other_client() as admin:
        await sign_in(admin, other.email)
        done = await post_form(admin, f"/staff/{maker.id}", {"name": maker.name}, form_page="/")
        assert done.status_code == 303  # deactivated through the real page
        assert not await _works(client, token)

        listing = await admin.get("/admin/api-tokens")
        assert "Suspended" in listing.text
        assert "Mo Maker is no longer an active administrator" in listing.text
        token_id = (
            await api_tokens.list_tokens(
                msgspec.structs.replace(principal(other, organisation), is_org_admin=True)
            )
        )[0].id
        taken = await admin.post(
            f"/admin/api-tokens/{token_id}/take-over",
            data={"_csrf_token": csrf_from(listing.text)},
        )
        assert taken.status_code == 303
    assert await _works(client, token)
    event = await AuditEvent.select().where(AuditEvent.action == "api_token.taken_over").first()
    assert event["actor_id"] == str(other.id)
    assert str(maker.id) in event["detail"]


async def test_a_demoted_admins_token_stops(client):
    organisation = await make_organisation("Housing First")
    maker = await staff_member(organisation, is_org_admin=True)
    token = await _token(organisation, maker)
    assert await _works(client, token)
    await Staff.update({Staff.is_org_admin: False}).where(Staff.id == maker.id)
    assert not await _works(client, token)
    await Staff.update({Staff.is_org_admin: True}).where(Staff.id == maker.id)
    assert await _works(client, token)


async def test_an_admin_of_another_organisation_cannot_take_it_over(client):
    organisation = await make_organisation("Housing First")
    elsewhere = await make_organisation("Elsewhere")
    maker = await staff_member(organisation, is_org_admin=True)
    stranger = await staff_member(elsewhere, is_org_admin=True)
    token = await _token(organisation, maker)
    await Staff.update({Staff.active: False}).where(Staff.id == maker.id)
    await sign_in(client, stranger.email)
    token_id = (
        await api_tokens.list_tokens(
            msgspec.structs.replace(principal(maker, organisation), is_org_admin=True)
        )
    )[0].id
    refused = await post_form(
        client, f"/admin/api-tokens/{token_id}/take-over", {}, form_page="/admin/api-tokens"
    )
    assert refused.status_code == 404
    assert not await _works(client, token)

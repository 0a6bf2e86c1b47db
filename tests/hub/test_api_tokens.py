"""API tokens: org admins make (shown once), list and revoke them; only a hash is stored."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import msgspec
import pytest

from hub import clock
from hub.accounts import api_tokens
from hub.accounts.api_tokens import ApiTokenCreate
from hub.accounts.schemas import Principal
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import ApiToken, AuditEvent, Organisation, Staff
from tests.consent.factories import principal, staff_member
from tests.support import make_organisation, post_form, sign_in

TOKEN = re.compile(r"wa_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def admin_of(member: Staff, organisation: Organisation) -> Principal:
    """The staff member as a signed-in organisation admin."""
    return msgspec.structs.replace(principal(member, organisation), is_org_admin=True)


async def _admin(name: str = "Housing First") -> tuple[Organisation, Staff, Principal]:
    organisation = await make_organisation(name)
    member = await staff_member(organisation, is_org_admin=True)
    return organisation, member, admin_of(member, organisation)


async def test_made_token_is_shown_once_and_only_its_hash_is_kept() -> None:
    organisation, member, admin = await _admin()

    made = await api_tokens.create_token(admin, ApiTokenCreate(name=" Case system ", scope="read"))

    assert TOKEN.fullmatch(made.token)
    row = await ApiToken.select().where(ApiToken.id == made.id).first()
    assert row["token_hash"] == hashlib.sha256(made.token.encode()).hexdigest()
    assert row["prefix"] == made.token.split("_")[1]
    assert row["organisation"] == organisation.id
    assert row["created_by"] == member.id
    assert row["name"] == "Case system"
    secret = made.token.split("_", 2)[2]
    assert not any(secret in str(value) for value in row.values())
    event = await AuditEvent.select().where(AuditEvent.action == "api_token.created").first()
    assert event["subject_id"] == str(made.id)
    assert event["actor_id"] == str(member.id)
    assert secret not in event["detail"]


async def test_form_errors_name_each_field() -> None:
    _, _, admin = await _admin()
    with pytest.raises(Invalid) as invalid:
        await api_tokens.create_token(admin, ApiTokenCreate(name="  ", scope="admin"))
    assert set(invalid.value.errors) == {"name", "scope"}
    assert await ApiToken.count() == 0


async def test_only_organisation_admins_manage_tokens() -> None:
    organisation, _, admin = await _admin()
    worker = principal(await staff_member(organisation), organisation)
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read_write"))
    as_token = await api_tokens.authenticate(made.token)
    assert as_token is not None
    # The token acts as its maker, an admin: it still may not make or revoke tokens.
    as_token_admin = msgspec.structs.replace(as_token, is_org_admin=True)
    client = Principal(kind="client", id=organisation.id, name="Jo", session_key="x")

    for refused in (worker, as_token_admin, client):
        with pytest.raises(Forbidden):
            await api_tokens.create_token(refused, ApiTokenCreate(name="X", scope="read"))
        with pytest.raises(Forbidden):
            await api_tokens.list_tokens(refused)
        with pytest.raises(Forbidden):
            await api_tokens.revoke_token(refused, made.id)
    assert await ApiToken.count() == 1
    assert (await ApiToken.select().first())["revoked_at"] is None


async def test_admins_see_and_revoke_only_their_own_organisations_tokens() -> None:
    _, _, admin = await _admin("Housing First")
    _, _, other_admin = await _admin("Elsewhere Trust")
    mine = await api_tokens.create_token(admin, ApiTokenCreate(name="Mine", scope="read"))
    theirs = await api_tokens.create_token(other_admin, ApiTokenCreate(name="Theirs", scope="read"))

    assert [t.name for t in await api_tokens.list_tokens(admin)] == ["Mine"]
    with pytest.raises(NotFound):
        await api_tokens.revoke_token(admin, theirs.id)
    assert await api_tokens.authenticate(theirs.token) is not None

    await api_tokens.revoke_token(admin, mine.id)
    await api_tokens.revoke_token(admin, mine.id)  # twice is harmless

    listed = await api_tokens.list_tokens(admin)
    assert listed[0].revoked_at is not None
    assert await api_tokens.authenticate(mine.token) is None
    revocations = await AuditEvent.count().where(AuditEvent.action == "api_token.revoked")
    assert revocations == 1


async def test_authenticate_gives_the_token_principal() -> None:
    organisation, member, admin = await _admin()
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read_write"))

    caller = await api_tokens.authenticate(made.token)

    assert caller is not None
    assert caller.is_staff
    assert caller.is_api
    assert caller.id == member.id
    assert caller.organisation_id == organisation.id
    assert caller.organisation_name == "Housing First"
    assert caller.name == "API: CMS"
    assert caller.token_id == made.id
    assert caller.token_scope == "read_write"
    assert not caller.is_org_admin
    assert caller.actor.kind == "api"
    assert caller.actor.id == str(made.id)
    assert caller.actor.organisation_id == str(organisation.id)


@pytest.mark.parametrize(
    "presented",
    ["", "wa_", "wa_00000000_" + "A" * 43, "not-a-token", "wa_" + "x" * 300],
)
async def test_unknown_tokens_authenticate_no_one(presented: str) -> None:
    _, _, admin = await _admin()
    await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    assert await api_tokens.authenticate(presented) is None


async def test_last_used_is_written_at_most_once_a_minute() -> None:
    _, _, admin = await _admin()
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    clock.freeze()
    first_use = clock.now()

    await api_tokens.authenticate(made.token)
    clock.advance(timedelta(seconds=30))
    await api_tokens.authenticate(made.token)
    row = await ApiToken.select(ApiToken.last_used_at).first()
    assert row["last_used_at"] == first_use

    clock.advance(timedelta(seconds=31))
    await api_tokens.authenticate(made.token)
    row = await ApiToken.select(ApiToken.last_used_at).first()
    assert row["last_used_at"] == first_use + timedelta(seconds=61)


# Pages


async def test_admin_makes_a_token_on_the_page_and_sees_it_once(client) -> None:
    _, member, _ = await _admin()
    await sign_in(client, member.email)

    home = await client.get("/")
    assert 'href="/admin/api-tokens"' in home.text
    response = await post_form(
        client, "/admin/api-tokens/new", {"name": "Case system", "scope": "read_write"}
    )

    assert response.status_code == 200
    shown = TOKEN.findall(response.text)
    assert len(set(shown)) == 1
    assert "You will not be able to see it again" in response.text
    assert await api_tokens.authenticate(shown[0]) is not None
    listing = await client.get("/admin/api-tokens")
    assert listing.status_code == 200
    assert "Case system" in listing.text
    assert "Read and write" in listing.text
    assert shown[0] not in listing.text
    assert f"wa_{shown[0].split('_')[1]}_" in listing.text


async def test_token_form_errors_re_render(client) -> None:
    _, member, _ = await _admin()
    await sign_in(client, member.email)

    response = await post_form(client, "/admin/api-tokens/new", {"name": "", "scope": ""})

    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'href="#name"' in response.text
    assert 'href="#scope"' in response.text
    assert await ApiToken.count() == 0


async def test_admin_revokes_a_token_on_the_page(client) -> None:
    _, member, admin = await _admin()
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    await sign_in(client, member.email)

    response = await post_form(
        client, f"/admin/api-tokens/{made.id}/revoke", {}, form_page="/admin/api-tokens"
    )

    assert response.status_code == 303
    assert await api_tokens.authenticate(made.token) is None
    assert "Revoked" in (await client.get("/admin/api-tokens")).text


async def test_another_organisations_admin_cannot_revoke_on_the_page(client) -> None:
    _, _, admin = await _admin("Housing First")
    _, other_member, _ = await _admin("Elsewhere Trust")
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    await sign_in(client, other_member.email)

    response = await post_form(
        client, f"/admin/api-tokens/{made.id}/revoke", {}, form_page="/admin/api-tokens"
    )

    assert response.status_code == 404
    assert await api_tokens.authenticate(made.token) is not None
    assert "CMS" not in (await client.get("/admin/api-tokens")).text


async def test_staff_who_are_not_admins_are_refused_the_pages(client) -> None:
    organisation = await make_organisation()
    worker = await staff_member(organisation)
    signed_out = await client.get("/admin/api-tokens")
    assert signed_out.status_code in (302, 303)
    await sign_in(client, worker.email)

    assert (await client.get("/admin/api-tokens")).status_code == 403
    assert (await client.get("/admin/api-tokens/new")).status_code == 403
    assert 'href="/admin/api-tokens"' not in (await client.get("/")).text


async def test_revoke_needs_the_forms_csrf_token(client) -> None:
    _, member, admin = await _admin()
    made = await api_tokens.create_token(admin, ApiTokenCreate(name="CMS", scope="read"))
    await sign_in(client, member.email)

    response = await client.post(f"/admin/api-tokens/{made.id}/revoke")

    assert response.status_code == 403
    assert await api_tokens.authenticate(made.token) is not None

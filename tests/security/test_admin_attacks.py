"""An organisation's admin against the installation's admin, and the last system admin.

Only a system admin changes a system admin, by every path that edits staff (the page, the form
post, and a partner-system token, which counts for nothing outside the JSON API); nobody
deactivates the last active system admin. Each refusal is audited.
"""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from hub.accounts import api_tokens, staff
from hub.accounts.api_tokens import ApiTokenCreate
from hub.accounts.schemas import StaffUpdate
from hub.errors import Forbidden, Invalid
from hub.tables import AuditEvent, Staff
from tests.consent.factories import principal as plain_principal
from tests.support import csrf_from, make_organisation, make_staff, sign_in


async def _installation():
    """The hub organisation: its system admin and its own org admin; a partner's admin."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    root = await make_staff(hub, is_org_admin=True, is_system_admin=True, name="Installation Admin")
    hub_admin = await make_staff(hub, is_org_admin=True, name="Hub Admin")
    return hub, root, hub_admin


def principal(member: Staff, organisation):
    """The staff member as a signed-in principal, with the roles their row gives them."""
    return msgspec.structs.replace(
        plain_principal(member, organisation),
        is_org_admin=member.is_org_admin,
        is_system_admin=member.is_system_admin,
    )


async def _refusals(subject: Staff, reason: str) -> int:
    rows = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.action == "staff.refused") & (AuditEvent.subject_id == str(subject.id))
    )
    return sum(f'"reason":"{reason}"' in row["detail"] for row in rows)


async def _unchanged(member: Staff) -> None:
    row = await Staff.select().where(Staff.id == member.id).first()
    assert (row["name"], row["active"], row["is_org_admin"], row["is_system_admin"]) == (
        member.name,
        True,
        member.is_org_admin,
        member.is_system_admin,
    )


async def test_hub_org_admin_cannot_change_the_system_admin_by_page_or_form(client):
    hub, root, hub_admin = await _installation()
    await sign_in(client, hub_admin.email)

    listing = await client.get(f"/organisations/{hub.id}/staff")
    assert listing.status_code == 200
    assert root.name in listing.text  # they may see who runs the installation ...
    assert f'href="/staff/{root.id}"' not in listing.text  # ... but get no way to change them
    assert f'href="/staff/{hub_admin.id}"' in listing.text

    page = await client.get(f"/staff/{root.id}")
    assert page.status_code == 403
    assert "Only a system administrator" in page.text

    token = csrf_from((await client.get("/")).text)
    for form in (
        {"name": "Locked Out"},  # no `active`: deactivation
        {"name": root.name, "active": "true"},  # removing the org-admin role
        {"name": "Renamed", "is_org_admin": "true", "active": "true"},
    ):
        response = await client.post(f"/staff/{root.id}", data={**form, "_csrf_token": token})
        assert response.status_code == 403
        assert "Only a system administrator" in response.text
    await _unchanged(root)
    assert await _refusals(root, "system_admin") == 3
    # The root's sessions were not ended either.
    async with _signed_in_as(root) as root_browser:
        assert (await root_browser.get(f"/organisations/{hub.id}/staff")).status_code == 200


async def test_a_token_of_an_org_admin_counts_for_nothing_on_staff_pages(client):
    hub, root, hub_admin = await _installation()
    made = await api_tokens.create_token(
        principal(hub_admin, hub), ApiTokenCreate(name="CMS", scope="read_write")
    )
    headers = {"Authorization": f"Bearer {made.token}"}
    for path in (f"/staff/{root.id}", f"/api/v1/staff/{root.id}"):
        response = await client.post(path, data={"name": "Locked Out"}, headers=headers)
        assert response.status_code in (401, 403, 404, 405), path
    await _unchanged(root)


async def test_the_service_refuses_whoever_calls_it():
    hub, root, hub_admin = await _installation()
    asking = principal(hub_admin, hub)
    with pytest.raises(Forbidden):
        await staff.update_staff(asking, root.id, StaffUpdate(name="X", active=False))
    await _unchanged(root)


async def test_nobody_deactivates_the_last_active_system_admin():
    hub, root, _ = await _installation()
    second = await make_staff(hub, is_org_admin=True, is_system_admin=True, name="Second Root")
    # `second` was deactivated a moment ago, by a request that passed its session check first:
    # acting now, it would leave the installation with no active system admin.
    await Staff.update({Staff.active: False}).where(Staff.id == second.id)
    stale = principal(second, hub)
    deactivate = StaffUpdate(name=root.name, is_org_admin=True, active=False)
    with pytest.raises(Invalid, match="last active system administrator") as refused:
        await staff.update_staff(stale, root.id, deactivate)
    assert "active" in refused.value.errors
    await _unchanged(root)
    assert await _refusals(root, "last_system_admin") == 1


async def test_two_system_admins_deactivating_each_other_at_once_leave_one(client):
    hub, root, _ = await _installation()
    second = await make_staff(hub, is_org_admin=True, is_system_admin=True, name="Second Root")
    await sign_in(client, root.email)
    async with _signed_in_as(second) as browser:
        token_root = csrf_from((await client.get("/")).text)
        token_second = csrf_from((await browser.get("/")).text)
        answers = await asyncio.gather(
            client.post(
                f"/staff/{second.id}",
                data={"name": second.name, "is_org_admin": "true", "_csrf_token": token_root},
            ),
            browser.post(
                f"/staff/{root.id}",
                data={"name": root.name, "is_org_admin": "true", "_csrf_token": token_second},
            ),
        )
    seen = [(answer.status_code, answer.headers.get("location", "")) for answer in answers]
    # One wins: its save goes back to the organisation's staff list. The other is refused
    # (422, with the reason) or, its own session ended by the winner, is sent to sign in.
    won = [
        code == 303 and where.endswith("/staff") and "sign-in" not in where for code, where in seen
    ]
    assert won.count(True) == 1, seen
    ((loser, _),) = [answer for answer, winner in zip(seen, won, strict=True) if not winner]
    assert loser in (302, 303, 401, 422), seen
    active = await Staff.count().where(Staff.is_system_admin.eq(True) & Staff.active.eq(True))
    assert active == 1


class _signed_in_as:
    """A fresh browser signed in as `member` (async context manager)."""

    def __init__(self, member: Staff) -> None:
        from tests.conftest import make_client

        self._member = member
        self._browser = make_client()

    async def __aenter__(self):
        await self._browser.__aenter__()
        await sign_in(self._browser, self._member.email)
        return self._browser

    async def __aexit__(self, *exc_info):
        await self._browser.__aexit__(*exc_info)

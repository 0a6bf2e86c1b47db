"""Break-glass reviews never reach nobody: a deactivated data-protection lead is stood in for
by the organisation's active admins, and the system admin's page shows the gap."""

from __future__ import annotations

from consent.breakglass import open_break_glass, review_queue
from consent.schemas import BreakGlassRequest
from hub.tables import Organisation, OutboxJob, Staff
from tests.consent.factories import involve, principal, registered_client, staff_member
from tests.consent.fixtures import client, pooled
from tests.support import make_organisation, sign_in

__all__ = ["client", "pooled"]


async def test_an_inactive_lead_hands_reviews_to_the_admins(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    housing = await make_organisation("Housing First")
    lead = await staff_member(housing, email="lead@housing.example")
    admin = await staff_member(housing, is_org_admin=True, email="admin@housing.example")
    worker = await staff_member(housing)
    await Organisation.update({Organisation.data_protection_lead_id: lead.id}).where(
        Organisation.id == housing.id
    )
    await Staff.update({Staff.active: False}).where(Staff.id == lead.id)
    dana = await registered_client(hub, full_name="Dana Lee")
    await involve(dana.id, housing, "referral:1")

    await open_break_glass(
        principal(worker, housing), dana.id, BreakGlassRequest(reason="Police say she is missing")
    )

    mails = [str(row["payload"]) for row in await OutboxJob.select(OutboxJob.payload)]
    assert any("admin@housing.example" in mail for mail in mails)
    assert not any("lead@housing.example" in mail for mail in mails)
    pending, _ = await review_queue(principal(admin, housing))
    assert len(pending) == 1

    root = await staff_member(hub, is_system_admin=True, is_org_admin=True)
    await sign_in(client, root.email)
    page = await client.get("/admin/organisations")
    assert "Its data-protection lead is deactivated: its admins review instead" in page.text
    await Staff.update({Staff.active: False}).where(Staff.id == admin.id)
    page = await client.get("/admin/organisations")
    assert "Nobody can review its emergency access" in page.text

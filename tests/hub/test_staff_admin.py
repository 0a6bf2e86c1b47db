"""Org admins manage their own staff; system admins manage organisations."""

from __future__ import annotations

from hub.tables import AuditEvent, Organisation, Staff
from tests.support import PASSWORD, make_organisation, make_staff, post_form, sign_in

NEW_PASSWORD = "another long passphrase"


async def test_org_admin_adds_a_member_of_staff_who_can_sign_in(client, other_client):
    org = await make_organisation()
    admin = await make_staff(org, is_org_admin=True)
    await sign_in(client, admin.email)

    listing = await client.get("/staff", follow_redirects=True)
    assert listing.status_code == 200
    assert admin.email in listing.text

    response = await post_form(
        client,
        f"/organisations/{org.id}/staff/new",
        {
            "name": "Morag Key",
            "email": "Morag.Key@Example.org",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "is_org_admin": "true",
        },
    )
    assert response.status_code == 303
    row = await Staff.select().where(Staff.email == "morag.key@example.org").first()
    assert row["organisation"] == org.id
    assert row["is_org_admin"] is True
    assert row["is_system_admin"] is False
    assert row["password_hash"].startswith("$argon2id$")
    async with other_client() as browser:
        assert (await sign_in(browser, "morag.key@example.org", NEW_PASSWORD)).status_code == 303
    event = await AuditEvent.select().where(AuditEvent.action == "staff.created").first()
    assert event["actor_id"] == str(admin.id)
    assert event["subject_id"] == str(row["id"])


async def test_add_staff_form_errors_re_render_and_create_nothing(client):
    org = await make_organisation()
    admin = await make_staff(org, is_org_admin=True)
    await sign_in(client, admin.email)
    before = await Staff.count()

    response = await post_form(
        client,
        f"/organisations/{org.id}/staff/new",
        {"name": "", "email": admin.email, "password": "short", "password_confirm": "short"},
    )

    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Enter the person" in response.text
    assert "Someone already has an account with that e-mail address" in response.text
    assert "at least 12 characters" in response.text
    assert 'href="#email"' in response.text
    assert await Staff.count() == before


async def test_role_change_and_deactivation_are_audited(client):
    org = await make_organisation()
    admin = await make_staff(org, is_org_admin=True)
    worker = await make_staff(org)
    await sign_in(client, admin.email)

    await post_form(
        client,
        f"/staff/{worker.id}",
        {"name": worker.name, "is_org_admin": "true", "active": "true"},
    )
    await post_form(client, f"/staff/{worker.id}", {"name": worker.name, "active": ""})

    actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.subject_id == str(worker.id))
        .order_by(AuditEvent.seq)
    ]
    assert actions == ["staff.role_changed", "staff.role_changed", "staff.deactivated"]
    row = await Staff.select().where(Staff.id == worker.id).first()
    assert row["active"] is False
    assert row["is_org_admin"] is False


async def test_admin_cannot_lock_themselves_out(client):
    org = await make_organisation()
    admin = await make_staff(org, is_org_admin=True)
    await sign_in(client, admin.email)
    response = await post_form(client, f"/staff/{admin.id}", {"name": admin.name, "active": ""})
    assert response.status_code == 422
    assert "You cannot deactivate your own account" in response.text
    assert "You cannot remove your own administrator role" in response.text
    row = await Staff.select().where(Staff.id == admin.id).first()
    assert row["active"] is True
    assert row["is_org_admin"] is True


async def test_plain_staff_cannot_reach_staff_management(client):
    org = await make_organisation()
    worker = await make_staff(org)
    await sign_in(client, worker.email)
    for path in ("/staff", f"/organisations/{org.id}/staff", f"/staff/{worker.id}"):
        response = await client.get(path)
        assert response.status_code == 403, path


async def test_system_admin_creates_and_edits_an_organisation(client):
    home = await make_organisation(kind="hub")
    sysadmin = await make_staff(home, is_system_admin=True, is_org_admin=True)
    await sign_in(client, sysadmin.email)

    created = await post_form(
        client, "/admin/organisations/new", {"name": "Tayside Advocacy", "kind": "partner"}
    )
    assert created.status_code == 303
    org = await Organisation.objects().where(Organisation.name == "Tayside Advocacy").first()
    assert org is not None
    assert org.kind == "partner"
    lead = await make_staff(org)

    edited = await post_form(
        client,
        f"/admin/organisations/{org.id}",
        {
            "name": "Tayside Advocacy Service",
            "kind": "partner",
            "data_protection_lead_id": str(lead.id),
        },
    )
    assert edited.status_code == 303
    row = await Organisation.select().where(Organisation.id == org.id).first()
    assert row["name"] == "Tayside Advocacy Service"
    assert row["data_protection_lead_id"] == lead.id
    listing = await client.get("/admin/organisations")
    assert "Tayside Advocacy Service" in listing.text
    assert await AuditEvent.count().where(AuditEvent.subject_id == str(org.id)) == 2


async def test_organisation_form_validation(client):
    home = await make_organisation(name="Lochee Hub", kind="hub")
    other = await make_organisation(name="Pharmacy")
    outsider = await make_staff(other)
    sysadmin = await make_staff(home, is_system_admin=True)
    await sign_in(client, sysadmin.email)

    duplicate = await post_form(
        client, "/admin/organisations/new", {"name": "Pharmacy", "kind": "x"}
    )
    assert duplicate.status_code == 422
    assert "An organisation with that name already exists" in duplicate.text
    assert "Choose hub or partner" in duplicate.text

    wrong_lead = await post_form(
        client,
        f"/admin/organisations/{home.id}",
        {"name": "Lochee Hub", "kind": "hub", "data_protection_lead_id": str(outsider.id)},
    )
    assert wrong_lead.status_code == 422
    assert "Choose a member of this organisation" in wrong_lead.text
    row = await Organisation.select().where(Organisation.id == home.id).first()
    assert row["data_protection_lead_id"] is None


async def test_org_admin_cannot_manage_organisations(client):
    org = await make_organisation()
    admin = await make_staff(org, is_org_admin=True)
    await sign_in(client, admin.email)
    assert (await client.get("/admin/organisations")).status_code == 403
    response = await post_form(
        client, "/admin/organisations/new", {"name": "Sneaky", "kind": "hub"}, form_page="/"
    )
    assert response.status_code == 403
    assert not await Organisation.exists().where(Organisation.name == "Sneaky")


async def test_system_admin_manages_any_organisations_staff(client):
    home = await make_organisation(kind="hub")
    other = await make_organisation()
    sysadmin = await make_staff(home, is_system_admin=True)
    worker = await make_staff(other)
    await sign_in(client, sysadmin.email)
    listing = await client.get(f"/organisations/{other.id}/staff")
    assert listing.status_code == 200
    assert worker.email in listing.text
    response = await post_form(
        client, f"/staff/{worker.id}", {"name": "Renamed", "is_org_admin": "true", "active": "true"}
    )
    assert response.status_code == 303
    assert PASSWORD  # the worker's password is untouched by an edit
    row = await Staff.select().where(Staff.id == worker.id).first()
    assert row["name"] == "Renamed"
    assert row["is_org_admin"] is True

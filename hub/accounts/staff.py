"""Organisations and their staff: who may manage whom."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec

from hub import audit, clock
from hub.accounts import roles, sessions
from hub.accounts.passwords import check_new_password, hash_password
from hub.accounts.schemas import (
    Organisation,
    OrganisationCreate,
    OrganisationUpdate,
    Principal,
    StaffCreate,
    StaffMember,
    StaffUpdate,
)
from hub.audit import Actor
from hub.db import lock, named_lock, transaction
from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import Organisation as OrganisationTable
from hub.tables import Staff

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ORGANISATION_KINDS = ("hub", "partner")
_STAFF_COLUMNS = (
    Staff.id,
    Staff.organisation.as_alias("organisation_id"),
    Staff.name,
    Staff.email,
    Staff.is_org_admin,
    Staff.is_system_admin,
    Staff.active,
)
_SYSTEM_ADMINS_LOCK = named_lock("hub.staff.system_admins")
NOT_YOURS = "Only a system administrator can change a system administrator's account"
LAST_SYSTEM_ADMIN = (
    "This is the last active system administrator: make someone else a system administrator "
    "before deactivating this account"
)


def may_manage_staff_of(principal: Principal, organisation_id: UUID) -> bool:
    """System admins manage anyone's staff; org admins only their own organisation's."""
    return roles.administers(principal, organisation_id)


def _member(principal: Principal, row: dict[str, Any]) -> StaffMember:
    may_change = roles.may_change_staff(
        principal, row["organisation_id"], target_is_system_admin=row["is_system_admin"]
    )
    return msgspec.convert({**row, "may_change": may_change}, StaffMember)


def _require_system_admin(principal: Principal) -> None:
    if not roles.is_system_admin(principal):
        msg = "Only system administrators manage organisations"
        raise Forbidden(msg)


async def list_organisations() -> list[Organisation]:
    """Every organisation, by name."""
    rows = await OrganisationTable.select(
        OrganisationTable.id,
        OrganisationTable.name,
        OrganisationTable.kind,
        OrganisationTable.data_protection_lead_id,
    ).order_by(OrganisationTable.name)
    active = await Staff.select(Staff.id, Staff.organisation, Staff.is_org_admin).where(
        Staff.active.eq(True)
    )
    active_ids = {row["id"] for row in active}
    with_admins = {row["organisation"] for row in active if row["is_org_admin"]}
    return [
        msgspec.convert({**row, "oversight_gap": _gap(row, active_ids, with_admins)}, Organisation)
        for row in rows
    ]


def _gap(row: dict[str, Any], active_ids: set[UUID], with_admins: set[UUID]) -> str:
    """What the system admin should know about who reviews this organisation's break-glass."""
    lead = row["data_protection_lead_id"]
    if row["id"] not in with_admins and (lead is None or lead not in active_ids):
        return "Nobody can review its emergency access: name an active lead or admin"
    if lead is not None and lead not in active_ids:
        return "Its data-protection lead is deactivated: its admins review instead"
    return ""


async def get_organisation(organisation_id: UUID) -> Organisation:
    """One organisation, or NotFound."""
    row = (
        await OrganisationTable.select(
            OrganisationTable.id,
            OrganisationTable.name,
            OrganisationTable.kind,
            OrganisationTable.data_protection_lead_id,
        )
        .where(OrganisationTable.id == organisation_id)
        .first()
    )
    if row is None:
        msg = "No such organisation"
        raise NotFound(msg)
    return msgspec.convert(row, Organisation)


def _check_organisation_fields(name: str, kind: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the organisation's name"
    elif len(name) > 200:
        errors["name"] = "Name must be 200 characters or fewer"
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = "Choose hub or partner"
    return errors


async def _name_taken(name: str, except_id: UUID | None = None) -> bool:
    query = OrganisationTable.exists().where(OrganisationTable.name == name.strip())
    if except_id is not None:
        query = query.where(OrganisationTable.id != except_id)
    return bool(await query)


async def create_organisation(principal: Principal, form: OrganisationCreate) -> Organisation:
    """A system admin adds an organisation."""
    _require_system_admin(principal)
    errors = _check_organisation_fields(form.name, form.kind)
    if "name" not in errors and await _name_taken(form.name):
        errors["name"] = "An organisation with that name already exists"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    organisation = OrganisationTable(name=form.name.strip(), kind=form.kind, created_at=clock.now())
    async with transaction():
        await OrganisationTable.insert(organisation)
        await audit.record(
            "organisation.created",
            principal.actor,
            subject_type="organisation",
            subject_id=str(organisation.id),
            detail={"name": organisation.name, "kind": organisation.kind},
        )
    return await get_organisation(organisation.id)


async def update_organisation(
    principal: Principal, organisation_id: UUID, form: OrganisationUpdate
) -> Organisation:
    """A system admin renames an organisation, changes its kind or names its DP lead."""
    _require_system_admin(principal)
    before = await get_organisation(organisation_id)
    errors = _check_organisation_fields(form.name, form.kind)
    if "name" not in errors and await _name_taken(form.name, except_id=organisation_id):
        errors["name"] = "An organisation with that name already exists"
    lead_id: UUID | None = None
    if form.data_protection_lead_id:
        try:
            lead_id = UUID(form.data_protection_lead_id)
        except ValueError:
            lead_id = None
        member = lead_id and await Staff.exists().where(
            (Staff.id == lead_id) & (Staff.organisation == organisation_id)
        )
        if not member:
            errors["data_protection_lead_id"] = "Choose a member of this organisation's staff"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    async with transaction():
        await OrganisationTable.update(
            {
                OrganisationTable.name: form.name.strip(),
                OrganisationTable.kind: form.kind,
                OrganisationTable.data_protection_lead_id: lead_id,
            }
        ).where(OrganisationTable.id == organisation_id)
        await audit.record(
            "organisation.updated",
            principal.actor,
            subject_type="organisation",
            subject_id=str(organisation_id),
            detail={
                "name": [before.name, form.name.strip()],
                "kind": [before.kind, form.kind],
                "data_protection_lead_id": [
                    str(before.data_protection_lead_id or ""),
                    str(lead_id or ""),
                ],
            },
        )
    return await get_organisation(organisation_id)


async def list_staff(principal: Principal, organisation_id: UUID) -> list[StaffMember]:
    """An organisation's staff, for someone who may manage them (else NotFound)."""
    if not may_manage_staff_of(principal, organisation_id):
        msg = "No such organisation"
        raise NotFound(msg)
    rows = (
        await Staff.select(*_STAFF_COLUMNS)
        .where(Staff.organisation == organisation_id)
        .order_by(Staff.name)
    )
    return [_member(principal, row) for row in rows]


async def get_staff(principal: Principal, staff_id: UUID) -> StaffMember:
    """One staff member, for someone who may manage them; anyone else gets NotFound."""
    row = await Staff.select(*_STAFF_COLUMNS).where(Staff.id == staff_id).first()
    if row is None or not may_manage_staff_of(principal, row["organisation_id"]):
        msg = "No such staff member"
        raise NotFound(msg)
    return _member(principal, row)


async def get_changeable_staff(principal: Principal, staff_id: UUID) -> StaffMember:
    """One staff member whose account this person may change.

    Raises:
        NotFound: not someone this person manages at all.
        Forbidden: a system admin, and this person is not one.
    """
    member = await get_staff(principal, staff_id)
    if not member.may_change:
        raise Forbidden(NOT_YOURS)
    return member


async def _refuse(principal: Principal, staff_id: UUID, reason: str, address: str) -> None:
    await audit.record(
        "staff.refused",
        principal.actor,
        subject_type="staff",
        subject_id=str(staff_id),
        detail={"reason": reason},
        address=address,
    )


async def _is_last_active_system_admin(staff_id: UUID) -> bool:
    others = await Staff.count().where(
        Staff.is_system_admin.eq(True) & Staff.active.eq(True) & (Staff.id != staff_id)
    )
    return others == 0


async def create_staff(
    principal: Principal, organisation_id: UUID, form: StaffCreate, address: str = ""
) -> StaffMember:
    """Add a staff member to an organisation the principal may manage."""
    if not may_manage_staff_of(principal, organisation_id):
        msg = "No such organisation"
        raise NotFound(msg)
    email = form.email.strip().lower()
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = "Enter the person's name"
    if not EMAIL.match(email):
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.org"
    elif await Staff.exists().where(Staff.email == email):
        errors["email"] = "Someone already has an account with that e-mail address"
    try:
        check_new_password(form.password, form.password_confirm)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    now = clock.now()
    member = Staff(
        organisation=organisation_id,
        name=form.name.strip(),
        email=email,
        password_hash=await hash_password(form.password),  # before the write lock is taken
        is_org_admin=form.is_org_admin,
        is_system_admin=False,
        active=True,
        created_at=now,
        password_changed_at=now,
    )
    async with transaction():
        await Staff.insert(member)
        await audit.record(
            "staff.created",
            principal.actor,
            subject_type="staff",
            subject_id=str(member.id),
            detail={"organisation_id": str(organisation_id), "is_org_admin": form.is_org_admin},
            address=address,
        )
    return await get_staff(principal, member.id)


async def update_staff(
    principal: Principal, staff_id: UUID, form: StaffUpdate, address: str = ""
) -> StaffMember:
    """Change a staff member's name, org-admin role or active flag; deactivation ends sessions.

    Raises:
        NotFound: not someone this person manages.
        Forbidden: a system admin changed by someone who is not one (audited).
        Invalid: a bad field, or deactivating the last active system admin (audited).
    """
    before = await get_staff(principal, staff_id)
    if not before.may_change:
        await _refuse(principal, staff_id, "system_admin", address)
        raise Forbidden(NOT_YOURS)
    errors: dict[str, str] = {}
    if not form.name.strip():
        errors["name"] = "Enter the person's name"
    if staff_id == principal.id and not form.active:
        errors["active"] = "You cannot deactivate your own account"
    if staff_id == principal.id and before.is_org_admin and not form.is_org_admin:
        errors["is_org_admin"] = "You cannot remove your own administrator role"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    changes: dict[str, Any] = {}
    if before.name != form.name.strip():
        changes["name"] = [before.name, form.name.strip()]
    if before.is_org_admin != form.is_org_admin:
        changes["is_org_admin"] = [before.is_org_admin, form.is_org_admin]
    if before.active != form.active:
        changes["active"] = [before.active, form.active]
    if not changes:
        return before
    refused = False
    async with transaction():
        await lock(_SYSTEM_ADMINS_LOCK)
        if (
            before.is_system_admin
            and not form.active
            and await _is_last_active_system_admin(staff_id)
        ):
            refused = True
        else:
            await _save_staff_changes(principal, staff_id, form, changes, address)
    if refused:
        await _refuse(principal, staff_id, "last_system_admin", address)
        raise Invalid(LAST_SYSTEM_ADMIN, {"active": LAST_SYSTEM_ADMIN})
    return await get_staff(principal, staff_id)


async def _save_staff_changes(
    principal: Principal, staff_id: UUID, form: StaffUpdate, changes: dict[str, Any], address: str
) -> None:
    await Staff.update(
        {
            Staff.name: form.name.strip(),
            Staff.is_org_admin: form.is_org_admin,
            Staff.active: form.active,
        }
    ).where(Staff.id == staff_id)
    if "is_org_admin" in changes:
        await audit.record(
            "staff.role_changed",
            principal.actor,
            subject_type="staff",
            subject_id=str(staff_id),
            detail={"is_org_admin": changes["is_org_admin"]},
            address=address,
        )
    if "active" in changes:
        if not form.active:
            await sessions.end_all_sessions("staff", staff_id)
        action = "staff.reactivated" if form.active else "staff.deactivated"
        await audit.record(
            action, principal.actor, subject_type="staff", subject_id=str(staff_id), address=address
        )
    if "name" in changes:
        await audit.record(
            "staff.updated",
            principal.actor,
            subject_type="staff",
            subject_id=str(staff_id),
            detail={"name": changes["name"]},
            address=address,
        )


async def create_system_admin(organisation_name: str, name: str, email: str, password: str) -> UUID:
    """Make (or promote) a system administrator from the command line."""
    check_new_password(password, password)
    email = email.strip().lower()
    if not EMAIL.match(email):
        msg = "Enter an e-mail address in the correct format"
        raise Invalid(msg, {"email": msg})
    now = clock.now()
    new_hash = await hash_password(password)
    async with transaction():
        org = (
            await OrganisationTable.select(OrganisationTable.id)
            .where(OrganisationTable.name == organisation_name)
            .first()
        )
        if org is None:
            new_org = OrganisationTable(name=organisation_name, kind="hub", created_at=now)
            await OrganisationTable.insert(new_org)
            organisation_id = new_org.id
        else:
            organisation_id = org["id"]
        existing = await Staff.select(Staff.id).where(Staff.email == email).first()
        if existing:
            staff_id = existing["id"]
            await Staff.update({Staff.is_system_admin: True, Staff.password_hash: new_hash}).where(
                Staff.id == staff_id
            )
        else:
            member = Staff(
                organisation=organisation_id,
                name=name,
                email=email,
                password_hash=new_hash,
                is_org_admin=True,
                is_system_admin=True,
                active=True,
                created_at=now,
                password_changed_at=now,
            )
            await Staff.insert(member)
            staff_id = member.id
        await audit.record(
            "staff.system_admin_created",
            Actor.system(),
            subject_type="staff",
            subject_id=str(staff_id),
        )
    return staff_id

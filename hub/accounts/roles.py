"""Who holds which role: the one place role tests are written.

Guards, services and the sharing policy in consent/ ask these; nothing else compares
`is_org_admin` or `is_system_admin` itself, so a role rule changes here once.
"""

from __future__ import annotations

from uuid import UUID

from hub.accounts.schemas import Principal


def is_staff(principal: Principal | None) -> bool:
    """Staff of any organisation (a partner system's token included)."""
    return principal is not None and principal.is_staff


def staff_organisation(principal: Principal | None) -> UUID | None:
    """The organisation a staff member (or partner system) acts for; None for anyone else."""
    if not is_staff(principal) or principal is None:
        return None
    return principal.organisation_id


def acts_for(principal: Principal | None, organisation_id: UUID | None) -> bool:
    """Is this person staff of (or a partner system acting for) `organisation_id`?"""
    own = staff_organisation(principal)
    return own is not None and own == organisation_id


def is_client(principal: Principal | None) -> bool:
    """A client signed in to their portal."""
    return principal is not None and principal.is_client


def is_system_admin(principal: Principal | None) -> bool:
    """A system administrator signed in as themselves."""
    return is_staff(principal) and principal is not None and principal.is_system_admin


def is_admin(principal: Principal | None) -> bool:
    """An organisation's admin, or a system admin (who administers every organisation)."""
    return (
        is_staff(principal)
        and principal is not None
        and (principal.is_org_admin or principal.is_system_admin)
    )


def is_hub_worker(principal: Principal | None) -> bool:
    """Staff of a hub organisation."""
    return is_staff(principal) and principal is not None and principal.organisation_kind == "hub"


def is_hub_manager(principal: Principal | None) -> bool:
    """The hub's managers: an admin of a hub organisation, or a system admin.

    They see the whole hub's monitoring; a partner's admins see only their own organisation's.
    """
    return is_system_admin(principal) or (is_admin(principal) and is_hub_worker(principal))


def administers(principal: Principal | None, organisation_id: UUID | None) -> bool:
    """Does this person administer `organisation_id`: its own admin, or any system admin?"""
    if is_system_admin(principal):
        return True
    return (
        is_admin(principal)
        and principal is not None
        and organisation_id is not None
        and principal.organisation_id == organisation_id
    )


def answers_for(
    *, active: bool, is_org_admin: bool, is_system_admin: bool, member_of: UUID, organisation: UUID
) -> bool:
    """Can a staff member (by their row) answer for their organisation's API tokens?

    Only while they are an active administrator of that organisation: a deactivated or
    demoted admin's tokens stop until another admin takes them over.
    """
    return active and (is_system_admin or (is_org_admin and member_of == organisation))


def may_change_staff(
    principal: Principal | None, organisation_id: UUID, *, target_is_system_admin: bool
) -> bool:
    """May this person change a staff member's account (name, role, active)?

    Only a system admin changes a system admin: an organisation's admin, even the hub's,
    must never be able to lock the installation's administrator out.
    """
    if target_is_system_admin:
        return is_system_admin(principal)
    return administers(principal, organisation_id)

"""Who oversees an organisation's use of client data: its data-protection lead.

When an organisation has not named one, its administrators stand in, so that nothing that
needs review goes unseen. Nobody oversees their own actions (see consent.breakglass).
"""

from __future__ import annotations

from uuid import UUID

from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.tables import Organisation, Staff


async def data_protection_lead(organisation_id: UUID) -> UUID | None:
    """The organisation's named data-protection lead, if any."""
    leads = (
        await Organisation.select(Organisation.data_protection_lead_id)
        .where(Organisation.id == organisation_id)
        .output(as_list=True)
    )
    return leads[0] if leads else None


async def active_admins(organisation_id: UUID) -> list[UUID]:
    """The organisation's administrators who can still sign in."""
    admins = Staff.select(Staff.id).where(
        (Staff.organisation == organisation_id)
        & Staff.is_org_admin.eq(True)
        & Staff.active.eq(True)
    )
    return list(await admins.output(as_list=True))


async def overseers(organisation_id: UUID) -> list[UUID]:
    """The staff who oversee the organisation: its DP lead while they can sign in, or else its
    active admins (a deactivated lead must not leave break-glass reviews reaching nobody)."""
    lead = await data_protection_lead(organisation_id)
    if lead is not None and await Staff.exists().where((Staff.id == lead) & Staff.active.eq(True)):
        return [lead]
    return await active_admins(organisation_id)


async def oversees_own_organisation(principal: Principal) -> bool:
    """True for the DP lead of the principal's organisation (or an admin standing in)."""
    organisation = roles.staff_organisation(principal)
    if organisation is None:
        return False
    return principal.id in await overseers(organisation)


async def oversight_panel(principal: Principal) -> dict[str, bool]:
    """What the home page may offer this person: the access log only to whoever oversees."""
    return {"oversees": await oversees_own_organisation(principal)}

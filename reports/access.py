"""Who sees which report: the hub's managers the whole hub, a partner's admins their own.

Anyone else is refused, and the refusal is audited.
"""

from __future__ import annotations

from uuid import UUID

from hub import audit
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.errors import Forbidden
from hub.tables import Organisation
from reports.schemas import Scope

HUB_WIDE = "hub"


async def refuse(principal: Principal, asked: str) -> Forbidden:
    """Audit a refused report and give the error to raise."""
    await audit.record("report.refused", principal.actor, subject_type="report", subject_id=asked)
    return Forbidden("Reports are for the hub's managers and partner organisations' admins")


async def scope_for(principal: Principal, asked: str = "") -> Scope:
    """The scope asked for ("" for the person's own), if they may see it.

    A hub manager may ask for the whole hub ("hub", their default) or any one organisation;
    a partner's admin only for their own organisation.

    Raises:
        Forbidden: anyone else, or a partner asking for the hub or another organisation (audited).
    """
    if roles.is_hub_manager(principal):
        if asked in ("", HUB_WIDE):
            return Scope(organisation_id=None, name="The whole hub")
        return await _organisation_scope(principal, asked)
    own = principal.organisation_id
    partner_admin = roles.is_admin(principal) and own is not None and not principal.is_api
    if partner_admin and asked in ("", str(own)):
        return Scope(organisation_id=own, name=principal.organisation_name)
    raise await refuse(principal, asked or "own")


async def _organisation_scope(principal: Principal, asked: str) -> Scope:
    try:
        organisation_id = UUID(asked)
    except ValueError:
        raise await refuse(principal, asked[:64]) from None
    row = (
        await Organisation.select(Organisation.name)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if row is None:
        raise await refuse(principal, asked)
    return Scope(organisation_id=organisation_id, name=row["name"])


async def choices_for(principal: Principal) -> list[tuple[str, str]]:
    """The scopes a hub manager may pick ("hub", then each organisation); none for others."""
    if not roles.is_hub_manager(principal):
        return []
    rows = await Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    return [(HUB_WIDE, "The whole hub"), *((str(row["id"]), row["name"]) for row in rows)]

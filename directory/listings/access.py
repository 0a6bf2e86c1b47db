"""Who may change which listing: one place, used by every listing page and service."""

from __future__ import annotations

from uuid import UUID

from directory import schemas
from directory.read import load_service
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.errors import NotFound


def may_edit(principal: Principal | None, organisation_id: UUID) -> bool:
    """System admins edit any listing; organisation admins only their own organisation's."""
    return roles.administers(principal, organisation_id)


def may_see_history(principal: Principal | None, organisation_id: UUID) -> bool:
    """The change history is for those who keep the listing true: the same people who edit it.

    It names the staff who made each change and when they worked on it; other organisations'
    staff need none of that to signpost (the detail page shows who last checked it).
    """
    return may_edit(principal, organisation_id)


def not_found() -> NotFound:
    """What a made-up id and another organisation's id both get."""
    return NotFound("No such service")


async def editable_service(principal: Principal, service_id: UUID) -> schemas.ServiceRecord:
    """The listing, if this person may edit it; otherwise NotFound, exactly as for a made-up id.

    Raises:
        NotFound: no such service, or it belongs to an organisation they may not edit.
    """
    record = await load_service(service_id)
    if record is None or not may_edit(principal, record.organisation_id):
        raise not_found()
    return record


async def visible_service(service_id: UUID) -> schemas.ServiceRecord:
    """Any listing, for staff signposting (every listing is open to all staff).

    Raises:
        NotFound: no such service.
    """
    record = await load_service(service_id)
    if record is None:
        raise not_found()
    return record

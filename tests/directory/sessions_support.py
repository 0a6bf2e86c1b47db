"""A hub with a place, its staff and a partner, for the timetable, register and report tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from directory.sessions import services
from directory.sessions.schemas import SessionForm
from hub.accounts.schemas import Principal
from hub.tables import Organisation, Staff
from tests.directory.factories import location, make_service
from tests.support import make_organisation, make_staff


@dataclass
class Hub:
    """The hub organisation, one of its places, a worker, a manager and a partner."""

    hub: Organisation
    place_id: Any
    worker: Staff
    manager: Staff
    partner: Organisation
    partner_admin: Staff
    partner_worker: Staff


async def make_hub() -> Hub:
    """A hub whose drop-in listing gives it a place, with staff, and a partner organisation."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    place = location(hub, name="Lochee Hub")
    await make_service(hub, name="Hub drop-in", locations=[place])
    partner = await make_organisation("Recovery Dundee")
    return Hub(
        hub=hub,
        place_id=place.id,
        worker=await make_staff(hub),
        manager=await make_staff(hub, is_org_admin=True),
        partner=partner,
        partner_admin=await make_staff(partner, is_org_admin=True),
        partner_worker=await make_staff(partner),
    )


def as_principal(member: Staff, organisation: Organisation) -> Principal:
    """A staff member as the services see them."""
    return Principal(
        kind="staff",
        id=member.id,
        name=member.name,
        session_key="test",
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        organisation_kind=organisation.kind,
        is_org_admin=member.is_org_admin,
    )


def session_form(hub: Hub, first: date, **values: Any) -> SessionForm:
    """A weekly evening SMART Recovery group run by the partner, unless told otherwise."""
    fields: dict[str, Any] = {
        "title": "SMART Recovery group",
        "organisation_id": str(hub.partner.id),
        "category": "substance-use",
        "location_id": str(hub.place_id),
        "recurrence": "weekly",
        "first_date": first,
        "starts_at": "18:30",
        "ends_at": "20:00",
        "capacity": "12",
        **values,
    }
    return SessionForm(**fields)


async def make_session(hub: Hub, first: date, **values: Any) -> Any:
    """A session made by the hub worker through the service; returns its view."""
    worker = as_principal(hub.worker, hub.hub)
    session_id = await services.create_session(worker, session_form(hub, first, **values))
    return await services.get_session(session_id)

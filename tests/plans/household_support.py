"""A household of three around the factory client: Robin, their partner Alex and child Sam."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from consent.vocabulary import IDENTITY, PLAN, PLAN_SHARING
from hub.tables import Client
from plans import households
from plans.households import MemberForm
from tests.consent.factories import consent_to, registered_client
from tests.plans.factories import Team


@dataclass
class Home:
    """The household and its members."""

    household_id: UUID
    partner: Client
    child: Client


async def household_of_three(t: Team, *, hub_sees_partner: bool = True) -> Home:
    """The hub registers Alex and Sam (8) and links them to Robin; Sam's parent is Robin."""
    partner = await registered_client(t.net.hub, full_name="Alex Partner", preferred_name="Alex")
    child = await registered_client(
        t.net.hub, full_name="Sam Child", preferred_name="Sam", date_of_birth=date(2018, 5, 1)
    )
    if hub_sees_partner:
        await consent_to(partner.id, [t.net.hub], [IDENTITY, PLAN], [PLAN_SHARING])
    household_id = await households.create(t.net.sender, t.net.client.id, "The Clients")
    robin = str(t.net.client.id)
    await households.add_member(
        t.net.sender,
        household_id,
        MemberForm(client_id=str(partner.id), relationship="partner", related_to=robin),
    )
    await households.add_member(
        t.net.sender,
        household_id,
        MemberForm(
            client_id=str(child.id), relationship="child", related_to=robin, responsible=robin
        ),
    )
    return Home(household_id=household_id, partner=partner, child=child)

"""A client with a care team: the hub registered them, Housing First accepted a referral."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from consent.vocabulary import CONTACT, IDENTITY, NEEDS, PLAN, PLAN_SHARING
from hub.accounts.schemas import Principal
from hub.tables import Organisation, Staff
from plans import lead
from plans.schemas import LeadChoiceForm
from referrals import moves
from referrals.schemas import MoveForm
from tests.consent.factories import consent_to, principal, staff_member
from tests.directory.factories import make_service
from tests.referrals.factories import Network, network, sent


@dataclass
class Team:
    """A referral network whose client has a working referral, plus a third organisation."""

    net: Network
    referral_id: UUID
    third: Organisation
    third_worker: Staff

    @property
    def client_principal(self) -> Principal:
        """The client signed in to the portal."""
        return Principal(kind="client", id=self.net.client.id, name="Robin", session_key="t")

    @property
    def third_principal(self) -> Principal:
        """A worker at the third organisation."""
        return principal(self.third_worker, self.third)


async def team(*, plan_consent: bool = True) -> Team:
    """Hub + Housing First (accepted referral) + a third org (accepted referral) on the team."""
    net = await network()
    referral_id = await sent(net)
    await moves.move(net.recipient, referral_id, MoveForm(action="accept", version=1))
    third = await _third_organisation(net)
    if plan_consent:
        await consent_to(net.client.id, [net.hub, net.partner], [IDENTITY, PLAN], [PLAN_SHARING])
    return Team(net=net, referral_id=referral_id, third=third[0], third_worker=third[1])


async def _third_organisation(net: Network) -> tuple[Organisation, Staff]:
    from tests.support import make_organisation

    org = await make_organisation("Peer Support Dundee")
    worker = await staff_member(org, name="Pia Peer")
    listing = await make_service(org, name="Peer support group")
    await consent_to(net.client.id, [org], [IDENTITY, CONTACT, NEEDS])
    other = await sent(net, service_id=str(listing.id))
    await moves.move(principal(worker, org), other, MoveForm(action="accept", version=1))
    return org, worker


async def choose(t: Team, staff: Staff) -> None:
    """The client picks `staff` as lead in the portal."""
    await lead.choose_lead(
        t.client_principal, t.net.client.id, LeadChoiceForm(staff_id=str(staff.id))
    )

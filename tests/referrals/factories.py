"""A small referral network for tests: a hub, a partner with a service, a consenting client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from consent.vocabulary import CONTACT, IDENTITY, NEEDS
from hub.accounts.schemas import Principal
from hub.tables import Client, Organisation, Staff
from referrals import sending
from referrals.schemas import ReferralForm
from tests.consent.factories import consent_to, principal, registered_client, staff_member
from tests.directory.factories import make_service
from tests.support import make_organisation


@dataclass
class Network:
    """Who is who in a referral test."""

    hub: Organisation
    partner: Organisation
    outsider: Organisation
    hub_worker: Staff
    partner_worker: Staff
    partner_colleague: Staff
    outsider_worker: Staff
    client: Client
    service_id: UUID
    consent_id: UUID

    @property
    def sender(self) -> Principal:
        """The hub worker as a principal."""
        return principal(self.hub_worker, self.hub)

    @property
    def recipient(self) -> Principal:
        """The partner's worker as a principal."""
        return principal(self.partner_worker, self.partner)

    @property
    def colleague(self) -> Principal:
        """Another worker at the partner."""
        return principal(self.partner_colleague, self.partner)

    @property
    def outsider_principal(self) -> Principal:
        """A worker at an organisation with nothing to do with the referral."""
        return principal(self.outsider_worker, self.outsider)


async def network(
    categories: tuple[str, ...] = (IDENTITY, CONTACT, NEEDS), **service: Any
) -> Network:
    """A hub that registered a client who consented to share `categories` with the partner."""
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    outsider = await make_organisation("Elsewhere Trust")
    hub_worker = await staff_member(hub, name="Hana Hub")
    partner_worker = await staff_member(partner, name="Pat Partner")
    partner_colleague = await staff_member(partner, name="Cal Colleague")
    outsider_worker = await staff_member(outsider, name="Oz Outsider")
    client = await registered_client(hub, full_name="Robin Client")
    listing = await make_service(
        partner, name=service.pop("name", "Housing First Dundee"), **service
    )
    consent_id = await consent_to(client.id, [partner], categories, obtained_by=hub_worker)
    return Network(
        hub=hub,
        partner=partner,
        outsider=outsider,
        hub_worker=hub_worker,
        partner_worker=partner_worker,
        partner_colleague=partner_colleague,
        outsider_worker=outsider_worker,
        client=client,
        service_id=listing.id,
        consent_id=consent_id,
    )


def referral_form(net: Network, **values: Any) -> ReferralForm:
    """A complete referral form for the network's client and service."""
    fields: dict[str, Any] = {
        "client_id": str(net.client.id),
        "service_id": str(net.service_id),
        "reason_client": "I need somewhere safe to stay",
        "reason_worker": "Sleeping rough for two weeks",
        "client_wants": "A tenancy",
        "urgency": "soon",
        "contact_how": "phone",
        "contact_when": "Mornings",
        "categories": [IDENTITY, CONTACT],
    }
    fields.update(values)
    return ReferralForm(**fields)


async def sent(net: Network, **values: Any) -> UUID:
    """A referral the hub worker sent to the partner's service."""
    return await sending.send_referral(net.sender, referral_form(net, **values))

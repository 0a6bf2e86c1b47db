"""What the send form offers: the listing being referred to, and the clients one may refer."""

from __future__ import annotations

from uuid import UUID

import msgspec

from consent import access_log, policy, record
from consent.controllers.common import FORMAT
from consent.vocabulary import CATEGORIES, CONTACT, IDENTITY
from directory.listings.access import visible_service
from directory.schemas import ServiceRecord
from hub.accounts.schemas import Principal
from referrals.sending import parse_id, referrable_service

FORM_CONTEXT = "referral form"


class ChosenClient(msgspec.Struct, frozen=True, kw_only=True):
    """The client a referral is being written for, and what their consent covers for it."""

    id: UUID
    name: str
    covered: list[str]
    """Categories the client's consent lets the worker send to the service's organisation."""
    contact_how: str = ""
    """How the client asked to be contacted, from their record ("" when not recorded)."""
    contact_when: str = ""
    """When it is safe to contact them, from their record."""


async def referrable_listing(principal: Principal, service_value: str) -> ServiceRecord:
    """The listing to refer to, or Invalid saying why it cannot take this referral."""
    message = "Choose a service from the directory"
    service_id = parse_id(service_value, "service_id", message)
    await referrable_service(service_id, principal)
    return await visible_service(service_id)


async def client_choices(principal: Principal) -> list[tuple[str, str]]:
    """(id, label) for every client the worker's organisation may act for, by name."""
    decisions = [d for d in await policy.visible_clients(principal) if d.may_act]
    people = await record.identities([d.client_id for d in decisions])
    await access_log.record_reads(
        principal, {client_id: [IDENTITY] for client_id in people}, context=FORM_CONTEXT
    )
    ordered = sorted(people.values(), key=lambda person: person.full_name.lower())
    return [
        (
            str(person.id),
            person.full_name
            + (f" (born {FORMAT.day(person.date_of_birth)})" if person.date_of_birth else ""),
        )
        for person in ordered
    ]


async def chosen_client(
    principal: Principal, client_value: str, listing: ServiceRecord
) -> ChosenClient | None:
    """The client picked, if any: NotFound (audited) unless the worker may act for them."""
    if not client_value.strip():
        return None
    client_id = parse_id(client_value, "client_id", "Choose the client")
    decision, identity = await record.identity_for(
        principal, client_id, act=True, context=FORM_CONTEXT
    )
    cover = await policy.coverage(client_id, listing.organisation_id)
    preferences = await record.contact_preferences(decision)
    if preferences is not None:
        await access_log.record_reads(principal, {client_id: [CONTACT]}, context=FORM_CONTEXT)
    return ChosenClient(
        id=client_id,
        name=identity.full_name if identity else f"Ref {FORMAT.reference(client_id)}",
        covered=[code for code in CATEGORIES if code in cover.categories],
        contact_how=preferences.preferred_contact if preferences else "",
        contact_when=preferences.safe_times if preferences else "",
    )

"""Demo data for consent: the demo client's record, involvement and one consent."""

from __future__ import annotations

from consent import consents, record, validation
from consent.involvement import start_involvement
from consent.schemas import ContactDetails, LanguageDetails
from consent.tables import ClientEntry, Consent
from consent.vocabulary import (
    CONTACT,
    CONTACTING,
    COORDINATION,
    CURRENT_NOTICE,
    HOUSING,
    IDENTITY,
    NEEDS,
    local_date,
)
from hub import clock
from hub.audit import Actor
from hub.db import transaction
from hub.demo import DEMO_CLIENT_USERNAME, HUB_NAME, slug
from hub.tables import ClientAccount, Organisation, Staff

PARTNER = "Housing First"


async def seed_demo_record() -> list[tuple[str, str]]:
    """Give the demo client a record: registered by the hub, sharing some with Housing First."""
    account = (
        await ClientAccount.select(ClientAccount.client)
        .where(ClientAccount.username == DEMO_CLIENT_USERNAME)
        .first()
    )
    hub = await Organisation.select(Organisation.id).where(Organisation.name == HUB_NAME).first()
    partner = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.name == PARTNER)
        .first()
    )
    worker = (
        await Staff.select(Staff.id)
        .where(Staff.email == f"worker@{slug(HUB_NAME)}.example")
        .first()
    )
    if not (account and hub and partner and worker):
        return []
    client_id, hub_id, worker_id = account["client"], hub["id"], worker["id"]
    async with transaction():
        await start_involvement(client_id, hub_id, "registered", Actor.system())
        if not await ClientEntry.exists().where(ClientEntry.client == client_id):
            contact = ContactDetails(phone="07700 900123", preferred_contact="text")
            await record.write_entry(client_id, CONTACT, contact, hub_id, worker_id)
            language = LanguageDetails(language="English")
            await record.write_entry(client_id, NEEDS, language, hub_id, worker_id)
        if not await Consent.exists().where(Consent.client == client_id):
            start, end = validation.default_period(local_date(clock.now()))
            values = {
                "organisation_ids": [str(partner["id"])],
                "organisation_names": [partner["name"]],
                "categories": [IDENTITY, CONTACT, HOUSING],
                "purposes": [COORDINATION, CONTACTING],
                "valid_from": start,
                "valid_to": end,
                "method": "written",
                "notice_version": CURRENT_NOTICE,
                "capacity": "has_capacity",
                "given_by": "client",
                "obtained_by_staff": worker_id,
                "obtained_by_organisation": hub_id,
            }
            await consents.insert_version(client_id, values, Actor.system())
    return []

"""Demo referrals for the demo client: one new, one in progress, one past its response target.

Runs after the hub's, consent's and the directory's seeders (`wraparound demo`), through the
real write paths (a consent naming the partners, `send_referral`, `move`) as the hub's demo
worker. The overdue one is then dated back a week, which is the only direct write here. It
does nothing when the demo client already has referrals, and all of it lands in one
transaction or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from consent import consents, validation
from consent.vocabulary import (
    CONTACT,
    COORDINATION,
    CURRENT_NOTICE,
    HOUSING,
    IDENTITY,
    NEEDS,
    local_date,
)
from directory.demo import demo_id
from hub import clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import transaction
from hub.demo import DEMO_CLIENT_USERNAME, HUB_NAME, slug
from hub.tables import ClientAccount, Organisation, Staff
from referrals import moves, sla
from referrals.schemas import MoveForm, ReferralForm
from referrals.sending import send_referral
from referrals.tables import Referral, ReferralEvent
from referrals.working_days import due_at

# Organisations the demo consent names besides Housing First (consent/demo.py names that one).
PARTNERS = ("Hillcrest Futures", "Housing Office", "Employability")
OVERDUE_BY = timedelta(days=7)


async def _worker(organisation_name: str) -> Principal | None:
    """The demo worker of an organisation, as a signed-in principal."""
    row = (
        await Staff.select(
            Staff.id,
            Staff.name,
            Staff.organisation.id.as_alias("organisation_id"),
            Staff.organisation.name.as_alias("organisation_name"),
            Staff.organisation.kind.as_alias("organisation_kind"),
        )
        .where(Staff.email == f"worker@{slug(organisation_name)}.example")
        .first()
    )
    if row is None:
        return None
    return Principal(kind="staff", session_key="demo", **row)


async def _consent_for_partners(client_id: UUID, hub_worker: Principal) -> bool:
    """A consent naming the demo partners (identity, contact, housing); False if one is missing."""
    rows = await Organisation.select(Organisation.id, Organisation.name).where(
        Organisation.name.is_in(list(PARTNERS))
    )
    if len(rows) != len(PARTNERS):
        return False
    start, end = validation.default_period(local_date(clock.now()))
    values: dict[str, Any] = {
        "organisation_ids": [str(row["id"]) for row in rows],
        "organisation_names": [row["name"] for row in rows],
        "categories": [IDENTITY, CONTACT, NEEDS, HOUSING],
        "purposes": [COORDINATION],
        "valid_from": start,
        "valid_to": end,
        "method": "verbal",
        "notice_version": CURRENT_NOTICE,
        "capacity": "has_capacity",
        "given_by": "client",
        "obtained_by_staff": hub_worker.id,
        "obtained_by_organisation": hub_worker.organisation_id,
    }
    await consents.insert_version(client_id, values, Actor.system())
    return True


def _form(client_id: UUID, service_key: str, **values: Any) -> ReferralForm:
    return ReferralForm(
        client_id=str(client_id),
        service_id=str(demo_id("service", service_key)),
        urgency=values.pop("urgency", "routine"),
        contact_how="phone",
        contact_when=values.pop("contact_when", "Weekday mornings"),
        categories=values.pop("categories", [IDENTITY, CONTACT, HOUSING]),
        **values,
    )


async def _date_back(referral_id: UUID, by: timedelta, days: int) -> None:
    """Make a just-sent referral look sent `by` ago, with its response target from then."""
    sent_at = clock.now() - by
    await Referral.update(
        {
            Referral.requested_at: sent_at,
            Referral.due_at: due_at(sent_at, days),
            Referral.updated_at: sent_at,
        }
    ).where(Referral.id == referral_id)
    await ReferralEvent.update({ReferralEvent.at: sent_at}).where(
        ReferralEvent.referral == referral_id
    )


async def seed_demo_referrals() -> list[tuple[str, str]]:
    """Send the demo client's referrals unless they have some already; nothing to print."""
    account = (
        await ClientAccount.select(ClientAccount.client)
        .where(ClientAccount.username == DEMO_CLIENT_USERNAME)
        .first()
    )
    hub_worker = await _worker(HUB_NAME)
    employability = await _worker("Employability")
    if account is None or hub_worker is None or employability is None:
        return []
    client_id = account["client"]
    if await Referral.exists().where(Referral.client == client_id):
        return []
    async with transaction():
        if not await _consent_for_partners(client_id, hub_worker):
            return []
        await send_referral(
            hub_worker,
            _form(
                client_id,
                "housing-first-dundee",
                reason_client="I want a place of my own and help to keep it this time.",
                reason_worker="Sofa-surfing since March after a tenancy ended; keen to try again.",
                client_wants="A tenancy with support while settling in",
            ),
        )
        working = await send_referral(
            hub_worker,
            _form(
                client_id,
                "employability-hub",
                reason_client="I'd like to get back into work, maybe warehouse or driving.",
                reason_worker="Worked for ten years before losing housing; asked about courses.",
                client_wants="A forklift licence and help with a CV",
                categories=[IDENTITY, CONTACT],
            ),
        )
        await moves.move(employability, working, MoveForm(action="accept", version=1))
        await moves.move(employability, working, MoveForm(action="start", version=2))
        overdue = await send_referral(
            hub_worker,
            _form(
                client_id,
                "housing-options",
                urgency="soon",
                reason_client="I need to know where I stand on the council list.",
                reason_worker="Needs a homelessness assessment; has nowhere settled to stay.",
                client_wants="Temporary accommodation while waiting",
            ),
        )
        await _date_back(overdue, OVERDUE_BY, days=2)
        await sla.run_sla_check()
    return []

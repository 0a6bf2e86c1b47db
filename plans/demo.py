"""Demo data for plans: the demo client chose a Housing First worker as lead professional and
has a plan with two goals, actions for Housing First and the hub, and one review with ratings.

Runs after the referrals demo seeder (app.py's order): Housing First accepts the demo client's
waiting referral (or, without one, the hub sends one first). Everything goes through the
real services, and a client who already has a lead professional is left alone.
"""

from __future__ import annotations

import logging
from uuid import UUID

from consent import portal as consent_portal
from consent.vocabulary import CONTACT, IDENTITY
from directory.tables import Service
from hub.accounts.schemas import Principal
from hub.demo import DEMO_CLIENT_USERNAME, HUB_NAME, slug
from hub.errors import WraparoundError
from hub.tables import ClientAccount, Organisation, Staff
from plans import content, lead, reviews
from plans.care_team import is_on_team
from plans.reviews import ReviewForm
from plans.schemas import ActionForm, GoalForm, LeadChoiceForm, ProfileForm
from plans.tables import LeadChoice
from referrals import moves, sending
from referrals.lifecycle import REQUESTED
from referrals.schemas import MoveForm, ReferralForm
from referrals.tables import Referral

log = logging.getLogger(__name__)
LEAD_ORGANISATION = "Housing First"


async def demo_worker(organisation_name: str) -> Principal | None:
    """The demo network's worker at that organisation, as a signed-in principal."""
    organisation = (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.kind)
        .where(Organisation.name == organisation_name)
        .first()
    )
    if organisation is None:
        return None
    staff = (
        await Staff.select(Staff.id, Staff.name)
        .where(Staff.email == f"worker@{slug(organisation_name)}.example")
        .first()
    )
    if staff is None:
        return None
    return Principal(
        kind="staff",
        id=staff["id"],
        name=staff["name"],
        session_key="demo",
        organisation_id=organisation["id"],
        organisation_name=organisation["name"],
        organisation_kind=organisation["kind"],
    )


async def _referral_to_lead_organisation(
    client_id: UUID, hub: Principal, housing: Principal
) -> bool:
    """Put Housing First on the care team with an accepted referral, unless it already is.

    Housing First accepts the demo client's waiting referral (the referrals demo sends one);
    if there is none, the hub worker sends one first.
    """
    assert housing.organisation_id is not None
    if await is_on_team(client_id, housing.organisation_id):
        return True
    waiting = (
        await Referral.select(Referral.id, Referral.version)
        .where(
            (Referral.client == client_id)
            & (Referral.recipient_organisation == housing.organisation_id)
            & (Referral.status == REQUESTED)
        )
        .first()
    )
    if waiting is not None:
        form = MoveForm(action="accept", version=waiting["version"])
        await moves.move(housing, waiting["id"], form)
        return True
    service = (
        await Service.select(Service.id)
        .where(
            (Service.organisation == housing.organisation_id)
            & (Service.status == "active")
            & Service.referral_methods.like("%network%")
        )
        .first()
    )
    if service is None:
        return False
    referral = ReferralForm(
        client_id=str(client_id),
        service_id=str(service["id"]),
        reason_client="I want a place of my own and to stay there",
        reason_worker="Sofa-surfing since the spring; has lost two tenancies before",
        client_wants="A settled home and someone who sticks with me",
        urgency="soon",
        contact_how="phone",
        contact_when="Mornings",
        categories=[IDENTITY, CONTACT],
    )
    referral_id = await sending.send_referral(hub, referral)
    await moves.move(housing, referral_id, MoveForm(action="accept", version=1))
    return True


async def _plan(client: Principal, housing: Principal, hub: Principal) -> None:
    """Two goals (one the client's own, one the lead suggested and the client agreed),
    strengths, and one action each for Housing First and the hub."""
    client_id = client.id
    assert housing.organisation_id is not None
    assert hub.organisation_id is not None
    await content.update_profile(
        housing,
        client_id,
        ProfileForm(
            strengths="Good with people; keeps going when things are hard; close to my sister",
            obstacles="Debts from the last tenancy; mornings are hard",
        ),
    )
    home = await content.add_goal(
        client,
        client_id,
        GoalForm(
            words="A place of my own that I can keep",
            success="Keys in my hand and still there in a year",
            priority=1,
        ),
    )
    money = await content.add_goal(
        housing,
        client_id,
        GoalForm(words="Sort out my debts", success="One payment a month I can afford", priority=2),
    )
    await content.agree_goal(client, client_id, money)
    await content.add_action(
        housing,
        client_id,
        ActionForm(
            goal_id=str(home),
            description="View the flat on Lochee High Street together",
            organisation_id=str(housing.organisation_id),
            staff_id=str(housing.id),
            status="in_progress",
        ),
    )
    await content.add_action(
        housing,
        client_id,
        ActionForm(
            goal_id=str(money),
            description="Book a money advice appointment at the hub",
            organisation_id=str(hub.organisation_id),
            staff_id=str(hub.id),
        ),
    )


async def _review(housing: Principal, client_id: UUID) -> None:
    """One review held today with the client's (and some of the worker's) ratings."""
    await reviews.record_review(
        housing,
        client_id,
        ReviewForm(
            held_on=content.today(),
            participants="Alex, Housing First Worker",
            notes="Alex has viewed one flat and liked the area.",
            decisions="Apply for the flat; book money advice.",
            client_home="3",
            worker_home="2",
            client_money="4",
            client_health="6",
            client_feeling_well="5",
            worker_feeling_well="5",
            client_friends="7",
            client_hopes="6",
        ),
    )


async def seed_demo_plan() -> list[tuple[str, str]]:
    """The demo client's lead professional and plan; nothing if they already chose a lead."""
    account = (
        await ClientAccount.select(ClientAccount.client)
        .where(ClientAccount.username == DEMO_CLIENT_USERNAME)
        .first()
    )
    hub = await demo_worker(HUB_NAME)
    housing = await demo_worker(LEAD_ORGANISATION)
    if account is None or hub is None or housing is None or housing.organisation_id is None:
        return []
    client_id = account["client"]
    if await LeadChoice.exists().where(LeadChoice.client == client_id):
        return []
    client = Principal(kind="client", id=client_id, name="Alex", session_key="demo")
    try:
        if not await _referral_to_lead_organisation(client_id, hub, housing):
            return []
        choice = LeadChoiceForm(staff_id=str(housing.id))
        outcome = await lead.choose_lead(client, client_id, choice)
        if outcome.needs_plan_consent:
            await consent_portal.share_plan_with(client, outcome.organisation_id)
        await _plan(client, housing, hub)
        await _review(housing, client_id)
    except WraparoundError:
        log.exception("the demo plan could not be seeded")
        return []
    return []  # the lead is the demo's "partner worker", already listed by the hub

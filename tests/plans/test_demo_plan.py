"""The demo plan: seeded through the real services after the other demo seeders; idempotent."""

from __future__ import annotations

from consent.demo import seed_demo_record
from directory.demo import seed_demo_directory
from hub.demo import DEMO_CLIENT_USERNAME, seed_demo_network
from hub.tables import ClientAccount, Organisation, Staff
from plans import content
from plans.demo import seed_demo_plan
from plans.tables import Action, Goal, LeadChoice, Rating, Review
from plans.web import DEMO_SEEDERS
from referrals.demo import seed_demo_referrals
from referrals.tables import Referral
from tests.consent.factories import principal


async def _seed_all() -> None:
    await seed_demo_network()
    await seed_demo_record()
    await seed_demo_directory()
    await seed_demo_referrals()
    await seed_demo_plan()


async def test_the_demo_client_has_a_housing_first_lead_and_a_plan() -> None:
    assert seed_demo_plan in DEMO_SEEDERS
    await _seed_all()

    account = await ClientAccount.select(ClientAccount.client).where(
        ClientAccount.username == DEMO_CLIENT_USERNAME
    )
    client_id = account[0]["client"]
    lead = await LeadChoice.select(
        LeadChoice.organisation.name.as_alias("organisation"), LeadChoice.how
    )
    assert lead == [{"organisation": "Housing First", "how": "portal"}]
    goals = await Goal.select(Goal.status)
    assert [g["status"] for g in goals] == ["agreed", "agreed"]
    owners = {row["organisation"] for row in await Action.select(Action.organisation)}
    assert len(owners) == 2
    assert await Review.count() == 1
    assert await Rating.count() >= 5

    housing = await Organisation.objects().where(Organisation.name == "Housing First").first()
    worker = await Staff.objects().where(Staff.email == "worker@housing-first.example").first()
    assert housing is not None
    assert worker is not None
    to_housing = await Referral.select(Referral.status).where(
        Referral.recipient_organisation == housing.id
    )
    assert to_housing == [{"status": "accepted"}]  # the referrals demo's, accepted
    plan = await content.get_plan(principal(worker, housing), client_id)
    assert plan.role == "lead"
    assert plan.sees_all
    assert plan.next_review_on is not None


async def test_seeding_the_demo_plan_again_changes_nothing() -> None:
    await _seed_all()
    counts = [await table.count() for table in (LeadChoice, Goal, Action, Review)]

    assert await seed_demo_plan() == []

    assert [await table.count() for table in (LeadChoice, Goal, Action, Review)] == counts

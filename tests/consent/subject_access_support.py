"""A client with something in every kind of record, and another client named in its text."""

from __future__ import annotations

from consent.vocabulary import NEEDS
from hub.tables import Client
from plans import content, reviews
from plans.schemas import GoalForm
from referrals import thread
from referrals.schemas import MessageForm
from tests.consent.factories import note, registered_client
from tests.plans.factories import Team
from tests.plans.test_reviews import led_team, review_form


async def full_record() -> tuple[Team, Client]:
    """A client with consents, referrals, a thread naming another client, a plan and a review;
    and that other client."""
    t = await led_team()
    other = await registered_client(t.net.hub, full_name="Morgan Quayle", preferred_name="Mo")
    await thread.post_message(
        t.net.recipient, t.referral_id, MessageForm(body="Lives with Morgan Quayle at present.")
    )
    await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="A flat of my own"))
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form(client_home="6"))
    await note(t.net.client.id, t.net.hub, NEEDS, "Needs help with a tenancy")
    return t, other

"""Closing support: a closure note and an outcome per agreed goal; the referrer and the lead's
organisation told; the plan stays readable to the client and can no longer be changed."""

from __future__ import annotations

from uuid import UUID

import pytest

from hub.errors import Forbidden, Invalid, NotFound
from hub.tables import AuditEvent, Notification, Staff
from plans import closing, content, reviews
from plans.closing import CloseForm, outcome_field
from plans.schemas import GoalForm
from plans.tables import Goal, Plan
from tests.consent.factories import staff_member
from tests.plans.factories import Team
from tests.plans.test_reviews import led_team, review_form


async def _goals(t: Team) -> tuple[UUID, UUID, UUID]:
    """Two goals the client agreed and one the lead only proposed."""
    home = await content.add_goal(t.client_principal, t.net.client.id, GoalForm(words="A home"))
    work = await content.add_goal(t.client_principal, t.net.client.id, GoalForm(words="A job"))
    idea = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="Cook more"))
    return home, work, idea


async def _subjects(staff_id: UUID) -> list[str]:
    rows = await Notification.select(Notification.subject).where(Notification.staff == staff_id)
    return [row["subject"] for row in rows]


async def test_note_and_an_outcome_for_every_agreed_goal_are_required() -> None:
    t = await led_team()
    home, work, idea = await _goals(t)
    form = CloseForm(closure_note=" ", outcomes={str(home): "achieved", str(idea): "maybe"})
    with pytest.raises(Invalid) as caught:
        await closing.close_plan(t.net.recipient, t.net.client.id, form)
    assert set(caught.value.errors) == {"closure_note", outcome_field(work), outcome_field(idea)}
    assert "A job" in caught.value.errors[outcome_field(work)]
    assert (await Plan.select(Plan.status).first()) == {"status": "open"}


async def test_closing_records_outcomes_and_tells_the_referrer_and_the_lead_organisation() -> None:
    t = await led_team()
    colleague_of_lead = t.net.partner_colleague
    home, work, idea = await _goals(t)
    form = closing.close_form_from(
        {
            "closure_note": "Met at the hub. Robin is settled.",
            outcome_field(home): "achieved",
            outcome_field(work): "no_longer_wanted",
            "_csrf_token": "ignored",
        }
    )
    await closing.close_plan(t.net.recipient, t.net.client.id, form)

    plan = await Plan.select().first()
    assert plan is not None
    assert plan["status"] == "closed"
    assert plan["closed_at"] is not None
    assert plan["closure_note"] == "Met at the hub. Robin is settled."
    assert plan["next_review_on"] is None
    goals = {row["id"]: (row["status"], row["outcome"]) for row in await Goal.select()}
    assert goals == {
        home: ("closed", "achieved"),
        work: ("closed", "no_longer_wanted"),
        idea: ("closed", ""),
    }
    referrer = await _subjects(t.net.hub_worker.id)
    assert [s for s in referrer if s.startswith("Support has closed")] == [
        "Support has closed for the client you referred to Housing First Dundee "
        f"(ref {str(t.referral_id)[:8]})"
    ]
    ref = t.net.client.id.hex[:8].upper()
    assert f"A plan your organisation led was closed (ref {ref})" in await _subjects(
        colleague_of_lead.id
    )
    assert not [s for s in await _subjects(t.net.partner_worker.id) if "closed" in s]
    for subject in referrer + await _subjects(colleague_of_lead.id):
        assert "Robin" not in subject
    assert await AuditEvent.exists().where(AuditEvent.action == "plan.closed")


async def test_the_client_still_reads_the_closed_plan_and_nobody_can_change_it() -> None:
    t = await led_team()
    home, work, _ = await _goals(t)
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form(client_home="4"))
    outcomes = {str(home): "partly", str(work): "not"}
    await closing.close_plan(
        t.net.recipient, t.net.client.id, CloseForm(closure_note="Moved away", outcomes=outcomes)
    )
    mine = await content.get_plan(t.client_principal, t.net.client.id)
    assert mine.status == "closed"
    assert mine.closure_note == "Moved away"
    assert {g.words: g.outcome for g in mine.goals} == {
        "A home": "partly",
        "A job": "not",
        "Cook more": "",
    }
    assert not mine.review_overdue
    with pytest.raises(Forbidden):
        await content.add_goal(t.client_principal, t.net.client.id, GoalForm(words="More"))
    with pytest.raises(Forbidden):
        await reviews.record_review(t.net.recipient, t.net.client.id, review_form())
    with pytest.raises(Forbidden):
        await closing.close_plan(
            t.net.recipient, t.net.client.id, CloseForm(closure_note="Again", outcomes=outcomes)
        )
    with pytest.raises(Forbidden):
        await closing.closure_start(t.net.recipient, t.net.client.id)


async def test_only_the_lead_closes_support() -> None:
    t = await led_team()
    form = CloseForm(closure_note="Done")
    with pytest.raises(Forbidden):
        await closing.close_plan(t.net.sender, t.net.client.id, form)
    with pytest.raises(Forbidden):
        await closing.close_plan(t.client_principal, t.net.client.id, form)
    with pytest.raises(NotFound):
        await closing.close_plan(t.net.outsider_principal, t.net.client.id, form)
    with pytest.raises(Forbidden):
        await closing.closure_start(t.net.sender, t.net.client.id)
    await closing.close_plan(t.net.recipient, t.net.client.id, form)  # no goals: a note is enough
    assert (await Plan.select(Plan.status).first()) == {"status": "closed"}


async def test_referrer_who_left_is_not_told_and_nothing_breaks() -> None:
    t = await led_team()
    await Staff.update({Staff.active: False}).where(Staff.id == t.net.hub_worker.id)
    newcomer = await staff_member(t.net.partner, name="Nia New")
    await closing.close_plan(t.net.recipient, t.net.client.id, CloseForm(closure_note="Done"))
    assert not [s for s in await _subjects(t.net.hub_worker.id) if "closed" in s]
    assert any("was closed" in s for s in await _subjects(newcomer.id))

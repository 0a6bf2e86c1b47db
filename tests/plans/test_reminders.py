"""The daily plan check on a controllable clock: overdue reviews and actions flagged once, to
the right people; the lead's home panel shows what is coming due."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import UUID

from hub import clock, outbox
from hub.tables import Notification, OutboxJob, Staff
from plans import content, home, reminders, reviews
from plans.schemas import ActionForm, ActionUpdate, GoalForm
from plans.tables import Action, Plan
from plans.web import JOB_HANDLERS
from tests.consent.factories import staff_member
from tests.plans.factories import Team
from tests.plans.test_reviews import TODAY, led_team, review_form

DAY = timedelta(days=1)


async def _subjects(staff_id: UUID) -> list[str]:
    rows = await Notification.select(Notification.subject).where(Notification.staff == staff_id)
    return [row["subject"] for row in rows]


async def _plan() -> dict[str, object]:
    row = await Plan.select().first()
    assert row is not None
    return row


async def _reviewed(t: Team) -> None:
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form())


async def test_overdue_review_is_flagged_to_the_lead_once_and_cleared_by_the_next_review() -> None:
    t = await led_team()
    await _reviewed(t)
    due = TODAY + timedelta(weeks=6)
    clock.advance(timedelta(weeks=6))  # the review day itself: not overdue yet
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 0}
    clock.advance(DAY)
    assert await reminders.run_daily_check() == {"reviews": 1, "actions": 0}
    assert (await _plan())["review_overdue_flagged_on"] == due + DAY
    lead = await _subjects(t.net.partner_worker.id)
    overdue = [s for s in lead if "review is overdue" in s]
    assert overdue == [f"A plan review is overdue (ref {t.net.client.id.hex[:8].upper()})"]
    assert "Robin" not in overdue[0]
    assert not [s for s in await _subjects(t.net.hub_worker.id) if "overdue" in s]

    clock.advance(DAY)
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 0}
    assert len([s for s in await _subjects(t.net.partner_worker.id) if "overdue" in s]) == 1

    held = TODAY + timedelta(weeks=6, days=2)
    await reviews.record_review(t.net.recipient, t.net.client.id, review_form(held))
    assert (await _plan())["review_overdue_flagged_on"] is None
    clock.advance(timedelta(weeks=6, days=1))
    assert await reminders.run_daily_check() == {"reviews": 1, "actions": 0}


async def test_no_flag_without_a_lead_or_on_a_closed_plan() -> None:
    t = await led_team()
    await _reviewed(t)
    await Plan.update({Plan.status: "closed"}).where(Plan.client == t.net.client.id)
    clock.advance(timedelta(weeks=7))
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 0}
    assert (await _plan())["review_overdue_flagged_on"] is None


async def _action(t: Team, **fields: object) -> UUID:
    goal_id = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="A flat"))
    values = {
        "goal_id": str(goal_id),
        "description": "Go to the peer group",
        "organisation_id": str(t.third.id),
        "due_on": TODAY + timedelta(days=3),
        **fields,
    }
    return await content.add_action(t.net.recipient, t.net.client.id, ActionForm(**values))  # type: ignore[arg-type]


async def test_overdue_action_goes_to_every_worker_of_its_organisation_and_the_lead() -> None:
    t = await led_team()
    peer_colleague = await staff_member(t.third, name="Pip Peer")
    action_id = await _action(t)
    clock.advance(timedelta(days=3))
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 0}
    clock.advance(DAY)
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 1}
    subject = f"An action in a plan is overdue (ref {t.net.client.id.hex[:8].upper()})"
    for staff in (t.third_worker.id, peer_colleague.id, t.net.partner_worker.id):
        assert subject in await _subjects(staff)
    assert subject not in await _subjects(t.net.hub_worker.id)
    clock.advance(DAY)
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 0}
    assert (await _subjects(t.third_worker.id)).count(subject) == 1

    # Changing the action clears the flag: still overdue, it is flagged again.
    await content.update_action(
        t.net.recipient,
        t.net.client.id,
        action_id,
        ActionUpdate(status="in_progress", due_on=TODAY + timedelta(days=3)),
    )
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 1}
    # Done actions are never flagged.
    await content.update_action(
        t.net.recipient, t.net.client.id, action_id, ActionUpdate(status="done")
    )
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 0}


async def test_overdue_action_with_a_named_worker_goes_to_them_and_the_lead() -> None:
    t = await led_team()
    other = await staff_member(t.third, name="Pip Peer")
    await _action(t, staff_id=str(t.third_worker.id))
    clock.advance(timedelta(days=4))
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 1}
    assert any("action in a plan" in s for s in await _subjects(t.third_worker.id))
    assert any("action in a plan" in s for s in await _subjects(t.net.partner_worker.id))
    assert await _subjects(other.id) == []
    flagged = await Action.select(Action.overdue_flagged_on).first()
    assert flagged == {"overdue_flagged_on": TODAY + timedelta(days=4)}


async def test_named_worker_who_left_is_replaced_by_their_organisation() -> None:
    t = await led_team()
    other = await staff_member(t.third, name="Pip Peer")
    await _action(t, staff_id=str(t.third_worker.id))
    await Staff.update({Staff.active: False}).where(Staff.id == t.third_worker.id)
    clock.advance(timedelta(days=4))
    assert await reminders.run_daily_check() == {"reviews": 0, "actions": 1}
    assert any("action in a plan" in s for s in await _subjects(other.id))


async def test_daily_job_runs_through_the_outbox_and_queues_tomorrows() -> None:
    t = await led_team()
    await _reviewed(t)
    assert await reminders.ensure_daily_check_job() is True
    assert await reminders.ensure_daily_check_job() is False
    clock.advance(timedelta(weeks=6, days=1))
    assert await outbox.run_once(JOB_HANDLERS, "test-worker") >= 1
    assert (await _plan())["review_overdue_flagged_on"] == TODAY + timedelta(weeks=6, days=1)
    pending = await OutboxJob.select(OutboxJob.run_after, OutboxJob.payload).where(
        (OutboxJob.kind == reminders.DAILY_JOB) & (OutboxJob.status == "pending")
    )
    assert len(pending) == 1
    assert pending[0]["run_after"] == clock.now() + timedelta(days=1)
    assert json.loads(pending[0]["payload"]) == {}


async def test_home_panel_shows_reviews_due_soon_and_overdue() -> None:
    t = await led_team()
    empty = await home.lead_panel(t.net.sender)
    assert empty.clients == []
    assert (await home.lead_panel(t.client_principal)).clients == []
    await _reviewed(t)
    panel = await home.lead_panel(t.net.recipient)
    [row] = panel.clients
    assert row.name == "Robin Client"
    assert (row.review_due_soon, row.review_overdue) == (False, False)
    clock.advance(timedelta(weeks=5, days=1))  # six days to go
    panel = await home.lead_panel(t.net.recipient)
    assert (panel.clients[0].review_due_soon, panel.clients[0].review_overdue) == (True, False)
    assert panel.due_soon == 1
    clock.advance(timedelta(days=7))
    panel = await home.lead_panel(t.net.recipient)
    assert (panel.clients[0].review_due_soon, panel.clients[0].review_overdue) == (False, True)
    assert panel.overdue == 1


async def test_home_panel_counts_overdue_actions() -> None:
    t = await led_team()
    await _action(t)
    clock.advance(timedelta(days=4))
    lead = await home.lead_panel(t.net.recipient)
    assert lead.clients[0].overdue_actions == 1
    assert lead.own_overdue == []  # Housing First owns none of them
    peer = await home.lead_panel(t.third_principal)
    assert peer.clients == []
    assert [(o.client_id, o.count) for o in peer.own_overdue] == [(t.net.client.id, 1)]

"""Care team, lead professional and plan visibility through the services (both databases)."""

from __future__ import annotations

import pytest

from hub.errors import Forbidden, Invalid, NotFound
from plans import care_team, content, lead
from plans.schemas import ActionForm, ActionUpdate, GoalForm, LeadChoiceForm
from plans.tables import LeadChoice
from referrals import moves
from referrals.schemas import MoveForm
from tests.plans.factories import choose, team


async def test_care_team_is_derived_from_registration_and_working_referrals() -> None:
    t = await team()
    found = await care_team.care_team(t.net.client.id)
    names = {o.name for o in found.organisations}
    assert names == {"Lochee Hub", "Housing First", "Peer Support Dundee"}
    workers = {w.name for w in found.workers}
    assert {"Hana Hub", "Pat Partner", "Pia Peer"} <= workers
    assert "Oz Outsider" not in workers


async def test_client_chooses_and_changes_lead_with_history() -> None:
    t = await team()
    await choose(t, t.net.partner_worker)
    await choose(t, t.net.hub_worker)
    history = await care_team.lead_history(t.net.client.id)
    assert [h.name for h in history] == ["Hana Hub", "Pat Partner"]
    assert history[0].ended_at is None
    assert history[1].ended_at is not None
    assert await LeadChoice.count() == 2


async def test_lead_must_be_on_the_care_team() -> None:
    t = await team()
    with pytest.raises(Invalid):
        await lead.choose_lead(
            t.client_principal,
            t.net.client.id,
            LeadChoiceForm(staff_id=str(t.net.outsider_worker.id)),
        )


async def test_lead_sees_all_and_member_without_consent_only_own_actions() -> None:
    t = await team()
    await choose(t, t.net.partner_worker)
    goal_id = await content.add_goal(
        t.net.recipient, t.net.client.id, GoalForm(words="A flat of my own")
    )
    await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(
            goal_id=str(goal_id), description="View flats", organisation_id=str(t.net.partner.id)
        ),
    )
    await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(goal_id=str(goal_id), description="Peer group", organisation_id=str(t.third.id)),
    )
    whole = await content.get_plan(t.net.recipient, t.net.client.id)
    assert whole.role == "lead"
    assert [g.words for g in whole.goals] == ["A flat of my own"]
    assert whole.goals[0].status == "proposed"
    peer = await content.get_plan(t.third_principal, t.net.client.id)
    assert peer.goals == []
    assert [a.description for a in peer.own_actions] == ["Peer group"]
    # Housing First's action (the order of two actions made in the same instant is not fixed).
    action_id = next(a.id for a in whole.goals[0].actions if a.description == "View flats")
    with pytest.raises(NotFound):
        await content.update_action(
            t.third_principal, t.net.client.id, action_id, ActionUpdate(status="done")
        )
    with pytest.raises(NotFound):
        await content.get_plan(t.net.outsider_principal, t.net.client.id)
    await content.agree_goal(t.client_principal, t.net.client.id, goal_id)
    mine = await content.get_plan(t.client_principal, t.net.client.id)
    assert mine.goals[0].status == "agreed"


async def test_member_whose_referral_closed_sees_nothing() -> None:
    t = await team()
    await choose(t, t.net.hub_worker)
    await content.get_plan(t.third_principal, t.net.client.id)
    row_version = 2
    from referrals.tables import Referral

    third_referral = (
        await Referral.select(Referral.id)
        .where(Referral.recipient_organisation == t.third.id)
        .first()
    )
    await moves.move(
        t.third_principal,
        third_referral["id"],
        MoveForm(action="complete", version=row_version, outcome_code="need_met"),
    )
    with pytest.raises(NotFound):
        await content.get_plan(t.third_principal, t.net.client.id)


async def test_only_lead_or_client_shape_the_plan() -> None:
    t = await team()
    await choose(t, t.net.partner_worker)
    with pytest.raises(Forbidden):
        await content.add_goal(t.net.sender, t.net.client.id, GoalForm(words="x"))

"""Attacks on the integrated plan, as the other side would try them.

A care-team member without plan consent sees only its own actions; a former member sees
nothing; a client never reaches another client's plan; forged forms change nothing.
"""

from __future__ import annotations

import re
import uuid
from uuid import UUID

from consent.tables import Consent
from hub import clock
from hub.tables import AuditEvent, ClientAccount
from plans import content
from plans.schemas import ActionForm, GoalForm, ProfileForm
from plans.tables import Action, CareTeamMember, Goal, LeadChoice
from referrals import moves
from referrals.schemas import MoveForm
from referrals.tables import Referral
from tests.consent.factories import registered_client
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.factories import Team, choose, team
from tests.support import csrf_from, password_hash, post_form, sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)

UUIDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def main_of(html: str) -> str:
    """The page's <main>, ids blanked: what the person actually reads."""
    return UUIDS.sub("<id>", html.split("<main", 1)[1])


async def _account(client_id: UUID, username: str) -> str:
    now = clock.now()
    await ClientAccount.insert(
        ClientAccount(
            client=client_id,
            username=username,
            password_hash=password_hash(),
            active=True,
            created_at=now,
            password_changed_at=now,
        )
    )
    return username


async def _plan(t: Team) -> dict[str, UUID]:
    """Housing First leads; a goal with an action each for Housing First and Peer Support."""
    await choose(t, t.net.partner_worker)
    await content.update_profile(
        t.net.recipient, t.net.client.id, ProfileForm(strengths="Secret strengths")
    )
    goal = await content.add_goal(
        t.net.recipient, t.net.client.id, GoalForm(words="Leave the violent relationship")
    )
    housing = await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(
            goal_id=str(goal),
            description="Safe house viewing",
            organisation_id=str(t.net.partner.id),
        ),
    )
    peer = await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(
            goal_id=str(goal), description="Peer group on Tuesdays", organisation_id=str(t.third.id)
        ),
    )
    return {"goal": goal, "housing": housing, "peer": peer}


async def test_a_member_without_plan_consent_sees_only_its_own_actions(client) -> None:
    t = await team()  # the plan is shared with the hub and Housing First, not Peer Support
    await _plan(t)
    await sign_in(client, t.third_worker.email)

    page = await client.get(f"/plans/{t.net.client.id}")

    assert page.status_code == 200
    seen = main_of(page.text)
    assert "Peer group on Tuesdays" in seen
    assert "Safe house viewing" not in seen
    assert "Leave the violent relationship" not in seen
    assert "Secret strengths" not in seen
    assert "has not agreed to share their plan with Peer Support Dundee" in seen
    assert "Add an action" not in seen
    assert "Record a review" not in seen


async def test_a_former_member_whose_referral_closed_gets_nothing(client, other_client) -> None:
    t = await team()
    ids = await _plan(t)
    await sign_in(client, t.third_worker.email)
    url = f"/plans/{t.net.client.id}"
    assert (await client.get(url)).status_code == 200
    token = csrf_from((await client.get(url)).text)
    referral = await Referral.select(Referral.id).where(
        Referral.recipient_organisation == t.third.id
    )
    await moves.move(
        t.third_principal,
        referral[0]["id"],
        MoveForm(action="complete", version=2, outcome_code="need_met"),
    )

    plan = await client.get(url)
    team_page = await client.get(f"{url}/team")
    update = await client.post(
        f"{url}/actions/{ids['peer']}", data={"_csrf_token": token, "status": "done"}
    )
    made_up = await client.get(f"/plans/{uuid.uuid4()}")

    assert plan.status_code == team_page.status_code == update.status_code == 404
    assert main_of(plan.text) == main_of(made_up.text)
    row = await Action.select(Action.status).where(Action.id == ids["peer"]).first()
    assert row["status"] == "not_started"
    refused = await AuditEvent.count().where(AuditEvent.action == "plan.refused")
    assert refused >= 2


async def test_an_organisation_not_on_the_team_gets_the_same_404_as_a_made_up_id(client) -> None:
    t = await team()
    await _plan(t)
    await sign_in(client, t.net.outsider_worker.email)

    real = await client.get(f"/plans/{t.net.client.id}")
    real_team = await client.get(f"/plans/{t.net.client.id}/team")
    fake = await client.get(f"/plans/{uuid.uuid4()}")

    assert real.status_code == real_team.status_code == fake.status_code == 404
    assert main_of(real.text) == main_of(fake.text)


async def test_a_client_cannot_reach_another_clients_plan(client) -> None:
    t = await team()
    ids = await _plan(t)
    other = await registered_client(t.net.hub, full_name="Sam Other")
    await sign_in_client(client, await _account(other.id, "sam"))

    own = await client.get("/portal/plan")
    staff_page = await client.get(f"/plans/{t.net.client.id}")
    staff_team = await client.get(f"/plans/{t.net.client.id}/team")
    token = csrf_from(own.text)
    agree = await client.post(
        f"/portal/plan/goals/{ids['goal']}/agree", data={"_csrf_token": token}
    )
    forged_lead = await client.post(
        "/portal/plan/lead",
        data={"_csrf_token": token, "staff_id": str(t.net.partner_worker.id)},
    )
    staff_form = await client.post(
        f"/plans/{t.net.client.id}/goals", data={"_csrf_token": token, "words": "Planted"}
    )
    staff_action = await client.post(
        f"/plans/{t.net.client.id}/actions/{ids['peer']}",
        data={"_csrf_token": token, "status": "done"},
    )

    assert own.status_code == 200
    assert "Leave the violent relationship" not in own.text
    assert "Robin Client" not in own.text
    assert staff_page.status_code == staff_team.status_code == 403
    assert "Leave the violent relationship" not in staff_page.text
    assert agree.status_code == 404
    assert forged_lead.status_code == 422  # Pat is not on Sam's team
    assert staff_form.status_code == staff_action.status_code == 403
    goal = await Goal.select(Goal.status).where(Goal.id == ids["goal"]).first()
    assert goal["status"] == "proposed"
    assert await Goal.count() == 1
    assert await LeadChoice.count().where(LeadChoice.client == other.id) == 0
    row = await Action.select(Action.status).where(Action.id == ids["peer"]).first()
    assert row["status"] == "not_started"


async def test_a_member_cannot_update_another_organisations_action(client) -> None:
    t = await team()  # the hub may see the plan but is not the lead
    ids = await _plan(t)
    await sign_in(client, t.net.hub_worker.email)
    url = f"/plans/{t.net.client.id}"
    page = await client.get(url)
    assert f'action="{url}/actions/{ids["housing"]}"' not in page.text  # no form offered

    forged = await post_form(client, f"{url}/actions/{ids['housing']}", {"status": "done"}, url)

    assert forged.status_code == 403
    row = await Action.select(Action.status).where(Action.id == ids["housing"]).first()
    assert row["status"] == "not_started"


async def test_a_member_without_consent_cannot_touch_other_actions_or_goals(client) -> None:
    t = await team()
    ids = await _plan(t)
    await sign_in(client, t.third_worker.email)
    url = f"/plans/{t.net.client.id}"

    other_action = await post_form(
        client, f"{url}/actions/{ids['housing']}", {"status": "stopped"}, url
    )
    agree = await post_form(client, f"{url}/goals/{ids['goal']}/agree", {}, url)
    add_goal = await post_form(client, f"{url}/goals", {"words": "Planted"}, url)
    add_action = await post_form(
        client,
        f"{url}/actions",
        {
            "goal_id": str(ids["goal"]),
            "description": "Planted",
            "organisation_id": str(t.third.id),
        },
        url,
    )
    own = await post_form(client, f"{url}/actions/{ids['peer']}", {"status": "in_progress"}, url)

    assert other_action.status_code == 404  # it cannot even know that action exists
    assert agree.status_code == add_goal.status_code == add_action.status_code == 403
    assert own.status_code == 303  # its own action it can move
    rows = {r["id"]: r["status"] for r in await Action.select(Action.id, Action.status)}
    assert rows == {ids["housing"]: "not_started", ids["peer"]: "in_progress"}
    assert await Goal.count() == 1


async def test_over_posted_organisation_fields_are_ignored(client, other_client) -> None:
    t = await team(plan_consent=False)
    await sign_in_client(client, await _account(t.net.client.id, "robin"))
    await post_form(
        client,
        "/portal/plan/lead",
        {"staff_id": str(t.net.partner_worker.id), "how": "phone", "how_note": "forged"},
        form_page="/portal/plan/lead",
    )
    shared = await post_form(
        client,
        "/portal/plan/share",
        {"answer": "yes", "organisation_id": str(t.net.outsider.id)},
        form_page="/portal/plan/share",
    )
    assert shared.status_code == 303
    choice = await LeadChoice.select(LeadChoice.how, LeadChoice.how_note).first()
    assert choice == {"how": "portal", "how_note": ""}
    consents = await Consent.select(Consent.organisation_ids).output(load_json=True)
    named = {org for row in consents for org in row["organisation_ids"]}
    assert str(t.net.outsider.id) not in named
    assert str(t.net.partner.id) in named

    async with other_client() as hub:
        await sign_in(hub, t.net.hub_worker.email)
        url = f"/plans/{t.net.client.id}/team"
        colleague = await post_form(
            hub,
            f"{url}/members",
            {
                "member_staff_id": str(t.net.outsider_worker.id),
                "organisation_id": str(t.net.outsider.id),
            },
            url,
        )
        assert colleague.status_code == 422
        assert await CareTeamMember.count() == 0


async def test_a_member_cannot_give_an_action_to_another_organisation(client) -> None:
    t = await team()
    ids = await _plan(t)
    await sign_in(client, t.net.hub_worker.email)
    url = f"/plans/{t.net.client.id}"

    refused = await post_form(
        client,
        f"{url}/actions",
        {
            "goal_id": str(ids["goal"]),
            "description": "Housing First to do this",
            "organisation_id": str(t.net.partner.id),
        },
        url,
    )

    assert refused.status_code == 422
    assert "You can only add actions for your own organisation" in refused.text
    assert await Action.count() == 2


async def test_words_in_the_plan_are_shown_as_text_never_as_markup(client, other_client) -> None:
    t = await team()
    await choose(t, t.net.partner_worker)
    attack = '<img src=x onerror="alert(1)">'
    goal = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words=attack))
    await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(goal_id=str(goal), description=attack, organisation_id=str(t.net.partner.id)),
    )
    await sign_in(client, t.net.partner_worker.email)
    staff = await client.get(f"/plans/{t.net.client.id}")
    async with other_client() as portal:
        await sign_in_client(portal, await _account(t.net.client.id, "robin"))
        own = await portal.get("/portal/plan")
        copy = await portal.get("/portal/plan/copy")

    for page in (staff, own, copy):
        assert page.status_code == 200
        assert "<img src=x" not in page.text
        assert "&lt;img src=x onerror=" in page.text

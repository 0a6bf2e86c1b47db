"""The client's plan in the portal: choosing the lead (and sharing the plan), changing it,
goals in their own words, agreeing a suggested goal, and their copy of the plan."""

from __future__ import annotations

from uuid import UUID

from consent.tables import Consent
from consent.vocabulary import PLAN, PLAN_SHARING
from hub import clock
from hub.tables import ClientAccount
from plans import content
from plans.access import plan_access
from plans.schemas import ActionForm, GoalForm
from plans.tables import Goal, LeadChoice
from plans.vocabulary import LEAD_EXPLANATION
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.factories import Team, choose, team
from tests.support import password_hash, post_form, sign_in_client

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)


async def portal_account(client_id: UUID, username: str = "robin") -> str:
    """Give the client a portal account; returns the username."""
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


async def plan_consents(t: Team) -> list[dict]:
    """The client's consents that cover only the plan (what sharing it online makes)."""
    rows = await Consent.select().where(Consent.client == t.net.client.id).output(load_json=True)
    return [row for row in rows if row["categories"] == [PLAN]]


async def _signed_in(client, *, plan_consent: bool = True) -> Team:
    t = await team(plan_consent=plan_consent)
    await sign_in_client(client, await portal_account(t.net.client.id))
    return t


async def test_the_client_chooses_a_lead_and_agrees_to_share_the_plan(client) -> None:
    t = await _signed_in(client, plan_consent=False)
    home = await client.get("/")
    assert 'href="/portal/plan"' in home.text
    choose_page = await client.get("/portal/plan/lead")
    assert LEAD_EXPLANATION in choose_page.text
    assert "Pat Partner" in choose_page.text
    assert "Oz Outsider" not in choose_page.text

    chosen = await post_form(
        client, "/portal/plan/lead", {"staff_id": str(t.net.partner_worker.id)}
    )

    assert chosen.headers["location"] == "/portal/plan/share"
    question = await client.get("/portal/plan/share")
    assert "Can Housing First see your plan?" in question.text
    assert not (await plan_access(t.net.recipient, t.net.client.id)).sees_all
    shared = await post_form(client, "/portal/plan/share", {"answer": "yes"})
    assert shared.headers["location"] == "/portal/plan?done=shared"
    [consent] = await plan_consents(t)
    assert consent["organisation_ids"] == [str(t.net.partner.id)]
    assert consent["purposes"] == [PLAN_SHARING]
    assert consent["given_by"] == "client"
    assert (await plan_access(t.net.recipient, t.net.client.id)).sees_all
    plan = await client.get(shared.headers["location"])
    assert "Thank you. Housing First can see your plan now.</p>" in plan.text
    assert "&lt;" not in plan.text
    assert "Pat Partner from Housing First is your lead professional" in plan.text
    after = await client.get("/portal/plan/share")
    assert after.headers["location"] == "/portal/plan"  # nothing left to ask


async def test_not_now_keeps_the_lead_without_sharing(client) -> None:
    t = await _signed_in(client, plan_consent=False)
    await post_form(
        client,
        "/portal/plan/lead",
        {"staff_id": str(t.net.partner_worker.id)},
        form_page="/portal/plan/lead",
    )

    question = await client.get("/portal/plan/share")
    assert 'href="/portal/plan?done=lead"' in question.text
    page = await client.get("/portal/plan?done=lead")

    assert "Done. Pat Partner is your lead professional now." in page.text
    assert await plan_consents(t) == []
    assert not (await plan_access(t.net.recipient, t.net.client.id)).sees_all


async def test_the_client_changes_their_lead_and_sees_every_choice(client) -> None:
    t = await _signed_in(client)
    first = await post_form(client, "/portal/plan/lead", {"staff_id": str(t.net.partner_worker.id)})
    assert first.headers["location"] == "/portal/plan?done=lead"  # already shared

    again = await post_form(client, "/portal/plan/lead", {"staff_id": str(t.net.hub_worker.id)})

    assert again.headers["location"] == "/portal/plan?done=lead"
    page = await client.get("/portal/plan/lead")
    assert "Change your lead professional" in page.text
    assert "At the moment it is Hana Hub from Lochee Hub." in page.text
    assert "Pat Partner from Housing First, chosen on" in page.text
    assert ", until " in page.text
    assert "Hana Hub from Lochee Hub, chosen on" in page.text
    rows = await LeadChoice.select(LeadChoice.how, LeadChoice.recorded_by_kind)
    assert rows == [{"how": "portal", "recorded_by_kind": "client"}] * 2


async def test_choosing_the_same_lead_again_or_nobody_shows_an_error(client) -> None:
    t = await _signed_in(client)
    await choose(t, t.net.partner_worker)

    same = await post_form(client, "/portal/plan/lead", {"staff_id": str(t.net.partner_worker.id)})
    nobody = await post_form(client, "/portal/plan/lead", {}, form_page="/portal/plan/lead")

    assert same.status_code == nobody.status_code == 422
    assert "Pat Partner is already the lead professional" in same.text
    assert 'href="#staff_id"' in nobody.text
    assert await LeadChoice.count() == 1


async def test_the_client_adds_a_goal_in_their_own_words(client) -> None:
    await _signed_in(client)

    added = await post_form(
        client,
        "/portal/plan/goals",
        {"words": "Cook for my kids again", "success": "Sunday dinner", "priority": "1"},
        form_page="/portal/plan",
    )

    assert added.headers["location"] == "/portal/plan?done=goal"
    goal = await Goal.select().first()
    assert (goal["status"], goal["proposed_by_kind"]) == ("agreed", "client")
    page = await client.get(added.headers["location"])
    assert "“Cook for my kids again”" in page.text
    assert "What success looks like to you: Sunday dinner" in page.text

    empty = await post_form(client, "/portal/plan/goals", {"words": ""}, "/portal/plan")
    assert empty.status_code == 422
    assert 'href="#words"' in empty.text


async def test_the_client_agrees_a_goal_the_lead_suggested(client) -> None:
    t = await _signed_in(client)
    await choose(t, t.net.partner_worker)
    goal_id = await content.add_goal(
        t.net.recipient, t.net.client.id, GoalForm(words="Register with a GP")
    )
    page = await client.get("/portal/plan")
    assert "Goals waiting for you to agree" in page.text
    assert (
        'I agree<span class="govuk-visually-hidden"> with the goal: Register with a GP' in page.text
    )

    agreed = await post_form(client, f"/portal/plan/goals/{goal_id}/agree", {}, "/portal/plan")

    assert agreed.headers["location"] == "/portal/plan?done=agreed"
    assert (await Goal.select(Goal.status).first())["status"] == "agreed"
    after = await client.get("/portal/plan")
    assert "Goals waiting for you to agree" not in after.text


async def test_the_plan_copy_is_plain_and_printable(client) -> None:
    t = await _signed_in(client)
    await choose(t, t.net.partner_worker)
    goal_id = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="A flat"))
    await content.agree_goal(t.client_principal, t.net.client.id, goal_id)
    await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(
            goal_id=str(goal_id),
            description="View flats together",
            organisation_id=str(t.net.partner.id),
            staff_id=str(t.net.partner_worker.id),
        ),
    )

    copy = await client.get("/portal/plan/copy")

    assert copy.status_code == 200
    html = copy.text
    assert "Your support plan" in html
    assert "Robin Client" in html
    assert "Pat Partner, Housing First" in html
    assert "“A flat”" in html
    assert "View flats together." in html
    assert "Pat Partner at Housing First is doing this" in html
    assert "Use your browser's Print" in html
    assert 'class="wa-sheet"' in html
    assert copy.headers["cache-control"] == "no-store"


async def test_staff_cannot_use_the_portal_plan(client) -> None:
    t = await team()
    from tests.support import sign_in

    await sign_in(client, t.net.hub_worker.email)

    assert (await client.get("/portal/plan")).status_code == 403
    assert (await client.get("/portal/plan/copy")).status_code == 403

"""Staff plan pages over HTTP: the plan, its forms, the care team and recording the lead."""

from __future__ import annotations

from datetime import timedelta

from consent.portal import share_plan_with
from hub import clock
from plans import content
from plans.schemas import ActionForm, GoalForm
from plans.tables import Action, CareTeamMember, Goal, LeadChoice, Plan
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.factories import Team, choose, team
from tests.support import csrf_from, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)


def select_of(html: str, field: str) -> str:
    """The <select> element with that id, as HTML."""
    return html.split(f'id="{field}"', 1)[1].split("</select>", 1)[0]


async def _lead_signed_in(client) -> Team:
    """Housing First's worker leads the client's plan and is signed in."""
    t = await team()
    await choose(t, t.net.partner_worker)
    await sign_in(client, t.net.partner_worker.email)
    return t


async def _goal_with_actions(t: Team) -> tuple:
    goal_id = await content.add_goal(
        t.net.recipient, t.net.client.id, GoalForm(words="A flat of my own", success="Keys")
    )
    ours = await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(
            goal_id=str(goal_id),
            description="View flats together",
            organisation_id=str(t.net.partner.id),
        ),
    )
    theirs = await content.add_action(
        t.net.recipient,
        t.net.client.id,
        ActionForm(
            goal_id=str(goal_id),
            description="Peer group on Tuesdays",
            organisation_id=str(t.third.id),
            due_on=(clock.now() - timedelta(days=3)).date(),
        ),
    )
    return goal_id, ours, theirs


async def test_the_lead_sees_the_whole_plan_with_its_forms(client) -> None:
    t = await _lead_signed_in(client)
    await _goal_with_actions(t)

    page = await client.get(f"/plans/{t.net.client.id}")

    assert page.status_code == 200
    html = page.text
    assert "Robin Client" in html
    assert "Pat Partner, Housing First" in html
    assert "“A flat of my own”" in html
    assert "View flats together" in html
    assert "Peer group on Tuesdays" in html
    assert "Overdue" in html  # the peer action was due three days ago
    assert f'action="/plans/{t.net.client.id}/goals"' in html
    assert f'href="/plans/{t.net.client.id}/reviews/new"' in html
    assert f'href="/plans/{t.net.client.id}/close"' in html
    assert "The client agreed this goal" in html
    assert "Save strengths" in html
    assert "&lt;" not in html  # labels with hidden text are markup, not escaped text


async def test_the_lead_adds_a_goal_which_stays_proposed_until_recorded_as_agreed(client) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}"

    added = await post_form(
        client,
        f"{url}/goals",
        {"words": "Get back in touch with my sister", "success": "A visit", "priority": "1"},
        form_page=url,
    )

    assert added.status_code == 303
    assert added.headers["location"] == f"{url}?done=goal"
    goal = await Goal.select().first()
    assert (goal["words"], goal["priority"], goal["status"]) == (
        "Get back in touch with my sister",
        1,
        "proposed",
    )
    shown = await client.get(added.headers["location"])
    assert "It stays proposed until the client agrees it" in shown.text
    agreed = await post_form(client, f"{url}/goals/{goal['id']}/agree", {}, form_page=url)
    assert agreed.headers["location"] == f"{url}?done=agreed"
    assert (await Goal.select(Goal.status).first())["status"] == "agreed"


async def test_a_goal_without_words_shows_the_error_summary(client) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}"

    refused = await post_form(client, f"{url}/goals", {"words": " ", "success": "x"}, url)

    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert 'href="#words"' in refused.text
    assert "Enter the goal in the client&#39;s own words" in refused.text
    assert await Goal.count() == 0


async def test_the_lead_adds_actions_for_team_organisations_with_a_due_date(client) -> None:
    t = await _lead_signed_in(client)
    goal_id = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="A flat"))
    url = f"/plans/{t.net.client.id}"
    form = await client.get(url)
    organisations = select_of(form.text, "organisation_id")
    assert f'<option value="{t.third.id}"' in organisations  # every team organisation
    assert f'<option value="{t.net.hub.id}"' in organisations
    assert f'<option value="{t.net.outsider.id}"' not in organisations

    added = await post_form(
        client,
        f"{url}/actions",
        {
            "goal_id": str(goal_id),
            "description": "Introduce Robin to the peer group",
            "organisation_id": str(t.third.id),
            "staff_id": str(t.third_worker.id),
            "due_on-day": "3",
            "due_on-month": "3",
            "due_on-year": "2031",
            "status": "not_started",
        },
        url,
    )

    assert added.status_code == 303
    action = await Action.select().first()
    assert action["organisation"] == t.third.id
    assert action["staff"] == t.third_worker.id
    assert str(action["due_on"]) == "2031-03-03"
    shown = await client.get(url)
    assert "Peer Support Dundee (Pia Peer), due 3 March 2031" in shown.text


async def test_a_bad_due_date_keeps_what_was_typed(client) -> None:
    t = await _lead_signed_in(client)
    goal_id = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="A flat"))
    url = f"/plans/{t.net.client.id}"

    refused = await post_form(
        client,
        f"{url}/actions",
        {
            "goal_id": str(goal_id),
            "description": "Phone the council",
            "organisation_id": str(t.net.partner.id),
            "due_on-day": "31",
            "due_on-month": "2",
            "due_on-year": "2031",
        },
        url,
    )

    assert refused.status_code == 422
    assert "Enter a real date" in refused.text
    assert "Phone the council" in refused.text
    assert 'value="31"' in refused.text
    assert await Action.count() == 0


async def test_updating_an_action_and_its_errors_point_at_that_action(client) -> None:
    t = await _lead_signed_in(client)
    _, ours, _ = await _goal_with_actions(t)
    url = f"/plans/{t.net.client.id}"

    done = await post_form(
        client,
        f"{url}/actions/{ours}",
        {"status": "done", "due_on-day": "", "due_on-month": "", "due_on-year": ""},
        url,
    )
    assert done.headers["location"] == f"{url}?done=updated"
    row = await Action.select(Action.status).where(Action.id == ours).first()
    assert row["status"] == "done"

    refused = await post_form(client, f"{url}/actions/{ours}", {"status": "sideways"}, url)
    assert refused.status_code == 422
    assert f'href="#status-{ours}"' in refused.text
    assert f'id="status-{ours}-error"' in refused.text


async def test_the_lead_saves_strengths(client) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}"

    saved = await post_form(
        client, f"{url}/profile", {"strengths": "Funny, stubborn", "obstacles": "Debts"}, url
    )

    assert saved.headers["location"] == f"{url}?done=profile"
    plan = await Plan.select(Plan.strengths, Plan.obstacles).first()
    assert plan == {"strengths": "Funny, stubborn", "obstacles": "Debts"}


async def test_a_consented_member_who_is_not_lead_adds_only_its_own_actions(client) -> None:
    t = await team()
    await choose(t, t.net.partner_worker)
    goal_id = await content.add_goal(t.net.recipient, t.net.client.id, GoalForm(words="A flat"))
    await sign_in(client, t.net.hub_worker.email)
    url = f"/plans/{t.net.client.id}"

    page = await client.get(url)

    assert page.status_code == 200
    assert "“A flat”" in page.text
    assert "Add a goal" not in page.text
    assert "Save strengths" not in page.text
    organisations = select_of(page.text, "organisation_id")
    assert f'<option value="{t.net.hub.id}"' in organisations
    assert f'<option value="{t.net.partner.id}"' not in organisations
    added = await post_form(
        client,
        f"{url}/actions",
        {"goal_id": str(goal_id), "description": "Food bank", "organisation_id": str(t.net.hub.id)},
        url,
    )
    assert added.status_code == 303
    assert (await Action.select(Action.organisation).first())["organisation"] == t.net.hub.id


async def test_the_team_page_shows_organisations_people_and_lead_history(client) -> None:
    t = await team()
    await choose(t, t.net.hub_worker)
    await choose(t, t.net.partner_worker)
    await sign_in(client, t.net.partner_worker.email)

    page = await client.get(f"/plans/{t.net.client.id}/team")

    assert page.status_code == 200
    html = page.text
    assert "Robin Client" in html
    assert "<strong>Lochee Hub</strong>: registered them" in html
    assert "working on a referral" in html
    assert "Pia Peer" in html
    assert html.count("The client chose online") == 3  # current lead + two history rows
    assert "Hana Hub, Lochee Hub" in html
    assert "Now" in html


async def test_a_worker_adds_and_removes_a_colleague(client) -> None:
    t = await team()
    await sign_in(client, t.net.partner_worker.email)
    url = f"/plans/{t.net.client.id}/team"
    page = await client.get(url)
    colleagues = select_of(page.text, "member_staff_id")
    assert f'<option value="{t.net.partner_colleague.id}"' in colleagues
    assert f'<option value="{t.net.hub_worker.id}"' not in colleagues

    added = await post_form(
        client, f"{url}/members", {"member_staff_id": str(t.net.partner_colleague.id)}, url
    )

    assert added.headers["location"] == f"{url}?done=added"
    member = await CareTeamMember.select().first()
    assert member["staff"] == t.net.partner_colleague.id
    shown = await client.get(url)
    assert 'Remove<span class="govuk-visually-hidden"> Cal Colleague from the team' in shown.text
    removed = await post_form(client, f"{url}/members/{member['id']}/remove", {}, url)
    assert removed.headers["location"] == f"{url}?done=removed"
    assert (await CareTeamMember.select().first())["removed_at"] is not None


async def test_adding_someone_from_another_organisation_is_refused(client) -> None:
    t = await team()
    await sign_in(client, t.net.partner_worker.email)
    url = f"/plans/{t.net.client.id}/team"

    refused = await post_form(
        client, f"{url}/members", {"member_staff_id": str(t.net.hub_worker.id)}, url
    )

    assert refused.status_code == 422
    assert 'href="#member_staff_id"' in refused.text
    assert await CareTeamMember.count() == 0


async def test_recording_the_clients_choice_asks_for_plan_consent_when_missing(client) -> None:
    t = await team()  # the client shared the plan with the hub and Housing First, not Peer Support
    await sign_in(client, t.net.hub_worker.email)
    url = f"/plans/{t.net.client.id}/team"

    recorded = await post_form(
        client,
        f"{url}/lead",
        {"staff_id": str(t.third_worker.id), "how": "phone", "how_note": "Rang on Monday"},
        url,
    )

    assert recorded.headers["location"] == f"{url}?done=lead"
    choice = await LeadChoice.select().first()
    assert (choice["staff"], choice["how"], choice["how_note"]) == (
        t.third_worker.id,
        "phone",
        "Rang on Monday",
    )
    page = await client.get(recorded.headers["location"])
    assert "Recorded: Pia Peer is now the lead professional.</p>" in page.text
    assert "Peer Support Dundee cannot see the plan yet" in page.text
    assert f"/clients/{t.net.client.id}/consents/new?organisation={t.third.id}" in page.text
    assert "The client told me by phone: Rang on Monday" in page.text


async def test_recording_a_choice_needs_how_it_was_made(client) -> None:
    t = await team()
    await sign_in(client, t.net.hub_worker.email)
    url = f"/plans/{t.net.client.id}/team"

    no_way = await post_form(client, f"{url}/lead", {"staff_id": str(t.third_worker.id)}, url)
    other = await post_form(
        client, f"{url}/lead", {"staff_id": str(t.third_worker.id), "how": "other"}, url
    )
    portal = await post_form(
        client, f"{url}/lead", {"staff_id": str(t.third_worker.id), "how": "portal"}, url
    )

    assert no_way.status_code == other.status_code == portal.status_code == 422
    assert 'href="#how"' in no_way.text
    assert 'href="#how_note"' in other.text
    assert await LeadChoice.count() == 0


async def test_the_record_links_to_the_care_team_and_plan(client) -> None:
    t = await team()
    await sign_in(client, t.net.hub_worker.email)

    record = await client.get(f"/clients/{t.net.client.id}")

    assert f'href="/plans/{t.net.client.id}">Care team and plan</a>' in record.text


async def test_forms_need_the_csrf_token(client) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}"
    csrf_from((await client.get(url)).text)

    forged = await client.post(f"{url}/goals", data={"words": "Planted"})

    assert forged.status_code == 403
    assert await Goal.count() == 0


async def test_the_plan_shows_the_name_the_record_may_show(client) -> None:
    t = await team(plan_consent=False)  # identity shared for coordinating support only
    await choose(t, t.net.partner_worker)
    await share_plan_with(t.client_principal, t.net.partner.id)
    await sign_in(client, t.net.partner_worker.email)

    page = await client.get(f"/plans/{t.net.client.id}")

    assert '<span class="govuk-caption-l">Robin Client</span>' in page.text
    assert "<title>Support plan for Robin Client" in page.text


async def test_a_forged_value_of_the_wrong_type_is_a_form_error(client) -> None:
    t = await _lead_signed_in(client)
    url = f"/plans/{t.net.client.id}"

    refused = await post_form(client, f"{url}/goals", {"words": "A flat", "priority": "top"}, url)

    assert refused.status_code == 422
    assert 'href="#priority"' in refused.text
    assert await Goal.count() == 0

"""The referral pages through HTTP: send, read, move, write in the thread, the inbox."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from consent import consents, policy
from consent.vocabulary import CONTACT, IDENTITY, MENTAL_HEALTH, NEEDS
from hub.audit import Actor
from hub.tables import Notification
from referrals.tables import Referral, ReferralMessage
from tests.consent.factories import consent_to, registered_client
from tests.consent.fixtures import client, other_client, pooled
from tests.directory.factories import make_service
from tests.referrals.factories import Network, network, sent
from tests.support import csrf_from, make_organisation, post_form, sign_in

__all__ = ["client", "other_client", "pooled"]  # browsers on one shared app (tests/consent)

ROWS = re.compile(r'<a class="govuk-link" href="/referrals/([0-9a-f-]{36})"')
CHECKED = re.compile(r'value="([a-z_]+)" checked')


def send_form(net: Network, **changes: Any) -> dict[str, Any]:
    """The send form as a worker fills it in."""
    values: dict[str, Any] = {
        "service_id": str(net.service_id),
        "client_id": str(net.client.id),
        "reason_client": "I need somewhere safe to stay",
        "reason_worker": "Sleeping rough for two weeks",
        "client_wants": "A tenancy of my own",
        "urgency": "soon",
        "contact_how": "phone",
        "contact_when": "Mornings",
        "categories": [IDENTITY, CONTACT],
    }
    values.update(changes)
    return values


def new_page(net: Network) -> str:
    """The send form's address for the network's client and service."""
    return f"/referrals/new?service={net.service_id}&client={net.client.id}"


async def status_of(referral_id: UUID) -> str:
    """The referral's status now."""
    row = await Referral.select(Referral.status).where(Referral.id == referral_id).first()
    assert row is not None
    return str(row["status"])


async def move_form(browser: Any, referral_id: UUID, **data: Any) -> Any:
    """Post a move from the referral page, with the version the page shows unless given."""
    page = await browser.get(f"/referrals/{referral_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    fields = {"version": version.group(1) if version else "0", **data}
    return await browser.post(
        f"/referrals/{referral_id}/move", data={**fields, "_csrf_token": csrf_from(page.text)}
    )


async def test_worker_picks_a_client_and_sends_a_referral(client):
    net = await network()
    await sign_in(client, net.hub_worker.email)

    choose = await client.get(f"/referrals/new?service={net.service_id}")
    assert choose.status_code == 200
    assert "Who are you referring?" in choose.text
    assert "Robin Client" in choose.text
    assert "Housing First Dundee" in choose.text
    assert "Replies within" in choose.text

    form = await client.get(new_page(net))
    assert form.status_code == 200
    # What the consent covers comes ticked; nothing else does.
    assert set(CHECKED.findall(form.text)) == {IDENTITY, CONTACT, NEEDS, "routine"}

    sent_page = await post_form(client, "/referrals/new", send_form(net), new_page(net))
    assert sent_page.status_code == 303
    referral_id = UUID(sent_page.headers["location"].rsplit("/", 1)[1])
    row = await Referral.select().where(Referral.id == referral_id).output(load_json=True).first()
    assert row["status"] == "requested"
    assert row["categories"] == [IDENTITY, CONTACT]
    assert row["consent_id"] == net.consent_id

    shown = await client.get(sent_page.headers["location"])
    assert shown.status_code == 200
    for text in ("Requested", "Robin Client", "I need somewhere safe to stay", "Phone call"):
        assert text in shown.text
    assert "The client's consent, version 1" in shown.text
    assert "By the end of" in shown.text  # the response target, as a day


async def test_missing_consent_names_what_is_missing_and_sends_nothing(client):
    net = await network()
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    await sign_in(client, net.hub_worker.email)

    form = await client.get(new_page(net))
    assert "Robin Client has not agreed to share anything with Housing First yet" in form.text

    answer = await post_form(client, "/referrals/new", send_form(net), new_page(net))
    assert answer.status_code == 422
    assert "Nothing has been sent" in answer.text
    assert "Housing First" in answer.text
    link = f"/clients/{net.client.id}/consents/new?organisation={net.partner.id}"
    assert link in answer.text
    assert await Referral.count() == 0

    consent_form = await client.get(link)
    assert consent_form.status_code == 200
    ticked = re.findall(
        r'name="organisation_ids" type="checkbox" value="([^"]+)" checked', consent_form.text
    )
    assert ticked == [str(net.partner.id)]


async def test_a_category_outside_the_consent_is_named(client):
    net = await network()
    await sign_in(client, net.hub_worker.email)
    answer = await post_form(
        client,
        "/referrals/new",
        send_form(net, categories=[IDENTITY, MENTAL_HEALTH]),
        new_page(net),
    )
    assert answer.status_code == 422
    assert "Mental health" in answer.text
    assert "Nothing has been sent" in answer.text
    assert await Referral.count() == 0


async def test_form_errors_come_back_with_a_summary(client):
    net = await network()
    await sign_in(client, net.hub_worker.email)
    answer = await post_form(
        client,
        "/referrals/new",
        send_form(net, reason_client="", contact_how="pigeon"),
        new_page(net),
    )
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    assert 'href="#reason_client"' in answer.text
    assert 'href="#contact_how"' in answer.text
    assert "Sleeping rough for two weeks" in answer.text  # what they typed is kept
    assert await Referral.count() == 0


async def test_service_without_network_referrals_is_refused(client):
    net = await network(referral_methods=["phone"])
    await sign_in(client, net.hub_worker.email)
    listing = await client.get(f"/directory/services/{net.service_id}")
    assert "Refer a client" not in listing.text

    form = await client.get(f"/referrals/new?service={net.service_id}")
    assert form.status_code == 422
    assert "does not take network referrals" in form.text
    answer = await post_form(
        client, "/referrals/new", send_form(net), f"/referrals/new?service={net.service_id}"
    )
    assert answer.status_code == 422
    assert await Referral.count() == 0


async def test_listing_and_search_result_offer_a_referral(client):
    net = await network()
    await sign_in(client, net.hub_worker.email)
    link = f'href="/referrals/new?service={net.service_id}"'
    assert link in (await client.get(f"/directory/services/{net.service_id}")).text
    assert link in (await client.get("/directory?q=Housing")).text


async def test_sender_and_recipient_see_it_and_an_outsider_gets_not_found(client, other_client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.hub_worker.email)
    mine = await client.get(f"/referrals/{referral_id}")
    assert mine.status_code == 200
    assert "Robin Client" in mine.text
    assert "Cancel this referral" in mine.text
    assert "Accept" not in re.sub(r"<[^>]+>", " ", mine.text).split("What you can do")[1][:200]

    async with other_client() as partner:
        await sign_in(partner, net.partner_worker.email)
        theirs = await partner.get(f"/referrals/{referral_id}")
        assert theirs.status_code == 200
        assert "Robin Client" in theirs.text
        assert "Decline this referral" in theirs.text
    async with other_client() as outsider:
        await sign_in(outsider, net.outsider_worker.email)
        refused = await outsider.get(f"/referrals/{referral_id}")
        assert refused.status_code == 404
        assert "Robin" not in refused.text


async def test_the_first_recipient_look_stamps_it_opened(client, other_client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.hub_worker.email)
    await client.get(f"/referrals/{referral_id}")
    row = await Referral.select(Referral.opened_at).where(Referral.id == referral_id).first()
    assert row["opened_at"] is None  # the sender looking is not "opened"

    async with other_client() as partner:
        await sign_in(partner, net.partner_worker.email)
        page = await partner.get(f"/referrals/{referral_id}")
        assert "Opened by the service" in page.text
    row = await Referral.select(Referral.opened_at).where(Referral.id == referral_id).first()
    assert row["opened_at"] is not None
    told = await Notification.select(Notification.subject).where(
        Notification.staff == net.hub_worker.id
    )
    assert any(n["subject"].endswith(": opened") for n in told)


async def test_recipient_accepts_starts_holds_resumes_and_completes(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    for action, status in (
        ("accept", "accepted"),
        ("start", "in-progress"),
        ("hold", "on-hold"),
        ("resume", "in-progress"),
    ):
        answer = await move_form(client, referral_id, action=action)
        assert answer.status_code == 303, action
        assert answer.headers["location"] == f"/referrals/{referral_id}?done=moved"
        assert await status_of(referral_id) == status

    no_outcome = await move_form(client, referral_id, action="complete")
    assert no_outcome.status_code == 422
    assert 'href="#complete-outcome_code"' in no_outcome.text
    assert await status_of(referral_id) == "in-progress"

    done = await move_form(
        client, referral_id, action="complete", outcome_code="need_met", outcome_note="Housed"
    )
    assert done.status_code == 303
    assert await status_of(referral_id) == "completed"
    tomb = await client.get(f"/referrals/{referral_id}")
    assert "Need met" in tomb.text
    assert "no longer shared with Housing First" in tomb.text
    assert "Robin Client" not in tomb.text


async def test_decline_needs_a_reason(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    refused = await move_form(client, referral_id, action="decline")
    assert refused.status_code == 422
    assert "Choose a reason" in refused.text
    assert 'id="decline-reason_code"' in refused.text
    assert await status_of(referral_id) == "requested"

    other = await move_form(client, referral_id, action="decline", reason_code="other")
    assert other.status_code == 422
    assert 'href="#decline-reason_note"' in other.text

    declined = await move_form(client, referral_id, action="decline", reason_code="no_capacity")
    assert declined.status_code == 303
    assert await status_of(referral_id) == "rejected"


async def test_sender_cancels_with_a_reason(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.hub_worker.email)
    answer = await move_form(client, referral_id, action="cancel", reason_code="need_met")
    assert answer.status_code == 303
    assert await status_of(referral_id) == "cancelled"
    page = await client.get(answer.headers["location"])
    assert "The referral has been updated." in page.text
    assert "The need has been met another way" in page.text


async def test_a_stale_page_loses_the_race_with_a_clear_message(client, other_client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    stale = await client.get(f"/referrals/{referral_id}")
    async with other_client() as colleague:
        await sign_in(colleague, net.partner_colleague.email)
        assert (await move_form(colleague, referral_id, action="accept")).status_code == 303

    late = await client.post(
        f"/referrals/{referral_id}/move",
        data={
            "_csrf_token": csrf_from(stale.text),
            "action": "decline",
            "version": "1",
            "reason_code": "no_capacity",
        },
    )
    assert late.status_code == 409
    assert "Nothing was changed" in late.text
    assert (
        "Since you opened this page, Cal Colleague, Housing First changed this referral: "
        "it is now accepted." in late.text
    )
    assert await status_of(referral_id) == "accepted"


async def test_a_stale_version_loses_even_when_the_status_looks_the_same(client, other_client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    await move_form(client, referral_id, action="accept")
    stale = await client.get(f"/referrals/{referral_id}")  # accepted, version 2
    async with other_client() as colleague:
        await sign_in(colleague, net.partner_colleague.email)
        await move_form(colleague, referral_id, action="hold")
        await move_form(colleague, referral_id, action="resume")
        await move_form(colleague, referral_id, action="hold")
    await client.get(f"/referrals/{referral_id}")
    late = await client.post(
        f"/referrals/{referral_id}/move",
        data={"_csrf_token": csrf_from(stale.text), "action": "resume", "version": "4"},
    )
    assert late.status_code == 409
    assert "Someone else changed this referral first by Cal Colleague" in late.text
    row = await Referral.select(Referral.version).where(Referral.id == referral_id).first()
    assert row["version"] == 5


async def test_both_sides_write_in_the_thread(client, other_client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.hub_worker.email)
    page = f"/referrals/{referral_id}"
    posted = await post_form(
        client, f"{page}/messages", {"body": "She prefers a female worker"}, page
    )
    assert posted.status_code == 303
    empty = await post_form(client, f"{page}/messages", {"body": "   "}, page)
    assert empty.status_code == 422
    assert 'href="#body"' in empty.text

    async with other_client() as partner:
        await sign_in(partner, net.partner_worker.email)
        seen = await partner.get(page)
        assert "She prefers a female worker" in seen.text
        assert "Hana Hub, Lochee Hub" in seen.text
        reply = await post_form(partner, f"{page}/messages", {"body": "Noted, thanks"}, page)
        assert reply.status_code == 303
    assert await ReferralMessage.count().where(ReferralMessage.referral == referral_id) == 2
    assert "Noted, thanks" in (await client.get(page)).text


async def test_tombstone_shows_status_but_not_the_client(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    await move_form(client, referral_id, action="decline", reason_code="not_eligible")
    tomb = await client.get(f"/referrals/{referral_id}")
    assert tomb.status_code == 200
    assert "Declined" in tomb.text
    assert "The client is not eligible for this service" in tomb.text
    for hidden in ("Robin Client", "I need somewhere safe to stay", "Mornings", "Conversation"):
        assert hidden not in tomb.text


async def test_suspended_after_consent_is_withdrawn(client, other_client):
    net = await network()
    referral_id = await sent(net)
    await consents.end_consent(net.consent_id, policy.WITHDRAWN, Actor.system(), "test")
    await sign_in(client, net.partner_worker.email)
    page = await client.get(f"/referrals/{referral_id}")
    assert page.status_code == 200
    assert "This referral is suspended" in page.text
    assert "The client withdrew their consent" in page.text
    assert "Lochee Hub has been told" in page.text
    assert "Robin Client" not in page.text
    assert "What you can do" not in page.text
    async with other_client() as hub:
        await sign_in(hub, net.hub_worker.email)
        assert "Robin Client" in (await hub.get(f"/referrals/{referral_id}")).text


async def test_inbox_groups_counts_search_and_pages_show_only_own_referrals(client):
    net = await network()
    sam = await registered_client(net.hub, full_name="Sam Other")
    await consent_to(sam.id, [net.partner], [IDENTITY], obtained_by=net.hub_worker)
    ids = [await sent(net) for _ in range(25)]
    sam_referral = await sent(net, client_id=str(sam.id), categories=[IDENTITY])
    elsewhere = await make_organisation("Food Bank")
    food = await make_service(elsewhere, name="Food parcels")
    await consent_to(net.client.id, [elsewhere], [IDENTITY], obtained_by=net.hub_worker)
    not_ours = await sent(net, service_id=str(food.id), categories=[IDENTITY])

    await sign_in(client, net.partner_worker.email)
    await client.get(f"/referrals/{ids[0]}")  # opened: now opened, not answered
    first = await client.get("/referrals")
    assert first.status_code == 200
    shown = ROWS.findall(first.text)
    assert len(shown) == 25
    assert shown[0] == str(sam_referral)  # newest first
    assert str(not_ours) not in first.text
    assert "New (25)" in first.text
    assert "Opened, not answered (1)" in first.text
    assert "26 referrals" in first.text
    second = await client.get("/referrals?page=2")
    assert ROWS.findall(second.text) == [str(ids[0])]

    found = await post_form(client, "/referrals", {"q": "sam"})
    assert ROWS.findall(found.text) == [str(sam_referral)]
    assert "q=sam" not in found.text  # a search is never carried into a link
    ignored = await client.get("/referrals?q=sam")  # the address never carries a search
    assert len(ROWS.findall(ignored.text)) == 25
    awaiting = await client.get("/referrals?group=awaiting")
    assert ROWS.findall(awaiting.text) == [str(ids[0])]
    assert "/referrals?box=received&amp;group=awaiting&amp;page=2" not in awaiting.text
    overdue = await client.get("/referrals?overdue=true")
    assert ROWS.findall(overdue.text) == []

    sent_box = await client.get("/referrals?box=sent")
    assert ROWS.findall(sent_box.text) == []


async def test_inbox_hides_names_on_closed_referrals(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.partner_worker.email)
    await move_form(client, referral_id, action="decline", reason_code="duplicate")
    inbox = await client.get("/referrals")
    assert ROWS.findall(inbox.text) == [str(referral_id)]
    assert "Robin Client" not in inbox.text
    assert "Closed (ref" in inbox.text
    assert "Closed (1)" in inbox.text


async def test_sender_sees_its_sent_box_and_home_counts(client):
    net = await network()
    referral_id = await sent(net)
    await sign_in(client, net.hub_worker.email)
    sent_box = await client.get("/referrals?box=sent")
    assert ROWS.findall(sent_box.text) == [str(referral_id)]
    assert "Robin Client" in sent_box.text
    home = await client.get("/")
    assert "Sent and not answered in time: 0" in home.text
    assert 'href="/referrals"' in home.text  # the navigation link

"""Re-routing: similar services accepting now, the chain kept, consent for the new organisation,
and the cancel and the new referral landing together or not at all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest

from consent import policy
from consent.vocabulary import CONTACT, IDENTITY, NEEDS
from hub import clock
from hub.errors import Forbidden, Invalid, NotFound, Refused
from hub.tables import Notification, Organisation, Staff
from referrals import moves, rerouting, sending, views
from referrals.schemas import MoveForm, RerouteForm
from referrals.tables import Referral, ReferralEvent
from tests.consent.factories import consent_to, principal, staff_member
from tests.directory.factories import make_service, need
from tests.referrals.factories import Network, network, sent
from tests.support import make_organisation, post_form, sign_in

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
REASON = "Not answered in a week; the client still needs a tenancy"


@dataclass
class Alternatives:
    """Services around the network's housing service."""

    net: Network
    housing_office: Organisation
    office_worker: Staff
    options: UUID  # housing + crisis, accepting: the closest match
    hillcrest: Organisation
    tenancy: UUID  # housing, assessment first


async def alternatives() -> Alternatives:
    """The network's service meets housing and crisis needs; around it, services that do not
    qualify for one reason each, and two that do."""
    clock.freeze(MONDAY)
    net = await network(terms=[need("housing"), need("crisis")], response_target_days=5)
    office = await make_organisation("Housing Office")
    hillcrest = await make_organisation("Hillcrest Futures")
    waitlist = await make_organisation("Positive Steps")
    office_worker = await staff_member(office, name="Olive Office")
    options = await make_service(
        office, name="Housing options", terms=[need("housing"), need("crisis")]
    )
    tenancy = await make_service(
        hillcrest,
        name="Tenancy support",
        terms=[need("housing"), need("money")],
        capacity_status="assessment_first",
        response_target_days=3,
    )
    # Each of these fails one rule.
    await make_service(hillcrest, name="Food parcels", terms=[need("food")])
    await make_service(
        waitlist, name="Outreach", terms=[need("housing")], capacity_status="waitlist"
    )
    await make_service(
        office, name="Phone line", terms=[need("housing")], referral_methods=["phone"]
    )
    await make_service(office, name="Old scheme", terms=[need("housing")], status="inactive")
    await make_service(net.partner, name="Housing First Perth", terms=[need("housing")])
    await make_service(net.hub, name="Hub drop-in", terms=[need("housing")])
    return Alternatives(
        net=net,
        housing_office=office,
        office_worker=office_worker,
        options=options.id,
        hillcrest=hillcrest,
        tenancy=tenancy.id,
    )


async def overdue_referral(alt: Alternatives) -> UUID:
    """A referral to the network's service, past its response target."""
    referral_id = await sent(alt.net)
    clock.advance(timedelta(days=10))
    return referral_id


async def state(referral_id: UUID) -> dict[str, object]:
    """The referral's status and version."""
    row = (
        await Referral.select(Referral.status, Referral.version, Referral.reason_code)
        .where(Referral.id == referral_id)
        .first()
    )
    assert row is not None
    return dict(row)


async def test_similar_services_share_a_need_take_network_referrals_and_are_accepting() -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    offer = await rerouting.reroute_offer(alt.net.sender, referral_id)
    assert offer.why.startswith("It was not answered")
    assert offer.cancels_original
    assert [(s.name, s.organisation_name) for s in offer.services] == [
        ("Housing options", "Housing Office"),
        ("Tenancy support", "Hillcrest Futures"),
    ]
    options, tenancy = offer.services
    assert options.shared_needs == ["Crisis", "Housing"]
    assert (tenancy.capacity, tenancy.response_target_days) == ("Assessment first", 3)
    assert options.response_target_days == sending.DEFAULT_RESPONSE_DAYS
    assert not options.consent_names_them  # the client's consent names only Housing First
    await consent_to(alt.net.client.id, [alt.housing_office], (IDENTITY, CONTACT))
    offer = await rerouting.reroute_offer(alt.net.sender, referral_id)
    assert offer.services[0].consent_names_them


async def test_no_offer_while_the_service_still_has_time() -> None:
    alt = await alternatives()
    referral_id = await sent(alt.net)
    offer = await rerouting.reroute_offer(alt.net.sender, referral_id)
    assert (offer.why, offer.services) == ("", [])
    assert "requested" in offer.why_not
    with pytest.raises(Refused):
        await rerouting.reroute(
            alt.net.sender, referral_id, RerouteForm(service_id=str(alt.options), reason=REASON)
        )
    assert await Referral.count() == 1


async def test_rerouting_an_overdue_referral_cancels_it_and_keeps_the_chain() -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    await consent_to(alt.net.client.id, [alt.housing_office], (IDENTITY, CONTACT, NEEDS))
    new_id = await rerouting.reroute(
        alt.net.sender, referral_id, RerouteForm(service_id=str(alt.options), reason=REASON)
    )
    original = await state(referral_id)
    assert original == {"status": "cancelled", "version": 2, "reason_code": "rerouted"}
    new = await Referral.select().where(Referral.id == new_id).output(load_json=True).first()
    assert new["rerouted_from"] == referral_id
    assert new["reroute_reason"] == REASON
    assert new["status"] == "requested"
    assert new["service"] == alt.options
    assert new["recipient_organisation"] == alt.housing_office.id
    assert new["reason_client"] == "I need somewhere safe to stay"
    assert (new["urgency"], new["contact_how"], new["categories"]) == (
        "soon",
        "phone",
        [IDENTITY, CONTACT],
    )
    assert new["due_at"] > clock.now()  # a fresh response target from the new service
    kinds = [
        row["kind"]
        for row in await ReferralEvent.select(ReferralEvent.kind)
        .where(ReferralEvent.referral == referral_id)
        .order_by(ReferralEvent.at)
    ]
    assert kinds == ["sent", "moved", "rerouted"]
    # The new service hears of it, the old one is told it was cancelled and loses the client.
    told = await Notification.count().where(
        (Notification.staff == alt.office_worker.id) & (Notification.kind == "referral.new")
    )
    assert told == 1
    assert not (await policy.decide(alt.net.recipient, alt.net.client.id)).involved
    sender_view = await views.get_referral(alt.net.sender, referral_id)
    assert sender_view.rerouted_to == new_id
    assert (await views.get_referral(alt.net.sender, new_id)).rerouted_from == referral_id
    # Once re-routed, it is not offered again.
    offer = await rerouting.reroute_offer(alt.net.sender, referral_id)
    assert (offer.why, offer.rerouted_to) == ("", new_id)


async def test_without_consent_for_the_new_organisation_nothing_changes() -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    before = await Notification.count()
    with pytest.raises(sending.ConsentMissing) as missing:
        await rerouting.reroute(
            alt.net.sender, referral_id, RerouteForm(service_id=str(alt.options), reason=REASON)
        )
    assert "Housing Office" in str(missing.value)
    # The cancel made inside the same transaction was rolled back with the failed send.
    assert await state(referral_id) == {"status": "requested", "version": 1, "reason_code": ""}
    assert await Referral.count() == 1
    assert await ReferralEvent.count().where(ReferralEvent.kind.is_in(["moved", "rerouted"])) == 0
    assert await Notification.count() == before
    assert (await policy.decide(alt.net.recipient, alt.net.client.id)).involved
    # The service can still answer it.
    await moves.move(alt.net.recipient, referral_id, MoveForm(action="accept", version=1))


async def test_a_declined_referral_is_rerouted_without_another_move() -> None:
    alt = await alternatives()
    referral_id = await sent(alt.net)
    await moves.move(
        alt.net.recipient,
        referral_id,
        MoveForm(action="decline", version=1, reason_code="no_capacity"),
    )
    offer = await rerouting.reroute_offer(alt.net.sender, referral_id)
    assert offer.why == "The service declined it: no capacity at the moment."
    assert not offer.cancels_original
    await consent_to(alt.net.client.id, [alt.hillcrest], (IDENTITY, CONTACT))
    new_id = await rerouting.reroute(
        alt.net.sender, referral_id, RerouteForm(service_id=str(alt.tenancy), reason="Declined")
    )
    assert await state(referral_id) == {
        "status": "rejected",
        "version": 2,
        "reason_code": "no_capacity",
    }
    # Declined again: the next offer leaves out both organisations the chain has been to.
    await moves.move(
        principal(await staff_member(alt.hillcrest), alt.hillcrest),
        new_id,
        MoveForm(action="decline", version=1, reason_code="not_eligible"),
    )
    offer = await rerouting.reroute_offer(alt.net.sender, new_id)
    assert [s.name for s in offer.services] == ["Housing options"]


async def test_only_the_sender_may_reroute() -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    form = RerouteForm(service_id=str(alt.options), reason=REASON)
    with pytest.raises(Forbidden):
        await rerouting.reroute(alt.net.recipient, referral_id, form)
    with pytest.raises(NotFound):
        await rerouting.reroute(alt.net.outsider_principal, referral_id, form)
    with pytest.raises(NotFound):
        await rerouting.reroute_offer(alt.net.outsider_principal, referral_id)
    assert await Referral.count() == 1


async def test_a_reason_and_one_of_the_offered_services_are_needed() -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    with pytest.raises(Invalid) as invalid:
        await rerouting.reroute(alt.net.sender, referral_id, RerouteForm(service_id="", reason=""))
    assert set(invalid.value.errors) == {"service_id", "reason"}
    with pytest.raises(Invalid) as invalid:
        await rerouting.reroute(
            alt.net.sender,
            referral_id,
            RerouteForm(service_id=str(alt.net.service_id), reason=REASON),
        )
    assert invalid.value.errors == {"service_id": "Choose one of the similar services listed"}


async def test_reroute_racing_an_accept_exactly_one_lands() -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    await consent_to(alt.net.client.id, [alt.housing_office], (IDENTITY, CONTACT))
    results = await asyncio.gather(
        rerouting.reroute(
            alt.net.sender, referral_id, RerouteForm(service_id=str(alt.options), reason=REASON)
        ),
        moves.move(alt.net.recipient, referral_id, MoveForm(action="accept", version=1)),
        return_exceptions=True,
    )
    conflicts = [r for r in results if isinstance(r, Refused)]
    assert len(conflicts) == 1, results
    final = await state(referral_id)
    assert final["version"] == 2
    if isinstance(results[0], Refused):
        assert final["status"] == "accepted"
        assert await Referral.count() == 1
    else:
        assert final["status"] == "cancelled"
        assert await Referral.count() == 2


async def test_two_reroutes_at_once_send_one_new_referral() -> None:
    alt = await alternatives()
    referral_id = await sent(alt.net)
    await moves.move(
        alt.net.recipient,
        referral_id,
        MoveForm(action="decline", version=1, reason_code="no_capacity"),
    )
    await consent_to(alt.net.client.id, [alt.housing_office, alt.hillcrest], (IDENTITY, CONTACT))
    results = await asyncio.gather(
        rerouting.reroute(
            alt.net.sender, referral_id, RerouteForm(service_id=str(alt.options), reason=REASON)
        ),
        rerouting.reroute(
            alt.net.sender, referral_id, RerouteForm(service_id=str(alt.tenancy), reason=REASON)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, UUID) for r in results) == 1, results
    assert sum(isinstance(r, Refused) for r in results) == 1, results
    assert await Referral.count().where(Referral.rerouted_from == referral_id) == 1


async def test_the_reroute_pages(client: httpx.AsyncClient) -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    await sign_in(client, alt.net.hub_worker.email)

    detail = await client.get(f"/referrals/{referral_id}")
    assert detail.status_code == 200
    assert f'href="/referrals/{referral_id}/reroute"' in detail.text
    assert "Not answered in time" in detail.text

    page = await client.get(f"/referrals/{referral_id}/reroute")
    assert page.status_code == 200
    assert "Housing options, Housing Office" in page.text
    assert "Assessment first. Replies within 3 working days" in page.text
    assert "Outreach" not in page.text
    assert "will be cancelled" in page.text

    url = f"/referrals/{referral_id}/reroute"
    missing = await post_form(client, url, {"service_id": str(alt.options), "reason": ""})
    assert missing.status_code == 422
    assert "There is a problem" in missing.text
    assert 'href="#reason"' in missing.text

    no_consent = await post_form(client, url, {"service_id": str(alt.options), "reason": REASON})
    assert no_consent.status_code == 422
    assert f'href="/clients/{alt.net.client.id}/consents/new?organisation=' in no_consent.text
    assert await state(referral_id) == {"status": "requested", "version": 1, "reason_code": ""}

    await consent_to(alt.net.client.id, [alt.housing_office], (IDENTITY, CONTACT))
    done = await post_form(client, url, {"service_id": str(alt.options), "reason": REASON})
    assert done.status_code == 303
    new_id = UUID(done.headers["location"].rsplit("/", 1)[-1])
    assert (await state(new_id))["status"] == "requested"
    assert (await state(referral_id))["status"] == "cancelled"
    again = await client.get(f"/referrals/{referral_id}")
    assert f'href="/referrals/{referral_id}/reroute"' not in again.text


async def test_the_recipient_is_not_offered_the_reroute(
    client: httpx.AsyncClient,
) -> None:
    alt = await alternatives()
    referral_id = await overdue_referral(alt)
    await sign_in(client, alt.net.partner_worker.email)
    detail = await client.get(f"/referrals/{referral_id}")
    assert detail.status_code == 200
    assert "/reroute" not in detail.text
    page = await client.get(f"/referrals/{referral_id}/reroute")
    assert page.status_code == 403


async def test_the_demo_has_an_overdue_referral_to_reroute() -> None:
    from consent.demo import seed_demo_record
    from directory.demo import seed_demo_directory
    from hub.demo import HUB_NAME, seed_demo_network, slug
    from referrals.demo import seed_demo_referrals

    for seeder in (seed_demo_network, seed_demo_record, seed_demo_directory):
        await seeder()
    await seed_demo_referrals()
    await seed_demo_referrals()  # a second run adds nothing
    rows = await Referral.select(Referral.id, Referral.service_name, Referral.status)
    assert sorted((row["service_name"], row["status"]) for row in rows) == [
        ("Employability sessions at the hub", "in-progress"),
        ("Housing First Dundee", "requested"),
        ("Housing options and homelessness advice", "requested"),
    ]
    worker = await Staff.objects().where(Staff.email == f"worker@{slug(HUB_NAME)}.example").first()
    hub = await Organisation.objects().where(Organisation.name == HUB_NAME).first()
    assert worker is not None
    assert hub is not None
    overdue = next(row["id"] for row in rows if row["service_name"].startswith("Housing options"))
    offer = await rerouting.reroute_offer(principal(worker, hub), overdue)
    assert offer.why.startswith("It was not answered")
    assert "Tenancy support" in [s.name for s in offer.services]
    flagged = await Notification.count().where(
        (Notification.staff == worker.id) & (Notification.kind == "referral.overdue")
    )
    assert flagged == 1

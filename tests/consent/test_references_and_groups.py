"""Consent receipts carry a short reference (WR-7K3M-Q9), unique, with the UUID kept behind it;
the portal heads each consent by organisation and purpose and keeps its versions together."""

from __future__ import annotations

import re
from html import unescape

from consent import references
from consent.piccolo_migrations import consent_2026_12_05t21_30_00_000000 as migration
from consent.tables import Consent, ConsentReference
from consent.vocabulary import CONTACT, HOUSING, IDENTITY, PLAN, PLAN_SHARING
from tests.consent.factories import consent_to, involve, registered_client, staff_member
from tests.support import make_organisation, post_form, sign_in_client

REFERENCE = re.compile(r"WR-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{2}")


def test_a_reference_is_short_and_has_no_letters_people_mix_up():
    for _ in range(500):
        reference = references.new_reference()
        assert references.PATTERN.match(reference), reference
        assert not set(reference[3:]) & set("01ILOUV")


async def test_every_consent_gets_its_own_reference_and_keeps_its_uuid():
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    person = await registered_client(hub)
    given = [await consent_to(person.id, [partner], [IDENTITY]) for _ in range(30)]
    named = await references.for_consents(given)
    assert set(named) == set(given)
    assert len(set(named.values())) == len(given)
    assert all(references.PATTERN.match(reference) for reference in named.values())


async def test_consents_given_before_references_get_one_from_the_migration():
    hub = await make_organisation("Lochee Hub", kind="hub")
    partner = await make_organisation("Housing First")
    person = await registered_client(hub)
    given = [await consent_to(person.id, [partner], [IDENTITY]) for _ in range(3)]
    await ConsentReference.delete(force=True)

    manager = await migration.forwards()
    for step in manager.raw:
        await step()

    named = await references.for_consents(given)
    assert set(named) == set(given)
    assert len(set(named.values())) == 3


async def test_the_portal_tells_two_housing_first_consents_apart_and_groups_versions(client):
    hub = await make_organisation("Lochee Hub", kind="hub")
    worker = await staff_member(hub)
    housing_first = await make_organisation("Housing First")
    person = await registered_client(hub, full_name="Kerry Smith", username="kez")
    await involve(person.id, housing_first)
    coordination = await consent_to(
        person.id, [housing_first], [IDENTITY, HOUSING, CONTACT], obtained_by=worker
    )
    await consent_to(person.id, [housing_first], [IDENTITY, PLAN], [PLAN_SHARING])
    await sign_in_client(client, "kez")

    narrowed = await post_form(
        client,
        f"/portal/consents/{coordination}/narrow",
        {"organisation_ids": [str(housing_first.id)], "categories": [IDENTITY, HOUSING]},
        f"/portal/consents/{coordination}/narrow",
    )
    assert narrowed.status_code == 303

    page = unescape((await client.get("/portal/consents")).text)
    headings = re.findall(r'<h2 class="govuk-summary-card__title">([^<]+)</h2>', page)
    assert headings == [
        "Housing First, to refer you and to join up the support you get",
        "Housing First, to share your support plan with the people helping you",
    ]
    cards = page.split('<h2 class="govuk-summary-card__title">')[1:]
    assert "Version 1, given" in cards[0]  # the replaced version sits with its consent
    assert "Replaced by a newer version" in cards[0]
    assert "Version 1, given" not in cards[1]

    current = await Consent.select(Consent.id).where(Consent.supersedes == coordination).first()
    receipt = unescape((await client.get(f"/portal/consents/{current['id']}")).text)
    number = re.search(r"Receipt number\s*</dt>\s*<dd[^>]*>\s*(\S+)", receipt)
    assert number is not None
    assert REFERENCE.fullmatch(number.group(1))
    assert str(current["id"]) not in re.sub(r'href="[^"]*"', "", receipt)  # the UUID stays behind

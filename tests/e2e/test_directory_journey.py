"""A hub worker with a visitor: "housing, open now, within 2 km", two services on a list, print."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.directory.factories import location, make_service, need, weekly
from tests.e2e.helpers import assert_accessible, hub_worker, sign_in_staff
from tests.support import make_organisation

ALL_WEEK = "MO,TU,WE,TH,FR,SA,SU"
NEAR = (56.4700, -3.0250)  # about 0.3 km from the hub
FAR = (56.3400, -2.8000)  # about 20 km away


async def _network_around_the_hub() -> None:
    from hub.tables import Organisation

    hub = await Organisation.objects().where(Organisation.kind == "hub").first()
    assert hub is not None
    # The hub's own place is where "within 2 km" is measured from.
    await make_service(hub, name="Lochee Hub drop-in", locations=[location(hub)])
    housing_first = await make_organisation(name="Housing First")
    housing_office = await make_organisation(name="Housing Office")
    shelter = await make_organisation(name="Night Shelter")

    def open_all_day() -> list:
        return [weekly(ALL_WEEK, 0, 0)]  # 00:00 to 00:00: round the clock

    await make_service(
        housing_first,
        name="Housing First tenancy support",
        terms=[need("housing")],
        schedules=open_all_day(),
        locations=[location(housing_first, NEAR)],
    )
    await make_service(
        housing_office,
        name="Housing options advice",
        terms=[need("housing")],
        schedules=open_all_day(),
        locations=[location(housing_office, NEAR)],
    )
    await make_service(
        shelter,
        name="Housing advice far away",
        terms=[need("housing")],
        schedules=open_all_day(),
        locations=[location(shelter, FAR)],
    )
    await make_service(
        shelter,
        name="Housing clinic never open now",
        terms=[need("housing")],
        schedules=[],
        locations=[location(shelter, NEAR)],
    )


async def test_hub_worker_signposts_two_housing_services_and_prints_them(page: Page) -> None:
    member, _ = await hub_worker()
    await _network_around_the_hub()
    await sign_in_staff(page, member.email)

    await page.goto("/directory")
    await assert_accessible(page)
    await page.get_by_label("What does the visitor need?").fill("housing")
    await page.get_by_label(re.compile("^Open now")).check()
    await page.get_by_label("Distance").select_option("2")
    await page.get_by_role("button", name="Apply filters").click()

    results = page.locator(".wa-result")
    await expect(results).to_have_count(2)
    await expect(page.get_by_text("Housing advice far away")).to_have_count(0)
    await expect(page.get_by_text("Housing clinic never open now")).to_have_count(0)
    await expect(results.first).to_contain_text("Open now")
    await expect(results.first).to_contain_text("km")
    await assert_accessible(page)

    for name in ("Housing First tenancy support", "Housing options advice"):
        await page.get_by_role("button", name=f"Add {name} to the list").click()
        await expect(
            page.get_by_role("button", name=f"Remove {name} from the list")
        ).to_be_visible()

    await page.goto("/directory/list")
    for name in ("Housing First tenancy support", "Housing options advice"):
        await expect(page.get_by_role("link", name=name)).to_be_visible()
    await page.get_by_role("button", name="Print the list").click()
    await expect(page).to_have_url(re.compile(r"/directory/list/[0-9a-f-]+/print"))
    sheet = page.locator("main")
    await expect(sheet).to_contain_text("Housing First tenancy support")
    await expect(sheet).to_contain_text("Housing options advice")
    await expect(sheet).to_contain_text("1 High Street")  # how to get there
    await page.emulate_media(media="print")
    await expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    await assert_accessible(page)


async def test_typing_a_misspelling_or_an_everyday_word_finds_the_right_services(
    page: Page,
) -> None:
    member, _ = await hub_worker()
    await _network_around_the_hub()
    recovery = await make_organisation(name="Positive Steps")
    await make_service(
        recovery,
        name="Recovery clinic",
        description="Prescribing and keywork for people in treatment.",
        terms=[need("substance-use", "Substance use")],
    )
    await sign_in_staff(page, member.email)
    await page.goto("/directory")
    box = page.get_by_label("What does the visitor need?")

    await box.press_sequentially("housng", delay=40)  # live results fire on each key
    searched_for = page.locator("#searched-for")
    await expect(searched_for).to_contain_text("Showing results for housing")
    results = page.locator("#search-results .wa-result")
    await expect(results.first).to_contain_text("Housing")
    await expect(page.get_by_role("link", name="Search for “housng” instead")).to_be_visible()
    await assert_accessible(page)

    await box.fill("")
    await box.press_sequentially("drugs", delay=40)
    await expect(page.locator("#search-results")).to_contain_text("Recovery clinic")
    await expect(searched_for).to_have_count(0)
    await expect(results.first).to_contain_text("Recovery clinic")
    await assert_accessible(page)

"""The client's own words for a wellbeing area, asked at a review, name it on their progress
chart and its legend; the page says what the 1-10 scale means."""

from __future__ import annotations

from html import unescape
from typing import Any

from plans.area_words import words_for
from plans.tables import Plan
from tests.consent.fixtures import client, other_client, pooled
from tests.plans.test_portal_pages import portal_account
from tests.plans.test_review_pages import _review_fields
from tests.plans.test_reviews import led_team
from tests.support import post_form, sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]


async def test_the_clients_words_name_the_area_on_their_chart(client: Any, other_client: Any):
    t = await led_team()
    await sign_in(client, t.net.partner_worker.email)
    url = f"/plans/{t.net.client.id}/reviews/new"
    saved = await post_form(
        client,
        url,
        _review_fields(client_home="4", worker_home="5", words_home="  My  flat "),
        url,
    )
    assert saved.status_code == 303
    plan = await Plan.select(Plan.id).where(Plan.client == t.net.client.id).first()
    assert await words_for(plan["id"]) == {"home": "My flat"}

    again = unescape((await client.get(url)).text)
    assert 'name="words_home" type="text" value="My flat"' in again

    async with other_client() as portal:
        await sign_in_client(portal, await portal_account(t.net.client.id))
        page = unescape((await portal.get("/portal/plan")).text)
        assert "My flat <span" in page
        assert "(Where I live, in your words)" in page
        assert '<title id="progress-home-title">My flat: ratings at each review</title>' in page
        assert "1 means as bad as it could be, 10 means the best it could be" in page
        assert "Where I live:" not in page


async def test_clearing_the_words_brings_the_projects_name_back(client: Any):
    t = await led_team()
    await sign_in(client, t.net.partner_worker.email)
    url = f"/plans/{t.net.client.id}/reviews/new"
    await post_form(client, url, _review_fields(client_home="4", words_home="My flat"), url)
    await post_form(client, url, _review_fields(client_home="6", words_home=""), url)
    plan = await Plan.select(Plan.id).where(Plan.client == t.net.client.id).first()
    assert await words_for(plan["id"]) == {}
    page = unescape((await client.get(f"/plans/{t.net.client.id}")).text)
    assert "Where I live" in page

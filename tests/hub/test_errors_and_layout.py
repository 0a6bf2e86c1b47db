"""Errors look the same everywhere: pages for people, problem+json for the API; the layout."""

from __future__ import annotations

from litestar import get

from app import create_app
from hub.errors import Conflict, NotFound
from tests.support import make_organisation, make_staff, sign_in


async def test_unknown_page_is_a_friendly_404(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page not found" in response.text
    assert "Go to the home page" in response.text


async def test_json_callers_get_problem_details(client):
    response = await client.get("/no-such-page", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Page not found"


async def _client_for(app):
    import httpx

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver.local")


async def test_app_errors_map_once_and_hide_internals():
    @get("/boom/conflict", sync_to_thread=False)
    def conflict() -> None:
        msg = "The referral was accepted by someone else a moment ago"
        raise Conflict(msg)

    @get("/boom/missing", sync_to_thread=False)
    def missing() -> None:
        msg = "secret detail about record 42"
        raise NotFound(msg)

    @get("/boom/crash", sync_to_thread=False)
    def crash() -> None:
        msg = "database password is hunter2"
        raise RuntimeError(msg)

    app = create_app()
    for handler in (conflict, missing, crash):
        app.register(handler)
    async with await _client_for(app) as browser:
        page = await browser.get("/boom/conflict")
        assert page.status_code == 409
        assert "accepted by someone else" in page.text
        api = await browser.get("/boom/conflict", headers={"accept": "application/json"})
        assert api.json()["title"] == "Someone else changed this first"

        hidden = await browser.get("/boom/missing")
        assert hidden.status_code == 404
        assert "record 42" not in hidden.text  # not-found and not-allowed look the same

        crashed = await browser.get("/boom/crash")
        assert crashed.status_code == 500
        assert "hunter2" not in crashed.text
        assert "Sorry, there is a problem with the service" in crashed.text


async def test_layout_has_service_name_no_crown_and_role_navigation(client):
    org = await make_organisation(kind="hub")
    admin = await make_staff(org, is_org_admin=True)
    await sign_in(client, admin.email)
    page = (await client.get("/")).text
    assert "Wraparound" in page
    assert "govuk-crest" not in page
    assert "govuk-logo" not in page
    assert "favicon.ico" not in page  # GOV.UK's crown icon is not used
    assert 'href="/staff"' in page  # org admins see staff management
    assert 'href="/admin/organisations"' not in page  # only system admins manage organisations
    assert 'href="#main-content"' in page  # skip link
    assert "/static/build/app.css" in page


async def test_stylesheet_has_no_gov_uk_typeface_and_prints_cleanly(client):
    css = await client.get("/static/build/app.css")
    assert css.status_code == 200
    assert "GDS Transport" not in css.text
    assert "@media print" in css.text
    script = await client.get("/vendor/htmx/htmx.min.js")
    assert script.status_code == 200
    assert "public" in script.headers["cache-control"]


async def test_only_the_most_specific_navigation_link_is_active(client):
    org = await make_organisation(kind="hub")
    worker = await make_staff(org)
    await sign_in(client, worker.email)
    page = (await client.get("/directory/list")).text
    active = page.split("govuk-service-navigation__item--active")
    assert len(active) == 2  # exactly one active item
    assert 'href="/directory/list"' in active[1].split("</li>")[0]

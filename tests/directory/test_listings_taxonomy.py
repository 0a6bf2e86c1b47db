"""System admins keep the need categories at /admin/taxonomy; nobody else may."""

from __future__ import annotations

import pytest

from directory.tables import TaxonomyTerm
from directory.taxonomy import term_id
from tests.directory.factories import make_service, need
from tests.directory.listings_support import browser, first_row, org_with_admin, post, signed_in
from tests.support import make_organisation, make_staff


@pytest.fixture
async def client():
    """A browser on the app these tests share (overrides the fresh-app one)."""
    async with browser() as web:
        yield web


async def test_a_system_admin_renames_and_adds_terms(client):
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    await signed_in(client, await make_staff(hub, is_org_admin=True, is_system_admin=True))
    partner, _ = await org_with_admin("Positive Steps")
    listing = await make_service(partner, terms=[need("money", "Money and benefits")])

    page = await client.get("/admin/taxonomy")
    assert page.status_code == 200
    assert "Money and benefits" in page.text
    renamed = await post(
        client,
        f"/admin/taxonomy/{term_id('money')}",
        {"name": "Money, debt and benefits", "description": "Benefits and debt advice",
         "code": "hijacked"},
    )  # fmt: skip
    assert renamed.status_code == 303
    row = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == term_id("money")))
    assert (row["name"], row["code"]) == ("Money, debt and benefits", "money")  # code is fixed
    detail = await client.get(f"/directory/services/{listing.id}")
    assert "Money, debt and benefits" in detail.text

    added = await post(
        client, "/admin/taxonomy/new", {"code": "debt-advice", "name": "Debt advice"}
    )
    assert added.status_code == 303
    assert await TaxonomyTerm.exists().where(TaxonomyTerm.code == "debt-advice")
    for form, field in (
        ({"code": "debt-advice", "name": "Debt again"}, "code"),
        ({"code": "Debt Advice!", "name": "Shouty"}, "code"),
        ({"code": "food-2", "name": "Housing"}, "name"),
        ({"code": "legal-2", "name": ""}, "name"),
    ):
        refused = await post(client, "/admin/taxonomy/new", form)
        assert refused.status_code == 422, form
        assert f'href="#{field}"' in refused.text
    assert await TaxonomyTerm.count().where(TaxonomyTerm.code == "debt-advice") == 1


async def test_org_admins_and_workers_are_refused(client):
    organisation, admin = await org_with_admin("Housing First")
    worker = await make_staff(organisation)
    for member in (admin, worker):
        await signed_in(client, member)
        assert (await client.get("/admin/taxonomy")).status_code == 403
        response = await post(
            client, f"/admin/taxonomy/{term_id('food')}", {"name": "Renamed by mistake"}
        )
        assert response.status_code == 403
    row = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == term_id("food")))
    assert row["name"] == "Food"

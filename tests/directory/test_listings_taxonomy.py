"""System admins keep the need categories at /admin/taxonomy; any admin adds everyday words."""

from __future__ import annotations

import pytest

from directory.search.backend import database_backend
from directory.search.schemas import SearchQuery
from directory.tables import Service, TaxonomyTerm
from directory.taxonomy import term_id
from hub.tables import AuditEvent
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
        response = await post(
            client, f"/admin/taxonomy/{term_id('food')}", {"name": "Renamed by mistake"}
        )
        assert response.status_code == 403
        assert (await client.get(f"/admin/taxonomy/{term_id('food')}")).status_code == 403
        assert (await client.get("/admin/taxonomy/new")).status_code == 403
    await signed_in(client, worker)
    assert (await client.get("/admin/taxonomy")).status_code == 403
    words = await post(client, f"/admin/taxonomy/{term_id('food')}/words", {"words": "scran"})
    assert words.status_code == 403
    row = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == term_id("food")))
    assert row["name"] == "Food"
    assert "scran" not in row["synonyms"]


async def test_an_org_admin_adds_everyday_words_that_search_then_understands(client):
    organisation, admin = await org_with_admin("Housing First")
    pantry = await make_service(
        organisation, name="Weekend pantry", description="Groceries", terms=[need("food", "Food")]
    )
    assert await found_names("scran") == []
    await signed_in(client, admin)
    listing = await client.get("/admin/taxonomy")
    assert listing.status_code == 200
    assert "food bank" in listing.text  # the shipped words are shown
    assert f'href="/admin/taxonomy/{term_id("food")}"' not in listing.text  # no "Change"
    form = await client.get(f"/admin/taxonomy/{term_id('food')}/words")
    assert form.status_code == 200
    added = await post(
        client, f"/admin/taxonomy/{term_id('food')}/words", {"words": "scran, a piece\nfood bank"}
    )
    assert added.status_code == 303
    row = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == term_id("food")))
    words = row["synonyms"].splitlines()
    assert words.count("food bank") == 1  # already there: not doubled
    assert words[-2:] == ["scran", "a piece"]
    assert await found_names("scran") == [pantry.name]
    for bad in ("", "<script>", "one two three four five six seven"):
        refused = await post(client, f"/admin/taxonomy/{term_id('food')}/words", {"words": bad})
        assert refused.status_code == 422, bad
        assert 'href="#words"' in refused.text
    after = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == term_id("food")))
    assert after["synonyms"] == row["synonyms"]  # a refused form changes nothing


async def test_a_system_admin_removes_words_and_a_rename_keeps_them(client):
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    await signed_in(client, await make_staff(hub, is_org_admin=True, is_system_admin=True))
    food = term_id("food")
    before = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == food))
    assert "hungry" in before["synonyms"]
    renamed = await post(client, f"/admin/taxonomy/{food}", {"name": "Food and meals"})
    assert renamed.status_code == 303
    kept = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == food))
    assert kept["synonyms"] == before["synonyms"]  # a form without the field leaves them
    page = await client.get(f"/admin/taxonomy/{food}")
    assert "hungry" in page.text
    trimmed = await post(
        client, f"/admin/taxonomy/{food}", {"name": "Food and meals", "words": "pantry\nlarder"}
    )
    assert trimmed.status_code == 303
    after = await first_row(TaxonomyTerm.select().where(TaxonomyTerm.id == food))
    assert after["synonyms"].splitlines() == ["pantry", "larder"]
    changes = await AuditEvent.select(AuditEvent.detail).where(
        AuditEvent.action == "directory.term_changed"
    )
    assert any("hungry" in str(change["detail"]) for change in changes)


async def found_names(text: str) -> list[str]:
    """Names the database search finds for this text."""
    results = await database_backend().search(SearchQuery(text=text))
    rows = await Service.select(Service.id, Service.name)
    names = {row["id"]: row["name"] for row in rows}
    return [names[hit.service_id] for hit in results.items]

"""Attacks on listings and signposting: other organisations' ids, over-posting, script in
listings, forged forms, and guessing or reusing shared links."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from directory.read import load_service
from directory.store import upsert_service
from directory.tables import Service, ServiceChange, SignpostItem, SignpostList
from hub import clock
from hub.audit import Actor
from tests.directory.factories import make_service, need
from tests.directory.listings_support import (
    browser,
    first_row,
    main_of,
    org_with_admin,
    post,
    signed_in,
)
from tests.support import make_organisation, make_staff

LISTING_FORMS: dict[str, dict[str, Any]] = {
    "details": {"name": "Hijacked", "description": "x", "is_free": "true", "status": "defunct"},
    "referral": {"referral_methods": ["self"]},
    "capacity": {"capacity_status": "not_accepting"},
    "categories": {"categories": ["crisis"]},
    "languages": {"languages": ["pl"]},
    "phones": {"phones-0-number": "09000 000000"},
    "location": {"address_1": "Somewhere else"},
    "hours": {"rows-0-day": "SU", "rows-0-opens-1": "01:00", "rows-0-closes-1": "02:00"},
    "exceptions": {"on_date_day": "1", "on_date_month": "1", "on_date_year": "2027",
                   "kind": "closed"},
    "verify": {},
}  # fmt: skip


@pytest.fixture
async def client():
    """A browser on the app these tests share (overrides the fresh-app one)."""
    async with browser() as web:
        yield web


async def test_another_organisations_listing_looks_exactly_like_a_made_up_one(client):
    clock.freeze(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    _, attacker = await org_with_admin("Positive Steps")
    victim_org, _ = await org_with_admin("Housing First")
    victim = await make_service(victim_org, name="Housing First Dundee")
    stored = await load_service(victim.id)
    await signed_in(client, attacker)
    made_up = uuid.uuid4()
    for section in ["", *(s for s in LISTING_FORMS if s != "verify")]:
        suffix = f"/{section}" if section else ""
        theirs = await client.get(f"/directory/listings/{victim.id}{suffix}")
        missing = await client.get(f"/directory/listings/{made_up}{suffix}")
        assert theirs.status_code == missing.status_code == 404, section
        assert main_of(theirs.text) == main_of(missing.text)
    for section, form in LISTING_FORMS.items():
        response = await post(client, f"/directory/listings/{victim.id}/{section}", form)
        assert response.status_code == 404, section
    exception = await post(
        client, f"/directory/listings/{victim.id}/exceptions/{made_up}/remove", {}
    )
    assert exception.status_code == 404
    for path in (
        f"/directory/services/{victim.id}/history",
        f"/directory/listings?organisation={victim_org.id}",
        f"/directory/listings/new?organisation={victim_org.id}",
    ):
        assert (await client.get(path)).status_code == 404, path
    created = await post(
        client, f"/directory/listings/new?organisation={victim_org.id}", LISTING_FORMS["details"]
    )
    assert created.status_code == 404
    assert await load_service(victim.id) == stored
    assert await ServiceChange.count().where(ServiceChange.service_id == victim.id) == 1
    assert await Service.count() == 1
    # Staff who are not admins cannot reach the listing pages at all, even for their own.
    own_org, _ = await org_with_admin("Pharmacy")
    mine = await make_service(own_org)
    await signed_in(client, await make_staff(own_org))
    assert (await client.get("/directory/listings")).status_code == 403
    assert (await post(client, f"/directory/listings/{mine.id}/verify", {})).status_code == 403


async def test_over_posted_fields_are_ignored(client):
    clock.freeze(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    organisation, admin = await org_with_admin("Community Groups")
    other, _ = await org_with_admin("Safe Bus Zone")
    stranger = await make_staff(other)
    listing = await make_service(organisation, verified_at=clock.now() - timedelta(days=300))
    await signed_in(client, admin)
    smuggled = {
        "organisation": str(other.id),
        "organisation_id": str(other.id),
        "verified_by": str(stranger.id),
        "verified_at": "2030-01-01T00:00:00Z",
        "assured_date": "2030-01-01",
        "staleness_notified_at": "2030-01-01T00:00:00Z",
        "created_at": "2000-01-01T00:00:00Z",
        "id": str(uuid.uuid4()),
        "capacity_status": "not_accepting",
        "terms": str(need("crisis").id),
    }
    form = {"name": "Lunch Club", "description": "Food", "is_free": "true", "status": "active"}
    assert (
        await post(client, f"/directory/listings/{listing.id}/details", {**form, **smuggled})
    ).status_code == 303
    assert (await post(client, "/directory/listings/new", {**form, **smuggled})).status_code == 303
    rows = await Service.select().order_by(Service.created_at)
    assert {row["organisation"] for row in rows} == {organisation.id}
    for row in rows:
        assert row["verified_by"] != stranger.id
        assert row["capacity_status"] == "accepting"
        assert row["staleness_notified_at"] is None
    edited = next(row for row in rows if row["id"] == listing.id)
    assert edited["verified_at"] == clock.now() - timedelta(days=300)  # editing is not checking
    assert not any(str(row["id"]) == smuggled["id"] for row in rows)


async def test_script_in_a_listing_never_runs(client):
    organisation, _ = await org_with_admin("Churches")
    listing = await make_service(organisation, name="<script>alert(1)</script>Soup")
    # An imported feed may carry anything in a web address; it must not become a link.
    await upsert_service(
        msgspec.structs.replace(listing, url="javascript:alert(document.cookie)"),
        actor=Actor.system(),
    )
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    worker = await make_staff(hub)
    await signed_in(client, worker)
    detail = await client.get(f"/directory/services/{listing.id}")
    assert "<script>alert(1)</script>" not in detail.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Soup" in detail.text
    assert 'href="javascript:' not in detail.text
    await post(client, "/directory/list/add", {"service_id": str(listing.id), "next": "/"})
    await post(client, "/directory/list/hand-over", {"mode": "link"})
    token = (await first_row(SignpostList.select(SignpostList.token)))["token"]
    async with browser() as visitor:
        public = (await visitor.get(f"/s/{token}")).text
    assert "<script>alert(1)</script>" not in public
    assert 'href="javascript:' not in public


async def test_signposting_lists_are_private_until_shared_and_links_are_unguessable(client):
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    worker, colleague = await make_staff(hub), await make_staff(hub, is_org_admin=True)
    partner, _ = await org_with_admin("GP Practice")
    service = await make_service(partner)
    tokens, ids = [], []
    for member in (worker, colleague):
        await signed_in(client, member)
        await post(client, "/directory/list/add", {"service_id": str(service.id), "next": "/"})
        handed = await post(client, "/directory/list/hand-over", {"mode": "link"})
        ids.append(uuid.UUID(handed.headers["location"].split("/")[3]))
    for list_id in ids:
        row = await first_row(SignpostList.select().where(SignpostList.id == list_id))
        tokens.append(row["token"])
    # The colleague (signed in last) cannot open the worker's list, even as an org admin.
    for view in ("print", "link"):
        assert (await client.get(f"/directory/list/{ids[0]}/{view}")).status_code == 404
        assert (await client.get(f"/directory/list/{ids[1]}/{view}")).status_code == 200
    # Tokens: long, random, unrelated to each other or to any id.
    first, second = tokens
    assert len(first) >= 22
    assert len(second) >= 22
    assert first != second
    assert first[:6] != second[:6]
    for token in tokens:
        assert all(str(list_id) not in token and list_id.hex not in token for list_id in ids)
    async with browser() as visitor:
        assert (await visitor.get(f"/s/{first}")).status_code == 200
        for guess in (first[:-1] + ("A" if first[-1] != "A" else "B"), str(ids[0]), "x" * 200, ""):
            assert (await visitor.get(f"/s/{guess}")).status_code == 404, guess


async def test_forged_signposting_forms_are_refused(client):
    hub = await make_organisation(name="Lochee Hub", kind="hub")
    await signed_in(client, await make_staff(hub))
    partner, _ = await org_with_admin("Employability")
    service = await make_service(partner)
    forged = await client.post(
        "/directory/list/add", data={"service_id": str(service.id), "next": "/"}
    )
    assert forged.status_code == 403
    assert await SignpostItem.count() == 0
    async with browser() as anonymous:
        page = await anonymous.get("/directory/list")
        assert page.status_code in (302, 303)
        assert page.headers["location"] == "/sign-in"

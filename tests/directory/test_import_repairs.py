"""Feeds taken as they are published: addresses repaired, HTML made text, publisher attached.

The fixtures are our own, written to reproduce what real published council feeds do
(scheme-less and punctuated addresses, HTML descriptions); the feed is served over HTTP on
loopback.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from directory.exchange.addresses import email_address, web_address
from directory.exchange.html_text import html_to_text, plain_text
from directory.exchange.importer import ImportSummary, import_candidates
from directory.exchange.sources import open_source
from directory.read import load_service
from directory.search.backend import database_backend
from directory.search.schemas import SearchQuery
from directory.tables import OrganisationProfile, Service
from hub.tables import Organisation
from tests.directory.feed_server import serve_feed
from tests.support import make_organisation, make_staff, sign_in

WRAPAROUND = Path(sys.executable).parent / "wraparound"
ROOT = Path(__file__).resolve().parents[2]
ORG = {"id": "5b1f0c2e-0d7a-4e55-9a43-0e6c1d2b7a11", "name": "Riverside Wellbeing Trust"}


def listing(name: str, **fields: Any) -> dict[str, Any]:
    """One service as a council feed lists it (no locations, HTML description)."""
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "description": "<p>Help for people.</p>",
        "url": "https://riverside.example.org/",
        "email": "hello@riverside.example.org",
        "status": "active",
        "organization": dict(ORG),
        **fields,
    }


async def run(url: str, publisher: str = "") -> ImportSummary:
    """Import the feed at `url` as the command does."""
    async with httpx.AsyncClient() as http:
        source = await open_source(url, http)
        return await import_candidates(source.candidates, source.label, publisher=publisher)


def test_web_addresses_are_repaired_where_the_intent_is_plain() -> None:
    assert web_address("www.riverside.example.org/groups/x").value == (
        "https://www.riverside.example.org/groups/x"
    )
    assert web_address("riverside.example.org").value == "https://riverside.example.org"
    assert web_address("https://riverside.example.org/help.").value == (
        "https://riverside.example.org/help"
    )
    kept = web_address("https://en.example.org/wiki/Ash_(tree))")
    assert kept.value == "https://en.example.org/wiki/Ash_(tree)"  # balanced brackets stay
    two = web_address("www.one.example.org, www.two.example.org")
    assert two.value == "https://www.one.example.org"
    assert any("www.two.example.org" in message for _, message in two.notes)
    assert web_address("see our page on social media").value == ""
    assert not web_address("see our page on social media").unsafe
    assert web_address("javascript:alert(1)").unsafe
    assert web_address("JavaScript:alert(1)").value == ""
    assert web_address("https://ok.example.org").notes == []


def test_email_addresses_are_repaired_where_the_intent_is_plain() -> None:
    assert email_address("youth.voice@council.example.gov.uk.").value == (
        "youth.voice@council.example.gov.uk"
    )
    assert email_address("mailto:a@example.org").value == "a@example.org"
    both = email_address("a@example.org or b@example.org")
    assert both.value == "a@example.org"
    assert any("b@example.org" in message for _, message in both.notes)
    assert email_address("<a@example.org>;").value == "a@example.org"
    assert email_address("ring us").value == ""
    assert email_address("a@example.org").notes == []


def test_html_becomes_readable_safe_text() -> None:
    html = (
        '<h4>Who we help</h4><p style="color:red">Drug &amp; alcohol&nbsp;support.</p>'
        "<ul><li>Groups</li><li>One &amp;amp; one</li></ul>"
        '<p>See <a href="https://riverside.example.org/join">how to join</a>'
        '<script>alert("x")</script><img src=x onerror="alert(1)"></p>line one<br>line two'
    )
    assert html_to_text(html) == (
        "Who we help\n\nDrug & alcohol support.\n\n- Groups\n- One &amp; one\n\n"
        "See how to join (https://riverside.example.org/join)\n\nline one\nline two"
    )
    assert html_to_text('<a href="javascript:alert(1)">click</a>') == "click"
    assert plain_text("Tea & toast, ages 5 < 11\nEvery Monday") == (
        "Tea & toast, ages 5 < 11\nEvery Monday",
        False,
    )
    assert plain_text("Tea &amp; toast") == ("Tea & toast", True)


async def test_a_council_feed_is_taken_whole_with_its_repairs_reported() -> None:
    scheme_less = listing("Bowls Club", url="www.bowls.example.org")
    full_stop = listing("Youth Voice", email="youth.voice@council.example.gov.uk.")
    two = listing("Walk and Talk", url="www.walk.example.org www.talk.example.org")
    orphan = listing("Library at Home", organization=None)
    html = listing(
        "Recovery Cafe",
        description="<h4>Recovery</h4><p>Drug &amp; alcohol&nbsp;recovery group.</p>"
        "<ul><li>Tuesdays</li><li>Thursdays</li></ul><script>steal()</script>",
    )
    org_scheme_less = listing(
        "Chair Yoga", organization={**ORG, "url": "riverside-trust.example.org"}
    )
    unsafe = listing("Bad Link", url="javascript:alert(document.cookie)")
    nameless = listing("")
    with serve_feed() as feed:
        feed.pages = [
            [scheme_less, full_stop, two, orphan],
            [html, org_scheme_less, unsafe, nameless],
        ]
        summary = await run(feed.url, publisher="Northshire Council")
    assert (summary.created, summary.failed) == (6, 2)
    refused = {(problem.where, problem.field) for problem in summary.errors}
    assert refused == {
        ("page 2 item 3 (Bad Link)", "url"),
        (f"page 2 item 4 ({nameless['id']})", "name"),
    }
    assert await Service.count() == 6

    async def stored(item: dict[str, Any]) -> Any:
        record = await load_service(uuid.UUID(item["id"]))
        assert record is not None
        return record

    assert (await stored(scheme_less)).url == "https://www.bowls.example.org"
    assert (await stored(full_stop)).email == "youth.voice@council.example.gov.uk"
    assert (await stored(two)).url == "https://www.walk.example.org"
    recovery = await stored(html)
    assert recovery.description == (
        "Recovery\n\nDrug & alcohol recovery group.\n\n- Tuesdays\n- Thursdays"
    )
    home = await stored(orphan)
    assert home.organisation_name == "Northshire Council"
    profile = (
        await OrganisationProfile.select(OrganisationProfile.website)
        .where(OrganisationProfile.organisation == uuid.UUID(ORG["id"]))
        .first()
    )
    assert profile is not None
    assert profile["website"] == "https://riverside-trust.example.org"

    kinds = {problem.group for problem in summary.warnings}
    assert {
        "web address without https://, repaired",
        "punctuation trimmed from an address",
        "several addresses in one field, first kept",
        "no organisation, attached to the feed's publisher",
        "HTML description made into plain text",
    } <= kinds
    repair = next(p for p in summary.warnings if p.read == "www.bowls.example.org")
    assert (repair.field, repair.stored) == ("url", "https://www.bowls.example.org")
    assert "page 1 item 1" in repair.where
    # Searched as text: a word from the HTML is found, the markup is not.
    backend = database_backend()
    found = await backend.search(SearchQuery(text="recovery"))
    assert uuid.UUID(html["id"]) in [hit.service_id for hit in found.items]
    assert (await backend.search(SearchQuery(text="nbsp"))).total == 0
    assert (await backend.search(SearchQuery(text="steal"))).total == 0


async def test_the_service_page_shows_the_text_not_the_markup(client: httpx.AsyncClient) -> None:
    html = listing("Recovery Cafe", description="<h4>Recovery</h4><p>Tea&nbsp;&amp; talk.</p>")
    with serve_feed() as feed:
        feed.pages = [[html]]
        await run(feed.url)
    hub = await make_organisation(kind="hub")
    worker = await make_staff(hub)
    await sign_in(client, worker.email)
    page = await client.get(f"/directory/services/{html['id']}")
    assert page.status_code == 200
    assert "Tea &amp; talk." in page.text  # the text, escaped once by the template
    assert "&lt;h4" not in page.text
    assert "&amp;nbsp;" not in page.text
    # With no publisher named, one is made after the feed, and the listing is still taken.
    assert await Organisation.exists().where(Organisation.name == "Riverside Wellbeing Trust")


async def test_with_no_publisher_named_the_listing_goes_to_one_named_after_the_feed() -> None:
    orphan = listing("Library at Home", organization=None)
    with serve_feed() as feed:
        feed.pages = [[orphan]]
        summary = await run(feed.url)
    assert summary.failed == 0
    record = await load_service(uuid.UUID(orphan["id"]))
    assert record is not None
    assert record.organisation_name == "Publisher of 127.0.0.1"


def _import(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # the real program, as a script would run it
        [str(WRAPAROUND), "directory", "import", *args],
        env=dict(os.environ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_command_groups_problems_writes_the_report_and_exits_by_refusals(
    tmp_path: Path,
) -> None:
    items = [listing(f"Club {n}", url=f"www.club{n}.example.org") for n in range(5)]
    with serve_feed() as feed:
        feed.pages = [items]
        report = tmp_path / "problems.csv"
        clean = _import(feed.url, "--publisher", "Northshire Council", "--report", str(report))
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "web address without https://, repaired: 5" in clean.stdout
        assert f"Problems report (every problem, CSV): {report}" in clean.stdout
        assert "Import finished: 5 created, 0 updated, 0 unchanged, 0 refused, of 5." in (
            clean.stdout
        )
        assert "listings/s" in clean.stderr  # the progress bar's rate
        with report.open(encoding="utf-8") as rows:
            read = list(csv.DictReader(rows))
        repairs = [row for row in read if row["kind"] == "web address without https://, repaired"]
        assert len(repairs) == 5
        assert {row["severity"] for row in repairs} == {"warning"}
        assert {(row["field"], row["read"]) for row in repairs} == {
            ("url", f"www.club{n}.example.org") for n in range(5)
        }
        feed.pages = [[listing("=HYPERLINK(1)", url="javascript:alert(1)")]]
        refused = _import(feed.url, "--report", str(report))
    assert refused.returncode == 1
    assert "Refused (1 listings" in refused.stdout
    assert "unsafe address, listing refused: 1" in refused.stdout
    with report.open(encoding="utf-8") as rows:
        read = list(csv.DictReader(rows))
    refusals = [row for row in read if row["severity"] == "refused"]
    assert [(row["kind"], row["field"]) for row in refusals] == [
        ("unsafe address, listing refused", "url")
    ]
    assert all(not row["where"].startswith("=") for row in read)  # no formula for spreadsheets


async def test_a_hostile_listing_is_cut_and_made_harmless_never_obeyed() -> None:
    huge = "<p>" + "Warm space. " * 50_000 + "</p><script>document.location='x'</script>"
    nested: object = "deep"
    for _ in range(200):
        nested = {"name": nested}
    attack = listing("Open Door", description=huge)
    odd = listing("Odd One", alternate_name=nested)
    with serve_feed() as feed:
        feed.pages = [[attack, odd]]
        summary = await run(feed.url)
    assert (summary.created, summary.failed) == (1, 1)
    record = await load_service(uuid.UUID(attack["id"]))
    assert record is not None
    assert len(record.description) <= 20_000
    assert "<" not in record.description
    assert "document.location" not in record.description
    assert any(p.kind == "text too long, cut" for p in summary.warnings)
    assert [(p.field, p.message) for p in summary.errors] == [("alternate_name", "is not text")]

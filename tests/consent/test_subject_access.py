"""Subject access: the pack holds everything held about the client, nothing about anyone else,
lists other people's names for redaction, and is given only to the client or their stewards."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

import app  # noqa: F401 - registers every feature's holdings of personal data
from consent.subject_access import make_pack
from hub.errors import Forbidden, NotFound
from hub.personal_data import holdings
from hub.tables import AuditEvent
from tests.consent.factories import principal
from tests.consent.fixtures import client, other_client, pooled
from tests.consent.subject_access_support import full_record
from tests.plans.test_portal_pages import portal_account
from tests.support import sign_in, sign_in_client

__all__ = ["client", "other_client", "pooled"]


async def test_the_pack_holds_every_kind_of_record_and_nothing_about_another_client():
    t, other = await full_record()
    pack = await make_pack(t.client_principal, t.net.client.id)
    expected = {holding.title for holding in holdings()}
    assert set(pack.sections) == expected
    held = {title for title, rows in pack.sections.items() if rows}
    assert {
        "Identity",
        "Information recorded",
        "Consents, every version",
        "Organisations involved",
        "Referrals",
        "What happened to each referral",
        "Messages about each referral",
        "Lead professional choices",
        "Plan",
        "Goals",
        "Reviews",
        "Wellbeing ratings",
    } <= held
    body = pack.as_json().decode()
    assert str(other.id) not in body  # nothing held about the other client
    assert [item.name for item in pack.redactions] == ["Morgan Quayle"]
    assert pack.redactions[0].section == "Messages about each referral"
    assert "password_hash" not in body
    archive = zipfile.ZipFile(io.BytesIO(pack.as_zip()))
    assert sorted(archive.namelist()) == ["subject-access.html", "subject-access.json"]
    assert json.loads(archive.read("subject-access.json"))["client_id"] == str(t.net.client.id)
    page = archive.read("subject-access.html").decode()
    assert "A flat of my own" in page
    made = await AuditEvent.select().where(AuditEvent.action == "subject_access.pack_made")
    assert len(made) == 1
    assert "Morgan" not in json.dumps(made[0]["detail"])  # counts only, no personal data


async def test_a_steward_gets_the_pack_and_a_partner_with_a_referral_does_not():
    t, _ = await full_record()
    hub_pack = await make_pack(t.net.sender, t.net.client.id)
    assert hub_pack.sections["Identity"][0]["id"] == str(t.net.client.id)
    with pytest.raises((Forbidden, NotFound)):
        await make_pack(principal(t.third_worker, t.third), t.net.client.id)
    with pytest.raises(NotFound):
        await make_pack(t.net.outsider_principal, t.net.client.id)


async def test_a_client_gets_their_own_pack_in_the_portal_and_never_another(client):
    t, other = await full_record()
    await sign_in_client(client, await portal_account(t.net.client.id))
    assert 'href="/portal/my-data"' in (await client.get("/")).text
    page = await client.get("/portal/my-data")
    assert page.status_code == 200
    assert "Messages about each referral" in page.text
    assert "Morgan Quayle" not in page.text  # the client's page does not list other people
    download = await client.get("/portal/my-data/pack.zip")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert "no-store" in download.headers["cache-control"]
    with pytest.raises(NotFound):
        await make_pack(t.client_principal, other.id)
    attempt = await client.get(f"/clients/{other.id}/subject-access/pack.zip")
    assert attempt.status_code in {302, 303, 403}
    assert attempt.headers.get("content-type") != "application/zip"


async def test_a_hub_worker_sees_what_to_redact_before_handing_it_over(client):
    t, _ = await full_record()
    await sign_in(client, t.net.hub_worker.email)
    record = await client.get(f"/clients/{t.net.client.id}")
    assert f'href="/clients/{t.net.client.id}/subject-access"' in record.text
    page = await client.get(f"/clients/{t.net.client.id}/subject-access")
    assert page.status_code == 200
    assert "Before you hand it over" in page.text
    assert "Morgan Quayle" in page.text
    download = await client.get(f"/clients/{t.net.client.id}/subject-access/pack.zip")
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(download.content)).namelist()

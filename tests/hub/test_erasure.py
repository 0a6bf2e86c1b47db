"""Erasure: a client past retention (or who asked) leaves no trace in any table, the audit
chain still verifies, and a crash part-way leaves the client whole.

The every-table check reads the live schema (every table the database has, Piccolo's or
not), so a table added later that keeps a client's data without registering a holding in
`hub.personal_data` fails here.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import pytest
from piccolo.columns import ForeignKey, OnDelete
from piccolo.conf.apps import Finder

import app  # registers every feature's holdings, retention rules and jobs
from consent import rectification
from consent.rectification import CorrectionAsk
from consent.vocabulary import NEEDS
from hub import audit, clock, erasure, notifications, outbox
from hub.accounts.schemas import Principal
from hub.accounts.sessions import start_session
from hub.db import raw
from hub.errors import NotFound
from hub.personal_data import holdings
from hub.settings import get_settings
from hub.tables import Client, ClientAccount, ErasureRequest, Notification, OutboxJob
from referrals.tables import ErasedReferralTally
from tests.conftest import ON_POSTGRES
from tests.consent.factories import note, principal, registered_client
from tests.consent.fixtures import pooled
from tests.consent.subject_access_support import full_record
from tests.plans.test_portal_pages import portal_account
from tests.support import make_staff

__all__ = ["pooled"]

NHS_NUMBER = "943 476 5919"
ROOT = Path(__file__).resolve().parents[2]
# Tables that may name a client without being a holding, and why.
NOT_HOLDINGS = {"erasure_request": "its client_id is blanked by the erasure itself"}


async def table_names() -> list[str]:
    """Every table in the live database."""
    if ON_POSTGRES:
        rows = await raw(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    else:
        rows = await raw("SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(row["name"] for row in rows)


async def tables_mentioning(needles: list[str]) -> dict[str, list[str]]:
    """For each table of the live schema, which of `needles` its rows contain."""
    found: dict[str, list[str]] = {}
    lowered = [needle.lower() for needle in needles]
    for name in await table_names():
        if ON_POSTGRES:
            texts = [row["t"] for row in await raw(f'SELECT t::text AS t FROM "{name}" t')]
        else:
            connection = sqlite3.connect(get_settings().sqlite_path)
            try:
                rows = connection.execute(f'SELECT * FROM "{name}"').fetchall()
            finally:
                connection.close()
            texts = [
                " ".join(
                    value.hex() + value.decode("utf-8", "replace")
                    if isinstance(value, bytes)
                    else str(value)
                    for value in row
                )
                for row in rows
            ]
        blob = "\n".join(texts).lower()
        hits = [needle for needle in lowered if needle in blob]
        if hits:
            found[name] = hits
    return found


def file_holds(file: Path, needle: str) -> bool:
    """Whether a file's bytes hold `needle`, read by another process: opening and closing the
    live database file in this one would drop the locks SQLite holds on it (POSIX locks)."""
    if not file.exists():
        return False
    found = subprocess.run(["grep", "-c", "-a", "-F", needle, str(file)], capture_output=True)
    return found.returncode == 0


def system_admin(member: Any, organisation: Any) -> Principal:
    """A staff principal with the system admin role."""
    return msgspec.structs.replace(principal(member, organisation), is_system_admin=True)


async def erasable_client() -> tuple[Any, Any, Principal, str]:
    """A client with something in every kind of record, a correction, a portal account and
    session, a job and a notification naming them; and another client, kept."""
    t, other = await full_record()
    client_id = t.net.client.id
    await note(client_id, t.net.hub, NEEDS, f"NHS number {NHS_NUMBER}")
    entries = await rectification.own_entries(t.client_principal)
    [entry] = [e for e in entries if NHS_NUMBER in str(e.rows)]
    asked = await rectification.ask(
        t.client_principal, entry.id, CorrectionAsk(what_is_wrong="typo", should_say="NHS 1")
    )
    await rectification.correct(t.net.sender, asked, {"text": f"NHS {NHS_NUMBER}."})
    username = await portal_account(client_id, "robin@example.org")
    await start_session("client", client_id)
    await outbox.enqueue("tests.about_a_client", {"client_id": str(client_id)})
    sent = await outbox.enqueue("hub.email", {"to": "x@example.org", "body": "Dear Robin Client"})
    await OutboxJob.update({OutboxJob.status: "done"}).where(OutboxJob.id == sent)
    await outbox.enqueue("hub.email", {"to": "robin@example.org", "body": "Your account"})
    await notifications.notify([t.net.hub_worker.id], "Something", link=f"/clients/{client_id}")
    admin = await make_staff(t.net.hub, is_system_admin=True)
    return t, other, system_admin(admin, t.net.hub), username


async def approved_and_done(approver: Principal, request_id: UUID) -> dict[str, int]:
    """The approver confirms; the worker (one pass of the outbox) erases; the counts."""
    await erasure.confirm(approver, request_id)
    await outbox.run_once(app.JOB_HANDLERS, "test-worker", limit=100)
    row = await ErasureRequest.select().where(ErasureRequest.id == request_id).first()
    assert row["status"] == "erased", row
    return dict(json.loads(row["counts"]))


async def propose(client_id: UUID, reason: str = erasure.RETENTION) -> UUID:
    """An erasure waiting for a decision."""
    request = ErasureRequest(client_id=client_id, reason=reason, proposed_at=clock.now())
    await ErasureRequest.insert(request)
    return UUID(str(request.id))


async def test_an_erased_client_is_in_no_table_and_the_audit_chain_still_verifies():
    t, other, admin, _ = await erasable_client()
    client_id = t.net.client.id
    needles = [str(client_id), client_id.hex, "Robin Client", NHS_NUMBER, "robin@example.org"]
    before = await tables_mentioning(needles)
    named = {"client", "client_entry", "entry_version", "audit_event", "referral", "outbox_job"}
    assert named | {"notification", "user_session", "correction_request"} <= set(before)
    request_id = await propose(client_id)

    counts = await approved_and_done(admin, request_id)

    assert await tables_mentioning(needles) == {}
    assert counts["client"] == 1
    assert counts["referral"] >= 1
    assert counts["audit_event_blanked"]
    assert await Client.exists().where(Client.id == other.id)  # the other client is kept
    tallies = await ErasedReferralTally.select()
    # the recipients keep a count (no client) of the referrals that went
    assert sum(row["total"] for row in tallies) == counts["referral"]
    assert t.net.partner.id in {row["recipient_organisation"] for row in tallies}
    verdict = await audit.verify()
    assert verdict.ok, verdict.reason
    assert verdict.redacted == counts["audit_event_blanked"]
    done = await ErasureRequest.select().where(ErasureRequest.id == request_id).first()
    assert done["status"] == "erased"
    assert done["client_id"] is None
    assert json.loads(done["counts"])["client_entry"] >= 2
    if not ON_POSTGRES:  # VACUUM: nothing left in free pages or the write-ahead log either
        path = get_settings().sqlite_path
        for file in (path, Path(f"{path}-wal")):
            for needle in ("Robin Client", NHS_NUMBER):
                assert not file_holds(file, needle), (file, needle)


async def test_every_table_that_names_a_client_is_a_registered_holding():
    """Schema-wide: a new table holding a client's id must be registered (or erasure misses it)."""
    held = {holding.table for holding in holdings()}
    missing = []
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if table in held or name in NOT_HOLDINGS:
            continue
        # A row the database deletes with its holding (ON DELETE CASCADE) goes too.
        points_at_a_holding = any(
            isinstance(column, ForeignKey)
            and column._foreign_key_meta.resolved_references in held
            and column._foreign_key_meta.on_delete != OnDelete.cascade
            for column in table._meta.columns
        )
        names_a_client = any(
            column._meta.name in {"client", "client_id"} for column in table._meta.columns
        )
        if points_at_a_holding or names_a_client:
            missing.append(name)
    assert missing == [], f"register these in a personal_data.HOLDINGS: {missing}"


async def test_the_daily_review_proposes_only_clients_no_rule_keeps():
    t, other = await full_record()  # an open referral and an open plan keep this one
    quiet = await registered_client(t.net.hub, full_name="Quiet Person")
    await note(quiet.id, t.net.hub, NEEDS, "Came in once")
    later = clock.now() + timedelta(days=365 * 6 + 10)

    assert await erasure.propose_due(clock.now()) == 0  # not yet past retention
    admin = await make_staff(t.net.hub, is_system_admin=True)
    clock.freeze(later)
    await erasure.retention_review_job({})  # the worker's daily job
    assert await erasure.propose_due(later) == 0  # once each
    [told] = await Notification.select().where(Notification.staff == admin.id)
    assert (told["subject"], told["link"]) == (
        "2 client records are past retention",
        "/admin/retention",
    )
    [tomorrow] = await OutboxJob.select().where(OutboxJob.kind == erasure.REVIEW_JOB)
    assert tomorrow["run_after"] == later + erasure.REVIEW_EVERY
    proposals = await ErasureRequest.select()
    assert {row["client_id"] for row in proposals} == {quiet.id, other.id}  # not t's client
    assert {row["reason"] for row in proposals} == {erasure.RETENTION}
    [quiet_one] = [row for row in proposals if row["client_id"] == quiet.id]
    await erasure.decline(system_admin(admin, t.net.hub), quiet_one["id"], "Court order to keep")
    assert await erasure.propose_due(later + timedelta(days=1)) == 0  # kept: not asked daily
    assert await erasure.propose_due(later + erasure.KEPT_FOR + timedelta(days=1)) == 1


async def test_a_clients_own_request_is_decided_by_the_hubs_data_protection_lead():
    t, _, admin, username = await erasable_client()
    lead = await make_staff(t.net.hub)
    from hub.tables import Organisation

    await Organisation.update({Organisation.data_protection_lead_id: lead.id}).where(
        Organisation.id == t.net.hub.id
    )
    first_ask = await erasure.ask_for_erasure(t.client_principal, "Please")
    await erasure.decline(principal(lead, t.net.hub), first_ask, "An open safeguarding enquiry")
    assert await erasure.last_answer(t.client_principal) == "An open safeguarding enquiry"
    request_id = await erasure.ask_for_erasure(t.client_principal, "I have moved away")
    with pytest.raises(NotFound):  # a system admin confirms retention, not a client's request
        await erasure.confirm(admin, request_id)
    with pytest.raises(NotFound):  # a partner's worker sees nothing
        await erasure.confirm(t.net.recipient, request_id)
    counts = await approved_and_done(principal(lead, t.net.hub), request_id)
    assert counts["client"] == 1
    assert not await ClientAccount.exists().where(ClientAccount.username == username)
    assert (await audit.verify()).ok


WORKER = """
import asyncio
import app
from hub import audit, outbox

async def stall(*args, **kwargs):
    print("erasing", flush=True)
    await asyncio.sleep(60)

audit.redact = stall  # inside the erasure's transaction, after every holding was deleted
asyncio.run(outbox.run_once(app.JOB_HANDLERS, "doomed-worker", limit=100))
"""


async def holding_counts(client_id: UUID) -> dict[str, int]:
    """How many rows each holding has about the client."""
    from hub.personal_data import held_rows

    return {title: len(rows) for title, rows in (await held_rows(client_id)).items()}


async def test_a_worker_killed_during_an_erasure_leaves_the_client_whole(tmp_path):
    t, _, admin, _ = await erasable_client()
    client_id = t.net.client.id
    before = await holding_counts(client_id)
    request_id = await propose(client_id)
    await erasure.confirm(admin, request_id)  # queues the job the worker below takes
    script = tmp_path / "erase_worker.py"
    script.write_text(WORKER)
    worker = await asyncio.create_subprocess_exec(
        sys.executable, str(script), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdout is not None
    assert worker.stderr is not None
    line = await asyncio.wait_for(worker.stdout.readline(), timeout=60)
    assert line.strip() == b"erasing", (await worker.stderr.read()).decode()
    worker.send_signal(signal.SIGKILL)  # mid-transaction: every holding already deleted
    await worker.wait()

    assert await holding_counts(client_id) == before  # none of it went
    assert (await audit.verify()).ok
    # The dead worker's lease (taken on its own, real clock) runs out.
    clock.freeze(datetime.now(UTC) + outbox.LEASE + timedelta(minutes=1))
    await outbox.run_once(app.JOB_HANDLERS, "next-worker", limit=100)
    assert await holding_counts(client_id) == {title: 0 for title in before}  # all of it
    assert (await audit.verify()).ok


async def test_two_confirmations_at_once_erase_once():
    t, _ = await full_record()
    admin = await make_staff(t.net.hub, is_system_admin=True)
    who = system_admin(admin, t.net.hub)
    request_id = await propose(t.net.client.id)
    results = await asyncio.gather(
        erasure.confirm(who, request_id), erasure.confirm(who, request_id), return_exceptions=True
    )
    assert sorted(type(result).__name__ for result in results) == ["Conflict", "NoneType"]
    erased = await asyncio.gather(
        erasure.erase_approved(request_id), erasure.erase_approved(request_id)
    )
    assert sorted(str(type(result).__name__) for result in erased) == ["NoneType", "dict"]
    assert (await audit.verify()).ok

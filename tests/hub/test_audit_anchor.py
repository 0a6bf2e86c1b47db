"""Audit trail tampering found by `verify`, with signed checkpoints for rows cut from its end;
appends that hold PostgreSQL's lock only at commit."""

from __future__ import annotations

import asyncio
import json

import pytest

from hub import audit, audit_anchor
from hub.audit import Actor
from hub.db import raw, transaction
from hub.tables import AuditCheckpoint
from tests.conftest import ON_POSTGRES, make_client
from tests.hub.test_audit import tamper, trail, write_trail
from tests.support import make_organisation, make_staff, sign_in


async def test_an_inserted_row_is_found_where_it_breaks_the_chain() -> None:
    await write_trail(4)
    second = (await trail())[1]
    forged = {**second, "seq": 3, "detail": '{"n":99}', "prev_hash": second["hash"]}
    forged["payload_digest"] = audit._payload_digest(forged)
    forged["hash"] = audit._row_hash(forged)
    await tamper("UPDATE audit_event SET seq = seq + 10 WHERE seq >= 3")
    await tamper("UPDATE audit_event SET seq = seq - 9 WHERE seq >= 13")
    columns = [name for name in audit._COLUMNS]
    marks = ", ".join("{}" for _ in columns)
    names = ", ".join(f'"{name}"' for name in columns)
    insert = f'INSERT INTO "audit_event" ({names}) VALUES ({marks})'
    await tamper(insert, *(forged[name] for name in columns))

    result = await audit.verify()
    assert (result.broken_seq, result.reason) == (4, "previous row was changed or removed")


async def test_deleting_the_newest_rows_is_found_by_the_checkpoint() -> None:
    await write_trail(3)
    checkpoint = await audit_anchor.write_checkpoint()
    assert checkpoint is not None
    assert checkpoint.seq == 3
    assert (await audit.verify()).ok
    await write_trail(2)  # rows after the checkpoint are fine

    await tamper("DELETE FROM audit_event WHERE seq >= 3")

    result = await audit.verify()
    assert result.broken_seq == 3
    assert "newest rows were deleted" in result.reason
    assert "up to row 3" in result.reason


async def test_an_operators_copy_finds_it_when_the_checkpoints_went_too() -> None:
    await write_trail(3)
    await audit_anchor.write_checkpoint()
    kept = audit_anchor.read_file(audit_anchor.checkpoint_file())
    assert kept[-1].seq == 3

    await tamper("DELETE FROM audit_event WHERE seq = 3")
    await tamper("DELETE FROM audit_checkpoint")

    assert (await audit.verify()).ok  # what is left looks whole on its own
    result = await audit.verify(against=kept)
    assert result.broken_seq == 3
    assert "newest rows were deleted" in result.reason


async def test_a_forged_or_rewritten_checkpoint_is_reported() -> None:
    await write_trail(2)
    await audit_anchor.write_checkpoint()
    await tamper("UPDATE audit_checkpoint SET seq = 9")
    result = await audit.verify()
    assert result.broken_seq == 9
    assert "not signed" in result.reason


async def test_a_rewritten_trail_disagrees_with_its_checkpoint() -> None:
    await write_trail(3)
    await audit_anchor.write_checkpoint()
    rows = await trail()
    # Rewrite the whole trail consistently from row 2 on: the chain holds, the checkpoint not.
    previous = rows[0]["hash"]
    for row in rows[1:]:
        changed = {**row, "detail": json.dumps({"n": 0}), "prev_hash": previous}
        changed["payload_digest"] = audit._payload_digest(changed)
        changed["hash"] = previous = audit._row_hash(changed)
        await tamper(
            "UPDATE audit_event SET detail = {}, prev_hash = {}, payload_digest = {}, hash = {} "
            "WHERE seq = {}",
            changed["detail"],
            changed["prev_hash"],
            changed["payload_digest"],
            changed["hash"],
            row["seq"],
        )

    result = await audit.verify()
    assert (result.broken_seq, result.reason) == (
        3,
        "the trail differs from a signed checkpoint of this row",
    )


async def test_the_recurring_job_signs_and_a_system_admin_sees_it(client) -> None:
    from hub import audit_checkpoints

    hub = await make_organisation(name="Lochee Hub", kind="hub")
    admin = await make_staff(hub, is_org_admin=True, is_system_admin=True)
    await sign_in(client, admin.email)  # audited: the trail is not empty
    before = await client.get("/")
    assert "None yet" in before.text
    await audit_checkpoints.checkpoint_job({})
    newest = await AuditCheckpoint.select().first()
    assert newest is not None
    home = await client.get("/")
    assert 'id="audit-anchor-heading"' in home.text
    assert f"Row {newest['seq']:,}, signed" in home.text
    assert newest["hash"][:16] in home.text
    assert "None yet" not in home.text
    worker = await make_staff(hub)
    async with make_client() as other:
        await sign_in(other, worker.email)
        assert "audit-anchor-heading" not in (await other.get("/")).text


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
async def test_postgres_refuses_to_change_a_checkpoint() -> None:
    await write_trail(1)
    await audit_anchor.write_checkpoint()
    with pytest.raises(Exception, match="append-only"):
        async with transaction():
            await raw("DELETE FROM audit_checkpoint")
    assert await AuditCheckpoint.count() == 1


async def test_events_of_a_rolled_back_savepoint_are_not_written() -> None:
    async with transaction() as tx:
        await audit.record("test.kept", Actor.system())
        savepoint = await tx.savepoint()
        await audit.record("test.dropped", Actor.system())
        await savepoint.rollback_to()
        await audit.record("test.kept_too", Actor.system())
    assert [row["action"] for row in await trail()] == ["test.kept", "test.kept_too"]
    assert (await audit.verify()).ok


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time")
async def test_an_open_transaction_that_audited_does_not_hold_up_another() -> None:
    """Before, the append lock was taken at the first event and held to the end."""
    inside, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        async with transaction():
            await audit.record("test.slow", Actor.system())
            inside.set()
            await release.wait()

    slow_one = asyncio.create_task(slow())
    await inside.wait()
    async with asyncio.timeout(10):  # would wait for `slow` to end before the change
        async with transaction():
            await audit.record("test.quick", Actor.system())
    release.set()
    await slow_one
    assert [row["action"] for row in await trail()] == ["test.quick", "test.slow"]
    assert (await audit.verify()).ok

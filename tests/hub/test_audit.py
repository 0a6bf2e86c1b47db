"""Audit trail: rows are hash-chained, and any edit or deletion is found by verify()."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import pytest

from hub import audit
from hub.audit import GENESIS_HASH, Actor
from hub.db import raw, transaction
from hub.tables import AuditEvent
from tests.conftest import ON_POSTGRES


class Rollback(Exception):
    """Raised to abandon a transaction."""


async def write_trail(count: int) -> None:
    """Append `count` events, one after another."""
    for n in range(1, count + 1):
        await audit.record(
            "test.event",
            Actor(kind="staff", id=f"staff-{n}", organisation_id="org-1"),
            subject_type="thing",
            subject_id=f"thing-{n}",
            detail={"n": n},
            address="127.0.0.1",
        )


async def trail() -> list[dict[str, Any]]:
    """Every event, oldest first."""
    return list(await AuditEvent.select().order_by(AuditEvent.seq))


async def tamper(sql: str, *args: Any) -> None:
    """Change the trail behind the app's back (on PostgreSQL, getting past its trigger)."""
    async with transaction():
        if ON_POSTGRES:
            await raw("SET LOCAL session_replication_role = replica")
        await raw(sql, *args)


@pytest.mark.parametrize("batch_size", [1000, 2])
async def test_record_chains_each_event_to_the_one_before(batch_size: int) -> None:
    await write_trail(5)

    rows = await trail()
    assert [row["seq"] for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS_HASH
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    assert len({row["hash"] for row in rows}) == 5
    assert json.loads(rows[2]["detail"]) == {"n": 3}
    assert rows[2]["actor_id"] == "staff-3"

    result = await audit.verify(batch_size=batch_size)
    assert result.ok
    assert result.checked == 5


@pytest.mark.parametrize(("seq", "batch_size"), [(1, 1000), (3, 1000), (5, 1000), (3, 2)])
async def test_editing_an_events_detail_is_found_at_that_event(seq: int, batch_size: int) -> None:
    await write_trail(5)

    await tamper("UPDATE audit_event SET detail = {} WHERE seq = {}", '{"n":99}', seq)

    result = await audit.verify(batch_size=batch_size)
    assert not result.ok
    assert result.broken_seq == seq
    assert result.checked == seq - 1
    assert "changed" in result.reason


async def test_rewriting_an_events_own_hash_too_is_found_at_the_next_event() -> None:
    await write_trail(4)
    row = (await trail())[1]
    forged = {**row, "detail": '{"n":99}'}
    forged["payload_digest"] = audit._payload_digest(forged)
    forged["hash"] = audit._row_hash(forged)

    await tamper(
        "UPDATE audit_event SET detail = {}, payload_digest = {}, hash = {} WHERE seq = 2",
        forged["detail"],
        forged["payload_digest"],
        forged["hash"],
    )

    result = await audit.verify()
    assert result.broken_seq == 3
    assert result.checked == 2


@pytest.mark.parametrize("batch_size", [1000, 2])
async def test_deleting_a_middle_event_is_found_at_the_gap(batch_size: int) -> None:
    await write_trail(5)

    await tamper("DELETE FROM audit_event WHERE seq = {}", 3)

    result = await audit.verify(batch_size=batch_size)
    assert result.broken_seq == 3
    assert result.checked == 2
    assert "missing" in result.reason


async def test_an_event_in_a_rolled_back_transaction_leaves_no_gap() -> None:
    await write_trail(2)

    async def record_then_roll_back() -> None:
        async with transaction():
            await audit.record("test.abandoned", Actor.system())
            raise Rollback

    with pytest.raises(Rollback):
        await record_then_roll_back()
    await audit.record("test.after", Actor.system())

    rows = await trail()
    assert [(row["seq"], row["action"]) for row in rows] == [
        (1, "test.event"),
        (2, "test.event"),
        (3, "test.after"),
    ]
    assert (await audit.verify()).checked == 3


async def test_concurrent_appends_keep_one_unbroken_chain() -> None:
    await asyncio.gather(
        *(audit.record("test.concurrent", Actor.system(), detail={"n": n}) for n in range(20))
    )

    rows = await trail()
    assert [row["seq"] for row in rows] == list(range(1, 21))
    assert sorted(json.loads(row["detail"])["n"] for row in rows) == list(range(20))
    result = await audit.verify()
    assert result.ok
    assert result.checked == 20


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize(
    ("operation", "statement"),
    [
        ("UPDATE", "UPDATE audit_event SET detail = '{}' WHERE seq = 2"),
        ("DELETE", "DELETE FROM audit_event WHERE seq = 2"),
        ("TRUNCATE", "TRUNCATE audit_event"),
    ],
)
async def test_postgres_refuses_to_change_the_trail(operation: str, statement: str) -> None:
    import asyncpg

    await write_trail(3)
    before = await trail()

    with pytest.raises(asyncpg.PostgresError, match=f"append-only: {operation} refused"):
        await raw(statement)

    assert await trail() == before
    assert (await audit.verify()).checked == 3


async def test_record_many_continues_the_chain_in_one_insert_and_verify_checks_it() -> None:
    await write_trail(2)
    events = [
        audit.Event("test.bulk", Actor.system(), subject_type="thing", subject_id=f"bulk-{n}")
        for n in range(3)
    ]
    async with transaction():
        await audit.record_many(events)
        await audit.record_many([])  # nothing to add: nothing written
    await write_trail(1)
    rows = await trail()
    assert [row["seq"] for row in rows] == [1, 2, 3, 4, 5, 6]
    assert [row["subject_id"] for row in rows[2:5]] == ["bulk-0", "bulk-1", "bulk-2"]
    assert all(rows[n]["prev_hash"] == rows[n - 1]["hash"] for n in range(1, 6))
    assert (await audit.verify()).ok
    await tamper("UPDATE audit_event SET subject_id = {} WHERE seq = 4", "edited")
    result = await audit.verify()
    assert (result.ok, result.broken_seq) == (False, 4)


async def test_blanking_a_payload_keeps_the_chain_only_with_a_recorded_erasure() -> None:
    """An erasure blanks a row's payload (the hash covers its digest, not the payload); a row
    blanked by no recorded erasure, or a blanked row changed afterwards, is found."""
    await write_trail(3)
    async with transaction():
        if ON_POSTGRES:
            await raw("SELECT set_config('wraparound.erasing', 'on', true)")
        assert await audit.redact("thing-2", set(), "erasure-1") == 1
    blanked = (await trail())[1]
    assert (blanked["subject_id"], blanked["detail"]) == ("erased", '{"erasure": "erasure-1"}')
    assert blanked["payload_salt"] == ""
    result = await audit.verify()
    assert not result.ok  # no erasure.done event names erasure-1 yet
    assert (result.broken_seq, result.reason) == (2, "row was blanked by no recorded erasure")

    await audit.record(
        audit.ERASURE_DONE, Actor.system(), subject_type="erasure", subject_id="erasure-1"
    )
    result = await audit.verify()
    assert result.ok
    assert result.redacted == 1

    await tamper("UPDATE audit_event SET detail = {} WHERE seq = 2", '{"n":99}')
    result = await audit.verify()
    assert (result.broken_seq, result.reason) == (2, "a blanked row was changed")


async def test_rows_from_before_digests_still_verify_and_can_be_blanked() -> None:
    """A trail written before payload digests existed (hashed over its fields) verifies; one of
    its rows an erasure blanks keeps its place in the chain."""
    await write_trail(2)
    rows = await trail()
    prev = GENESIS_HASH
    for row in rows:  # rewrite the trail as the older code wrote it
        legacy = {**row, "prev_hash": prev, "payload_digest": "", "payload_salt": ""}
        legacy["hash"] = prev = audit._legacy_row_hash(legacy)
        await tamper(
            "UPDATE audit_event SET payload_digest = '', payload_salt = '', prev_hash = {},"
            " hash = {} WHERE seq = {}",
            legacy["prev_hash"],
            legacy["hash"],
            row["seq"],
        )
    assert (await audit.verify()).ok
    async with transaction():
        if ON_POSTGRES:
            await raw("SELECT set_config('wraparound.erasing', 'on', true)")
        await audit.redact("thing-1", set(), "erasure-2")
        await audit.record(
            audit.ERASURE_DONE, Actor.system(), subject_type="erasure", subject_id="erasure-2"
        )
    result = await audit.verify()
    assert result.ok, result.reason
    assert result.redacted == 1


async def erasure_done(erasure_id: str) -> None:
    """The event an erasure writes last, naming itself."""
    await audit.record(
        audit.ERASURE_DONE, Actor.system(), subject_type="erasure", subject_id=erasure_id
    )


@pytest.mark.skipif(not ON_POSTGRES, reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET hash = 'x' WHERE seq = 2",  # the chain, even in an erasure
        "UPDATE audit_event SET action = 'x' WHERE seq = 2",
        "DELETE FROM audit_event WHERE seq = 2",
    ],
)
async def test_postgres_lets_an_erasure_blank_a_payload_and_nothing_more(statement: str) -> None:
    import asyncpg

    await write_trail(3)
    before = await trail()
    with pytest.raises(asyncpg.PostgresError, match="append-only"):
        await as_an_erasure(statement)
    assert await trail() == before
    await as_an_erasure("UPDATE audit_event SET subject_id = 'erased' WHERE seq = 2")
    assert (await trail())[1]["subject_id"] == "erased"


async def as_an_erasure(statement: str) -> None:
    """Run a statement in a transaction flagged as an erasure's."""
    async with transaction():
        await raw("SELECT set_config('wraparound.erasing', 'on', true)")
        await raw(statement)

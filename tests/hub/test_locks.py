"""Named locks and recurring jobs: one helper each, keys that never collide, queued once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import asyncpg
import pytest

from hub import db, outbox
from hub.db import declared_locks, lock, lock_key, named_lock, transaction
from hub.tables import Organisation, OutboxJob
from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
_PROBE = named_lock("tests.hub.locks.probe")


def _everything_imported() -> None:
    import app

    app.create_app()


def test_every_declared_lock_has_its_own_key() -> None:
    _everything_imported()
    locks = declared_locks()
    # The project's own names: every lock the app takes is declared with named_lock().
    for name in (
        "consent.client_consents",
        "directory.signposting.counts",
        "directory.signposting.worker_list",
        "hub.audit.append",
        "hub.outbox.schedule",
        "hub.staff.system_admins",
    ):
        assert name in locks, name
    assert len(set(locks.values())) == len(locks)
    # Every advisory lock goes through hub/db.py: no hand-picked numbers anywhere else.
    skipped = {".venv", "node_modules", "tests"}
    sources = [p for p in ROOT.glob("*/**/*.py") if not skipped & set(p.parts)]
    # The one migration that makes `hub.db.read_under_lock`'s function takes its key from there.
    through_db = {"hub/db.py", "hub/piccolo_migrations/hub_2026_12_06t07_40_00_000000.py"}
    elsewhere = [
        str(p.relative_to(ROOT))
        for p in sources
        if "pg_advisory" in p.read_text() and p.relative_to(ROOT).as_posix() not in through_db
    ]
    assert elsewhere == []


def test_keys_come_from_names_and_fit_postgres() -> None:
    assert lock_key("a") == lock_key("a")
    assert lock_key("a") != lock_key("b")
    keys = {lock_key(f"name-{n}") for n in range(20_000)}
    assert len(keys) == 20_000
    assert all(-(2**63) <= key < 2**63 for key in keys)


async def test_an_undeclared_name_is_refused() -> None:
    async with transaction():
        with pytest.raises(RuntimeError, match="not declared"):
            await lock("tests.hub.locks.nobody-declared-this")


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time already")
async def test_the_lock_holds_until_the_transaction_ends() -> None:
    engine = db.get_engine()
    await db.open_pool(engine)
    order: list[str] = []
    held = asyncio.Event()

    async def first() -> None:
        async with transaction():
            await lock(_PROBE, "one")
            held.set()
            await asyncio.sleep(0.3)
            order.append("first done")

    async def second(item: str) -> None:
        await held.wait()
        async with transaction():
            await lock(_PROBE, item)
            order.append(f"second got {item}")

    try:
        await asyncio.gather(first(), second("one"))
        assert order == ["first done", "second got one"]
        order.clear()
        held.clear()
        await asyncio.gather(first(), second("two"))  # another item: no waiting
        assert order == ["second got two", "first done"]
    finally:
        await db.close_pool(engine)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time already")
async def test_a_read_under_a_lock_sees_what_the_last_holder_committed() -> None:
    """The read waits for the lock, then sees the holder's row, committed while it waited."""
    engine = db.get_engine()
    opened_here = getattr(engine, "pool", None) is None
    await db.open_pool(engine)
    held = asyncio.Event()
    seen: list[list[dict[str, object]]] = []
    query = "SELECT name FROM organisation WHERE name = 'Written under the lock'"

    async def holder() -> None:
        async with transaction():
            await lock(_PROBE)
            await Organisation.insert(Organisation(name="Written under the lock"))
            held.set()
            await asyncio.sleep(0.3)

    async def reader() -> None:
        await held.wait()
        async with transaction():
            seen.append(await db.read_under_lock(_PROBE, query))

    try:
        await asyncio.gather(holder(), reader())
    finally:
        if opened_here:  # leave the pools as the run had them
            await db.close_pool(engine)
    assert seen == [[{"name": "Written under the lock"}]]
    with pytest.raises(RuntimeError, match="not declared"):
        await db.read_under_lock("tests.hub.locks.nobody-declared-this", query)


async def test_a_recurring_job_is_queued_once_however_many_ask() -> None:
    engine = db.get_engine()
    await db.open_pool(engine)
    try:
        results = await asyncio.gather(*(outbox.ensure_scheduled("tests.tick") for _ in range(8)))
        assert sorted(results) == [False] * 7 + [True]
        assert not await outbox.ensure_scheduled("tests.tick")
        assert await outbox.ensure_scheduled("tests.other")
    finally:
        await db.close_pool(engine)
    rows = await OutboxJob.select(OutboxJob.kind).where(OutboxJob.kind == "tests.tick")
    assert len(rows) == 1


# The only modules that may ask which database they run on, and why; every other module
# (every feature) reads the same on both. Tests and the bench set up both databases.
DATABASE_SPECIFIC = {
    "hub/db.py": "the engines, transactions, locks, bulk inserts and page cache themselves",
    "hub/settings.py": "reads DATABASE_URL",
    "hub/cli.py": "serve refuses several web processes on SQLite (one writer per file)",
    "hub/backup.py": "a backup copies and checks the SQLite file; PostgreSQL has pg_dump",
    "hub/backup_cli.py": "says which of the two backups applies",
    "hub/erasure.py": "lifts PostgreSQL's append-only triggers for the erasing transaction",
    "directory/search/backend.py": "the search back ends: FTS5 on SQLite, tsvector on PostgreSQL",
    "directory/search/sqlite.py": "the SQLite search back end",
    "directory/search/results.py": "each back end's key for a listing's search row",
    "directory/search/vocabulary.py": "each back end's table of indexed words",
    "directory/store_bulk.py": "COPY on PostgreSQL, several times faster for bulk listings",
    "directory/exchange/lookups.py": "id lookups: ANY($1) on PostgreSQL, chunked IN on SQLite",
    "hub/notifications.py": "an organisation's active staff as a column of another read:"
    " json_group_array on SQLite, json_agg on PostgreSQL",
    "consent/facts.py": "the sharing rule's facts in one read: JSON arrays built by"
    " json_group_array on SQLite, json_agg on PostgreSQL; the ids as json_each or unnest",
}
ASKS_WHICH_DATABASE = (
    "is_sqlite(",
    "uses_postgres",
    "SQLiteEngine",
    "PostgresEngine",
    "FOR UPDATE",
    "PRAGMA",
)


def test_features_read_the_same_on_both_databases() -> None:
    """Database differences live in hub/db.py and the few modules named above, each with why."""
    skipped = {"node_modules", "tests", "bench"}
    tops = [d for d in ROOT.iterdir() if d.is_dir() and d.name[0] != "." and d.name not in skipped]
    sources = [p for top in tops for p in top.rglob("*.py") if "piccolo_migrations" not in p.parts]
    sources += list(ROOT.glob("*.py"))
    asking = {
        p.relative_to(ROOT).as_posix()
        for p in sources
        if any(marker in p.read_text() for marker in ASKS_WHICH_DATABASE)
    }
    assert asking - set(DATABASE_SPECIFIC) == set()
    assert "hub/db.py" in asking  # the scan sees the files it should


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has one writer at a time already")
async def test_locks_asked_for_at_begin_are_held_from_begin_and_then_cost_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = db.get_engine()
    opened_here = getattr(engine, "pool", None) is None
    await db.open_pool(engine)
    sent: list[str] = []
    original = asyncpg.Connection._execute

    def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return original(self, query, *args, **kwargs)

    def taken() -> int:
        return sum("pg_advisory_xact_lock" in query for query in sent)

    async def free(item: str) -> bool:
        """Could another connection take the lock on `item` now?"""
        pool = cast(Any, engine).pool
        async with pool.acquire() as other:
            return bool(
                await other.fetchval(
                    "SELECT pg_try_advisory_xact_lock($1)", lock_key(f"{_PROBE}/{item}")
                )
            )

    try:
        async with transaction(locks=[(_PROBE, "begun")]) as current:
            assert not await free("begun")
            monkeypatch.setattr(asyncpg.Connection, "_execute", counted)
            await lock(_PROBE, "begun")
            assert taken() == 0  # held since BEGIN: no statement
            savepoint = await current.savepoint()
            await lock(_PROBE, "later")
            assert taken() == 1
            assert not await free("later")
            await savepoint.rollback_to()  # PostgreSQL lets go of what came after it
            assert await free("later")
            await lock(_PROBE, "later")  # so it is taken again
            assert taken() == 2
            assert not await free("later")
            monkeypatch.undo()
        assert await free("begun")
        assert await free("later")
    finally:
        if opened_here:
            await db.close_pool(engine)

"""Database engines (SQLite embedded default, PostgreSQL in production) and transactions."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
import threading
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import aiosqlite
import asyncpg
import msgspec
from piccolo.columns import JSON, JSONB, Serial
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from hub.settings import Settings

log = logging.getLogger(__name__)

# No mmap on the kept writer: it lives as long as the process, and when another process
# shrank the file under its mapping (VACUUM after an erasure) the next backup read failed
# with "disk I/O error". The short-lived readers keep it.
SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -32000",
)


# Reads outside a transaction share long-lived connections that cannot write.
READ_PRAGMAS = (
    "PRAGMA query_only = ON",
    "PRAGMA cache_size = -32000",
    "PRAGMA mmap_size = 134217728",
)
MAX_IDLE_READERS = 8
# SQLite virtual-machine steps a read may take on the event loop's own thread (about a
# millisecond here) before it is stopped and run again on a worker thread.
INLINE_READ_STEPS = 50_000


class ReadConnections:
    """Long-lived read-only SQLite connections, each lent to one thread at a time.

    Piccolo opens a connection (and a thread) for every query outside a transaction; reads
    ran at half speed (DESIGN.md). In WAL mode a connection in autocommit sees every commit
    made before each statement starts, so sharing them changes nothing a caller can see.
    """

    def __init__(self, connection_kwargs: dict[str, Any]) -> None:
        self._kwargs = {**connection_kwargs, "check_same_thread": False}
        self._idle: dict[bool, list[sqlite3.Connection]] = {True: [], False: []}
        self._lock = threading.Lock()

    def _open(self, plain: bool) -> sqlite3.Connection:
        kwargs = {**self._kwargs, "detect_types": 0} if plain else self._kwargs
        connection = sqlite3.connect(**kwargs)
        if not plain:
            connection.row_factory = dict_factory
        for pragma in READ_PRAGMAS:
            connection.execute(pragma)
        return connection

    @contextlib.contextmanager
    def lend(self, *, plain: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection for this thread until the block ends (closed if the block fails).

        Plain connections give tuples of SQLite's own values: Piccolo's column converters
        (Python functions, one call per value) cost more than the rest of a big read.
        """
        idle = self._idle[plain]
        with self._lock:
            connection = idle.pop() if idle else None
        if connection is None:
            connection = self._open(plain)
        try:
            yield connection
        except BaseException:
            connection.close()
            raise
        with self._lock:
            if len(idle) < MAX_IDLE_READERS:
                idle.append(connection)
                return
        connection.close()

    def fetch(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        """Run one read and return its rows (call from a worker thread)."""
        with self.lend() as connection:
            cursor = connection.execute(query, args)
            try:
                return cursor.fetchall()
            finally:
                cursor.close()

    def fetch_short(self, query: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """Run one read here if it is short; None when it ran past `INLINE_READ_STEPS`.

        Handing a read to a thread and back cost more than most reads (the session, a
        referral with its facts); a long one (a report, a big list) must not hold up every
        other request, so SQLite stops it and the caller runs it on a thread instead.
        """
        with self.lend() as connection:
            connection.set_progress_handler(_stop, INLINE_READ_STEPS)
            try:
                cursor = connection.execute(query, args)
                try:
                    return cursor.fetchall()
                finally:
                    cursor.close()
            except sqlite3.OperationalError as error:
                if str(error) != "interrupted":
                    raise
                return None
            finally:
                connection.set_progress_handler(None, 0)


def _stop() -> int:
    """SQLite's progress callback: stop the statement."""
    return 1


def _is_read(query: str) -> bool:
    return query.lstrip()[:6].upper() == "SELECT"


class HubConnection(sqlite3.Connection):
    """A SQLite connection with the pragmas Piccolo leaves out, set once as it opens.

    Given to `sqlite3.connect(factory=...)` through the engine's connection arguments, so
    every connection (the kept writer and the shared readers) is set up in the thread that
    opens it, with no round trip per pragma.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pragma in SQLITE_PRAGMAS:
            self.execute(pragma)


class LastStatement:
    """The writes a PostgreSQL transaction sends in one statement just before COMMIT.

    Each is a part of one `WITH RECURSIVE` statement (data-modifying parts run whether or not
    anything reads them; foreign keys are checked at its end), with the arguments numbered
    across all the parts: one round trip where each buffer's writes were one or two.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []
        self.guards: list[str] = []
        self.changes: list[str] = []

    def arg(self, value: Any, cast: str = "") -> str:
        """The placeholder of one more argument (cast to `cast` when given)."""
        self.args.append(value)
        return f"${len(self.args)}::{cast}" if cast else f"${len(self.args)}"

    def part(self, sql: str, name: str = "") -> str:
        """Add `sql` as a part of the statement; the part's name, for later parts to read."""
        name = name or f"part_{len(self.parts)}"
        self.parts.append(f"{name} AS ({sql})")
        return name

    def guard(self, sql: str, args: Sequence[Any]) -> None:
        """Add a compare-and-set (`sql`, an UPDATE ... RETURNING numbered from $1, with `args`)
        that must change a row, or the whole statement writes nothing (`run` raises NotLanded).
        """
        self.guards.append(self.part(self._renumbered(sql, args), f"guard_{len(self.guards)}"))

    def change(self, name: str, sql: str, args: Sequence[Any]) -> None:
        """Add an UPDATE ... RETURNING (numbered from $1) as the part `name`, run right after
        the guards; later parts may ask whether it changed a row."""
        self.changes.append(self.part(self._renumbered(sql, args), name))

    def _renumbered(self, sql: str, args: Sequence[Any]) -> str:
        """`sql` with its $1, $2... made arguments of this statement."""
        return re.sub(r"\$(\d+)\b", lambda found: self.arg(args[int(found[1]) - 1]), sql)

    async def run(self, connection: Any) -> None:
        """Send the statement; NotLanded (and nothing written) when a guard changed no row."""
        # The main query reads the guards, then the changes, before any other part runs, so
        # their row locks come before the trail's lock, in every transaction alike. A guard of
        # no rows divides by zero, failing the whole statement while it runs (a constant
        # error would fail it when planned, whatever the counts).
        counts = " * ".join(f"(SELECT count(*) FROM {name})" for name in self.guards)
        read = [f"1 / ({counts})"] if self.guards else ["1"]
        read += [f"(SELECT count(*) FROM {name})" for name in self.changes]
        main = "SELECT " + ", ".join(read)
        try:
            await connection.execute(f"WITH RECURSIVE {', '.join(self.parts)} {main}", *self.args)
        except asyncpg.DivisionByZeroError:
            if not self.guards:
                raise
            raise NotLanded from None


class NotLanded(Exception):
    """A compare-and-set found its row already changed: the transaction keeps nothing."""


Flush = Callable[[list[Any]], Awaitable[None]]
Join = Callable[[list[Any], LastStatement], None]
_FLUSHES: dict[str, Flush] = {}
_JOINS: dict[str, Join] = {}


def flushed_before_commit(name: str, flush: Flush, join: Join | None = None) -> None:
    """Declare a buffer: what `buffer(name)` collects in a transaction, `flush` writes at its end.

    The flush runs inside the transaction, just before COMMIT, with everything collected in
    the order it came; a savepoint rolled back drops what was collected since it was taken.
    On PostgreSQL, `join` (when given) adds the same writes to the transaction's
    `LastStatement` instead, so that every buffer's writes go in one round trip.
    """
    _FLUSHES[name] = flush
    if join is not None:
        _JOINS[name] = join


class BufferedSavepoint:
    """A savepoint that, rolled back, also forgets what the buffers collected since it."""

    def __init__(self, inner: Any, buffers: dict[str, list[Any]], held: set[int]) -> None:
        self._inner = inner
        self._buffers = buffers
        self._marks = {name: len(items) for name, items in buffers.items()}
        self._held = held
        self._held_before = set(held)

    async def rollback_to(self) -> None:
        """Roll back to the savepoint, writes, collected items and locks taken since alike."""
        await self._inner.rollback_to()
        for name, items in self._buffers.items():
            del items[self._marks.get(name, 0) :]
        self._held.intersection_update(self._held_before)

    async def release(self) -> None:
        """Keep what was done since the savepoint."""
        await self._inner.release()


class BufferedTransaction:
    """Mixed into both engines' transactions: per-transaction buffers flushed before COMMIT."""

    buffers: dict[str, list[Any]]

    def buffer(self, name: str) -> list[Any]:
        """This transaction's list for `name` (see `flushed_before_commit`)."""
        if not hasattr(self, "buffers"):
            self.buffers = {}
        return self.buffers.setdefault(name, [])

    joins_writes = False
    """PostgreSQL: buffers with a `join` write in one `LastStatement`."""

    async def flush_buffers(self, *, last_of_all: bool = False) -> None:
        """Write what the buffers hold (in declaration order), then empty them.

        `last_of_all`: COMMIT comes next, with nothing between.
        """
        last = LastStatement()
        for name, flush in _FLUSHES.items():
            items = getattr(self, "buffers", {}).get(name)
            if items:
                taken = list(items)
                items.clear()
                join = _JOINS.get(name) if self.joins_writes else None
                if join is None:
                    await flush(taken)
                else:
                    join(taken, last)
        if last.parts:
            await self.run_last(last, last_of_all=last_of_all)

    async def run_last(self, last: LastStatement, *, last_of_all: bool) -> None:
        """Send the joined writes (see HubPostgresTransaction's)."""
        del last_of_all
        await last.run(self.connection)  # type: ignore[attr-defined]

    async def commit(self) -> None:
        """Flush the buffers, then COMMIT."""
        await self.flush_buffers(last_of_all=True)
        await super().commit()  # type: ignore[misc]

    async def savepoint(self, name: str | None = None) -> Any:
        """A savepoint that also marks the buffers."""
        inner = await super().savepoint(name)  # type: ignore[misc]
        if not hasattr(self, "buffers"):
            self.buffers = {}
        return BufferedSavepoint(inner, self.buffers, self.held)

    @property
    def held(self) -> set[int]:
        """The advisory-lock keys this transaction holds (PostgreSQL's; none on SQLite)."""
        if not hasattr(self, "_held"):
            self._held: set[int] = set()
        return self._held


def buffer(name: str) -> list[Any] | None:
    """The current transaction's buffer `name`, or None outside a transaction."""
    current = get_engine().current_transaction.get()
    if not isinstance(current, BufferedTransaction):
        return None
    return current.buffer(name)


async def flush_buffers() -> None:
    """Write the current transaction's buffers now (before reading what they would write)."""
    current = get_engine().current_transaction.get()
    if isinstance(current, BufferedTransaction):
        await current.flush_buffers()


class InlineCursor:
    """A finished statement's cursor, with aiosqlite's awaitable methods."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchall(self) -> list[Any]:
        """Every row (already computed, or computed now on this thread)."""
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def close(self) -> None:
        """Release the statement."""
        self._cursor.close()

    @property
    def rowcount(self) -> int:
        """Rows the statement changed."""
        return self._cursor.rowcount


class Ran:
    """A statement already run on this thread: awaitable, and usable with `async with`, as
    aiosqlite's `execute` is."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = InlineCursor(cursor)

    def __await__(self) -> Any:
        return self._cursor
        yield  # a generator that returns at once: nothing to wait for

    async def __aenter__(self) -> InlineCursor:
        return self._cursor

    async def __aexit__(self, *exc_info: object) -> None:
        await self._cursor.close()


class KeptConnection:
    """This event loop's writer connection, lent to one transaction at a time.

    Piccolo closes a transaction's connection when the transaction ends; `close` here keeps
    it open for the next one, so the pragmas run once per process instead of once per write,
    and no thread is started per transaction.

    Statements run on the event loop's own thread, not aiosqlite's: handing each to a thread
    and back cost about 0.25 ms, and the write lock was held through every hand-off, so a
    send's dozen statements kept every other writer waiting 3 ms (bench/README.md). The only
    statement that can wait on another process is BEGIN IMMEDIATE (`begin`), which goes to
    the thread when the file is busy. During a bulk load (`bulk_loads`) statements go to the
    thread again, so an import writes one batch while this thread prepares the next.
    Everything else is the aiosqlite connection's.
    """

    def __init__(self, connection: aiosqlite.Connection, busy_seconds: float) -> None:
        self._connection = connection
        self._raw: sqlite3.Connection = connection._conn
        self._busy_ms = int(busy_seconds * 1000)
        self.grown_cache = False
        self.bulk_loads = 0  # bulk loads in progress (see `bulk_load`)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """Run one statement (here, or on the thread during a bulk load)."""
        if self.bulk_loads:
            return self._connection.execute(sql, parameters)
        return Ran(self._raw.execute(sql, parameters))

    def executemany(self, sql: str, rows: Any) -> Any:
        """Run one statement for each row (here, or on the thread during a bulk load)."""
        if self.bulk_loads:
            return self._connection.executemany(sql, rows)
        return Ran(self._raw.executemany(sql, rows))

    async def begin(self, statement: str) -> None:
        """BEGIN: here when the file is free, else on the thread, waiting as long as it may.

        Waiting for another process's write lock here would stop every request in this one.
        """
        raw = self._raw
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            raw.execute(statement)
        except sqlite3.OperationalError as error:
            if raw.in_transaction or "locked" not in str(error):
                raise
            raw.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            await self._connection.execute(statement)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {self._busy_ms}")

    @property
    def driver(self) -> aiosqlite.Connection:
        """The aiosqlite connection itself."""
        return self._connection

    async def close(self) -> None:
        """The transaction is over: give back any page cache a big batch asked for."""
        if self.grown_cache and not self.bulk_loads:
            self.grown_cache = False
            await self._connection.execute(SQLITE_PRAGMAS[2])


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, KeptConnection]] = (
    weakref.WeakKeyDictionary()
)


async def _open_writer(kwargs: dict[str, Any]) -> KeptConnection:
    # Used from the event loop's thread as well as aiosqlite's, one at a time (KeptConnection).
    connection = aiosqlite.connect(**{**kwargs, "check_same_thread": False})
    # Its thread must not keep the process alive at exit (nothing closes a loop's writer when
    # `asyncio.run` returns): a write cut short there is rolled back by SQLite, as after a crash.
    # aiosqlite has no public switch for it.
    connection._thread.daemon = True
    await connection
    connection.row_factory = dict_factory  # type: ignore[assignment]  # Piccolo does the same
    return KeptConnection(connection, busy_seconds=kwargs.get("timeout", 5.0))


class KeptConnectionTransaction(BufferedTransaction, SQLiteTransaction):
    """Piccolo's SQLite transaction on the kept writer connection, with buffers."""

    async def get_connection(self) -> Any:
        """This loop's writer for the engine's file, opened on first use."""
        engine = self.engine
        assert isinstance(engine, HubSQLiteEngine)
        return await engine.writer()

    async def begin(self) -> None:
        """BEGIN, after rolling back whatever a failed COMMIT may have left open."""
        if self.connection.in_transaction:
            await self.connection.execute("ROLLBACK")
        await self.connection.begin(f"BEGIN {self.transaction_type.value}")


class HubSQLiteEngine(SQLiteEngine):
    """SQLite with our pragmas, one kept writer connection, shared readers and queued writes.

    Outside a transaction, a read goes to a shared read-only connection and a write joins the
    in-process write queue as a transaction of its own (`transaction()`), so nothing writes
    around the queue (sessions, sign-in attempts, token use included). Transactions run on
    one long-lived connection per event loop, set up once (`KeptConnection`).
    """

    _readers: ReadConnections | None = None
    _readers_path: str = ""

    @property
    def readers(self) -> ReadConnections:
        """The shared read-only connections to this database file."""
        if self._readers is None or self._readers_path != self.path:
            self._readers = ReadConnections(self.connection_kwargs)
            self._readers_path = self.path
        return self._readers

    async def writer(self) -> KeptConnection:
        """This event loop's writer connection to the engine's file, opened on first use."""
        loop = asyncio.get_running_loop()
        writers = _WRITERS.get(loop)
        if writers is None:
            writers = _WRITERS[loop] = {}
            weakref.finalize(loop, _stop_all, writers)
        kept = writers.get(self.path)
        if kept is None:
            kept = writers[self.path] = await _open_writer(self.connection_kwargs)
        return kept

    async def close_writer(self) -> None:
        """Close this loop's writer (at shutdown; the next transaction opens a new one)."""
        writers = _WRITERS.get(asyncio.get_running_loop(), {})
        kept = writers.pop(self.path, None)
        if kept is not None:
            await kept.driver.close()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        """A transaction on the kept writer connection."""
        return KeptConnectionTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def probe(self) -> None:
        """Ask a brand-new connection something: a shared reader keeps a deleted file open."""
        connection = await self.get_connection()
        try:
            await connection.execute("SELECT 1")
        finally:
            await connection.close()

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        """Run one query: in the current transaction, on a reader, or queued as a write."""
        query, args = querystring.compile_string(engine_type=self.engine_type)
        current = self.current_transaction.get()
        if current is not None:
            # Piccolo would run `PRAGMA foreign_keys` before each statement; the kept
            # connection set it once.
            async with current.connection.execute(query, args) as cursor:
                return await cursor.fetchall()
        if _is_read(query):
            rows = self.readers.fetch_short(query, list(args))
            if rows is None:
                rows = await asyncio.to_thread(self.readers.fetch, query, list(args))
            return rows
        async with transaction():
            return await self.run_querystring(querystring, in_pool)


def _stop_all(writers: dict[str, KeptConnection]) -> None:
    """A loop is gone: stop the threads of its writers."""
    for kept in writers.values():
        kept.driver.stop()
    writers.clear()


class BeginsFirst:
    """A transaction's asyncpg connection that sends BEGIN before the first statement it runs.

    Until then the transaction has sent nothing: one whose writes all wait for its last
    statement sends just that statement, which PostgreSQL runs atomically on its own (no
    BEGIN, no COMMIT: two round trips fewer).
    """

    def __init__(self, driver: Any, transaction: HubPostgresTransaction) -> None:
        self.driver = driver
        self._transaction = transaction

    SENDS = frozenset(
        {"execute", "executemany", "fetch", "fetchrow", "fetchval", "fetchmany", "prepare"}
        | {"copy_records_to_table", "copy_to_table", "copy_from_table", "copy_from_query"}
    )
    """The methods that send a statement (the pool's proxy hides which are coroutines)."""

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.driver, name)
        if name not in self.SENDS:
            return found

        async def after_begin(*args: Any, **kwargs: Any) -> Any:
            await self._transaction.begin_now()
            return await found(*args, **kwargs)

        return after_begin


class HubPostgresTransaction(BufferedTransaction, PostgresTransaction):
    """Piccolo's PostgreSQL transaction, with buffers flushed before COMMIT in one statement,
    and BEGIN sent only when a statement needs it (`BeginsFirst`)."""

    joins_writes = True
    locks_at_begin: tuple[int, ...] = ()
    """Advisory-lock keys taken in BEGIN's own round trip (`transaction(locks=...)`)."""
    begun = False
    """Has BEGIN gone to the server?"""

    async def get_connection(self) -> Any:
        """The pool's connection, sending BEGIN before its first statement."""
        return BeginsFirst(await super().get_connection(), self)

    @property
    def driver(self) -> Any:
        """The asyncpg connection itself."""
        connection = self.connection
        return connection.driver if isinstance(connection, BeginsFirst) else connection

    async def begin(self) -> None:
        """BEGIN at once when locks are asked for; otherwise before the first statement."""
        if self.locks_at_begin:
            await self.begin_now()

    async def begin_now(self) -> None:
        """BEGIN (unless sent), and the locks asked for, in one round trip (simple protocol:
        the keys are integers worked out here, never text from outside)."""
        if self.begun:
            return
        takes = "".join(
            f"; SELECT pg_advisory_xact_lock({int(key)})" for key in self.locks_at_begin
        )
        await self.driver.execute("BEGIN" + takes)
        self.begun = True
        self.held.update(self.locks_at_begin)

    async def run_last(self, last: LastStatement, *, last_of_all: bool) -> None:
        """The joined writes; when they are all the transaction sends, on their own."""
        await last.run(self.driver if last_of_all else self.connection)

    async def commit(self) -> None:
        """Flush the buffers, then COMMIT (if BEGIN went)."""
        await self.flush_buffers(last_of_all=True)
        if self.begun:
            await self.driver.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        """ROLLBACK (if BEGIN went)."""
        if self.begun:
            await self.driver.execute("ROLLBACK")
        self._rolled_back = True

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        """Commit; when the commit (or the last statement before it) fails, roll back and
        give the connection back before raising. Piccolo kept it, with its locks, for good."""
        if self._parent is not None:
            return await super().__aexit__(exception_type, exception, traceback)
        if exception is None and not self._committed:
            try:
                await self.commit()
            except BaseException as failed:
                self.connection = self.driver
                await super().__aexit__(type(failed), failed, failed.__traceback__)
                raise
        self.connection = self.driver
        return await super().__aexit__(exception_type, exception, traceback)

    async def wait_for_commit(
        self, table_name: str, names: tuple[str, ...], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Keep an insert for the last statement (those waiting go now if it would be too big)."""
        waiting = self.buffer(_AT_COMMIT)
        values = len(rows) * len(names)
        if sum(len(kept) * len(kept_names) for _, kept_names, kept in waiting) + values > (
            _MOST_WAITING_VALUES
        ):
            await self.flush_waiting_inserts()
        if values > _MOST_WAITING_VALUES:
            await insert_many(table_name, names, rows)
        else:
            waiting.append((table_name, names, rows))

    async def flush_waiting_inserts(self) -> None:
        """Write the `at_commit` inserts now, in one statement."""
        waiting = getattr(self, "buffers", {}).get(_AT_COMMIT)
        if waiting:
            last = LastStatement()
            _join_inserts(list(waiting), last)
            waiting.clear()
            await last.run(self.connection)


_CUSTOM_PLANS: contextvars.ContextVar[bool] = contextvars.ContextVar("custom_plans", default=False)


@contextlib.contextmanager
def custom_plans() -> Iterator[None]:
    """Reads in this block are planned for their own values every time (on PostgreSQL).

    PostgreSQL plans a prepared statement once for any values after five runs; for search that
    plan was 3 to 5 times slower (DESIGN.md). Planning every run cost the hot statements more
    than running them (a referral read with its facts: 1.4 ms against 0.6 ms), so only the
    reads in these blocks get it, on connections of their own (`HubPostgresEngine`).
    """
    token = _CUSTOM_PLANS.set(True)
    try:
        yield
    finally:
        _CUSTOM_PLANS.reset(token)


class HubPostgresEngine(PostgresEngine):
    """PostgreSQL whose transactions carry buffers (`buffer`, `flushed_before_commit`), with a
    second, small pool whose connections plan every statement afresh (`custom_plans`)."""

    custom_plan_pool: Any = None

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        """A transaction with buffers."""
        return HubPostgresTransaction(engine=self, allow_nested=allow_nested)

    def pool_for_reads(self) -> Any:
        """The pool a read outside a transaction borrows from."""
        if _CUSTOM_PLANS.get() and self.custom_plan_pool is not None:
            return self.custom_plan_pool
        return self.pool

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        """Piccolo's, except that a read in `custom_plans` goes to that pool."""
        pool = self.pool_for_reads()
        if pool is self.pool or self.current_transaction.get() is not None:
            return await super().run_querystring(querystring, in_pool)
        query, args = querystring.compile_string(engine_type=self.engine_type)
        async with pool.acquire() as connection:
            return await connection.fetch(query, *args)

    async def open_custom_plan_pool(self) -> None:
        """Open the pool `custom_plans` reads use."""
        if self.custom_plan_pool is None:
            self.custom_plan_pool = await asyncpg.create_pool(
                **{**self.config, "server_settings": CUSTOM_PLAN_SETTINGS},
                min_size=1,
                max_size=8,
                reset=_keep_session,
            )

    async def close_custom_plan_pool(self) -> None:
        """Close it (at shutdown)."""
        if self.custom_plan_pool is not None:
            await self.custom_plan_pool.close()
            self.custom_plan_pool = None


CUSTOM_PLAN_SETTINGS = {"plan_cache_mode": "force_custom_plan"}


def build_engine(settings: Settings) -> Engine:
    """The engine DATABASE_URL asks for: PostgreSQL, or the SQLite file in var/."""
    if settings.uses_postgres:
        # Search reads get plans made for their values (`custom_plans`); the rest PostgreSQL's
        # own choice, which keeps a plan once it has seen it is as good.
        return HubPostgresEngine(config={"dsn": settings.database_url}, extensions=())
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return HubSQLiteEngine(path=str(path), timeout=30, factory=HubConnection)


_CONF_MODULE = os.environ.get("PICCOLO_CONF", "piccolo_conf")


def get_engine() -> Engine:
    """The engine piccolo_conf.py configured.

    Read from the loaded module when there is one: Piccolo's `engine_finder` looks the module
    up through importlib on every call, and a request asks some twenty times.
    """
    conf = sys.modules.get(_CONF_MODULE)
    engine = getattr(conf, "DB", None)
    if isinstance(engine, Engine):
        return engine
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        msg = "No Piccolo engine configured"
        raise RuntimeError(msg)
    return engine


def is_sqlite() -> bool:
    """True on the embedded SQLite engine."""
    return isinstance(get_engine(), SQLiteEngine)


_WRITE_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _write_lock() -> asyncio.Lock:
    """This event loop's lock on SQLite writes."""
    loop = asyncio.get_running_loop()
    lock = _WRITE_LOCKS.get(loop)
    if lock is None:
        lock = _WRITE_LOCKS[loop] = asyncio.Lock()
    return lock


class SerialisedSQLiteTransaction:
    """An IMMEDIATE transaction that first queues, in this process, behind the others.

    SQLite lets one writer in at a time; waiting for its lock means polling with growing
    sleeps, which gave 16 concurrent users second-long tails. Queueing on an asyncio lock
    first hands the file lock over in order, at once. Nested blocks join the outer one.
    """

    def __init__(self, engine: SQLiteEngine) -> None:
        self._engine = engine
        self._lock: asyncio.Lock | None = None
        self._inner: Any = None

    async def __aenter__(self) -> Any:
        if self._engine.current_transaction.get() is None:
            self._lock = _write_lock()
            await self._lock.acquire()
        try:
            self._inner = self._engine.transaction(transaction_type=TransactionType.immediate)
            return await self._inner.__aenter__()
        except BaseException:
            self._release()
            raise

    async def __aexit__(self, *exc_info: Any) -> bool:
        try:
            return bool(await self._inner.__aexit__(*exc_info))
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def transaction(locks: Sequence[tuple[str, str]] = ()) -> Any:
    """One write transaction; on SQLite it takes the write lock at once (IMMEDIATE).

    DEFERRED transactions fail with "database is locked" under concurrent read-then-write,
    so every multi-step write goes through here. `locks`: (name, item) pairs the transaction
    will `lock()`; on PostgreSQL a new transaction takes them with BEGIN, in the same round
    trip, and their `lock()` calls cost nothing. Only a saving: `lock()` still takes each.
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        return SerialisedSQLiteTransaction(engine)
    started = engine.transaction()
    if isinstance(started, HubPostgresTransaction) and locks:
        started.locks_at_begin = tuple(_item_key(name, item) for name, item in locks)
    return started


_LOCK_KEYS: dict[int, str] = {}


def lock_key(name: str) -> int:
    """The 64-bit advisory-lock key for a lock name (signed, as PostgreSQL takes it)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def named_lock(name: str) -> str:
    """Declare a lock name once at import; two names with one key fail at start-up.

    Returns the name, for `lock()`. The declared names are `declared_locks()`.
    """
    key = lock_key(name)
    holder = _LOCK_KEYS.setdefault(key, name)
    if holder != name:  # pragma: no cover - only a 1 in 2**64 bad name reaches this
        msg = f"Lock names {holder!r} and {name!r} share a key: rename one"
        raise RuntimeError(msg)
    return name


def declared_locks() -> dict[str, int]:
    """Every lock name declared so far, with its key."""
    return {name: key for key, name in _LOCK_KEYS.items()}


async def lock(name: str, item: str = "") -> None:
    """Hold the named lock (on one `item`, such as a client's id) until the transaction ends.

    On PostgreSQL a transaction-scoped advisory lock keyed by the name (and item); on SQLite
    nothing more is needed, because `transaction()` already holds the only write lock there
    is. Call it inside `transaction()`, before reading what the lock protects.
    """
    key = _item_key(name, item)
    current = get_engine().current_transaction.get()
    if not isinstance(current, HubPostgresTransaction) or key not in current.held:
        if not is_sqlite():
            await raw("SELECT pg_advisory_xact_lock({})", key)
        if isinstance(current, HubPostgresTransaction):
            current.held.add(key)


def _item_key(name: str, item: str) -> int:
    """The key of the named lock on one item (or of the whole name)."""
    if name not in _LOCK_KEYS.values():
        msg = f"Lock {name!r} was not declared with named_lock()"
        raise RuntimeError(msg)
    return lock_key(f"{name}/{item}" if item else name)


async def read_under_lock(name: str, sql: str) -> list[dict[str, Any]]:
    """`lock(name)`, then the read `sql` (no parameters), in one round trip; its rows.

    The read sees everything committed by whoever held the lock before (on PostgreSQL it
    runs in a function, with a snapshot taken after the lock; see the hub migration of
    2026-12-06T07:40). `sql` is the app's own, never built from input.
    """
    key = _item_key(name, "")
    if is_sqlite():
        return await raw(sql)
    rows = await raw("SELECT * FROM hub_read_under_lock({}, {}) AS r(found)", key, sql)
    return [json.loads(row["found"]) for row in rows]


def in_transaction() -> bool:
    """Is a transaction in progress (so a `transaction()` opened now joins it)?"""
    return get_engine().current_transaction.get() is not None


def transaction_driver() -> Any:
    """The driver connection (aiosqlite or asyncpg) of the transaction in progress."""
    current = get_engine().current_transaction.get()
    if current is None:
        msg = "bulk writes must run inside a transaction"
        raise RuntimeError(msg)
    return current.connection


async def insert_many(
    table_name: str,
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    at_commit: bool = False,
) -> None:
    """Insert many rows with one prepared statement, in the transaction in progress.

    The placeholders differ by database (`?` on SQLite, `$1` on PostgreSQL); nothing else does.
    `at_commit`: nothing reads these rows before the transaction commits (mind a caller's
    outer transaction), so on PostgreSQL they may wait for its last statement
    (`LastStatement`) and cost no round trip of their own; a constraint they break then fails
    the commit, rolling everything back.
    """
    if not rows:
        return
    current = get_engine().current_transaction.get() if at_commit else None
    if isinstance(current, HubPostgresTransaction):
        await current.wait_for_commit(table_name, tuple(names), rows)
        return
    columns = ", ".join(f'"{name}"' for name in names)
    if is_sqlite():
        marks = ", ".join("?" for _ in names)
    else:
        marks = ", ".join(f"${n}" for n in range(1, len(names) + 1))
    sql = f'INSERT INTO "{table_name}" ({columns}) VALUES ({marks})'
    await transaction_driver().executemany(sql, rows)


_AT_COMMIT = "hub.db.at_commit"
# A statement takes at most 32,767 arguments: inserts waiting for the commit hold fewer values.
_MOST_WAITING_VALUES = 10_000


async def _insert_now(waiting: list[tuple[str, tuple[str, ...], Sequence[Sequence[Any]]]]) -> None:
    """The waiting inserts one by one (only PostgreSQL keeps any waiting, and joins them)."""
    for table_name, names, rows in waiting:
        await insert_many(table_name, names, rows)


def _join_inserts(
    waiting: list[tuple[str, tuple[str, ...], Sequence[Sequence[Any]]]], last: LastStatement
) -> None:
    """The waiting inserts as parts of the transaction's last statement, one per table.

    Rows of one table go in one insert, in the order they came: the parts of a statement run
    in no set order, and rows that tie on a timestamp are listed in the order they were written.
    """
    by_table: dict[tuple[str, tuple[str, ...]], list[Sequence[Any]]] = {}
    for table_name, names, rows in waiting:
        by_table.setdefault((table_name, names), []).extend(rows)
    for (table_name, names), rows in by_table.items():
        columns = ", ".join(f'"{name}"' for name in names)
        values = ", ".join("(" + ", ".join(last.arg(value) for value in row) + ")" for row in rows)
        last.part(f'INSERT INTO "{table_name}" ({columns}) VALUES {values}')


flushed_before_commit(_AT_COMMIT, _insert_now, _join_inserts)

_GUARDS = "hub.db.guards"


def guard_at_commit(sql: str, args: Sequence[Any]) -> bool:
    """Keep a compare-and-set for the transaction's last statement, if it has one.

    `sql` is an UPDATE ... RETURNING (numbered from $1) that must change a row. On PostgreSQL
    inside a transaction it waits, costing no round trip: the commit raises NotLanded, having
    written nothing, when it changes none. False elsewhere: the caller runs it now. Nothing
    in the transaction may read the row it changes before the commit.
    """
    current = get_engine().current_transaction.get()
    if not isinstance(current, HubPostgresTransaction):
        return False
    current.buffer(_GUARDS).append((sql, list(args)))
    return True


def checks_wait_for_commit() -> bool:
    """Does a transaction opened now keep its checks (`guard_under_lock_at_commit`,
    `guard_at_commit`) for its last statement? PostgreSQL's do; SQLite's run all at once."""
    return isinstance(get_engine(), HubPostgresEngine)


def guard_under_lock_at_commit(name: str, item: str, sql: str, expected: dict[str, int]) -> bool:
    """Keep for the transaction's last statement a check that lands only if, once the named
    lock (on `item`) is held, the read `sql` (no parameters: the app's own, never input)
    gives one row with the `expected` values; NotLanded at the commit, nothing written, if not.

    The read sees everything committed by whoever held the lock before (`read_under_lock`),
    and the lock is held to the commit. On PostgreSQL inside a transaction only; False
    elsewhere: the caller takes the lock before it reads instead.
    """
    current = get_engine().current_transaction.get()
    if not isinstance(current, HubPostgresTransaction):
        return False
    values = [str(value) for value in expected.values()]
    matches = " AND ".join(f"found->>'{column}' = ${n}" for n, column in enumerate(expected, 3))
    guard = f"SELECT 1 FROM hub_read_under_lock($1::bigint, $2::text) AS r(found) WHERE {matches}"
    current.buffer(_GUARDS).append((guard, [_item_key(name, item), sql, *values]))
    return True


async def _guards_now(guards: list[tuple[str, list[Any]]]) -> None:
    """Each compare-and-set at once (only for a transaction that joins no writes)."""
    for sql, args in guards:  # pragma: no cover - PostgreSQL's transactions join them
        if not await transaction_driver().fetch(sql, *args):
            raise NotLanded


def _join_guards(guards: list[tuple[str, list[Any]]], last: LastStatement) -> None:
    """The compare-and-sets as guards of the last statement."""
    for sql, args in guards:
        last.guard(sql, args)


flushed_before_commit(_GUARDS, _guards_now, _join_guards)

_CHANGES = "hub.db.changes"


def change_at_commit(sql: str, args: Sequence[Any]) -> str | None:
    """Keep an UPDATE ... RETURNING (numbered from $1) for the transaction's last statement.

    On PostgreSQL inside a transaction: its part's name there, for `only_if` conditions of
    other waiting writes (an audit entry kept only if it changed a row). None elsewhere: the
    caller runs it now. Nothing may read what it changes before the commit.
    """
    current = get_engine().current_transaction.get()
    if not isinstance(current, HubPostgresTransaction):
        return None
    waiting = current.buffer(_CHANGES)
    name = f"change_{len(waiting)}"
    waiting.append((name, sql, list(args)))
    return name


async def _changes_now(changes: list[tuple[str, str, list[Any]]]) -> None:
    """Each change at once (only for a transaction that joins no writes)."""
    for _, sql, args in changes:  # pragma: no cover - PostgreSQL's transactions join them
        await transaction_driver().fetch(sql, *args)


def _join_changes(changes: list[tuple[str, str, list[Any]]], last: LastStatement) -> None:
    """The changes as parts of the last statement, under the names they were given."""
    for name, sql, args in changes:
        last.change(name, sql, args)


flushed_before_commit(_CHANGES, _changes_now, _join_changes)


async def insert_rows(rows: Sequence[Table], *, at_commit: bool = False) -> None:
    """Insert rows of one table (with their ids set) as `insert_many` does (`at_commit` too).

    The same values Piccolo's own insert would write (JSON dumped, defaults filled in when
    each row was made), without building its SQL for every row: on a referral's move that
    cost more than the write.
    """
    if not rows:
        return
    table = type(rows[0])
    if isinstance(table._meta.primary_key, Serial):
        msg = f"{table.__name__} numbers its rows in the database: insert it through Piccolo"
        raise TypeError(msg)
    columns = table._meta.columns
    names = [str(column._meta.db_column_name) for column in columns]
    plain = _plain_columns(table)
    values = [
        [
            value
            if type(value := getattr(row, column._meta.name)) in _AS_THEY_ARE and is_plain
            else convert_to_sql_value(value, column)
            for column, is_plain in zip(columns, plain, strict=True)
        ]
        for row in rows
    ]
    await insert_many(table._meta.tablename, names, values, at_commit=at_commit)


# Values the drivers take as they are: Piccolo's conversion passes them through unchanged in
# any column but a JSON one. Asking it about each of a referral's 35 values cost more than
# the insert (it imports three names on every call).
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None), uuid.UUID, datetime, date, Decimal})


@functools.cache
def _plain_columns(table: type[Table]) -> tuple[bool, ...]:
    """For each column of `table`, whether it is not JSON (its values need no conversion)."""
    return tuple(not isinstance(column, JSON | JSONB) for column in table._meta.columns)


_ROWS_JSON = msgspec.json.Encoder()


def sqlite_json_insert(table_name: str, names: Sequence[str], tail: str = "") -> str:
    """An INSERT taking all its rows as one JSON array of arrays (`sqlite_json_rows`).

    SQLite reads the array itself: the statement runs as one call, with no Python between
    rows, so the writer thread does not wait for the interpreter lock between rows while this
    thread works on. `tail` is an ON CONFLICT clause, if any.
    """
    columns = ", ".join(f'"{name}"' for name in names)
    values = ", ".join(f"value ->> {n}" for n in range(len(names)))
    where = " WHERE true" if tail else ""  # SQLite's rule for INSERT ... SELECT ... ON CONFLICT
    return (
        f'INSERT INTO "{table_name}" ({columns}) SELECT {values} FROM json_each(?){where} {tail}'
    ).rstrip()


def sqlite_json_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows of plain values (text, numbers, booleans, None, UUIDs) as that JSON array."""
    return _ROWS_JSON.encode(rows).decode()


async def make_room_for_batch(kib: int) -> None:
    """Give SQLite a page cache of `kib` KiB for this big write (spilling early rewrote the WAL
    many times); PostgreSQL needs nothing. Inside the transaction of the batch."""
    if is_sqlite():
        driver = transaction_driver()
        await driver.execute(f"PRAGMA cache_size = -{int(kib)}")
        driver.grown_cache = True


# During a bulk load, SQLite copies the WAL into the database every ~100 MB instead of every
# 4 MB: each batch of a big import dirties pages all over the tables' indexes, and copying
# them back after every batch cost a sixth of a 100,000-listing import (bench/README.md).
BULK_CHECKPOINT_PAGES = 25_000
BULK_CACHE_KIB = 131_072  # 128 MiB kept across batches instead of re-read for each
DEFAULT_CHECKPOINT_PAGES = 1000  # SQLite's own


@contextlib.asynccontextmanager
async def bulk_load() -> AsyncIterator[None]:
    """Settings for a long run of big write batches (an import); put back when it ends.

    On SQLite the writer keeps a large page cache between batches and checkpoints the WAL
    less often (the first write after the load folds it in). PostgreSQL needs nothing.
    """
    if not is_sqlite():
        yield
        return
    async with transaction():
        kept = transaction_driver()
        kept.bulk_loads += 1
        kept.grown_cache = True
        await kept.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        await kept.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
    try:
        yield
    finally:
        async with transaction():
            kept = transaction_driver()
            kept.bulk_loads -= 1
            if not kept.bulk_loads:
                await kept.execute(f"PRAGMA wal_autocheckpoint = {DEFAULT_CHECKPOINT_PAGES}")


def locked(query: Any, *, skip_locked: bool = False) -> Any:
    """A select that locks the rows it reads until the transaction ends.

    On PostgreSQL `FOR UPDATE` (with `SKIP LOCKED`, rows another transaction holds are passed
    over); on SQLite the query as it is, because `transaction()` already holds the only write
    lock. Use inside `transaction()`.
    """
    if is_sqlite():
        return query
    return query.lock_rows("UPDATE", skip_locked=skip_locked)


async def prepare_sqlite_file(engine: Engine) -> None:
    """Turn on WAL (persistent in the file); Piccolo never does."""
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(engine.path) as connection:
            connection.execute("PRAGMA journal_mode = WAL")


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run one SQL statement with `{}` placeholders and return its rows."""
    result = await get_engine().run_querystring(QueryString(sql, *args))
    return list(result or [])


async def raw_tuples(sql: str, *args: Any) -> list[Sequence[Any]]:
    """`raw`, with rows as tuples; on PostgreSQL straight from asyncpg (no dicts per row).

    For reads of thousands of rows, where making a dict of each cost more than the query.
    """
    engine = get_engine()
    if not isinstance(engine, PostgresEngine):
        return [tuple(row.values()) for row in await raw(sql, *args)]
    compiled, values = QueryString(sql, *args).compile_string("postgres")
    current = engine.current_transaction.get()
    if current is not None:
        return list(await current.connection.fetch(compiled, *values))
    pool = engine.pool_for_reads() if isinstance(engine, HubPostgresEngine) else engine.pool
    if pool is not None:
        async with pool.acquire() as connection:
            return list(await connection.fetch(compiled, *values))
    connection = await engine.get_new_connection()
    try:
        return list(await connection.fetch(compiled, *values))
    finally:
        await connection.close()


async def open_pool(engine: Engine) -> None:
    """Open PostgreSQL's connection pool (no-op on SQLite)."""
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=2, max_size=10, reset=_keep_session)
    if isinstance(engine, HubPostgresEngine):
        await engine.open_custom_plan_pool()


async def _keep_session(connection: Any) -> None:
    """Give a connection back to the pool without asyncpg's reset query.

    The reset (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) was one more
    round trip after every read outside a transaction. The app sets nothing on a session that
    outlives a transaction: its advisory locks and settings are transaction-scoped, and it
    neither listens nor keeps cursors. asyncpg still rolls back a transaction left open.
    """
    del connection


async def keep_trying_to_open_pool(engine: Engine, stop: asyncio.Event, every: float = 5.0) -> None:
    """Open the pool, retrying while the database is down, so the app starts (and /healthz
    answers 503) instead of crashing when PostgreSQL is not up yet."""
    while not stop.is_set():
        try:
            await open_pool(engine)
        except Exception:  # noqa: BLE001 - unreachable database: say so and try again
            log.warning("database unreachable; retrying the connection pool in %s s", every)
        else:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)


async def close_pool(engine: Engine) -> None:
    """Close PostgreSQL's connection pool, or this loop's SQLite writer connection."""
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if isinstance(engine, HubPostgresEngine):
        await engine.close_custom_plan_pool()
    if isinstance(engine, HubSQLiteEngine):
        await engine.close_writer()


async def database_reachable(wait_seconds: float = 2.0) -> bool:
    """True when the database answers a trivial query in time (on a new connection)."""
    engine = get_engine()
    probe = engine.probe() if isinstance(engine, HubSQLiteEngine) else raw("SELECT 1")
    try:
        await asyncio.wait_for(probe, timeout=wait_seconds)
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False
    return True


async def vacuum() -> None:
    """On SQLite, rebuild the file so deleted rows leave nothing in free pages or the WAL.

    Runs on this loop's kept writer connection, outside any transaction and behind the write
    queue; a no-op on PostgreSQL (whose autovacuum reclaims dead rows, and whose files are not
    handed around as backups).
    """
    engine = get_engine()
    if not isinstance(engine, HubSQLiteEngine):
        return
    async with _write_lock():
        kept = await engine.writer()
        await kept.driver.execute("VACUUM")
        # It answers with a row: read it, or the statement stays open and the next COMMIT fails.
        async with kept.driver.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            await cursor.fetchall()

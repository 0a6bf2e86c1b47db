"""Counts SQL statements at the driver and times spans of one request (bench only, never the app).

Statements are counted where they reach the database: SQLite's trace callback on every
connection the app opens (`hub.db.HubConnection`), asyncpg's `_execute`, `executemany` and
argument-less `execute` on PostgreSQL. So BEGIN, COMMIT, SAVEPOINT and PRAGMA count too: a
statement is a round trip whoever issues it. Spans are wall time of named pieces, measured
one request at a time so nothing else runs in between; a span includes the database time of
the queries it makes (say so when reading them).
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    """Statements by first word, and milliseconds by span, since the last `reset`."""

    statements: Counter[str] = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)
    spans_ms: dict[str, float] = field(default_factory=dict)
    keep_texts: bool = False

    def reset(self) -> None:
        """Start counting afresh."""
        self.statements.clear()
        self.texts.clear()
        self.spans_ms.clear()

    def saw(self, sql: str) -> None:
        """One statement reached the database."""
        words = sql.lstrip().split(None, 1)
        self.statements[words[0].upper().rstrip(";") if words else "?"] += 1
        if self.keep_texts:
            self.texts.append(" ".join(sql.split())[:160])


TALLY = Tally()
_INSIDE: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "bench_spans", default=frozenset()
)


@contextmanager
def span(name: str) -> Iterator[None]:
    """Add the block's wall time to `name` (an inner span of the same name is not counted twice)."""
    inside = _INSIDE.get()
    if name in inside:
        yield
        return
    token = _INSIDE.set(inside | {name})
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        TALLY.spans_ms[name] = TALLY.spans_ms.get(name, 0.0) + elapsed
        _INSIDE.reset(token)


def _timed_async(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        with span(name):
            return await function(*args, **kwargs)

    return wrapper


def _timed_sync(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with span(name):
            return function(*args, **kwargs)

    return wrapper


def _wrap(owner: Any, attribute: str, name: str, *, is_async: bool = True) -> None:
    original = getattr(owner, attribute)
    timed = _timed_async if is_async else _timed_sync
    setattr(owner, attribute, timed(name, original))


def _count_sqlite() -> None:
    from hub import db

    original_init = db.HubConnection.__init__

    def traced_init(self: db.HubConnection, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.set_trace_callback(TALLY.saw)

    db.HubConnection.__init__ = traced_init  # type: ignore[method-assign]


def _count_postgres() -> None:
    from asyncpg.connection import Connection

    original_execute, original_many = Connection._execute, Connection.executemany
    original_plain = Connection.execute

    async def _execute(self: Connection, query: str, *args: Any, **kwargs: Any) -> Any:
        TALLY.saw(query)
        return await original_execute(self, query, *args, **kwargs)

    async def executemany(self: Connection, command: str, args: Any, **kwargs: Any) -> Any:
        TALLY.saw(command)
        return await original_many(self, command, args, **kwargs)

    async def execute(self: Connection, query: str, *args: Any, **kwargs: Any) -> Any:
        if not args:  # with arguments it goes through _execute, counted there
            TALLY.saw(query)
        return await original_plain(self, query, *args, **kwargs)

    Connection._execute = _execute
    Connection.executemany = executemany
    Connection.execute = execute


def _time_pieces() -> None:
    """Wrap the named pieces of a request with spans (before the app is built)."""
    import jinja2
    from litestar.middleware import csrf
    from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
    from piccolo.engine.sqlite import SQLiteEngine

    from hub import audit, db, notifications
    from hub.accounts import passwords, sessions
    from hub.web import middleware

    for engine in (SQLiteEngine, PostgresEngine, db.HubSQLiteEngine):
        _wrap(engine, "run_querystring", "database")
    _wrap(db.SerialisedSQLiteTransaction, "__aenter__", "database")
    _wrap(db.SerialisedSQLiteTransaction, "__aexit__", "database")
    _wrap(PostgresTransaction, "__aenter__", "database")
    _wrap(PostgresTransaction, "__aexit__", "database")
    _wrap(db, "insert_many", "database")
    _wrap(jinja2.Template, "render", "templates", is_async=False)
    _wrap(passwords, "verify_password", "password hashing")
    _wrap(sessions, "token_key", "token hashing", is_async=False)
    _wrap(audit, "_row_hash", "audit hashing", is_async=False)
    _wrap(middleware, "signed_in", "session (and unread badge)")
    _wrap(csrf.CSRFMiddleware, "_csrf_tokens_match", "csrf", is_async=False)
    _wrap(csrf.CSRFMiddleware, "_set_cookie_if_needed", "csrf", is_async=False)
    _wrap(notifications, "notify", "notifications + outbox")
    _wrap(notifications, "notify_organisation", "notifications + outbox")
    _wrap(audit, "record", "audit append")
    _wrap(audit, "record_many", "audit append")


def install(database_kind: str, *, keep_texts: bool = False) -> Tally:
    """Count statements and time spans in this process; call before the app is created."""
    if database_kind == "sqlite":
        _count_sqlite()
    else:
        _count_postgres()
    _time_pieces()
    TALLY.keep_texts = keep_texts
    return TALLY

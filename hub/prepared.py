"""Hot queries built once: their SQL is made on first use, and each later run only binds values.

Piccolo builds a query's SQL afresh on every run: for a referral read with the sharing rule's
facts that cost about a millisecond, more than running it (bench/README.md). A `Prepared`
query is built once per database kind with stand-ins for its values; later runs put the real
values where the stand-ins were and hand the same SQL to the engine, and Piccolo still turns
the rows into its usual answer (JSON columns decoded, and so on).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from piccolo.querystring import QueryString

from hub.db import NotLanded, get_engine, guard_at_commit


class _Slot:
    """Stands in for the value of a query's parameter while the query is built."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class _Compiled(QueryString):
    """SQL already made for this database, with its values; the engines run it as it is."""

    def __init__(self, sql: str, args: list[Any]) -> None:
        self._sql = sql
        self._args = args

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        """The SQL and its values (already compiled)."""
        del engine_type
        return self._sql, self._args

    def __str__(self) -> str:
        return self._sql


class _Made:
    """One prepared query for one kind of database."""

    def __init__(self, built: Any, engine_type: str) -> None:
        self.query = built if hasattr(built, "querystrings") else None
        querystring = built if self.query is None else _only(built.querystrings)
        compiled: tuple[str, list[Any]] = querystring.compile_string(engine_type=engine_type)
        self.sql, self.args = compiled
        self.slots = [
            (position, value.index)
            for position, value in enumerate(self.args)
            if isinstance(value, _Slot)
        ]


def _only(querystrings: list[QueryString]) -> QueryString:
    if len(querystrings) != 1:
        msg = "a prepared query must be one statement"
        raise ValueError(msg)
    return querystrings[0]


class Prepared:
    """A query whose SQL is made once; `rows(*values)` runs it with those values.

    `build` takes one argument per value (`arity` of them when it takes `*values`) and
    returns a Piccolo query, or a QueryString. It
    must give the same SQL whatever the values, and each value must be one the database takes
    as it is (an id, text, a number, a date; not a Table row or an Enum): it is bound without
    Piccolo's conversions.
    """

    def __init__(self, build: Callable[..., Any], arity: int | None = None) -> None:
        self._build = build
        self._arity = len(inspect.signature(build).parameters) if arity is None else arity
        self._made: dict[str, _Made] = {}

    def _for(self, engine_type: str) -> _Made:
        made = self._made.get(engine_type)
        if made is None:
            built = self._build(*(_Slot(index) for index in range(self._arity)))
            made = self._made[engine_type] = _Made(built, engine_type)
        return made

    def _bound(self, engine_type: str, values: tuple[Any, ...]) -> tuple[_Made, list[Any]]:
        """The query made for `engine_type`, and its arguments with `values` in their places."""
        if len(values) != self._arity:
            msg = f"expected {self._arity} values, got {len(values)}"
            raise TypeError(msg)
        made = self._for(engine_type)
        args = list(made.args)
        for position, index in made.slots:
            args[position] = values[index]
        return made, args

    async def rows(self, *values: Any) -> Any:
        """Run it with these values; Piccolo's answer for a query, dicts for a QueryString."""
        engine = get_engine()
        made, args = self._bound(engine.engine_type, values)
        found = await engine.run_querystring(_Compiled(made.sql, args))
        if made.query is None:
            return engine.transform_response_to_dicts(found) if found else []
        return await made.query._process_results(found)

    def statement(self, *values: Any) -> tuple[str, list[Any]]:
        """Its SQL for the engine in use, and its arguments with these values."""
        made, args = self._bound(get_engine().engine_type, values)
        return made.sql, args

    async def must_change(self, *values: Any, at_commit: bool = False) -> None:
        """Run this compare-and-set (an UPDATE ... RETURNING); NotLanded if it changed no row.

        `at_commit`: nothing reads the row before the transaction commits (mind a caller's
        outer transaction), so on PostgreSQL it may go in the transaction's last statement
        (`hub.db.guard_at_commit`), and NotLanded come from the commit, nothing written.
        """
        engine = get_engine()
        made, args = self._bound(engine.engine_type, values)
        if at_commit and guard_at_commit(made.sql, args):
            return
        if not await engine.run_querystring(_Compiled(made.sql, args)):
            raise NotLanded

    async def first(self, *values: Any) -> Any:
        """The first row, or None."""
        found = await self.rows(*values)
        return found[0] if found else None

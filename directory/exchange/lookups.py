"""Looking many ids up at once, cheaply: a bulk import asks for thousands in each batch.

Inside a transaction the query goes straight to the driver (one bound list on PostgreSQL);
building a Piccolo query per batch cost more than the lookup itself (a conversion per value).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from hub.db import get_engine, is_sqlite

CHUNK = 900  # values in one SQLite IN (...) list


async def rows_with_ids(
    table: Any, columns: Sequence[str], ids: Sequence[UUID]
) -> list[dict[str, Any]]:
    """Rows of `table` (`id` and `columns`) whose id is one of `ids`."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    names = ", ".join(f'"{name}"' for name in ("id", *columns))
    current = get_engine().current_transaction.get()
    if current is None:
        return list(
            await table.select(table.id, *(getattr(table, name) for name in columns)).where(
                table.id.is_in(wanted)
            )
        )
    tablename = table._meta.tablename
    if not is_sqlite():
        sql = f'SELECT {names} FROM "{tablename}" WHERE "id" = ANY($1::uuid[])'
        return [dict(row) for row in await current.connection.fetch(sql, wanted)]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        sql = f'SELECT {names} FROM "{tablename}" WHERE "id" IN ({marks})'
        async with current.connection.execute(sql, chunk) as cursor:
            rows += [dict(row) for row in await cursor.fetchall()]
    return rows

"""Where each feature keeps a client's personal data: one list the subject access pack reads.

Each feature declares its tables that hold a client's data (`Holding`): the rows whose
`column` is the client's id, or the id of a row of a parent holding (a referral's messages,
a plan's goals). The composition root registers them all, so the hub, which imports no
feature, can gather everything held about one person (the subject access pack) and erase it
(`hub.erasure`).

A feature adding a table that holds anything about a client (even only its id) must add a
Holding to its `personal_data.HOLDINGS` (parents before children; a table with a foreign key
to a holding's table is a holding too), or erasure fails on the foreign key or leaves the
rows behind: tests/hub/test_erasure.py reads every table of the live schema afterwards and
fails on any that still names the erased client. Use `on_erase` to keep an anonymous count
(a referral's recipient keeps a tombstone tally) before the rows go.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

_CHUNK = 500


@dataclass(frozen=True)
class Holding:
    """A table holding a client's data, and how its rows point at the client."""

    title: str
    """What a person would call it: "Referrals", "Messages on referrals"."""
    table: type[Table]
    column: str
    """The column holding the client's id, or the parent holding's row ids."""
    parent: str = ""
    """The title of the holding whose row ids `column` holds ("" for the client's own id)."""
    hidden: tuple[str, ...] = ()
    """Columns never given out (password hashes, token digests)."""
    on_erase: Callable[[list[dict[str, Any]]], Awaitable[None]] | None = None
    """Called with the rows about to be erased, inside the erasure's transaction."""


_HOLDINGS: list[Holding] = []


def register(*holdings: Holding) -> None:
    """Add holdings (parents before their children)."""
    for holding in holdings:
        if holding.parent and holding.parent not in {h.title for h in _HOLDINGS}:
            msg = f"{holding.title}: its parent {holding.parent!r} is not registered yet"
            raise ValueError(msg)
        if holding.title not in {h.title for h in _HOLDINGS}:
            _HOLDINGS.append(holding)


def holdings() -> list[Holding]:
    """Every registered holding, parents first."""
    return list(_HOLDINGS)


def plain(value: Any) -> Any:
    """A value as JSON can carry it (ids, dates and times as text)."""
    if isinstance(value, uuid.UUID | dt.date | dt.time | dt.datetime | decimal.Decimal):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


async def held_rows(client_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every registered holding's rows about this client, by title, as stored."""
    found: dict[str, list[dict[str, Any]]] = {}
    ids: dict[str, list[Any]] = {}
    for holding in _HOLDINGS:
        keys = [client_id] if not holding.parent else ids.get(holding.parent, [])
        rows: list[dict[str, Any]] = []
        column = holding.table._meta.get_column_by_name(holding.column)
        for start in range(0, len(keys), _CHUNK):
            rows += await (
                holding.table.select()
                .where(column.is_in(keys[start : start + _CHUNK]))
                .output(load_json=True)
            )
        ids[holding.title] = [row["id"] for row in rows if "id" in row]
        found[holding.title] = rows
    return found


async def collect(client_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every registered holding's rows about this client, by title, as plain values."""
    held = await held_rows(client_id)
    found: dict[str, list[dict[str, Any]]] = {}
    for holding in _HOLDINGS:
        rows = held[holding.title]
        found[holding.title] = [
            {name: plain(value) for name, value in row.items() if name not in holding.hidden}
            for row in rows
        ]
    return found

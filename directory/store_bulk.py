"""The write path for many new listings at once: rows, history, audit trail and index in bulk.

What `directory.store.upsert_service` writes for a new listing, for a whole batch with one
multi-row statement per table, inside the caller's transaction (which a failure leaves to the
caller to roll back, e.g. to a savepoint). The listings must be new and their places too:
a listing whose place exists already goes through `upsert_service`, which re-indexes the other
services there.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns import Float, Serial

from directory import schemas
from directory.search.backend import meilisearch_backend
from directory.search.collapsed import collapsed_into
from directory.search.database import IndexRows, own_index, transaction_connection
from directory.search.sync import SYNC_JOB
from directory.store import diff
from directory.tables import (
    Accessibility,
    Contact,
    CostOption,
    Language,
    Location,
    Phone,
    Schedule,
    ScheduleException,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceChange,
    ServiceTaxonomy,
)
from hub import audit, clock, outbox
from hub.audit import Actor
from hub.db import is_sqlite, make_room_for_batch, transaction

_JSON = msgspec.json.Encoder(order="sorted")
_SLICE = 50  # listings prepared between two turns of the event loop
_SERVICE_CHILDREN = {
    "contacts": Contact,
    "phones": Phone,
    "service_areas": ServiceArea,
    "languages": Language,
    "cost_options": CostOption,
    "schedules": Schedule,
    "exceptions": ScheduleException,
}
_LOCATION_CHILDREN = {
    "accessibility": Accessibility,
    "phones": Phone,
    "schedules": Schedule,
    "exceptions": ScheduleException,
}


class Rows:
    """Rows to insert, table by table, each with every column (defaults filled in)."""

    def __init__(self) -> None:
        self.by_table: dict[Any, list[list[Any]]] = {}
        self._columns: dict[Any, _Shape] = {}

    def _shape(self, table: Any) -> _Shape:
        if table not in self._columns:
            columns = [c for c in table._meta.columns if not isinstance(c, Serial)]
            self._columns[table] = _Shape(
                names=[c._meta.db_column_name for c in columns],
                defaults={c._meta.db_column_name: c.get_default_value() for c in columns},
                floats=[n for n, c in enumerate(columns) if isinstance(c, Float)],
            )
        return self._columns[table]

    def add(self, table: Any, values: dict[str, Any]) -> None:
        """One row; columns not given take their default, unknown keys are ignored."""
        shape = self._shape(table)
        defaults = shape.defaults
        row = [values[name] if name in values else defaults[name] for name in shape.names]
        for index in shape.floats:
            if row[index] is not None:
                row[index] = float(row[index])  # asyncpg wants a float, not an int
        self.by_table.setdefault(table, []).append(row)

    async def insert(self) -> None:
        """Insert every table's rows, parents first, in the transaction in progress."""
        connection = transaction_connection()
        filled = [(table, rows) for table, rows in self.by_table.items() if rows]
        if not is_sqlite():  # COPY: several times faster than a pipelined INSERT per row
            for table, rows in filled:
                await connection.copy_records_to_table(
                    table._meta.tablename, records=rows, columns=self._shape(table).names
                )
            return
        for table, rows in filled:
            names = self._shape(table).names
            columns = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in names)
            sql = f'INSERT INTO "{table._meta.tablename}" ({columns}) VALUES ({marks})'
            await connection.executemany(sql, rows)


@dataclass
class _Shape:
    """A table's columns as the bulk insert writes them."""

    names: list[str]
    defaults: dict[str, Any]
    floats: list[int]  # indices of float columns


def _own_fields(struct: Any) -> dict[str, Any]:
    return msgspec.structs.asdict(struct)


def listing_rows(records: Sequence[schemas.ServiceRecord], now: Any) -> Rows:
    """Every row of these whole listings (a place shared by several is written once)."""
    rows = Rows()
    rows.by_table = {table: [] for table in (Service, Location)}  # parents first
    places: dict[uuid.UUID, schemas.Location] = {}
    for record in records:
        values = _own_fields(record)
        values["referral_methods"] = ",".join(record.referral_methods)
        values["organisation"] = record.organisation_id
        values["created_at"] = record.created_at or now
        values["updated_at"] = now
        rows.add(Service, values)
        for place in record.locations:
            places[place.id] = place
            rows.add(
                ServiceAtLocation,
                {"id": uuid.uuid4(), "service": record.id, "location": place.id},
            )
        for kind, table in _SERVICE_CHILDREN.items():
            for child in getattr(record, kind):
                rows.add(table, {**_own_fields(child), "service": record.id, "location": None})
        for term in record.terms:
            rows.add(
                ServiceTaxonomy,
                {"id": uuid.uuid4(), "service": record.id, "taxonomy_term": term.id},
            )
    for place in places.values():
        values = _own_fields(place)
        values["organisation"] = place.organisation_id
        values["updated_at"] = now
        rows.add(Location, values)
        for kind, table in _LOCATION_CHILDREN.items():
            for child in getattr(place, kind):
                rows.add(table, {**_own_fields(child), "location": place.id, "service": None})
    return rows


async def create_services(
    records: Sequence[schemas.ServiceRecord], *, actor: Actor, summary: str
) -> None:
    """Write new listings whole, with their history lines, audit events and index documents.

    Runs in the caller's transaction (opening one if there is none); `records` carry their
    organisation's name, as the index needs it. The listings' rows are written while their
    history, audit events and index rows are made, so the database and Python work at once.
    """
    if not records:
        return
    now = clock.now()
    stamped = [
        msgspec.structs.replace(r, created_at=r.created_at or now, updated_at=now) for r in records
    ]
    index = own_index()
    async with transaction():
        await make_room_for_batch(131072)  # 128 MiB: a whole batch's pages (hub.db says why)
        hidden = await collapsed_into([record.id for record in stamped])
        writing = asyncio.create_task(listing_rows(stamped, now).insert())
        await asyncio.sleep(0)  # let it start
        try:
            history, events, documents = await _made_beside(stamped, now, actor, summary, hidden)
        finally:
            await asyncio.gather(writing, return_exceptions=True)
        writing.result()  # raises what the listings' insert raised
        await history.insert()
        await audit.record_many(events)
        await index.write([str(record.id) for record in stamped], documents)
        if meilisearch_backend() is not None:
            await outbox.enqueue(SYNC_JOB, {"service_ids": [str(r.id) for r in stamped]})


async def _made_beside(
    records: Sequence[schemas.ServiceRecord],
    now: Any,
    actor: Actor,
    summary: str,
    hidden: Collection[uuid.UUID],
) -> tuple[Rows, list[audit.Event], IndexRows]:
    """History lines, audit events and index rows, a slice at a time (the loop runs between)."""
    history = Rows()
    events: list[audit.Event] = []
    documents = IndexRows()
    index = own_index()
    for start in range(0, len(records), _SLICE):
        part = records[start : start + _SLICE]
        for record in part:
            changes = diff(None, record)
            history.add(
                ServiceChange,
                {
                    "service_id": record.id,
                    "changed_by": None,
                    "changed_at": now,
                    "summary": summary or "Listing created",
                    # Values are already plain (diff); msgspec writes them 5x faster than json.
                    "changes": _JSON.encode(changes).decode(),
                },
            )
            events.append(
                audit.Event(
                    "directory.service_created",
                    actor,
                    subject_type="service",
                    subject_id=str(record.id),
                    detail={"fields": sorted(changes)},
                )
            )
        index.prepare(part, hidden, documents)
        await asyncio.sleep(0)  # the listings' insert (PostgreSQL) sends its next statement
    return history, events, documents

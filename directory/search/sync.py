"""Keeping search backends in step with listing changes (called inside the change's transaction).

The database index is brought into step before the change commits, so a search straight
after sees it. Meilisearch, when configured, is told through the outbox: the job is written in
the same transaction, so it exists exactly when the change does, and is retried until applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from directory.search.backend import database_backend, meilisearch_backend
from directory.search.collapsed import depending_on
from directory.tables import ServiceAtLocation
from hub import outbox

SYNC_JOB = "directory.search_sync"


async def affected_services(service_ids: Sequence[UUID]) -> list[UUID]:
    """These services and every other service at one of their places.

    A place's opening hours and dated exceptions belong to every service delivered there, so
    a change made through one listing changes the others' documents too.
    """
    wanted = list(dict.fromkeys(service_ids))
    places = ServiceAtLocation.select(ServiceAtLocation.location).where(
        ServiceAtLocation.service.is_in(wanted)
    )
    rows = await ServiceAtLocation.select(ServiceAtLocation.service).where(
        ServiceAtLocation.location.is_in(places)
    )
    return list(dict.fromkeys([*wanted, *(row["service"] for row in rows)]))


async def listing_changed(service_ids: Sequence[UUID]) -> None:
    """Re-index these services in the database index now; queue Meilisearch through the outbox.

    Services sharing a place with them are re-indexed too (see `affected_services`), and
    listings collapsed into them (see `directory.search.collapsed`).
    """
    if not service_ids:
        return
    ids = await affected_services(service_ids)
    ids += [i for i in await depending_on(ids) if i not in ids]  # shown or not, as these are
    await database_backend().index(ids)
    if meilisearch_backend() is not None:
        await outbox.enqueue(SYNC_JOB, {"service_ids": [str(i) for i in ids]})


async def search_sync_job(payload: dict[str, Any]) -> None:
    """Outbox job: bring Meilisearch into step for the services named in the payload."""
    backend = meilisearch_backend()
    if backend is None:
        return  # Meilisearch was switched off after the job was queued.
    await backend.index([UUID(service_id) for service_id in payload.get("service_ids", [])])

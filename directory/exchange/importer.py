"""Saving imported listings in batches: one transaction per batch, one bad listing fails alone.

Each batch resolves its organisations, terms and child ids with a few queries, then writes its
new listings in bulk (directory.store_bulk: rows, history, audit trail and search index in
step) and its changed ones through directory.store.upsert_service, each inside a savepoint.
When a bulk write fails, the batch is written again listing by listing, each in its own
savepoint, so only the listing that failed is rolled back; should the batch itself fail, each
of its listings is tried again in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from directory import schemas
from directory.exchange.batch_prepare import Prepared, prepare_batch
from directory.exchange.hsds_in import Candidate
from directory.exchange.lookups import rows_with_ids
from directory.exchange.problems import Problem, RowFailed
from directory.exchange.publisher import publisher_name
from directory.exchange.summary import ImportSummary
from directory.read import load_services
from directory.store import diff, upsert_service
from directory.store_bulk import create_services
from directory.tables import Location, Service
from hub.audit import Actor
from hub.db import bulk_load, transaction

__all__ = ["BATCH", "ImportSummary", "import_candidates"]

log = logging.getLogger(__name__)
BATCH = 1000  # listings a transaction
READ_AHEAD = 2  # batches read while one is written


@dataclass
class Outcome:
    """What became of one candidate in a batch."""

    result: str = "failed"
    errors: list[Problem] = field(default_factory=list)


async def _attempt(tx: Any, work: Callable[[], Awaitable[Any]]) -> tuple[Any, Exception | None]:
    """Run `work` in a savepoint: (its result, None), or (None, the error) rolled back."""
    savepoint = await tx.savepoint()
    try:
        result = await work()
    except Exception as exc:  # noqa: BLE001 - reported against the listing, the rest go on
        await savepoint.rollback_to()
        return None, exc
    await savepoint.release()
    return result, None


def _failed(candidate: Candidate, exc: Exception) -> Outcome:
    if isinstance(exc, RowFailed):
        return Outcome("failed", exc.problems)
    log.warning("import of %s failed", candidate.where, exc_info=exc)
    return Outcome("failed", [Problem(candidate.where, "", f"could not be saved: {exc}")])


async def _write(items: list[Prepared], source: str) -> list[Outcome]:
    """Write prepared listings (new ones in bulk); any failure is raised to the caller."""
    summary_line = f"Imported from {source}"[:300]
    actor = Actor.system()
    records = [item.record for item in items if item.record is not None]
    existing = await rows_with_ids(Service, [], [r.id for r in records])
    befores = {r.id: r for r in await load_services([row["id"] for row in existing])}
    place_ids = [place.id for r in records for place in r.locations]
    known_places = {row["id"] for row in await rows_with_ids(Location, [], place_ids)}
    outcomes: list[Outcome] = []
    bulk: list[schemas.ServiceRecord] = []
    for item in items:
        record = item.record
        before = befores.get(record.id) if record is not None else None
        if record is None:
            outcomes.append(Outcome("failed", item.errors))
        elif before is not None and not diff(before, record):
            outcomes.append(Outcome("unchanged"))  # not written: last_modified stays true
        elif before is None and not any(p.id in known_places for p in record.locations):
            bulk.append(record)
            outcomes.append(Outcome("created"))
        else:
            changes = await upsert_service(record, actor=actor, summary=summary_line)
            created = before is None
            outcomes.append(
                Outcome("created" if created else "updated" if changes else "unchanged")
            )
    await create_services(bulk, actor=actor, summary=summary_line)
    return outcomes


async def _save_batch(
    candidates: list[Candidate], source: str, publisher: str
) -> list[tuple[Prepared | None, Outcome, list[str]]]:
    """One batch in one transaction: each listing's (prepared, outcome, organisations created).

    The whole batch is tried at once in a savepoint; if anything fails, it is rolled back and
    each listing is tried in a savepoint of its own, so only the one that fails is lost.
    """

    async def together() -> list[tuple[Prepared | None, Outcome, list[str]]]:
        prepared, created = await prepare_batch(candidates, publisher)
        outcomes = await _write(prepared, source)
        return [
            (item, outcome, created if n == 0 else [])
            for n, (item, outcome) in enumerate(zip(prepared, outcomes, strict=True))
        ]

    async def alone(candidate: Candidate) -> tuple[Prepared | None, Outcome, list[str]]:
        prepared, created = await prepare_batch([candidate], publisher)
        (outcome,) = await _write(prepared, source)
        if outcome.result == "failed":
            raise RowFailed(outcome.errors)
        return prepared[0], outcome, created

    async with transaction() as tx:
        results, error = await _attempt(tx, together)
        if error is None:
            return list(results)
        if len(candidates) == 1:
            return [(None, _failed(candidates[0], error), [])]
        log.warning("a batch of %s failed; saving its listings one by one", len(candidates))
        results = []
        for candidate in candidates:
            result, error = await _attempt(tx, functools.partial(alone, candidate))
            results.append(result if error is None else (None, _failed(candidate, error), []))
        return results


async def _save(
    candidates: list[Candidate], summary: ImportSummary, source: str, publisher: str
) -> list[str]:
    """Save a batch (one listing a transaction if the batch's fails); report once committed."""
    try:
        results = await _save_batch(candidates, source, publisher)
    except Exception as exc:
        if len(candidates) == 1:
            log.warning("import of %s failed", candidates[0].where, exc_info=exc)
            problem = Problem(candidates[0].where, "", f"could not be saved: {exc}")
            summary.count("failed", [problem])
            return ["failed"]
        log.warning("a batch of %s failed; one transaction each now", len(candidates))
        return [
            outcome
            for candidate in candidates
            for outcome in await _save([candidate], summary, source, publisher)
        ]
    for item, outcome, created in results:
        summary.organisations(created)
        if item is not None and outcome.result != "failed":
            summary.warn(item.warnings)
        summary.count(outcome.result, outcome.errors)
    return [outcome.result for _, outcome, _ in results]


async def import_candidates(
    candidates: AsyncIterator[Candidate],
    source: str,
    on_item: Callable[[Candidate, str], None] | None = None,
    publisher: str = "",
    summary: ImportSummary | None = None,
    batch_size: int = BATCH,
) -> ImportSummary:
    """Save every good candidate, `batch_size` a transaction; count and report the rest.

    `on_item` hears each outcome once its batch has committed. Listings naming no
    organisation go to `publisher` (see `publisher_name`). Pass a `summary` with a report
    attached to stream problems to it (memory stays flat on any size of feed).
    """
    summary = summary or ImportSummary()
    publisher = publisher_name(publisher, source)
    # Reading the next batch overlaps writing this one: the database works in its own thread
    # (SQLite) or server (PostgreSQL) while Python parses.
    batches: asyncio.Queue[list[Candidate] | None] = asyncio.Queue(maxsize=READ_AHEAD)

    async def read() -> None:
        batch: list[Candidate] = []
        try:
            async for candidate in candidates:
                summary.warn(candidate.warnings)
                if candidate.errors or candidate.record is None:
                    problems = candidate.errors or [
                        Problem(candidate.where, "", "could not be read")
                    ]
                    summary.count("failed", problems)
                batch.append(candidate)
                if len(batch) >= batch_size:
                    await batches.put(batch)
                    batch = []
            await batches.put(batch)
        finally:
            await batches.put(None)

    reader = asyncio.create_task(read())
    try:
        async with bulk_load():
            while (batch := await batches.get()) is not None:
                await _flush(batch, summary, source, publisher, on_item)
    finally:
        if not reader.done():
            reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader  # raises what reading raised
    return summary


async def _flush(
    batch: list[Candidate],
    summary: ImportSummary,
    source: str,
    publisher: str,
    on_item: Callable[[Candidate, str], None] | None,
) -> None:
    """Save a batch's good candidates and tell `on_item` every outcome."""
    good = [c for c in batch if not c.errors and c.record is not None]
    results = dict.fromkeys(map(id, batch), "failed")
    if good:
        for candidate, result in zip(
            good, await _save(good, summary, source, publisher), strict=True
        ):
            results[id(candidate)] = result
    if on_item:
        for candidate in batch:
            on_item(candidate, results[id(candidate)])

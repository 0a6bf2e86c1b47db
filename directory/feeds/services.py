"""Registering feeds and pulling them: import every page, then hide what the feed dropped.

A pull imports the feed through the same batched write path as `wraparound directory import`;
between daily full pulls it asks only for what changed (`modified_after`).
Only a pull that read the feed to its end may hide anything: a listing the feed no longer has
is marked inactive (gone from search, kept with its history) and comes back if the feed brings
it back. When more than HOLD_SHARE of a feed's listings vanish at once, nothing is hidden and
the pull is held for an admin to confirm (`confirm_removals`).
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from directory.exchange import sources
from directory.exchange.hsds_in import Candidate
from directory.exchange.importer import import_candidates
from directory.exchange.organisations import ensure_organisations
from directory.exchange.problems import STOPPED
from directory.exchange.publisher import publisher_info
from directory.exchange.report import ReportWriter
from directory.exchange.summary import ImportSummary
from directory.feeds import disappearance, duplicates
from directory.feeds.schemas import PullResult
from directory.feeds.tables import Feed
from directory.openreferral.formats import is_uri
from hub import audit, clock
from hub.audit import Actor
from hub.db import transaction
from hub.errors import Invalid, NotFound

FULL_EVERY = timedelta(hours=24)  # a pull that reads every listing, to find what is gone
MAX_REPORT = 2_000_000  # characters of a pull's problems report kept for the admin page


async def register_feed(url: str, publisher: str, every_hours: int = 24) -> UUID:
    """Register an Open Referral UK API (its root or `/services`) to pull every `every_hours`.

    Raises:
        Invalid: not an http(s) address, no publisher, a bad interval, or already registered.
    """
    url, publisher = url.strip(), publisher.strip()
    if not (url.startswith(("http://", "https://")) and is_uri(url)):
        msg = "Enter the feed's web address, starting https://"
        raise Invalid(msg, {"url": msg})
    if not publisher:
        msg = "Enter the organisation that publishes the feed"
        raise Invalid(msg, {"publisher": msg})
    if not 1 <= every_hours <= 24 * 28:
        msg = "Pull it every 1 to 672 hours"
        raise Invalid(msg, {"every_hours": msg})
    if await Feed.exists().where(Feed.url == url):
        msg = "That feed is registered already"
        raise Invalid(msg, {"url": msg})
    feed_id = uuid.uuid4()
    async with transaction():
        ours, _ = await ensure_organisations([publisher_info(publisher[:200])])
        await Feed.insert(
            Feed(
                id=feed_id,
                url=url,
                publisher=next(iter(ours.values())),
                every_hours=every_hours,
                created_at=clock.now(),
            )
        )
        await audit.record(
            "directory.feed_registered",
            Actor.system(),
            subject_type="feed",
            subject_id=str(feed_id),
            detail={"url": url, "publisher": publisher},
        )
    return feed_id


async def list_feeds() -> list[dict[str, Any]]:
    """Every feed with its publisher's name and last pull, newest first."""
    rows = await Feed.select(
        *Feed.all_columns(exclude=[Feed.report]),
        Feed.publisher.name.as_alias("publisher_name"),
    ).order_by(Feed.created_at, ascending=False)
    for row in rows:
        row["counts"] = json.loads(row.pop("last_counts") or "{}")
    return list(rows)


async def get_feed(feed_id: UUID) -> dict[str, Any]:
    """One feed's row, with its publisher's name.

    Raises:
        NotFound: no such feed.
    """
    row = (
        await Feed.select(*Feed.all_columns(), Feed.publisher.name.as_alias("publisher_name"))
        .where(Feed.id == feed_id)
        .first()
    )
    if row is None:
        msg = "No such feed"
        raise NotFound(msg)
    return row


def _outcomes(seen: dict[str, UUID], keys: set[str], changed: list[UUID]) -> Any:
    """The import's `on_item`: every id the feed listed, the listings now held for it, and
    those this pull created or changed."""

    def hear(candidate: Candidate, outcome: str) -> None:
        if candidate.key:
            keys.add(candidate.key)
        if outcome != "failed" and candidate.record is not None and candidate.key:
            seen[candidate.key] = candidate.record.id
        if outcome in ("created", "updated") and candidate.record is not None:
            changed.append(candidate.record.id)

    return hear


async def _without(
    candidates: AsyncIterator[Candidate], merged: set[UUID], keys: set[str]
) -> AsyncIterator[Candidate]:
    """The feed's listings less those an admin merged away (still counted as listed)."""
    async for candidate in candidates:
        if candidate.record is not None and candidate.record.id in merged:
            keys.add(candidate.key)
            continue
        yield candidate


async def pull_feed(feed_id: UUID) -> PullResult:
    """Pull one feed now (see the module docstring); its row records what happened."""
    feed = await get_feed(feed_id)
    started, clock_started = clock.now(), time.perf_counter()
    # Between full pulls, ask only for what changed; only a full pull can tell what is gone.
    last_full, last_start = feed["last_full_at"], feed["last_started_at"]
    incremental = (
        feed["last_status"] == "ok"
        and last_full is not None
        and last_start is not None
        and started - last_full < FULL_EVERY
    )
    await Feed.update({Feed.last_started_at: started}).where(Feed.id == feed_id)
    seen: dict[str, UUID] = {}
    keys: set[str] = set()
    changed: list[UUID] = []
    merged = await duplicates.merged_services()
    with tempfile.TemporaryDirectory(prefix="wa-feed-") as folder:
        report_path = Path(folder) / "problems.csv"
        summary = ImportSummary(report=ReportWriter(report_path))
        try:
            async with sources.http_client() as http:
                source = await sources.open_source(
                    feed["url"], http, last_start if incremental else None
                )
                await import_candidates(
                    _without(source.candidates, merged, keys),
                    source.label,
                    _outcomes(seen, keys, changed),
                    publisher=feed["publisher_name"],
                    summary=summary,
                )
            failure = ""
        except (Invalid, httpx.HTTPError) as exc:
            failure = str(exc) or type(exc).__name__
        finally:
            assert summary.report is not None
            summary.report.close()
        report = report_path.read_text(encoding="utf-8") if report_path.exists() else ""
    counts = {
        "read": summary.total,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "refused": summary.failed,
    }
    if failure:
        result = PullResult("failed", f"Nothing changed: {failure}", counts)
    elif summary.error_kinds[STOPPED]:
        note = "The feed stopped part-way, so no listing was hidden"
        result = PullResult("incomplete", note, counts)
    elif incremental:
        await disappearance.record_seen(feed_id, seen, started)
        note = "Pulled what changed since the last pull (removals are found by the daily full pull)"
        result = PullResult("ok", note, counts)
    else:
        await disappearance.record_seen(feed_id, seen, started)
        result = await disappearance.settle(feed_id, started, keys, counts)
        if result.status == "ok":
            await Feed.update({Feed.last_full_at: started}).where(Feed.id == feed_id)
    if changed:
        result.counts["possible duplicates"] = await duplicates.flag_duplicates(changed)
    result.seconds = round(time.perf_counter() - clock_started, 2)
    await Feed.update(
        {
            Feed.last_pulled_at: clock.now(),
            Feed.last_seconds: result.seconds,
            Feed.last_status: result.status,
            Feed.last_message: result.message,
            Feed.last_counts: json.dumps(result.counts),
            Feed.report: report[:MAX_REPORT],
        }
    ).where(Feed.id == feed_id)
    return result


async def due_feeds() -> list[UUID]:
    """Feeds whose next pull is due (never pulled, or pulled `every_hours` ago or more)."""
    now = clock.now()
    rows = await Feed.select(Feed.id, Feed.every_hours, Feed.last_started_at)
    return [
        row["id"]
        for row in rows
        if row["last_started_at"] is None
        or row["last_started_at"] + timedelta(hours=row["every_hours"]) <= now
    ]


async def pull_due_feeds() -> dict[UUID, PullResult]:
    """Pull every feed that is due, one after another."""
    return {feed_id: await pull_feed(feed_id) for feed_id in await due_feeds()}


async def confirm_removals(feed_id: UUID) -> int:
    """Hide the listings a held pull found missing (an admin confirmed); how many were hidden."""
    feed = await get_feed(feed_id)
    if feed["last_status"] != "held" or feed["last_started_at"] is None:
        msg = "This feed has no removals waiting"
        raise Invalid(msg)
    hidden = await disappearance.hide_missing(feed_id, feed["last_started_at"])
    counts = {**json.loads(feed["last_counts"] or "{}"), "hidden": hidden}
    await Feed.update(
        {
            Feed.last_status: "ok",
            Feed.last_message: f"An admin confirmed: {hidden} listings gone from the feed hidden",
            Feed.last_counts: json.dumps(counts),
        }
    ).where(Feed.id == feed_id)
    return hidden

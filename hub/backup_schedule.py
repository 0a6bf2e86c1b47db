"""The daily backup from the worker (keep the newest N), and what the admin page shows of it.

Each backup, by the job or by `wraparound backup`, leaves a `BackupRecord` (when, where, how
big, whether its copy checked out), so a system admin sees at a glance when the last good
one was made; older than a day is flagged.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hub import clock, outbox
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.backup import BackupError, BackupReport, backup
from hub.settings import get_settings
from hub.tables import BackupRecord

BACKUP_JOB = "hub.daily_backup"
RUNS_AT = time(2, 0)
"""Local time of the daily backup: the quietest hour of a hub."""
LONDON = ZoneInfo("Europe/London")
STALE_AFTER = timedelta(days=1)
PATTERN = "wraparound-*.backup"


UNFINISHED = "Started but never finished: the process stopped part-way, so this backup failed"


async def begin(path: Path) -> uuid.UUID:
    """Note a backup starting, as failed until it finishes: a backup killed part-way (which
    cannot say so itself) is left marked failed."""
    started = BackupRecord(
        id=uuid.uuid4(), made_at=clock.now(), path=str(path), size=0, ok=False, message=UNFINISHED
    )
    await BackupRecord.insert(started)
    return uuid.UUID(str(started.id))


async def record(
    report: BackupReport | None, path: Path, problem: str = "", started: uuid.UUID | None = None
) -> None:
    """Keep what a backup did (or why it failed), on its `begin` row when it has one."""
    values: dict[str, Any] = {
        "made_at": clock.now(),
        "path": str(path),
        "size": report.size if report else 0,
        "ok": report is not None,
        "message": problem or (report.check.audit if report else ""),
    }
    if started is None:
        started = uuid.uuid4()
        await BackupRecord.insert(BackupRecord(id=started, **values))
        return
    await BackupRecord.update(**values).where(BackupRecord.id == started)


def until_next_run(now: datetime) -> timedelta:
    """How long until the next RUNS_AT, London time."""
    local = now.astimezone(LONDON)
    run = datetime.combine(local.date(), RUNS_AT, tzinfo=LONDON)
    if run <= local:
        run = datetime.combine(local.date() + timedelta(days=1), RUNS_AT, tzinfo=LONDON)
    return run - local


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` daily backups in `folder`, and any unfinished copy;
    returns those deleted."""
    backups = sorted(folder.glob(PATTERN), key=lambda path: path.name, reverse=True)
    gone = backups[keep:]
    # What a backup killed part-way left (its record already says it failed).
    gone += sorted(folder.glob(f"{PATTERN}.partial"))
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


async def run_daily_backup() -> BackupReport | None:
    """One backup into BACKUP_DIR, recorded, then the oldest beyond BACKUP_KEEP removed."""
    settings = get_settings()
    folder = settings.backup_dir
    out = folder / f"wraparound-{clock.now().astimezone(LONDON):%Y%m%d-%H%M%S}.backup"
    started = await begin(out)
    try:
        report = await asyncio.to_thread(
            backup,
            out,
            database_url=settings.database_url,
            sqlite_path=settings.sqlite_path,
            key=settings.backup_key,
        )
    except BackupError as exc:
        await record(None, out, str(exc), started)
        return None
    await record(report, out, started=started)
    prune(folder, settings.backup_keep)
    return report


async def daily_backup_job(payload: dict[str, Any]) -> None:
    """Outbox handler: back up, then queue tomorrow's."""
    _ = payload
    await run_daily_backup()
    await outbox.ensure_scheduled(BACKUP_JOB, after=until_next_run(clock.now()))


async def ensure_backup_job() -> None:
    """At start: queue the next daily backup (unless BACKUP_DAILY is off)."""
    if get_settings().backup_daily:
        await outbox.ensure_scheduled(BACKUP_JOB, after=until_next_run(clock.now()))


@dataclass(frozen=True)
class BackupStatus:
    """The last good backup as a system admin's home page shows it."""

    made_at: datetime | None
    size: int
    path: str
    stale: bool
    last_failure: str
    """Why the newest attempt failed, when it did."""

    @property
    def made_text(self) -> str:
        """When, in London time: 5 December 2026, 02:00."""
        if self.made_at is None:
            return ""
        local = self.made_at.astimezone(LONDON)
        return f"{local.day} {local:%B %Y, %H:%M}"


async def backup_status(principal: Principal) -> BackupStatus | None:
    """For system admins: the last good backup, flagged when older than a day."""
    if not roles.is_system_admin(principal):
        return None
    good = (
        await BackupRecord.select()
        .where(BackupRecord.ok.eq(True))
        .order_by(BackupRecord.made_at, ascending=False)
        .first()
    )
    newest = await BackupRecord.select().order_by(BackupRecord.made_at, ascending=False).first()
    failure = newest["message"] if newest and not newest["ok"] else ""
    if good is None:
        return BackupStatus(None, 0, "", True, failure)
    stale = clock.now() - good["made_at"] > STALE_AFTER
    return BackupStatus(good["made_at"], good["size"], good["path"], stale, failure)

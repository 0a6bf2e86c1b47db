"""`wraparound backup`, `wraparound restore` and `wraparound backup-key`, with progress bars."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hub import audit, erasure
from hub.backup import (
    BackupError,
    backup,
    check_sqlite,
    new_key,
    readable_copy,
    restore_postgres,
    restore_sqlite,
    temporary_folder,
)
from hub.backup import Progress as ProgressCallback
from hub.backup_schedule import begin, record
from hub.db import raw
from hub.settings import get_settings


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )


def _track(bar: Progress, description: str) -> ProgressCallback:
    task = bar.add_task(description, total=None)

    def told(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return told


@click.command("backup-key")
def backup_key_command() -> None:
    """Print a new key for BACKUP_KEY (keep it offline: without it no backup can be read)."""
    click.echo(new_key())


@click.command("backup")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Where to.")
def backup_command(out: Path) -> None:
    """Copy the database while it serves, check the copy, and encrypt it with BACKUP_KEY."""
    settings = get_settings()
    started = asyncio.run(begin(out))
    with _bar() as bar:
        told = _track(bar, "Copying")
        try:
            report = backup(
                out,
                database_url=settings.database_url,
                sqlite_path=settings.sqlite_path,
                key=settings.backup_key,
                progress=told,
            )
        except BackupError as exc:
            asyncio.run(record(None, out, str(exc), started))
            raise click.ClickException(str(exc)) from exc
    asyncio.run(record(report, report.path, started=started))
    rows = sum(report.check.rows.values())
    click.echo(
        f"Backup written to {report.path} ({report.size:,} bytes, {report.seconds:.1f} s)"
        f"{', encrypted' if report.encrypted else ', NOT encrypted (set BACKUP_KEY)'}."
    )
    click.echo(
        f"Checked: {len(report.check.rows)} tables, {rows:,} rows; audit: {report.check.audit}"
    )


async def _has_data() -> bool:
    try:
        return bool(await raw("SELECT 1 FROM audit_event LIMIT 1"))
    except Exception:  # noqa: BLE001 - no table yet: an empty database
        return False


async def _after_restore() -> tuple[int, bool, int]:
    from hub.cli import migrate

    await migrate()
    result = await audit.verify()
    erased_again = await erasure.reapply() if result.ok else 0
    return result.checked, result.ok, erased_again


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore a backup (stop the app first), migrate it forward and verify it."""
    settings = get_settings()
    if asyncio.run(_has_data()) and not force:
        msg = "The database already holds data: restoring would replace it. Add --force to do so."
        raise click.ClickException(msg)
    with temporary_folder() as folder:
        try:
            plain = readable_copy(path, settings.backup_key, Path(folder))
            if settings.uses_postgres:
                restore_postgres(plain, settings.database_url)
            else:
                check_sqlite(plain)  # a damaged or foreign file stops here, before any change
                with _bar() as bar:
                    restore_sqlite(plain, settings.sqlite_path, _track(bar, "Restoring"))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
    checked, ok, erased_again = asyncio.run(_after_restore())
    if not ok:
        msg = "Restored, but the audit trail does not verify: see `wraparound audit verify`."
        raise click.ClickException(msg)
    click.echo(f"Restored from {path}; migrated forward; audit trail verified ({checked} rows).")
    if erased_again:
        click.echo(
            f"Erased again {erased_again} client(s) erased after this backup was made "
            f"(from {erasure.ledger_path()})."
        )

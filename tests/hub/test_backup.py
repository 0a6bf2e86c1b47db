"""Backups taken while the app writes, checked, encrypted; restores that refuse, migrate, verify.

Runs against this run's database (SQLite file or PostgreSQL), with the real `wraparound`
command and the real pg_dump / pg_restore for PostgreSQL.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hub import audit
from hub.audit import Actor
from hub.backup import BackupError, BackupReport, backup, new_key, scratch_postgres
from hub.db import raw, transaction
from hub.settings import get_settings
from tests.conftest import ON_POSTGRES
from tests.hub.conftest import process_env

Run = Callable[..., subprocess.CompletedProcess[str]]
WRITES = 120


async def audit_rows() -> int:
    """Rows in the live audit trail."""
    return int((await raw("SELECT count(*) AS n FROM audit_event"))[0]["n"])


async def write_events(count: int) -> None:
    """`count` audited changes, each in its own transaction, yielding between them."""
    for number in range(count):
        async with transaction():
            await audit.record("test.backup_write", Actor.system(), detail={"n": number})
        await asyncio.sleep(0)


def take_backup(out: Path, key: str = "") -> BackupReport:
    """A backup of this run's database."""
    settings = get_settings()
    return backup(
        out, database_url=settings.database_url, sqlite_path=settings.sqlite_path, key=key
    )


def target_env(tmp_path: Path, name: str) -> tuple[dict[str, str], str]:
    """An environment whose database is a new empty one (its URL returned too)."""
    if ON_POSTGRES:
        raise AssertionError("use scratch_postgres on PostgreSQL")
    url = f"sqlite:///{tmp_path / name}"
    return process_env(DATABASE_URL=url, WRAPAROUND_VAR_DIR=str(tmp_path)), url


async def test_a_backup_taken_while_writes_go_on_loses_nothing_and_verifies(tmp_path):
    await write_events(5)
    before = await audit_rows()
    out = tmp_path / "live.backup"
    writer = asyncio.create_task(write_events(WRITES))
    report = await asyncio.to_thread(take_backup, out)
    await writer
    assert await audit_rows() == before + WRITES  # no write lost to the backup
    assert out.exists()
    assert not out.with_name(out.name + ".partial").exists()
    assert "intact" in report.check.audit
    assert before <= report.check.rows["audit_event"] <= before + WRITES  # one moment
    assert report.size == out.stat().st_size


async def test_an_encrypted_backup_restores_only_with_its_key(tmp_path, wraparound: Run):
    await write_events(3)
    key = new_key()
    out = tmp_path / "secret.backup"
    await asyncio.to_thread(take_backup, out, key)
    assert out.read_bytes()[:6] == b"gAAAAA"
    assert b"test.backup_write" not in out.read_bytes()
    if ON_POSTGRES:
        with scratch_postgres(get_settings().database_url) as url:
            env = process_env(DATABASE_URL=url)
            wrong = wraparound("restore", str(out), env={**env, "BACKUP_KEY": new_key()})
            assert wrong.returncode == 1
            assert "cannot be decrypted with this BACKUP_KEY" in wrong.stderr
            right = wraparound("restore", str(out), env={**env, "BACKUP_KEY": key})
            assert right.returncode == 0, right.stderr
            assert "audit trail verified" in right.stdout
        return
    env, url = target_env(tmp_path, "restored.sqlite")
    wrong = wraparound("restore", str(out), env={**env, "BACKUP_KEY": new_key()})
    assert wrong.returncode == 1
    assert "cannot be decrypted with this BACKUP_KEY" in wrong.stderr
    right = wraparound("restore", str(out), env={**env, "BACKUP_KEY": key})
    assert right.returncode == 0, right.stderr
    copy = sqlite3.connect(url.removeprefix("sqlite:///"))
    restored = copy.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    copy.close()
    assert restored == await audit_rows()


async def test_restore_refuses_a_database_with_data_and_keeps_it_from_a_damaged_file(
    tmp_path, wraparound: Run
):
    await write_events(2)
    out = tmp_path / "good.backup"
    await asyncio.to_thread(take_backup, out)
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(out.read_bytes()[: len(out.read_bytes()) // 3])
    live_rows = await audit_rows()
    refused = wraparound("restore", str(out))  # this run's own database: it holds data
    assert refused.returncode == 1
    assert "already holds data" in refused.stderr
    forced = wraparound("restore", "--force", str(damaged))
    assert forced.returncode == 1
    assert "Traceback" not in forced.stderr
    assert await audit_rows() == live_rows  # nothing changed
    assert (await audit.verify()).ok


async def test_a_backup_that_cannot_be_written_says_so_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    with pytest.raises(BackupError, match="Could not write the backup"):
        await asyncio.to_thread(take_backup, blocker / "x.backup")
    assert blocker.read_text() == "a file where the backup folder should be"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["not-a-folder"]


async def test_a_foreign_file_is_refused_before_anything_changes(tmp_path, wraparound: Run):
    foreign = tmp_path / "notes.backup"
    foreign.write_text("not a database at all\n" * 100)
    live_rows = await audit_rows()
    result = wraparound("restore", "--force", str(foreign))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert await audit_rows() == live_rows


async def test_an_older_backup_is_migrated_forward_on_restore(tmp_path, wraparound: Run):
    """A backup made before the newest migration: restoring it applies that migration."""
    await write_events(1)
    out = tmp_path / "now.backup"
    await asyncio.to_thread(take_backup, out)
    newest = "2026-12-05T21:20:00:000000"
    if ON_POSTGRES:
        with scratch_postgres(get_settings().database_url) as older:
            env = process_env(DATABASE_URL=older)
            assert wraparound("restore", str(out), env=env).returncode == 0
            undo = (
                f"DELETE FROM migration WHERE name = '{newest}'; DROP TABLE directory_search_filter"
            )
            subprocess.run(["psql", older, "-qc", undo], check=True)
            old_dump = tmp_path / "older.backup"
            subprocess.run(
                ["pg_dump", "--format=custom", f"--file={old_dump}", older],
                check=True,
            )
        with scratch_postgres(get_settings().database_url) as target:
            env = process_env(DATABASE_URL=target)
            result = wraparound("restore", str(old_dump), env=env)
            assert result.returncode == 0, result.stderr
            back = subprocess.run(
                ["psql", target, "-Atc", "SELECT to_regclass('directory_search_filter')"],
                capture_output=True,
                text=True,
                check=True,
            )
            assert back.stdout.strip() == "directory_search_filter"
        return
    copy = sqlite3.connect(out)
    copy.execute("DELETE FROM migration WHERE name = ?", (newest,))
    copy.commit()
    copy.close()
    env, url = target_env(tmp_path, "forward.sqlite")
    result = wraparound("restore", str(out), env=env)
    assert result.returncode == 0, result.stderr
    restored = sqlite3.connect(url.removeprefix("sqlite:///"))
    applied = restored.execute("SELECT count(*) FROM migration WHERE name = ?", (newest,))
    assert applied.fetchone()[0] == 1
    restored.close()


KILLED_BACKUP = """
import sys, time
import hub.backup
from hub.backup_cli import backup_command

def stall(*args, **kwargs):
    print("copied", flush=True)
    time.sleep(60)

hub.backup.check_sqlite = stall
hub.backup.check_postgres_dump = stall
backup_command.main(["--out", sys.argv[1]], standalone_mode=False)
"""


async def test_a_backup_killed_part_way_leaves_the_database_whole_and_is_marked_failed(tmp_path):
    """kill -9 while the copy is being checked: no backup file, the live database untouched,
    and the attempt stays on record as failed (the admin's page says so)."""
    from hub import backup_schedule
    from hub.tables import BackupRecord

    await write_events(3)
    before = await audit_rows()
    script = tmp_path / "killed_backup.py"
    script.write_text(KILLED_BACKUP)
    out = tmp_path / "killed.backup"
    root = Path(__file__).resolve().parents[2]
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(script), str(out), cwd=root,
        env=process_env(PYTHONPATH=str(root)),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=120)
    assert line.strip() == b"copied"
    assert out.with_name(out.name + ".partial").exists()  # the copy, not yet checked
    process.send_signal(signal.SIGKILL)
    await process.wait()

    assert not out.exists()
    assert await audit_rows() == before
    assert (await audit.verify()).ok
    [attempt] = await BackupRecord.select()
    assert not attempt["ok"]
    assert attempt["message"] == backup_schedule.UNFINISHED
    assert Path(attempt["path"]) == out
    if not ON_POSTGRES:
        live = sqlite3.connect(get_settings().sqlite_path)
        try:
            assert live.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            live.close()
    report = await asyncio.to_thread(take_backup, out)  # the next one succeeds over it
    assert "intact" in report.check.audit
    assert not out.with_name(out.name + ".partial").exists()


async def test_a_restore_erases_again_whoever_was_erased_after_the_backup(
    tmp_path, wraparound: Run, monkeypatch: pytest.MonkeyPatch
):
    """An older backup still holds a client erased since: the restore erases them again, from
    the ledger of keyed digests kept beside the backups."""
    import msgspec

    import app  # noqa: F401 - registers every feature's holdings and jobs
    from hub import erasure
    from hub.tables import ErasureRequest
    from tests.consent.factories import note, principal, registered_client, staff_member
    from tests.support import make_organisation

    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    get_settings.cache_clear()
    hub = await make_organisation("Lochee Hub", kind="hub")
    admin = await staff_member(hub, is_system_admin=True)
    gone = await registered_client(hub, full_name="Sam Erased")
    kept = await registered_client(hub, full_name="Kim Kept")
    await note(gone.id, hub, "needs", "Needs a flat")
    out = tmp_path / "before-erasure.backup"
    await asyncio.to_thread(take_backup, out)
    request = ErasureRequest(
        client_id=gone.id, reason=erasure.RETENTION, proposed_at=kept.created_at
    )
    await ErasureRequest.insert(request)
    await erasure.confirm(
        msgspec.structs.replace(principal(admin, hub), is_system_admin=True), request.id
    )
    await erasure.erase_approved(request.id)
    assert str(gone.id) not in erasure.ledger_path().read_text()  # digests, not ids

    query = "SELECT full_name FROM client ORDER BY full_name"
    if ON_POSTGRES:
        with scratch_postgres(get_settings().database_url) as target:
            result = wraparound("restore", str(out), env=process_env(DATABASE_URL=target))
            names = subprocess.run(
                ["psql", target, "-Atc", query], capture_output=True, text=True, check=True
            ).stdout.split("\n")
            verified = wraparound("audit", "verify", env=process_env(DATABASE_URL=target))
    else:
        env, url = target_env(tmp_path, "restored.sqlite")
        result = wraparound("restore", str(out), env=env)
        with sqlite3.connect(url.removeprefix("sqlite:///")) as restored:
            names = [row[0] for row in restored.execute(query)]
        verified = wraparound("audit", "verify", env=env)
    get_settings.cache_clear()
    assert result.returncode == 0, result.stderr
    assert "Erased again 1 client(s)" in result.stdout
    assert [name for name in names if name] == ["Kim Kept"]
    assert verified.returncode == 0, verified.stderr

"""Backups the app can make while serving, checked before they are trusted, and restores.

SQLite: the online backup API copies pages under the database's own locking, so writers keep
going and the copy is one consistent moment. PostgreSQL: `pg_dump` in its custom format. The
copy is written beside its destination as `<name>.partial` and takes its real name only
once checked (opens, integrity check, rows counted per table, the audit chain verified on the
copy itself), so a run killed half-way leaves a file that says it is unfinished. With
BACKUP_KEY set the checked copy is encrypted (Fernet, from `cryptography`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken

from hub.errors import Invalid

Progress = Callable[[int, int], None]
"""Told (done, total) as a copy goes."""
PAGES_PER_STEP = 256
FERNET_PREFIX = b"gAAAAA"
"""Every Fernet token starts so (its version byte, base64): an encrypted backup."""


@dataclass
class BackupCheck:
    """What checking a copy found."""

    rows: dict[str, int] = field(default_factory=dict)
    """Rows per table."""
    audit: str = ""
    """What `wraparound audit verify` said of the copy."""


@dataclass
class BackupReport:
    """A finished backup."""

    path: Path
    size: int
    seconds: float
    check: BackupCheck
    encrypted: bool


class BackupError(Invalid):
    """A backup or restore that could not be done; nothing live was changed."""


def _fail(message: str) -> BackupError:
    return BackupError(message, {"backup": message})


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        msg = "BACKUP_KEY is not a Fernet key (make one with `wraparound backup-key`)"
        raise _fail(msg) from exc


def new_key() -> str:
    """A fresh encryption key for BACKUP_KEY."""
    return Fernet.generate_key().decode()


def sqlite_copy(source: Path, target: Path, progress: Progress | None = None) -> None:
    """Copy a live SQLite database page by page with SQLite's online backup API."""
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:

        def step(status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        live.backup(copy, pages=PAGES_PER_STEP, progress=step)
    copy.close()
    live.close()


def check_sqlite(path: Path) -> BackupCheck:
    """Open a SQLite copy, run its integrity check, count rows, verify its audit chain."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise _fail(f"The copy failed SQLite's integrity check: {verdict}")
            tables = [
                row[0]
                for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' ORDER BY name"
                )
            ]
            rows = {t: copy.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        copy.close()
    except sqlite3.DatabaseError as exc:
        raise _fail(f"The file is not a readable SQLite database: {exc}") from exc
    if "audit_event" not in rows:
        raise _fail("The file is not a Wraparound database: it has no audit trail")
    return BackupCheck(rows=rows, audit=_audit_verify(f"sqlite:///{path}"))


def _audit_verify(database_url: str) -> str:
    """Run `wraparound audit verify` against another database; its verdict, or raise."""
    env = {**os.environ, "DATABASE_URL": database_url, "WORKER_IN_PROCESS": "false"}
    command = str(Path(sys.executable).with_name("wraparound"))
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        [command, "audit", "verify"], capture_output=True, text=True, env=env, check=False
    )
    said = (done.stdout + done.stderr).strip().splitlines()
    if done.returncode != 0:
        raise _fail("The copy's audit trail does not verify: " + (said[-1] if said else "?"))
    return said[-1] if said else "ok"


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        msg = (
            f"{name} is not installed: backups of PostgreSQL need its client tools "
            "(Debian: apt-get install postgresql-client)"
        )
        raise _fail(msg)
    return found


def _pg_run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise _fail(f"{Path(args[0]).name} failed: {done.stderr.strip()[-400:]}")
    return done.stdout


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A new empty PostgreSQL database beside `url`'s, dropped afterwards."""
    name = f"wa_restore_check_{os.getpid()}_{int(time.time() * 1000)}"
    admin = _with_database(url, "postgres")
    psql = _pg_tool("psql")
    _pg_run(psql, admin, "-qc", f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(url, name)
    finally:
        _pg_run(psql, admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check_postgres_dump(path: Path, url: str) -> BackupCheck:
    """Restore a dump into a scratch database, count rows, verify its audit chain there."""
    _pg_run(_pg_tool("pg_restore"), "--list", str(path))
    with scratch_postgres(url) as scratch:
        _pg_run(_pg_tool("pg_restore"), "--no-owner", "--dbname", scratch, str(path))
        listing = _pg_run(
            _pg_tool("psql"),
            scratch,
            "-Atc",
            "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname",
        )
        counts = {}
        for line in listing.splitlines():
            table = line.split("|")[0]
            counts[table] = int(
                _pg_run(_pg_tool("psql"), scratch, "-Atc", f'SELECT count(*) FROM "{table}"')
            )
        if "audit_event" not in counts:
            raise _fail("The dump is not of a Wraparound database: it has no audit trail")
        return BackupCheck(rows=counts, audit=_audit_verify(scratch))


def backup(
    out: Path,
    *,
    database_url: str,
    sqlite_path: Path,
    key: str = "",
    progress: Progress | None = None,
) -> BackupReport:
    """Copy the live database to `out`, check the copy, then (with a key) encrypt it.

    Raises:
        BackupError: the destination cannot be written, the copy fails its checks, or a tool
            is missing; the live database is untouched and `out` is not written.
    """
    started = time.monotonic()
    out = out.resolve()
    partial = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if database_url.startswith(("postgres://", "postgresql://")):
            if progress:
                progress(0, 1)
            _pg_run(_pg_tool("pg_dump"), "--format=custom", f"--file={partial}", database_url)
            if progress:
                progress(1, 1)
            check = check_postgres_dump(partial, database_url)
        else:
            sqlite_copy(sqlite_path, partial, progress)
            check = check_sqlite(partial)
        if key:
            partial.write_bytes(_fernet(key).encrypt(partial.read_bytes()))
        partial.replace(out)
    except OSError as exc:
        _remove(partial)
        raise _fail(f"Could not write the backup at {out}: {exc.strerror or exc}") from exc
    except BackupError:
        _remove(partial)
        raise
    return BackupReport(
        path=out,
        size=out.stat().st_size,
        seconds=time.monotonic() - started,
        check=check,
        encrypted=bool(key),
    )


def _remove(path: Path) -> None:
    """Delete an unfinished copy, if there is one to delete."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def readable_copy(path: Path, key: str, folder: Path) -> Path:
    """The backup as a plain file (decrypted into `folder` when it is encrypted)."""
    try:
        head = path.read_bytes()[: len(FERNET_PREFIX)]
    except OSError as exc:
        raise _fail(f"Could not read {path}: {exc.strerror or exc}") from exc
    if head != FERNET_PREFIX:
        return path
    if not key:
        raise _fail("The backup is encrypted: set BACKUP_KEY to the key it was made with")
    try:
        plain = _fernet(key).decrypt(path.read_bytes())
    except InvalidToken as exc:
        msg = "The backup cannot be decrypted with this BACKUP_KEY (wrong key, or damaged file)"
        raise _fail(msg) from exc
    target = folder / "backup.plain"
    target.write_bytes(plain)
    return target


def restore_sqlite(backup_file: Path, live: Path, progress: Progress | None = None) -> None:
    """Replace the live SQLite database's content with a checked copy, page by page."""
    with sqlite3.connect(backup_file) as source, sqlite3.connect(live) as target:

        def step(status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        source.backup(target, pages=PAGES_PER_STEP, progress=step)
    source.close()
    target.close()


def restore_postgres(dump: Path, url: str) -> None:
    """Restore a custom-format dump over the database at `url` (its objects replaced)."""
    _pg_run(
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--dbname",
        url,
        str(dump),
    )


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    """A private folder for decrypted copies (removed when done)."""
    return tempfile.TemporaryDirectory(prefix="wraparound-restore-")

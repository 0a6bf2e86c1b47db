"""Run the whole suite on SQLite and on PostgreSQL (each in a fresh database), side by side."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
# The PostgreSQL half waits on its server as much as it computes, so it runs as two pytest
# processes (each with its own fresh database): these folders, and everything else.
POSTGRES_FIRST_PART = ("tests/e2e", "tests/hub", "tests/security")
# SUITES_SERIAL=true runs the halves one after the other (a one-core machine, or to compare).
SERIAL = os.environ.get("SUITES_SERIAL", "").lower() in {"1", "true", "yes"}


def postgres_reachable(url: str) -> bool:
    """True when PostgreSQL answers at `url`."""
    import asyncio

    import asyncpg

    async def ping() -> None:
        connection = await asyncpg.connect(url, timeout=5)
        await connection.close()

    try:
        asyncio.run(ping())
    except Exception:  # noqa: BLE001 - any failure means we cannot use it
        return False
    return True


@dataclass
class Half:
    """One pytest run on one database: its process, its report and its captured output."""

    label: str
    database_url: str
    folder: Path
    live: bool
    paths: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def report(self) -> Path:
        return self.folder / "junit.xml"

    @property
    def output(self) -> Path:
        return self.folder / "output.txt"

    def start(self, extra: list[str]) -> None:
        """Start pytest with DATABASE_URL set; conftest makes the fresh database."""
        print(f"\n=== Test suite on {self.label}: started ===", flush=True)
        env = {**os.environ, "DATABASE_URL": self.database_url}
        command = [
            sys.executable,
            "-m",
            "pytest",
            "--durations=10",
            f"--junitxml={self.report}",
            *self.paths,
            *extra,
        ]
        if self.live:
            self.process = subprocess.Popen(command, env=env)
            return
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    def finish(self, counts: dict[str, int]) -> int:
        """Wait for the run, show its output if it was captured, and add up its counts."""
        assert self.process is not None
        code = self.process.wait()
        minutes = (time.monotonic() - self.started) / 60
        if not self.live:
            print(f"\n=== Test suite on {self.label}: output ===", flush=True)
            sys.stdout.write(self.output.read_text(errors="replace"))
        print(f"=== {self.label} finished in {minutes:.1f} min ===", flush=True)
        if self.report.exists():
            # Our own pytest wrote this report a moment ago: trusted input.
            for suite in ElementTree.parse(self.report).getroot().iter("testsuite"):  # noqa: S314
                tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
                failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
                counts["passed"] += tests - skipped - failed
                counts["failed"] += failed
                counts["skipped"] += skipped
        return code


def postgres_parts(folder: Path, live: bool, *, split: bool) -> list[Half]:
    """The PostgreSQL half: in two parts when it runs the whole suite side by side."""
    if not split or SERIAL:
        (folder / "postgres").mkdir()
        return [Half("PostgreSQL", POSTGRES_URL, folder / "postgres", live=live)]
    rest = tuple(f"--ignore={path}" for path in POSTGRES_FIRST_PART)
    parts = [(POSTGRES_FIRST_PART, "1 of 2"), (("tests", *rest), "2 of 2")]
    made = []
    for number, (paths, name) in enumerate(parts, start=1):
        part = folder / f"postgres-{number}"
        part.mkdir()
        shown = live and number == 1
        made.append(Half(f"PostgreSQL ({name})", POSTGRES_URL, part, live=shown, paths=paths))
    return made


def wanted_halves(folder: Path) -> tuple[list[Half], dict[str, int]]:
    """The halves asked for on the command line; PostgreSQL only when it answers."""
    names = ("sqlite", "postgres")
    asked = [arg for arg in sys.argv[1:] if arg in names] or list(names)
    halves: list[Half] = []
    refused: dict[str, int] = {}
    if "sqlite" in asked:
        (folder / "sqlite").mkdir()
        halves.append(Half("SQLite", "", folder / "sqlite", live=True))
    if "postgres" in asked:
        if postgres_reachable(POSTGRES_URL):
            live = not halves  # only one half writes to the terminal as it goes
            whole_suite = not [arg for arg in sys.argv[1:] if arg not in names]
            halves.extend(postgres_parts(folder, live, split=whole_suite))
        elif os.environ.get("CI") == "true":
            print(f"PostgreSQL is not reachable at {POSTGRES_URL}; CI requires it.", flush=True)
            refused["PostgreSQL"] = 1
        else:
            print(f"\nSKIPPED the PostgreSQL half: nothing answers at {POSTGRES_URL}.", flush=True)
    return halves, refused


def main() -> int:
    """Run the requested halves; under CI=true an unreachable PostgreSQL fails the run."""
    extra = [arg for arg in sys.argv[1:] if arg not in ("sqlite", "postgres")]
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    with tempfile.TemporaryDirectory() as scratch:
        halves, results = wanted_halves(Path(scratch))
        if SERIAL:
            for half in halves:
                half.start(extra)
                results[half.label] = half.finish(counts)
        else:
            for half in halves:
                half.start(extra)
            for half in halves:
                results[half.label] = half.finish(counts)
    print("\n=== Summary ===")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    # One plain closing line over both databases.
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

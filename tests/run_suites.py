"""Run the whole suite on SQLite, then on PostgreSQL (each in a fresh database)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


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


def run(label: str, database_url: str, extra: list[str], counts: dict[str, int]) -> int:
    """One pytest run with DATABASE_URL set; conftest makes the fresh database."""
    print(f"\n=== Test suite on {label} ===", flush=True)
    env = {**os.environ, "DATABASE_URL": database_url}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        code = subprocess.call(
            [sys.executable, "-m", "pytest", f"--junitxml={report}", *extra], env=env
        )
        if report.exists():
            # Our own pytest wrote this report a moment ago: trusted input.
            for suite in ElementTree.parse(report).getroot().iter("testsuite"):  # noqa: S314
                tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
                failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
                counts["passed"] += tests - skipped - failed
                counts["failed"] += failed
                counts["skipped"] += skipped
    return code


def main() -> int:
    """Run the requested halves; under CI=true an unreachable PostgreSQL fails the run."""
    names = ("sqlite", "postgres")
    halves = [arg for arg in sys.argv[1:] if arg in names] or list(names)
    extra = [arg for arg in sys.argv[1:] if arg not in names]
    results: dict[str, int] = {}
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    if "sqlite" in halves:
        results["SQLite"] = run("SQLite", "", extra, counts)
    if "postgres" in halves:
        if postgres_reachable(POSTGRES_URL):
            results["PostgreSQL"] = run("PostgreSQL", POSTGRES_URL, extra, counts)
        elif os.environ.get("CI") == "true":
            print(f"PostgreSQL is not reachable at {POSTGRES_URL}; CI requires it.", flush=True)
            results["PostgreSQL"] = 1
        else:
            print(f"\nSKIPPED the PostgreSQL half: nothing answers at {POSTGRES_URL}.", flush=True)
    print("\n=== Summary ===")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    # One plain closing line over both databases.
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

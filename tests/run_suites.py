"""Run the whole suite on SQLite, then on PostgreSQL (each in a fresh database)."""

from __future__ import annotations

import os
import subprocess
import sys

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


def run(label: str, database_url: str, extra: list[str]) -> int:
    """One pytest run with DATABASE_URL set; conftest makes the fresh database."""
    print(f"\n=== Test suite on {label} ===", flush=True)
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def main() -> int:
    """Run the requested halves; under CI=true an unreachable PostgreSQL fails the run."""
    names = ("sqlite", "postgres")
    halves = [arg for arg in sys.argv[1:] if arg in names] or list(names)
    extra = [arg for arg in sys.argv[1:] if arg not in names]
    results: dict[str, int] = {}
    if "sqlite" in halves:
        results["SQLite"] = run("SQLite", "", extra)
    if "postgres" in halves:
        if postgres_reachable(POSTGRES_URL):
            results["PostgreSQL"] = run("PostgreSQL", POSTGRES_URL, extra)
        elif os.environ.get("CI") == "true":
            print(f"PostgreSQL is not reachable at {POSTGRES_URL}; CI requires it.", flush=True)
            results["PostgreSQL"] = 1
        else:
            print(f"\nSKIPPED the PostgreSQL half: nothing answers at {POSTGRES_URL}.", flush=True)
    print("\n=== Summary ===")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return 0 if results and all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

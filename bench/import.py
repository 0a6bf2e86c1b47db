"""Import benchmark: listings a second and peak memory of `wraparound directory import`.

Writes a synthetic Open Referral UK feed file per size (directory.exchange.feed_maker: each
service with an organisation, a location, weekly hours, a phone, languages, need categories
and an HTML description), then imports it with the real command into a fresh, migrated
database: a temporary SQLite file, and a fresh PostgreSQL database when one answers at
BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test). Each run is a new
process; its peak resident memory comes from the kernel (wait4), its rate from the command's
own "Took ... s (N listings/s)" line (the wall time of the whole process is reported too).
Floors (issue 19): at least 1,000 listings a second, under 500 MB resident.

    .venv/bin/python bench/import.py [--sizes 10000,100000] [--runs 3] [--backends sqlite,postgres]

Prints a table and writes bench/results/import-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
FLOOR_RATE = 1000.0  # listings a second
CEILING_MB = 500.0
_TOOK = re.compile(r"Took ([\d.]+) s \(([\d,]+) listings/s\)")
_FINISHED = re.compile(r"Import finished: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+)")


def _admin_sql(statement: str) -> None:
    import asyncpg

    async def execute() -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute())


def postgres_reachable() -> bool:
    """True when PostgreSQL answers at BENCH_POSTGRES_URL."""
    try:
        _admin_sql("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure: skip PostgreSQL
        return False
    return True


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh DATABASE_URL of `kind`, removed afterwards."""
    if kind == "sqlite":
        path = workdir / f"import-{uuid.uuid4().hex[:8]}.sqlite"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in workdir.glob(path.name + "*"):
                leftover.unlink()
        return
    name = f"wa_bench_import_{uuid.uuid4().hex[:8]}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def feed_file(size: int, workdir: Path) -> Path:
    """The synthetic feed of `size` services (written once per run of the benchmark)."""
    path = workdir / f"feed-{size}.json"
    if not path.exists():
        code = (
            "import sys; from pathlib import Path; "
            "from directory.exchange.feed_maker import write_feed; "
            "write_feed(Path(sys.argv[1]), int(sys.argv[2]), seed=19)"
        )
        subprocess.run([PYTHON, "-c", code, str(path), str(size)], cwd=ROOT, check=True)  # noqa: S603
    return path


def one_run(kind: str, feed: Path, workdir: Path) -> dict[str, Any]:
    """Import `feed` into a fresh database of `kind`; rate, wall time, peak memory, counts."""
    with database(kind, workdir) as url:
        env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(workdir / "var")}
        subprocess.run(  # noqa: S603
            [WRAPAROUND, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603
            [WRAPAROUND, "directory", "import", str(feed), "--publisher", "Benchmark feed"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    took, finished = _TOOK.search(output), _FINISHED.search(output)
    if took is None or finished is None or process.returncode != 0:
        msg = f"import failed ({process.returncode}):\n{output[-2000:]}"
        raise RuntimeError(msg)
    return {
        "seconds": float(took.group(1)),
        "rate": float(took.group(2).replace(",", "")),
        "wall_seconds": round(wall, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
        # CPU the import used (its own and the file reader's): on a shared machine, the rate
        # follows the load, this does not.
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "created": int(finished.group(1)),
        "refused": int(finished.group(4)),
    }


def report(rows: list[dict[str, Any]], context: dict[str, Any]) -> Path:
    """Print the table and write the JSON results."""
    print(
        f"\n{'backend':<9} {'size':>8} {'run':>4} {'listings/s':>11} {'s':>7} {'CPU s':>7} "
        f"{'peak MB':>8}"
    )
    for row in rows:
        print(
            f"{row['backend']:<9} {row['size']:>8,} {row['run']:>4} {row['rate']:>11,.0f} "
            f"{row['seconds']:>7.1f} {row['cpu_seconds']:>7.1f} {row['peak_mb']:>8.0f}"
        )
    for key in sorted({(row["backend"], row["size"]) for row in rows}):
        runs = [row for row in rows if (row["backend"], row["size"]) == key]
        median = statistics.median(row["rate"] for row in runs)
        peak = max(row["peak_mb"] for row in runs)
        ok = median >= FLOOR_RATE and peak < CEILING_MB
        print(
            f"{key[0]} {key[1]:,}: median {median:,.0f} listings/s, peak {peak:.0f} MB "
            f"({'meets' if ok else 'MISSES'} >= {FLOOR_RATE:,.0f}/s and < {CEILING_MB:.0f} MB)"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"import-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"context": context, "runs": rows}, indent=2))
    print(f"\nwritten to {out}")
    return out


def main() -> int:
    """Run the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    backends = args.backends.split(",")
    if "postgres" in backends and not postgres_reachable():
        print(f"PostgreSQL does not answer at {POSTGRES_URL}: skipped", file=sys.stderr)
        backends.remove("postgres")
    rows = []
    with tempfile.TemporaryDirectory(prefix="wa-bench-import-") as folder:
        workdir = Path(folder)
        for size in sizes:
            feed = feed_file(size, workdir)
            for backend in backends:
                for run in range(1, args.runs + 1):
                    result = one_run(backend, feed, workdir)
                    rows.append({"backend": backend, "size": size, "run": run, **result})
                    print(
                        f"{backend} {size:,} run {run}: {result['rate']:,.0f} listings/s, "
                        f"CPU {result['cpu_seconds']:.0f} s, peak {result['peak_mb']:.0f} MB, "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    context = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
    report(rows, context)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Whose CPU a phase used: the bench's own client, the server it started, PostgreSQL, all.

Read from /proc (Linux only; elsewhere every figure is None). The server is every process
descended from the bench (the only children alive while a phase runs); PostgreSQL is every
process named `postgres`. Times are CPU seconds, user plus system; `stolen` is the time the
hypervisor ran someone else's machine on our cores (a shared host's noise, made visible).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
PARTIES = ("client", "server", "database", "machine", "stolen")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Sample:
    """CPU seconds used so far by each party, and by the whole machine."""

    client: float
    server: float
    database: float
    machine: float
    stolen: float


def _process_stats() -> dict[int, tuple[int, str, float]]:
    """Every process: its parent, its name and its CPU seconds so far."""
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # After the name: state, ppid, ... utime is the 14th field of the line, stime the 15th.
        stats[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICK)
    return stats


def _descendants(root: int, stats: dict[int, tuple[int, str, float]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    found: set[int] = set()
    waiting = list(children.get(root, []))
    while waiting:
        pid = waiting.pop()
        found.add(pid)
        waiting.extend(children.get(pid, []))
    return found


def _machine() -> tuple[float, float]:
    """CPU seconds the whole machine spent busy (all cores) since boot, and seconds the
    hypervisor gave to someone else while we wanted them (steal)."""
    first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in first]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:7]) - idle) / TICK, ticks[7] / TICK


def sample() -> Sample | None:
    """CPU used so far by this process, its descendants, PostgreSQL and the machine."""
    if not (PROC / "stat").exists():
        return None
    stats = _process_stats()
    me = os.getpid()
    server = sum(stats[pid][2] for pid in _descendants(me, stats))
    database = sum(cpu for _, name, cpu in stats.values() if name == "postgres")
    times = os.times()
    busy, stolen = _machine()
    return Sample(
        client=times.user + times.system,
        server=server,
        database=database,
        machine=busy,
        stolen=stolen,
    )


def per_request_ms(
    before: Sample | None, after: Sample | None, requests: int
) -> dict[str, float] | None:
    """Milliseconds of CPU per request that each party spent between two samples."""
    if before is None or after is None or not requests:
        return None
    return {
        party: round((getattr(after, party) - getattr(before, party)) * 1000 / requests, 2)
        for party in PARTIES
    }

"""The problems report of an import: a CSV file with every problem, and the console summary."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from directory.exchange.problems import Problem

COLUMNS = ("severity", "kind", "where", "field", "message", "read", "stored")
EXAMPLES = 3  # problems shown under each kind on the console
NAMES_SHOWN = 10
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A value a spreadsheet will show, never run as a formula (feeds are untrusted)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_report(
    path: Path,
    errors: Iterable[Problem],
    warnings: Iterable[Problem],
    organisations_created: Iterable[str] = (),
) -> Path:
    """Write every problem (and each organisation created) to `path`; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for severity, problems in (("refused", errors), ("warning", warnings)):
            for problem in problems:
                row = (severity, problem.group, problem.where, problem.field, problem.message)
                writer.writerow([_cell(value) for value in (*row, problem.read, problem.stored)])
        for name in organisations_created:
            writer.writerow(
                ["created", "organisation created (listed only)", "", "", _cell(name), "", ""]
            )
    return path


def grouped_lines(problems: list[Problem], examples: int = EXAMPLES) -> list[str]:
    """Lines for the console: each kind with its count, most frequent first, and examples."""
    counts = Counter(problem.group for problem in problems)
    shown: dict[str, list[Problem]] = {}
    for problem in problems:
        kept = shown.setdefault(problem.group, [])
        if len(kept) < examples:
            kept.append(problem)
    lines = []
    for group, count in counts.most_common():
        lines.append(f"  {group}: {count}")
        lines.extend(f"      {problem}"[:300] for problem in shown[group])
    return lines


def names_line(names: list[str], shown: int = NAMES_SHOWN) -> str:
    """ "3 organisations created: A, B, C", cut to the first few names."""
    head = ", ".join(names[:shown])
    more = f", and {len(names) - shown} more (all in the report)" if len(names) > shown else ""
    return f"{len(names)} organisations created (listed only, no staff): {head}{more}"

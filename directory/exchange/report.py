"""The problems report of an import: a CSV file with every problem, and the console summary."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from directory.exchange.problems import Problem
from hub.csv_cells import safe_cell

COLUMNS = ("severity", "kind", "where", "field", "message", "read", "stored")
EXAMPLES = 3  # problems shown under each kind on the console
NAMES_SHOWN = 10
_cell = safe_cell
"""A value a spreadsheet will show, never run as a formula (feeds are untrusted)."""


class ReportWriter:
    """Writes problems to a CSV file as they are found (the file appears with the first)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self._file: IO[str] | None = None
        self._writer: Any = None

    def _row(self, values: tuple[str, ...]) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._file)
            self._writer.writerow(COLUMNS)
        self._writer.writerow([_cell(value) for value in values])
        self.rows += 1

    def write(self, severity: str, problem: Problem) -> None:
        """One problem: refused or warning."""
        self._row(
            (
                severity,
                problem.group,
                problem.where,
                problem.field,
                problem.message,
                problem.read,
                problem.stored,
            )
        )

    def created(self, name: str) -> None:
        """One organisation the import created."""
        self._row(("created", "organisation created (listed only)", "", "", name, "", ""))

    def close(self) -> None:
        """Finish the file."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def grouped_lines(
    problems: list[Problem], counts: Counter[str] | None = None, examples: int = EXAMPLES
) -> list[str]:
    """Lines for the console: each kind with its count, most frequent first, and examples."""
    counts = counts or Counter(problem.group for problem in problems)
    shown: dict[str, list[Problem]] = {}
    for problem in problems:
        kept = shown.setdefault(problem.group, [])
        if len(kept) < examples:
            kept.append(problem)
    lines = []
    for group, count in counts.most_common():
        lines.append(f"  {group}: {count}")
        lines.extend(f"      {problem}"[:300] for problem in shown.get(group, []))
    return lines


def names_line(names: list[str], shown: int = NAMES_SHOWN) -> str:
    """ "3 organisations created: A; B; C", cut to the first few names."""
    head = "; ".join(names[:shown])
    more = f"; and {len(names) - shown} more (all in the report)" if len(names) > shown else ""
    return f"{len(names)} organisations created (listed only, no staff): {head}{more}"

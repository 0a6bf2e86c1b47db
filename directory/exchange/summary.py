"""What an import did: counts, organisations created, and its problems grouped by kind.

With a report attached every problem is written to it as it is found and only the first few
of each kind stay in memory, so a feed of any size keeps memory flat.
"""

from __future__ import annotations

from collections import Counter

import msgspec

from directory.exchange.problems import Problem
from directory.exchange.report import ReportWriter

KEPT_WITH_REPORT = 20  # problems of each kind kept in memory when a report has them all


class ImportSummary(msgspec.Struct, kw_only=True):
    """Counts, organisations created, and every problem (or, with a report, the first few)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    organisations_created: list[str] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    error_kinds: Counter[str] = msgspec.field(default_factory=Counter)
    warning_kinds: Counter[str] = msgspec.field(default_factory=Counter)
    report: ReportWriter | None = None
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Listings read."""
        return self.created + self.updated + self.unchanged + self.failed

    def _keep(self, kept: list[Problem], kinds: Counter[str], problem: Problem) -> None:
        kinds[problem.group] += 1
        if self.report is None or kinds[problem.group] <= KEPT_WITH_REPORT:
            kept.append(problem)

    def warn(self, problems: list[Problem]) -> None:
        """Note warnings (the listing is taken)."""
        for problem in problems:
            self._keep(self.warnings, self.warning_kinds, problem)
            if self.report is not None:
                self.report.write("warning", problem)

    def count(self, outcome: str, errors: list[Problem] | None = None) -> None:
        """Count one listing's outcome; a refused one brings the problems that refused it."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        for problem in errors or []:
            self._keep(self.errors, self.error_kinds, problem)
            if self.report is not None:
                self.report.write("refused", problem)

    def organisations(self, names: list[str]) -> None:
        """Note organisations created."""
        self.organisations_created.extend(names)
        if self.report is not None:
            for name in names:
                self.report.created(name)

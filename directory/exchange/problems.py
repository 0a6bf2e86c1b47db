"""What an import reports about its input: a place (line or item), a field and what is wrong."""

from __future__ import annotations

import msgspec


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with the input, e.g. line 12, field 'latitude': not a number."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        if not self.field:
            return f"{self.where}: {self.message}"
        return f"{self.where}, field '{self.field}': {self.message}"


class RowFailed(Exception):
    """A row (one listing) cannot be imported; the problems say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems

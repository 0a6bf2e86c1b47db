"""What an import reports about its input: a place (line or item), a field and what is wrong."""

from __future__ import annotations

import re

import msgspec

STOPPED = "the feed could not be read to its end"  # the kind of a problem that cut a pull short
_QUOTED = re.compile(r"'[^']*'|\\d+")


class Problem(msgspec.Struct, frozen=True):
    """One thing wrong with the input, e.g. line 12, field 'latitude': not a number.

    `kind` groups problems in a summary; `read` and `stored` show what a repair did.
    """

    where: str
    field: str
    message: str
    kind: str = ""
    read: str = ""
    stored: str = ""

    @property
    def group(self) -> str:
        """What the summary counts this under: its kind, or its message without the values."""
        if self.kind:
            return self.kind
        general = _QUOTED.sub("'...'", self.message)
        last = self.field.rsplit(".", 1)[-1]
        return f"{last}: {general}" if last else general

    def __str__(self) -> str:
        if not self.field:
            return f"{self.where}: {self.message}"
        return f"{self.where}, field '{self.field}': {self.message}"


class RowFailed(Exception):
    """A row (one listing) cannot be imported; the problems say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems

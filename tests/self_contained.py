"""A pytest plugin: the run fails if any test reads a file beside the repository.

A clone of the repository alone must run every test, so nothing may be read from the folder
the repository sits in (the workspace's shared folders). An audit hook sees every file the
process opens; opens under the repository's parent but outside the repository are
remembered, and the session fails at the end, naming them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
_BESIDE = str(REPO.parent) + os.sep
_INSIDE = str(REPO) + os.sep
# A checkout kept in the temporary folder would see every temporary file as beside it.
_TEMPORARY = str(Path(tempfile.gettempdir()).resolve()) + os.sep
CHECKING = not _BESIDE.startswith(_TEMPORARY)
_outside: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.fsdecode(args[0])
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    path = os.path.normpath(path)
    if CHECKING and path.startswith(_BESIDE) and not path.startswith(_INSIDE):
        _outside.append(path)


def outside_reads() -> list[str]:
    """Files opened beside the repository so far in this run."""
    return list(_outside)


def forget(paths: list[str]) -> None:
    """Drop reads a test made on purpose (the guard's own test)."""
    for path in paths:
        while path in _outside:
            _outside.remove(path)


sys.addaudithook(_audit)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when anything was read from beside the repository."""
    if _outside:
        names = ", ".join(sorted(set(_outside))[:10])
        sys.stderr.write(f"\nTests read files outside the repository: {names}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

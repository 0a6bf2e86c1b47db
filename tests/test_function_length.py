"""No function runs past 80 lines: a long one is split where its pieces have names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

# Source text is the same whichever database runs the suite: read it once, on SQLite.
pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="reads source code only")

ROOT = Path(__file__).resolve().parents[1]
LONGEST = 80
SKIPPED = {"node_modules", "var"}
# Written or being split in other changes under way; remove each entry once it is split.
NOT_YET_SPLIT: set[tuple[str, str]] = set()


def _sources() -> list[Path]:
    tops = [d for d in ROOT.iterdir() if d.is_dir() and d.name not in SKIPPED and d.name[0] != "."]
    found = [p for top in tops for p in top.rglob("*.py") if "piccolo_migrations" not in p.parts]
    return found + list(ROOT.glob("*.py"))


def test_no_function_is_longer_than_80_lines() -> None:
    too_long = []
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), filename=name)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > LONGEST and (name, node.name) not in NOT_YET_SPLIT:
                too_long.append(f"{name}: {node.name} ({lines} lines)")
    assert too_long == []

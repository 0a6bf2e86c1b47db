"""Home-page panels: each feature registers a loader; the home page shows what they return.

The hub imports no feature, so features plug their counts in here (from app.py) and their
templates read `home[name]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hub.accounts.schemas import Principal

PanelLoader = Callable[[Principal], Awaitable[Any]]

_PANELS: dict[str, PanelLoader] = {}


def register_panel(name: str, loader: PanelLoader) -> None:
    """Add (or replace) a panel's loader."""
    _PANELS[name] = loader


async def load_panels(principal: Principal) -> dict[str, Any]:
    """Every registered panel's data for this person."""
    return {name: await loader(principal) for name, loader in _PANELS.items()}

"""Navigation by role: features register their links here; the layout shows what fits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    """One link in the service navigation, shown to those `visible` lets through."""

    href: str
    text: str
    visible: Callable[[Any], bool]
    order: int = 50


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    """Add a link (features call this from app.py's composition)."""
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda nav: nav.order)


def navigation_for(principal: Any, path: str) -> list[dict[str, Any]]:
    """The links this person sees, with the current one marked active."""
    if principal is None:
        return []
    items = [item for item in _ITEMS if item.visible(principal)]
    # Only the most specific link is active: /directory/list is not also "Directory".
    matching = [
        item.href
        for item in items
        if path == item.href or (item.href != "/" and path.startswith(item.href + "/"))
    ]
    active = max(matching, key=len, default=None)
    return [
        {
            "href": item.href,
            "text": item.text,
            "active": item.href == active,
            "current": path == item.href,
        }
        for item in items
    ]

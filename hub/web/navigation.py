"""Navigation by role: features register their links here; the layout shows what fits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


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


def navigation_for(
    principal: Any, path: str, badges: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """The links this person sees, the current one marked active; `badges` add a count to a link
    (href -> number, e.g. unread notifications), shown only when above zero."""
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
    links = []
    for item in items:
        link: dict[str, Any] = {
            "href": item.href,
            "text": item.text,
            "active": item.href == active,
            "current": path == item.href,
        }
        count = (badges or {}).get(item.href, 0)
        if count > 0:
            link["html"] = Markup(
                '{} <strong class="govuk-tag govuk-tag--red">{}'
                '<span class="govuk-visually-hidden"> unread</span></strong>'
            ).format(item.text, count)
        links.append(link)
    return links

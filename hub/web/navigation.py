"""Navigation by role: features register their links here; the layout shows what fits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from hub.accounts import roles

# Who sees a link, by name: the rules themselves are hub.accounts.roles.
AUDIENCES: dict[str, Callable[[Any], bool]] = {
    "everyone": lambda principal: principal is not None,
    "staff": roles.is_staff,
    "clients": roles.is_client,
    "admins": roles.is_admin,
    "system_admins": roles.is_system_admin,
}


@dataclass(frozen=True)
class NavItem:
    """One link in the service navigation, for one audience (a key of AUDIENCES)."""

    href: str
    text: str
    audience: str
    order: int = 50

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            msg = f"Unknown navigation audience {self.audience!r}"
            raise ValueError(msg)

    def visible(self, principal: Any) -> bool:
        """Is the link for this person?"""
        return AUDIENCES[self.audience](principal)


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add a link, once per address however often the app is built (features' lists are data)."""
    _ITEMS[item.href] = item


def items() -> list[NavItem]:
    """Every registered link, in order."""
    return sorted(_ITEMS.values(), key=lambda nav: (nav.order, nav.href))


BADGE_MOST = 99


def badge_number(count: int) -> str:
    """A count as a badge shows it: up to 99, then "99+" (badges are counted up to 100)."""
    return str(count) if count <= BADGE_MOST else f"{BADGE_MOST}+"


def navigation_for(
    principal: Any, path: str, badges: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """The links this person sees, the current one marked active; `badges` add a count to a link
    (href -> number, e.g. unread notifications), shown only when above zero."""
    if principal is None:
        return []
    shown = [item for item in items() if item.visible(principal)]
    # Only the most specific link is active: /directory/list is not also "Directory".
    matching = [
        item.href
        for item in shown
        if path == item.href or (item.href != "/" and path.startswith(item.href + "/"))
    ]
    active = max(matching, key=len, default=None)
    links = []
    for item in shown:
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
            ).format(item.text, badge_number(count))
        links.append(link)
    return links

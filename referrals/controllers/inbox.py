"""The referrals list: the organisation's inbox (received) and what it sent, filtered and paged."""

from __future__ import annotations

from urllib.parse import urlencode

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Template

from hub.accounts.guards import requires_staff
from hub.web.forms import read_form
from hub.web.numbers import whole_number
from referrals.controllers.common import AnyRequest, render
from referrals.inbox import RECEIVED, SENT, inbox
from referrals.lifecycle import DRAFT, INBOX_GROUPS, STATUS_LABELS

PER_PAGE = 25
SEARCH_PER_PAGE = 100
MAX_QUERY = 100
MAX_PAGE = 100_000
TRUE_WORDS = {"true", "on", "yes", "1"}


def _page_number(value: str) -> int:
    return whole_number(value, 1, MAX_PAGE) or 1


class InboxFilters(msgspec.Struct, kw_only=True):
    """The list's filters, from the address or (with a search) from the posted form."""

    box: str = RECEIVED
    group: str = ""
    status: str = ""
    q: str = ""
    overdue: str = ""
    page: str = "1"


async def _render(request: AnyRequest, given: InboxFilters) -> Template:
    box = SENT if given.box == SENT else RECEIVED
    filters = {
        "box": box,
        "group": given.group if given.group in INBOX_GROUPS else "",
        "status": given.status if given.status in STATUS_LABELS else "",
        "q": given.q.strip()[:MAX_QUERY],
        "overdue": "true" if given.overdue.lower() in TRUE_WORDS else "",
    }
    # A search may hold a client's name: it is posted, and never carried into a link, so
    # one page holds every match.
    per_page = SEARCH_PER_PAGE if filters["q"] else PER_PAGE
    found = await inbox(
        request.user,
        box=box,
        group=filters["group"],
        status=filters["status"],
        query=filters["q"],
        overdue_only=bool(filters["overdue"]),
        page=1 if filters["q"] else _page_number(given.page),
        per_page=per_page,
    )
    last_page = 1 if filters["q"] else max(1, -(-found.total // found.per_page))
    in_links = {key: value for key, value in filters.items() if key != "q"}
    return render(
        "referrals/inbox.html",
        title="Referrals sent" if box == SENT else "Referrals received",
        found=found,
        filters=filters,
        last_page=last_page,
        statuses=[(code, label) for code, label in STATUS_LABELS.items() if code != DRAFT],
        link=lambda **changes: (
            "/referrals?" + urlencode({k: v for k, v in {**in_links, **changes}.items() if v})
        ),
    )


class InboxController(Controller):
    """Received and sent referrals, by stage, with a search that works without JavaScript."""

    path = "/referrals"
    guards = [requires_staff]

    @get("/", name="referrals.inbox")
    async def list_referrals(
        self,
        request: AnyRequest,
        box: FromQuery[str] = RECEIVED,
        group: FromQuery[str] = "",
        status: FromQuery[str] = "",
        overdue: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        """One page of the list, newest first; tombstones and suspended rows name no client."""
        given = InboxFilters(box=box, group=group, status=status, overdue=overdue, page=page)
        return await _render(request, given)

    @post("/", name="referrals.search", status_code=200)
    async def search_referrals(self, request: AnyRequest) -> Template:
        """The list filtered by the posted form, whose search may name a client."""
        return await _render(request, await read_form(request, InboxFilters))

"""The referrals list: the organisation's inbox (received) and what it sent, filtered and paged."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.response import Template

from hub.accounts.guards import requires_staff
from referrals.controllers.common import AnyRequest, render
from referrals.inbox import RECEIVED, SENT, inbox
from referrals.lifecycle import DRAFT, INBOX_GROUPS, STATUS_LABELS

PER_PAGE = 25
MAX_QUERY = 100
TRUE_WORDS = {"true", "on", "yes", "1"}


def _page_number(value: str) -> int:
    try:
        return max(1, int(value))
    except ValueError:
        return 1


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
        q: FromQuery[str] = "",
        overdue: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        """One page of the list, newest first; tombstones and suspended rows name no client."""
        box = SENT if box == SENT else RECEIVED
        filters = {
            "box": box,
            "group": group if group in INBOX_GROUPS else "",
            "status": status if status in STATUS_LABELS else "",
            "q": q.strip()[:MAX_QUERY],
            "overdue": "true" if overdue.lower() in TRUE_WORDS else "",
        }
        found = await inbox(
            request.user,
            box=box,
            group=filters["group"],
            status=filters["status"],
            query=filters["q"],
            overdue_only=bool(filters["overdue"]),
            page=_page_number(page),
            per_page=PER_PAGE,
        )
        last_page = max(1, -(-found.total // found.per_page))
        return render(
            "referrals/inbox.html",
            title="Referrals sent" if box == SENT else "Referrals received",
            found=found,
            filters=filters,
            last_page=last_page,
            statuses=[(code, label) for code, label in STATUS_LABELS.items() if code != DRAFT],
            link=lambda **changes: (
                "/referrals?" + urlencode({k: v for k, v in {**filters, **changes}.items() if v})
            ),
        )

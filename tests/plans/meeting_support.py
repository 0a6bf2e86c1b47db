"""A led care team, and a review meeting arranged with two agencies and the client."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from hub import clock
from hub.mail import build_message
from hub.settings import get_settings
from hub.tables import OutboxJob
from plans import content, meetings
from plans.meetings import ArrangeForm
from plans.schemas import GoalForm
from tests.plans.factories import Team, choose, team

NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
"""A Monday: "today" for these tests (UK time is UTC in November)."""
MEETING_DAY = date(2026, 11, 9)


async def led_team() -> Team:
    """The factory team with Pat Partner (Housing First) as lead, on a frozen Monday."""
    clock.freeze(NOON)
    t = await team()
    await choose(t, t.net.partner_worker)
    return t


def arrange_form(t: Team, **fields: Any) -> ArrangeForm:
    """A review meeting a week on, with Pia Peer, Hana Hub and the client invited."""
    values: dict[str, Any] = {
        "kind": "review",
        "starts_on": MEETING_DAY,
        "starts_time": "10:30",
        "place": "Lochee Hub, room 2",
        "agenda": "How the move is going",
        "staff_ids": [str(t.third_worker.id), str(t.net.hub_worker.id)],
        "invite_client": True,
    }
    values.update(fields)
    return ArrangeForm(**values)


async def arranged(t: Team, **fields: Any) -> UUID:
    """A review meeting arranged by the lead."""
    return await meetings.arrange(t.net.recipient, t.net.client.id, arrange_form(t, **fields))


async def a_goal(t: Team) -> UUID:
    """A goal on the client's plan, added by the lead."""
    return await content.add_goal(
        t.net.recipient, t.net.client.id, GoalForm(words="A settled home", success="Keys")
    )


async def invites_to(address: str) -> list[str]:
    """The calendar attachments queued for one address (in no set order)."""
    found = []
    rows = await OutboxJob.select().where(OutboxJob.kind == "email")
    for row in rows:
        payload = json.loads(row["payload"])
        if payload["to"] != address or "attachment" not in payload:
            continue
        message = build_message(payload, get_settings())
        for part in message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                found.append(part.get_content())
    return found

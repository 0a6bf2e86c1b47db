"""The "Clients you lead" panel on a worker's home page: reviews coming due or overdue, and
overdue actions (those in the plans they lead, and those their organisation owns elsewhere)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

import msgspec
from piccolo.columns.combination import Combinable

from hub.accounts import roles
from hub.accounts.schemas import Principal
from plans.care_team import is_on_team
from plans.content import today
from plans.lead import clients_led_by
from plans.tables import Action
from plans.vocabulary import FINISHED_ACTIONS, REVIEW_DUE_SOON


class LedClient(msgspec.Struct, frozen=True, kw_only=True):
    """One client the worker leads, as the panel shows them."""

    client_id: UUID
    name: str
    reference: str
    next_review_on: date | None
    closed: bool
    review_due_soon: bool
    review_overdue: bool
    overdue_actions: int


class OwnOverdue(msgspec.Struct, frozen=True, kw_only=True):
    """A plan the worker does not lead where their organisation has overdue actions."""

    client_id: UUID
    reference: str
    count: int


class LeadPanel(msgspec.Struct, frozen=True, kw_only=True):
    """The panel's data (empty for clients and for workers who lead no one)."""

    clients: list[LedClient]
    own_overdue: list[OwnOverdue]

    @property
    def due_soon(self) -> int:
        """How many reviews are coming due."""
        return sum(client.review_due_soon for client in self.clients)

    @property
    def overdue(self) -> int:
        """How many reviews are overdue."""
        return sum(client.review_overdue for client in self.clients)


async def _overdue_actions(where: Combinable) -> Counter[UUID]:
    rows = await Action.select(Action.plan.client.as_alias("client")).where(
        where
        & (Action.plan.status == "open")
        & Action.due_on.is_not_null()
        & (Action.due_on < today())
        & Action.status.not_in(list(FINISHED_ACTIONS))
    )
    return Counter(row["client"] for row in rows)


async def lead_panel(principal: Principal) -> LeadPanel:
    """The clients this worker leads, with review and action flags."""
    organisation = roles.staff_organisation(principal)
    if organisation is None:
        return LeadPanel(clients=[], own_overdue=[])
    led = await clients_led_by(principal)
    ids = [row["client_id"] for row in led]
    in_led = await _overdue_actions(Action.plan.client.is_in(ids)) if ids else Counter()
    own = await _overdue_actions(Action.organisation == principal.organisation_id)
    day = today()
    clients = []
    for row in led:
        next_on = row["next_review_on"]
        is_open = row["plan_status"] == "open"
        clients.append(
            LedClient(
                client_id=row["client_id"],
                name=row["name"],
                reference=row["reference"],
                next_review_on=next_on,
                closed=not is_open,
                review_due_soon=bool(
                    is_open and next_on and day <= next_on <= day + REVIEW_DUE_SOON
                ),
                review_overdue=bool(is_open and next_on and next_on < day),
                overdue_actions=in_led.get(row["client_id"], 0),
            )
        )
    own_overdue = [
        OwnOverdue(client_id=client, reference=client.hex[:8].upper(), count=count)
        for client, count in sorted(own.items(), key=lambda pair: pair[0].hex)
        if client not in ids and await is_on_team(client, organisation)
    ]
    return LeadPanel(clients=clients, own_overdue=own_overdue)

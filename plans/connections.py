"""Community connections: the people, groups and places a client is connected to, how close
each feels (close / some / distant) and whether they want more of it; with the hub sessions
they come to (plans.attendance, under the plan's own sharing rule), and how it all changed
since the last review.

Connections are the "friends and community" data category: a worker sees them when the
client's consent names their organisation for it (or their organisation recorded the entry);
the client sees all of theirs. Changing how close one feels ends the row and starts a new one,
so change between reviews can be shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from consent import access_log
from consent.vocabulary import COMMUNITY, PLAN_SHARING, local_date
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, Invalid, NotFound
from plans.access import PlanAccess, plan_access
from plans.attendance.services import plan_activity
from plans.tables import Connection, Plan, Review

CLOSENESS = {"close": "Close", "some": "Some", "distant": "Distant"}
KINDS = {
    "family": "Family",
    "friend": "Friend",
    "peer": "Peer supporter",
    "hub_group": "Hub group",
    "faith": "Church or faith group",
    "club": "Club",
    "volunteer": "Volunteer role",
    "place": "A place they go",
    "other": "Something else",
}


class ConnectionForm(msgspec.Struct, kw_only=True):
    """Form: a new connection, or a change to one."""

    name: str = ""
    kind: str = ""
    closeness: str = ""
    wants_more: bool = False


class ConnectionView(msgspec.Struct, frozen=True, kw_only=True):
    """One connection on the map and in the list beside it."""

    number: int
    id: UUID | None
    name: str
    kind: str
    kind_label: str
    closeness: str
    wants_more: bool
    from_sessions: bool = False


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """A change since the last review, in words."""

    words: str


class Connections(msgspec.Struct, frozen=True, kw_only=True):
    """What the reader may see of the client's connections."""

    client_id: UUID
    visible: bool
    """False when consent does not let the reader's organisation see them."""
    withheld_reason: str
    items: list[ConnectionView]
    changes: list[Change]
    since: date | None
    may_edit: bool


def _validate(form: ConnectionForm, *, new: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = form.name.strip()
    if new and not name:
        errors["name"] = "Say who or what the client is connected to"
    elif len(name) > 200:
        errors["name"] = "Keep this to 200 characters or fewer"
    if new and form.kind not in KINDS:
        errors["kind"] = "Choose what kind of connection it is"
    if form.closeness not in CLOSENESS:
        errors["closeness"] = "Choose how close it feels"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    return {"name": name, "kind": form.kind, "closeness": form.closeness}


async def _access(principal: Principal, client_id: UUID) -> tuple[PlanAccess, bool, str]:
    """The reader's plan access, whether they may see connections, and why not."""
    access = await plan_access(principal, client_id)
    if access.is_client:
        return access, True, ""
    decision = access.decision
    if decision is not None and COMMUNITY in decision.consented:
        return access, True, ""
    reason = decision.withheld.get(COMMUNITY, "") if decision else ""
    return access, False, reason


async def add(principal: Principal, client_id: UUID, form: ConnectionForm) -> UUID:
    """Record a connection with the client (any care-team worker; kept by their organisation)."""
    access, visible, reason = await _access(principal, client_id)
    if access.is_client or access.organisation_id is None:
        raise Forbidden("Record connections with your worker")
    if not visible:
        raise Forbidden(
            f"Your organisation cannot see the client's friends and community: {reason}"
        )
    values = _validate(form, new=True)
    row = Connection(
        client=client_id,
        organisation=access.organisation_id,
        wants_more=1 if form.wants_more else 0,
        created_at=clock.now(),
        **values,
    )
    async with transaction():
        await Connection.insert(row)
        await audit.record(
            "connection.added", principal.actor, subject_type="client", subject_id=str(client_id)
        )
    return UUID(str(row.id))


async def _current(principal: Principal, client_id: UUID, connection_id: UUID) -> dict[str, Any]:
    _, visible, _ = await _access(principal, client_id)
    row = (
        await Connection.select()
        .where(
            (Connection.id == connection_id)
            & (Connection.client == client_id)
            & Connection.ended_at.is_null()
        )
        .first()
    )
    if row is None or not visible or principal.is_client:
        raise NotFound("No such connection")
    return row


async def change(
    principal: Principal, client_id: UUID, connection_id: UUID, form: ConnectionForm
) -> UUID:
    """How close a connection feels now, or whether they want more: a new row follows the old."""
    old = await _current(principal, client_id, connection_id)
    values = _validate(form, new=False)
    now = clock.now()
    row = Connection(
        client=client_id,
        name=old["name"],
        kind=old["kind"],
        closeness=values["closeness"],
        wants_more=1 if form.wants_more else 0,
        organisation=principal.organisation_id,
        previous=connection_id,
        created_at=now,
    )
    async with transaction():
        await Connection.update({Connection.ended_at: now}).where(Connection.id == connection_id)
        await Connection.insert(row)
        await audit.record(
            "connection.changed", principal.actor, subject_type="client", subject_id=str(client_id)
        )
    return UUID(str(row.id))


async def end(principal: Principal, client_id: UUID, connection_id: UUID) -> None:
    """The client is no longer connected to this person, group or place."""
    await _current(principal, client_id, connection_id)
    async with transaction():
        await Connection.update({Connection.ended_at: clock.now()}).where(
            Connection.id == connection_id
        )
        await audit.record(
            "connection.ended", principal.actor, subject_type="client", subject_id=str(client_id)
        )


def _session_closeness(times: int) -> str:
    """Hub sessions on the map: four or more visits close, two or three some, one distant."""
    return "close" if times >= 4 else "some" if times >= 2 else "distant"


async def _last_review_on(client_id: UUID) -> date | None:
    plan = await Plan.select(Plan.id).where(Plan.client == client_id).first()
    if plan is None:
        return None
    row = (
        await Review.select(Review.held_on)
        .where(Review.plan == plan["id"])
        .order_by(Review.held_on, ascending=False)
        .first()
    )
    return row["held_on"] if row else None


def changes_since(rows: list[dict[str, Any]], since: date) -> list[Change]:
    """What changed after `since`: new connections, closer or further, ended."""
    by_id = {row["id"]: row for row in rows}
    replaced = {row["previous"] for row in rows if row["previous"]}
    order = list(CLOSENESS)
    found = []
    for row in sorted(rows, key=lambda r: r["created_at"]):
        if local_date(row["created_at"]) <= since:
            continue
        before = by_id.get(row["previous"]) if row["previous"] else None
        if before is None:
            found.append(
                Change(words=f"New: {row['name']} ({CLOSENESS[row['closeness']].lower()})")
            )
        elif before["closeness"] != row["closeness"]:
            way = (
                "closer"
                if order.index(row["closeness"]) < order.index(before["closeness"])
                else "less close"
            )
            found.append(
                Change(
                    words=f"{row['name']} feels {way} now ({CLOSENESS[row['closeness']].lower()})"
                )
            )
        elif before["wants_more"] != row["wants_more"]:
            want = "wants more of" if row["wants_more"] else "no longer wants more of"
            found.append(Change(words=f"The client {want} {row['name']}"))
    for row in rows:
        ended = row["ended_at"]
        if ended and row["id"] not in replaced and local_date(ended) > since:
            found.append(Change(words=f"No longer connected: {row['name']}"))
    return found


async def connections_for(principal: Principal, client_id: UUID) -> Connections:
    """The client's connections as the reader may see them (logged for staff)."""
    access, visible, reason = await _access(principal, client_id)
    if not visible:
        return Connections(
            client_id=client_id,
            visible=False,
            withheld_reason=reason,
            items=[],
            changes=[],
            since=None,
            may_edit=False,
        )
    rows = await Connection.select().where(Connection.client == client_id)
    current = sorted(
        (row for row in rows if row["ended_at"] is None),
        key=lambda r: (list(CLOSENESS).index(r["closeness"]), r["name"].lower()),
    )
    items = [
        ConnectionView(
            number=0,
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            kind_label=KINDS.get(row["kind"], row["kind"]),
            closeness=row["closeness"],
            wants_more=bool(row["wants_more"]),
        )
        for row in current
    ]
    for session in await plan_activity(principal, client_id):
        items.append(
            ConnectionView(
                number=0,
                id=None,
                name=f"{session.title} ({session.times} visits)",
                kind="hub_group",
                kind_label="Hub session",
                closeness=_session_closeness(session.times),
                wants_more=False,
                from_sessions=True,
            )
        )
    # Numbered in the order the list beside the map reads: ring by ring, hub sessions in theirs.
    items.sort(key=lambda item: list(CLOSENESS).index(item.closeness))
    items = [msgspec.structs.replace(item, number=n) for n, item in enumerate(items, start=1)]
    since = await _last_review_on(client_id)
    if not access.is_client and rows:
        await access_log.record_reads(
            principal, {client_id: [COMMUNITY]}, context="connections", purpose=PLAN_SHARING
        )
    return Connections(
        client_id=client_id,
        visible=True,
        withheld_reason="",
        items=items,
        changes=changes_since(rows, since) if since else [],
        since=since,
        may_edit=not access.is_client,
    )

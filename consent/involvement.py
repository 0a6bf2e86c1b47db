"""Involvement: the organisations working with a client, the sharing rule's first condition.

Registration writes `registered` here. Later features write their own sources without consent
knowing them: referrals `referral:<id>` while a referral is open, plans `care_team`. Call
these inside the transaction of the change that causes them.
"""

from __future__ import annotations

from uuid import UUID

from piccolo.querystring import QueryString

from consent.tables import Involvement
from consent.vocabulary import INVOLVEMENT_SOURCES
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import change_at_commit, insert_rows, transaction
from hub.ids import time_ordered_id
from hub.prepared import Prepared


def _checked(source: str) -> str:
    if source.split(":", 1)[0] not in INVOLVEMENT_SOURCES:
        msg = f"Unknown involvement source {source!r}"
        raise ValueError(msg)
    return source


def _actor(by: Principal | Actor) -> Actor:
    return by.actor if isinstance(by, Principal) else by


# One statement where there were two (is it going on? if not, start it): the unique index of
# involvements going on (`involvement_open_once`) answers the question as the row goes in.
_STARTING = Prepared(
    lambda involvement_id, client_id, organisation_id, source, now: QueryString(
        "INSERT INTO involvement (id, client, organisation, source, started_at, ended_at) "
        "VALUES ({}, {}, {}, {}, {}, NULL) "
        "ON CONFLICT (client, organisation, source) WHERE ended_at IS NULL DO NOTHING "
        "RETURNING id",
        involvement_id,
        client_id,
        organisation_id,
        source,
        now,
    )
)


async def start_involvement(
    client_id: UUID, organisation_id: UUID, source: str, by: Principal | Actor
) -> None:
    """The organisation is involved with the client from now (no-op if it already is so)."""
    source = _checked(source)
    async with transaction():
        started = await _STARTING.rows(
            time_ordered_id(), client_id, organisation_id, source, clock.now()
        )
        if started:
            await _audited("involvement.started", client_id, organisation_id, source, by)


async def start_new_involvement(
    client_id: UUID, organisation_id: UUID, source: str, by: Principal | Actor, *, at_commit: bool
) -> None:
    """Start an involvement whose source is new (a referral made in this transaction), so none
    of it can be going on: a plain insert, that may wait for the commit (`at_commit`, when
    nothing reads it before then); were one going on, the unique index would fail the commit."""
    source = _checked(source)
    async with transaction():
        row = Involvement(
            client=client_id, organisation=organisation_id, source=source, started_at=clock.now()
        )
        await insert_rows([row], at_commit=at_commit)
        await _audited("involvement.started", client_id, organisation_id, source, by)


async def _audited(
    action: str,
    client_id: UUID,
    organisation_id: UUID,
    source: str,
    by: Principal | Actor,
    only_if: str = "",
) -> None:
    """The audit entry of an involvement starting or ending (kept `only_if` that change)."""
    await audit.record(
        action,
        _actor(by),
        subject_type="client",
        subject_id=str(client_id),
        detail={"organisation_id": str(organisation_id), "source": source},
        only_if=only_if,
    )


_ENDING = Prepared(
    lambda now, client_id, organisation_id, source: (
        Involvement.update({Involvement.ended_at: now})
        .where(
            (Involvement.client == client_id)
            & (Involvement.organisation == organisation_id)
            & (Involvement.source == source)
            & Involvement.ended_at.is_null()
        )
        .returning(Involvement.id)
    )
)


async def end_involvement(
    client_id: UUID,
    organisation_id: UUID,
    source: str,
    by: Principal | Actor,
    *,
    at_commit: bool = False,
) -> None:
    """The involvement from `source` ends now (no-op if there is none).

    `at_commit`: nothing reads the involvement before the commit, so on PostgreSQL the end,
    and its audit entry (kept only if one ended), may wait for the transaction's last statement.
    """
    source = _checked(source)
    values = (clock.now(), client_id, organisation_id, source)
    async with transaction():
        waiting = change_at_commit(*_ENDING.statement(*values)) if at_commit else None
        if waiting is not None:
            await _audited("involvement.ended", client_id, organisation_id, source, by, waiting)
        elif await _ENDING.rows(*values):
            await _audited("involvement.ended", client_id, organisation_id, source, by)

"""Involvement: the organisations working with a client, the sharing rule's first condition.

Registration writes `registered` here. Later features write their own sources without consent
knowing them: referrals `referral:<id>` while a referral is open, plans `care_team`. Call
these inside the transaction of the change that causes them.
"""

from __future__ import annotations

from uuid import UUID

from consent.tables import Involvement
from consent.vocabulary import INVOLVEMENT_SOURCES
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import insert_rows, transaction
from hub.prepared import Prepared


def _checked(source: str) -> str:
    if source.split(":", 1)[0] not in INVOLVEMENT_SOURCES:
        msg = f"Unknown involvement source {source!r}"
        raise ValueError(msg)
    return source


def _actor(by: Principal | Actor) -> Actor:
    return by.actor if isinstance(by, Principal) else by


_GOING_ON = Prepared(
    lambda client_id, organisation_id, source: Involvement.exists().where(
        (Involvement.client == client_id)
        & (Involvement.organisation == organisation_id)
        & (Involvement.source == source)
        & Involvement.ended_at.is_null()
    )
)


async def start_involvement(
    client_id: UUID, organisation_id: UUID, source: str, by: Principal | Actor
) -> None:
    """The organisation is involved with the client from now (no-op if it already is so)."""
    source = _checked(source)
    async with transaction():
        if await _GOING_ON.rows(client_id, organisation_id, source):
            return
        await insert_rows(
            [
                Involvement(
                    client=client_id,
                    organisation=organisation_id,
                    source=source,
                    started_at=clock.now(),
                )
            ]
        )
        await audit.record(
            "involvement.started",
            _actor(by),
            subject_type="client",
            subject_id=str(client_id),
            detail={"organisation_id": str(organisation_id), "source": source},
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
    client_id: UUID, organisation_id: UUID, source: str, by: Principal | Actor
) -> None:
    """The involvement from `source` ends now (no-op if there is none)."""
    source = _checked(source)
    async with transaction():
        ended = await _ENDING.rows(clock.now(), client_id, organisation_id, source)
        if ended:
            await audit.record(
                "involvement.ended",
                _actor(by),
                subject_type="client",
                subject_id=str(client_id),
                detail={"organisation_id": str(organisation_id), "source": source},
            )

"""What the sharing rule reads, loaded from the tables; and expiries noted when first seen.

The rule (consent.policy) is pure; this module turns rows into its facts. Nothing here
decides access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

import msgspec

from consent.rows import ClientRuleRow, ConsentRuleRow, RecorderRow
from consent.tables import BreakGlass, ClientEntry, Consent, Involvement
from hub import audit, clock
from hub.audit import Actor
from hub.db import transaction
from hub.tables import Client


class InvolvementFact(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation's involvement with the client, from `started_at` until `ended_at`."""

    organisation_id: UUID
    source: str
    started_at: datetime
    ended_at: datetime | None = None

    def active(self, at: datetime) -> bool:
        """True while the involvement lasts."""
        return self.started_at <= at and (self.ended_at is None or at < self.ended_at)


class ConsentFact(msgspec.Struct, frozen=True, kw_only=True):
    """What the rule needs to know about one consent."""

    id: UUID
    client_id: UUID
    organisation_ids: frozenset[UUID]
    categories: frozenset[str]
    purposes: frozenset[str]
    valid_from: date
    valid_to: date
    given_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = ""
    expiry_noted: bool = False


class BreakGlassFact(msgspec.Struct, frozen=True, kw_only=True):
    """A break-glass override one staff member opened on the client."""

    id: UUID
    staff_id: UUID
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None = None

    def open_at(self, at: datetime) -> bool:
        """True within its time box and before it was closed."""
        ends = self.expires_at if self.closed_at is None else min(self.expires_at, self.closed_at)
        return self.opened_at <= at < ends


class ClientFacts(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the rule reads about one client (break-glass: only the reader's own)."""

    client_id: UUID
    registered_by: UUID
    involvements: tuple[InvolvementFact, ...] = ()
    consents: tuple[ConsentFact, ...] = ()
    break_glasses: tuple[BreakGlassFact, ...] = ()
    recorders: frozenset[UUID] = frozenset()
    """Organisations that recorded something about the client (the registering one included)."""


CONSENT_FACT_COLUMNS = (
    Consent.id,
    Consent.client.as_alias("client_id"),
    Consent.organisation_ids,
    Consent.categories,
    Consent.purposes,
    Consent.valid_from,
    Consent.valid_to,
    Consent.given_at,
    Consent.withdrawn_at,
    Consent.withdrawn_reason,
    Consent.expiry_noted_at,
)


def consent_fact(row: ConsentRuleRow) -> ConsentFact:
    """A consent row (selected with at least CONSENT_FACT_COLUMNS) as the rule sees it."""
    return ConsentFact(
        id=row.id,
        client_id=row.client_id,
        organisation_ids=frozenset(row.organisation_ids),
        categories=frozenset(row.categories),
        purposes=frozenset(row.purposes),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_reason=row.withdrawn_reason,
        expiry_noted=row.expiry_noted_at is not None,
    )


async def involved_client_ids(organisation_id: UUID, among: list[UUID] | None = None) -> list[UUID]:
    """Clients the organisation has an involvement with now (optionally only `among` them)."""
    now = clock.now()
    query = Involvement.select(Involvement.client).where(
        (Involvement.organisation == organisation_id)
        & (Involvement.started_at <= now)
        & (Involvement.ended_at.is_null() | (Involvement.ended_at > now))
    )
    if among is not None:
        if not among:
            return []
        query = query.where(Involvement.client.is_in(among))
    return list(dict.fromkeys(await query.output(as_list=True)))


async def load_facts(client_ids: list[UUID], staff_id: UUID | None) -> dict[UUID, ClientFacts]:
    """Facts for each existing client in `client_ids`; break-glass only for `staff_id`."""
    if not client_ids:
        return {}
    clients = msgspec.convert(
        await Client.select(Client.id, Client.registered_by).where(Client.id.is_in(client_ids)),
        list[ClientRuleRow],
    )
    # An unknown id runs the same queries as a real client the reader may not see, so the two
    # take the same time: the answer's timing must not tell which ids exist.
    ids = [client.id for client in clients] or list(client_ids)
    involvements: dict[UUID, list[InvolvementFact]] = defaultdict(list)
    for row in await Involvement.select(
        Involvement.client,
        Involvement.organisation.as_alias("organisation_id"),
        Involvement.source,
        Involvement.started_at,
        Involvement.ended_at,
    ).where(Involvement.client.is_in(ids)):
        involvements[row.pop("client")].append(msgspec.convert(row, InvolvementFact))
    consents: dict[UUID, list[ConsentFact]] = defaultdict(list)
    for row in (
        await Consent.select(*CONSENT_FACT_COLUMNS)
        .where(Consent.client.is_in(ids))
        .output(load_json=True)
    ):
        consent = msgspec.convert(row, ConsentRuleRow)
        consents[consent.client_id].append(consent_fact(consent))
    recorders: dict[UUID, set[UUID]] = defaultdict(set)
    for recorder in msgspec.convert(
        await ClientEntry.select(ClientEntry.client, ClientEntry.recorded_by_organisation)
        .where(ClientEntry.client.is_in(ids))
        .distinct(),
        list[RecorderRow],
    ):
        recorders[recorder.client].add(recorder.recorded_by_organisation)
    glasses: dict[UUID, list[BreakGlassFact]] = defaultdict(list)
    if staff_id is not None:
        for row in await BreakGlass.select(
            BreakGlass.id,
            BreakGlass.client,
            BreakGlass.staff.as_alias("staff_id"),
            BreakGlass.opened_at,
            BreakGlass.expires_at,
            BreakGlass.closed_at,
        ).where(BreakGlass.client.is_in(ids) & (BreakGlass.staff == staff_id)):
            glasses[row.pop("client")].append(msgspec.convert(row, BreakGlassFact))
    return {
        client.id: ClientFacts(
            client_id=client.id,
            registered_by=client.registered_by,
            involvements=tuple(involvements[client.id]),
            consents=tuple(consents[client.id]),
            break_glasses=tuple(glasses[client.id]),
            recorders=frozenset({client.registered_by, *recorders[client.id]}),
        )
        for client in clients
    }


async def note_expiries(expired: Iterable[ConsentFact]) -> None:
    """Audit each consent's expiry the first time a read sees it (once, even when raced).

    Expiry itself needs no write: the rule compares dates on every read. This only leaves
    the trail a line saying when the system first acted on it.
    """
    now = clock.now()
    for consent in expired:
        async with transaction():
            noted = (
                await Consent.update({Consent.expiry_noted_at: now})
                .where((Consent.id == consent.id) & Consent.expiry_noted_at.is_null())
                .returning(Consent.id)
            )
            if noted:
                await audit.record(
                    "consent.expired",
                    Actor.system(),
                    subject_type="consent",
                    subject_id=str(consent.id),
                    detail={"client_id": str(consent.client_id), "valid_to": str(consent.valid_to)},
                )

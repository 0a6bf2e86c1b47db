"""What the sharing rule reads, loaded from the tables; and expiries noted when first seen.

The rule (consent.policy) is pure; this module turns rows into its facts. Nothing here
decides access.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from piccolo.querystring import QueryString

from consent.rows import ConsentRuleRow
from consent.tables import Consent, Involvement
from hub import audit, clock
from hub.audit import Actor
from hub.db import is_sqlite, transaction
from hub.prepared import Prepared


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
    version: int | None = None
    """Which version of its series (None where a test states a rule without one)."""
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
    """Those not over when the facts were read: the rule asks only whether one goes on now,
    and a client's ended ones (one per finished referral) grew every read."""
    consents: tuple[ConsentFact, ...] = ()
    break_glasses: tuple[BreakGlassFact, ...] = ()
    recorders: frozenset[UUID] = frozenset()
    """Organisations that recorded something about the client (the registering one included)."""


CONSENT_FACT_COLUMNS = (
    Consent.id,
    Consent.client.as_alias("client_id"),
    Consent.version,
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
        version=row.version,
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


def _json_rows(pairs: dict[str, str], source: str, *, postgres: bool) -> str:
    """A subquery giving the rows of `source` as one JSON array of objects ("[]" for none)."""
    fields = ", ".join(f"'{name}', {expression}" for name, expression in pairs.items())
    if postgres:
        return f"(SELECT COALESCE(json_agg(json_build_object({fields})), '[]') FROM {source})"
    return f"(SELECT json_group_array(json_object({fields})) FROM {source})"


_FACTS_PREFIX = "facts_"


def _subqueries(client: str, staff_id: UUID | None, now: Any) -> dict[str, QueryString]:
    """The correlated subqueries of `fact_columns`, by the name each is read back under (each
    starts with `_FACTS_PREFIX`)."""
    postgres = not is_sqlite()

    def embedded(column: str) -> str:  # a JSON column, as JSON inside the object
        return column if postgres else f"json({column})"

    involvements = {
        "organisation_id": "i.organisation",
        "source": "i.source",
        "started_at": "i.started_at",
        "ended_at": "i.ended_at",
    }
    consents = {
        "id": "k.id",
        "client_id": "k.client",
        "version": "k.version",
        "organisation_ids": embedded("k.organisation_ids"),
        "categories": embedded("k.categories"),
        "purposes": embedded("k.purposes"),
        "valid_from": "k.valid_from",
        "valid_to": "k.valid_to",
        "given_at": "k.given_at",
        "withdrawn_at": "k.withdrawn_at",
        "withdrawn_reason": "k.withdrawn_reason",
        "expiry_noted_at": "k.expiry_noted_at",
    }
    recorders = "COALESCE(json_agg(DISTINCT e.recorded_by_organisation), '[]')"
    if not postgres:
        recorders = "json_group_array(DISTINCT e.recorded_by_organisation)"
    glasses = QueryString("'[]'")
    if staff_id is not None:
        pairs = {
            "id": "b.id",
            "staff_id": "b.staff",
            "opened_at": "b.opened_at",
            "expires_at": "b.expires_at",
            "closed_at": "b.closed_at",
        }
        source = f"break_glass b WHERE b.client = {client} AND b.staff = {{}}"
        glasses = QueryString(_json_rows(pairs, source, postgres=postgres), staff_id)
    return {
        "facts_registered_by": QueryString(
            f"(SELECT c.registered_by FROM client c WHERE c.id = {client})"
        ),
        "facts_involvements": QueryString(
            _json_rows(
                involvements,
                f"involvement i WHERE i.client = {client} "
                "AND (i.ended_at IS NULL OR i.ended_at > {})",
                postgres=postgres,
            ),
            now,
        ),
        "facts_consents": QueryString(
            _json_rows(consents, f"consent k WHERE k.client = {client}", postgres=postgres)
        ),
        "facts_recorders": QueryString(
            f"(SELECT {recorders} FROM client_entry e WHERE e.client = {client})"
        ),
        "facts_break_glasses": glasses,
    }


def fact_columns(client: str, staff_id: UUID | None, now: Any) -> list[Any]:
    """The rule's facts about the client whose id is the SQL expression `client`, as columns.

    Added to any select with a client's id in it, they read in one statement what were five
    reads (client, involvement, consents, recorders, break-glass): each column is a correlated
    subquery, a JSON array except `facts_registered_by` (NULL when there is no such client).
    Break-glass only for `staff_id`; involvements not over at `now`. `facts_from` turns a
    row with them into ClientFacts.
    """
    return [query.as_alias(name) for name, query in _subqueries(client, staff_id, now).items()]


_Fact = TypeVar("_Fact", bound=msgspec.Struct)


def _utc(value: datetime) -> datetime:
    """As the drivers give a timestamptz: in UTC (a naive one was written as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in_utc(fact: _Fact) -> _Fact:
    """The fact with every moment in UTC (JSON carries the database session's offset)."""
    changes = {
        name: _utc(value)
        for name in fact.__struct_fields__
        if isinstance(value := getattr(fact, name), datetime) and value.tzinfo is not UTC
    }
    return msgspec.structs.replace(fact, **changes) if changes else fact


def split_facts(row: dict[str, Any], client_id: UUID) -> tuple[dict[str, Any], ClientFacts | None]:
    """A row read with `fact_columns` or `beside_one_client`: its own columns, and the facts."""
    own = {name: value for name, value in row.items() if not name.startswith(_FACTS_PREFIX)}
    return own, facts_from(row, client_id)


def facts_from(row: dict[str, Any], client_id: UUID) -> ClientFacts | None:
    """The facts in a row read with `fact_columns`; None when there is no such client."""
    registered_by = row["facts_registered_by"]
    if registered_by is None:
        return None
    registered_by = msgspec.convert(registered_by, UUID)
    decode = msgspec.json.decode
    recorders = decode(row["facts_recorders"], type=list[UUID])
    return ClientFacts(
        client_id=client_id,
        registered_by=registered_by,
        involvements=tuple(
            _in_utc(fact) for fact in decode(row["facts_involvements"], type=list[InvolvementFact])
        ),
        consents=tuple(
            consent_fact(_in_utc(consent))
            for consent in decode(row["facts_consents"], type=list[ConsentRuleRow])
        ),
        break_glasses=tuple(
            _in_utc(fact) for fact in decode(row["facts_break_glasses"], type=list[BreakGlassFact])
        ),
        recorders=frozenset({registered_by, *recorders}),
    )


# Where the ids come from, on SQLite and on PostgreSQL: a JSON array or an array of several,
# or one id. One client has its own statement because PostgreSQL planned the array form
# afresh on every run: it guesses an array holds many ids, so a plan kept for any array
# looked dearer than one made for this one-id array, and planning cost twice the read
# (0.20 ms against 0.11).
_SEVERAL = ("json_each({}) j", "unnest({}::uuid[]) AS j(value)")
_ONE = ("(SELECT {} AS value) j", "(SELECT {}::uuid AS value) j")


def _facts_of_ids(ids_from: tuple[str, str], ids: Any, now: Any, staff_id: Any) -> QueryString:
    """The fact columns of each client id in `ids`, read from `ids_from` (`_SEVERAL` or
    `_ONE`) as `j.value`; the FROM item is the second argument of the QueryString."""
    source = QueryString(ids_from[0] if is_sqlite() else ids_from[1], ids)
    subqueries = _subqueries("j.value", staff_id, now)
    columns = QueryString(", ".join(f"{{}} AS {name}" for name in subqueries), *subqueries.values())
    return QueryString("{}, {}", columns, source)


def _facts_read(ids_from: tuple[str, str], ids: Any, now: Any, staff_id: Any) -> QueryString:
    """The facts of each client in `ids`, read from `ids_from` (`_SEVERAL` or `_ONE`)."""
    columns, source = _facts_of_ids(ids_from, ids, now, staff_id).args
    return QueryString("SELECT j.value AS id, {} FROM {}", columns, source)


def beside_one_client(query: Any, client_id: Any, now: Any, staff_id: Any) -> QueryString:
    """`query` (a Piccolo select, one statement) with the facts of the client `client_id`
    added to each of its rows, as `fact_columns` gives them (for `facts_from`): two reads in
    one round trip. The facts are driven from the id asked for, as `load_facts` reads them."""
    columns, source = _facts_of_ids(_ONE, client_id, now, staff_id).args
    (inner,) = query.querystrings
    return QueryString("SELECT q.*, {} FROM ({}) q, {}", columns, inner, source)


_FACTS = Prepared(lambda ids, now: _facts_read(_SEVERAL, ids, now, None))
_FACTS_WITH_GLASS = Prepared(lambda ids, now, staff: _facts_read(_SEVERAL, ids, now, staff))
_ONE_CLIENT_FACTS = Prepared(lambda client_id, now: _facts_read(_ONE, client_id, now, None))
_ONE_CLIENT_FACTS_WITH_GLASS = Prepared(
    lambda client_id, now, staff: _facts_read(_ONE, client_id, now, staff)
)


async def load_facts(client_ids: list[UUID], staff_id: UUID | None) -> dict[UUID, ClientFacts]:
    """Facts for each existing client in `client_ids`, in one read; break-glass only for
    `staff_id`."""
    if not client_ids:
        return {}
    # Driven from the ids asked for, not the client table: an unknown id runs the same
    # subqueries as a real client the reader may not see, so the two take the same time and
    # the answer's timing does not tell which ids exist.
    now = clock.now()
    if len(client_ids) == 1:
        (one,) = client_ids
        value = str(one) if is_sqlite() else one
        if staff_id is None:
            rows = await _ONE_CLIENT_FACTS.rows(value, now)
        else:
            rows = await _ONE_CLIENT_FACTS_WITH_GLASS.rows(value, now, staff_id)
    else:
        ids = msgspec.json.encode(client_ids).decode() if is_sqlite() else list(client_ids)
        if staff_id is None:
            rows = await _FACTS.rows(ids, now)
        else:
            rows = await _FACTS_WITH_GLASS.rows(ids, now, staff_id)
    found: dict[UUID, ClientFacts] = {}
    for row in rows:
        client_id = msgspec.convert(row["id"], UUID)
        facts = facts_from(row, client_id)
        if facts is not None:
            found[client_id] = facts
    return found


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

"""The sharing rule (DESIGN.md), in one place: every read of client data asks this module.

Staff member S of organisation O may read an entry in category K, recorded by organisation R,
of client C, for purpose P, at moment t, when

    (O is involved with C at t  and  (a consent of C active at t names O, P and K,  or  R is O))
    or  S holds a break-glass on C that is open at t.

A consent is active from its first day to its last (UK calendar days), until it is withdrawn or
replaced; nothing needs to run for withdrawal or expiry to take effect, because the answer is
worked out afresh on every request. Lists, search and the duplicate check ask
`visible_clients`, which never looks at break-glass: an override opens one record, never a list.

The rule itself (`decide_from_facts`) is pure; `decide`, `check` and `visible_clients` load
the facts it needs (consent.facts) and answer for the signed-in person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import NoReturn
from uuid import UUID

import msgspec

from consent.facts import (
    ClientFacts,
    ConsentFact,
    involved_client_ids,
    load_facts,
    note_expiries,
)
from consent.vocabulary import (
    CATEGORIES,
    COORDINATION,
    IDENTITY,
    PURPOSES,
    SENSITIVE,
    category_label,
    local_date,
)
from hub import audit, clock
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.errors import Forbidden, NotFound

ACTIVE = "active"
PENDING = "pending"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
REPLACED = "replaced"


class Reader(msgspec.Struct, frozen=True, kw_only=True):
    """The staff member asking, and their organisation."""

    staff_id: UUID
    organisation_id: UUID


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """The answer for one reader, client, purpose and moment, category by category."""

    client_id: UUID
    organisation_id: UUID
    registered_by: UUID
    purpose: str
    involved: bool
    consented: frozenset[str]
    """Categories a consent lets this organisation read (every entry in them)."""
    withheld: dict[str, str]
    """Category -> why it is not shared (plain English); empty under break-glass."""
    consent_ids: tuple[UUID, ...] = ()
    break_glass_id: UUID | None = None
    break_glass_until: datetime | None = None
    recorders: frozenset[UUID] = frozenset()

    def may_read(self, category: str, recorded_by: UUID) -> bool:
        """May the reader see an entry in `category` that `recorded_by` recorded?"""
        if self.break_glass_id is not None:
            return True
        return self.involved and (category in self.consented or recorded_by == self.organisation_id)

    @property
    def identity_visible(self) -> bool:
        """May the reader see who the client is (name, date of birth)?"""
        return self.may_read(IDENTITY, self.registered_by)

    @property
    def visible(self) -> bool:
        """Is there anything at all this reader may see? If not, the client "does not exist"."""
        if self.break_glass_id is not None:
            return True
        return self.involved and (bool(self.consented) or self.organisation_id in self.recorders)

    @property
    def may_open_break_glass(self) -> bool:
        """May the reader open a break-glass override on this client?

        Only an organisation already working with the client (registered them, has an open
        referral, is on the care team): the override is for more than consent allows in an
        emergency, never a way in for an organisation with no relationship to the person.
        """
        return self.involved

    @property
    def may_act(self) -> bool:
        """May the reader act for the client (record consent or entries, make an invitation)?

        Only an involved organisation that knows who the client is without an override:
        break-glass is for reading in an emergency, never for changing the record.
        """
        return self.involved and (
            IDENTITY in self.consented or self.registered_by == self.organisation_id
        )


def consent_state(consent: ConsentFact, at: datetime) -> str:
    """Where a consent stands at `at`: active, pending, expired, withdrawn or replaced."""
    if consent.withdrawn_at is not None and consent.withdrawn_at <= at:
        return REPLACED if consent.withdrawn_reason == REPLACED else WITHDRAWN
    today = local_date(at)
    if today < consent.valid_from:
        return PENDING
    if today > consent.valid_to:
        return EXPIRED
    return ACTIVE


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _not_consented_reason(
    category: str, naming: list[ConsentFact], purpose: str, at: datetime
) -> str:
    if not naming:
        return "No consent from the client names your organisation."
    live = [c for c in naming if consent_state(c, at) == ACTIVE]
    if not live:
        latest = max(naming, key=lambda c: c.given_at)
        state = consent_state(latest, at)
        if state == WITHDRAWN and latest.withdrawn_at is not None:
            return f"The client withdrew their consent on {_day(local_date(latest.withdrawn_at))}."
        if state == EXPIRED:
            return f"The client's consent ended on {_day(latest.valid_to)}."
        if state == PENDING:
            return f"The client's consent starts on {_day(latest.valid_from)}."
        return "The client's current consent does not name your organisation."
    if not any(purpose in c.purposes for c in live):
        return f"The client's consent does not cover {PURPOSES.get(purpose, purpose)}."
    label = category_label(category)
    if category in SENSITIVE:
        return (
            f"{label.capitalize()} is sensitive: it is shared only when the client's consent "
            "names it, and theirs does not."
        )
    return f"The client has not agreed to share {label} with your organisation."


def decide_from_facts(facts: ClientFacts, reader: Reader, purpose: str, at: datetime) -> Decision:
    """The sharing rule itself: pure, so it can be checked against a plain statement of it."""
    org = reader.organisation_id
    involved = any(i.organisation_id == org and i.active(at) for i in facts.involvements)
    given = [c for c in facts.consents if c.given_at <= at]
    naming = [c for c in given if org in c.organisation_ids]
    live = [c for c in naming if purpose in c.purposes and consent_state(c, at) == ACTIVE]
    consented: frozenset[str] = frozenset()
    if involved:
        consented = frozenset(k for c in live for k in c.categories if k in CATEGORIES)
    glass = next(
        (b for b in facts.break_glasses if b.staff_id == reader.staff_id and b.open_at(at)), None
    )
    withheld: dict[str, str] = {}
    if glass is None:
        for category in CATEGORIES:
            if category in consented:
                continue
            if not involved:
                withheld[category] = (
                    "Your organisation is not involved with this client: it did not register "
                    "them, has no open referral for them and is not on their care team."
                )
            else:
                withheld[category] = _not_consented_reason(category, naming, purpose, at)
    return Decision(
        client_id=facts.client_id,
        organisation_id=org,
        registered_by=facts.registered_by,
        purpose=purpose,
        involved=involved,
        consented=consented,
        withheld=withheld,
        consent_ids=tuple(c.id for c in live) if involved else (),
        break_glass_id=glass.id if glass else None,
        break_glass_until=glass.expires_at if glass else None,
        recorders=facts.recorders,
    )


async def observe_expiries(consents: Iterable[ConsentFact], at: datetime) -> None:
    """Put in the audit trail, once, each consent a read finds has run out."""
    await note_expiries(
        c for c in consents if not c.expiry_noted and consent_state(c, at) == EXPIRED
    )


def staff_reader(principal: Principal) -> Reader | None:
    """The staff member behind a principal, or None: clients and others are never readers."""
    organisation = roles.staff_organisation(principal)
    if organisation is None:
        return None
    # A partner system's token reads as itself: never through its maker's break-glass.
    staff_id = principal.token_id or principal.id
    return Reader(staff_id=staff_id, organisation_id=organisation)


def reader_of(principal: Principal) -> Reader:
    """The staff member behind a principal, or NotFound for anyone else."""
    reader = staff_reader(principal)
    if reader is None:
        msg = "No such client"
        raise NotFound(msg)
    return reader


async def decide_on(
    facts: ClientFacts | None, reader: Reader, purpose: str = COORDINATION
) -> Decision | None:
    """`decide` with the facts already read for this reader (consent.facts.fact_columns, in
    the same statement as the row that names the client); None when there is no such client."""
    if facts is None:
        return None
    now = clock.now()
    await observe_expiries(facts.consents, now)
    return decide_from_facts(facts, reader, purpose, now)


async def decide(
    principal: Principal, client_id: UUID, purpose: str = COORDINATION
) -> Decision | None:
    """The answer for this staff member and client now; None when there is no such client."""
    reader = reader_of(principal)
    facts = await load_facts([client_id], staff_id=reader.staff_id)
    return await decide_on(facts.get(client_id), reader, purpose)


NO_STAFF = UUID(int=0)
"""The reader of an organisation-wide decision: nobody's break-glass ever applies to it."""


async def decide_for_organisation(
    organisation_id: UUID, client_id: UUID, purpose: str = COORDINATION
) -> Decision | None:
    """What any staff member of `organisation_id` may see of the client now, by consent and
    involvement alone (never break-glass): for showing a sender what a receiver sees."""
    facts = await load_facts([client_id], staff_id=None)
    if client_id not in facts:
        return None
    now = clock.now()
    await observe_expiries(facts[client_id].consents, now)
    reader = Reader(staff_id=NO_STAFF, organisation_id=organisation_id)
    return decide_from_facts(facts[client_id], reader, purpose, now)


async def check(
    principal: Principal, client_id: UUID, purpose: str = COORDINATION, *, act: bool = False
) -> Decision:
    """The decision for a page about one client, or NotFound (audited) when nothing is shared.

    With `act`, the reader must also be allowed to act for the client (see `Decision.may_act`).
    A client that does not exist and one that is not shared give the same NotFound.
    """
    decision = await decide(principal, client_id, purpose)
    if not allows(decision, act=act):
        await refuse(principal, client_id, purpose, act=act)
    assert decision is not None  # allows() said so
    return decision


def allows(decision: Decision | None, *, act: bool) -> bool:
    """Whether a decision lets its reader see the client (or, with `act`, act for them)."""
    return decision is not None and (decision.may_act if act else decision.visible)


async def refuse(
    principal: Principal, client_id: UUID, purpose: str = COORDINATION, *, act: bool = False
) -> NoReturn:
    """Record a refused read of a client in the audit trail, then raise NotFound.

    Call it outside any transaction that the refusal rolls back, or the line goes with it.
    """
    await audit.record(
        "client_record.refused",
        principal.actor,
        subject_type="client",
        subject_id=str(client_id),
        detail={"purpose": purpose, "act": act},
    )
    msg = "No such client"
    raise NotFound(msg)


async def decide_and_cover(
    principal: Principal, client_id: UUID, organisation_id: UUID, purpose: str = COORDINATION
) -> tuple[Decision | None, Coverage]:
    """In one read of the client's facts: what this staff member may do with the client
    (`decide`), and what the client's consents let be sent to `organisation_id` (`coverage`).

    For acting under a consent inside the transaction that holds it (sending a referral), or
    before one that checks them again at its commit (`consents.unchanged_at_commit`).
    """
    reader = reader_of(principal)
    facts = (await load_facts([client_id], staff_id=reader.staff_id)).get(client_id)
    return await decide_and_cover_on(facts, reader, client_id, organisation_id, purpose)


async def decide_and_cover_on(
    facts: ClientFacts | None,
    reader: Reader,
    client_id: UUID,
    organisation_id: UUID,
    purpose: str = COORDINATION,
) -> tuple[Decision | None, Coverage]:
    """`decide_and_cover` with the client's facts already read for this reader
    (`consent.facts.beside_one_client`); `facts` None when there is no such client."""
    now = clock.now()
    if facts is None:
        return None, coverage_from(None, client_id, organisation_id, purpose, now)
    await observe_expiries(facts.consents, now)
    decision = decide_from_facts(facts, reader, purpose, now)
    return decision, coverage_from(facts, client_id, organisation_id, purpose, now)


async def check_break_glass(principal: Principal, client_id: UUID) -> Decision:
    """The decision for someone about to open a break-glass, or NotFound (audited).

    An organisation not involved with the client gets exactly what an unknown id gets.
    """
    decision = await decide(principal, client_id) if roles.is_staff(principal) else None
    if decision is None or not decision.may_open_break_glass:
        await audit.record(
            "break_glass.refused", principal.actor, subject_type="client", subject_id=str(client_id)
        )
        msg = "No such client"
        raise NotFound(msg)
    return decision


PortalSteward = Callable[[UUID, UUID], Awaitable[bool]]
_PORTAL_STEWARDS: list[PortalSteward] = []


def register_portal_steward(check: PortalSteward) -> None:
    """Add a kind of organisation that looks after clients' portal accounts.

    `check(client_id, organisation_id)`: plans/ adds the lead professional's organisation.
    """
    if check not in _PORTAL_STEWARDS:
        _PORTAL_STEWARDS.append(check)


async def is_portal_steward(principal: Principal, decision: Decision) -> bool:
    """Does this staff member look after the client's portal account?

    The portal account is the client's own: through it one sees every consent, who read the
    record and the whole plan, and acts as the client. So only the hub (which the client comes
    to), the organisation that registered them and any organisation a feature names (the lead
    professional's) may hand out its codes, disable or reset it, and only while they may act
    for the client.
    """
    if not decision.may_act:
        return False
    if decision.organisation_id == decision.registered_by or roles.is_hub_worker(principal):
        return True
    for steward in _PORTAL_STEWARDS:
        if await steward(decision.client_id, decision.organisation_id):
            return True
    return False


async def check_portal_steward(principal: Principal, client_id: UUID) -> Decision:
    """The decision for a steward of the client's portal account (`is_portal_steward`).

    Raises:
        NotFound: the client is not shared with them (audited, as any refused read).
        Forbidden: they may act for the client but do not look after the account (audited).
    """
    decision = await check(principal, client_id, act=True)
    if await is_portal_steward(principal, decision):
        return decision
    await audit.record(
        "client_portal.refused",
        principal.actor,
        subject_type="client",
        subject_id=str(client_id),
    )
    msg = (
        "Only the hub, the organisation that registered the client or their lead "
        "professional's organisation looks after the client's portal account"
    )
    raise Forbidden(msg)


async def visible_clients(
    principal: Principal, purpose: str = COORDINATION, among: list[UUID] | None = None
) -> list[Decision]:
    """Decisions for every client this staff member's organisation may see something of.

    For lists, search and the duplicate check. Break-glass is never considered here.
    `among` narrows the clients looked at (a pre-filter); it can never widen them.
    """
    reader = reader_of(principal)
    candidates = await involved_client_ids(reader.organisation_id, among)
    facts = await load_facts(candidates, staff_id=None)
    now = clock.now()
    await observe_expiries([c for f in facts.values() for c in f.consents], now)
    decisions = [decide_from_facts(f, reader, purpose, now) for f in facts.values()]
    return [d for d in decisions if d.visible]


FULL = "full"
OWN_PART = "own_part"


def consent_access(
    decision: Decision, organisation_ids: frozenset[UUID], obtained_by: UUID | None
) -> str | None:
    """How much of one consent the reader may see.

    In full for the organisation that obtained it (it already knows every word) and under
    break-glass; only its own part for an organisation it names, because the other names
    alone could tell them which services the client uses; otherwise not at all.
    """
    if decision.break_glass_id is not None:
        return FULL
    if not decision.involved:
        return None
    if obtained_by == decision.organisation_id:
        return FULL
    if decision.organisation_id in organisation_ids:
        return OWN_PART
    return None


class Coverage(msgspec.Struct, frozen=True, kw_only=True):
    """What the client's consents let one organisation receive now, for one purpose."""

    client_id: UUID
    organisation_id: UUID
    categories: frozenset[str]
    consent_id: UUID | None
    """The newest active consent naming the organisation (what a referral is sent under)."""
    consent_version: int | None = None
    """That consent's version (a referral records it)."""
    reason: str
    """Why nothing is covered (plain English), or "" when something is."""
    read_as: tuple[int, int] = (0, 0)
    """How many consents the client had, and how many of those had ended, when this was read:
    a change to their consents changes one or both (`consents.unchanged_at_commit`)."""


async def coverage(client_id: UUID, organisation_id: UUID, purpose: str = COORDINATION) -> Coverage:
    """The categories the client's active consents name for `organisation_id` and `purpose`.

    Ignores involvement: it answers "may we send to them?", before they are involved.
    """
    facts = (await load_facts([client_id], staff_id=None)).get(client_id)
    now = clock.now()
    if facts is not None:
        await observe_expiries(facts.consents, now)
    return coverage_from(facts, client_id, organisation_id, purpose, now)


def coverage_from(
    facts: ClientFacts | None, client_id: UUID, organisation_id: UUID, purpose: str, now: datetime
) -> Coverage:
    """`coverage` worked out from facts already read (pure)."""
    if facts is None:
        return Coverage(
            client_id=client_id,
            organisation_id=organisation_id,
            categories=frozenset(),
            consent_id=None,
            reason="No such client.",
        )
    naming = [
        c for c in facts.consents if c.given_at <= now and organisation_id in c.organisation_ids
    ]
    live = [c for c in naming if purpose in c.purposes and consent_state(c, now) == ACTIVE]
    categories = frozenset(k for c in live for k in c.categories if k in CATEGORIES)
    newest = max(live, key=lambda c: c.given_at) if live else None
    reason = "" if categories else _not_consented_reason(IDENTITY, naming, purpose, now)
    return Coverage(
        client_id=client_id,
        organisation_id=organisation_id,
        categories=categories,
        consent_id=newest.id if newest else None,
        consent_version=newest.version if newest else None,
        reason=reason,
        read_as=(len(facts.consents), sum(c.withdrawn_at is not None for c in facts.consents)),
    )

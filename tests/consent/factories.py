"""Build consent-side data for tests through the real services (involvement, consents)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher

from consent import consents, policy, record, validation
from consent.involvement import start_involvement
from consent.schemas import NoteDetails
from consent.vocabulary import COORDINATION, CURRENT_NOTICE, local_date
from hub import clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import transaction
from hub.tables import Client, Organisation, Staff
from tests.support import PASSWORD, make_client, make_staff

# Signing in is real in these tests; only the cost of checking the hash is turned down.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@cache
def _cheap_hash() -> str:
    return _CHEAP.hash(PASSWORD)


async def staff_member(organisation: Organisation, **options: Any) -> Staff:
    """Like tests.support.make_staff, with an argon2id hash that is quick to check."""
    member = await make_staff(organisation, **options)
    await Staff.update({Staff.password_hash: _cheap_hash()}).where(Staff.id == member.id)
    return member


async def registered_client(
    organisation: Organisation,
    *,
    full_name: str = "Jo Bloggs",
    preferred_name: str = "Jo",
    date_of_birth: date | None = date(1990, 1, 2),
    username: str | None = None,
) -> Client:
    """A client the organisation registered (with its `registered` involvement)."""
    client = await make_client(organisation, username=username)
    await Client.update(
        {
            Client.full_name: full_name,
            Client.preferred_name: preferred_name,
            Client.date_of_birth: date_of_birth,
        }
    ).where(Client.id == client.id)
    await start_involvement(client.id, organisation.id, "registered", Actor.system())
    return client


async def involve(client_id: UUID, organisation: Organisation, source: str = "care_team") -> None:
    """Make the organisation involved with the client (as a referral or care team would)."""
    await start_involvement(client_id, organisation.id, source, Actor.system())


async def consent_to(
    client_id: UUID,
    organisations: Iterable[Organisation],
    categories: Iterable[str],
    purposes: Iterable[str] = (COORDINATION,),
    *,
    obtained_by: Staff | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> UUID:
    """A consent given now through the real write path; returns its id."""
    organisations = list(organisations)
    start, end = validation.default_period(local_date(clock.now()))
    values: dict[str, Any] = {
        "organisation_ids": [str(o.id) for o in organisations],
        "organisation_names": [o.name for o in organisations],
        "categories": list(categories),
        "purposes": list(purposes),
        "valid_from": valid_from or start,
        "valid_to": valid_to or end,
        "method": "verbal",
        "notice_version": CURRENT_NOTICE,
        "capacity": "has_capacity",
        "given_by": "client",
        "obtained_by_staff": obtained_by.id if obtained_by else None,
        "obtained_by_organisation": obtained_by.organisation if obtained_by else None,
    }
    async with transaction():
        return await consents.insert_version(client_id, values, Actor.system())


async def note(client_id: UUID, organisation: Organisation, category: str, text: str) -> None:
    """An entry the organisation recorded."""
    async with transaction():
        await record.write_entry(client_id, category, NoteDetails(text=text), organisation.id, None)


def principal(member: Staff, organisation: Organisation) -> Principal:
    """The staff member as a signed-in principal, for calling services directly."""
    return Principal(
        kind="staff",
        id=member.id,
        name=member.name,
        session_key="test",
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        organisation_kind=organisation.kind,
    )


async def first(query: Any) -> dict[str, Any]:
    """The first row a select returns, which the test expects to exist."""
    row = await query.first()
    assert row is not None, "expected a row"
    return dict(row)


async def decided(
    asking: Principal, client_id: UUID, purpose: str = COORDINATION
) -> policy.Decision:
    """The policy's decision for an existing client."""
    decision = await policy.decide(asking, client_id, purpose)
    assert decision is not None, "no such client"
    return decision

"""Consent for a child under 16 is given by the person holding parental responsibility (the
"on behalf" consent, with the parent authority), and by no one else.

Who holds it may be recorded by a feature above consent (plans' households): it registers a
lookup here, so consent can check the name without importing it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from consent.vocabulary import local_date
from hub import clock
from hub.errors import Invalid
from hub.tables import Client

ADULT_AT = 16
PARENT = "parent"

ResponsibleLookup = Callable[[UUID], Awaitable[str | None]]
_LOOKUPS: list[ResponsibleLookup] = []


def register_responsible_lookup(lookup: ResponsibleLookup) -> None:
    """Add a source of who holds parental responsibility for a client (their name, or None)."""
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)


def age_on(born: date, day: date) -> int:
    """Whole years from `born` to `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


async def is_child(client_id: UUID) -> bool:
    """Is the client under 16 today (by their recorded date of birth)?"""
    births = Client.select(Client.date_of_birth).where(Client.id == client_id)
    born = next(iter(await births.output(as_list=True)), None)
    return born is not None and age_on(born, local_date(clock.now())) < ADULT_AT


async def responsible_for(client_id: UUID) -> str | None:
    """The name of who holds parental responsibility for the client, where one is recorded."""
    for lookup in _LOOKUPS:
        name = await lookup(client_id)
        if name:
            return name
    return None


async def check_giver(client_id: UUID, values: Mapping[str, Any]) -> None:
    """Invalid unless a child's consent is given on their behalf by who holds parental
    responsibility (when that is recorded, by that person by name)."""
    if not await is_child(client_id):
        return
    field = "given_by"
    if (
        values.get("given_by") != "representative"
        or values.get("representative_authority") != PARENT
    ):
        msg = (
            "This client is under 16: consent is given on their behalf by the person with "
            "parental responsibility"
        )
        raise Invalid(msg, {field: msg})
    holder = await responsible_for(client_id)
    given = str(values.get("representative_name", "")).strip().casefold()
    if holder and given != holder.strip().casefold():
        msg = f"{holder} holds parental responsibility for this child: they give consent for them"
        raise Invalid(msg, {"representative_name": msg})

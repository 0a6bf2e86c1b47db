"""Build directory listings for tests through the real write path."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from directory import schemas
from directory.store import upsert_service
from directory.taxonomy import NEED_TAXONOMY_ID, term_id
from hub import clock
from hub.audit import Actor
from hub.tables import Organisation

LOCHEE = (56.4685, -3.0210)  # near Lochee, Dundee


def need(code: str, name: str | None = None) -> schemas.Term:
    """A shipped need-category term."""
    return schemas.Term(
        id=term_id(code), code=code, name=name or code.title(), taxonomy_id=NEED_TAXONOMY_ID
    )


def weekly(byday: str, opens: int, closes: int) -> schemas.Schedule:
    """A weekly opening rule, e.g. weekly("MO,TU", 9, 17)."""
    return schemas.Schedule(
        id=uuid.uuid4(), freq="WEEKLY", byday=byday, opens_at=time(opens), closes_at=time(closes)
    )


def location(
    organisation: Organisation, point: tuple[float, float] = LOCHEE, **values: Any
) -> schemas.Location:
    """A location of `organisation` at `point`."""
    return schemas.Location(
        id=values.pop("id", uuid.uuid4()),
        organisation_id=organisation.id,
        name=values.pop("name", "Main office"),
        address_1=values.pop("address_1", "1 High Street"),
        city=values.pop("city", "Dundee"),
        postal_code=values.pop("postal_code", "DD2 3AA"),
        latitude=point[0],
        longitude=point[1],
        **values,
    )


async def make_service(organisation: Organisation, **values: Any) -> schemas.ServiceRecord:
    """A saved listing with sensible defaults; any ServiceRecord field can be given."""
    record = schemas.ServiceRecord(
        id=values.pop("id", uuid.uuid4()),
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        name=values.pop("name", f"Service {uuid.uuid4().hex[:6]}"),
        description=values.pop("description", "Help for people in Lochee"),
        referral_methods=values.pop("referral_methods", ["network", "phone"]),
        verified_at=values.pop("verified_at", clock.now()),
        locations=values.pop("locations", [location(organisation)]),
        schedules=values.pop("schedules", [weekly("MO,TU,WE,TH,FR", 9, 17)]),
        **values,
    )
    await upsert_service(record, actor=Actor.system())
    return record

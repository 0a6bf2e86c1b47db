"""A hub worker's signposting list: add, remove, hand over (print or link), and count anonymously.

A list holds service ids only: nothing about the visitor. Each worker has at most one list not
yet handed over; handing it over stamps it, starts the 30-day link and counts one signposting
per service per need category for the day, all in one transaction. The next add starts a new
list. The link's token is 128 random bits, unrelated to any id.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta
from typing import Any
from uuid import UUID

from piccolo.querystring import QueryString

from directory import schemas
from directory.hours import LONDON, describe_rules, describe_status
from directory.listings.presentation import describe_exception, upcoming_exceptions
from directory.read import load_services
from directory.signposting.schemas import SheetItem, SignpostSheet
from directory.tables import Service, SignpostCount, SignpostItem, SignpostList
from directory.taxonomy import NEED_TAXONOMY_ID
from hub import audit, clock
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import lock, named_lock, raw, transaction
from hub.errors import Invalid, NotFound, WraparoundError

LINK_LIFETIME = timedelta(days=30)
MAX_ITEMS = 30
TOKEN_BYTES = 16  # 128 bits from the OS's CSPRNG
# Any fixed number: serialises the read-then-write of daily counters on PostgreSQL.
_COUNT_LOCK = named_lock("directory.signposting.counts")
_WORKER_LIST_LOCK = named_lock("directory.signposting.worker_list")
VISITOR_METHODS = {"drop_in": "Drop in", "self": "Refer yourself", "phone": "Phone them"}


class LinkExpired(WraparoundError):
    """A shared list whose 30 days are over."""

    status_code = 410
    title = "This list has expired"


def new_token() -> str:
    """A fresh link token: random, never derived from an id or a time."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _no_such_list() -> NotFound:
    return NotFound("No such list")


async def _lock_worker(principal: Principal) -> None:
    """One list at a time per worker, even when two adds arrive together."""
    await lock(_WORKER_LIST_LOCK, str(principal.id))


async def _open_list_id(principal: Principal) -> UUID | None:
    row = (
        await SignpostList.select(SignpostList.id)
        .where((SignpostList.created_by == principal.id) & SignpostList.handed_over_at.is_null())
        .order_by(SignpostList.created_at, ascending=False)
        .first()
    )
    return row["id"] if row else None


async def _item_ids(list_id: UUID) -> list[UUID]:
    rows = (
        await SignpostItem.select(SignpostItem.service)
        .where(SignpostItem.signpost_list == list_id)
        .order_by(SignpostItem.position)
    )
    return [row["service"] for row in rows]


def on_list_query(principal: Principal) -> QueryString:
    """A subquery of the services (column `service`) on the worker's current list: the newest
    one not handed over (`_open_list_id`), read with its items in one statement."""
    return QueryString(
        "SELECT i.service AS service FROM signpost_item i WHERE i.signpost_list = "
        "(SELECT l.id FROM signpost_list l WHERE l.created_by = {} "
        "AND l.handed_over_at IS NULL ORDER BY l.created_at DESC LIMIT 1)",
        principal.id,
    )


async def services_on_list(principal: Principal) -> set[UUID]:
    """Services on this worker's current list (search results mark them as added)."""
    rows = await raw("SELECT o.service AS service FROM ({}) o", on_list_query(principal))
    return {_as_uuid(row["service"]) for row in rows}


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


async def add_service(principal: Principal, service_id: UUID) -> int:
    """Put a service on the worker's current list (starting one if needed); returns its size.

    Raises:
        NotFound: no such service.
        Invalid: the list is full.
    """
    async with transaction():
        if not await Service.exists().where(Service.id == service_id):
            msg = "No such service"
            raise NotFound(msg)
        await _lock_worker(principal)
        list_id = await _open_list_id(principal)
        if list_id is None:
            signpost_list = SignpostList(
                token=new_token(),
                organisation=principal.organisation_id,
                created_by=principal.id,
                created_at=clock.now(),
            )
            await SignpostList.insert(signpost_list)
            list_id = signpost_list.id
        ids = await _item_ids(list_id)
        if service_id in ids:
            return len(ids)
        if len(ids) >= MAX_ITEMS:
            msg = f"A list can hold {MAX_ITEMS} services: hand this one over first"
            raise Invalid(msg, {"service_id": msg})
        await SignpostItem.insert(
            SignpostItem(signpost_list=list_id, service=service_id, position=len(ids))
        )
        return len(ids) + 1


async def remove_service(principal: Principal, service_id: UUID) -> int:
    """Take a service off the worker's current list; returns how many are left."""
    async with transaction():
        await _lock_worker(principal)
        list_id = await _open_list_id(principal)
        if list_id is None:
            return 0
        await SignpostItem.delete().where(
            (SignpostItem.signpost_list == list_id) & (SignpostItem.service == service_id)
        )
        return len(await _item_ids(list_id))


def sheet_item(record: schemas.ServiceRecord) -> SheetItem:
    """What a visitor needs about one service, and nothing about who keeps the listing."""
    now = clock.now()
    hours = record.hours()
    place = record.locations[0] if record.locations else None
    methods = [text for code, text in VISITOR_METHODS.items() if code in record.referral_methods]
    return SheetItem(
        service_id=record.id,
        name=record.name,
        description=record.description,
        open_status=describe_status(hours, now),
        hours=describe_rules(hours.rules),
        dated_changes=[
            describe_exception(item)
            for item in upcoming_exceptions(record, now.astimezone(LONDON).date(), days=30)
        ],
        address=place.address if place else "",
        transportation=place.transportation if place else "",
        phone=record.first_phone,
        url=record.url,
        referral=", ".join(methods),
    )


async def _sheet(row: dict[str, object]) -> SignpostSheet:
    list_id = row["id"]
    assert isinstance(list_id, UUID)
    records = await load_services(await _item_ids(list_id))
    handed_over = row["handed_over_at"] is not None
    return SignpostSheet(
        id=list_id,
        items=[sheet_item(record) for record in records],
        token=str(row["token"]) if handed_over else "",
        handed_over_at=row["handed_over_at"],  # type: ignore[arg-type]
        expires_at=row["expires_at"],  # type: ignore[arg-type]
    )


_COLUMNS = (
    SignpostList.id,
    SignpostList.token,
    SignpostList.handed_over_at,
    SignpostList.expires_at,
)


async def current_sheet(principal: Principal) -> SignpostSheet | None:
    """The worker's list not yet handed over, if any."""
    list_id = await _open_list_id(principal)
    if list_id is None:
        return None
    row = await SignpostList.select(*_COLUMNS).where(SignpostList.id == list_id).first()
    return await _sheet(row) if row else None


async def own_sheet(principal: Principal, list_id: UUID) -> SignpostSheet:
    """One of the worker's own lists; anyone else's looks missing.

    Raises:
        NotFound: no such list, or another worker's.
    """
    row = (
        await SignpostList.select(*_COLUMNS)
        .where((SignpostList.id == list_id) & (SignpostList.created_by == principal.id))
        .first()
    )
    if row is None:
        raise _no_such_list()
    return await _sheet(row)


async def _need_codes(service_ids: list[UUID]) -> Counter[str]:
    """For each need category, how many of these services it covers."""
    records = await load_services(service_ids)
    counts: Counter[str] = Counter()
    for record in records:
        codes = {term.code for term in record.terms if term.taxonomy_id == NEED_TAXONOMY_ID}
        counts.update(codes)
    return counts


async def _count(codes: Counter[str]) -> None:
    day = clock.now().astimezone(LONDON).date()
    await lock(_COUNT_LOCK)
    for code, amount in sorted(codes.items()):
        where = (SignpostCount.day == day) & (SignpostCount.category_code == code)
        if await SignpostCount.exists().where(where):
            await SignpostCount.update({SignpostCount.total: SignpostCount.total + amount}).where(
                where
            )
        else:
            await SignpostCount.insert(SignpostCount(day=day, category_code=code, total=amount))


async def hand_over(principal: Principal) -> UUID:
    """Hand the current list over: start its 30-day link and count it; returns its id.

    Raises:
        Invalid: there is no list, or it is empty.
    """
    now = clock.now()
    async with transaction():
        await _lock_worker(principal)
        list_id = await _open_list_id(principal)
        ids = await _item_ids(list_id) if list_id else []
        if list_id is None or not ids:
            msg = "Add at least one service to the list first"
            raise Invalid(msg, {"list": msg})
        await SignpostList.update(
            {SignpostList.handed_over_at: now, SignpostList.expires_at: now + LINK_LIFETIME}
        ).where(SignpostList.id == list_id)
        await _count(await _need_codes(ids))
        await audit.record(
            "directory.signpost_handed_over",
            principal.actor,
            subject_type="signpost_list",
            subject_id=str(list_id),
            detail={"services": len(ids)},
        )
    return list_id


async def public_sheet(token: str) -> SignpostSheet:
    """A handed-over list by its link, for anyone, for 30 days.

    Raises:
        NotFound: no list has this token (or it was never handed over).
        LinkExpired: its 30 days are over.
    """
    if not token or len(token) > 64:
        raise _no_such_list()
    row = await SignpostList.select(*_COLUMNS).where(SignpostList.token == token).first()
    if row is None or row["handed_over_at"] is None:
        raise _no_such_list()
    if row["expires_at"] is None or row["expires_at"] <= clock.now():
        ended_early = row["expires_at"] < row["handed_over_at"] + LINK_LIFETIME
        msg = (
            "This link was ended, so the list can no longer be opened. Ask the hub for a new one."
            if ended_early
            else "Lists of services can be opened for 30 days. Ask the hub for a fresh one."
        )
        raise LinkExpired(msg)
    return await _sheet(row)


async def _end(where: Any, actor: Any) -> UUID | None:
    """End a handed-over list's link now; its id, or None when there is no live link."""
    now = clock.now()
    async with transaction():
        ended = (
            await SignpostList.update({SignpostList.expires_at: now})
            .where(
                where & SignpostList.handed_over_at.is_not_null() & (SignpostList.expires_at > now)
            )
            .returning(SignpostList.id)
        )
        if not ended:
            return None
        list_id = ended[0]["id"]
        await audit.record(
            "directory.signpost_link_ended",
            actor,
            subject_type="signpost_list",
            subject_id=str(list_id),
        )
    return UUID(str(list_id))


async def end_own_link(principal: Principal, list_id: UUID) -> None:
    """The worker ends the link of one of their own lists before its 30 days are up.

    Raises:
        NotFound: no such list, or another worker's (ending one already ended is fine).
    """
    await own_sheet(principal, list_id)
    await _end(
        (SignpostList.id == list_id) & (SignpostList.created_by == principal.id), principal.actor
    )


async def end_shared_link(token: str) -> None:
    """The visitor ends the link they were given (anyone holding it may: it is theirs).

    Raises:
        NotFound: no list has this token.
    """
    if not token or len(token) > 64:
        raise _no_such_list()
    if not await SignpostList.exists().where(SignpostList.token == token):
        raise _no_such_list()
    await _end(SignpostList.token == token, Actor.anonymous())


async def counts_for(day: object) -> dict[str, int]:
    """The day's anonymous signposting counts by need category (for monitoring and tests)."""
    rows = await SignpostCount.select(SignpostCount.category_code, SignpostCount.total).where(
        SignpostCount.day == day
    )
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row["category_code"]] += row["total"]
    return dict(totals)

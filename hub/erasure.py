"""Erasure: a client's records removed from every registered holding, all in one transaction.

Two ways in, one path: the daily retention job proposes clients no retention rule keeps any
more, and a system admin confirms each; a client asks from the portal, and the hub's
data-protection lead (the `data_protection_lead_id` of the hub organisation: no new role)
approves it, having checked no legal basis to keep the record applies. Either way the
approval queues a job, and the worker's `erase_client` deletes the holdings (children
first), the client's sessions, jobs and notifications that name them, and blanks their audit
rows' payloads (ids only), then records the erasure itself by its own id, all in one
transaction. SQLite is then vacuumed so no deleted page stays in the file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from piccolo.table import sort_table_classes

from hub import audit, clock, notifications, outbox, retention
from hub.accounts import roles, signin
from hub.accounts.schemas import Principal
from hub.audit import Actor
from hub.db import is_sqlite, locked, raw, transaction, vacuum
from hub.errors import Conflict, Invalid, NotFound
from hub.personal_data import Holding, held_rows, holdings
from hub.settings import get_settings
from hub.tables import (
    Client,
    ClientAccount,
    ErasureRequest,
    Organisation,
    SignInAttempt,
    Staff,
    UserSession,
)

REVIEW_JOB = "hub.retention_review"
ERASE_JOB = "hub.erase_client"
RETENTION = "retention"
CLIENT_REQUEST = "client_request"
PROPOSED = "proposed"
APPROVED = "approved"
REVIEW_EVERY = timedelta(days=1)
KEPT_FOR = timedelta(days=365)
"""How long records kept at a review (a legal basis to keep them) wait before the next one."""
REAPPLIED = "reapplied"
LEDGER = "erased-clients.ledger"
"""Kept beside the backups (BACKUP_DIR): one keyed digest per erased client, never the id."""
log = logging.getLogger(__name__)
_MARKERS_PER_QUERY = 50
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ErasureItem:
    """One proposed erasure as the approver's page shows it: no client data, only ids."""

    id: UUID
    reference: str
    reason: str
    proposed_at: datetime
    registered_by: str
    registered_on: datetime | None
    may_decide: bool
    approved: bool = False
    """Approved: the worker is erasing it."""
    words: str = ""
    """The client's own words, on a request they made (shown to the approver)."""


async def is_hub_data_protection_lead(principal: Principal | None) -> bool:
    """Is this the data-protection lead named on a hub organisation they work for?"""
    if not roles.is_staff(principal) or principal is None or principal.token_id is not None:
        return False
    return await Organisation.exists().where(
        (Organisation.kind == "hub")
        & (Organisation.data_protection_lead_id == principal.id)
        & (Organisation.id == principal.organisation_id)
    )


async def may_decide(principal: Principal, reason: str) -> bool:
    """Retention proposals are a system admin's; a client's own request, the hub's DP lead's."""
    if reason == RETENTION:
        return roles.is_system_admin(principal) and principal.token_id is None
    return await is_hub_data_protection_lead(principal)


async def may_see_erasures(principal: Principal | None) -> bool:
    """System admins and the hub's data-protection lead see the erasure queue."""
    return roles.is_system_admin(principal) or await is_hub_data_protection_lead(principal)


def reference(request_id: UUID) -> str:
    """The short reference an erasure goes by: its own id, never the client's."""
    return f"ER-{str(request_id)[:8].upper()}"


async def _open_request(client_id: UUID) -> bool:
    return await ErasureRequest.exists().where(
        (ErasureRequest.client_id == client_id) & ErasureRequest.status.is_in([PROPOSED, APPROVED])
    )


async def _kept_lately(client_id: UUID, now: datetime) -> bool:
    """Declined (kept, with a legal basis) within KEPT_FOR: not proposed again until then."""
    return await ErasureRequest.exists().where(
        (ErasureRequest.client_id == client_id)
        & (ErasureRequest.status == "declined")
        & (ErasureRequest.decided_at > now - KEPT_FOR)
    )


async def _tell(staff_ids: list[UUID], subject: str) -> None:
    await notifications.notify(staff_ids, subject, link="/admin/retention", kind="erasure")


async def _system_admins() -> list[UUID]:
    rows = await Staff.select(Staff.id).where(
        (Staff.is_system_admin == True) & (Staff.active == True)  # noqa: E712
    )
    return [row["id"] for row in rows]


async def _hub_leads() -> list[UUID]:
    rows = await Organisation.select(Organisation.data_protection_lead_id).where(
        (Organisation.kind == "hub") & Organisation.data_protection_lead_id.is_not_null()
    )
    return [row["data_protection_lead_id"] for row in rows]


async def propose_due(now: datetime | None = None) -> int:
    """Propose every client past retention (once each); tell the system admins. Returns how many."""
    now = now or clock.now()
    proposed = 0
    async with transaction():
        for client_id in await retention.due_clients(now):
            if await _open_request(client_id) or await _kept_lately(client_id, now):
                continue
            request = ErasureRequest(
                id=uuid.uuid4(), client_id=client_id, reason=RETENTION, proposed_at=now
            )
            await ErasureRequest.insert(request)
            await audit.record(
                "erasure.proposed", Actor.system(), subject_type="erasure",
                subject_id=str(request.id), detail={"reason": RETENTION},
            )  # fmt: skip
            proposed += 1
        if proposed:
            await _tell(await _system_admins(), f"{proposed} client records are past retention")
    return proposed


async def retention_review_job(payload: dict[str, Any]) -> None:
    """Outbox handler: propose what is due, then queue tomorrow's review."""
    _ = payload
    await propose_due()
    await outbox.ensure_scheduled(REVIEW_JOB, after=REVIEW_EVERY)


async def ensure_review_job() -> None:
    """At start: queue the daily retention review (once, however many processes start)."""
    await outbox.ensure_scheduled(REVIEW_JOB)


async def ask_for_erasure(principal: Principal, why: str) -> UUID:
    """A client asks for their own records to be erased; the hub's DP lead decides.

    Raises:
        NotFound: not a client.
        Invalid: the reason is too long.
        Conflict: they have already asked and it is not decided yet.
    """
    if not roles.is_client(principal):
        msg = "No such page"
        raise NotFound(msg)
    if len(why) > 2000:
        msg = "Keep this to 2,000 characters or fewer"
        raise Invalid(msg, {"why": msg})
    async with transaction():
        if await _open_request(principal.id):
            msg = "You have already asked; the hub's data-protection lead will reply"
            raise Conflict(msg)
        request = ErasureRequest(
            id=uuid.uuid4(),
            client_id=principal.id,
            reason=CLIENT_REQUEST,
            proposed_at=clock.now(),
            asked_by_kind="client",
            note=why.strip(),
        )
        await ErasureRequest.insert(request)
        await audit.record(
            "erasure.asked", principal.actor, subject_type="erasure", subject_id=str(request.id)
        )
        await _tell(await _hub_leads(), f"A client asked for their records to be erased: "
                    f"{reference(request.id)}")  # fmt: skip
    return UUID(str(request.id))


async def client_request_open(principal: Principal) -> bool:
    """Has this client an erasure request waiting?"""
    return roles.is_client(principal) and await _open_request(principal.id)


async def last_answer(principal: Principal) -> str:
    """Why the client's last request was declined ("" when none was): they are told."""
    if not roles.is_client(principal):
        return ""
    row = (
        await ErasureRequest.select(ErasureRequest.note)
        .where((ErasureRequest.client_id == principal.id) & (ErasureRequest.status == "declined"))
        .order_by(ErasureRequest.decided_at, ascending=False)
        .first()
    )
    return str(row["note"]) if row else ""


async def pending(principal: Principal) -> list[ErasureItem]:
    """Proposed erasures this person may see, oldest first (no client data on them)."""
    if not await may_see_erasures(principal):
        msg = "No such page"
        raise NotFound(msg)
    rows = (
        await ErasureRequest.select()
        .where(ErasureRequest.status.is_in([PROPOSED, APPROVED]))
        .order_by(ErasureRequest.proposed_at)
    )
    clients = {
        row["id"]: row
        for row in await Client.select(
            Client.id, Client.created_at, Client.registered_by.name.as_alias("organisation")
        ).where(Client.id.is_in([row["client_id"] for row in rows] or [uuid.uuid4()]))
    }
    items = []
    for row in rows:
        client = clients.get(row["client_id"], {})
        items.append(
            ErasureItem(
                id=row["id"],
                reference=reference(row["id"]),
                reason=row["reason"],
                proposed_at=row["proposed_at"],
                registered_by=client.get("organisation", ""),
                registered_on=client.get("created_at"),
                may_decide=row["status"] == PROPOSED and await may_decide(principal, row["reason"]),
                approved=row["status"] == APPROVED,
                words=row["note"] if row["reason"] == CLIENT_REQUEST else "",
            )
        )
    return items


async def _request_to_decide(principal: Principal, request_id: UUID) -> dict[str, Any]:
    """The proposed erasure, locked, if this person decides it (inside `transaction()`)."""
    row = await locked(ErasureRequest.select().where(ErasureRequest.id == request_id)).first()
    if row is None or not await may_see_erasures(principal):
        msg = "No such erasure"
        raise NotFound(msg)
    if not await may_decide(principal, row["reason"]):
        msg = "No such erasure"
        raise NotFound(msg)
    if row["status"] != PROPOSED:
        msg = "This erasure has already been decided"
        raise Conflict(msg)
    return row


async def decline(principal: Principal, request_id: UUID, note: str) -> None:
    """Keep the records, saying why (a legal basis to keep them); audited."""
    if not note.strip():
        msg = "Say why the records are kept"
        raise Invalid(msg, {"note": msg})
    if len(note) > 2000:
        msg = "Keep this to 2,000 characters or fewer"
        raise Invalid(msg, {"note": msg})
    async with transaction():
        await _request_to_decide(principal, request_id)
        await ErasureRequest.update(
            {
                ErasureRequest.status: "declined",
                ErasureRequest.note: note.strip(),
                ErasureRequest.decided_by: principal.id,
                ErasureRequest.decided_at: clock.now(),
            }
        ).where(ErasureRequest.id == request_id)
        await audit.record(
            "erasure.declined", principal.actor, subject_type="erasure", subject_id=str(request_id)
        )


async def confirm(principal: Principal, request_id: UUID) -> None:
    """Approve a proposed erasure: the worker erases the client shortly after (audited).

    Raises:
        NotFound: no such erasure, or not this person's to decide.
        Conflict: it has already been decided.
    """
    async with transaction():
        await _request_to_decide(principal, request_id)
        await ErasureRequest.update(
            {
                ErasureRequest.status: APPROVED,
                ErasureRequest.decided_by: principal.id,
                ErasureRequest.decided_at: clock.now(),
            }
        ).where(ErasureRequest.id == request_id)
        await outbox.enqueue(ERASE_JOB, {"request_id": str(request_id)})
        await audit.record(
            "erasure.approved", principal.actor, subject_type="erasure", subject_id=str(request_id)
        )


async def erase_approved(request_id: UUID) -> dict[str, int] | None:
    """Carry out an approved erasure; None when it is not (or no longer) waiting to be done."""
    row = await ErasureRequest.select().where(ErasureRequest.id == request_id).first()
    if row is None or row["status"] != APPROVED or row["client_id"] is None:
        return None
    try:
        return await erase_client(row["client_id"], request_id, Actor.system())
    except Conflict:  # another worker finished it first
        return None


async def erase_job(payload: dict[str, Any]) -> None:
    """Outbox handler: one approved erasure. Killed part-way, it leaves the client whole and
    runs again when its lease ends."""
    await erase_approved(UUID(payload["request_id"]))


def _deletion_order() -> list[Holding]:
    """Holdings whose tables point at others first, so no foreign key stops a delete."""
    known = holdings()
    order = sort_table_classes([holding.table for holding in known])
    rank = {table: at for at, table in enumerate(order)}
    return sorted(known, key=lambda holding: rank[holding.table], reverse=True)


def _addresses(held: dict[str, list[dict[str, Any]]]) -> set[str]:
    """E-mail addresses in the client's entries and portal account (jobs may be sent to them)."""
    found: set[str] = set()
    for rows in held.values():
        for row in rows:
            for value in [row.get("username"), *(row.get("data") or {}).values()]:
                if isinstance(value, str) and _EMAIL.fullmatch(value.strip()):
                    found.add(value.strip())
    return found


def _names(held: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The client's full name (and a preferred name long enough to mean something)."""
    names: list[str] = []
    for holding in holdings():
        if holding.table is Client:
            for row in held[holding.title]:
                given = (row["full_name"], row["preferred_name"])
                names += [name for name in given if len(name) > 3]
    return names


async def _delete_mentions(
    table: str, columns: tuple[str, ...], markers: list[str], *, only_finished: bool = False
) -> int:
    """Delete rows of `table` whose `columns` contain any marker (ids, a name); returns count."""
    gone = 0
    for start in range(0, len(markers), _MARKERS_PER_QUERY):
        part = markers[start : start + _MARKERS_PER_QUERY]
        tests = " OR ".join(f'"{column}" LIKE {{}}' for _ in part for column in columns)
        if only_finished:
            tests = f"status IN ('done', 'failed') AND ({tests})"
        values = [f"%{marker}%" for marker in part for _ in columns]
        found = await raw(f'SELECT count(*) AS n FROM "{table}" WHERE {tests}', *values)
        gone += int(found[0]["n"])
        await raw(f'DELETE FROM "{table}" WHERE {tests}', *values)
    return gone


async def erase_client(client_id: UUID, request_id: UUID, actor: Actor) -> dict[str, int]:
    """Erase everything held about one client, in one transaction; then vacuum SQLite.

    All or nothing: a crash or kill part-way leaves the client whole. The erasure's audit
    event names only the erasure's own id, its reason and the counts.
    """
    counts: dict[str, int] = {}
    async with transaction():
        if not is_sqlite():
            # The append-only triggers let this transaction (only) delete and blank.
            await raw("SELECT set_config('wraparound.erasing', 'on', true)")
        # Holds off anyone adding to the record meanwhile (their foreign key waits on this),
        # and a second confirmation of the same erasure.
        await locked(Client.select(Client.id).where(Client.id == client_id))
        request = await locked(
            ErasureRequest.select().where(ErasureRequest.id == request_id)
        ).first()
        if request is None or request["status"] != APPROVED or request["client_id"] != client_id:
            msg = "This erasure has already been decided"
            raise Conflict(msg)
        held = await held_rows(client_id)
        account = held_account(held)
        erased_ids = {str(row["id"]) for rows in held.values() for row in rows if "id" in row}
        for holding in holdings():
            if holding.on_erase is not None and held[holding.title]:
                await holding.on_erase(held[holding.title])
        for holding in _deletion_order():
            ids = [row["id"] for row in held[holding.title] if "id" in row]
            for start in range(0, len(ids), 500):
                await holding.table.delete().where(
                    holding.table._meta.primary_key.is_in(ids[start : start + 500])
                )
            counts[holding.table._meta.tablename] = counts.get(
                holding.table._meta.tablename, 0
            ) + len(ids)
        counts["user_session"] = len(
            await UserSession.delete()
            .where(
                (UserSession.principal_kind == "client") & (UserSession.principal_id == client_id)
            )
            .returning(UserSession.key)
        )
        if account:
            await SignInAttempt.delete().where(
                SignInAttempt.account_key == signin.client_account(account)
            )
        markers = sorted(erased_ids | _addresses(held))
        counts["outbox_job"] = await _delete_mentions("outbox_job", ("payload",), markers)
        # A finished e-mail job may carry their name; a pending one is matched by address only,
        # so nobody else's mail that happens to share a name is dropped.
        counts["outbox_job"] += await _delete_mentions(
            "outbox_job", ("payload",), _names(held), only_finished=True
        )
        counts["notification"] = await _delete_mentions("notification", ("link",), markers)
        reference_id = str(request_id)
        counts["audit_event_blanked"] = await audit.redact(str(client_id), erased_ids, reference_id)
        await ErasureRequest.update(
            {ErasureRequest.client_id: None, ErasureRequest.note: ""}
        ).where(ErasureRequest.client_id == client_id)
        await ErasureRequest.update(
            {
                ErasureRequest.status: "erased",
                ErasureRequest.counts: json.dumps(counts, sort_keys=True),
                ErasureRequest.note: "",
            }
        ).where(ErasureRequest.id == request_id)
        await audit.record(
            audit.ERASURE_DONE,
            actor,
            subject_type="erasure",
            subject_id=reference_id,
            detail={"reason": request["reason"], "rows": counts},
        )
    await vacuum()
    _remember(client_id)
    return counts


def ledger_path() -> Path:
    """Where erased clients are remembered (by keyed digest), beside the backups."""
    return get_settings().backup_dir / LEDGER


def _mark(client_id: UUID) -> str:
    """A client id's HMAC under SECRET_KEY: it names nobody, yet a restored copy's clients can
    be checked against it."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, str(client_id).encode(), hashlib.sha256).hexdigest()


def _remember(client_id: UUID) -> None:
    """Add an erased client to the ledger, so a restore of an older backup erases them again."""
    path = ledger_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="ascii") as ledger:
            ledger.write(_mark(client_id) + "\n")
    except OSError as exc:  # the erasure stands; only a later restore would miss it
        log.warning("could not add an erasure to %s: %s", path, exc)


async def reapply() -> int:
    """After a restore: erase again every client the ledger says was erased (a backup made
    before their erasure brings them back). Returns how many."""
    try:
        marks = set(ledger_path().read_text(encoding="ascii").split())
    except FileNotFoundError:
        return 0
    again = 0
    for row in await Client.select(Client.id):
        if _mark(row["id"]) not in marks:
            continue
        request = ErasureRequest(
            id=uuid.uuid4(),
            client_id=row["id"],
            reason=REAPPLIED,
            status=APPROVED,
            proposed_at=clock.now(),
        )
        await ErasureRequest.insert(request)
        await erase_client(row["id"], UUID(str(request.id)), Actor.system())
        again += 1
    return again


def held_account(held: dict[str, list[dict[str, Any]]]) -> str:
    """The client's portal username (their sign-in attempts are keyed by it), or ""."""
    for holding in holdings():
        if holding.table is ClientAccount:
            for row in held[holding.title]:
                return str(row["username"])
    return ""

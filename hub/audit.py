"""Audit trail: append-only rows, each carrying the hash of the one before.

A row's hash covers a salted digest of its payload (who acted, on what, the detail and the
address) rather than the payload itself, so erasing a person can blank the payload of the
rows about them (`redact`) and `verify` still holds for every row. Rows written before
digests existed are hashed over their fields; one of those that an erasure blanks keeps its
place in the chain (the next row still links to its hash) but its content is no longer
checkable, which `verify` reports.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub import audit_anchor, clock
from hub.db import (
    LastStatement,
    buffer,
    flush_buffers,
    flushed_before_commit,
    insert_many,
    lock_key,
    named_lock,
    read_under_lock,
    transaction,
)
from hub.tables import AuditEvent

GENESIS_HASH = "0" * 64
# Serialises appends on PostgreSQL, from a transaction's flush to its commit (SQLite has one
# writer at a time already).
_APPEND_LOCK = named_lock("hub.audit.append")


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff member, a client, the system, or someone not signed in."""

    kind: str
    id: str = ""
    organisation_id: str = ""

    @classmethod
    def system(cls) -> Actor:
        """The app itself (worker, CLI)."""
        return cls(kind="system")

    @classmethod
    def anonymous(cls) -> Actor:
        """Someone not signed in."""
        return cls(kind="anonymous")


@dataclass(frozen=True)
class VerifyResult:
    """What `audit verify` found: the rows checked and the first broken link, if any."""

    checked: int
    broken_seq: int | None = None
    reason: str = ""
    redacted: int = 0
    """Rows whose payload an erasure blanked (still in the chain)."""

    @property
    def ok(self) -> bool:
        """True when every link holds."""
        return self.broken_seq is None


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _payload_digest(row: dict[str, Any]) -> str:
    names = ("payload_salt", "actor_id", "subject_id", "detail", "address")
    payload = [row[name] for name in names]
    canonical = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _between(row: dict[str, Any]) -> str:
    """The JSON of a row's hashed fields that lie between its seq and its previous hash."""
    fields = [
        _timestamp(row["at"]),
        row["actor_kind"],
        row["organisation_id"],
        row["action"],
        row["subject_type"],
        row["payload_digest"],
    ]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)[1:-1]


def _row_hash(row: dict[str, Any]) -> str:
    if row.get("payload_digest"):
        # The JSON array ["v2", seq, <_between>, prev_hash], as `_join_append` builds it in SQL.
        prev = json.dumps(row["prev_hash"], ensure_ascii=False)
        canonical = f'["v2",{int(row["seq"])},{_between(row)},{prev}]'
        return hashlib.sha256(canonical.encode()).hexdigest()
    return _legacy_row_hash(row)


def _legacy_row_hash(row: dict[str, Any]) -> str:
    fields = [
        row["seq"],
        _timestamp(row["at"]),
        row["actor_kind"],
        row["actor_id"],
        row["organisation_id"],
        row["action"],
        row["subject_type"],
        row["subject_id"],
        row["detail"],
        row["address"],
        row["prev_hash"],
    ]
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Event:
    """One event for `record_many`."""

    action: str
    actor: Actor
    subject_type: str = ""
    subject_id: str = ""
    detail: dict[str, Any] | None = None
    address: str = ""
    only_if: str = ""
    """Kept only if this change changed a row (`hub.db.change_at_commit`'s name for it)."""


_COLUMNS = (
    "seq",
    "at",
    "actor_kind",
    "actor_id",
    "organisation_id",
    "action",
    "subject_type",
    "subject_id",
    "detail",
    "address",
    "prev_hash",
    "payload_salt",
    "payload_digest",
    "hash",
)
_PENDING = "hub.audit.pending"


def _unchained(event: Event, at: datetime) -> dict[str, Any]:
    """An event's row without its place in the chain (seq, prev_hash, hash), fixed as recorded."""
    row: dict[str, Any] = {
        "at": at,
        "actor_kind": event.actor.kind,
        "actor_id": event.actor.id,
        "organisation_id": event.actor.organisation_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "detail": json.dumps(event.detail or {}, sort_keys=True, separators=(",", ":")),
        "address": event.address,
        "payload_salt": secrets.token_hex(16),
    }
    row["payload_digest"] = _payload_digest(row)
    if event.only_if:
        row["only_if"] = event.only_if
    return row


_TAIL = "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"


async def _append(pending: list[dict[str, Any]]) -> None:
    """Chain the transaction's events onto the trail's end and insert them in one statement.

    Runs just before COMMIT (`hub.db.flushed_before_commit`): on PostgreSQL the append lock is
    held from here to the commit, not for the whole transaction, so transactions that write
    the trail overlap in everything but their last few milliseconds.
    """
    if any(row.get("only_if") for row in pending):  # pragma: no cover - PostgreSQL's alone
        msg = "an audit entry kept only if a change landed needs the last statement"
        raise RuntimeError(msg)
    ends = await read_under_lock(_APPEND_LOCK, _TAIL)
    last = ends[0] if ends else None
    seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS_HASH)
    rows = []
    for unchained in pending:
        seq += 1
        row = {**unchained, "seq": seq, "prev_hash": prev}
        row["hash"] = prev = _row_hash(row)
        rows.append([row[name] for name in _COLUMNS])
    await insert_many(AuditEvent._meta.tablename, _COLUMNS, rows)


# Every column but the chain's own (seq, prev_hash, hash), with its PostgreSQL array type.
_UNCHAINED_TYPES = {
    "at": "timestamptz[]",
    **{name: "text[]" for name in _COLUMNS[2:10]},
    "payload_salt": "text[]",
    "payload_digest": "text[]",
}
# A row's hash in SQL: SHA-256 of the same JSON text `_row_hash` builds (the seq is an
# integer and the previous hash hexadecimal, so neither needs escaping).
_HASH_SQL = (
    "encode(sha256(convert_to('[\"v2\",' || (c.seq + 1) || ',' || p.between || ',\"'"
    " || c.hash || '\"]', 'UTF8')), 'hex')"
)


def _join_append(pending: list[dict[str, Any]], last: LastStatement) -> None:
    """PostgreSQL: the append as parts of the transaction's last statement, chained there.

    The same lock and read of the trail's end as `_append` (a function whose read comes after
    the lock), then each row's seq, previous hash and hash worked out row by row in a
    recursive part, then one insert: one round trip for the whole append.
    """
    key = last.arg(lock_key(_APPEND_LOCK), "bigint")
    tail = last.part(
        "SELECT (found->>'seq')::int AS seq, (found->>'hash')::text AS hash "
        f"FROM hub_read_under_lock({key}, {last.arg(_TAIL, 'text')}) AS r(found)",
        "audit_tail",
    )
    arrays = [
        last.arg([row[name] for row in pending], cast) for name, cast in _UNCHAINED_TYPES.items()
    ]
    arrays.append(last.arg([_between(row) for row in pending], "text[]"))
    names = [*_UNCHAINED_TYPES, "between"]
    rows = f"unnest({', '.join(arrays)}) WITH ORDINALITY AS p({', '.join(names)}, k)"
    # An entry kept only if a change (`hub.db.change_at_commit`) changed a row; those kept are
    # numbered again, one after another.
    kept = [
        f"(k <> {int(k)} OR EXISTS (SELECT 1 FROM {row['only_if']}))"
        for k, row in enumerate(pending, start=1)
        if row.get("only_if")
    ]
    given = last.part(
        f"SELECT {', '.join(names)}, row_number() OVER (ORDER BY k) AS n FROM {rows}"
        + (f" WHERE {' AND '.join(kept)}" if kept else ""),
        "audit_pending",
    )
    genesis = last.arg(GENESIS_HASH, "text")
    chain = last.part(
        f"SELECT 0::bigint AS n, coalesce((SELECT seq FROM {tail}), 0) AS seq, "
        f"coalesce((SELECT hash FROM {tail}), {genesis}) AS hash, ''::text AS prev "
        f"UNION ALL SELECT c.n + 1, c.seq + 1, {_HASH_SQL}, c.hash "
        f"FROM audit_chain c JOIN {given} p ON p.n = c.n + 1",
        "audit_chain",
    )
    unchained = ", ".join(f"p.{name}" for name in _UNCHAINED_TYPES)
    written = ", ".join(f'"{name}"' for name in (*_UNCHAINED_TYPES, "seq", "prev_hash", "hash"))
    last.part(
        f'INSERT INTO "{AuditEvent._meta.tablename}" ({written}) '
        f"SELECT {unchained}, c.seq, c.prev, c.hash FROM {chain} c JOIN {given} p ON p.n = c.n"
    )


flushed_before_commit(_PENDING, _append, _join_append)


async def record_many(events: Sequence[Event]) -> None:
    """Append events to the trail as part of the caller's transaction (or one of their own).

    They are chained and written together when the transaction commits (one read of the
    chain's end and one multi-row insert for all the transaction's events); rolled back with
    it, or with a savepoint they came after.
    """
    if not events:
        return
    at = clock.now()
    rows = [_unchained(event, at) for event in events]
    async with transaction():
        pending = buffer(_PENDING)
        if pending is None:  # pragma: no cover - every transaction hub.db opens has buffers
            await _append(rows)
            return
        pending.extend(rows)


async def record(
    action: str,
    actor: Actor,
    *,
    subject_type: str = "",
    subject_id: str = "",
    detail: dict[str, Any] | None = None,
    address: str = "",
    only_if: str = "",
) -> None:
    """Append one event to the trail, inside the caller's transaction when there is one."""
    event = Event(action, actor, subject_type, subject_id, detail, address, only_if)
    await record_many([event])


async def verify(
    batch_size: int = 1000, against: Sequence[audit_anchor.Checkpoint] = ()
) -> VerifyResult:
    """Walk the whole trail and report the first row whose link does not hold.

    Then hold the trail against every signed checkpoint in the table and `against` (an
    operator's copy of the file): rows deleted from the end show there (`hub.audit_anchor`).
    """
    checkpoints = [*await audit_anchor.stored(), *against]
    wanted = {checkpoint.seq for checkpoint in checkpoints}
    hashes: dict[int, str] = {}
    expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
    blanked_rows: dict[int, str] = {}
    erasures: set[str] = set()
    while True:
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.seq >= expected_seq)
            .order_by(AuditEvent.seq)
            .limit(batch_size)
        )
        if not rows:
            unknown = [seq for seq, by in blanked_rows.items() if by not in erasures]
            if unknown:
                return VerifyResult(checked, min(unknown), "row was blanked by no recorded erasure")
            cut = audit_anchor.problem(checkpoints, hashes, expected_seq - 1)
            if cut is not None:
                return VerifyResult(checked, cut[0], cut[1])
            return VerifyResult(checked=checked, redacted=len(blanked_rows))
        for row in rows:
            if row["seq"] != expected_seq:
                return VerifyResult(checked, expected_seq, "row is missing (deleted)")
            if row["prev_hash"] != expected_prev:
                return VerifyResult(checked, row["seq"], "previous row was changed or removed")
            if _row_hash(row) != row["hash"] and not _sealed_legacy(row):
                return VerifyResult(checked, row["seq"], "row was changed after it was written")
            unblanked = row["payload_digest"] and not row["redacted_by"]
            if unblanked and _payload_digest(row) != row["payload_digest"]:
                return VerifyResult(checked, row["seq"], "row was changed after it was written")
            if row["redacted_by"]:
                if row["detail"] != json.dumps({"erasure": row["redacted_by"]}):
                    return VerifyResult(checked, row["seq"], "a blanked row was changed")
                blanked_rows[row["seq"]] = row["redacted_by"]
            if row["action"] == ERASURE_DONE:
                erasures.add(row["subject_id"])
            if row["seq"] in wanted:
                hashes[row["seq"]] = row["hash"]
            checked += 1
            expected_seq += 1
            expected_prev = row["hash"]


async def recent(limit: int = 50, organisation_id: str | None = None) -> list[dict[str, Any]]:
    """The newest events, optionally only those of one organisation's people."""
    query = AuditEvent.select().order_by(AuditEvent.seq, ascending=False).limit(limit)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(await query)


def _sealed_legacy(row: dict[str, Any]) -> bool:
    """A pre-digest row an erasure blanked: its own hash cannot be recomputed any more."""
    return not row["payload_digest"] and bool(row["redacted_by"])


ERASED = "erased"
ERASURE_DONE = "erasure.done"
"""The action of the event an erasure writes (its subject is the erasure's id); every blanked
row must name one."""


async def redact(client_id: str, erased_ids: set[str], erasure_id: str) -> int:
    """Blank the payload of every row about an erased person (inside the erasure's transaction).

    A row is about them when it was done by them, is about one of their erased rows
    (`erased_ids`: the client's id and every erased row's id), or names one of those ids in
    its detail. Their ids become "erased", the detail says only which erasure blanked it; the
    salt goes, so the digest left behind cannot be matched to an id. Staff actors and what
    was done (action, subject type, organisation, time) stay.

    Returns:
        How many rows were blanked.
    """
    await flush_buffers()  # this transaction's own events about them are blanked too
    ids = erased_ids | {client_id}
    found: dict[int, dict[str, Any]] = {}
    chunk = sorted(ids)
    for start in range(0, len(chunk), 500):
        part = chunk[start : start + 500]
        for row in await AuditEvent.select().where(
            AuditEvent.subject_id.is_in(part) | AuditEvent.actor_id.is_in(part)
        ):
            found[row["seq"]] = row
    for row in await AuditEvent.select().where(AuditEvent.detail.like(f"%{client_id}%")):
        found[row["seq"]] = row
    for seq, row in found.items():
        by_them = row["actor_id"] in ids
        await AuditEvent.update(
            {
                AuditEvent.actor_id: ERASED if by_them else row["actor_id"],
                AuditEvent.subject_id: ERASED if row["subject_id"] in ids else row["subject_id"],
                AuditEvent.detail: json.dumps({"erasure": erasure_id}),
                AuditEvent.address: "" if by_them else row["address"],
                AuditEvent.payload_salt: "",
                AuditEvent.redacted_by: erasure_id,
            }
        ).where(AuditEvent.seq == seq)
    return len(found)

"""Signed checkpoints of the audit trail's end, kept outside the trail, so cut-off rows show.

The hash chain finds an edited, inserted or deleted row anywhere but at the end: delete the
newest rows and what is left is a shorter chain that still holds. So every so often (a
recurring job, `wraparound audit checkpoint`) the app signs the newest row's number and hash
with an HMAC and writes the signature to the `audit_checkpoint` table (append-only: on
PostgreSQL a trigger refuses UPDATE and DELETE) and as a line of `var/audit-checkpoints.jsonl`
for the operator to copy off the machine. `audit verify` checks the trail against every
checkpoint in the table, and with `--against FILE` against an operator's copy: a checkpoint
beyond the trail's end means its newest rows were deleted; one whose hash differs means the
trail was rewritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub import clock
from hub.db import transaction
from hub.settings import get_settings
from hub.tables import AuditCheckpoint, AuditEvent

FILE_NAME = "audit-checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    """The trail's newest row (number and hash) at one moment, signed."""

    seq: int
    hash: str
    at: datetime
    mac: str

    def line(self) -> str:
        """The checkpoint as one JSON line (the file's format)."""
        at = self.at.astimezone(UTC).isoformat(timespec="microseconds")
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": at, "mac": self.mac})


def _key() -> bytes:
    """The signing key, derived from SECRET_KEY (a checkpoint copied elsewhere stays checkable)."""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, b"wraparound audit checkpoint", hashlib.sha256).digest()


def _signature(seq: int, chain_hash: str, at: datetime) -> str:
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    message = f"{seq}|{chain_hash}|{stamp}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def signed(checkpoint: Checkpoint) -> bool:
    """Was this checkpoint signed with this installation's key, unchanged since?"""
    expected = _signature(checkpoint.seq, checkpoint.hash, checkpoint.at)
    return hmac.compare_digest(expected, checkpoint.mac)


def checkpoint_file() -> Path:
    """Where the app appends each checkpoint it writes."""
    return get_settings().var_dir / FILE_NAME


async def write_checkpoint() -> Checkpoint | None:
    """Sign the trail's newest row now (table and file); None when the trail is empty."""
    async with transaction():
        head = (
            await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
            .order_by(AuditEvent.seq, ascending=False)
            .first()
        )
        if head is None:
            return None
        at = clock.now()
        checkpoint = Checkpoint(
            head["seq"], head["hash"], at, _signature(head["seq"], head["hash"], at)
        )
        await AuditCheckpoint.insert(
            AuditCheckpoint(seq=checkpoint.seq, hash=checkpoint.hash, at=at, mac=checkpoint.mac)
        )
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as kept:
        kept.write(checkpoint.line() + "\n")
    return checkpoint


async def stored() -> list[Checkpoint]:
    """Every checkpoint in the table, oldest first."""
    rows = await AuditCheckpoint.select().order_by(AuditCheckpoint.seq)
    return [Checkpoint(row["seq"], row["hash"], row["at"], row["mac"]) for row in rows]


def read_file(path: Path) -> list[Checkpoint]:
    """The checkpoints of a file of JSON lines (an operator's copy); unreadable lines are kept
    as unsigned, so `problem` reports them."""
    found = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        try:
            line: dict[str, Any] = json.loads(text)
            at = datetime.fromisoformat(line["at"])
            found.append(Checkpoint(int(line["seq"]), str(line["hash"]), at, str(line["mac"])))
        except (ValueError, KeyError, TypeError):
            found.append(Checkpoint(0, "", datetime.min.replace(tzinfo=UTC), ""))
    return found


def problem(
    checkpoints: Iterable[Checkpoint], hashes: dict[int, str], last_seq: int
) -> tuple[int, str] | None:
    """The first way the trail disagrees with its checkpoints: (row number, what), or None.

    Args:
        checkpoints: what was signed.
        hashes: the trail's hash at each checkpoint's row number, as `verify` found it.
        last_seq: the trail's newest row number.
    """
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        if not signed(checkpoint):
            return checkpoint.seq, "a checkpoint is not signed with this installation's key"
        if checkpoint.seq > last_seq:
            when = checkpoint.at.astimezone(UTC).strftime("%d %B %Y %H:%M UTC")
            return last_seq + 1, (
                f"the newest rows were deleted: the checkpoint of {when} saw the trail up to "
                f"row {checkpoint.seq}, and it now ends at row {last_seq}"
            )
        if hashes.get(checkpoint.seq) != checkpoint.hash:
            return checkpoint.seq, "the trail differs from a signed checkpoint of this row"
    return None

"""The recurring audit checkpoint (hub.audit_anchor) and its line on a system admin's home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hub import clock, outbox
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.audit_anchor import Checkpoint, checkpoint_file, write_checkpoint
from hub.tables import AuditCheckpoint

CHECKPOINT_JOB = "hub.audit_checkpoint"
EVERY = timedelta(minutes=15)


async def checkpoint_job(payload: dict[str, Any]) -> None:
    """Outbox handler: sign the trail's end, then queue the next one."""
    _ = payload
    await write_checkpoint()
    await outbox.ensure_scheduled(CHECKPOINT_JOB, after=EVERY)


async def ensure_checkpoint_job() -> None:
    """At start: queue the recurring checkpoint."""
    await outbox.ensure_scheduled(CHECKPOINT_JOB, after=EVERY)


@dataclass(frozen=True)
class AnchorStatus:
    """The newest checkpoint, as a system admin's home page shows it."""

    checkpoint: Checkpoint | None
    file: str

    @property
    def stale(self) -> bool:
        """No checkpoint, or none for an hour (the job runs every quarter of an hour)."""
        if self.checkpoint is None:
            return True
        return clock.now() - self.checkpoint.at > timedelta(hours=1)


async def anchor_status(principal: Principal) -> AnchorStatus | None:
    """For system admins: the newest checkpoint and where the file of them is."""
    if not roles.is_system_admin(principal):
        return None
    row = await AuditCheckpoint.select().order_by(AuditCheckpoint.seq, ascending=False).first()
    newest = Checkpoint(row["seq"], row["hash"], row["at"], row["mac"]) if row else None
    return AnchorStatus(newest, str(checkpoint_file()))

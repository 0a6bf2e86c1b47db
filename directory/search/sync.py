"""Keeping search backends in step with listing changes (called inside the change's transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID


async def listing_changed(service_ids: Sequence[UUID]) -> None:
    """Re-index these services in the database index now; queue Meilisearch through the outbox."""
    _ = service_ids  # Filled in by the search backends work.

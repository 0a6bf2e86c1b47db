"""The client record in the retention schedule: kept while anything was recently recorded."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from consent.tables import ClientEntry, Consent
from hub.retention import RetentionRule, years_before
from hub.settings import get_settings


async def clients_still_needed(now: datetime) -> set[UUID]:
    """Clients with an entry recorded, or a consent given or still running, within the years."""
    cutoff = years_before(now, get_settings().retention_record_years)
    recent = ClientEntry.select(ClientEntry.client).where(ClientEntry.recorded_at >= cutoff)
    consents = Consent.select(Consent.client).where(
        (Consent.given_at >= cutoff)
        | (Consent.withdrawn_at >= cutoff)
        | (Consent.withdrawn_at.is_null() & (Consent.valid_to >= cutoff.date()))
    )
    return {*await recent.output(as_list=True), *await consents.output(as_list=True)}


def rule() -> RetentionRule:
    """The schedule's line for the record's recent activity (the client record's own years)."""
    return RetentionRule(
        "Entries and consents",
        f"{get_settings().retention_record_years} years after the newest one "
        "(or the end of a consent)",
        "erased with the client",
        clients_still_needed,
    )

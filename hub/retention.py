"""The retention schedule: how long each kind of record is kept, and whose records are due.

The years come from settings (RETENTION_*_YEARS). Each feature that keeps a client's records
open registers a `RetentionRule` whose `still_needed` names the clients it must keep for now
(an open or recently closed referral, plan or record); a client no rule needs is due for
erasure, which a person still confirms (`hub.erasure`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from hub.settings import Settings, get_settings
from hub.tables import Client

StillNeeded = Callable[[datetime], Awaitable[set[UUID]]]


@dataclass(frozen=True)
class RetentionRule:
    """One line of the schedule."""

    kind: str
    """What is kept: "Closed referrals and their messages"."""
    kept: str
    """For how long, in words: "6 years after the referral closed"."""
    then: str
    """What happens after: "erased with the client", "kept (no personal data)"."""
    still_needed: StillNeeded | None = None
    """The clients this rule keeps for now (None for lines that only inform)."""


_RULE_MAKERS: list[Callable[[], RetentionRule]] = []


def register(*makers: Callable[[], RetentionRule]) -> None:
    """Add lines to the schedule (the composition root does this at import); each line is
    made when it is read, so importing the app reads no settings."""
    for maker in makers:
        if maker not in _RULE_MAKERS:
            _RULE_MAKERS.append(maker)


def _registered() -> list[RetentionRule]:
    return [maker() for maker in _RULE_MAKERS]


def years_before(now: datetime, years: int) -> datetime:
    """`years` calendar years before `now` (29 February counts as 28)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return (now - timedelta(days=1)).replace(year=now.year - years)


def fixed_rules(settings: Settings) -> list[RetentionRule]:
    """The lines the hub itself holds: the client record, the access log and the audit trail."""
    return [
        RetentionRule(
            "Client record (identity, entries, consents)",
            f"{settings.retention_record_years} years after the last entry or consent, "
            "and while any referral or plan is kept",
            "erased with the client, once a system admin confirms",
        ),
        RetentionRule(
            "Access log (who looked at a record)",
            "as the plan: kept as long as the client's record",
            "erased with the client",
        ),
        RetentionRule(
            "Signposting tallies (how many people were signposted, by day and need)",
            "for good: counts only, with no personal data in them",
            "kept for monitoring",
        ),
        RetentionRule(
            "Signposting lists handed to visitors",
            "until the list's link expires; no client is named on them",
            "the link stops working",
        ),
        RetentionRule(
            "Audit trail",
            "kept for good, as the proof of what was done",
            "an erased client's rows keep only ids and what was done; "
            "their id, detail and address are blanked",
        ),
    ]


def schedule() -> list[RetentionRule]:
    """Every line, as the admin page shows it."""
    return [*fixed_rules(get_settings()), *_registered()]


async def due_clients(now: datetime) -> list[UUID]:
    """Clients whose every record is past retention: no rule keeps them."""
    settings = get_settings()
    cutoff = years_before(now, settings.retention_record_years)
    old = {row["id"] for row in await Client.select(Client.id).where(Client.created_at < cutoff)}
    for rule in _registered():
        if rule.still_needed is not None and old:
            old -= await rule.still_needed(now)
    return sorted(old, key=str)

"""Listings not checked for six months: flagged to their organisation's admins, e-mailed once.

A recurring outbox job (`directory.staleness_check`) looks once a day for listings that have
newly gone stale, e-mails each organisation's admins one message naming them, marks them as
notified in the same transaction, and queues its own next run. `ensure_staleness_job` starts
the chain (from `wraparound demo` and at app start) and is safe to call any number of times.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any
from uuid import UUID

from directory.listings.presentation import long_date
from directory.schemas import STALE_AFTER
from directory.tables import Service
from hub import clock, mail, outbox
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.settings import get_settings
from hub.tables import Staff

STALENESS_JOB = "directory.staleness_check"
RUN_EVERY = timedelta(days=1)
# Any fixed number: serialises "is a check already queued?" across processes on PostgreSQL.


def _stale_since(now: Any) -> Any:
    return (Service.verified_at.is_null()) | (Service.verified_at < now - STALE_AFTER)


async def stale_count(principal: Principal) -> int:
    """How many of the principal's organisation's listings need checking (0 for non-admins)."""
    if not roles.administers(principal, roles.staff_organisation(principal)):
        return 0
    return int(
        await Service.count().where(
            (Service.organisation == principal.organisation_id)
            & (Service.status != "defunct")
            & _stale_since(clock.now())
        )
    )


async def ensure_staleness_job() -> bool:
    """Queue the daily check unless one is already waiting; True when this call queued it."""
    return await outbox.ensure_scheduled(STALENESS_JOB)


async def seed_staleness_job() -> list[tuple[str, str]]:
    """Demo seeder: make sure the daily check runs (no sign-ins to print)."""
    await ensure_staleness_job()
    return []


def _message(names: list[tuple[str, Any]], service_ids: list[UUID]) -> tuple[str, str]:
    base = get_settings().base_url
    count = len(names)
    subject = "A listing needs checking" if count == 1 else f"{count} listings need checking"
    lines = [
        "These listings in Wraparound have not been checked for six months, so hub staff",
        "now see them as 'not recently checked'. Please check each one is still right",
        "(opening hours, capacity, how to refer) and press 'Mark as checked'.",
        "",
    ]
    for (name, verified_at), service_id in zip(names, service_ids, strict=True):
        last = f"last checked {long_date(verified_at.date())}" if verified_at else "never checked"
        lines.append(f"- {name} ({last}): {base}/directory/listings/{service_id}")
    lines += ["", "You get this e-mail once for each listing that goes out of date."]
    return subject, "\n".join(lines)


async def run_staleness_check() -> int:
    """E-mail admins about listings newly gone stale; returns how many listings were flagged."""
    now = clock.now()
    flagged = 0
    async with transaction():
        rows = await Service.select(
            Service.id, Service.name, Service.organisation, Service.verified_at
        ).where(
            _stale_since(now)
            & Service.staleness_notified_at.is_null()
            & (Service.status != "defunct")
        )
        by_organisation: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_organisation[row["organisation"]].append(row)
        for organisation_id, services in by_organisation.items():
            admins = await Staff.select(Staff.email).where(
                (Staff.organisation == organisation_id)
                & (Staff.is_org_admin == True)  # noqa: E712 - a Piccolo expression
                & (Staff.active == True)  # noqa: E712
            )
            services.sort(key=lambda row: row["name"])
            subject, body = _message(
                [(row["name"], row["verified_at"]) for row in services],
                [row["id"] for row in services],
            )
            for admin in admins:
                await mail.queue_email(admin["email"], subject, body)
            await Service.update({Service.staleness_notified_at: now}).where(
                Service.id.is_in([row["id"] for row in services])
            )
            flagged += len(services)
    return flagged


async def staleness_check_job(payload: dict[str, Any]) -> None:
    """Outbox handler: run the check, then queue tomorrow's (once, however many ran today)."""
    _ = payload
    await run_staleness_check()
    await outbox.ensure_scheduled(STALENESS_JOB, after=RUN_EVERY)

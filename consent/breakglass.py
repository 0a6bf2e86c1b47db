"""Break-glass: a safeguarding override that opens one record for four hours, then review.

Opening one needs a reason, is audited and e-mails (without personal data) the people who
must review it. Reads under it are flagged in the access log. Reviewer roles are a registry:
the data-protection lead's is here; the lead professional's is added by plans/ later through
`register_reviewer_role`, with no import from consent upwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from consent import oversight, policy
from consent.rows import (
    BreakGlassOwnerRow,
    BreakGlassReadRow,
    BreakGlassReviewRow,
    BreakGlassRow,
    ReviewedRow,
)
from consent.schemas import BreakGlassRequest, BreakGlassView, ReviewForm
from consent.tables import AccessLog, BreakGlass, BreakGlassReview
from hub import audit, clock, mail
from hub.accounts import roles
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Conflict, Invalid, NotFound
from hub.settings import get_settings
from hub.tables import Staff

DURATION = timedelta(hours=4)
MIN_REASON = 15
OUTCOMES = {"signed_off": "Signed off", "flagged": "Flagged for follow-up"}


@dataclass(frozen=True)
class ReviewerRole:
    """A kind of reviewer, and how to find the break-glass records a person reviews in it."""

    code: str
    label: str
    reviewable: Callable[[Principal], Awaitable[set[UUID]]]
    reviewers: Callable[[UUID], Awaitable[list[UUID]]]
    """Staff ids who review a given break-glass in this role (told when it opens)."""


_ROLES: dict[str, ReviewerRole] = {}


def register_reviewer_role(role: ReviewerRole) -> None:
    """Add a reviewer role (plans/ adds the client's lead professional this way)."""
    _ROLES[role.code] = role


def _excluding(staff: list[UUID], opener: UUID) -> list[UUID]:
    return [member for member in staff if member != opener]


_OWNER_COLUMNS = (
    BreakGlass.id,
    BreakGlass.client,
    BreakGlass.staff,
    BreakGlass.organisation,
    BreakGlass.closed_at,
)


async def _owners(where: Any) -> list[BreakGlassOwnerRow]:
    """Whose each break-glass matching `where` is."""
    return msgspec.convert(
        await BreakGlass.select(*_OWNER_COLUMNS).where(where), list[BreakGlassOwnerRow]
    )


async def _dp_reviewers(break_glass_id: UUID) -> list[UUID]:
    rows = await _owners(BreakGlass.id == break_glass_id)
    if not rows:
        return []
    return await _dp_reviewers_of(rows[0].organisation, rows[0].staff)


async def _dp_reviewers_of(organisation_id: UUID, opener: UUID) -> list[UUID]:
    """The organisation's overseers, never the opener; if that leaves nobody, its admins."""
    reviewers = _excluding(await oversight.overseers(organisation_id), opener)
    return reviewers or _excluding(await oversight.active_admins(organisation_id), opener)


async def _dp_reviewable(principal: Principal) -> set[UUID]:
    organisation = roles.staff_organisation(principal)
    if organisation is None:
        return set()
    rows = await _owners(BreakGlass.organisation == organisation)
    overseers = await oversight.overseers(organisation)
    admins = await oversight.active_admins(organisation)
    return {
        row.id
        for row in rows
        if principal.id in (_excluding(overseers, row.staff) or _excluding(admins, row.staff))
    }


DATA_PROTECTION_LEAD = ReviewerRole(
    code="data_protection_lead",
    label="Data-protection lead",
    reviewable=_dp_reviewable,
    reviewers=_dp_reviewers,
)
register_reviewer_role(DATA_PROTECTION_LEAD)


async def require_may_open(principal: Principal, client_id: UUID) -> None:
    """NotFound (audited) unless this staff member may open an override on the client."""
    await policy.check_break_glass(principal, client_id)


async def open_break_glass(principal: Principal, client_id: UUID, form: BreakGlassRequest) -> UUID:
    """Open (or keep using) this staff member's override on one client; returns its id.

    Raises:
        NotFound: no such client, or one the staff member's organisation is not involved
            with (the same answer, audited as refused).
        Invalid: no reason, or too short a one.
    """
    if principal.organisation_id is None or principal.is_api:
        msg = "No such client"
        raise NotFound(msg)
    await require_may_open(principal, client_id)
    reason = form.reason.strip()
    if len(reason) < MIN_REASON:
        msg = "Explain the safeguarding concern that means you must see this record now"
        raise Invalid(msg, {"reason": msg})
    now = clock.now()
    async with transaction():
        current = await _owners(
            (BreakGlass.client == client_id)
            & (BreakGlass.staff == principal.id)
            & (BreakGlass.expires_at > now)
            & BreakGlass.closed_at.is_null()
        )
        if current:
            return current[0].id
        glass = BreakGlass(
            client=client_id,
            staff=principal.id,
            organisation=principal.organisation_id,
            reason=reason,
            opened_at=now,
            expires_at=now + DURATION,
        )
        await BreakGlass.insert(glass)
        await audit.record(
            "break_glass.opened",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
            detail={"break_glass_id": str(glass.id), "expires_at": glass.expires_at.isoformat()},
        )
        await _tell_reviewers(glass.id)
    return UUID(str(glass.id))


async def _tell_reviewers(break_glass_id: UUID) -> None:
    reviewer_ids = {
        staff_id for role in _ROLES.values() for staff_id in await role.reviewers(break_glass_id)
    }
    if not reviewer_ids:
        return
    link = f"{get_settings().base_url}/oversight/break-glass"
    emails = Staff.select(Staff.email).where(Staff.id.is_in(list(reviewer_ids)))
    for email in await emails.output(as_list=True):
        await mail.queue_email(
            email,
            "Emergency access to a client record needs your review",
            "A member of staff used emergency safeguarding access to open a client's record.\n"
            f"Sign in to review it: {link}\n",
        )


async def close_break_glass(principal: Principal, break_glass_id: UUID) -> UUID:
    """End one's own override before its four hours are up; returns the client's id."""
    now = clock.now()
    async with transaction():
        rows = await _owners((BreakGlass.id == break_glass_id) & (BreakGlass.staff == principal.id))
        if not rows:
            msg = "No such override"
            raise NotFound(msg)
        row = rows[0]
        if row.closed_at is None:
            await BreakGlass.update({BreakGlass.closed_at: now}).where(
                BreakGlass.id == break_glass_id
            )
            await audit.record(
                "break_glass.closed",
                principal.actor,
                subject_type="client",
                subject_id=str(row.client),
                detail={"break_glass_id": str(break_glass_id)},
            )
    return row.client


async def _views(ids: set[UUID]) -> dict[UUID, BreakGlassView]:
    if not ids:
        return {}
    rows = msgspec.convert(
        await BreakGlass.select(
            BreakGlass.id,
            BreakGlass.client.as_alias("client_id"),
            BreakGlass.staff.name.as_alias("staff_name"),
            BreakGlass.organisation.name.as_alias("organisation_name"),
            BreakGlass.reason,
            BreakGlass.opened_at,
            BreakGlass.expires_at,
            BreakGlass.closed_at,
        )
        .where(BreakGlass.id.is_in(list(ids)))
        .order_by(BreakGlass.opened_at, ascending=False),
        list[BreakGlassRow],
    )
    reads: dict[UUID, list[tuple[Any, list[str]]]] = {row.id: [] for row in rows}
    for read in msgspec.convert(
        await AccessLog.select(AccessLog.break_glass, AccessLog.at, AccessLog.categories)
        .where(AccessLog.break_glass.is_in(list(ids)))
        .order_by(AccessLog.at)
        .output(load_json=True),
        list[BreakGlassReadRow],
    ):
        reads[read.break_glass].append((read.at, read.categories))
    reviews: dict[UUID, list[tuple[str, str, str, str, Any]]] = {row.id: [] for row in rows}
    for review in msgspec.convert(
        await BreakGlassReview.select(
            BreakGlassReview.break_glass,
            BreakGlassReview.role,
            BreakGlassReview.reviewer.name.as_alias("reviewer_name"),
            BreakGlassReview.outcome,
            BreakGlassReview.note,
            BreakGlassReview.reviewed_at,
        ).where(BreakGlassReview.break_glass.is_in(list(ids))),
        list[BreakGlassReviewRow],
    ):
        role = _ROLES.get(review.role)
        reviews[review.break_glass].append(
            (
                role.label if role else review.role,
                review.reviewer_name,
                OUTCOMES.get(review.outcome, review.outcome),
                review.note,
                review.reviewed_at,
            )
        )
    return {
        row.id: BreakGlassView(
            **msgspec.structs.asdict(row), reads=reads[row.id], reviews=reviews[row.id]
        )
        for row in rows
    }


async def review_queue(
    principal: Principal,
) -> tuple[list[tuple[ReviewerRole, BreakGlassView]], list[BreakGlassView]]:
    """What this person must review (role, break-glass), and what was already reviewed."""
    reviewable = {code: await role.reviewable(principal) for code, role in _ROLES.items()}
    everything = set().union(*reviewable.values())
    reviewed = await BreakGlassReview.select(
        BreakGlassReview.break_glass, BreakGlassReview.role
    ).where(BreakGlassReview.break_glass.is_in(list(everything) or [None]))
    done = {(row.break_glass, row.role) for row in msgspec.convert(reviewed, list[ReviewedRow])}
    views = await _views(everything)
    pending = [
        (_ROLES[code], views[glass])
        for glass in views
        for code, ids in reviewable.items()
        if glass in ids and (glass, code) not in done
    ]
    pending_ids = {view.id for _, view in pending}
    history = [view for glass, view in views.items() if glass not in pending_ids]
    return pending, history


async def review(principal: Principal, break_glass_id: UUID, form: ReviewForm) -> None:
    """Sign off or flag a break-glass in one of the reviewer's roles; each role reviews once."""
    role = _ROLES.get(form.role)
    if role is None or break_glass_id not in await role.reviewable(principal):
        msg = "No such review"
        raise NotFound(msg)
    errors: dict[str, str] = {}
    if form.outcome not in OUTCOMES:
        errors["outcome"] = "Choose whether to sign this off or flag it"
    elif form.outcome == "flagged" and not form.note.strip():
        errors["note"] = "Say what concerns you, so it can be followed up"
    if errors:
        raise Invalid(next(iter(errors.values())), errors)
    async with transaction():
        if await BreakGlassReview.exists().where(
            (BreakGlassReview.break_glass == break_glass_id) & (BreakGlassReview.role == role.code)
        ):
            msg = "Someone has already reviewed this"
            raise Conflict(msg)
        await BreakGlassReview.insert(
            BreakGlassReview(
                break_glass=break_glass_id,
                role=role.code,
                reviewer=principal.id,
                outcome=form.outcome,
                note=form.note.strip(),
                reviewed_at=clock.now(),
            )
        )
        await audit.record(
            "break_glass.reviewed",
            principal.actor,
            subject_type="break_glass",
            subject_id=str(break_glass_id),
            detail={"role": role.code, "outcome": form.outcome},
        )

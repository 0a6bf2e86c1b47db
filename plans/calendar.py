"""The next plan review as a calendar invite (iCalendar, RFC 5545), to download or e-mail.

Written by hand: one all-day VEVENT, CRLF line endings, long lines folded at 75 octets, text
escaped. The invite says "Plan review" and links to the plan: no client name or other
client data, since calendars are shared and synced to phones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import msgspec

from consent import access_log
from consent.vocabulary import PLAN, PLAN_SHARING
from hub import audit, clock, mail
from hub.accounts.schemas import Principal
from hub.db import transaction
from hub.errors import Forbidden, NotFound
from hub.settings import get_settings
from hub.tables import Staff
from plans.access import plan_access
from plans.tables import Plan

CRLF = "\r\n"
FOLD_AT = 75
PRODUCT = "-//Wraparound//Plan reviews//EN"
SUMMARY = "Plan review"
FILENAME = "plan-review.ics"
CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


class Invite(msgspec.Struct, frozen=True, kw_only=True):
    """A calendar file ready to send."""

    filename: str
    text: str
    review_on: date


def escape_text(value: str) -> str:
    """An iCalendar TEXT value: backslash, semicolon, comma and newline escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets (never splitting a character)."""
    pieces: list[str] = []
    current = ""
    limit = FOLD_AT
    for char in line:
        if len((current + char).encode()) > limit:
            pieces.append(current)
            current = char
            limit = FOLD_AT - 1  # continuation lines start with one space
        else:
            current += char
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def review_ics(plan_id: UUID, client_id: UUID, review_on: date) -> str:
    """The iCalendar text for an all-day plan review on `review_on`."""
    link = f"{get_settings().base_url}/plans/{client_id}"
    host = get_settings().base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:plan-review-{plan_id}-{review_on:%Y%m%d}@{host or 'wraparound.invalid'}",
        f"DTSTAMP:{_stamp(clock.now())}",
        f"DTSTART;VALUE=DATE:{review_on:%Y%m%d}",
        f"DTEND;VALUE=DATE:{review_on + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(SUMMARY)}",
        "DESCRIPTION:"
        + escape_text(f"Review of a support plan in Wraparound. Open the plan: {link}"),
        f"URL:{link}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + CRLF for line in lines)


async def review_invite(principal: Principal, client_id: UUID) -> Invite:
    """The next review's invite, for a reader who sees the whole plan (logged for staff)."""
    access = await plan_access(principal, client_id)
    if not access.sees_all:
        raise NotFound("No such plan")
    plan = (
        await Plan.select(Plan.id, Plan.next_review_on, Plan.status)
        .where(Plan.client == client_id)
        .first()
    )
    if plan is None or plan["next_review_on"] is None or plan["status"] != "open":
        raise NotFound("No review is booked for this plan")
    if not access.is_client:
        await access_log.record_reads(
            principal, {client_id: [PLAN]}, context="review invite", purpose=PLAN_SHARING
        )
    review_on = plan["next_review_on"]
    return Invite(
        filename=FILENAME, text=review_ics(plan["id"], client_id, review_on), review_on=review_on
    )


def _email_body(review_on: date, client_id: UUID) -> str:
    base = get_settings().base_url
    return "\n".join(
        [
            f"A plan review is due on {review_on.day} {review_on:%B %Y}.",
            "",
            "The calendar invite is attached. You can also download it here:",
            f"{base}/plans/{client_id}/review.ics",
            "",
            "This e-mail carries no personal details: they stay in Wraparound.",
        ]
    )


async def email_invite(principal: Principal, client_id: UUID) -> date:
    """E-mail the next review's invite to the lead professional asking for it."""
    access = await plan_access(principal, client_id)
    if not access.is_lead:
        msg = "Only the client's lead professional can e-mail the review invite"
        raise Forbidden(msg)
    invite = await review_invite(principal, client_id)
    row = await Staff.select(Staff.email).where(Staff.id == principal.id).first()
    if row is None:
        raise NotFound("No such worker")
    async with transaction():
        await mail.queue_email(
            row["email"],
            "Wraparound: plan review invite",
            _email_body(invite.review_on, client_id),
            attachment=mail.Attachment(
                filename=invite.filename, content_type=CONTENT_TYPE, text=invite.text
            ),
        )
        await audit.record(
            "plan.review_invite_emailed",
            principal.actor,
            subject_type="client",
            subject_id=str(client_id),
        )
    return invite.review_on

"""Referrals sent in the period: what became of them, where they went, how fast they were answered.

Counting rules. A referral counts in the period it was sent (requested). Accepted: answered
and not declined (whatever happened after). Declined by reason, completed by outcome, failed
and cancelled: its status now. Response time: working days (Monday to Friday less bank
holidays) from the UK day it was sent to the UK day it was accepted or declined; the same day
is 0. Median and 90th percentile (nearest rank) only from 5 or more answers.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from consent import small_numbers
from directory.tables import Service
from hub.tables import Organisation
from referrals import lifecycle
from referrals.tables import Referral
from referrals.working_days import LONDON, is_working_day
from reports.counting import rows_by_count, rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Scope, Section, Statement

OUTCOME_ROWS = [
    "Sent",
    "Accepted",
    "Declined",
    "Completed",
    "Failed",
    "Cancelled",
    "Waiting for an answer",
]


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when answered the same day)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def nearest_rank(values: list[int], share: float) -> int:
    """The nearest-rank percentile of a non-empty list (share 0.9 for the 90th)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def describe_times(days: list[int], target: int | None) -> str:
    """ "median 2, 90th percentile 4 working days (target 5)", or why it is withheld."""
    if not days:
        return "No answers"
    if not small_numbers.enough(len(days)):
        return f"Not shown: {small_numbers.FEWER_THAN} answers"
    median = statistics.median(days)
    text = f"median {median:g}, 90th percentile {nearest_rank(days, 0.9)} working days"
    if target is not None:
        within = sum(1 for value in days if value <= target)
        text += f" (target {target}; {small_numbers.shown(within)} of {len(days)} within it)"
    return text


async def referrals_section(scope: Scope, period: Period) -> Section:
    """Referrals sent in the period (a partner: those it received or sent)."""
    query = Referral.select(
        Referral.status,
        Referral.service,
        Referral.service_name,
        Referral.sender_organisation,
        Referral.requested_at,
        Referral.responded_at,
        Referral.reason_code,
        Referral.outcome_code,
    ).where(
        (Referral.requested_at >= period.starts_at)
        & (Referral.requested_at < period.ends_at)
        & (Referral.status != lifecycle.DRAFT)
    )
    if scope.organisation_id is not None:
        query = query.where(
            (Referral.recipient_organisation == scope.organisation_id)
            | (Referral.sender_organisation == scope.organisation_id)
        )
    rows = await query
    organisations = {
        row["id"]: row["name"]
        for row in await Organisation.select(Organisation.id, Organisation.name)
    }
    service_ids = list({row["service"] for row in rows})
    targets: dict[object, int | None] = {}
    if service_ids:
        found = await Service.select(Service.id, Service.response_target_days).where(
            Service.id.is_in(service_ids)
        )
        targets = {row["id"]: row["response_target_days"] for row in found}
    outcomes: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    by_service: Counter[str] = Counter()
    by_sender: Counter[str] = Counter()
    answer_days: dict[str, list[int]] = defaultdict(list)
    service_targets: dict[str, int | None] = {}
    for row in rows:
        status = row["status"]
        outcomes["Sent"] += 1
        by_service[row["service_name"]] += 1
        by_sender[organisations.get(row["sender_organisation"], "Unknown")] += 1
        if row["responded_at"] is not None and status != lifecycle.REJECTED:
            outcomes["Accepted"] += 1
        if status == lifecycle.REJECTED:
            outcomes["Declined"] += 1
            declined[lifecycle.DECLINE_REASONS.get(row["reason_code"], "No reason given")] += 1
        elif status == lifecycle.COMPLETED:
            outcomes["Completed"] += 1
            completed[lifecycle.OUTCOMES.get(row["outcome_code"], "No outcome given")] += 1
        elif status == lifecycle.FAILED:
            outcomes["Failed"] += 1
        elif status == lifecycle.CANCELLED:
            outcomes["Cancelled"] += 1
        elif status == lifecycle.REQUESTED:
            outcomes["Waiting for an answer"] += 1
        if row["responded_at"] is not None:
            sent_day = row["requested_at"].astimezone(LONDON).date()
            answered_day = row["responded_at"].astimezone(LONDON).date()
            answer_days[row["service_name"]].append(working_days_between(sent_day, answered_day))
            service_targets[row["service_name"]] = targets.get(row["service"])
    statements = (
        [
            Statement(
                label="All services",
                value=describe_times([d for days in answer_days.values() for d in days], None),
            )
        ]
        if rows
        else []
    )
    statements += [
        Statement(label=name, value=describe_times(days, service_targets.get(name)))
        for name, days in sorted(answer_days.items())
    ]
    return Section(
        key="referrals",
        title="Referrals",
        figures=[
            Figure(
                key="referrals-outcomes",
                title="What became of referrals sent",
                rows=rows_in_order(outcomes, OUTCOME_ROWS),
                unit="referrals",
            ),
            Figure(
                key="referrals-declined",
                title="Declined, by reason",
                rows=rows_by_count(declined),
                unit="referrals",
            ),
            Figure(
                key="referrals-completed",
                title="Completed, by outcome",
                rows=rows_by_count(completed),
                unit="referrals",
            ),
            Figure(
                key="referrals-by-service",
                title="Referrals by receiving service",
                rows=rows_by_count(by_service),
                unit="referrals",
            ),
            Figure(
                key="referrals-by-sender",
                title="Referrals by sending organisation",
                rows=rows_by_count(by_sender),
                unit="referrals",
            ),
        ],
        statements=statements,
    )

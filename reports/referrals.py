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
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count

from consent import small_numbers
from directory.tables import Service
from hub.db import raw_tuples
from hub.tables import Organisation
from referrals import lifecycle
from referrals.tables import Referral
from referrals.working_days import LONDON, is_working_day
from reports.counting import rows_by_count, rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Scope, Section, Statement

EPOCH_YEAR = 2000
STATUS_ROWS = {
    lifecycle.REJECTED: "Declined",
    lifecycle.COMPLETED: "Completed",
    lifecycle.FAILED: "Failed",
    lifecycle.CANCELLED: "Cancelled",
    lifecycle.REQUESTED: "Waiting for an answer",
}
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
    return _working_day_number(end) - _working_day_number(start)


@lru_cache(maxsize=4096)
def _working_day_number(day: date) -> int:
    """Working days from the first of `day`'s year (before it) up to and including `day`,
    plus all the working days of the years before, from 2000: a difference of two numbers is
    the working days between them."""
    if day.year <= EPOCH_YEAR:
        first = date(EPOCH_YEAR, 1, 1)
        return sum(1 for n in range((day - first).days + 1) if is_working_day(first + timedelta(n)))
    last_of_previous = date(day.year - 1, 12, 31)
    start = date(day.year, 1, 1)
    return _working_day_number(last_of_previous) + sum(
        1 for n in range((day - start).days + 1) if is_working_day(start + timedelta(n))
    )


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


def _sent_in(scope: Scope, period: Period, *columns: Any) -> Any:
    """A select of referrals sent in the period (a partner: those it received or sent)."""
    query = Referral.select(*columns).where(
        (Referral.requested_at >= period.starts_at)
        & (Referral.requested_at < period.ends_at)
        & (Referral.status != lifecycle.DRAFT)
    )
    if scope.organisation_id is not None:
        query = query.where(
            (Referral.recipient_organisation == scope.organisation_id)
            | (Referral.sender_organisation == scope.organisation_id)
        )
    return query


_ANSWERED_SQL = """
SELECT "status", "service", "service_name", "requested_at", "responded_at" FROM "referral"
WHERE "requested_at" >= {} AND "requested_at" < {} AND "status" != {}
    AND "responded_at" IS NOT NULL"""


async def _answered(scope: Scope, period: Period) -> list[Sequence[Any]]:
    """(status, service, service name, sent, answered) of each answered referral, as tuples
    (thousands in a year: no dict per row)."""
    args: list[Any] = [period.starts_at, period.ends_at, lifecycle.DRAFT]
    sql = _ANSWERED_SQL
    if scope.organisation_id is not None:
        sql += ' AND ("recipient_organisation" = {} OR "sender_organisation" = {})'
        args += [scope.organisation_id, scope.organisation_id]
    return await raw_tuples(sql, *args)


class _Tally(msgspec.Struct, kw_only=True):
    """What became of the period's referrals, counted every way the report shows."""

    outcomes: Counter[str] = msgspec.field(default_factory=Counter)
    declined: Counter[str] = msgspec.field(default_factory=Counter)
    completed: Counter[str] = msgspec.field(default_factory=Counter)
    by_service: Counter[str] = msgspec.field(default_factory=Counter)
    by_sender: Counter[str] = msgspec.field(default_factory=Counter)


def _tally(rows: list[dict[str, Any]], organisations: dict[Any, str]) -> _Tally:
    """Counts by status, reason, outcome, service and sender from the grouped rows."""
    tally = _Tally()
    for row in rows:
        status, times = row["status"], int(row["n"])
        tally.outcomes["Sent"] += times
        tally.by_service[row["service_name"]] += times
        tally.by_sender[organisations.get(row["sender_organisation"], "Unknown")] += times
        if status == lifecycle.REJECTED:
            reason = lifecycle.DECLINE_REASONS.get(row["reason_code"], "No reason given")
            tally.declined[reason] += times
        elif status == lifecycle.COMPLETED:
            outcome = lifecycle.OUTCOMES.get(row["outcome_code"], "No outcome given")
            tally.completed[outcome] += times
        tally.outcomes[STATUS_ROWS.get(status, "")] += times
    tally.outcomes.pop("", None)
    return tally


async def _targets(service_ids: list[Any]) -> dict[Any, int | None]:
    """Each service's response target (working days), if it has one."""
    if not service_ids:
        return {}
    found = await Service.select(Service.id, Service.response_target_days).where(
        Service.id.is_in(service_ids)
    )
    return {row["id"]: row["response_target_days"] for row in found}


async def _response_times(answers: list[Sequence[Any]], tally: _Tally) -> list[Statement]:
    """Median and 90th percentile overall and per service; counts the accepted too."""
    targets = await _targets(list({service for _, service, _, _, _ in answers}))
    answer_days: dict[str, list[int]] = defaultdict(list)
    service_targets: dict[str, int | None] = {}
    for status, service, service_name, requested_at, responded_at in answers:
        if status != lifecycle.REJECTED:
            tally.outcomes["Accepted"] += 1
        sent_day = requested_at.astimezone(LONDON).date()
        answered_day = responded_at.astimezone(LONDON).date()
        answer_days[service_name].append(working_days_between(sent_day, answered_day))
        service_targets[service_name] = targets.get(service)
    every = [d for days in answer_days.values() for d in days]
    statements = [Statement(label="All services", value=describe_times(every, None))]
    return statements + [
        Statement(label=name, value=describe_times(days, service_targets.get(name)))
        for name, days in sorted(answer_days.items())
    ]


async def referrals_section(scope: Scope, period: Period) -> Section:
    """Referrals sent in the period (a partner: those it received or sent), counted by the
    database; only answered ones come back one by one, for their response times."""
    grouping = (
        Referral.status,
        Referral.service_name,
        Referral.sender_organisation,
        Referral.reason_code,
        Referral.outcome_code,
    )
    rows = await _sent_in(scope, period, *grouping, Count(alias="n")).group_by(*grouping)
    organisations = {
        row["id"]: row["name"]
        for row in await Organisation.select(Organisation.id, Organisation.name)
    }
    tally = _tally(rows, organisations)
    statements = await _response_times(await _answered(scope, period), tally) if rows else []
    figures = [
        (
            "referrals-outcomes",
            "What became of referrals sent",
            rows_in_order(tally.outcomes, OUTCOME_ROWS),
        ),
        ("referrals-declined", "Declined, by reason", rows_by_count(tally.declined)),
        ("referrals-completed", "Completed, by outcome", rows_by_count(tally.completed)),
        ("referrals-by-service", "Referrals by receiving service", rows_by_count(tally.by_service)),
        (
            "referrals-by-sender",
            "Referrals by sending organisation",
            rows_by_count(tally.by_sender),
        ),
    ]
    return Section(
        key="referrals",
        title="Referrals",
        figures=[
            Figure(key=key, title=title, rows=counted, unit="referrals")
            for key, title, counted in figures
        ],
        statements=statements,
        statements_title="Response time, from sent to accepted or declined",
    )

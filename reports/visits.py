"""Visits: attendance per session and per need, new versus returning, and the weekly trend."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from piccolo.query.functions.aggregate import Sum

from directory.sessions.services import list_sessions
from plans.attendance.schemas import AGE_BANDS
from plans.attendance.tables import Attendance
from reports.counting import rows_by_count, rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Row, Scope, Section


def _in_period(scope: Scope, period: Period, session_ids: list[Any]) -> Any:
    """Register lines in the period still on the register (a partner: its sessions only)."""
    where = (
        (Attendance.on_date >= period.start)
        & (Attendance.on_date <= period.end)
        & Attendance.removed_at.is_null()
    )
    if scope.organisation_id is not None:  # the whole hub reads the day index alone
        where &= Attendance.session.is_in(session_ids or [None])
    return where


async def _people_by(where: Any, *columns: Any) -> list[dict[str, Any]]:
    """People counted (visitors summed) for each value of `columns`."""
    query = Attendance.select(*columns, Sum(Attendance.visitors, alias="people"))
    return await query.where(where).group_by(*columns)


def _week_rows(period: Period, by_week: Counter[str]) -> list[Row]:
    """One row per week (Monday to Sunday) touching the period, empty weeks included."""
    weeks = []
    day = period.start - timedelta(days=period.start.weekday())
    while day <= period.end:
        weeks.append(day)
        day += timedelta(days=7)
    labels = [f"Week of {monday:%-d %b}" for monday in weeks]
    return rows_in_order(
        {
            label: by_week.get(monday.isoformat(), 0)
            for label, monday in zip(labels, weeks, strict=True)
        },
        labels,
    )


async def visits_section(scope: Scope, period: Period) -> Section:
    """Attendance at the hub's sessions in the period (a partner: at the sessions it runs)."""
    sessions = {s.id: s for s in await list_sessions(scope.organisation_id)}
    where = _in_period(scope, period, list(sessions))
    by_session: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    newness: Counter[str] = Counter()
    for row in await _people_by(where, Attendance.session, Attendance.first_visit):
        session = sessions.get(row["session"])
        if session is not None:
            people = int(row["people"] or 0)
            by_session[session.title] += people
            by_category[session.category_name or "No category"] += people
            newness["First visit" if row["first_visit"] else "Been before"] += people
    bands: Counter[str] = Counter()
    for row in await _people_by(where & Attendance.client.is_null(), Attendance.age_band):
        bands[AGE_BANDS.get(row["age_band"], row["age_band"])] += int(row["people"] or 0)
    by_week: Counter[str] = Counter()
    for row in await _people_by(where, Attendance.on_date):
        monday = row["on_date"] - timedelta(days=row["on_date"].weekday())
        by_week[monday.isoformat()] += int(row["people"] or 0)
    figures = [
        ("visits-by-session", "Attendance by session", rows_by_count(by_session)),
        ("visits-by-need", "Attendance by need", rows_by_count(by_category)),
        (
            "visits-new-returning",
            "First visits and returning visitors",
            rows_in_order(newness, ["First visit", "Been before"]),
        ),
        (
            "visits-by-age",
            "Anonymous visitors by age band",
            rows_in_order(bands, list(AGE_BANDS.values())),
        ),
        ("visits-by-week", "Attendance week by week", _week_rows(period, by_week)),
    ]
    return Section(
        key="visits",
        title="Visits",
        figures=[
            Figure(key=key, title=title, rows=rows, unit="visits") for key, title, rows in figures
        ],
    )

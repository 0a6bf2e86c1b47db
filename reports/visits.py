"""Visits: attendance per session and per need, new versus returning, and the weekly trend."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from piccolo.query.functions.aggregate import Sum

from directory.sessions.services import list_sessions
from plans.attendance.schemas import AGE_BANDS
from plans.attendance.tables import Attendance
from reports.counting import rows_by_count, rows_in_order
from reports.periods import Period
from reports.schemas import Figure, Scope, Section


async def visits_section(scope: Scope, period: Period) -> Section:
    """Attendance at the hub's sessions in the period (a partner: at the sessions it runs)."""
    sessions = {s.id: s for s in await list_sessions(scope.organisation_id)}
    in_period = (
        (Attendance.on_date >= period.start)
        & (Attendance.on_date <= period.end)
        & Attendance.removed_at.is_null()
    )
    if scope.organisation_id is not None:  # the whole hub reads the day index alone
        in_period &= Attendance.session.is_in(list(sessions) or [None])
    by_session_and_newness = (
        await Attendance.select(
            Attendance.session, Attendance.first_visit, Sum(Attendance.visitors, alias="people")
        )
        .where(in_period)
        .group_by(Attendance.session, Attendance.first_visit)
    )
    by_band = (
        await Attendance.select(Attendance.age_band, Sum(Attendance.visitors, alias="people"))
        .where(in_period & Attendance.client.is_null())
        .group_by(Attendance.age_band)
    )
    bands = Counter(
        {
            AGE_BANDS.get(row["age_band"], row["age_band"]): int(row["people"] or 0)
            for row in by_band
        }
    )
    by_day = (
        await Attendance.select(
            Attendance.session, Attendance.on_date, Sum(Attendance.visitors, alias="people")
        )
        .where(in_period)
        .group_by(Attendance.session, Attendance.on_date)
    )
    by_session: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    newness: Counter[str] = Counter()
    by_week: Counter[str] = Counter()
    for row in by_session_and_newness:
        session = sessions.get(row["session"])
        if session is None:
            continue
        people = int(row["people"] or 0)
        by_session[session.title] += people
        by_category[session.category_name or "No category"] += people
        newness["First visit" if row["first_visit"] else "Been before"] += people
    for row in by_day:
        monday = row["on_date"] - timedelta(days=row["on_date"].weekday())
        by_week[monday.isoformat()] += int(row["people"] or 0)
    first_monday = period.start - timedelta(days=period.start.weekday())
    weeks = []
    day = first_monday
    while day <= period.end:
        weeks.append(day)
        day += timedelta(days=7)
    week_rows = rows_in_order(
        {f"Week of {monday:%-d %b}": by_week.get(monday.isoformat(), 0) for monday in weeks},
        [f"Week of {monday:%-d %b}" for monday in weeks],
    )
    return Section(
        key="visits",
        title="Visits",
        figures=[
            Figure(
                key="visits-by-session",
                title="Attendance by session",
                rows=rows_by_count(by_session),
                unit="visits",
            ),
            Figure(
                key="visits-by-need",
                title="Attendance by need",
                rows=rows_by_count(by_category),
                unit="visits",
            ),
            Figure(
                key="visits-new-returning",
                title="First visits and returning visitors",
                rows=rows_in_order(newness, ["First visit", "Been before"]),
                unit="visits",
            ),
            Figure(
                key="visits-by-age",
                title="Anonymous visitors by age band",
                rows=rows_in_order(bands, list(AGE_BANDS.values())),
                unit="visits",
            ),
            Figure(
                key="visits-by-week", title="Attendance week by week", rows=week_rows, unit="visits"
            ),
        ],
    )

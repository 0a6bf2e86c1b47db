"""The demo's three months of activity: real charts on first start, seeded once."""

from __future__ import annotations

from datetime import timedelta

from directory.demo import seed_demo_directory
from directory.sessions.services import today
from directory.sessions.tables import HubSession
from hub.demo import seed_demo_network
from hub.tables import ClientAccount
from plans.attendance.services import sessions_attended
from plans.attendance.tables import Attendance
from reports.build import build_report
from reports.demo import seed_demo_activity
from reports.periods import month
from reports.schemas import Scope
from reports.tables import PublishedFigures
from reports.web import DEMO_SEEDERS


async def test_the_demo_fills_last_months_report_once() -> None:
    assert seed_demo_activity in DEMO_SEEDERS
    network = await seed_demo_network()
    await seed_demo_directory()
    printed = await seed_demo_activity()
    # Printed under the network's sign-ins, in the same lower-case style.
    assert [role for role, _ in printed] == ["hub manager (reports)"]
    assert all(role == role.lower() for role, _ in network)
    assert await HubSession.count() == 5
    visits = await Attendance.count()
    assert visits > 50
    last = month(f"{today().replace(day=1) - timedelta(days=1):%Y-%m}")
    report = await build_report(Scope(organisation_id=None, name="hub"), last, today())
    for key in ("visits-by-session", "referrals-outcomes", "wellbeing", "feedback-ratings"):
        figure = report.figure(key)
        assert figure is not None
        assert not figure.empty, key
    # Busy services' response times clear the small-number rule and show against a target,
    # and some people's wellbeing is counted (not every cell withheld).
    referrals = next(section for section in report.sections if section.key == "referrals")
    assert any("(target " in line.value for line in referrals.statements[1:])
    wellbeing = report.figure("wellbeing")
    assert wellbeing is not None
    assert any(row.count >= 5 for row in wellbeing.rows)
    assert await PublishedFigures.count() == 3
    account = await ClientAccount.select(ClientAccount.client).first()
    assert account is not None
    attended = await sessions_attended(account["client"])
    assert [item.title for item in attended] == ["Peer support café"]
    await seed_demo_activity()
    assert await Attendance.count() == visits

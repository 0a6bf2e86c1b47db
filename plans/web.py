"""What plans plug into the app: routes, navigation, jobs, home-page panels, CLI, demo data.

app.py (the composition root) reads these; each plans module adds its own line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from hub.outbox import Handler
from hub.web.home import PanelLoader
from hub.web.navigation import NavItem
from plans.attendance.controllers import PortalSessionsController, RegisterController
from plans.controllers.closing import ClosingController
from plans.controllers.connections import ConnectionsController, PortalConnectionsController
from plans.controllers.households import HouseholdController
from plans.controllers.meetings import MeetingController, PortalMeetingController
from plans.controllers.plan_pages import PlanController
from plans.controllers.portal import PortalPlanController
from plans.controllers.reviews import ReviewController
from plans.controllers.team import CareTeamController
from plans.demo import seed_demo_plan
from plans.demo_household import seed_demo_household
from plans.home import lead_panel
from plans.reminders import (
    DAILY_JOB,
    daily_check_job,
    ensure_daily_check_job,
    seed_daily_check_job,
)

ROUTE_HANDLERS: list[Any] = [
    PlanController,
    CareTeamController,
    PortalPlanController,
    ReviewController,
    ClosingController,
    MeetingController,
    PortalMeetingController,
    ConnectionsController,
    PortalConnectionsController,
    HouseholdController,
    RegisterController,
    PortalSessionsController,
]

NAV_ITEMS: list[NavItem] = [
    NavItem("/portal/plan", "Your plan", "clients", order=20),
    NavItem("/portal/meetings", "Your meetings", "clients", order=22),
    NavItem("/portal/connections", "Your connections", "clients", order=23),
    NavItem("/portal/sessions", "Hub sessions", "clients", order=25),
]

JOB_HANDLERS: dict[str, Handler] = {DAILY_JOB: daily_check_job}

HOME_PANELS: dict[str, PanelLoader] = {"plans": lead_panel}

CLI_COMMANDS: list[click.Command] = []

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = [
    seed_demo_plan,
    seed_demo_household,
    seed_daily_check_job,
]

# Run once when the app starts (app.py's lifespan): each is safe to run in every process.
STARTUP_TASKS: list[Callable[[], Awaitable[Any]]] = [ensure_daily_check_job]

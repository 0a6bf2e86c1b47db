"""What referrals plug into the app: routes, navigation, jobs, home-page panels, CLI, demo data.

app.py (the composition root) reads these; each referrals module adds its own line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from consent.consents import CONSENT_CHANGED_JOB
from hub.outbox import Handler
from hub.web.home import PanelLoader
from hub.web.navigation import NavItem
from referrals.controllers.detail import ReferralController
from referrals.controllers.inbox import InboxController
from referrals.controllers.sending import ReferralSendController
from referrals.controllers_reroute import RerouteController
from referrals.demo import seed_demo_referrals
from referrals.inbox import counts
from referrals.sla import SLA_JOB, ensure_sla_job, seed_sla_job, sla_check_job
from referrals.suspension import consent_changed_job

ROUTE_HANDLERS: list[Any] = [
    ReferralSendController,
    ReferralController,
    InboxController,
    RerouteController,
]

NAV_ITEMS: list[NavItem] = [NavItem("/referrals", "Referrals", "staff", order=35)]

JOB_HANDLERS: dict[str, Handler] = {
    SLA_JOB: sla_check_job,
    CONSENT_CHANGED_JOB: consent_changed_job,
}

HOME_PANELS: dict[str, PanelLoader] = {"referrals": counts}

CLI_COMMANDS: list[click.Command] = []

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = [
    seed_demo_referrals,
    seed_sla_job,
]

# Run once when the app starts (app.py's lifespan): each is safe to run in every process.
STARTUP_TASKS: list[Callable[[], Awaitable[Any]]] = [ensure_sla_job]

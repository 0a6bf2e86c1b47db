"""What referrals plug into the app: routes, navigation, jobs, home-page panels, CLI, demo data.

app.py (the composition root) reads these; each referrals module adds its own line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from hub.outbox import Handler
from hub.web.home import PanelLoader
from hub.web.navigation import NavItem
from referrals.inbox import counts

ROUTE_HANDLERS: list[Any] = []

NAV_ITEMS: list[NavItem] = []

JOB_HANDLERS: dict[str, Handler] = {}

HOME_PANELS: dict[str, PanelLoader] = {"referrals": counts}

CLI_COMMANDS: list[click.Command] = []

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = []

# Run once when the app starts (app.py's lifespan): each is safe to run in every process.
STARTUP_TASKS: list[Callable[[], Awaitable[Any]]] = []

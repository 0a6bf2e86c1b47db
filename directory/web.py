"""What the directory plugs into the app: routes, navigation, background jobs, CLI, demo data.

app.py (the composition root) reads these; each directory module adds its own line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from directory.cli import directory_group
from hub.outbox import Handler
from hub.web.navigation import NavItem

ROUTE_HANDLERS: list[Any] = []

NAV_ITEMS: list[NavItem] = []

JOB_HANDLERS: dict[str, Handler] = {}

CLI_COMMANDS: list[click.Command] = [directory_group]

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = []

"""What reports plug into the app: routes, navigation, demo data.

app.py (the composition root) reads these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hub.web.navigation import NavItem
from reports.controllers import FeedbackController, FeedbackSheetController, ReportController
from reports.demo import seed_demo_activity

ROUTE_HANDLERS: list[Any] = [ReportController, FeedbackController, FeedbackSheetController]

NAV_ITEMS: list[NavItem] = [NavItem("/reports", "Reports", "admins", order=65)]

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = [seed_demo_activity]

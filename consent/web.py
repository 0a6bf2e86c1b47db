"""What consent plugs into the app: routes, navigation and demo data.

app.py (the composition root) reads these.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from consent.controllers.clients import ClientController
from consent.controllers.consents import StaffConsentController
from consent.controllers.corrections import CorrectionController, PortalCorrectionController
from consent.controllers.oversight import BreakGlassController
from consent.controllers.portal import PortalController
from consent.controllers.subject_access import ClientDataController, PortalDataController
from consent.demo import seed_demo_record
from consent.oversight import oversight_panel
from hub.web.home import PanelLoader
from hub.web.navigation import NavItem

ROUTE_HANDLERS: list[Any] = [
    ClientController,
    StaffConsentController,
    BreakGlassController,
    PortalController,
    PortalDataController,
    ClientDataController,
    PortalCorrectionController,
    CorrectionController,
]

NAV_ITEMS: list[NavItem] = [
    NavItem("/clients", "Clients", "staff", order=30),
    NavItem("/portal/consents", "Your consents", "clients", order=30),
    NavItem("/portal/who-saw", "Who saw your record", "clients", order=40),
    NavItem("/portal/corrections", "Correct your record", "clients", order=45),
    NavItem("/corrections", "Corrections", "staff", order=50),
]

HOME_PANELS: dict[str, PanelLoader] = {"oversight": oversight_panel}

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = [seed_demo_record]

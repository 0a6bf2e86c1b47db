"""What the directory plugs into the app: routes, navigation, background jobs, CLI, demo data.

app.py (the composition root) reads these; each directory module adds its own line here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import click

from directory.cli import directory_group
from directory.demo import seed_demo_directory
from directory.exchange import cli as exchange_cli  # noqa: F401 - adds its commands to the group
from directory.feeds import cli as feeds_cli  # noqa: F401 - adds feed-add and sync
from directory.feeds.controllers import FeedController
from directory.feeds.jobs import FEEDS_JOB, ensure_feeds_job, feeds_pull_job
from directory.listings.controllers import ListingController
from directory.listings.detail_controllers import ServiceController
from directory.listings.place_controllers import ListingPlaceController
from directory.listings.staleness import (
    STALENESS_JOB,
    ensure_staleness_job,
    seed_staleness_job,
    staleness_check_job,
)
from directory.listings.taxonomy_controllers import TaxonomyController
from directory.openreferral.controllers import openreferral_router
from directory.search import cli as search_cli  # noqa: F401 - adds reindex and generate
from directory.search.backend import prepare_search
from directory.search.controllers import SearchController
from directory.search.sync import SYNC_JOB, search_sync_job
from directory.sessions.controllers import HubSessionController
from directory.signposting.controllers import SharedListController, SignpostController
from hub.outbox import Handler
from hub.web.navigation import NavItem

ROUTE_HANDLERS: list[Any] = [
    openreferral_router,
    SearchController,
    ServiceController,
    ListingController,
    ListingPlaceController,
    TaxonomyController,
    FeedController,
    SignpostController,
    SharedListController,
    HubSessionController,
]

NAV_ITEMS: list[NavItem] = [
    NavItem("/directory", "Directory", "staff", order=10),
    NavItem("/directory/list", "Signposting list", "staff", order=25),
    NavItem("/sessions", "Timetable", "staff", order=32),
    NavItem("/directory/listings", "Listings", "admins", order=70),
    NavItem("/admin/feeds", "Feeds", "system_admins", order=75),
]

JOB_HANDLERS: dict[str, Handler] = {
    STALENESS_JOB: staleness_check_job,
    SYNC_JOB: search_sync_job,
    FEEDS_JOB: feeds_pull_job,
}

CLI_COMMANDS: list[click.Command] = [directory_group]

DEMO_SEEDERS: list[Callable[[], Awaitable[list[tuple[str, str]]]]] = [
    seed_demo_directory,
    seed_staleness_job,
]

# Run once when the app starts (app.py's lifespan): each is safe to run in every process.
STARTUP_TASKS: list[Callable[[], Awaitable[Any]]] = [
    ensure_staleness_job,
    prepare_search,
    ensure_feeds_job,
]

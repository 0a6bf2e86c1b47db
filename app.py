"""Composition root: builds the Litestar app and the `wraparound` command from every package."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.static_files import create_static_files_router

from consent import personal_data as consent_personal_data
from consent import retention as consent_retention
from consent import web as consent_web
from directory import web as directory_web
from hub import audit_checkpoints, backup_schedule, erasure, mail, outbox, personal_data, retention
from hub.accounts.admin_controllers import OrganisationController, StaffController
from hub.accounts.api_token_controllers import ApiTokenController
from hub.accounts.controllers import PasswordController, SignInController
from hub.cli import build_cli
from hub.db import close_pool, get_engine, keep_trying_to_open_pool
from hub.demo import seed_demo_network
from hub.settings import ROOT, get_settings
from hub.web import home, navigation
from hub.web.demo_mail import demo_mail
from hub.web.erasure_controllers import PortalErasureController, RetentionController
from hub.web.errors import EXCEPTION_HANDLERS
from hub.web.middleware import SecurityHeadersMiddleware, SessionMiddleware
from hub.web.notification_controllers import (
    NotificationController,
    NotificationSettingsController,
)
from hub.web.pages import HomeController
from hub.web.print_page import print_page_css
from hub.web.templating import template_config
from plans import personal_data as plans_personal_data
from plans import retention as plans_retention
from plans import web as plans_web
from referrals import personal_data as referrals_personal_data
from referrals import retention as referrals_retention
from referrals import web as referrals_web
from referrals.api import app as partner_api
from reports import web as reports_web

JOB_HANDLERS: dict[str, outbox.Handler] = {
    mail.EMAIL_JOB: mail.send_email_job,
    backup_schedule.BACKUP_JOB: backup_schedule.daily_backup_job,
    audit_checkpoints.CHECKPOINT_JOB: audit_checkpoints.checkpoint_job,
    erasure.REVIEW_JOB: erasure.retention_review_job,
    erasure.ERASE_JOB: erasure.erase_job,
    **directory_web.JOB_HANDLERS,
    **referrals_web.JOB_HANDLERS,
    **plans_web.JOB_HANDLERS,
}
NODE_MODULES = ROOT / "node_modules"
STARTUP_TASKS = [
    backup_schedule.ensure_backup_job,
    audit_checkpoints.ensure_checkpoint_job,
    erasure.ensure_review_job,
    *directory_web.STARTUP_TASKS,
    *referrals_web.STARTUP_TASKS,
    *plans_web.STARTUP_TASKS,
]
log = logging.getLogger(__name__)

# Where each feature keeps a client's personal data (subject access packs read them all).
personal_data.register(
    *consent_personal_data.HOLDINGS,
    *referrals_personal_data.HOLDINGS,
    *plans_personal_data.HOLDINGS,
)
# How long each kind of record is kept (the daily retention review reads them all).
retention.register(consent_retention.rule, referrals_retention.rule, plans_retention.rule)


NAV_ITEMS = (
    navigation.NavItem("/", "Home", "everyone", order=0),
    navigation.NavItem("/notifications", "Notifications", "staff", order=60),
    navigation.NavItem("/staff", "Staff", "admins", order=80),
    navigation.NavItem("/admin/organisations", "Organisations", "system_admins", order=90),
    navigation.NavItem("/admin/retention", "Retention", "system_admins", order=92),
)


def _register_navigation() -> None:
    for item in [
        *NAV_ITEMS,
        *consent_web.NAV_ITEMS,
        *directory_web.NAV_ITEMS,
        *referrals_web.NAV_ITEMS,
        *plans_web.NAV_ITEMS,
        *reports_web.NAV_ITEMS,
    ]:
        navigation.register(item)
    if get_settings().demo_mail_dir:  # `wraparound demo --serve` runs a mail catcher
        navigation.register(navigation.NavItem("/demo/mail", "Demo e-mail", "staff", order=95))
    for name, loader in {
        "backups": backup_schedule.backup_status,
        "audit_anchor": audit_checkpoints.anchor_status,
        **consent_web.HOME_PANELS,
        **referrals_web.HOME_PANELS,
        **plans_web.HOME_PANELS,
    }.items():
        home.register_panel(name, loader)


async def _start_up(engine: Any, stop: asyncio.Event) -> None:
    """Open the pool (retrying while the database is down), then run the features' start tasks."""
    await keep_trying_to_open_pool(engine, stop)
    for task in STARTUP_TASKS:
        if stop.is_set():
            return
        try:
            await task()
        except Exception:
            log.exception("start-up task %s failed", getattr(task, "__name__", task))


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the database pool and, by default, run the outbox worker in this process."""
    settings = get_settings()
    mail.announce(settings)
    engine = get_engine()
    stop = asyncio.Event()
    starting = asyncio.create_task(_start_up(engine, stop))
    worker = None
    if settings.worker_in_process:
        worker = asyncio.create_task(
            outbox.run_forever(JOB_HANDLERS, stop, settings.worker_poll_seconds)
        )
    # What start-up made lives as long as the process: keep it out of the garbage collector's
    # full passes, which otherwise paused about one request in 400 for 70-100 ms.
    gc.freeze()
    try:
        yield
    finally:
        stop.set()
        await starting
        if worker is not None:
            await worker
        await close_pool(engine)


def create_app() -> Litestar:
    """The web app. Refuses to start in production without SECRET_KEY."""
    settings = get_settings()
    _register_navigation()
    static_routers = [
        create_static_files_router(path="/static", directories=[ROOT / "static"]),
        create_static_files_router(
            path="/vendor/govuk", directories=[NODE_MODULES / "govuk-frontend/dist/govuk"]
        ),
        create_static_files_router(
            path="/vendor/htmx", directories=[NODE_MODULES / "htmx.org/dist"]
        ),
    ]
    return Litestar(
        route_handlers=[
            HomeController,
            print_page_css,
            demo_mail,
            SignInController,
            PasswordController,
            OrganisationController,
            StaffController,
            NotificationController,
            NotificationSettingsController,
            ApiTokenController,
            RetentionController,
            PortalErasureController,
            partner_api.mount(),
            *consent_web.ROUTE_HANDLERS,
            *directory_web.ROUTE_HANDLERS,
            *referrals_web.ROUTE_HANDLERS,
            *plans_web.ROUTE_HANDLERS,
            *reports_web.ROUTE_HANDLERS,
            *static_routers,
        ],
        middleware=[SecurityHeadersMiddleware(), SessionMiddleware()],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="wa_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="lax",
            # The partner API (bearer tokens, no cookies) and the health check, by exact prefix:
            # "/api/" elsewhere in a path is not exempt.
            exclude=[f"^{partner_api.PREFIX}/", "^/healthz$"],
        ),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=None,
        debug=False,
    )


main = build_cli(
    "app:create_app",
    JOB_HANDLERS,
    [
        seed_demo_network,
        *consent_web.DEMO_SEEDERS,
        *directory_web.DEMO_SEEDERS,
        *referrals_web.DEMO_SEEDERS,
        *plans_web.DEMO_SEEDERS,
        *reports_web.DEMO_SEEDERS,
    ],
    [*directory_web.CLI_COMMANDS, *referrals_web.CLI_COMMANDS, *plans_web.CLI_COMMANDS],
)

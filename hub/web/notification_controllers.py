"""Staff notifications: the list, opening one (which marks it read), e-mail copies on or off."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from hub import notifications
from hub.accounts.guards import requires_staff
from hub.errors import Invalid, NotFound
from hub.tables import Notification
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page, see_other

LONDON = ZoneInfo("Europe/London")
LIST_PATH = "/notifications"
SETTINGS_PATH = "/account/notifications"
SHOWN = 100
EMAIL_CHOICES = {"on": True, "off": False}
AnyRequest = Request[Any, Any, Any]


class EmailPreference(msgspec.Struct, kw_only=True):
    """Form: e-mail copies of notifications, "on" or "off"."""

    email: str = ""


def when(moment: datetime) -> str:
    """A moment in UK time: "3 November 2026 at 2:05pm"."""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def safe_link(link: str) -> str:
    """A notification's own link if it is a path on this site, else the list."""
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return LIST_PATH


async def link_of(staff_id: UUID, notification_id: UUID) -> str:
    """Where one of the staff member's own notifications points; NotFound for anyone else's."""
    row = (
        await Notification.select(Notification.link)
        .where((Notification.id == notification_id) & (Notification.staff == staff_id))
        .first()
    )
    if row is None:
        msg = "No such notification"
        raise NotFound(msg)
    return str(row["link"])


class NotificationController(Controller):
    """What has happened that the signed-in staff member should know about."""

    path = LIST_PATH
    guards = [requires_staff]

    @get("/", name="notifications.list")
    async def list_notifications(self, request: AnyRequest) -> Template:
        """Newest first; unread ones stand out."""
        items = await notifications.recent(request.user.id, limit=SHOWN)
        return page(
            "hub/notifications.html",
            title="Notifications",
            items=items,
            unread=sum(1 for item in items if item.unread),
            when=when,
        )

    @post("/read", name="notifications.read_all")
    async def read_all(self, request: AnyRequest) -> Redirect:
        """Mark every notification read."""
        await notifications.mark_read(request.user.id)
        return see_other(LIST_PATH)

    @get("/{notification_id:uuid}", name="notifications.open")
    async def open_notification(
        self, request: AnyRequest, notification_id: FromPath[UUID]
    ) -> Redirect:
        """Mark it read and go where it points (only one's own: others' look missing)."""
        link = await link_of(request.user.id, notification_id)
        await notifications.mark_read(request.user.id, notification_id)
        return see_other(safe_link(link))


class NotificationSettingsController(Controller):
    """Whether notifications are also e-mailed (the e-mails carry no personal details)."""

    path = SETTINGS_PATH
    guards = [requires_staff]

    @get("/", name="notifications.settings")
    async def settings_page(self, request: AnyRequest, saved: FromQuery[str] = "") -> Template:
        """The form, showing the current choice."""
        on = await notifications.email_preference(request.user.id)
        return page(
            "hub/account_notifications.html",
            title="Notification e-mails",
            values={"email": "on" if on else "off"},
            saved=bool(saved),
        )

    @post("/", name="notifications.settings_submit")
    async def save_settings(self, request: AnyRequest) -> Response[Any]:
        """Save the choice."""
        form = await read_form(request, EmailPreference)
        if form.email not in EMAIL_CHOICES:
            msg = "Choose whether to get e-mail copies"
            return form_error_page(
                "hub/account_notifications.html",
                Invalid(msg, {"email": msg}),
                title="Notification e-mails",
                values={},
                saved=False,
            )
        await notifications.set_email_preference(request.user.id, EMAIL_CHOICES[form.email])
        return see_other(f"{SETTINGS_PATH}?saved=1")

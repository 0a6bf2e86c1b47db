"""A service's full listing for any staff member, and its change history for those who keep it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from directory.hours import LONDON, describe_rules, describe_status
from directory.listings.access import may_edit, may_see_history, visible_service
from directory.listings.history import service_history
from directory.listings.presentation import (
    ages_text,
    checked_words,
    describe_exception,
    moment_text,
    upcoming_exceptions,
    web_link,
)
from directory.listings.schemas import SERVICE_STATUSES
from directory.search.collapsed import also_listed
from directory.signposting.services import services_on_list
from hub import clock
from hub.accounts.guards import requires_staff
from hub.web.responses import page

AnyRequest = Request[Any, Any, Any]


class ServiceController(Controller):
    """Everything about one listing, for staff finding help for a visitor."""

    path = "/directory/services"
    guards = [requires_staff]

    @get("/{service_id:uuid}", name="directory.service")
    async def show(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """The listing: what, who for, how to refer, capacity, hours, places, checks."""
        record = await visible_service(service_id)
        now = clock.now()
        hours = record.hours()
        return page(
            "directory/service_detail.html",
            record=record,
            status_text=SERVICE_STATUSES.get(record.status, record.status),
            open_status=describe_status(hours, now),
            hours_lines=describe_rules(hours.rules),
            exceptions=[
                describe_exception(item)
                for item in upcoming_exceptions(record, now.astimezone(LONDON).date())
            ],
            stale=record.is_stale(now),
            checked_text=checked_words(record, record.is_stale(now)),
            ages=ages_text(record),
            website=web_link(record.url),
            moment_text=moment_text,
            may_edit=may_edit(request.user, record.organisation_id),
            may_see_history=may_see_history(request.user, record.organisation_id),
            on_list=service_id in await services_on_list(request.user),
            next_path=f"/directory/services/{service_id}",
            also_listed=(await also_listed([service_id])).get(service_id, []),
        )

    @get("/{service_id:uuid}/history", name="directory.service_history")
    async def history(self, request: AnyRequest, service_id: FromPath[UUID]) -> Template:
        """Every kept change: who, when, each field before and after."""
        record, entries = await service_history(request.user, service_id)
        return page(
            "directory/service_history.html",
            record=record,
            entries=entries,
            moment_text=moment_text,
        )

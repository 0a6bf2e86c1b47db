"""Feeds (/admin/feeds): a system admin registers feeds, pulls one now, reads its problems."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from directory.feeds import duplicates, services
from hub.accounts.guards import requires_system_admin
from hub.errors import Invalid
from hub.web.forms import form_values, read_form
from hub.web.responses import form_error_page, page, see_other

AnyRequest = Request[Any, Any, Any]


class FeedForm(msgspec.Struct, kw_only=True):
    """Form: register a feed."""

    url: str = ""
    publisher: str = ""
    every_hours: str = "24"


class DecisionForm(msgspec.Struct, kw_only=True):
    """Form: what to do with a possible duplicate."""

    decision: str = ""


class FeedController(Controller):
    """List and register feeds, pull one now, confirm held removals, download problems."""

    path = "/admin/feeds"
    guards = [requires_system_admin]

    @get("/", name="feeds.list")
    async def list_feeds(self, request: AnyRequest) -> Template:
        """Every feed with its last pull, and the form to add one."""
        return page(
            "directory/feeds.html",
            feeds=await services.list_feeds(),
            duplicates=len(await duplicates.open_flags()),
            values={"every_hours": "24"},
            saved=request.query_params.get("saved", ""),
        )

    @post("/", name="feeds.add")
    async def add_feed(self, request: AnyRequest) -> Response[Any] | Template:
        """Register a feed."""
        form = await read_form(request, FeedForm)
        try:
            hours = int(form.every_hours) if form.every_hours.strip().isdigit() else 0
            await services.register_feed(form.url, form.publisher, hours)
        except Invalid as exc:
            feeds = await services.list_feeds()
            return form_error_page(
                "directory/feeds.html",
                exc,
                feeds=feeds,
                duplicates=len(await duplicates.open_flags()),
                values=form_values(form),
                saved="",
            )
        return see_other("/admin/feeds?saved=added")

    @post("/{feed_id:uuid}/pull", name="feeds.pull")
    async def pull(self, feed_id: FromPath[UUID]) -> Response[Any]:
        """Pull the feed now (the page waits for it)."""
        await services.pull_feed(feed_id)
        return see_other("/admin/feeds?saved=pulled")

    @post("/{feed_id:uuid}/confirm", name="feeds.confirm")
    async def confirm(self, feed_id: FromPath[UUID]) -> Response[Any]:
        """Hide the listings a held pull found gone."""
        await services.confirm_removals(feed_id)
        return see_other("/admin/feeds?saved=confirmed")

    @get("/{feed_id:uuid}/problems.csv", name="feeds.report")
    async def report(self, feed_id: FromPath[UUID]) -> Response[str]:
        """The last pull's problems report, as CSV."""
        feed = await services.get_feed(feed_id)
        return Response(
            feed["report"] or "severity,kind,where,field,message,read,stored\n",
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="feed-problems.csv"'},
        )

    @get("/duplicates", name="feeds.duplicates")
    async def list_duplicates(self, request: AnyRequest) -> Template:
        """Pairs of listings that look like one service, for an admin to decide."""
        return page(
            "directory/feeds_duplicates.html",
            flags=await duplicates.open_flags(),
            saved=request.query_params.get("saved", ""),
        )

    @post("/duplicates/{flag_id:uuid}", name="feeds.decide")
    async def decide(self, request: AnyRequest, flag_id: FromPath[UUID]) -> Response[Any]:
        """Merge the pair (the newer listing is hidden) or keep the two apart."""
        form = await read_form(request, DecisionForm)
        await duplicates.decide(flag_id, form.decision)
        return see_other(f"/admin/feeds/duplicates?saved={form.decision}")

"""The staff directory search page: the whole page, or only its results for htmx."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from directory.search.services import (
    DISTANCES,
    day_choices,
    read_search_form,
    search_directory,
)
from hub.accounts.guards import requires_staff
from hub.web.responses import page

AnyRequest = Request[Any, Any, Any]


def _wants_fragment(request: AnyRequest) -> bool:
    """htmx asked for the results (a boosted page load wants the whole page)."""
    return (
        request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    )


class SearchController(Controller):
    """Find a service for the visitor in front of you."""

    path = "/directory"
    guards = [requires_staff]

    @get("/", name="directory.search")
    async def search(self, request: AnyRequest) -> Template:
        """Search box, filters with counts, results; live as you type with htmx."""
        form = read_search_form(request.query_params.dict())
        params = list(request.query_params.multi_items())
        found = await search_directory(form, request.user, params=params)
        fragment = _wants_fragment(request)
        return page(
            "directory/search_results.html" if fragment else "directory/search.html",
            title="Find a service",
            search=found,
            fragment=fragment,
            errors=found.errors,
            day_choices=day_choices(),
            distances=DISTANCES,
            here=request.url.path + ("?" + request.url.query if request.url.query else ""),
        )

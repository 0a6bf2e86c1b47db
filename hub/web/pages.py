"""Home page per role, and the health check."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Response, Template

from hub.db import database_reachable
from hub.web.home import load_panels
from hub.web.responses import page

HOME_TEMPLATES = {
    "hub worker": "hub/home_worker.html",
    "partner worker": "hub/home_worker.html",
    "org admin": "hub/home_org_admin.html",
    "client": "hub/home_client.html",
}


class HomeController(Controller):
    """The front door: each role lands on its own home page."""

    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Send visitors to sign in; show each signed-in person their role's home page."""
        principal = request.user
        if principal is None:
            return Redirect(path="/sign-in")
        return page(
            HOME_TEMPLATES[principal.role],
            changed=request.query_params.get("changed", ""),
            home=await load_panels(principal),
        )

    @get("/healthz", name="healthz", cache=False)
    async def healthz(self) -> Response[dict[str, str]]:
        """200 when the database answers, 503 when it does not."""
        if await database_reachable():
            return Response({"status": "ok", "database": "ok"}, status_code=200)
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)

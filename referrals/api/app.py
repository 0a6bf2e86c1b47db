"""The partner API as its own Litestar app, mounted at /api/v1 so its OpenAPI is the API alone."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Router, get
from litestar.handlers import ASGIRouteHandler, asgi
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server
from litestar.types import Receive, Scope, Send

from referrals.api.auth import ApiTokenMiddleware
from referrals.api.controllers import ReferralApiController
from referrals.api.docs import HtmlReferencePlugin
from referrals.api.errors import EXCEPTION_HANDLERS
from referrals.api.schemas import ApiIndex

PREFIX = "/api/v1"
DOCS_PATH = "/docs"
DOCS_URL = PREFIX + DOCS_PATH
OPENAPI_URL = DOCS_URL + "/openapi.json"
MAX_BODY = 64 * 1024
TITLE = "Wraparound partner API"
DESCRIPTION = """\
For an organisation's own case-management system: list its referrals, read one (only what the
client agreed to share with the organisation), move it through its lifecycle with the same
rules as the Wraparound pages, and read and write its message thread.

Send an API token with every call, in the header `Authorization: Bearer <token>`. An
organisation administrator makes tokens on the "API tokens" page; a read-only token can list
and read, a read-write token can also move referrals and post messages. A revoked token stops
working at once.

Every read of client data is written to the access log the client can see, and every change to
the audit trail, naming the token. Another organisation's referral and one that does not exist
both answer 404. Errors are `application/problem+json` (RFC 9457)."""


@get("/", name="api.index", include_in_schema=False)
async def index() -> ApiIndex:
    """Where the reference is."""
    return ApiIndex(name=TITLE, version="1", docs=DOCS_URL, openapi=OPENAPI_URL)


def build_api() -> Litestar:
    """The API app: token-authenticated routes plus a public reference at /docs."""
    protected = Router(
        path="/",
        route_handlers=[ReferralApiController],
        middleware=[ApiTokenMiddleware()],
    )
    return Litestar(
        route_handlers=[index, protected],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title=TITLE,
            version="1",
            description=DESCRIPTION,
            path=DOCS_PATH,
            servers=[Server(url=PREFIX)],
            components=Components(
                security_schemes={
                    "bearerAuth": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="An API token made by your organisation's administrator",
                    )
                }
            ),
            render_plugins=[HtmlReferencePlugin(json_url=OPENAPI_URL)],
        ),
        request_max_body_size=MAX_BODY,
        logging_config=None,
        debug=False,
    )


def mount() -> ASGIRouteHandler:
    """The handler that hands /api/v1/... to the API app (one per app built)."""
    api = build_api()

    @asgi(PREFIX, is_mount=True, copy_scope=True, name="api.v1")
    async def partner_api(scope: Scope, receive: Receive, send: Send) -> None:
        # The API gets the whole path back with `root_path` set (as ASGI mounts do), its own
        # connection state, and no trace of the page session: it authenticates only by token.
        inner: dict[str, Any] = {
            **scope,
            "root_path": PREFIX,
            "path": PREFIX + scope["path"],
            "path_params": {},
            "state": {},
            "user": None,
            "auth": None,
        }
        await api(inner, receive, send)  # type: ignore[arg-type]

    return partner_api

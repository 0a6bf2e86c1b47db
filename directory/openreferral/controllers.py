"""The public Open Referral UK API under /openreferral/: no sign-in, CORS open, throttled.

Handlers only parse the request and call one function in `reads`. Errors on these routes are
always problem+json (RFC 9457) with the CORS header, whatever the caller's Accept header.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from litestar import Controller, Request, Response, Router, get
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.params import FromPath
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

from directory.openreferral import mapping, reads
from directory.openreferral.params import (
    Page,
    parse_paging,
    parse_service_query,
    parse_taxonomy_filter,
)
from directory.openreferral.throttle import Throttle
from hub.errors import Invalid, NotFound, TooManyRequests, WraparoundError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Retry-After",
}
_STATE_KEY = "openreferral_throttle"


def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in request.query_params.items()}


class OpenReferralController(Controller):
    """Every ORUK read endpoint."""

    path = ""

    @get("/", name="openreferral.root")
    async def root(self) -> dict[str, str]:
        """Which HSDS version and profile this API speaks."""
        return mapping.api_root()

    @get("/services", name="openreferral.services")
    async def services(self, request: Request[Any, Any, Any]) -> Page:
        """Services, one page, filtered by the ORUK parameters."""
        return await reads.services_page(parse_service_query(_params(request)))

    @get("/services/{service_id:str}", name="openreferral.service")
    async def service(self, service_id: FromPath[str]) -> dict[str, Any]:
        """One service, fully nested."""
        return await reads.service(reads.parse_id(service_id))

    @get("/service_at_locations", name="openreferral.service_at_locations")
    async def service_at_locations(self, request: Request[Any, Any, Any]) -> Page:
        """Service-at-location links, one page, filtered as services are."""
        return await reads.service_at_locations_page(parse_service_query(_params(request)))

    @get("/service_at_locations/{link_id:str}", name="openreferral.service_at_location")
    async def service_at_location(self, link_id: FromPath[str]) -> dict[str, Any]:
        """One service at one location, fully nested."""
        return await reads.service_at_location(reads.parse_id(link_id))

    @get("/organizations", name="openreferral.organizations")
    async def organizations(self, request: Request[Any, Any, Any]) -> Page:
        """Organisations publishing services, one page."""
        return await reads.organizations_page(parse_paging(_params(request)))

    @get("/organizations/{org_id:str}", name="openreferral.organization")
    async def organization(self, org_id: FromPath[str]) -> dict[str, Any]:
        """One organisation with its services."""
        return await reads.organization(reads.parse_id(org_id))

    @get("/taxonomies", name="openreferral.taxonomies")
    async def taxonomies(self, request: Request[Any, Any, Any]) -> Page:
        """Taxonomies, one page."""
        return await reads.taxonomies_page(parse_paging(_params(request)))

    @get("/taxonomies/{taxonomy_id:str}", name="openreferral.taxonomy")
    async def taxonomy(self, taxonomy_id: FromPath[str]) -> dict[str, Any]:
        """One taxonomy with its terms."""
        return await reads.taxonomy(reads.parse_id(taxonomy_id))

    @get("/taxonomy_terms", name="openreferral.taxonomy_terms")
    async def taxonomy_terms(self, request: Request[Any, Any, Any]) -> Page:
        """Taxonomy terms, one page; `taxonomy_id` narrows them to one taxonomy."""
        params = _params(request)
        return await reads.taxonomy_terms_page(parse_paging(params), parse_taxonomy_filter(params))

    @get("/taxonomy_terms/{term_id:str}", name="openreferral.taxonomy_term")
    async def taxonomy_term(self, term_id: FromPath[str]) -> dict[str, Any]:
        """One taxonomy term."""
        return await reads.taxonomy_term(reads.parse_id(term_id))

    @get("/{rest:path}", name="openreferral.unknown")
    async def unknown(self, rest: FromPath[Path]) -> None:
        """Any other path here: not found, answered as the API answers (problem+json, CORS)."""
        msg = f"There is no such endpoint in this API: /{rest}"
        raise NotFound(msg)


class OpenAccessMiddleware(ASGIMiddleware):
    """CORS for any origin (answering preflights itself) and the per-address throttle."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Add the CORS header to every response; refuse a caller over its limit."""
        if scope["type"] != "http":
            await next_app(scope, receive, send)
            return
        if cast("HTTPScope", scope)["method"] == "OPTIONS":
            await _preflight(send)
            return
        state = scope["app"].state
        throttle = state.get(_STATE_KEY)
        if throttle is None:
            throttle = state[_STATE_KEY] = Throttle.from_environment()
        client = scope.get("client")
        wait = throttle.take(client[0] if client else "")
        if wait:
            msg = "Too many requests from this address. Wait, then try again."
            raise TooManyRequests(msg, retry_after=wait)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (key, value)
                    for key, value in message.get("headers", [])
                    if not key.lower().startswith(b"access-control-")
                ]
                headers.extend((k.lower().encode(), v.encode()) for k, v in CORS_HEADERS.items())
                message["headers"] = headers
            await send(message)

        await next_app(scope, receive, send_with_cors)


async def _preflight(send: Send) -> None:
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 204,
        "headers": [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", b"GET, OPTIONS"),
            (b"access-control-allow-headers", b"*"),
            (b"access-control-max-age", b"86400"),
            (b"content-length", b"0"),
        ],
    }
    body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(start)
    await send(body)


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response[Any]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = dict(CORS_HEADERS)
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _app_error(request: Request[Any, Any, Any], exc: WraparoundError) -> Response[Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid) and exc.errors:
        extra["errors"] = exc.errors
    if isinstance(exc, TooManyRequests):
        extra["retry_after"] = exc.retry_after
    return _problem(exc.status_code, exc.title, str(exc), **extra)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 404:
        return _problem(404, "Not found", "There is no such record in this directory.")
    return _problem(exc.status_code, "There is a problem", str(exc.detail))


def _server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _problem(500, "Sorry, there is a problem with the service", "Try again later.")


openreferral_router = Router(
    path="/openreferral",
    route_handlers=[OpenReferralController],
    middleware=[OpenAccessMiddleware()],
    exception_handlers={
        WraparoundError: _app_error,
        HTTPException: _http_error,
        Exception: _server_error,
    },
    include_in_schema=False,
    # Read-only and cookie-free: no CSRF cookie is set on these responses.
    opt={"exclude_from_csrf": True},
)

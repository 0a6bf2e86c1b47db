"""Errors mapped once: HTML error pages for people, problem+json for the API."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template

from hub.errors import Invalid, NotFound, TooManyRequests, WraparoundError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response[Any]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON)


def _error_page(status: int, title: str, detail: str) -> Template:
    return Template(
        template_name="error.html",
        context={"status": status, "title": title, "detail": detail},
        status_code=status,
    )


def _respond(
    request: Request[Any, Any, Any], status: int, title: str, detail: str, **extra: Any
) -> Response[Any]:
    if _wants_json(request):
        return _problem(status, title, detail, **extra)
    response = _error_page(status, title, detail)
    if "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def handle_app_error(request: Request[Any, Any, Any], exc: WraparoundError) -> Response[Any]:
    """Our own errors: status and wording come from the class."""
    if isinstance(exc, NotFound):
        return not_found(request, exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["errors"] = exc.errors
    if isinstance(exc, TooManyRequests):
        extra["retry_after"] = exc.retry_after
    return _respond(request, exc.status_code, exc.title, str(exc), **extra)


def not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Missing and not-allowed records look the same: 404 with the same words."""
    return _respond(
        request,
        404,
        "Page not found",
        "There is nothing here, or you do not have access to it. Check the address.",
    )


def not_signed_in(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Send people to the right sign-in page; the API answers 401."""
    if _wants_json(request):
        return _problem(401, "Sign in required", "Sign in or send a valid API token.")
    target = "/portal/sign-in" if request.url.path.startswith("/portal") else "/sign-in"
    return Redirect(path=target)


def permission_denied(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Role guards and CSRF failures."""
    detail = str(getattr(exc, "detail", "")) or "You do not have permission to do that."
    if "csrf" in detail.lower():
        detail = (
            "This form was out of date or did not come from Wraparound. "
            "Go back, reload the page and try again."
        )
    return _respond(request, 403, "You cannot do that", detail)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Any other framework HTTP error, in our look."""
    if exc.status_code == 404:
        return not_found(request, exc)
    title = "There is a problem" if exc.status_code < 500 else "Sorry, there is a problem"
    return _respond(request, exc.status_code, title, str(exc.detail))


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Unexpected failures: logged, and a plain apology without internals."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, 500, "Sorry, there is a problem with the service", "Try again later.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    WraparoundError: handle_app_error,
    NotFoundException: not_found,
    NotAuthorizedException: not_signed_in,
    PermissionDeniedException: permission_denied,
    HTTPException: http_error,
    Exception: server_error,
}

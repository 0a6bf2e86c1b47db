"""Every API error as problem+json (RFC 9457); refusals say no more than a made-up id would."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from hub.errors import Invalid, NotFound, WraparoundError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
AnyRequest = Request[Any, Any, Any]
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")


def problem(status: int, title: str, detail: str, **extra: Any) -> Response[Any]:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": 'Bearer realm="wraparound"'} if status == 401 else None
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def not_found(request: AnyRequest, exc: Exception) -> Response[Any]:
    """Missing and not-yours look the same."""
    return problem(404, "Not found", "There is nothing here, or your organisation cannot see it.")


def app_error(request: AnyRequest, exc: WraparoundError) -> Response[Any]:
    """Our own errors: status and title come from the class."""
    if isinstance(exc, NotFound):
        return not_found(request, exc)
    if isinstance(exc, Invalid):
        return problem(422, exc.title, str(exc), errors=exc.errors)
    return problem(exc.status_code, exc.title, str(exc))


def not_authorised(request: AnyRequest, exc: Exception) -> Response[Any]:
    """No token, or one that is unknown or revoked: nothing says which."""
    return problem(
        401,
        "Token required",
        "Send a live API token in the header 'Authorization: Bearer <token>'.",
    )


def permission_denied(request: AnyRequest, exc: Exception) -> Response[Any]:
    """A read-only token asked to change something."""
    detail = str(getattr(exc, "detail", "")) or "This token may not do that."
    return problem(403, "Not allowed", detail)


def _field_errors(extra: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "Invalid value"))
        unknown = _UNKNOWN_FIELD.search(message)
        key = unknown.group(1) if unknown else str(item.get("key", "")) or "body"
        errors[key] = "Not allowed here" if unknown else message
    return errors


def invalid_request(request: AnyRequest, exc: ValidationException) -> Response[Any]:
    """A body or parameter that does not fit the schema (unknown fields are refused)."""
    errors = _field_errors(exc.extra) or {"body": "Send a JSON object that fits the schema"}
    return problem(422, "There is a problem", "The request does not fit the schema.", errors=errors)


def http_error(request: AnyRequest, exc: HTTPException) -> Response[Any]:
    """Any other framework error (405, 413, ...)."""
    if exc.status_code == 404:
        return not_found(request, exc)
    return problem(exc.status_code, "There is a problem", str(exc.detail))


def server_error(request: AnyRequest, exc: Exception) -> Response[Any]:
    """Unexpected failures: logged, no internals in the answer."""
    log.exception("unhandled API error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Sorry, there is a problem with the service", "Try again later.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    WraparoundError: app_error,
    NotFoundException: not_found,
    NotAuthorizedException: not_authorised,
    PermissionDeniedException: permission_denied,
    ValidationException: invalid_request,
    HTTPException: http_error,
    Exception: server_error,
}

"""One small hierarchy of errors, mapped once to HTML pages and problem+json."""

from __future__ import annotations


class WraparoundError(Exception):
    """Base of every error the app raises on purpose."""

    status_code = 500
    title = "Something went wrong"


class ConfigurationError(WraparoundError):
    """The environment is missing or has a wrong setting."""

    title = "Configuration error"


class NotFound(WraparoundError):
    """No such record, or one this person may not know exists (they look the same)."""

    status_code = 404
    title = "Page not found"


class Forbidden(WraparoundError):
    """The person is known and the page exists, but their role does not allow this."""

    status_code = 403
    title = "You cannot do that"


class Refused(WraparoundError):
    """The record's state does not allow this now (closed, suspended, not offered, ended).

    Not a race: the message says what the state is. Races are the `Conflict` kind of it.
    """

    status_code = 409
    title = "This cannot be done now"


class Conflict(Refused):
    """The record changed under the request (someone else acted first): races only."""

    title = "Someone else changed this first"


class Invalid(WraparoundError):
    """Input failed validation; `errors` maps field name to a message for that field."""

    status_code = 422
    title = "There is a problem"

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class TooManyRequests(WraparoundError):
    """Too many attempts in a short time (sign-in throttling)."""

    status_code = 429
    title = "Too many attempts"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after

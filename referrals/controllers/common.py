"""What referral pages share: rendering with the display helpers and the lifecycle's words."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.response import Template

from consent import vocabulary
from consent.controllers.common import FORMAT
from hub.errors import Invalid
from hub.web.responses import form_error_page, page
from referrals import lifecycle

AnyRequest = Request[Any, Any, Any]

STATUS_TAGS: dict[str, str] = {
    lifecycle.DRAFT: "govuk-tag--grey",
    lifecycle.REQUESTED: "govuk-tag--blue",
    lifecycle.ACCEPTED: "govuk-tag--turquoise",
    lifecycle.IN_PROGRESS: "govuk-tag--light-blue",
    lifecycle.ON_HOLD: "govuk-tag--yellow",
    lifecycle.COMPLETED: "govuk-tag--green",
    lifecycle.REJECTED: "govuk-tag--red",
    lifecycle.FAILED: "govuk-tag--orange",
    lifecycle.CANCELLED: "govuk-tag--grey",
}
"""GOV.UK tag colour for each status."""

WORDS = SimpleNamespace(
    statuses=lifecycle.STATUS_LABELS,
    status_tags=STATUS_TAGS,
    urgencies=lifecycle.URGENCIES,
    outcomes=lifecycle.OUTCOMES,
    groups=lifecycle.INBOX_GROUPS,
    categories=vocabulary.CATEGORIES,
    category_hints=vocabulary.CATEGORY_HINTS,
    sensitive=vocabulary.SENSITIVE,
    contact_ways=vocabulary.CONTACT_WAYS,
)


def iso_day(value: str) -> str:
    """An ISO date string ("1990-01-02") in words, or the string as it was."""
    try:
        return FORMAT.day(date.fromisoformat(value))
    except ValueError:
        return value


def due(value: datetime | None) -> str:
    """A response deadline (midnight after the last working day) as that last day."""
    if value is None:
        return ""
    return FORMAT.day(value - timedelta(microseconds=1))


FMT = SimpleNamespace(**vars(FORMAT), iso_day=iso_day, due=due)
"""Consent's display helpers, and a few referral pages add."""


def reference(referral_id: UUID) -> str:
    """The short reference people say aloud (the same one notifications use)."""
    return str(referral_id)[:8]


def render(template: str, status_code: int = 200, **context: Any) -> Template:
    """A referral page, with the display helpers (`fmt`) and words (`words`) it uses."""
    return page(template, status_code=status_code, fmt=FMT, words=WORDS, ref=reference, **context)


def render_errors(template: str, error: Invalid, **context: Any) -> Template:
    """A form again, with its error summary (422)."""
    return form_error_page(template, error, fmt=FMT, words=WORDS, ref=reference, **context)

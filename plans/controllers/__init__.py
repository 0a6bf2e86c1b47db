"""Plan pages: the plan, the care team and lead professional, the client's own plan.

`render` and `render_errors` give every plan page the same display helpers (`fmt`) and words
(`vocab`, `tags`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.response import Template

from consent.controllers.common import FORMAT
from hub.errors import Invalid
from hub.web.forms import read_form
from hub.web.responses import form_error_page, page
from plans import vocabulary

AnyRequest = Request[Any, Any, Any]
T = TypeVar("T", bound=msgspec.Struct)

TAGS = SimpleNamespace(
    goal={
        vocabulary.PROPOSED: "govuk-tag--blue",
        vocabulary.AGREED: "govuk-tag--green",
        vocabulary.CLOSED: "govuk-tag--grey",
    },
    action={
        "not_started": "govuk-tag--grey",
        "in_progress": "govuk-tag--light-blue",
        "on_hold": "govuk-tag--yellow",
        "done": "govuk-tag--green",
        "stopped": "govuk-tag--orange",
    },
    priority={1: "govuk-tag--red", 2: "govuk-tag--yellow", 3: "govuk-tag--grey"},
)
"""GOV.UK tag colours for goal and action statuses and priorities."""


def render(template: str, status_code: int = 200, **context: Any) -> Template:
    """A plan page, with the display helpers (`fmt`) and words (`vocab`, `tags`) it uses."""
    return page(
        template, status_code=status_code, fmt=FORMAT, vocab=vocabulary, tags=TAGS, **context
    )


def render_errors(template: str, error: Invalid, **context: Any) -> Template:
    """A page again with its form's error summary (422)."""
    return form_error_page(template, error, fmt=FORMAT, vocab=vocabulary, tags=TAGS, **context)


def suffixed(error: Invalid, suffix: str) -> Invalid:
    """The same error with each field name suffixed, for a form repeated on one page."""
    return Invalid(str(error), {f"{field}-{suffix}": text for field, text in error.errors.items()})


async def read(request: AnyRequest, struct_type: type[T]) -> T:
    """The posted form as `struct_type`; a value of the wrong shape is a form error, not a 500."""
    try:
        return await read_form(request, struct_type)
    except msgspec.ValidationError as exc:
        where = str(exc).rpartition("$.")[2].rstrip("`") if "$." in str(exc) else "form"
        msg = "Check this answer: it was not understood"
        raise Invalid(msg, {where: msg}) from None

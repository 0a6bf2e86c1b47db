"""What consent's pages share: rendering with the display helpers, and refilling forms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.response import Template

from consent import vocabulary
from hub.errors import Invalid
from hub.web.forms import form_values
from hub.web.responses import form_error_page, page

AnyRequest = Request[Any, Any, Any]


def day(value: date | datetime | None) -> str:
    """A calendar day in words: "3 November 2026" (UK time for moments)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = vocabulary.local_date(value)
    return f"{value.day} {value:%B %Y}"


def when(value: datetime | None) -> str:
    """A moment in UK time: "3 November 2026 at 2:05pm"."""
    if value is None:
        return ""
    local = value.astimezone(vocabulary.LONDON)
    hour = local.hour % 12 or 12
    return f"{day(local.date())} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def labels(codes: Iterable[str], words: dict[str, str]) -> list[str]:
    """The words for some codes, in the vocabulary's order."""
    chosen = set(codes)
    return [label for code, label in words.items() if code in chosen]


def join(items: Iterable[str]) -> str:
    """ "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def reference(client_id: UUID) -> str:
    """A short reference staff can read out, with no personal data in it."""
    return client_id.hex[:8].upper()


FORMAT = SimpleNamespace(day=day, when=when, labels=labels, join=join, reference=reference)


def render(template: str, status_code: int = 200, **context: Any) -> Template:
    """A consent page, with the display helpers (`fmt`) and words (`vocab`) it uses."""
    return page(template, status_code=status_code, fmt=FORMAT, vocab=vocabulary, **context)


def render_errors(template: str, error: Invalid, **context: Any) -> Template:
    """A form again, with its error summary (422)."""
    return form_error_page(template, error, fmt=FORMAT, vocab=vocabulary, **context)


def values_of(form: msgspec.Struct) -> dict[str, Any]:
    """A parsed form's values to refill it; dates also as GOV.UK day/month/year parts."""
    values = form_values(form)
    for name, value in list(values.items()):
        if isinstance(value, date):
            values |= {f"{name}-day": value.day, f"{name}-month": value.month}
            values[f"{name}-year"] = value.year
    return values


async def submitted(request: AnyRequest, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The form exactly as posted (for refilling it when it could not even be parsed)."""
    form = await request.form()
    values: dict[str, Any] = {key: form.get(key, "") for key in form}
    for name in lists:
        values[name] = list(form.getall(name, []))
    return values

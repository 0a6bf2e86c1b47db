"""Reading HTML forms into Structs: only declared fields are read, so over-posting is ignored."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, TypeVar, get_type_hints

import msgspec
from litestar import Request

from hub.errors import Invalid
from hub.web.numbers import EARLIEST_YEAR, LATEST_YEAR, calendar_date

T = TypeVar("T", bound=msgspec.Struct)
TRUE_WORDS = {"true", "on", "yes", "1"}


def _date_from_parts(form: Any, name: str) -> date | None:
    parts = [str(form.get(f"{name}-{part}", "")).strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    found = calendar_date(*parts)
    if found is None:
        msg = f"Enter a real date between {EARLIEST_YEAR} and {LATEST_YEAR}, for example 27 3 1985"
        raise Invalid(msg, {name: msg})
    return found


@cache
def _hints(struct_type: type[msgspec.Struct]) -> dict[str, Any]:
    """The Struct's field types (resolved once: each resolution compiles its annotations)."""
    return get_type_hints(struct_type)


async def read_form(request: Request[Any, Any, Any], struct_type: type[T]) -> T:
    """The posted form as `struct_type`.

    A single checkbox becomes a bool, a group of checkboxes (`list[str]`) the values ticked,
    and a GOV.UK date input a date.
    """
    form = await request.form()
    hints = _hints(struct_type)
    values: dict[str, Any] = {}
    for name in struct_type.__struct_fields__:
        hint = hints[name]
        if hint is bool:
            values[name] = form.get(name, "").lower() in TRUE_WORDS
        elif hint in (date, date | None):
            values[name] = _date_from_parts(form, name)
        elif hint == list[str]:
            values[name] = [str(value) for value in form.getall(name, [])]
        elif name in form:
            values[name] = str(form.get(name, ""))
    return msgspec.convert(values, struct_type, strict=False)


def form_values(struct: msgspec.Struct) -> dict[str, Any]:
    """A Struct's fields as a dict, to refill a form after an error."""
    return msgspec.structs.asdict(struct)

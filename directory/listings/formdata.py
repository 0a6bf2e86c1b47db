"""Reading listing forms with checkbox lists and repeated rows into Structs.

Only the Struct's declared fields are read (over-posting is ignored). A `list[str]` field takes
every value posted under its name (checkboxes); a `list[Row]` field takes rows posted as
`<field>-<n>-<sub-field>` (sub-field underscores written as dashes), so `rows-0-opens-1`.
Alongside the Struct comes `values`: what was typed, to put back in the form after an error.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_args, get_origin, get_type_hints

import msgspec
from litestar import Request

from hub.web.forms import TRUE_WORDS

T = TypeVar("T", bound=msgspec.Struct)
MAX_ROWS = 40
MAX_CHOICES = 100


def input_name(field: str, index: int, sub_field: str) -> str:
    """The posted name (and element id) of one cell of a repeated row."""
    return f"{field}-{index}-{sub_field.replace('_', '-')}"


def _rows(form: Any, field: str, row_type: type[msgspec.Struct]) -> list[dict[str, str]]:
    rows = []
    for index in range(MAX_ROWS):
        names = {sub: input_name(field, index, sub) for sub in row_type.__struct_fields__}
        if not any(name in form for name in names.values()):
            continue
        rows.append({sub: str(form.get(name, "")) for sub, name in names.items()})
    return rows


async def read_listing_form(request: Request[Any, Any, Any], struct_type: type[T]) -> T:
    """The posted form as `struct_type`."""
    form = await request.form()
    hints = get_type_hints(struct_type)
    values: dict[str, Any] = {}
    for name in struct_type.__struct_fields__:
        hint = hints[name]
        if hint is bool:
            values[name] = str(form.get(name, "")).lower() in TRUE_WORDS
        elif get_origin(hint) is list:
            (item_type,) = get_args(hint)
            if item_type is str:
                values[name] = [str(value) for value in form.getall(name, [])][:MAX_CHOICES]
            else:
                values[name] = _rows(form, name, item_type)
        elif name in form:
            values[name] = str(form.get(name, ""))
    return msgspec.convert(values, struct_type, strict=False)


def typed_values(form: msgspec.Struct) -> dict[str, Any]:
    """A read form as the values its page fills in (rows flattened to their input names)."""
    values: dict[str, Any] = {}
    for name, value in msgspec.structs.asdict(form).items():
        if isinstance(value, list) and value and isinstance(value[0], msgspec.Struct):
            for index, row in enumerate(value):
                for sub, cell in msgspec.structs.asdict(row).items():
                    values[input_name(name, index, sub)] = cell
        else:
            values[name] = value
    return values

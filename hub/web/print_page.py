"""The printed page's margins: the hub's name and phone number and the date on every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from litestar import get
from litestar.response import Response

from hub import clock
from hub.settings import get_settings
from hub.tables import Organisation

LONDON = ZoneInfo("Europe/London")
PRINT_PAGE_PATH = "/print-page.css"


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: no way out of the quotes, no line breaks."""
    cleaned = " ".join(text.split())
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def printed_on(moment: datetime) -> str:
    """ "5 December 2026", as the hub's clock on the wall says it."""
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def margin_rules(hub_name: str, hub_phone: str, moment: datetime) -> str:
    """@page margin boxes: who to call at the top of every page, the date and page number below."""
    contact = f"{hub_name}: {hub_phone}" if hub_phone else hub_name
    return (
        "@page {\n"
        f"  @top-left {{ content: {css_string(contact)}; }}\n"
        f"  @top-right {{ content: {css_string('Printed ' + printed_on(moment))}; }}\n"
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages); }\n'
        "}\n"
    )


async def hub_name() -> str:
    """HUB_NAME, or the hub organisation's own name."""
    configured = get_settings().hub_name
    if configured:
        return configured
    row = await (
        Organisation.select(Organisation.name)
        .where(Organisation.kind == "hub")
        .order_by(Organisation.created_at)
        .first()
    )
    return str(row["name"]) if row else "Wraparound"


@get(PRINT_PAGE_PATH, name="print_page", cache=False, include_in_schema=False)
async def print_page_css() -> Response[str]:
    """The print-only stylesheet that puts the hub's phone number and the date on each page."""
    rules = margin_rules(await hub_name(), get_settings().hub_phone, clock.now())
    return Response(rules, media_type="text/css")

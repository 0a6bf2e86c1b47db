"""The printed pages' margins: the hub's name and phone number and the date, safely quoted."""

from __future__ import annotations

from datetime import UTC, datetime

from hub import clock
from hub.web.print_page import css_string, margin_rules
from tests.support import make_organisation


def test_text_cannot_leave_its_css_string():
    assert css_string('Hub "A"\\ \n}') == '"Hub \\"A\\"\\\\ }"'


def test_the_margins_name_the_hub_its_phone_and_the_day_in_london():
    rules = margin_rules("Lochee Hub", "01632 960 123", datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert '@top-left { content: "Lochee Hub: 01632 960 123"; }' in rules
    assert '"Printed 1 July 2026"' in rules  # half past midnight in summer time
    assert "counter(pages)" in rules


async def test_the_stylesheet_names_the_hub_organisation_and_is_never_cached(client):
    await make_organisation("Lochee Hub", kind="hub")
    clock.freeze(datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    response = await client.get("/print-page.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "no-store" in response.headers["cache-control"]
    assert '"Lochee Hub"' in response.text
    assert '"Printed 5 December 2026"' in response.text

"""The report pages: charts beside tables, small numbers withheld in page, chart and CSV;
publishing and the partners side by side; feedback from a link with no sign-in."""

from __future__ import annotations

import csv
import io
import re

from directory.tables import SignpostList
from hub.settings import ROOT
from reports.tables import Feedback
from tests.reports.monitoring_data import january
from tests.support import post_form, sign_in

JANUARY = "month=2027-01"
SCSS = ROOT / "static" / "scss" / "app.scss"


def _table_cell(html: str, label: str) -> str:
    match = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>',
        html,
    )
    assert match, label
    return match.group(1)


async def test_small_numbers_are_withheld_in_page_chart_and_csv(client) -> None:
    data = await january()
    await sign_in(client, data.hub.manager.email)
    page = await client.get(f"/reports?{JANUARY}")
    assert page.status_code == 200
    html = page.text
    assert _table_cell(html, "SMART Recovery group") == "9"
    assert _table_cell(html, "Declined") == "fewer than 5"
    assert _table_cell(html, "Completed") == "fewer than 5"
    # The chart: the number in words, and no bar whose length would tell it.
    chart = re.search(
        r"<svg[^>]*>(?:(?!</svg>).)*chart-referrals-outcomes-title.*?</svg>", html, re.S
    )
    assert chart is not None
    svg = chart.group(0)
    assert ">fewer than 5</text>" in svg
    assert svg.count("<rect") == 2  # Sent 7 and Accepted 5 only
    assert "Too crowded" in html  # the hub's staff read the words

    download = await client.get(f"/reports/report.csv?{JANUARY}")
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert ["Referrals", "What became of referrals sent", "Declined", "fewer than 5"] in rows
    assert ["Visits", "Attendance by session", "SMART Recovery group", "9"] in rows
    for row in rows[1:]:
        count = row[3]
        assert not (count.isdigit() and 0 < int(count) < 5), row
    one = await client.get(f"/reports/report.csv?{JANUARY}&figure=visits-by-session")
    assert len(list(csv.reader(io.StringIO(one.text)))) == 3


async def test_bad_ranges_and_empty_months_never_fail(client) -> None:
    data = await january()
    await sign_in(client, data.hub.manager.email)
    backwards = await client.get("/reports?from=2027-02-01&to=2027-01-01")
    assert backwards.status_code == 422
    assert "The last day must be the same as or after the first day" in backwards.text
    empty = await client.get("/reports?month=2031-01")
    assert empty.status_code == 200
    assert "No data for this period" in empty.text
    # Said once per empty figure (by its chart), not twice over.
    assert empty.text.count("No data for this period") == empty.text.count(": no data</title>")
    assert (await client.get("/reports?month=nonsense")).status_code == 422
    summary = await client.get(f"/reports/summary?{JANUARY}")
    assert summary.status_code == 200
    assert "January 2027" in summary.text


async def test_a_partner_publishes_its_month_and_the_hub_sees_it_side_by_side(
    client, other_client
) -> None:
    data = await january()
    await sign_in(client, data.hub.partner_admin.email)
    own = await client.get(f"/reports?{JANUARY}")
    assert own.status_code == 200
    assert "Social afternoon" not in own.text  # the hub's own session
    assert "Too crowded" not in own.text
    published = await post_form(
        client, "/reports/publish", {"month": "2027-01"}, form_page=f"/reports?{JANUARY}"
    )
    assert published.status_code == 303
    landed = await client.get(published.headers["location"])
    assert "govuk-notification-banner--success" in landed.text  # said at the top, not the fold
    assert "January 2027 is published" in landed.text
    async with other_client() as manager:
        await sign_in(manager, data.hub.manager.email)
        side = await manager.get("/reports/partners?month=2027-01")
        assert side.status_code == 200
        assert "Recovery Dundee" in side.text
        assert "What became of referrals sent: Sent" in side.text
        # A column per partner: on a phone the table scrolls in its own keyboard-reachable region.
        assert re.search(
            r'<div class="wa-scroll" role="region" aria-label="[^"]+" tabindex="0">\s*<table',
            side.text,
        )
        assert re.search(r"\.wa-scroll \{[^}]*overflow-x: auto;", SCSS.read_text())
        one = await manager.get(f"/reports?{JANUARY}&scope={data.hub.partner.id}")
        assert one.status_code == 200
        assert "SMART Recovery group" in one.text
        assert "Social afternoon" not in one.text


async def test_feedback_from_a_link_needs_no_sign_in_and_stays_out_of_the_api(client) -> None:
    data = await january()
    path = f"/feedback/session/{data.social.id}"
    form = await client.get(path)
    assert form.status_code == 200
    refused = await post_form(client, path, {"rating": "9"})
    assert refused.status_code == 422
    assert "Choose a rating from 1 to 5" in refused.text
    thanks = await post_form(client, path, {"rating": "4", "comment": "Lovely tea"})
    assert thanks.status_code == 200
    assert await Feedback.count().where(Feedback.comment == "Lovely tea") == 1
    assert (await client.get("/feedback/session/not-a-session")).status_code == 404
    api = await client.get(f"/openreferral/services/{data.social.service_id}")
    assert "Lovely tea" not in api.text
    await sign_in(client, data.hub.worker.email)
    sheet = await client.get(f"/sessions/{data.social.id}/feedback-sheet")
    assert sheet.status_code == 200
    assert "<svg" in sheet.text
    assert f"/feedback/session/{data.social.id}" in sheet.text


async def test_the_signposting_sheet_carries_its_feedback_link(client) -> None:
    data = await january()
    handed = await SignpostList.select(SignpostList.id).where(SignpostList.token == "t-january")
    await sign_in(client, data.hub.worker.email)
    sheet = await client.get(f"/directory/list/{handed[0]['id']}/print")
    assert "/feedback/signposting/t-january" in sheet.text
    given = await post_form(client, "/feedback/signposting/t-january", {"rating": "5"})
    assert given.status_code == 200
    assert await Feedback.count().where(Feedback.about == "signposting") == 1

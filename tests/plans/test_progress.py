"""Progress: each area's ratings over the reviews, and the chart and table drawn from them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hub.web.templating import build_environment
from plans import chart, progress, reviews
from plans.access import plan_access
from plans.progress import Point
from tests.plans.factories import Team
from tests.plans.test_reviews import TODAY, led_team, review_form

SVG = "{http://www.w3.org/2000/svg}"


async def _three_reviews() -> Team:
    t = await led_team()
    days = [TODAY - timedelta(weeks=12), TODAY - timedelta(weeks=6), TODAY]
    scores = [("3", "4", "5"), ("5", "", "5"), ("8", "7", "")]
    for held, (home, worker_home, money) in zip(days, scores, strict=True):
        fields = {"client_home": home, "worker_home": worker_home}
        if money:
            fields["client_money"] = money
        await reviews.record_review(t.net.recipient, t.net.client.id, review_form(held, **fields))
    return t


async def test_progress_is_each_areas_history_oldest_first() -> None:
    t = await _three_reviews()
    found = await progress.progress(t.net.client.id)
    assert found.reviews == 3
    assert [a.area for a in found.areas] == ["home", "money"]
    home, money = found.areas
    assert [(p.held_on, p.client_score, p.worker_score) for p in home.points] == [
        (TODAY - timedelta(weeks=12), 3, 4),
        (TODAY - timedelta(weeks=6), 5, None),
        (TODAY, 8, 7),
    ]
    assert home.change == 5
    assert [p.client_score for p in money.points] == [5, 5]
    assert money.points[-1].held_on == TODAY - timedelta(weeks=6)


async def test_progress_only_for_whole_plan_readers() -> None:
    t = await _three_reviews()
    client = await progress.progress_for(await plan_access(t.client_principal, t.net.client.id))
    assert client.client_view
    assert len(client.areas) == 2
    assert ">You<" in client.areas[0].svg
    peer = await progress.progress_for(await plan_access(t.third_principal, t.net.client.id))
    assert peer.areas == []


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, checked to be well-formed XML


def _points(*rows: tuple[date, int, int | None]) -> list[Point]:
    return [Point(held_on=d, client_score=c, worker_score=w) for d, c, w in rows]


def test_chart_is_accessible_svg_that_scales() -> None:
    points = _points(
        (date(2026, 9, 1), 3, 4), (date(2026, 10, 13), 5, None), (date(2026, 11, 24), 8, 7)
    )
    svg = chart.area_chart("home", "Where I live", points)
    root = _parse(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox") == f"0 0 {chart.WIDTH} {chart.HEIGHT}"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert desc.text is not None
    assert "3 on 1 September 2026, 5 on 13 October 2026, 8 on 24 November 2026" in desc.text
    assert "4 on 1 September 2026, 7 on 24 November 2026" in desc.text
    assert "style=" not in svg  # the CSP allows no inline styles


def test_chart_tells_lines_apart_without_colour() -> None:
    points = _points(
        (date(2026, 9, 1), 3, 4), (date(2026, 10, 13), 5, None), (date(2026, 11, 24), 8, 7)
    )
    root = _parse(chart.area_chart("home", "Where I live", points))
    lines = root.findall(f"{SVG}polyline")
    solid = [line for line in lines if line.get("stroke-dasharray") is None]
    dashed = [line for line in lines if line.get("stroke-dasharray")]
    assert len(solid) == 1  # the client's ratings, all three joined
    assert len(solid[0].get("points", "").split()) == 3
    assert dashed == []  # the worker's two ratings are not next to each other: no line
    assert len(root.findall(f"{SVG}circle")) == 3  # the client's markers
    assert len(root.findall(f"{SVG}rect")) == 2  # the worker's markers
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert {"Client", "Worker", "1 Sep 2026", "24 Nov 2026"} <= set(labels)


def test_chart_draws_higher_scores_higher_and_time_to_scale() -> None:
    points = _points(
        (date(2026, 9, 1), 2, 2), (date(2026, 9, 29), 9, 6), (date(2026, 11, 24), 9, 6)
    )
    root = _parse(chart.area_chart("money", "Money", points))
    client = next(p for p in root.findall(f"{SVG}polyline") if not p.get("stroke-dasharray"))
    xy = [tuple(float(n) for n in pair.split(",")) for pair in client.get("points", "").split()]
    assert xy[1][1] < xy[0][1]  # 9 is drawn above 2
    assert xy[1][1] == xy[2][1]
    first_gap, second_gap = xy[1][0] - xy[0][0], xy[2][0] - xy[1][0]
    assert abs(second_gap / first_gap - 2) < 0.01  # 8 weeks is twice as wide as 4
    assert len([p for p in root.findall(f"{SVG}polyline") if p.get("stroke-dasharray")]) == 1


def test_chart_escapes_text_and_copes_with_one_review() -> None:
    svg = chart.area_chart("x", 'Rent & "bills" <b>', _points((date(2026, 11, 2), 4, None)))
    root = _parse(svg)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Rent & "bills" <b>: ratings at each review'
    assert "<b>" not in svg
    assert len(root.findall(f"{SVG}circle")) == 1
    assert root.findall(f"{SVG}polyline") == []
    assert chart.area_chart("x", "Nothing", []) == ""


async def test_progress_partial_shows_chart_and_the_same_numbers_in_a_table() -> None:
    t = await _three_reviews()
    found = await progress.progress(t.net.client.id)
    html = build_environment().get_template("plans/_progress.html").render(progress=found)
    assert html.count("<svg") == 2
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tables) == 2
    cells = re.findall(r'cell--numeric">([^<]*)<', tables[0])
    assert cells == ["3", "4", "5", "Not rated", "8", "7"]
    assert "10 August 2026" in tables[0]  # 12 weeks before 2 November
    empty = progress.Progress(areas=[], reviews=0)
    assert "after the first review" in build_environment().get_template(
        "plans/_progress.html"
    ).render(progress=empty)

"""The report charts and their rows: labels that fit inside the drawing, even for long service
names, and withheld counts in an order that gives nothing away."""

from __future__ import annotations

import re

from reports.charts import WIDTH, bar_chart
from reports.counting import rows_by_count
from reports.schemas import Figure, Row

LONG_NAME = "Substance use treatment clinic at the hub"
AVERAGE_GLYPH = 0.55
"""A sans-serif glyph is on average a little over half the font size wide."""


def _labels(svg: str) -> list[tuple[float, str]]:
    return [
        (float(x), text)
        for x, text in re.findall(r'<text x="([\d.]+)"[^>]*class="wa-chart__label">([^<]*)<', svg)
    ]


def test_long_labels_are_whole_and_inside_the_chart() -> None:
    figure = Figure(
        key="services",
        title="Services signposted to",
        rows=[Row(label=LONG_NAME, count=12), Row(label="Job club", count=3)],
    )
    svg = bar_chart(figure)

    font_size = float(re.search(r'<svg[^>]*font-size="([\d.]+)"', svg).group(1))
    assert "text-anchor" not in svg  # anchored at their start: nothing runs off the left edge
    labels = _labels(svg)
    assert [text for _, text in labels] == [LONG_NAME, "Job club"]
    for x, text in labels:
        assert x >= 0
        assert x + len(text) * font_size * AVERAGE_GLYPH <= WIDTH
    assert "fewer than 5" in svg
    assert svg.count("<rect") == 1  # the withheld count draws no bar


def test_withheld_counts_are_listed_as_equals_so_their_order_tells_nothing() -> None:
    rows = rows_by_count({"Zumba": 4, "Art club": 1, "Job club": 9, "Choir": 3, "Quiz": 0})
    assert [row.label for row in rows] == ["Job club", "Art club", "Choir", "Zumba", "Quiz"]

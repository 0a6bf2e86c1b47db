"""Server-rendered SVG bar charts: every bar labelled in words and numbers, so no colour is needed.

A count the small-number rule withholds gets no bar (its length would tell) and the words
"fewer than 5" where the number would be. A figure with nothing in it says "No data".
"""

from __future__ import annotations

from html import escape

from consent import small_numbers
from reports.schemas import Figure

WIDTH = 640
LABEL_WIDTH = 250
BAR_SPACE = 290
ROW_HEIGHT = 26
LONGEST_LABEL = 38


def _label(text: str) -> str:
    return text if len(text) <= LONGEST_LABEL else text[: LONGEST_LABEL - 1] + "…"


def bar_chart(figure: Figure) -> str:
    """The figure as an SVG bar chart (a string of markup, already escaped)."""
    chart_id = f"chart-{escape(figure.key)}"
    title = escape(figure.title)
    if figure.empty:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="wa-chart" role="img" '
            f'aria-labelledby="{chart_id}-title" viewBox="0 0 {WIDTH} 40" width="100%">'
            f'<title id="{chart_id}-title">{title}: no data</title>'
            f'<text x="0" y="24" font-size="16" class="wa-chart__empty">'
            "No data for this period</text>"
            "</svg>"
        )
    biggest = max(
        [row.count for row in figure.rows if not row.suppressed] + [small_numbers.SMALLEST_SHOWN]
    )
    height = ROW_HEIGHT * len(figure.rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wa-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%">',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">Bar chart. The numbers are in the table beside it.</desc>',
    ]
    for index, row in enumerate(figure.rows):
        y = index * ROW_HEIGHT + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" '
            f'class="wa-chart__label">{escape(_label(row.label))}</text>'
        )
        length = 0 if row.suppressed else round(BAR_SPACE * row.count / biggest)
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 8}" '
                f'fill="#1d70b8" class="wa-chart__bar"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 17}" '
            f'class="wa-chart__value">{escape(row.shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""Server-rendered SVG bar charts: every bar labelled in words and numbers, so no colour is needed.

A count the small-number rule withholds gets no bar (its length would tell) and the words
"fewer than 5" where the number would be. A figure with nothing in it says "No data".
Each label sits on its own line above its bar, left-aligned, so long service names fit and
the chart stays readable on a phone (where it is drawn about 340 pixels wide).
"""

from __future__ import annotations

from html import escape

from consent import small_numbers
from reports.schemas import Figure

WIDTH = 400
BAR_SPACE = 300
ROW_HEIGHT = 44
LONGEST_LABEL = 48
FONT = 'font-family="Arial, Helvetica, sans-serif" font-size="15"'


def _label(text: str) -> str:
    return text if len(text) <= LONGEST_LABEL else text[: LONGEST_LABEL - 1] + "…"


def bar_chart(figure: Figure) -> str:
    """The figure as an SVG bar chart (a string of markup, already escaped)."""
    chart_id = f"chart-{escape(figure.key)}"
    title = escape(figure.title)
    if figure.empty:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="wa-chart" role="img" '
            f'aria-labelledby="{chart_id}-title" viewBox="0 0 {WIDTH} 40" width="100%" {FONT}>'
            f'<title id="{chart_id}-title">{title}: no data</title>'
            f'<text x="0" y="24" class="wa-chart__empty">'
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
        f'width="100%" {FONT}>',
        f'<title id="{chart_id}-title">{title}</title>',
        f'<desc id="{chart_id}-desc">Bar chart. The numbers are in the table beside it.</desc>',
    ]
    for index, row in enumerate(figure.rows):
        y = index * ROW_HEIGHT + 4
        parts.append(
            f'<text x="0" y="{y + 14}" class="wa-chart__label">{escape(_label(row.label))}</text>'
        )
        length = 0 if row.suppressed else round(BAR_SPACE * row.count / biggest)
        if length:
            parts.append(
                f'<rect x="0" y="{y + 20}" width="{length}" height="16" '
                f'fill="#1d70b8" class="wa-chart__bar"/>'
            )
        parts.append(
            f'<text x="{length + 6}" y="{y + 33}" class="wa-chart__value">'
            f"{escape(row.shown)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

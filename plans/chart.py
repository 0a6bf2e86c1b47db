"""Server-drawn SVG line charts of one wellbeing area's ratings over the reviews (no script).

Readable without colour: the client's line is solid with filled circles, the worker's dashed
with hollow squares, and each line is labelled where it ends. The SVG scales to its container
(viewBox, width 100%), names itself with <title> and <desc>, and only uses presentation
attributes (the content security policy forbids inline styles). Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Protocol

WIDTH = 360
HEIGHT = 220
LEFT = 34
RIGHT = 290
TOP = 16
BOTTOM = 178
LOWEST = 1
HIGHEST = 10
MIN_LABEL_GAP = 70
CLIENT_COLOUR = "#1d70b8"
WORKER_COLOUR = "#505a5f"
GRID_COLOUR = "#b1b4b6"
TEXT_COLOUR = "#0b0c0c"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


class ChartPoint(Protocol):
    """One review's ratings: the date and the client's and the worker's scores."""

    @property
    def held_on(self) -> date: ...

    @property
    def client_score(self) -> int: ...

    @property
    def worker_score(self) -> int | None: ...


def long_day(value: date) -> str:
    """ "3 November 2026"."""
    return f"{value.day} {value:%B %Y}"


def short_day(value: date) -> str:
    """ "3 Nov 2026", for axis labels."""
    return f"{value.day} {value:%b %Y}"


def _x_positions(days: Sequence[date]) -> list[float]:
    """Spread the reviews along the x axis in proportion to the time between them."""
    if not days:
        return []
    first, last = days[0], days[-1]
    span = (last - first).days
    if span == 0:
        middle = (LEFT + 12 + RIGHT - 12) / 2
        return [middle for _ in days]
    inner_left, inner_right = LEFT + 12, RIGHT - 12
    return [inner_left + (d - first).days / span * (inner_right - inner_left) for d in days]


def _y(score: float) -> float:
    return BOTTOM - (score - LOWEST) / (HIGHEST - LOWEST) * (BOTTOM - TOP)


def _grid() -> list[str]:
    parts = []
    for score in range(LOWEST, HIGHEST + 1):
        y = _y(score)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="{1 if score in (1, 5, 10) else 0.5}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_COLOUR}">{score}</text>'
        )
    return parts


def _date_labels(days: Sequence[date], xs: Sequence[float]) -> list[str]:
    """First and last dates always; those between only where they do not crowd."""
    chosen = [0]
    for index in range(1, len(xs) - 1):
        if xs[index] - xs[chosen[-1]] >= MIN_LABEL_GAP and xs[-1] - xs[index] >= MIN_LABEL_GAP:
            chosen.append(index)
    if len(xs) > 1 and xs[-1] - xs[0] >= 1:
        chosen.append(len(xs) - 1)
    parts = []
    for position, index in enumerate(chosen):
        anchor = "middle"
        if len(chosen) > 1 and position == 0:
            anchor = "start"
        elif len(chosen) > 1 and position == len(chosen) - 1:
            anchor = "end"
        x = xs[index]
        parts.append(
            f'<line x1="{x:.1f}" y1="{BOTTOM}" x2="{x:.1f}" y2="{BOTTOM + 5}" '
            f'stroke="{TEXT_COLOUR}" stroke-width="1"/>'
        )
        text_x = x - 12 if anchor == "start" else x + 12 if anchor == "end" else x
        parts.append(
            f'<text x="{text_x:.1f}" y="{BOTTOM + 20}" text-anchor="{anchor}" font-size="12" '
            f'fill="{TEXT_COLOUR}">{escape(short_day(days[index]))}</text>'
        )
    return parts


def _runs(values: Sequence[float | None], xs: Sequence[float]) -> list[list[tuple[float, float]]]:
    """Unbroken stretches of rated reviews (a missing worker rating breaks the line)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, value in zip(xs, values, strict=True):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((x, _y(value)))
    return [run for run in runs if run]


def _line(run: Sequence[tuple[float, float]], colour: str, width: int, dashes: str) -> str:
    if len(run) < 2:
        return ""
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return (
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}"'
        f' stroke-linejoin="round"{dash}/>'
    )


def _circle(x: float, y: float) -> str:
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{CLIENT_COLOUR}"/>'


def _square(x: float, y: float) -> str:
    return (
        f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="none" '
        f'stroke="{WORKER_COLOUR}" stroke-width="2"/>'
    )


def _end_labels(
    client_end: float | None, worker_end: float | None, names: tuple[str, str]
) -> list[str]:
    """Name each line beside its last point, nudged apart when the two meet."""
    ends = [
        (y, name, colour)
        for y, name, colour in (
            (client_end, names[0], CLIENT_COLOUR),
            (worker_end, names[1], WORKER_COLOUR),
        )
        if y is not None
    ]
    if len(ends) == 2 and abs(ends[0][0] - ends[1][0]) < 14:
        middle = (ends[0][0] + ends[1][0]) / 2
        upper_first = ends[0][0] <= ends[1][0]
        ends[0] = (middle - 7 if upper_first else middle + 7, ends[0][1], ends[0][2])
        ends[1] = (middle + 7 if upper_first else middle - 7, ends[1][1], ends[1][2])
    return [
        f'<text x="{RIGHT + 8}" y="{y + 4:.1f}" font-size="13" font-weight="bold" '
        f'fill="{colour}">{escape(name)}</text>'
        for y, name, colour in ends
    ]


def describe(label: str, points: Sequence[ChartPoint], *, client_view: bool = False) -> str:
    """The chart in words, for its <desc> (and anyone who cannot see it)."""
    whose = "Your" if client_view else "The client's"
    client = ", ".join(f"{p.client_score} on {long_day(p.held_on)}" for p in points)
    worker_points = [p for p in points if p.worker_score is not None]
    text = (
        f"{label}, rated at each review from 1 (as bad as it could be) to 10 (the best it "
        f"could be). {whose} ratings: {client}."
    )
    if worker_points:
        worker = ", ".join(f"{p.worker_score} on {long_day(p.held_on)}" for p in worker_points)
        text += f" The worker's ratings: {worker}."
    return text


def area_chart(
    area: str, label: str, points: Sequence[ChartPoint], *, client_view: bool = False
) -> str:
    """One area's ratings over the reviews as an SVG line chart (an empty string with none)."""
    if not points:
        return ""
    ident = escape(f"progress-{area}", quote=True)
    days = [p.held_on for p in points]
    xs = _x_positions(days)
    client_values: list[float | None] = [float(p.client_score) for p in points]
    worker_values: list[float | None] = [
        None if p.worker_score is None else float(p.worker_score) for p in points
    ]
    names = ("You" if client_view else "Client", "Worker")
    words = describe(label, points, client_view=client_view)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" class="wa-chart" '
        f'font-family="{FONT}">',
        f'<title id="{ident}-title">{escape(label)}: ratings at each review</title>',
        f'<desc id="{ident}-desc">{escape(words)}</desc>',
        *_grid(),
        *_date_labels(days, xs),
    ]
    for run in _runs(worker_values, xs):
        parts.append(_line(run, WORKER_COLOUR, 2, "6 4"))
    for run in _runs(client_values, xs):
        parts.append(_line(run, CLIENT_COLOUR, 3, ""))
    # Hollow squares drawn last and larger, so a worker rating equal to the client's still shows.
    for run in _runs(client_values, xs):
        parts.extend(_circle(x, y) for x, y in run)
    for run in _runs(worker_values, xs):
        parts.extend(_square(x, y) for x, y in run)
    worker_end = next((v for v in reversed(worker_values) if v is not None), None)
    parts.extend(
        _end_labels(
            _y(client_values[-1] or LOWEST),
            None if worker_end is None else _y(worker_end),
            names,
        )
    )
    parts.append("</svg>")
    return "".join(part for part in parts if part)

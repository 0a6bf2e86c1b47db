"""The connections map as server-rendered SVG: the client in the middle, one ring for each
closeness (close, some, distant), each connection a numbered dot on its ring.

Readable without colour: each ring is labelled in words and drawn differently (solid, dashed,
dotted), connections the client wants more of are drawn as a square with a plus, and the
numbers match the list beside the map. No names go into the picture: the list carries them,
so the markup holds only numbers we made.
"""

from __future__ import annotations

import math

from markupsafe import Markup

from plans.connections import ConnectionView

SIZE = 440
CENTRE = SIZE / 2
RINGS = {"close": 70.0, "some": 135.0, "distant": 200.0}
RING_STYLE = {
    "close": 'stroke-width="3"',
    "some": 'stroke-width="2" stroke-dasharray="8 6"',
    "distant": 'stroke-width="2" stroke-dasharray="2 6"',
}
RING_WORDS = {"close": "Close", "some": "Some", "distant": "Distant"}


INK = 'fill="#ffffff" stroke="#0b0c0c" stroke-width="2"'
BOLD = 'font-weight="bold" fill="#0b0c0c"'


def _dot(item: ConnectionView, x: float, y: float) -> str:
    label = (
        f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" {BOLD}>'
        f"{item.number}</text>"
    )
    if item.wants_more:
        shape = f'<rect x="{x - 14:.1f}" y="{y - 14:.1f}" width="28" height="28" {INK}/>'
        plus = f'<text x="{x + 18:.1f}" y="{y - 10:.1f}" font-size="16" {BOLD}>+</text>'
        return shape + label + plus
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="14" {INK}/>' + label


def connections_svg(items: list[ConnectionView], centre_words: str) -> Markup:
    """The map for these connections; `centre_words` is "You" or "Client"."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="100%" '
        'role="img" aria-labelledby="wa-map-title wa-map-desc" class="wa-connections-map">',
        '<title id="wa-map-title">Connections map</title>',
        f'<desc id="wa-map-desc">{len(items)} connections in rings by how close they feel; '
        "the numbered list beside the map names each one.</desc>",
    ]
    for closeness, radius in RINGS.items():
        parts.append(
            f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{radius}" fill="none" stroke="#505a5f" '
            f"{RING_STYLE[closeness]}/>"
        )
        parts.append(
            f'<text x="{CENTRE}" y="{CENTRE - radius + 16:.1f}" text-anchor="middle" '
            f'font-size="13" fill="#0b0c0c">{RING_WORDS[closeness]}</text>'
        )
    parts.append(
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="28" fill="#0b0c0c"/>'
        f'<text x="{CENTRE}" y="{CENTRE + 5}" text-anchor="middle" font-size="14" '
        f'font-weight="bold" fill="#ffffff">{Markup.escape(centre_words)}</text>'
    )
    for closeness, radius in RINGS.items():
        on_ring = [item for item in items if item.closeness == closeness]
        for index, item in enumerate(on_ring):
            # Start at the right and go round, leaving the top free for the ring's label.
            angle = math.radians(20 + index * (320 / max(len(on_ring), 1)))
            x = CENTRE + radius * math.cos(angle)
            y = CENTRE + radius * math.sin(angle)
            parts.append(_dot(item, x, y))
    parts.append("</svg>")
    # Only numbers we made and the escaped centre words are in it.
    return Markup("".join(parts))  # noqa: S704

"""The data-model diagram: objects on an ellipse, one curve per related pair, as inline SVG.

A deterministic layout in pure Python (no system binary): objects sorted by name are placed at
equal angles; each pair of related objects gets one quadratic curve bent towards the centre.
Every name reaches the SVG through :func:`markupsafe.escape`; links go to our own page names.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from codegen.docs.model import ObjectDoc

__all__ = ["diagram_svg"]

_CHAR = 7.2  # average glyph width of the 12px sans-serif label, in px
_BOX_H = 24


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _ellipse(
    objects: tuple[ObjectDoc, ...], rx: float, ry: float
) -> dict[str, tuple[float, float]]:
    n = len(objects)
    return {
        o.name: (
            rx * math.cos(2 * math.pi * i / n - math.pi / 2),
            ry * math.sin(2 * math.pi * i / n - math.pi / 2),
        )
        for i, o in enumerate(objects)
    }


def _overlap(centres: dict[str, tuple[float, float]], widths: dict[str, float]) -> bool:
    names = list(centres)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (xa, ya), (xb, yb) = centres[a], centres[b]
            if abs(xa - xb) < (widths[a] + widths[b]) / 2 + 6 and abs(ya - yb) < _BOX_H + 6:
                return True
    return False


def diagram_svg(objects: tuple[ObjectDoc, ...], prefix: str = "") -> Markup:
    """The ``<svg>`` element; ``prefix`` is the path from the page to the site root."""
    n = len(objects)
    if n == 0:
        return Markup('<svg class="diagram" role="img" aria-label="no objects"></svg>')
    widths = {o.name: len(o.name) * _CHAR + 20 for o in objects}
    widest = max(widths.values())
    # an ellipse, grown until no two boxes overlap (deterministic: a fixed number of steps)
    rx = max(220.0, sum(widths.values()) / (2 * math.pi))
    ry = max(160.0, n * (_BOX_H + 18) / (2 * math.pi))
    for _ in range(40):
        centres = _ellipse(objects, rx, ry)
        if not _overlap(centres, widths):
            break
        rx, ry = rx * 1.08, ry * 1.08
    width = 2 * rx + widest + 40
    height = 2 * ry + _BOX_H + 40
    cx, cy = width / 2, height / 2
    pos = {name: (cx + x, cy + y) for name, (x, y) in centres.items()}
    pairs: dict[tuple[str, str], bool] = {}
    for o in objects:
        for r in o.outgoing:
            if r.target in pos and r.target != r.source:
                key = (min(r.source, r.target), max(r.source, r.target))
                pairs[key] = pairs.get(key, False) or r.many
    parts = [
        f'<svg class="diagram" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
        f'role="img" aria-label="Data model: {n} objects, {len(pairs)} relations">'
    ]
    parts.append('<g class="edges">')
    for a, b in sorted(pairs):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        qx, qy = mx + (cx - mx) * 0.45, my + (cy - my) * 0.45
        parts.append(
            f'<path d="M{_num(x1)},{_num(y1)} Q{_num(qx)},{_num(qy)} {_num(x2)},{_num(y2)}">'
            f"<title>{escape(a)} \u2013 {escape(b)}</title></path>"
        )
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for o in objects:
        x, y = pos[o.name]
        w = widths[o.name]
        cls = "node custom" if o.custom else "node"
        parts.append(
            f'<a href="{escape(prefix)}objects/{escape(o.slug)}.html" class="{cls}">'
            f'<rect x="{_num(x - w / 2)}" y="{_num(y - _BOX_H / 2)}" width="{_num(w)}" '
            f'height="{_BOX_H}" rx="5"></rect>'
            f'<text x="{_num(x)}" y="{_num(y + 4)}" text-anchor="middle">{escape(o.name)}</text>'
            "</a>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))

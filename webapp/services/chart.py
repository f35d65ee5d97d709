"""The points of each group through the day, drawn as an SVG line chart (no JavaScript)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from xml.sax.saxutils import escape

from webapp.domain.scoring import Row, points_over_time

WIDTH, HEIGHT, PAD = 1200, 600, 60


def rank_chart_svg(
    rows: list[Row], colours: dict[int, str], start: datetime, end: datetime, zone: tzinfo
) -> str:
    series = points_over_time(rows)
    values = [float(v) for points in series.values() for _, v in points] + [0.0]
    low, high = min(values), max(values) or 1.0
    span = (end - start).total_seconds() or 1.0

    def x(at: datetime) -> float:
        return PAD + (WIDTH - 2 * PAD) * min(max((at - start).total_seconds() / span, 0), 1)

    def y(value: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / ((high - low) or 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="sans-serif" font-size="18">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<line x1="{PAD}" y1="{y(0):.1f}" x2="{WIDTH - PAD}" y2="{y(0):.1f}" stroke="#999"/>',
    ]
    for hour in range(0, int(span // 3600) + 1):
        at = start.timestamp() + hour * 3600
        moment = datetime.fromtimestamp(at, zone)
        parts.append(
            f'<text x="{x(moment):.1f}" y="{HEIGHT - 20}" text-anchor="middle" '
            f'fill="#555">{moment:%H:%M}</text>'
        )
    for row in rows:
        points = [(start, 0.0)] + [(at, float(v)) for at, v in series.get(row.group_id, [])]
        path = " ".join(f"{x(at):.1f},{y(v):.1f}" for at, v in points)
        colour = escape(colours.get(row.group_id, "#333"))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="4" points="{path}"/>')
        last_x, last_y = x(points[-1][0]), y(points[-1][1])
        parts.append(
            f'<text x="{last_x + 6:.1f}" y="{last_y:.1f}" fill="{colour}">'
            f"{escape(row.name)} {float(row.total):g}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)

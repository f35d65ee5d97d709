"""The points of each group through the day, drawn as an SVG step chart (no JavaScript).

Points change at the moment they are earned, so each line is a staircase: flat until a
change, then straight up or down. The lines stop at `until` (now, or the freeze): the chart
shows nothing the standings beside it do not. Every text is escaped: it is also opened on
its own, where a browser would run a script in it.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, tzinfo
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from webapp.domain.scoring import Row, points_over_time
from webapp.domain.windows import tz_abbreviation

WIDTH, HEIGHT = 1200, 600
LEFT, RIGHT, TOP, BOTTOM = 70, 320, 50, 50  # the plot's margins: axes, end labels, title
LABEL_GAP, MIN_LABEL_GAP = 24, 12
NAME_CHARS, POINTS_WIDTH = 16, 56
COLOUR = re.compile(r"^#[0-9a-fA-F]{3,8}$")
HOURS = (1, 2, 3, 6)


def rank_chart_svg(
    rows: list[Row],
    colours: dict[int, str],
    start: datetime,
    end: datetime,
    timezone: str,
    *,
    until: datetime,
    title: str = "",
) -> str:
    """The chart of `rows` (only those the room may see) from `start` to `end` on the
    event's clock, its lines drawn up to `until`."""
    zone = ZoneInfo(timezone)
    until = min(max(until, start), end)
    series = {
        row.group_id: [(at, float(v)) for at, v in points if at <= until]
        for row, points in ((row, points_over_time([row])[row.group_id]) for row in rows)
    }
    values = [v for points in series.values() for _, v in points] + [0.0]
    ticks = value_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    span = (end - start).total_seconds() or 1.0
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(at: datetime) -> float:
        share = min(max((at - start).total_seconds() / span, 0), 1)
        return LEFT + (plot_right - LEFT) * share

    def y(value: float) -> float:
        return plot_bottom - (plot_bottom - TOP) * (value - low) / ((high - low) or 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="system-ui, sans-serif" font-size="18">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="30" font-size="22" font-weight="bold" fill="#222">'
        f"{escape(title)}</text>",
    ]
    for value in ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{plot_right}" y2="{y(value):.1f}" '
            f'stroke="{"#777" if value == 0 else "#e2e2e2"}"/>'
            f'<text x="{LEFT - 10}" y="{y(value) + 6:.1f}" text-anchor="end" fill="#444">'
            f"{value:g}</text>"
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}" stroke="#777"/>'
        f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        f'stroke="#777"/>'
    )
    for moment in time_ticks(start, end, zone):
        parts.append(
            f'<line x1="{x(moment):.1f}" y1="{plot_bottom}" x2="{x(moment):.1f}" '
            f'y2="{plot_bottom + 6}" stroke="#777"/>'
            f'<text x="{x(moment):.1f}" y="{plot_bottom + 26}" text-anchor="middle" '
            f'fill="#444">{moment.astimezone(zone):%H:%M}</text>'
        )
    parts.append(
        f'<text x="{plot_right}" y="{HEIGHT - 4}" text-anchor="end" font-size="15" '
        f'fill="#666">{escape(tz_abbreviation(timezone, start))}</text>'
    )
    ends = []
    for row in rows:
        colour = colours.get(row.group_id) or ""
        colour = colour if COLOUR.match(colour) else "#333333"
        path = [f"M{x(start):.1f},{y(0):.1f}"]
        for at, value in series[row.group_id]:
            path.append(f"H{x(at):.1f}V{y(value):.1f}")
        path.append(f"H{x(until):.1f}")
        parts.append(
            f'<path fill="none" stroke={quoteattr(colour)} stroke-width="4" '
            f'stroke-linejoin="round" d="{"".join(path)}"/>'
        )
        last = series[row.group_id][-1][1] if series[row.group_id] else 0.0
        ends.append((y(last), last, row.name, colour))
    parts.extend(end_labels(ends, x(until), plot_right))
    parts.append("</svg>")
    return "".join(parts)


def value_ticks(low: float, high: float) -> list[float]:
    """Round steps (1, 2, 5 x 10^n) from at most `low` to at least `high`, about five."""
    low, high = min(low, 0.0), max(high, 10.0)
    raw = (high - low) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(n * step, 6) for n in range(first, last + 1)]


def time_ticks(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Whole hours of the event's own clock, every 1, 2, 3 or 6 so that about ten fit."""
    hours = (end - start).total_seconds() / 3600
    every = next((n for n in HOURS if hours / n <= 12), HOURS[-1])
    local = start.astimezone(zone)
    moment = local.replace(minute=0, second=0, microsecond=0)
    if moment < local:
        moment += timedelta(hours=1)
    while moment.hour % every:
        moment += timedelta(hours=1)
    ticks = []
    while moment <= end:
        ticks.append(moment)
        moment += timedelta(hours=every)
    return ticks


def end_labels(ends: list[tuple[float, float, str, str]], line_end: float, left: float) -> list:
    """Each group's points and name beside the plot, spread so that no two overlap, with a
    thin line to where its own line ends."""
    if not ends:
        return []
    gap = max(MIN_LABEL_GAP, min(LABEL_GAP, (HEIGHT - BOTTOM - TOP) / len(ends)))
    ends = sorted(ends, key=lambda end: (end[0], end[2]))
    placed = [max(TOP, ends[0][0])]
    for wanted, *_rest in ends[1:]:
        placed.append(max(wanted, placed[-1] + gap))
    placed[-1] = min(placed[-1], HEIGHT - BOTTOM)
    for i in range(len(placed) - 2, -1, -1):
        placed[i] = min(placed[i], placed[i + 1] - gap)
    size = round(gap - 4)
    parts = []
    for at, (wanted, points, name, colour) in zip(placed, ends, strict=True):
        short = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"
        baseline = f'y="{at + size / 3:.1f}"'
        parts.append(
            f'<line x1="{line_end:.1f}" y1="{wanted:.1f}" x2="{left + 8}" y2="{at:.1f}" '
            f'stroke={quoteattr(colour)} stroke-width="1" stroke-dasharray="3 3"/>'
            f'<g class="end" fill={quoteattr(colour)} font-size="{size}" font-weight="bold">'
            f'<text x="{left + 8 + POINTS_WIDTH}" {baseline} text-anchor="end">{points:g}</text>'
            f'<text x="{left + 16 + POINTS_WIDTH}" {baseline}>{escape(short)}</text></g>'
        )
    return parts

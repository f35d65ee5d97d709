"""The standings: every group's total, rank and a breakdown line for every point.

Given the event's tasks, the submissions with their reviews, the hints opened and the
adjustments, `standings()` returns the ranking; it reads no clock and no database, so the
same inputs always give the same ranking, whatever their order.

Rules (each a setting of the task or the event):
- An accepted submission earns its task's points; a judge may give partial points, or score
  the task's rubric (criteria with a maximum each): points = task points x scored / maximum.
- Several judges: each judge's latest review counts. "last": the latest review decides
  whether the submission is accepted, and the accepting judges' points are averaged.
  "average": every judge's points are averaged, a rejection counting as 0.
- Late: penalty in points, in percent of the earned points, or per minute late up to a cap;
  a penalty never takes more than the task earned.
- Per task only one accepted submission counts: the best (default) or the latest.
- The first groups to complete a task (by their first accepted submission) get its bonus.
- Every hint opened costs its points; adjustments add or take points, with a reason.

Ties: by default more points, then more tasks completed, then the earlier time at which the
group reached its final score; groups equal on every criterion share a rank (1, 1, 3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

CENT = Decimal("0.01")
TIE_BREAKS = ("points", "tasks_completed", "earliest_final")


@lru_cache(maxsize=8192)
def money(value: float | Decimal) -> Decimal:
    """Points to the cent; the same few values recur thousands of times, hence the cache."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoringTask:
    id: int
    title: str
    points: float
    rubric_max: float = 0
    first_bonus: tuple[float, ...] = ()
    late: dict = field(default_factory=dict)


# Named tuples for the many small inputs: tens of thousands are built per computation, and a
# tuple is several times cheaper to build than a frozen dataclass.
class Review(NamedTuple):
    judge_id: int
    decision: str  # accept, reject, redo
    at: datetime
    points: float | None = None
    rubric: dict | None = None


class ScoringSubmission(NamedTuple):
    id: int
    task_id: int
    group_id: int
    received_at: datetime
    status: str
    late_minutes: float = 0
    reviews: tuple[Review, ...] = ()


@dataclass(frozen=True)
class HintCost:
    group_id: int
    task_id: int
    cost: float
    at: datetime


@dataclass(frozen=True)
class Adjustment:
    group_id: int
    points: float
    reason: str
    at: datetime


@dataclass(frozen=True)
class Settings:
    conflict: str = "last"
    counts: str = "best"
    tie_break: tuple[str, ...] = TIE_BREAKS


@dataclass(frozen=True)
class Line:
    kind: str  # task, bonus, late, hint, adjustment
    points: Decimal
    label: str
    at: datetime
    task_id: int | None = None


@dataclass(frozen=True)
class Row:
    group_id: int
    name: str
    total: Decimal
    rank: int
    tasks_completed: int
    final_reached_at: datetime | None
    lines: tuple[Line, ...]


def review_value(task: ScoringTask, review: Review) -> float:
    if review.decision != "accept":
        return 0.0
    if review.points is not None:
        return max(0.0, min(float(review.points), float(task.points)))
    if review.rubric and task.rubric_max:
        scored = sum(float(v) for v in review.rubric.values())
        return float(task.points) * min(scored, task.rubric_max) / task.rubric_max
    return float(task.points)


def earned(task: ScoringTask, sub: ScoringSubmission, conflict: str) -> float | None:
    """Points before penalties, or None when the submission does not count."""
    if not sub.reviews:
        return float(task.points) if sub.status == "accepted" else None
    if len(sub.reviews) == 1:
        reviews = list(sub.reviews)
    else:
        latest: dict[int, Review] = {}
        for review in sorted(sub.reviews, key=lambda r: r.at):
            latest[review.judge_id] = review
        reviews = list(latest.values())
    if conflict == "average":
        value = sum(review_value(task, r) for r in reviews) / len(reviews)
        return value if any(r.decision == "accept" for r in reviews) else None
    deciding = max(reviews, key=lambda r: r.at)
    if deciding.decision != "accept":
        return None
    accepting = [review_value(task, r) for r in reviews if r.decision == "accept"]
    return sum(accepting) / len(accepting)


def late_penalty(task: ScoringTask, base: float, minutes: float) -> float:
    if minutes <= 0:
        return 0.0
    policy, value = task.late.get("policy"), float(task.late.get("value", 0))
    if policy == "penalty_points":
        penalty = value
    elif policy == "penalty_percent":
        penalty = base * value / 100
    elif policy == "per_minute":
        penalty = value * minutes
        if task.late.get("cap") is not None:
            penalty = min(penalty, float(task.late["cap"]))
    else:
        penalty = 0.0
    return min(penalty, base)


def standings(
    groups: Iterable[tuple[int, str]],
    tasks: Iterable[ScoringTask],
    submissions: Iterable[ScoringSubmission],
    hints: Iterable[HintCost] = (),
    adjustments: Iterable[Adjustment] = (),
    settings: Settings = Settings(),
) -> list[Row]:
    tasks_by_id = {task.id: task for task in tasks}
    lines: dict[int, list[Line]] = defaultdict(list)
    completed: dict[int, set[int]] = defaultdict(set)
    counted: dict[tuple[int, int], tuple] = {}
    first_done: dict[tuple[int, int], tuple[datetime, int]] = {}
    for sub in submissions:
        task = tasks_by_id.get(sub.task_id)
        base = earned(task, sub, settings.conflict) if task else None
        if base is None:
            continue
        net = base - late_penalty(task, base, sub.late_minutes)
        key = (sub.group_id, sub.task_id)
        rank_key = (
            (net, sub.received_at, sub.id)
            if settings.counts == "best"
            else (sub.received_at, sub.id)
        )
        if key not in counted or rank_key > counted[key][0]:
            counted[key] = (rank_key, sub, base, net)
        first_done[key] = min(
            first_done.get(key, (sub.received_at, sub.id)), (sub.received_at, sub.id)
        )
    for (group_id, task_id), (_rank, sub, base, net) in counted.items():
        task = tasks_by_id[task_id]
        completed[group_id].add(task_id)
        lines[group_id].append(Line("task", money(base), task.title, sub.received_at, task_id))
        if base - net > 0:
            lines[group_id].append(
                Line("late", -money(base - net), task.title, sub.received_at, task_id)
            )
    add_bonuses(tasks_by_id, first_done, lines)
    for hint in hints:
        if hint.cost:
            title = tasks_by_id[hint.task_id].title if hint.task_id in tasks_by_id else ""
            lines[hint.group_id].append(
                Line("hint", -money(hint.cost), title, hint.at, hint.task_id)
            )
    for adjustment in adjustments:
        lines[adjustment.group_id].append(
            Line("adjustment", money(adjustment.points), adjustment.reason, adjustment.at)
        )
    rows = []
    for group_id, name in groups:
        mine = tuple(sorted(lines.get(group_id, []), key=lambda ln: (ln.at, ln.kind, ln.label)))
        reached = max((ln.at for ln in mine if ln.points), default=None)
        rows.append(
            Row(
                group_id,
                name,
                sum((ln.points for ln in mine), Decimal("0.00")),
                0,
                len(completed.get(group_id, ())),
                reached,
                mine,
            )
        )
    return ranked(rows, settings.tie_break)


def add_bonuses(tasks: dict[int, ScoringTask], first_done: dict, lines: dict) -> None:
    by_task: dict[int, list[tuple[datetime, int, int]]] = defaultdict(list)
    for (group_id, task_id), (at, sub_id) in first_done.items():
        by_task[task_id].append((at, sub_id, group_id))
    for task_id, done in by_task.items():
        bonus = tasks[task_id].first_bonus
        for place, (at, _sub_id, group_id) in enumerate(sorted(done)[: len(bonus)]):
            if bonus[place]:
                lines[group_id].append(
                    Line("bonus", money(bonus[place]), tasks[task_id].title, at, task_id)
                )


def sort_key(row: Row, order: Sequence[str]) -> tuple:
    key = []
    for name in order:
        if name == "points":
            key.append(-row.total)
        elif name == "tasks_completed":
            key.append(-row.tasks_completed)
        elif name == "earliest_final":
            key.append(row.final_reached_at.timestamp() if row.final_reached_at else float("-inf"))
    return tuple(key)


def ranked(rows: list[Row], order: Sequence[str]) -> list[Row]:
    """Competition ranking: groups equal on every tie-break share a rank, the next skips."""
    order = [name for name in order if name in TIE_BREAKS] or list(TIE_BREAKS)
    rows = sorted(rows, key=lambda r: (sort_key(r, order), r.name, r.group_id))
    result: list[Row] = []
    for position, row in enumerate(rows, start=1):
        same = result and sort_key(result[-1], order) == sort_key(row, order)
        rank = result[-1].rank if same else position
        result.append(
            Row(
                row.group_id,
                row.name,
                row.total,
                rank,
                row.tasks_completed,
                row.final_reached_at,
                row.lines,
            )
        )
    return result


def points_over_time(rows: Iterable[Row]) -> dict[int, list[tuple[datetime, Decimal]]]:
    """Each group's cumulative points at each moment they changed: the rank-over-time chart."""
    series = {}
    for row in rows:
        total, points = Decimal("0.00"), []
        for line in row.lines:
            if line.points:
                total += line.points
                points.append((line.at, total))
        series[row.group_id] = points
    return series

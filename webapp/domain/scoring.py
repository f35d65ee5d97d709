"""The standings: every group's total, rank and a breakdown line for every point.

Given the event's tasks, the submissions with their reviews, the hints opened and the
adjustments, `standings()` returns the ranking; it reads no clock and no database, so the
same inputs always give the same ranking, whatever their order.

Rules (each a setting of the task or the event):
- An accepted submission earns its task's points; a judge may give partial points, or score
  the task's rubric (criteria with a maximum each): points = task points x scored / maximum.
  A judge scores every criterion of a rubric (the judging service refuses an accept without
  them), unless the task says that a rubric left empty means full points: only then does an
  accept with an empty rubric earn the task's points.
- Several judges: each judge's latest review counts. "last": the latest review decides
  whether the submission is accepted, and the accepting judges' points are averaged.
  "average": every judge's points are averaged, a rejection counting as 0. Reviews made at
  the same instant are taken in the order they were stored (their id).
- Late: penalty in points, in percent of the earned points, or per minute late up to a cap,
  or "zero" (a late submission is kept and shown but earns nothing); a penalty never takes
  more than the task earned. Lateness is measured against the window as it stands now (the
  services recompute it when a window, a group's start offset or extra time changes): a
  submission that is late where the task refuses late ones (it arrived before its window
  was moved) does not count, as if it had been refused.
- Per task only one accepted submission counts: the best (default; of two worth the same,
  the earlier) or the latest.
- The first groups to complete a task (by their first accepted submission) get its bonus.
- Every hint opened costs its points; adjustments add or take points, with a reason (a
  withdrawn adjustment no longer counts; the services leave it out).

Ties: by default more points, then more tasks completed, then the earlier time at which the
group reached its final score (the time of the last thing that moved it: a counted
submission net of its late penalty, a bonus, a hint or an adjustment); groups equal on
every criterion share a rank (1, 1, 3).

`standings()` is three steps, each usable alone: `evaluate` gives one submission's worth in
whole cents (the services store it on the row), `pick` chooses per group and task the
submission that counts, `tally` adds up and ranks. The live standings start from the stored
worth at `pick`; the board's freeze starts from the reviews.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache, partial
from itertools import groupby
from typing import Any, NamedTuple

from webapp.domain.text import N_

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
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
    id: int = 0


def review_order(review: Review) -> tuple:
    """When a review was made, then its id; the rest only so that equal times and ids still
    give one order whatever order the reviews came in."""
    return (
        review.at,
        review.id,
        review.judge_id,
        review.decision,
        review.points is not None,
        review.points or 0,
        tuple(sorted((review.rubric or {}).items())),
    )


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


class Line(NamedTuple):
    """One breakdown line. The fields are in the breakdown's order (time, then kind, then
    label), so that lines sort as plain tuples."""

    at: datetime
    kind: str  # task, bonus, late, hint, adjustment
    label: str
    points: Decimal
    task_id: int | None = None


@dataclass(frozen=True, eq=False)
class Row:
    """A group's place. Its breakdown is built when first read: the board needs only the
    totals, and thousands of lines would cost most of a computation."""

    group_id: int
    name: str
    total: Decimal
    rank: int
    tasks_completed: int
    final_reached_at: datetime | None
    breakdown: Callable[[], tuple[Line, ...]] = field(repr=False)

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        return self.breakdown()

    def summary(self) -> tuple:
        return (
            self.group_id,
            self.name,
            self.total,
            self.rank,
            self.tasks_completed,
            self.final_reached_at,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return self.summary() == other.summary() and self.lines == other.lines

    __hash__ = None  # type: ignore[assignment]


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
        for review in sorted(sub.reviews, key=review_order):
            latest[review.judge_id] = review
        reviews = list(latest.values())
    if conflict == "average":
        value = sum(review_value(task, r) for r in reviews) / len(reviews)
        return value if any(r.decision == "accept" for r in reviews) else None
    deciding = max(reviews, key=review_order)
    if deciding.decision != "accept":
        return None
    accepting = [review_value(task, r) for r in reviews if r.decision == "accept"]
    return sum(accepting) / len(accepting)


STATUS_AFTER = {"accept": "accepted", "reject": "rejected", "redo": "redo"}


def resolved_status(task: ScoringTask, sub: ScoringSubmission, conflict: str) -> str:
    """A reviewed submission's status under the event's rule: accepted when it earns
    points, else what the latest decision said."""
    if not sub.reviews or earned(task, sub, conflict) is not None:
        return "accepted" if sub.reviews else sub.status
    return STATUS_AFTER[max(sub.reviews, key=review_order).decision]


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
    elif policy == "zero":
        penalty = base
    else:
        penalty = 0.0
    return min(penalty, base)


class Earned(NamedTuple):
    """What one submission is worth, in cents: whole numbers, so that a stored value and a
    sum of them are exact, and the database can keep them (the standings read them)."""

    base: int
    late: int


class Scored(NamedTuple):
    """A submission that counts, with its worth: what `pick` chooses from.

    `received_at` may be any value ordered as time is (the database's own text, say).
    """

    id: int
    task_id: int
    group_id: int
    received_at: datetime
    base: int
    late: int


def cents(value: float) -> int:
    return int(money(value) * 100)


def same(value: Any) -> Any:
    return value


@lru_cache(maxsize=8192)
def amount(cents: int) -> Decimal:
    """Cents as points (Decimal, two places); the same few values recur thousands of times."""
    return Decimal(cents).scaleb(-2)


def refused_as_late(task: ScoringTask, sub: ScoringSubmission) -> bool:
    return sub.late_minutes > 0 and task.late.get("policy", "refuse") == "refuse"


def evaluate(task: ScoringTask, sub: ScoringSubmission, conflict: str) -> Earned | None:
    """The submission's points and late penalty, or None when it does not count."""
    if refused_as_late(task, sub):
        return None
    base = earned(task, sub, conflict)
    if base is None:
        return None
    return Earned(cents(base), cents(late_penalty(task, base, sub.late_minutes)))


def scored(
    tasks: dict[int, ScoringTask], submissions: Iterable[ScoringSubmission], conflict: str
) -> Iterator[Scored]:
    for sub in submissions:
        task = tasks.get(sub.task_id)
        worth = evaluate(task, sub, conflict) if task else None
        if worth is not None:
            yield Scored(sub.id, sub.task_id, sub.group_id, sub.received_at, *worth)


def pick(
    submissions: Iterable[Scored], counts: str
) -> tuple[dict[tuple[int, int], Scored], dict[tuple[int, int], tuple[datetime, int]]]:
    """Per group and task, the submission that counts (the best, of equal ones the earlier,
    since the group had that score from then on; or the latest) and when the group first
    completed the task (time, submission id), which decides the bonuses.

    Takes anything shaped as `Scored` (database rows, say) and returns those very items.
    """
    chosen: dict[tuple[int, int], Scored] = {}
    first: dict[tuple[int, int], tuple[datetime, int]] = {}
    best = counts == "best"
    for sub in submissions:
        ident, task_id, group_id, received_at, base, late = sub  # unpacked: rows are slow
        key = (group_id, task_id)
        held = chosen.get(key)
        if held is None:
            chosen[key] = sub
            first[key] = (received_at, ident)
            continue
        when = (received_at, ident)
        if when < first[key]:
            first[key] = when
        held_id, _task, _group, held_at, held_base, held_late = held
        if best and base - late != held_base - held_late:
            if base - late > held_base - held_late:
                chosen[key] = sub
        elif (when < (held_at, held_id)) if best else (when > (held_at, held_id)):
            chosen[key] = sub
    return chosen, first


def standings(
    groups: Iterable[tuple[int, str]],
    tasks: Iterable[ScoringTask],
    submissions: Iterable[ScoringSubmission],
    hints: Iterable[HintCost] = (),
    adjustments: Iterable[Adjustment] = (),
    settings: Settings = Settings(),
) -> list[Row]:
    tasks_by_id = {task.id: task for task in tasks}
    counted, first = pick(scored(tasks_by_id, submissions, settings.conflict), settings.counts)
    return tally(groups, tasks_by_id, counted, first, hints, adjustments, settings)


def tally(
    groups: Iterable[tuple[int, str]],
    tasks: dict[int, ScoringTask],
    counted: dict[tuple[int, int], Scored],
    first: dict[tuple[int, int], tuple[datetime, int]],
    hints: Iterable[HintCost] = (),
    adjustments: Iterable[Adjustment] = (),
    settings: Settings = Settings(),
    as_time: Callable[[Any], datetime] = same,
) -> list[Row]:
    """The ranking from what `pick` chose, and a breakdown line for every point.

    The times in `counted` and `first` may be any values ordered as time is (the database's
    own text, say); `as_time` turns those shown into times. Totals are summed in cents, and
    the lines of the counted submissions are made only when a row's breakdown is read.
    """
    mine: dict[int, list[Scored]] = defaultdict(list)
    cents_total: dict[int, int] = defaultdict(int)
    latest: dict[int, Any] = {}  # the last counted submission that moved the score
    for (group_id, _task_id), sub in counted.items():
        _id, _task, _group, received_at, base, late = sub  # unpacked: rows are slow
        mine[group_id].append(sub)
        cents_total[group_id] += base - late
        if base != late and (group_id not in latest or received_at > latest[group_id]):
            latest[group_id] = received_at
    other: dict[int, list[Line]] = defaultdict(list)  # bonuses, hints and adjustments
    add_bonuses(tasks, first, other, as_time)
    for hint in hints:
        if hint.cost:
            title = tasks[hint.task_id].title if hint.task_id in tasks else ""
            other[hint.group_id].append(
                Line(hint.at, "hint", title, -money(hint.cost), hint.task_id)
            )
    for adjustment in adjustments:
        other[adjustment.group_id].append(
            Line(adjustment.at, "adjustment", adjustment.reason, money(adjustment.points))
        )
    rows = []
    for group_id, name in groups:
        extra = other.get(group_id, [])
        moments = [line.at for line in extra if line.points]
        if group_id in latest:
            moments.append(as_time(latest[group_id]))
        total = sum((line.points for line in extra), amount(cents_total.get(group_id, 0)))
        rows.append(
            Row(
                group_id,
                name,
                total,
                0,
                len(mine.get(group_id, ())),
                max(moments, default=None),
                partial(breakdown, mine.get(group_id, []), extra, tasks, as_time),
            )
        )
    return ranked(rows, settings.tie_break)


def breakdown(
    counted: list[Scored],
    other: list[Line],
    tasks: dict[int, ScoringTask],
    as_time: Callable[[Any], datetime],
) -> tuple[Line, ...]:
    lines = list(other)
    for _id, task_id, _group, received_at, base, late in counted:
        title, at = tasks[task_id].title, as_time(received_at)
        lines.append(Line(at, "task", title, amount(base), task_id))
        if late:
            lines.append(Line(at, "late", title, amount(-late), task_id))
    return tuple(sorted(lines))


def add_bonuses(
    tasks: dict[int, ScoringTask], first: dict, lines: dict, as_time: Callable[[Any], datetime]
) -> None:
    by_task: dict[int, list[tuple[datetime, int, int]]] = defaultdict(list)
    for (group_id, task_id), (at, sub_id) in first.items():
        if tasks[task_id].first_bonus:
            by_task[task_id].append((at, sub_id, group_id))
    for task_id, done in by_task.items():
        task = tasks[task_id]
        for place, (at, _sub_id, group_id) in enumerate(sorted(done)[: len(task.first_bonus)]):
            if task.first_bonus[place]:
                lines[group_id].append(
                    Line(as_time(at), "bonus", task.title, money(task.first_bonus[place]), task_id)
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


def tie_break_order(setting: str) -> tuple[str, ...]:
    """The event's setting ("points,tasks_completed,earliest_final") as a sequence."""
    return tuple(name.strip() for name in setting.split(",") if name.strip()) or TIE_BREAKS


def effective_order(order: Sequence[str]) -> list[str]:
    return [name for name in order if name in TIE_BREAKS] or list(TIE_BREAKS)


TIE_BREAK_WORDS = {
    "points": N_("more points"),
    "tasks_completed": N_("more tasks completed"),
    "earliest_final": N_("who reached their final score first"),
}


def tie_break_rule(order: Sequence[str], translate: Callable[[str], str] = same) -> str:
    """The ranking rule in plain words, in the reader's language (`translate` is gettext)."""
    order = effective_order(order)
    if order[0] == "points":
        if len(order) == 1:
            return translate(N_("Groups with equal points share a place."))
        template = N_(
            "Groups with equal points are ranked by %(rule)s; groups equal on that too "
            "share a place."
        )
        order = order[1:]
    else:
        template = N_("Groups are ranked by %(rule)s; groups equal on all of it share a place.")
    rule = translate(N_(", then ")).join(translate(TIE_BREAK_WORDS[name]) for name in order)
    return translate(template) % {"rule": rule}


def ranked(rows: list[Row], order: Sequence[str]) -> list[Row]:
    """Competition ranking: groups equal on every tie-break share a rank, the next skips."""
    order = effective_order(order)
    rows = sorted(rows, key=lambda r: (sort_key(r, order), r.name, r.group_id))
    result: list[Row] = []
    for position, row in enumerate(rows, start=1):
        same = result and sort_key(result[-1], order) == sort_key(row, order)
        rank = result[-1].rank if same else position
        result.append(replace(row, rank=rank))
    return result


def points_over_time(rows: Iterable[Row]) -> dict[int, list[tuple[datetime, Decimal]]]:
    """Each group's cumulative points at each moment they changed: the rank-over-time chart.
    What lands at one instant (a submission's points and its late penalty, a bonus) counts
    as one net change, so the line never dips below what the group ever had."""
    series = {}
    for row in rows:
        total, points = Decimal("0.00"), []
        for at, lines in groupby(row.lines, key=lambda line: line.at):
            change = sum((line.points for line in lines), ZERO)
            if change:
                total += change
                points.append((at, total))
        series[row.group_id] = points
    return series

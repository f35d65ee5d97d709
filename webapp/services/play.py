"""What a group sees on its phone: its tasks, each with its state and deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from webapp.domain import scoring, windows
from webapp.domain.text import N_
from webapp.models import Event, Group, HintUse, Location, Participant, Review, Submission, Task
from webapp.services import ServiceError, hints
from webapp.services.authoring import tasks_of

DONE = ("accepted", "pending")
SENDABLE = ("open", "late", "rejected", "redo")


class TaskStillLocked(ServiceError):
    template = N_("This task is not open yet.")
    status = 409


@dataclass(frozen=True)
class TaskCard:
    task: Task
    # locked, open, late (deadline passed, late work still taken), closed, or the latest
    # submission's: pending, accepted, rejected, redo
    state: str
    window: windows.Window | None
    latest: Submission | None
    location: Location | None
    comment: str = ""
    blocked_by: Task | None = None  # the task to finish first, while this one waits for it
    blocked_offset_min: float = 0  # ... and how long after it this one opens
    can_submit: bool = False

    @property
    def opens_at(self) -> datetime | None:
        return self.window.opens_at if self.window else None

    @property
    def closes_at(self) -> datetime | None:
        return self.window.closes_at if self.window else None

    @property
    def late_from(self) -> datetime | None:
        """When the grace after the deadline ends and lateness starts to count."""
        if self.window is None:
            return None
        return self.window.closes_at + timedelta(minutes=self.task.late.get("grace", 0))

    @property
    def late_policy(self) -> str:
        return self.task.late.get("policy", "refuse")


def late_cost(task: Task, minutes: float) -> float:
    """What sending `minutes` after the grace costs, in points, before any judge's decision."""
    return scoring.late_penalty(task, float(task.points), minutes)


def group_windows(
    event: Event, group: Group, tasks: list[Task], done_at: dict[str, datetime]
) -> dict[int, windows.Window | None]:
    return {
        task.id: windows.task_window(
            task.window,
            event_start=event.starts_at,
            event_end=event.ends_at,
            tz=event.timezone,
            start_offset_min=group.start_offset_min,
            extra_min=group.extra_min,
            done_at=done_at,
        )
        for task in tasks
    }


def latest_submissions(session: Session, group_id: int) -> dict[int, Submission]:
    latest: dict[int, Submission] = {}
    for sub in session.exec(
        select(Submission)
        .where(Submission.group_id == group_id)
        .order_by(Submission.received_at, Submission.id)
    ).all():
        latest[sub.task_id] = sub
    return latest


def time_state(task: Task, window: windows.Window | None, now: datetime, unlocked: bool) -> str:
    """locked, open, late or closed: the window's state, with late work the policy still takes."""
    state = windows.state(window, now, unlocked=unlocked)
    if state != "closed":
        return state
    grace = timedelta(minutes=task.late.get("grace", 0))
    late_taken = task.late.get("policy", "refuse") != "refuse"
    return "late" if late_taken or now <= window.closes_at + grace else "closed"


def shown_state(timed: str, sub: Submission | None) -> str:
    if sub is None or timed == "locked":
        return timed
    if sub.status == "redo" and timed == "closed":
        return "closed"  # a redo asked for after the deadline can no longer be sent
    return sub.status


def blocker(
    task: Task, by_id: dict[int, Task], done_at: dict[str, datetime]
) -> tuple[Task | None, float]:
    """The task this one waits for (and the minutes after it that it opens), if any."""
    first = by_id.get(task.unlocks_after_id) if task.unlocks_after_id else None
    if first is not None and first.key not in done_at:
        return first, 0
    after = task.window.get("after")
    if after and after != "start" and after not in done_at:
        waited = next((t for t in by_id.values() if t.key == after), None)
        return waited, float(task.window.get("offset", 0))
    return None, 0


def task_cards(session: Session, *, group: Group, now: datetime) -> list[TaskCard]:
    event = session.get(Event, group.event_id)
    tasks = tasks_of(session, event.id)
    latest = latest_submissions(session, group.id)
    by_id = {task.id: task for task in tasks}
    done_at = {
        by_id[task_id].key: sub.received_at
        for task_id, sub in latest.items()
        if sub.status in DONE and task_id in by_id
    }
    spans = group_windows(event, group, tasks, done_at)
    locations = {
        loc.id: loc
        for loc in session.exec(select(Location).where(Location.event_id == event.id)).all()
    }
    comments = judge_comments(session, [sub.id for sub in latest.values()])
    cards = []
    for task in tasks:
        sub = latest.get(task.id)
        unlocked = task.unlocks_after_id is None or (
            task.unlocks_after_id in by_id and by_id[task.unlocks_after_id].key in done_at
        )
        timed = time_state(task, spans[task.id], now, unlocked)
        state = shown_state(timed, sub)
        blocked_by, offset = blocker(task, by_id, done_at) if timed == "locked" else (None, 0)
        cards.append(
            TaskCard(
                task,
                state,
                spans[task.id],
                sub,
                locations.get(task.location_id),
                comments.get(sub.id, "") if sub else "",
                blocked_by=blocked_by,
                blocked_offset_min=offset,
                can_submit=timed in ("open", "late") and state in SENDABLE,
            )
        )
    return cards


def find_card(session: Session, *, group: Group, task_id: int, now: datetime) -> TaskCard | None:
    return next(
        (c for c in task_cards(session, group=group, now=now) if c.task.id == task_id), None
    )


def open_hint(
    session: Session, *, participant: Participant, card: TaskCard, index: int, now: datetime
) -> HintUse:
    """A locked task's hints stay closed, like its instructions."""
    if card.state == "locked":
        raise TaskStillLocked()
    return hints.open_next(session, participant=participant, task=card.task, index=index, now=now)


def judge_comments(session: Session, submission_ids: list[int]) -> dict[int, str]:
    """The latest comment a judge left on each submission, shown to the group."""
    comments: dict[int, str] = {}
    if not submission_ids:
        return comments
    for review in session.exec(
        select(Review)
        .where(Review.submission_id.in_(submission_ids))
        .order_by(Review.created_at, Review.id)
    ).all():
        if review.comment:
            comments[review.submission_id] = review.comment
    return comments

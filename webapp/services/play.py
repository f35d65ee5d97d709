"""What a group sees on its phone: its tasks, each with its state and deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from webapp.domain import windows
from webapp.models import Event, Group, Location, Review, Submission, Task
from webapp.services.authoring import tasks_of

DONE = ("accepted", "pending")


@dataclass(frozen=True)
class TaskCard:
    task: Task
    state: str  # locked, open, closed, or the latest submission's: pending, accepted, ...
    window: windows.Window | None
    latest: Submission | None
    location: Location | None
    comment: str = ""

    @property
    def opens_at(self) -> datetime | None:
        return self.window.opens_at if self.window else None

    @property
    def closes_at(self) -> datetime | None:
        return self.window.closes_at if self.window else None

    @property
    def can_submit(self) -> bool:
        return self.state in ("open", "rejected", "redo") and (
            self.window is not None and self.window.opens_at is not None
        )


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
        state = windows.state(spans[task.id], now, unlocked=unlocked)
        if (
            sub is not None
            and state != "locked"
            and not (state == "closed" and sub.status == "redo")
        ):
            state = sub.status
        cards.append(
            TaskCard(
                task,
                state,
                spans[task.id],
                sub,
                locations.get(task.location_id),
                comments.get(sub.id, "") if sub else "",
            )
        )
    return cards


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

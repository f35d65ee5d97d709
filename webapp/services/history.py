"""What a group has sent, and the organisers' announcements it sees."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from webapp.models import Announcement, Participant, Submission, Task
from webapp.services.worth import net_points


@dataclass(frozen=True)
class Sent:
    submission: Submission
    task: Task
    name: str  # who sent it
    points: float | None  # what it adds to the group's total now, once decided


def group_history(session: Session, group_id: int) -> list[Sent]:
    rows = session.exec(
        select(Submission, Task, Participant.name)
        .join(Task, Task.id == Submission.task_id)
        .join(Participant, Participant.id == Submission.participant_id, isouter=True)
        .where(Submission.group_id == group_id)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
    ).all()
    return [Sent(sub, task, name or "", net_points(sub)) for sub, task, name in rows]


def announcements(session: Session, event_id: int) -> list[Announcement]:
    return list(
        session.exec(
            select(Announcement)
            .where(Announcement.event_id == event_id, Announcement.active)
            .order_by(Announcement.created_at.desc())
        ).all()
    )

"""What a group has sent, and the organisers' announcements it sees."""

from __future__ import annotations

from sqlmodel import Session, select

from webapp.models import Announcement, Participant, Submission, Task


def group_history(session: Session, group_id: int) -> list[tuple[Submission, Task, str]]:
    rows = session.exec(
        select(Submission, Task, Participant.name)
        .join(Task, Task.id == Submission.task_id)
        .join(Participant, Participant.id == Submission.participant_id, isouter=True)
        .where(Submission.group_id == group_id)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
    ).all()
    return [(sub, task, name or "") for sub, task, name in rows]


def announcements(session: Session, event_id: int) -> list[Announcement]:
    return list(
        session.exec(
            select(Announcement)
            .where(Announcement.event_id == event_id, Announcement.active)
            .order_by(Announcement.created_at.desc())
        ).all()
    )

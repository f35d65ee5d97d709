"""Hints: opened one by one, each costing its points, recorded for the group's score."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.domain.text import N_
from webapp.models import HintUse, Participant, Task
from webapp.services import ServiceError, audit


class NoMoreHints(ServiceError):
    template = N_("There are no more hints for this task.")
    status = 409


def opened(session: Session, group_id: int, task_id: int) -> list[HintUse]:
    return list(
        session.exec(
            select(HintUse)
            .where(HintUse.group_id == group_id, HintUse.task_id == task_id)
            .order_by(HintUse.hint_index)
        ).all()
    )


def open_next(
    session: Session, *, participant: Participant, task: Task, index: int, now: datetime
) -> HintUse:
    """Opens hint `index` (the next one); asking twice for the same hint costs once."""
    used = opened(session, participant.group_id, task.id)
    if index < 0:
        raise NoMoreHints()
    if index < len(used):
        return used[index]
    if index != len(used) or index >= len(task.hints):
        raise NoMoreHints()
    use = HintUse(
        event_id=task.event_id,
        group_id=participant.group_id,
        task_id=task.id,
        hint_index=index,
        cost=float(task.hints[index].get("cost", 0)),
        participant_id=participant.id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(use)
    except sa.exc.IntegrityError:
        return opened(session, participant.group_id, task.id)[index]
    audit.record(
        session,
        event_id=task.event_id,
        actor=participant,
        action="hint.open",
        subject=f"task {task.id}",
        after={"hint": index, "cost": use.cost},
        now=now,
    )
    return use

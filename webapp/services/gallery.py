"""Every photo of an event as a grid of thumbnails, for judges and organisers: to look back
over what was judged, find a group's photos, or pick the best ones for the closing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.models import Event, Group, Submission, Task

PER_PAGE = 60
STATUSES = ("pending", "accepted", "rejected", "redo")


@dataclass(frozen=True)
class Tile:
    submission_id: int
    photo_key: str
    group: str
    task: str
    status: str
    received_at: datetime
    flagged: bool


@dataclass(frozen=True)
class GalleryPage:
    tiles: list[Tile]
    total: int
    page: int
    pages: int


def photos(
    session: Session,
    event: Event,
    *,
    group_id: int | None = None,
    task_id: int | None = None,
    status: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> GalleryPage:
    """The newest first; a page out of range shows the last one."""
    where = [Submission.event_id == event.id, Submission.photo_key.is_not(None)]
    if group_id:
        where.append(Submission.group_id == group_id)
    if task_id:
        where.append(Submission.task_id == task_id)
    if status in STATUSES:
        where.append(Submission.status == status)
    total = session.exec(select(sa.func.count()).select_from(Submission).where(*where)).one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.exec(
        select(
            Submission.id,
            Submission.photo_key,
            Group.name,
            Task.title,
            Submission.status,
            Submission.received_at,
            Submission.flags,
        )
        .join(Group, Group.id == Submission.group_id)
        .join(Task, Task.id == Submission.task_id)
        .where(*where)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    tiles = [
        Tile(ident, key, group, task, state, at, bool(flags))
        for ident, key, group, task, state, at, flags in rows
    ]
    return GalleryPage(tiles, total, page, pages)

"""What the projector shows: standings (frozen near the end), photos, positions, the reveal."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, select

from webapp.domain import scoring
from webapp.domain.text import N_
from webapp.models import Announcement, Event, Group, Submission, Task, User
from webapp.services import ServiceError, audit, standings

VIEWS = ("rotate", "standings", "photos", "map", "chart")
PHOTO_STRIP = 12


class BadBoardSetting(ServiceError):
    template = N_("That board setting is not possible.")


class RevealNeedsFreeze(ServiceError):
    template = N_("Freeze the board first: the reveal starts from the standings the room last saw.")


class RevealNotConfirmed(ServiceError):
    template = N_("Tick “Yes, start the reveal now” to start it.")


def by_token(session: Session, token: str) -> Event | None:
    return session.exec(select(Event).where(Event.board_token == token)).first()


def frozen(event: Event, now: datetime) -> bool:
    return event.freeze_at is not None and now >= event.freeze_at


def board_rows(session: Session, event: Event, now: datetime) -> tuple[list[scoring.Row], str]:
    """The rows the room may see, and the phase: live, frozen, or revealing."""
    if event.reveal_step >= 0:
        return standings.compute(session, event), "reveal"
    if frozen(event, now):
        return standings.compute(session, event, until=event.freeze_at), "frozen"
    return standings.compute(session, event), "live"


def revealed(rows: list[scoring.Row], step: int) -> list[scoring.Row]:
    """From the last place up: step k shows the k lowest-placed groups."""
    return rows[len(rows) - min(step, len(rows)) :] if step > 0 else []


def latest_photos(session: Session, event: Event, until: datetime | None) -> list[dict]:
    """Only accepted photos reach the board."""
    query = (
        select(Submission.photo_key, Group.name, Group.colour, Task.title)
        .join(Group, Group.id == Submission.group_id)
        .join(Task, Task.id == Submission.task_id)
        .where(
            Submission.event_id == event.id,
            Submission.status == "accepted",
            Submission.photo_key.is_not(None),
        )
        .order_by(Submission.received_at.desc())
        .limit(PHOTO_STRIP)
    )
    if until is not None:
        query = query.where(Submission.received_at <= until)
    return [
        {"photo": key, "group": name, "colour": colour, "task": title}
        for key, name, colour, title in session.exec(query)
    ]


def announcements(session: Session, event: Event) -> list[str]:
    return [
        a.text
        for a in session.exec(
            select(Announcement)
            .where(Announcement.event_id == event.id, Announcement.active, Announcement.on_board)
            .order_by(Announcement.created_at.desc())
            .limit(3)
        )
    ]


def update(
    session: Session, *, event: Event, actor: User, now: datetime, **changes: object
) -> Event:
    """View, rotation, freeze and reveal, as the organiser sets them; the board follows."""
    allowed = {"board_view", "board_rotation_seconds", "freeze_at", "reveal_step"}
    if set(changes) - allowed or changes.get("board_view", "rotate") not in VIEWS:
        raise BadBoardSetting()
    if not 5 <= int(changes.get("board_rotation_seconds", 30)) <= 600:
        raise BadBoardSetting()
    starts_reveal = int(changes.get("reveal_step", -1)) >= 0 > event.reveal_step
    if starts_reveal and not frozen(event, now):
        raise RevealNeedsFreeze()
    before = {key: audit.jsonable(getattr(event, key)) for key in changes}
    for key, value in changes.items():
        setattr(event, key, value)
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="board.update",
        before=before,
        after={k: audit.jsonable(v) for k, v in changes.items()},
        now=now,
    )
    return event


def reveal_next(
    session: Session, *, event: Event, actor: User, now: datetime, confirmed: bool
) -> Event:
    """One more group revealed, from the last place up; starting needs the freeze and a yes."""
    if event.reveal_step < 0 and frozen(event, now) and not confirmed:
        raise RevealNotConfirmed()
    return update(
        session, event=event, actor=actor, now=now, reveal_step=max(event.reveal_step, 0) + 1
    )


def new_link(session: Session, *, event: Event, actor: User, now: datetime) -> Event:
    """A new board token: the old link stops working at once (a leaked link, a lent laptop)."""
    event.board_token = secrets.token_urlsafe(24)
    session.add(event)
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="board.new_link",
        now=now,
        moves_standings=False,
    )
    return event


def announce(
    session: Session, *, event: Event, text: str, on_board: bool, actor: User, now: datetime
) -> Announcement:
    note = Announcement(
        event_id=event.id,
        text=" ".join(text.split())[:500],
        on_board=on_board,
        created_by_id=actor.id,
        created_at=now,
    )
    if not note.text:
        raise BadBoardSetting()
    session.add(note)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="announcement.add",
        after={"text": note.text},
        now=now,
    )
    return note


def withdraw(
    session: Session, *, event: Event, announcement_id: int, actor: User, now: datetime
) -> None:
    note = session.get(Announcement, announcement_id)
    if note is not None and note.event_id == event.id:
        note.active = False
        audit.record(
            session,
            event_id=event.id,
            actor=actor,
            action="announcement.withdraw",
            before={"text": note.text},
            now=now,
        )


def next_deadline(session: Session, event: Event, now: datetime) -> datetime | None:
    """The nearest absolute closing time still ahead (relative windows differ per group)."""
    from webapp.domain.windows import task_window

    closing = []
    for window in session.exec(select(Task.window).where(Task.event_id == event.id)):
        if window and "after" not in window:
            span = task_window(
                window, event_start=event.starts_at, event_end=event.ends_at, tz=event.timezone
            )
            if span and span.closes_at > now:
                closing.append(span.closes_at)
    return min(closing, default=None)

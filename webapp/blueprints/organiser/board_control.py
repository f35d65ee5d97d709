"""The organisers' remote control for the board: its link, view, rotation, announcements,
freeze and the winners' reveal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from webapp.blueprints import flash_refusal, now
from webapp.blueprints.auth import EmptyForm
from webapp.blueprints.organiser import bp
from webapp.db import request_session
from webapp.domain.inputs import database_id
from webapp.models import Announcement
from webapp.security import ORGANISER, staff_only
from webapp.services import ServiceError, board, standings


@bp.route("/events/<int:event_id>/board")
@staff_only(ORGANISER)
def board_control(event_id: int):
    """What the board shows now, and the buttons that change it within seconds."""
    session = request_session()
    notes = session.exec(
        select(Announcement)
        .where(Announcement.event_id == event_id, Announcement.active)
        .order_by(Announcement.created_at.desc())
    ).all()
    return render_template(
        "organiser/board_control.html",
        event=g.event,
        notes=notes,
        frozen=board.frozen(g.event, now()),
        views=board.VIEWS,
        groups=len(standings.colours_of(session, event_id)),
    )


@bp.route("/events/<int:event_id>/board", methods=["POST"])
@staff_only(ORGANISER)
def board_command(event_id: int):
    """One command from the control page, applied and logged."""
    command = COMMANDS.get(request.form.get("command", ""))
    if command is None or not EmptyForm().validate_on_submit():
        return redirect(url_for("organiser.board_control", event_id=event_id))
    session = request_session()
    try:
        command(session, g.event, request.form)
    except (ServiceError, ValueError) as exc:
        session.rollback()
        if isinstance(exc, ServiceError):
            flash_refusal(exc)
        else:
            flash(_("Please check the value you typed."), "error")
    else:
        session.commit()
    return redirect(url_for("organiser.board_control", event_id=event_id))


def set_view(session, event, form) -> None:
    board.update(
        session,
        event=event,
        actor=current_user,
        now=now(),
        board_view=form.get("view", "rotate"),
        board_rotation_seconds=int(form.get("rotation", "30")),
    )


def freeze(session, event, form) -> None:
    at = freeze_time(event, form.get("at", ""))
    board.update(session, event=event, actor=current_user, now=now(), freeze_at=at)


def unfreeze(session, event, form) -> None:
    board.update(session, event=event, actor=current_user, now=now(), freeze_at=None)


def reveal(session, event, form) -> None:
    confirmed = form.get("confirm") == "yes"
    board.reveal_next(session, event=event, actor=current_user, now=now(), confirmed=confirmed)


def end_reveal(session, event, form) -> None:
    board.update(session, event=event, actor=current_user, now=now(), reveal_step=-1)


def announce(session, event, form) -> None:
    board.announce(
        session,
        event=event,
        text=form.get("text", ""),
        on_board=bool(form.get("on_board")),
        actor=current_user,
        now=now(),
    )


def withdraw(session, event, form) -> None:
    ident = database_id(form.get("id")) or 0
    board.withdraw(session, event=event, announcement_id=ident, actor=current_user, now=now())


def new_link(session, event, form) -> None:
    board.new_link(session, event=event, actor=current_user, now=now())
    flash(_("The board has a new link; the old one stopped working. Open the new one."))


COMMANDS: dict[str, Callable] = {
    "view": set_view,
    "freeze": freeze,
    "unfreeze": unfreeze,
    "reveal": reveal,
    "reveal_reset": end_reveal,
    "announce": announce,
    "withdraw": withdraw,
    "new_link": new_link,
}


def freeze_time(event, typed: str) -> datetime:
    """'16:30' in the event's zone on its day; empty means now."""
    if not typed.strip():
        return now()
    zone = ZoneInfo(event.timezone)
    day = event.starts_at.astimezone(zone).date()
    return datetime.combine(day, time.fromisoformat(typed.strip()), tzinfo=zone)

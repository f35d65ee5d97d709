"""Who is logged in and who may see what: the one place for role checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, abort, current_app, g
from flask import session as browser_session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from sqlmodel import Session, select

from webapp.db import request_session
from webapp.models import Event, EventStaff, Participant, User
from webapp.services import login_sessions

login_manager = LoginManager()
ORGANISER, JUDGE = "organiser", "judge"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    # Phones hop between Wi-Fi and mobile data and change IP address all day: "strong"
    # protection would log a group out in the middle of a task.
    login_manager.session_protection = "basic"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open that page.")
    login_manager.login_message_category = "info"


# What Flask-Login keeps in the session and remember cookies: "s:" and a login session's token.
# Ids of the older kind ("u:5", "p:7") name no login session and so log nobody in.
SESSION_ID = "s:"


@login_manager.user_loader
def load_user(user_id: str) -> User | Participant | None:
    """The account or participant of a live login session; an ended one logs nobody in."""
    if not user_id.startswith(SESSION_ID):
        return None
    db = request_session()
    live = login_sessions.find_live(db, user_id.removeprefix(SESSION_ID), now=clock())
    if live is None:
        return None
    who = (
        db.get(User, live.user_id)
        if live.user_id is not None
        else db.get(Participant, live.participant_id)
    )
    return who if who is not None and who.is_active else None


def log_in(who: User | Participant, *, lifetime: timedelta, remember: bool = False) -> None:
    """Starts a login session and gives its token to this browser; the caller commits.

    Flask-Login would keep `get_id()` in the cookies; it keeps the login session's token
    instead, so that ending the session in the database ends this login, whichever of the
    two cookies comes back and wherever a copy of it went.
    """
    now = clock()
    token = login_sessions.start(request_session(), who, now=now, expires_at=now + lifetime)
    login_user(who, remember=remember, duration=lifetime if remember else None)
    browser_session["_user_id"] = SESSION_ID + token


def log_out() -> None:
    """Ends this browser's login session (others of the same person stay); the caller commits."""
    user_id = browser_session.get("_user_id") or ""
    if user_id.startswith(SESSION_ID):
        login_sessions.end(request_session(), user_id.removeprefix(SESSION_ID), now=clock())
    logout_user()


def clock() -> datetime:
    return current_app.config["CLOCK"]()


def staff_role(session: Session, user: Any, event_id: int) -> str | None:
    if not isinstance(user, User):
        return None
    return session.exec(
        select(EventStaff.role).where(
            EventStaff.event_id == event_id, EventStaff.user_id == user.id
        )
    ).first()


def may_manage(session: Session, user: Any, event_id: int) -> bool:
    return staff_role(session, user, event_id) == ORGANISER


def may_judge(session: Session, user: Any, event_id: int) -> bool:
    return staff_role(session, user, event_id) in (ORGANISER, JUDGE)


def is_member(user: Any, event_id: int, group_id: int | None = None) -> bool:
    if not isinstance(user, Participant) or user.event_id != event_id:
        return False
    return group_id is None or user.group_id == group_id


def staff_only(role: str) -> Callable:
    """Views taking `event_id`: the current account must be organiser (or judge) of that event.

    The event is loaded once and put in `g.event`; anyone else gets 404, so that event ids
    cannot be probed.
    """
    allowed = {ORGANISER: (ORGANISER,), JUDGE: (ORGANISER, JUDGE)}[role]

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, event_id: int, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            session = request_session()
            if staff_role(session, current_user, event_id) not in allowed:
                abort(404)
            g.event = session.get(Event, event_id)
            return view(*args, event_id=event_id, **kwargs)

        return wrapped

    return decorator


def account_only(view: Callable) -> Callable:
    """Views for any organiser or judge account (not participants)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not isinstance(current_user._get_current_object(), User):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def participant_only(view: Callable) -> Callable:
    """Views for a participant's phone; the participant's event and group go in `g`."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user._get_current_object()
        if not isinstance(user, Participant):
            return current_app.login_manager.unauthorized()
        g.event = request_session().get(Event, user.event_id)
        return view(*args, **kwargs)

    return wrapped

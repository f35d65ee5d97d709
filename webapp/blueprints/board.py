"""The board on the projector, opened with the event's unguessable board token."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from sqlmodel import select

from webapp.db import request_session
from webapp.models import Event

bp = Blueprint("board", __name__, url_prefix="/board")


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def event_by_token(token: str) -> Event:
    event = request_session().exec(select(Event).where(Event.board_token == token)).first()
    if event is None:
        abort(404)
    return event


@bp.route("/<token>")
def show(token: str):
    """The full-screen board; it needs no login, only the token in its address."""
    event = event_by_token(token)
    return render_template("board/board.html", event=event)

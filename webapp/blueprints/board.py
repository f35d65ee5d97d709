"""The board on the projector: opened with the event's unguessable token, it needs no login."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
)
from flask_babel import gettext as _

from webapp.blueprints import now
from webapp.db import request_session
from webapp.domain.windows import tz_abbreviation
from webapp.services import board, board_map, standings
from webapp.services.chart import rank_chart_svg

bp = Blueprint("board", __name__, url_prefix="/board")


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def event_by_token(token: str):
    event = board.by_token(request_session(), token)
    if event is None:
        abort(404)
    g.page_language = event.language  # the room reads the event's language
    return event


@bp.route("/<token>")
def show(token: str):
    """The full-screen board; everything on it comes from the data below, polled."""
    event = event_by_token(token)
    settings = current_app.config["SETTINGS"]
    moment = now()
    return render_template(
        "board/board.html",
        event=event,
        server_now=moment,
        zone=tz_abbreviation(event.timezone, moment),
        poll_seconds=settings["board"]["poll_seconds"],
        tile_url=settings["map"]["tile_url"],
        tile_attribution=settings["map"]["tile_attribution"],
    )


@bp.route("/<token>/data.json")
def data(token: str):
    """What the board shows, answered 304 while the event's revision is unchanged."""
    event = event_by_token(token)
    tag = f"b{event.id}-{event.revision}"
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = jsonify(board_json(event))
    response.set_etag(tag)
    response.cache_control.no_cache = True
    return response


def board_json(event) -> dict:
    session = request_session()
    moment = now()
    rows, phase = board.board_rows(session, event, moment)
    colours = standings.colours_of(session, event.id)
    shown = board.revealed(rows, event.reveal_step) if phase == "reveal" else rows
    until = event.freeze_at if phase == "frozen" else None
    top = max((float(r.total) for r in shown), default=0) or 1  # no leader's total leaks
    deadline = board.next_deadline(session, event, moment)
    return {
        "revision": event.revision,
        "phase": phase,
        "server_now": moment.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "next_deadline": deadline.isoformat() if deadline else None,
        "view": event.board_view,
        "rotation_seconds": event.board_rotation_seconds,
        "reveal_step": event.reveal_step,
        "groups_total": len(rows),
        "groups": [
            {
                "id": r.group_id,
                "name": r.name,
                "colour": colours.get(r.group_id),
                "rank": r.rank,
                "points": float(r.total),
                "tasks": r.tasks_completed,
                "bar": max(0.0, float(r.total) / top),
            }
            for r in shown
        ],
        "photos": [
            dict(
                p,
                url=f"/photos/{p['photo']}/thumb.jpg?board={event.board_token}",
                large=f"/photos/{p['photo']}/display.jpg?board={event.board_token}",
            )
            for p in board.latest_photos(session, event, until)
        ],
        # Where groups are is news only while the standings are: none during the freeze.
        "positions": board_map.group_markers(session, event) if phase == "live" else [],
        "places": board_map.places(session, event, until or moment),
        "announcements": board.announcements(session, event),
        "timezone": event.timezone,
        # The final screen says how ties were broken, in the room's language.
        "tie_break": standings.tie_break_text(event, _) if phase == "reveal" else None,
    }


@bp.route("/<token>/chart.svg")
def chart(token: str):
    """Points of each group through the day: up to the freeze while frozen, and during the
    reveal only the groups already revealed."""
    session = request_session()
    event = event_by_token(token)
    moment = now()
    rows, phase = board.board_rows(session, event, moment)
    if phase == "reveal":
        rows = board.revealed(rows, event.reveal_step)
    svg = rank_chart_svg(
        rows,
        standings.colours_of(session, event.id),
        event.starts_at,
        event.ends_at,
        event.timezone,
        until=event.freeze_at if phase == "frozen" else moment,
        title=_("Points through the day"),
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.cache_control.no_cache = True
    return response

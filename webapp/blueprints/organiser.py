"""Organiser pages: the events list and the page of one event."""

from __future__ import annotations

from flask import Blueprint, Flask, g, render_template
from flask_login import current_user

from webapp.db import request_session
from webapp.domain.joincodes import display as display_code
from webapp.security import ORGANISER, account_only, staff_only
from webapp.services import events as event_service
from webapp.services import groups as group_service

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["join_code"] = display_code


@bp.route("/")
@account_only
def events():
    """The events this account organises or judges."""
    rows = event_service.events_for(request_session(), current_user)
    return render_template("organiser/events.html", rows=rows)


@bp.route("/events/<int:event_id>")
@staff_only(ORGANISER)
def event(event_id: int):
    """One event: its groups with their join codes and members, and what came in."""
    session = request_session()
    return render_template(
        "organiser/event.html",
        event=g.event,
        groups=group_service.groups_of(session, event_id),
        members=group_service.members_by_group(session, event_id),
        tasks=event_service.tasks_of(session, event_id),
        submissions=event_service.recent_submissions(session, event_id),
    )

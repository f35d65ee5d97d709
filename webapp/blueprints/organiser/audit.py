"""Organiser page for the audit log: every change, filtered, newest first, in plain words."""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import gettext

from webapp.blueprints.organiser import bp
from webapp.db import request_session
from webapp.domain.inputs import database_id
from webapp.security import ORGANISER, staff_only
from webapp.services import audit_log
from webapp.services import events as event_service
from webapp.services import groups as group_service
from webapp.services.authoring import tasks_of


@bp.route("/events/<int:event_id>/log")
@staff_only(ORGANISER)
def audit_log_page(event_id: int):
    """Who changed what and when, with the values before and after and the reason."""
    session = request_session()
    kinds = audit_log.kinds_in(session, g.event)
    kind = request.args.get("kind")
    wanted = audit_log.LogFilter(
        group_id=database_id(request.args.get("group")),
        task_id=database_id(request.args.get("task")),
        actor_id=database_id(request.args.get("judge")),
        kind=kind if kind in audit_log.KINDS else None,
    )
    found = audit_log.page_of(session, g.event, wanted, database_id(request.args.get("page")) or 1)
    names = audit_log.Names.of(session, g.event)
    return render_template(
        "organiser/audit.html",
        event=g.event,
        wanted=wanted,
        found=found,
        rows=[audit_log.readable(entry, g.event, names, gettext) for entry in found.entries],
        kinds=[(name, gettext(audit_log.KINDS[name])) for name in kinds if name in audit_log.KINDS],
        groups=group_service.groups_of(session, event_id),
        tasks=tasks_of(session, event_id),
        staff=event_service.staff_of(session, event_id),
    )

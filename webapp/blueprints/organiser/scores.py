"""Organiser pages for scores: the live standings with every group's breakdown, adjustments."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints import flash_refusal, now
from webapp.blueprints.api import etag_for
from webapp.blueprints.organiser import bp
from webapp.db import request_session
from webapp.domain.inputs import database_id
from webapp.security import ORGANISER, staff_only
from webapp.services import ServiceError, judging, standings
from webapp.services import groups as group_service


@bp.route("/events/<int:event_id>/standings")
@staff_only(ORGANISER)
def standings_page(event_id: int):
    """The ranking with a breakdown line for every point; it refreshes itself."""
    session = request_session()
    return render_template(
        "organiser/standings.html",
        event=g.event,
        rows=standings.compute(session, g.event),
        colours=standings.colours_of(session, event_id),
        etag=f'"{etag_for(event_id, g.event.revision)}"',
    )


@bp.route("/events/<int:event_id>/adjustments", methods=["GET", "POST"])
@staff_only(ORGANISER)
def adjustments(event_id: int):
    """Points added or taken for discipline, each with the reason the group will see."""
    session = request_session()
    if request.method == "POST":
        from webapp.blueprints.auth import EmptyForm

        if EmptyForm().validate_on_submit():
            try:
                points = float(request.form.get("points", "").replace(",", "."))
                judging.add_adjustment(
                    session,
                    event=g.event,
                    group_id=database_id(request.form.get("group")) or 0,
                    points=points,
                    reason=request.form.get("reason", ""),
                    actor=current_user,
                    now=now(),
                )
            except ValueError:
                session.rollback()
                flash(_("Points must be a number, for example -5 or 10."), "error")
            except ServiceError as exc:
                session.rollback()
                flash_refusal(exc)
            else:
                session.commit()
                flash(_("Adjustment saved."), "success")
                return redirect(url_for("organiser.adjustments", event_id=event_id))
    return render_template(
        "organiser/adjustments.html",
        event=g.event,
        groups=group_service.groups_of(session, event_id),
        rows=judging.adjustments_of(session, event_id),
    )


@bp.route("/events/<int:event_id>/adjustments/<int:adjustment_id>/withdraw", methods=["POST"])
@staff_only(ORGANISER)
def withdraw_adjustment(event_id: int, adjustment_id: int):
    """Withdraws an adjustment with a reason: it stays on the list, struck through."""
    from webapp.blueprints.auth import EmptyForm

    session = request_session()
    if EmptyForm().validate_on_submit():
        try:
            judging.withdraw_adjustment(
                session,
                event=g.event,
                adjustment_id=adjustment_id,
                reason=request.form.get("reason", ""),
                actor=current_user,
                now=now(),
            )
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("Adjustment withdrawn; it no longer counts."), "success")
    return redirect(url_for("organiser.adjustments", event_id=event_id))

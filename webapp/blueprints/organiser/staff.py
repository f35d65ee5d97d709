"""Organiser page for judges: appoint accounts as judges of an event."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.blueprints import flash_refusal, now
from webapp.blueprints.auth import EmptyForm
from webapp.blueprints.organiser import bp
from webapp.blueprints.organiser.forms import JudgeForm
from webapp.db import request_session
from webapp.security import ORGANISER, staff_only
from webapp.services import ServiceError
from webapp.services import events as event_service


@bp.route("/events/<int:event_id>/judges", methods=["GET", "POST"])
@staff_only(ORGANISER)
def judges(event_id: int):
    """The event's judges; a judge is an existing account, or a new one made here."""
    session = request_session()
    form = JudgeForm()
    if form.validate_on_submit():
        try:
            event_service.appoint_judge(
                session,
                event=g.event,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                actor=current_user,
                now=now(),
            )
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("Judge appointed."), "success")
            return redirect(url_for("organiser.judges", event_id=event_id))
    return render_template(
        "organiser/judges.html",
        event=g.event,
        form=form,
        staff=event_service.staff_of(session, event_id),
    )


@bp.route("/events/<int:event_id>/judges/<int:user_id>/organiser", methods=["POST"])
@staff_only(ORGANISER)
def make_organiser(event_id: int, user_id: int):
    """Lets a judge create events of their own."""
    session = request_session()
    if EmptyForm().validate_on_submit():
        try:
            user = event_service.allow_event_creation(
                session, event=g.event, user_id=user_id, actor=current_user, now=now()
            )
        except ServiceError as exc:
            session.rollback()
            flash_refusal(exc)
        else:
            session.commit()
            flash(_("%(name)s may now create events.", name=user.name), "success")
    return redirect(url_for("organiser.judges", event_id=event_id))


@bp.route("/events/<int:event_id>/judges/<int:user_id>/remove", methods=["POST"])
@staff_only(ORGANISER)
def remove_judge(event_id: int, user_id: int):
    """Takes a judge off the event; their reviews stay."""
    session = request_session()
    if EmptyForm().validate_on_submit():
        event_service.remove_judge(
            session, event=g.event, user_id=user_id, actor=current_user, now=now()
        )
        session.commit()
    return redirect(url_for("organiser.judges", event_id=event_id))

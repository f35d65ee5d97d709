"""The participant's phone pages: the group's tasks, one task, sending an answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.blueprints import flash_refusal, now
from webapp.db import request_session
from webapp.models import Group
from webapp.security import participant_only
from webapp.services import ServiceError, play, submissions

bp = Blueprint("play", __name__, url_prefix="/play")


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=4000)])
    key = HiddenField()
    pressed_at = HiddenField()


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def current_group() -> Group:
    return request_session().get(Group, current_user.group_id)


@bp.route("/")
@participant_only
def tasks():
    """The group's tasks with their state and time left."""
    group = current_group()
    cards = play.task_cards(request_session(), group=group, now=now())
    return render_template(
        "play/tasks.html", event=g.event, group=group, cards=cards, server_now=now()
    )


@bp.route("/tasks/<int:task_id>")
@participant_only
def task(task_id: int):
    """One task: instructions, place, what the group sent, and the form to send."""
    group = current_group()
    card = find_card(group, task_id)
    form = AnswerForm(key=uuid.uuid4().hex) if card.task.kind == "text" else None
    return render_template(
        "play/task.html", event=g.event, group=group, card=card, form=form, server_now=now()
    )


@bp.route("/tasks/<int:task_id>/answer", methods=["POST"])
@participant_only
def submit(task_id: int):
    """Sends a text answer; a second press of the button with the same key changes nothing."""
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Please write an answer before sending."), "error")
        return redirect(url_for("play.task", task_id=task_id))
    session = request_session()
    try:
        received = submissions.submit_answer(
            session,
            participant=current_user._get_current_object(),
            task_id=task_id,
            key=form.key.data,
            answer=form.answer.data,
            pressed_at=parse_time(form.pressed_at.data),
            now=now(),
        )
    except ServiceError as exc:
        session.rollback()
        flash_refusal(exc)
        return redirect(url_for("play.task", task_id=task_id))
    session.commit()
    if received.created:
        flash(_("Sent. Your group's answer was received."), "success")
    return redirect(url_for("play.task", task_id=task_id))


def find_card(group: Group, task_id: int) -> play.TaskCard:
    for card in play.task_cards(request_session(), group=group, now=now()):
        if card.task.id == task_id:
            return card
    abort(404)


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None

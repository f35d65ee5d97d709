"""The participant's phone pages: tasks, one task, sending, hints, the group's history."""

from __future__ import annotations

import uuid
from datetime import UTC

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp import db
from webapp.blueprints import flash_refusal, message, now, photo_store, play_state, reads_first
from webapp.blueprints.auth import EmptyForm
from webapp.db import request_session
from webapp.domain import inputs
from webapp.models import Group, Participant, Submission
from webapp.security import participant_only
from webapp.services import (
    ServiceError,
    hints,
    history,
    play,
    standings,
    submission_photos,
    submissions,
)

bp = Blueprint("play", __name__, url_prefix="/play")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    play_state.register(app)


def current_group() -> Group:
    return request_session().get(Group, current_user.group_id)


def photo_limits() -> submission_photos.PhotoLimits:
    storage = current_app.config["SETTINGS"]["storage"]
    return submission_photos.PhotoLimits(
        max_bytes=int(storage["max_upload_mb"] * 1024 * 1024),
        max_pixels=int(storage["max_pixels"]),
        max_decoded_pixels=int(storage["max_decoded_pixels"]),
    )


@bp.route("/")
@participant_only
def tasks():
    """The group's tasks with their state and time left; the page keeps itself current."""
    live = play_state.live(request_session(), g.event, current_group(), now(), scope="all")
    return render_template(
        "play/tasks.html",
        event=g.event,
        group=current_group(),
        cards=live["cards"],
        live=live,
        server_now=now(),
    )


@bp.route("/tasks/<int:task_id>")
@participant_only
def task(task_id: int):
    """One task: instructions, place, what the group sent, hints, and the input for its kind.

    A locked task shows only its title and what unlocks it."""
    session = request_session()
    live = play_state.live(session, g.event, current_group(), now(), scope=str(task_id))
    card = next((c for c in live["cards"] if c.task.id == task_id), None)
    if card is None:
        abort(404)
    locked = card.state == "locked"
    return render_template(
        "play/task.html",
        event=g.event,
        group=current_group(),
        card=card,
        key=uuid.uuid4().hex,
        hints_used=[] if locked else hints.opened(session, current_user.group_id, task_id),
        live=live,
        server_now=now(),
        max_mb=current_app.config["SETTINGS"]["storage"]["max_upload_mb"],
    )


@bp.route("/tasks/<int:task_id>/send", methods=["POST"])
@reads_first
@participant_only
def send(task_id: int):
    """The plain form's way in (no JavaScript): same rules, then back to the task page."""
    try:
        received = receive(task_id)
    except ServiceError as exc:
        flash_refusal(exc)
        return redirect(url_for("play.task", task_id=task_id))
    if received.created:
        flash(_("Sent. Your group's submission was received."), "success")
    return redirect(url_for("play.task", task_id=task_id))


@bp.route("/api/tasks/<int:task_id>/submissions", methods=["POST"])
@reads_first
@participant_only
def api_send(task_id: int):
    """The upload queue's way in: JSON answers, and the first answer again for a retried key."""
    try:
        received = receive(task_id)
    except ServiceError as exc:
        response = jsonify(error=type(exc).__name__, message=message(exc))
        if getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, exc.status
    return jsonify(
        submission=submission_json(received.submission), replayed=not received.created
    ), 201 if received.created else 200


@bp.route("/api/state")
def api_state():
    """The group's task states and the announcements, for a phone that keeps its page open;
    304 while unchanged (mostly answered before Flask, see webapp/polling.py)."""
    user = current_user._get_current_object()
    if not isinstance(user, Participant):
        return jsonify(error="unauthorized", message=_("Please log in again.")), 401
    session = request_session()
    revision = standings.revision(session, user.event_id)
    tag = play_state.tag(revision)
    if tag in request.if_none_match:
        response = Response(status=304)
    else:
        cards = play.task_cards(session, group=current_group(), now=now())
        notes = history.announcements(session, user.event_id)
        response = jsonify(play_state.state(cards, notes, revision, now()))
    response.set_etag(tag)
    response.cache_control.no_cache = True
    return response


@bp.route("/api/submissions")
@participant_only
def api_status():
    """What the server holds for the given keys, so the phone can show what was received."""
    keys = [k for k in request.args.getlist("key") if k][:50]
    session = request_session()
    found = [submissions.find_by_key(session, current_user.group_id, key) for key in keys]
    return jsonify(
        submissions=[submission_json(sub) for sub in found if sub is not None],
        server_now=now().isoformat(),
    )


def receive(task_id: int) -> submissions.Received:
    """Parses the request, then the service's steps in two transactions, so that SQLite's
    write lock is held only for the writes: the reads (a plain transaction, ended before the
    slow work), the photo decoded and its files stored outside any transaction, then the
    checks again and the writes in a short write transaction."""
    sent = sent_in_request()
    session = request_session()
    participant = current_user._get_current_object()
    store, moment = photo_store(), now()
    try:
        plan = submissions.check(
            session, participant=participant, task_id=task_id, sent=sent, now=moment
        )
    except ServiceError:
        session.rollback()
        raise
    if plan.replay is not None:
        return plan.replay
    session.rollback()  # nothing was written: this ends the reads before the slow work
    photo = None
    if plan.photo:
        decoders = current_app.extensions["photo_decoders"]
        photo = submission_photos.store_photo(
            sent.photo, store=store, limits=photo_limits(), decoders=decoders
        )
    try:
        with db.write_transaction(session):
            received = submissions.record(
                session,
                participant=participant,
                task_id=task_id,
                sent=sent,
                photo=photo,
                now=moment,
            )
    except BaseException:
        submission_photos.discard(photo, store)
        raise
    if not received.created:
        submission_photos.discard(photo, store)  # a retry of this key was stored first
    return received


def sent_in_request() -> submissions.Sent:
    """What the phone sent; a position or accuracy that cannot be one (not finite, not on
    Earth) is refused with a message (`inputs.Refused`, a 400), unusable evidence dropped."""
    form = request.form
    photo = request.files.get("photo")
    place = inputs.position(form.get("lat"), form.get("lon"))
    pressed_at = inputs.client_time(form.get("pressed_at"))
    return submissions.Sent(
        key=form.get("key"),
        answer=form.get("answer", ""),
        lat=place[0] if place else None,
        lon=place[1] if place else None,
        accuracy_m=inputs.accuracy(form.get("accuracy")) if place else None,
        pressed_at=pressed_at.astimezone(UTC) if pressed_at else None,
        photo=photo.read() if photo and photo.filename else None,
        client_evidence=inputs.evidence(form.get("evidence")),
    )


@bp.route("/tasks/<int:task_id>/hints", methods=["POST"])
@participant_only
def open_hint(task_id: int):
    """Opens the next hint; its cost was shown on the button."""
    session = request_session()
    card = find_card(current_group(), task_id)
    if EmptyForm().validate_on_submit():
        try:
            play.open_hint(
                session,
                participant=current_user._get_current_object(),
                card=card,
                index=int(request.form.get("index", "0")),
                now=now(),
            )
        except (ServiceError, ValueError) as exc:
            session.rollback()
            if isinstance(exc, ServiceError):
                flash_refusal(exc)
        else:
            session.commit()
    return redirect(url_for("play.task", task_id=task_id) + "#hints")


@bp.route("/history")
@participant_only
def group_history():
    """What each member of the group sent, when, its state and the judge's comment."""
    return render_template(
        "play/history.html",
        event=g.event,
        group=current_group(),
        rows=history.group_history(request_session(), current_user.group_id),
    )


@bp.route("/score")
@participant_only
def score():
    """Why the group has the score it has: a line for every point, and its rank."""
    rows = standings.compute(request_session(), g.event)
    row = next(r for r in rows if r.group_id == current_user.group_id)
    return render_template(
        "play/score.html", event=g.event, group=current_group(), row=row, groups=len(rows)
    )


def find_card(group: Group, task_id: int) -> play.TaskCard:
    card = play.find_card(request_session(), group=group, task_id=task_id, now=now())
    if card is None:
        abort(404)
    return card


def submission_json(sub: Submission) -> dict:
    return {
        "id": sub.id,
        "key": sub.idempotency_key,
        "task_id": sub.task_id,
        "status": sub.status,
        "answer": sub.answer,
        "received_at": sub.received_at.isoformat(),
        "pressed_at": sub.pressed_at.isoformat() if sub.pressed_at else None,
        "late_minutes": sub.late_minutes,
        "distance_m": sub.distance_m,
        "photo": url_for("photos.serve", photo=sub.photo_key, variant="thumb.jpg")
        if sub.photo_key
        else None,
    }

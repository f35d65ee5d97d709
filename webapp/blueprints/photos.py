"""Serving photos to those who may see them, with long cache lifetimes for the fixed copies."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request, send_file
from flask_login import current_user
from sqlmodel import select

from webapp.blueprints import photo_store
from webapp.db import request_session
from webapp.models import Event, Submission, Task
from webapp.security import is_member, may_judge
from webapp.storage import VARIANTS, BadKey, key_for

bp = Blueprint("photos", __name__, url_prefix="/photos")
YEAR = 365 * 24 * 3600


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def may_see(sub: Submission) -> bool:
    """The group itself, the event's organisers and judges; the board only approved photos."""
    session = request_session()
    user = current_user._get_current_object()
    if is_member(user, sub.event_id, sub.group_id) or may_judge(session, user, sub.event_id):
        return True
    token = request.args.get("board")
    if token and sub.status == "accepted":
        event = session.get(Event, sub.event_id)
        return event is not None and event.board_token == token
    return False


@bp.route("/reference/<int:task_id>/<variant>")
def reference(task_id: int, variant: str):
    """A task's reference photo, for the event's participants, organisers and judges."""
    session = request_session()
    task = session.get(Task, task_id)
    user = current_user._get_current_object()
    if (
        task is None
        or not task.reference_photo
        or variant not in VARIANTS
        or not (is_member(user, task.event_id) or may_judge(session, user, task.event_id))
    ):
        abort(404)
    return send_photo(key_for(task.reference_photo, variant))


@bp.route("/<photo>/<variant>")
def serve(photo: str, variant: str):
    """A display copy or thumbnail; originals leave only through exports."""
    if variant not in VARIANTS:
        abort(404)
    try:
        key = key_for(photo, variant)
    except BadKey:
        abort(404)
    sub = request_session().exec(select(Submission).where(Submission.photo_key == photo)).first()
    if sub is None or not may_see(sub):
        abort(404)
    return send_photo(key)


def send_photo(key: str):
    store = photo_store()
    if not store.exists(key):
        abort(404)
    response = send_file(
        store.path(key), mimetype="image/jpeg", etag=True, max_age=YEAR, conditional=True
    )
    # send_file marks a response with a max_age public; photos are not for shared caches.
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.immutable = True
    return response.make_conditional(request)

"""JSON for organisers' and judges' pages: the standings, answered 304 while nothing changed."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from flask_login import current_user

from webapp import openapi
from webapp.db import request_session
from webapp.security import JUDGE, may_manage, staff_only
from webapp.services import standings

bp = Blueprint("api", __name__, url_prefix="/api")


def register(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.route("/openapi.json")
def openapi_document():
    """The JSON API's OpenAPI document, built from the routes (webapp/openapi.py)."""
    return jsonify(openapi.document(current_app))


def etag_for(event_id: int, revision: int, variant: str = "s") -> str:
    return f"{variant}{event_id}-{revision}"


def not_modified_or(event_id: int, variant: str, build) -> Response:
    """An unchanged revision costs one small query and no computation (DESIGN.md)."""
    revision = standings.revision(request_session(), event_id)
    if revision is None:
        abort(404)
    tag = etag_for(event_id, revision, variant)
    if request.if_none_match.contains_weak(tag):  # If-None-Match compares weakly (RFC 9110)
        response = Response(status=304)
    else:
        response = jsonify(build())
    response.set_etag(tag)
    response.cache_control.no_cache = True
    return response


@bp.route("/events/<int:event_id>/standings")
@staff_only(JUDGE)
def event_standings(event_id: int):
    """The live standings for the organisers' page; a judge of an event judged blind gets
    them without what names a group (name, colour, id)."""
    session = request_session()
    blind = g.event.blind_judging and not may_manage(session, current_user, event_id)

    def build() -> dict:
        rows = standings.compute(session, g.event)
        data = standings.as_json(rows, g.event, standings.colours_of(session, event_id))
        if blind:
            data["groups"] = [without_identity(group) for group in data["groups"]]
        return data

    return not_modified_or(event_id, "j" if blind else "s", build)


def without_identity(group: dict) -> dict:
    return {key: value for key, value in group.items() if key not in ("id", "name", "colour")}

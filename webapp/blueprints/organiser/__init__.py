"""Organiser pages: events, their tasks and locations, groups, roster, join cards and judges."""

from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory
from xstatic.pkg import leaflet

from webapp.blueprints.organiser.forms import KIND_NAMES
from webapp.domain.joincodes import display as display_code

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


def register(app: Flask) -> None:
    from webapp.blueprints.organiser import (  # noqa: F401
        audit,
        board_control,
        events,
        exports,
        groups,
        scores,
        staff,
        tasks,
    )

    app.register_blueprint(bp)
    app.jinja_env.filters["join_code"] = display_code
    app.jinja_env.filters["kind_name"] = lambda kind: KIND_NAMES.get(kind, kind)
    app.add_url_rule("/vendor/leaflet/<path:filename>", "leaflet", serve_leaflet)


def serve_leaflet(filename: str):
    """Leaflet comes from the xstatic-leaflet package, not from a copy in this repository."""
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=7 * 24 * 3600)

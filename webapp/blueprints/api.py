"""JSON endpoints for phones and the board."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api")


def register(app: Flask) -> None:
    app.register_blueprint(bp)

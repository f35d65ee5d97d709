"""Static files with a content version in their address, and the service worker at the root."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, send_from_directory, url_for

STATIC = Path(__file__).parent / "static"


@lru_cache(maxsize=256)
def version(filename: str) -> str:
    """A short hash of the file, so a phone's cached copy is replaced when the file changes."""
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:10]


def static_url(filename: str) -> str:
    return url_for("static", filename=filename, v=version(filename))


def service_worker():
    """Served from the root so that it may keep every phone page for offline use."""
    response = send_from_directory(STATIC / "js", "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = static_url
    app.add_url_rule("/sw.js", "service_worker", service_worker)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 7 * 24 * 3600

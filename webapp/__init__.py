"""Jelajah: field-task exercises for training programmes. `create_app` builds the Flask app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import assets, db, i18n, limits, photos, security
from webapp.config import instance_secret_key, load_settings
from webapp.json_provider import StrictJSONProvider
from webapp.polling import NotModified

csrf = CSRFProtect()


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Builds the app; `settings` overrides config.toml and the environment, section by section.

    A test may also pass `{"clock": callable}` at the top level to fix the current time.
    """
    overrides = dict(settings or {})
    clock: Callable[[], datetime] = overrides.pop("clock", lambda: datetime.now(UTC))
    conf = load_settings(overrides)
    instance_path = Path(conf["app"]["instance_path"]).resolve()
    app = Flask(__name__, instance_path=str(instance_path))
    app.json = StrictJSONProvider(app)
    configure(app, conf, clock)
    init_database(app, conf)
    security.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    assets.init_app(app)
    register_blueprints(app)
    limits.init_app(app)
    app.wsgi_app = NotModified(app.wsgi_app, app.extensions["engine"], app)
    return app


def configure(app: Flask, conf: dict[str, Any], clock: Callable[[], datetime]) -> None:
    instance_path = Path(app.instance_path)
    secret = conf["app"]["secret_key"] or instance_secret_key(instance_path)
    https = bool(conf["app"]["https"])
    app.config.update(
        SETTINGS=conf,
        CLOCK=clock,
        SECRET_KEY=secret,
        MAX_CONTENT_LENGTH=int(conf["storage"]["max_upload_mb"] * 1024 * 1024) + 256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PREFERRED_URL_SCHEME="https" if https else "http",
        WTF_CSRF_TIME_LIMIT=None,
        TEMPLATES_AUTO_RELOAD=conf["app"]["mode"] == "dev",
    )
    # Each gunicorn worker builds its own app after the fork: the slots are per worker process.
    photos.return_freed_pixels()
    app.extensions["photo_decoders"] = photos.DecodeGate(
        int(conf["storage"]["photo_decoders"]), float(conf["storage"]["photo_wait_seconds"])
    )
    proxies = int(conf["app"]["trusted_proxies"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def init_database(app: Flask, conf: dict[str, Any]) -> None:
    """Connects and refuses to start on an out-of-date schema; it never creates tables itself."""
    url = db.database_url(conf, Path(app.instance_path))
    engine = db.make_engine(
        url, busy_timeout_ms=conf["database"]["busy_timeout_ms"], echo=conf["database"]["echo"]
    )
    db.check_schema(engine)
    app.extensions["engine"] = engine

    @app.before_request
    def mark_writes() -> None:
        """A request that writes holds SQLite's write lock from its first statement. A view
        marked `reads_first` (sending a submission) reads in a plain transaction instead and
        opens its own short write transaction after its slow work (`db.write_transaction`)."""
        view = app.view_functions.get(request.endpoint or "")
        posts = request.method not in ("GET", "HEAD", "OPTIONS")
        db.writing.set(
            (posts and not getattr(view, "reads_first", False)) or getattr(view, "writes", False)
        )

    @app.teardown_request
    def unmark_writes(_exc: BaseException | None) -> None:
        db.writing.set(False)

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()


def register_blueprints(app: Flask) -> None:
    from webapp.blueprints import api, auth, board, errors, guard, organiser, photos, play, review

    # The guard first: the routes of the others are compiled with its `int` converter.
    for module in (guard, auth, organiser, review, play, photos, board, api, errors):
        module.register(app)

"""Error pages (and JSON errors for the API) in the reader's language."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from webapp import db
from webapp.i18n import device_language

RETRY_AFTER_SECONDS = 5


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(OperationalError, database_busy)
    app.register_error_handler(HTTPException, http_error)


def _texts(code: int) -> tuple[str, str]:
    texts = {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("You may not open this page.")),
        404: (_("Not found"), _("This page does not exist, or it is not yours to see.")),
        405: (_("Not allowed"), _("This address does not take that kind of request.")),
        413: (
            _("File too large"),
            _("The file is larger than %(mb)s MB. Please send a smaller photo.", mb=_limit_mb()),
        ),
        503: (
            _("Busy"),
            _(
                "The server is busy. Please try again in a moment; a phone sends what is in "
                "its outbox again by itself."
            ),
        ),
    }
    return texts.get(code, (_("Something went wrong"), _("Please try again in a moment.")))


def _limit_mb() -> int:
    from flask import current_app

    return current_app.config["SETTINGS"]["storage"]["max_upload_mb"]


def _wants_json() -> bool:
    return "/api/" in request.path or request.accept_mimetypes.best == "application/json"


def csrf_error(exc: CSRFError):
    text = _("The form expired or was sent from elsewhere. Please reload the page and try again.")
    if _wants_json():
        return jsonify(error="csrf", message=text), 400
    return render_template(
        "errors/error.html", code=400, heading=_("Please try again"), text=text
    ), 400


def database_busy(exc: OperationalError):
    """SQLite's write lock stayed taken past the busy timeout: the server is busy, not broken,
    so 503, which the phone's outbox sends again. Any other database failure is a 500."""
    if "database is locked" not in str(exc.orig):
        raise exc
    current_app.logger.warning("database busy: %s %s", request.method, request.path)
    return failure(503)


def failure(code: int):
    """A 5xx answer that needs no database: the failure may be the database's (a lock held
    too long), and the page must not wait for it again. So no login is looked up, the
    language is the one already chosen for this request or else the browser's, and any
    statement that did run would only read."""
    db.writing.set(False)
    if "page_language" not in g:
        g.page_language = device_language()
    heading, text = _texts(code)
    if _wants_json():
        response = jsonify(error="busy" if code == 503 else "server_error", message=text)
    else:
        # Straight from the template, without the context processors: Flask-Login's would
        # look up the login.
        template = current_app.jinja_env.get_template("errors/failure.html")
        response = current_app.make_response(template.render(code=code, heading=heading, text=text))
    response.status_code = code
    if code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def http_error(exc: HTTPException):
    code = exc.code or 500
    if code >= 500:
        return failure(code)
    heading, text = _texts(code)
    if _wants_json():
        return jsonify(error=exc.name.lower().replace(" ", "_"), message=text), code
    return render_template("errors/error.html", code=code, heading=heading, text=text), code

"""Error pages (and JSON errors for the API) in the reader's language; they never fail.

An error page may follow a failed transaction or come while another request holds SQLite's
write lock: it gives the transaction up first and only reads (the logged-in person, for the
page's bar). Should even that fail, a plain page goes out instead of none.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from webapp import db
from webapp.blueprints import message
from webapp.blueprints.guard import Malformed
from webapp.domain.inputs import Refused
from webapp.i18n import device_language
from webapp.services import ServiceError

RETRY_AFTER_SECONDS = 5


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(OperationalError, database_busy)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(ServiceError, service_error)
    app.register_error_handler(Refused, refused_input)


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
    return current_app.config["SETTINGS"]["storage"]["max_upload_mb"]


def wants_json() -> bool:
    """The phone's queue, the board's poll and the API read JSON, whatever went wrong."""
    return (
        "/api/" in request.path
        or request.path.endswith(".json")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def csrf_error(exc: CSRFError):
    return respond(
        400,
        "csrf",
        lambda: (
            _("Please try again"),
            _("The form expired or was sent from elsewhere. Please reload the page and try again."),
        ),
    )


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
    if wants_json():
        response = jsonify(error="busy" if code == 503 else "internal_server_error", message=text)
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

    def texts() -> tuple[str, str]:
        heading, text = _texts(code)
        return heading, str(exc.description) if isinstance(exc, Malformed) else text

    return respond(code, exc.name.lower().replace(" ", "_"), texts)


def service_error(exc: ServiceError):
    """A rule's refusal that no view turned into a page of its own (an id of another event
    in the address, for example)."""
    return respond(exc.status, type(exc).__name__, lambda: (_texts(exc.status)[0], message(exc)))


def refused_input(exc: Refused):
    return respond(
        exc.status,
        "invalid_input",
        lambda: (_texts(exc.status)[0], _(exc.template, **exc.params)),
    )


def respond(code: int, error: str, texts: Callable[[], tuple[str, str]]):
    """The page or JSON for an error; `texts` gives its heading and text in the reader's
    language (choosing that language may read the database, so it can fail too)."""
    give_up_transaction()
    try:
        heading, text = texts()
        if wants_json():
            return jsonify(error=error, message=text), code
        return render_template("errors/error.html", code=code, heading=heading, text=text), code
    except Exception:  # noqa: BLE001 - an error page must not become a second error
        current_app.logger.exception("The error page for %s failed; sent a plain one", code)
        return plain(code, error), code


def give_up_transaction() -> None:
    """Nothing of a request that failed is kept; what the page still reads needs no write
    lock (a POST took SQLite's at BEGIN, and waiting for it is what can fail)."""
    db.writing.set(False)
    session = g.get("db")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is closed at teardown
            current_app.logger.warning("Could not roll back before an error page", exc_info=True)


def plain(code: int, error: str) -> Response:
    """The last resort: no template, no translation, no database."""
    if wants_json():
        return Response(json.dumps({"error": error, "message": ""}), mimetype="application/json")
    return Response(
        f"<!doctype html><meta charset=utf-8><title>{code}</title><h1>{code}</h1>",
        mimetype="text/html",
    )

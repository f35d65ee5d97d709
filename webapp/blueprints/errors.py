"""Error pages (and JSON errors for the API) in the reader's language."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
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


def http_error(exc: HTTPException):
    code = exc.code or 500
    heading, text = _texts(code)
    if _wants_json():
        return jsonify(error=exc.name.lower().replace(" ", "_"), message=text), code
    return render_template("errors/error.html", code=code, heading=heading, text=text), code

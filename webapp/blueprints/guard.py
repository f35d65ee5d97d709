"""Requests no browser makes, stopped before any view: ids in an address past the
database's integer range match no route; a NUL character anywhere, and a form part
without a name, are refused."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from webapp.domain.inputs import DB_ID_MAX, ID_DIGITS, has_nul


class Malformed(BadRequest):
    """A 400 whose description says what was wrong; translated when the error page is made,
    which gives up the request's transaction first (choosing the language may read the
    database)."""


class DatabaseId(IntegerConverter):
    """`<int:…>` in every route: at most what an id column holds. A longer or bigger number
    names no row, so the address matches nothing (404) instead of overflowing the query."""

    regex = rf"\d{{1,{ID_DIGITS}}}"

    def __init__(self, url_map, fixed_digits=0, min=None, max=DB_ID_MAX, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def register(app: Flask) -> None:
    """Runs before the blueprints: their routes are compiled with this `int` converter."""
    app.url_map.converters["int"] = DatabaseId
    # First of all: the CSRF check reads the form too, and a part without a name breaks it.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_malformed)


def refuse_malformed() -> None:
    """PostgreSQL cannot store a NUL character and no keyboard types one: refused here, once
    for every form field, query argument, file name and address of the app."""
    pairs = list(request.args.items(multi=True))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        pairs += request.form.items(multi=True)
        pairs += [(name, upload.filename) for name, upload in request.files.items(multi=True)]
    if any(name is None for name, _value in pairs):
        raise Malformed(_l("A part of the form has no name."))
    texts = [request.path, *(text for pair in pairs for text in pair if text)]
    if any(has_nul(text) for text in texts):
        raise Malformed(
            _l(
                "What was sent contains a character that cannot be stored (a NUL character). "
                "Please type it again."
            )
        )

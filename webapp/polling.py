"""The polling fast path: an unchanged revision is answered 304 before Flask is involved.

Hundreds of phones and the boards ask every few seconds whether anything changed. Their
ETags carry the event and its revision; when the revision still matches, this middleware
answers 304 with one indexed query and no login or template work. Anything else (no ETag, a
changed revision, a board token that does not match) goes to the app as usual, which does
every permission check. A 304 carries no data, only "nothing changed".

A phone's tag also names its participant and carries an HMAC (keyed with the app's secret)
of event, group and participant, and the middleware answers 304 only to the session cookie
of that participant: a guessed, forged or replayed tag, or a request of someone logged out,
goes to the app, which answers 401, so nobody outside learns an event's revision.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy.engine import Engine
from werkzeug.wrappers import Request

# Ids and revisions as the app writes them: a longer number is no tag of ours (and would
# overflow the query's integer), so it goes to the app, which answers it in full.
NUMBER = r"(\d{1,9})"
PHONE = re.compile(rf'^(?:W/)?"p{NUMBER}-{NUMBER}-{NUMBER}-{NUMBER}-([0-9a-f]{{16}})"$')
BOARD = re.compile(rf'^(?:W/)?"b{NUMBER}-{NUMBER}"$')
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LOGINS_KEPT, LOGIN_KEPT_S = 10_000, 600.0


def phone_mac(secret: str | bytes, event_id: int, group_id: int, login: str) -> str:
    """Binds a tag to one login (the session's Flask-Login id, a login-session token), so
    nobody else's cookie, and no guess, gets a 304 for it."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"phone:{event_id}-{group_id}-{login}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def phone_tag(
    secret: str | bytes,
    *,
    event_id: int,
    group_id: int,
    participant_id: int,
    login: str,
    revision: int,
) -> str:
    """The ETag of a participant's state (without quotes, as `set_etag` takes it)."""
    mac = phone_mac(secret, event_id, group_id, login)
    return f"p{event_id}-{group_id}-{participant_id}-{revision}-{mac}"


class NotModified:
    def __init__(self, app: Callable, engine: Engine, flask: Flask):
        self.app = app
        self.engine = engine
        self.flask = flask
        name = re.escape(flask.config["SESSION_COOKIE_NAME"])
        self.cookie = re.compile(rf"(?:^|;)\s*{name}=([^;\s]+)")
        self.logins: dict[str, tuple[str | None, float]] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and self.unchanged(environ):
            tag = environ["HTTP_IF_NONE_MATCH"].strip()
            start_response("304 NOT MODIFIED", [("ETag", tag), ("Cache-Control", "no-cache")])
            return [b""]
        return self.app(environ, start_response)

    def unchanged(self, environ: dict) -> bool:
        path, tag = environ.get("PATH_INFO", ""), environ.get("HTTP_IF_NONE_MATCH", "").strip()
        if not tag:
            return False
        if path == "/play/api/state" and (match := PHONE.match(tag)):
            event_id, group_id, _participant_id, revision = map(int, match.group(1, 2, 3, 4))
            login = self.logged_in(environ)
            if login is None:
                return False
            mac = phone_mac(self.flask.secret_key, event_id, group_id, login)
            if not hmac.compare_digest(mac, match.group(5)):
                return False
            sql, params = "SELECT revision FROM event WHERE id = ?", (event_id,)
        elif (
            path.startswith("/board/")
            and path.endswith("/data.json")
            and (match := BOARD.match(tag))
            and TOKEN.match(token := path[len("/board/") : -len("/data.json")])
        ):
            event_id, revision = int(match.group(1)), int(match.group(2))
            sql = "SELECT revision FROM event WHERE id = ? AND board_token = ?"
            params = (event_id, token)
        else:
            return False
        return self.revision(sql, params) == revision

    def logged_in(self, environ: dict) -> str | None:
        """Who the session cookie says is logged in (Flask-Login's id), without the app.

        Checking a cookie's signature costs more than the rest of the fast path, and a phone
        sends the same cookie all day: the answer is kept per cookie for a while."""
        found = self.cookie.search(environ.get("HTTP_COOKIE", ""))
        if not found:
            return None
        value, now = found.group(1), time.monotonic()
        known = self.logins.get(value)
        if known is None or now - known[1] > LOGIN_KEPT_S:
            session = self.flask.session_interface.open_session(self.flask, Request(environ))
            known = (session.get("_user_id") if session is not None else None, now)
            if len(self.logins) >= LOGINS_KEPT:
                self.logins.clear()
            self.logins[value] = known
        return known[0]

    def revision(self, sql: str, params: tuple) -> Any:
        """One read on a pooled DBAPI connection: no transaction, no ORM."""
        if self.engine.dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            row = cursor.fetchone()
            cursor.close()
            connection.rollback()  # ends the read on databases that opened a transaction
        finally:
            connection.close()
        return row[0] if row else None

"""The polling fast path: an unchanged revision is answered 304 before Flask is involved.

Hundreds of phones and the boards ask every few seconds whether anything changed. Their
ETags carry the event and its revision; when the revision still matches, this middleware
answers 304 with one indexed query and no session, login or template work. Anything else
(no ETag, a changed revision, a board token that does not match) goes to the app as usual,
which does every permission check. A 304 carries no data, only "nothing changed".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import Engine

# Ids and revisions as the app writes them: a longer number is no tag of ours (and would
# overflow the query's integer), so it goes to the app, which answers it in full.
NUMBER = r"(\d{1,9})"
PHONE = re.compile(rf'^(?:W/)?"p{NUMBER}-{NUMBER}-{NUMBER}"$')
BOARD = re.compile(rf'^(?:W/)?"b{NUMBER}-{NUMBER}"$')
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class NotModified:
    def __init__(self, app: Callable, engine: Engine):
        self.app = app
        self.engine = engine

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
            event_id, revision = int(match.group(1)), int(match.group(3))
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

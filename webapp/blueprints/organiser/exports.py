"""Downloads for organisers: every original photo as a ZIP, the results as a spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Iterator

from flask import Response, g, stream_with_context
from flask_babel import gettext

from webapp.blueprints import photo_store
from webapp.blueprints.organiser import bp
from webapp.db import request_session
from webapp.downloads import attachment
from webapp.security import ORGANISER, staff_only
from webapp.services import exports, standings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Chunks(io.RawIOBase):
    """A write-only stream whose bytes are handed on as they come: the ZIP is sent while it
    is written, one photo in memory at a time, whatever the size of the event."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def download_name(what: str) -> str:
    """'jelajah-7-<title>-standings.xlsx': the title as typed, shortened so `what` stays."""
    return f"jelajah-{g.event.id}-{g.event.title[:80]}-{what}"


@bp.route("/events/<int:event_id>/export/photos.zip")
@staff_only(ORGANISER)
def export_photos(event_id: int):
    """Every photo as it was sent (a folder per group) with a spreadsheet index."""
    session = request_session()
    photos = exports.sent_photos(session, g.event)
    store, timezone, name = photo_store(), g.event.timezone, download_name("photos.zip")
    session.commit()  # nothing to write; sending may take minutes: hold no transaction open

    def stream() -> Iterator[bytes]:
        sink = Chunks()
        for _count in exports.write_photo_archive(
            photos, store, sink, timezone=timezone, translate=gettext
        ):
            yield sink.drain()
        yield sink.drain()

    return Response(
        stream_with_context(stream()),  # in the reader's language to the last byte
        mimetype="application/zip",
        headers=attachment(name),
    )


@bp.route("/events/<int:event_id>/export/standings.xlsx")
@staff_only(ORGANISER)
def export_standings(event_id: int):
    """The ranking and every group's breakdown, for the training office's report."""
    rows = standings.compute(request_session(), g.event)
    data = exports.standings_workbook(rows, g.event, translate=gettext)
    return Response(data, mimetype=XLSX, headers=attachment(download_name("standings.xlsx")))

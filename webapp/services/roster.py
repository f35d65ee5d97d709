"""Importing the roster: read a CSV or XLSX file within bounds, preview it, save its good rows.

The preview's good rows travel back with the organiser's "save" as a signed, compressed
token (no server state, so any worker or host can take the save); they are checked again
before anything is written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import astuple
from datetime import datetime
from typing import BinaryIO

from itsdangerous import BadData, URLSafeSerializer
from openpyxl import load_workbook
from sqlmodel import Session

from webapp.domain import roster as sheet
from webapp.domain.roster import Roster, RosterRow, check_rows, parse_roster
from webapp.domain.text import N_
from webapp.models import Event, Participant
from webapp.services import ServiceError, audit, groups
from webapp.services.joining import name_key

MAX_FILE_MB = 2  # a roster of 5,000 people is a few hundred kilobytes in either format
MAX_UNZIPPED_MB = 30  # what an XLSX may hold once unpacked: a zip bomb stops here
MAX_ROW_CELLS = 2_000  # cells of one row; a roster needs four
MAX_CELLS = 500_000  # cells (or shared strings) of a sheet: 5,000 rows of 100 columns
MAX_TOKEN = 400_000  # characters of the preview's token: under the form size a browser posts


class UnreadableRoster(ServiceError):
    template = sheet.CANNOT_READ


class RosterTooLarge(ServiceError):
    template = N_(
        "The file is larger than %(max)s MB, too large for a roster. Save only the sheet "
        "with the participants, as .xlsx or .csv, and upload that."
    )
    status = 413


class DamagedPreview(ServiceError):
    template = N_("The preview was damaged or is for another event; please upload the file again.")


def read_roster(session: Session, event: Event, data: bytes, filename: str) -> Roster:
    """The file's rows checked against the event's groups; refuses what is no roster."""
    if len(data) > MAX_FILE_MB * 1024 * 1024:
        raise RosterTooLarge(max=MAX_FILE_MB)
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    rows = xlsx_rows(data) if is_xlsx else sheet.read_csv(data)
    try:
        return parse_roster(rows, [g.name for g in groups.groups_of(session, event.id)])
    except sheet.NotATable as exc:
        raise UnreadableRoster(exc.template, **exc.params) from exc


def xlsx_rows(data: bytes) -> Iterator[Sequence[object]]:
    """The active sheet's rows, streamed (openpyxl's read-only mode), at most MAX_COLUMNS wide.

    openpyxl raises many kinds of errors on a damaged or hostile file (zip, XML, missing
    parts, numbers it cannot convert); each of them means this is no spreadsheet to read.
    """
    book = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_size(archive)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        yield from book.active.iter_rows(max_col=sheet.MAX_COLUMNS, values_only=True)
    except sheet.NotATable:
        raise
    except Exception as exc:  # noqa: BLE001 - see the docstring
        raise sheet.NotATable(sheet.CANNOT_READ) from exc
    finally:
        if book is not None:
            book.close()


TOO_BIG = N_(
    "The spreadsheet holds far more than a roster (over %(mb)s MB unpacked, or over "
    "%(cells)s cells). Save only the sheet with the participants, as .xlsx or .csv, and "
    "upload that."
)
TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|si)[\s/>]")


def check_size(archive: zipfile.ZipFile) -> None:
    """Refuses what would cost a worker more than a large roster: openpyxl's read-only mode
    streams rows, but holds one whole row and every shared string in memory. The parts are
    scanned, not parsed, to count rows' cells and shared strings."""
    if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_MB * 1024 * 1024:
        raise sheet.NotATable(TOO_BIG, mb=MAX_UNZIPPED_MB, cells=f"{MAX_CELLS:,}")
    for info in archive.infolist():
        name = info.filename
        if name.endswith(".xml") and (name.startswith("xl/worksheets/") or "sharedStrings" in name):
            with archive.open(info) as stream:
                count_tags(stream)


def count_tags(stream: BinaryIO) -> None:
    in_row = total = 0
    tail = b""
    while True:
        chunk = stream.read(1 << 20)
        data = tail + chunk
        end = len(data) if not chunk else max(0, len(data) - 64)  # a tag may straddle chunks
        for match in TAG.finditer(data, 0, end):
            if match.group(1) == b"row":
                in_row = 0
                continue
            in_row, total = in_row + 1, total + 1
            if in_row > MAX_ROW_CELLS or total > MAX_CELLS:
                raise sheet.NotATable(TOO_BIG, mb=MAX_UNZIPPED_MB, cells=f"{MAX_CELLS:,}")
        if not chunk:
            return
        tail = data[end:]


def seal(roster: Roster, *, event: Event, secret: str) -> str | None:
    """The good rows as a token for the save button; None when they are too many to post."""
    payload = {"event": event.id, "rows": [list(astuple(row)) for row in roster.rows]}
    token = URLSafeSerializer(secret, salt="roster-preview").dumps(payload)
    return token if len(token) <= MAX_TOKEN else None


def unseal(token: str, *, event: Event, secret: str) -> list[RosterRow]:
    try:
        payload = URLSafeSerializer(secret, salt="roster-preview").loads(token)
        if payload["event"] != event.id:
            raise DamagedPreview()
        return [RosterRow(int(line), *map(str, rest)) for line, *rest in payload["rows"]]
    except (BadData, KeyError, TypeError, ValueError) as exc:
        raise DamagedPreview() from exc


def apply(
    session: Session, *, event: Event, rows: list[RosterRow], actor: object, now: datetime
) -> int:
    """Saves the previewed rows that still pass the checks; a participant already in the
    group (by name) is updated, so uploading a corrected file again doubles nobody."""
    roster = check_rows(
        [(row, []) for row in rows], [g.name for g in groups.groups_of(session, event.id)]
    )
    if roster.new_groups:
        groups.add_groups(session, event=event, names=list(roster.new_groups), actor=actor, now=now)
    by_name = {g.name.casefold(): g for g in groups.groups_of(session, event.id)}
    members = groups.members_by_group(session, event.id)
    existing = {(p.group_id, p.name_key): p for ps in members.values() for p in ps}
    for row in roster.rows:
        group = by_name[row.group.casefold()]
        participant = existing.get((group.id, name_key(row.name)))
        if participant is None:
            participant = Participant(
                event_id=event.id, group_id=group.id, name=row.name, name_key=name_key(row.name)
            )
            session.add(participant)
        participant.nip, participant.unit = row.nip, row.unit
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="roster.import",
        after={"rows": len(roster.rows), "new_groups": list(roster.new_groups)},
        now=now,
        moves_standings=False,
    )
    return len(roster.rows)

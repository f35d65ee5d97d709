"""What organisers take home after the day: every photo as it was sent, and the results.

Spreadsheets are XLSX (openpyxl), with times in the event's zone as Excel reads them. Fixed
words (headers, kinds of line) go through `translate`, so the files come in the organiser's
language.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlmodel import Session, select

from webapp.domain import evidence, scoring
from webapp.domain.spreadsheet import starts_like_formula
from webapp.domain.text import N_
from webapp.i18n import tz_abbreviation
from webapp.models import Event, Group, Submission, Task
from webapp.services.standings import tie_break_text
from webapp.storage import LocalPhotoStore, key_for

ORIGINAL_FORMATS = ("jpeg", "png", "webp", "heif")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "heif": "heic"}
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
STATUS = {  # the words the app shows for each state
    "pending": N_("waiting for a judge"),
    "accepted": N_("approved"),
    "rejected": N_("rejected"),
    "redo": N_("please redo"),
}
KINDS = {
    "task": N_("task"),
    "bonus": N_("bonus"),
    "late": N_("late"),
    "hint": N_("hint"),
    "adjustment": N_("adjustment"),
}

Translate = Callable[[str], str]
MAX_CELL_CHARS = 32767  # what Excel holds in one cell


@dataclass(frozen=True)
class SentPhoto:
    submission_id: int
    group: str
    task_position: int
    task: str
    status: str
    received_at: datetime
    late_minutes: float
    earned_cents: int | None
    late_cents: int
    captured_at: datetime | None
    gps: tuple[float, float] | None
    device: str | None
    flags: list
    photo_key: str


def sent_photos(session: Session, event: Event) -> list[SentPhoto]:
    """Every submission that carries a photo, by group, then task, then arrival."""
    rows = session.exec(
        select(Submission, Group.name, Task.position, Task.title)
        .join(Group, Group.id == Submission.group_id)
        .join(Task, Task.id == Submission.task_id)
        .where(Submission.event_id == event.id, Submission.photo_key.is_not(None))
        .order_by(Group.position, Group.id, Task.position, Submission.received_at)
    )
    return [
        SentPhoto(
            sub.id,
            group,
            position,
            title,
            sub.status,
            sub.received_at,
            sub.late_minutes,
            sub.earned_cents,
            sub.late_cents,
            sub.captured_at,
            (sub.gps_lat, sub.gps_lon) if sub.gps_lat is not None else None,
            sub.device,
            sub.flags,
            sub.photo_key,
        )
        for sub, group, position, title in rows
    ]


def safe_name(text: str) -> str:
    """A name every computer accepts as a file or folder name."""
    return UNSAFE.sub("_", text).strip(" .")[:80] or "_"


def original_of(store: LocalPhotoStore, photo_key: str) -> tuple[str, str] | None:
    """The stored original's key and its file extension, or None when it is missing."""
    for fmt in ORIGINAL_FORMATS:
        key = key_for(photo_key, f"original.{fmt}")
        if store.exists(key):
            return key, EXTENSIONS[fmt]
    return None


def archive_name(photo: SentPhoto, extension: str) -> str:
    task = safe_name(f"{photo.task_position:02d} {photo.task}")
    return f"{safe_name(photo.group)}/{task} #{photo.submission_id}.{extension}"


def write_photo_archive(
    photos: list[SentPhoto],
    store: LocalPhotoStore,
    out: BinaryIO,
    *,
    timezone: str,
    translate: Translate,
) -> Iterator[int]:
    """Writes a ZIP of the originals (a folder per group) and an index to `out`, one photo
    at a time, yielding after each so that a web response can send what is written while
    the next file is read. Photos are stored uncompressed: JPEG does not shrink further."""
    files: dict[int, str] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for photo in photos:
            found = original_of(store, photo.photo_key)
            if found is None:
                continue
            key, extension = found
            files[photo.submission_id] = archive_name(photo, extension)
            archive.write(store.path(key), files[photo.submission_id])
            yield len(files)
        index = photo_index(photos, files, timezone=timezone, translate=translate)
        archive.writestr(safe_name(translate(N_("photos"))) + ".xlsx", index)
    yield len(files)


def photo_index(
    photos: list[SentPhoto], files: dict[int, str], *, timezone: str, translate: Translate
) -> bytes:
    zone, abbreviation = ZoneInfo(timezone), tz_abbreviation(timezone)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(translate(N_("Photos")))
    append(
        sheet,
        [
            translate(N_("Group")),
            translate(N_("Task")),
            translate(N_("File")),
            translate(N_("Status")),
            translate(N_("Received")) + f" ({abbreviation})",
            translate(N_("Minutes late")),
            translate(N_("Points")),
            translate(N_("Taken")),
            translate(N_("Latitude")),
            translate(N_("Longitude")),
            translate(N_("Device")),
            translate(N_("Flags for judges")),
        ],
    )
    for photo in photos:
        points = (
            None
            if photo.earned_cents is None
            else scoring.amount(photo.earned_cents - photo.late_cents)
        )
        append(
            sheet,
            [
                photo.group,
                photo.task,
                files.get(photo.submission_id, translate(N_("(file missing)"))),
                translate(STATUS.get(photo.status, photo.status)),
                local(photo.received_at, zone),
                photo.late_minutes or None,
                points,
                local(photo.captured_at, zone),
                photo.gps[0] if photo.gps else None,
                photo.gps[1] if photo.gps else None,
                photo.device,
                "; ".join(flag_text(flag, translate) for flag in photo.flags),
            ],
        )
    return workbook_bytes(book)


def flag_text(flag: dict, translate: Translate) -> str:
    template, params = evidence.described(flag)
    text = translate(template)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text


def standings_workbook(rows: list[scoring.Row], event: Event, *, translate: Translate) -> bytes:
    """The ranking on one sheet and every group's breakdown on another."""
    zone, abbreviation = ZoneInfo(event.timezone), tz_abbreviation(event.timezone)
    book = Workbook(write_only=True)
    ranking = book.create_sheet(translate(N_("Standings")))
    append(
        ranking,
        [
            translate(N_("Rank")),
            translate(N_("Group")),
            translate(N_("Points")),
            translate(N_("Tasks completed")),
            translate(N_("Final score reached")) + f" ({abbreviation})",
        ],
    )
    for row in rows:
        append(
            ranking,
            [row.rank, row.name, row.total, row.tasks_completed, local(row.final_reached_at, zone)],
        )
    append(ranking, [])
    append(ranking, [tie_break_text(event, translate)])
    lines = book.create_sheet(translate(N_("Breakdown")))
    append(
        lines,
        [
            translate(N_("Group")),
            translate(N_("Time")) + f" ({abbreviation})",
            translate(N_("Kind")),
            translate(N_("For")),
            translate(N_("Points")),
        ],
    )
    for row in rows:
        for line in row.lines:
            kind = translate(KINDS[line.kind])
            append(lines, [row.name, local(line.at, zone), kind, line.label, line.points])
    return workbook_bytes(book)


def append(sheet: WriteOnlyWorksheet, values: list) -> None:
    """Every XLSX row of the app goes through here: text is written as text, so that no
    cell is a formula whoever typed it; numbers and times stay what they are."""
    sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in values])


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell | None:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]  # control characters
    if not text:
        return None  # an empty cell, not an empty string
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error
    cell.quotePrefix = starts_like_formula(text)  # and Excel keeps it text when edited
    return cell


def local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A time as the people at the event read it; Excel keeps no zone, the header names it."""
    return value.astimezone(zone).replace(tzinfo=None) if value else None


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

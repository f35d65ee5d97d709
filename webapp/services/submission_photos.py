"""A submission's photo: processed and stored before its row exists, evidence on the row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp import photos
from webapp.domain import evidence, geo, inputs, windows
from webapp.domain.text import N_
from webapp.models import Group, Location, Submission, Task
from webapp.services import ServiceError
from webapp.storage import LocalPhotoStore, key_for, photo_id


class TryAgainSoon(ServiceError):
    template = N_("The server is busy with other photos. Please send this one again in a moment.")
    status = 503
    retry_after = 5


class PhotoNotAccepted(ServiceError):
    status = 422

    def __init__(self, refusal: photos.PhotoRefused):
        super().__init__(refusal.template, **refusal.params)
        self.code = refusal.code
        if refusal.code == "too_large":
            self.status = 413


@dataclass(frozen=True)
class StoredPhoto:
    """A processed photo whose files are written under an id that no row points to yet."""

    ident: str
    files: list[str]
    width: int
    height: int
    phash: str
    evidence: photos.PhotoEvidence


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = photos.MAX_BYTES
    max_pixels: int = photos.MAX_PIXELS
    max_decoded_pixels: int = photos.MAX_DECODED_PIXELS


DEFAULT_LIMITS = PhotoLimits()


def store_photo(
    data: bytes,
    *,
    store: LocalPhotoStore,
    limits: PhotoLimits = DEFAULT_LIMITS,
    decoders: photos.DecodeGate | None = None,
) -> StoredPhoto:
    """Processes the photo and writes its files, before any row points to them: a crash
    after this leaves only files that `jelajah storage check` removes. Needs no session."""
    try:
        photo = photos.process_photo(
            data,
            max_bytes=limits.max_bytes,
            max_pixels=limits.max_pixels,
            max_decoded_pixels=limits.max_decoded_pixels,
            decoders=decoders,
        )
    except photos.PhotoRefused as exc:
        raise PhotoNotAccepted(exc) from exc
    except photos.DecodersBusy as exc:
        raise TryAgainSoon() from exc
    ident = photo_id()
    files = {
        key_for(ident, f"original.{photo.original_format}"): photo.original,
        key_for(ident, "display.jpg"): photo.display,
        key_for(ident, "thumb.jpg"): photo.thumbnail,
    }
    written: list[str] = []
    try:
        for name, data in files.items():
            store.save(name, data)
            written.append(name)
    except BaseException:
        for name in written:
            store.delete(name)
        raise
    return StoredPhoto(ident, written, photo.width, photo.height, photo.phash, photo.evidence)


def discard(photo: StoredPhoto | None, store: LocalPhotoStore | None) -> None:
    """The files of a photo no row will point to (a retry lost, or a rule refused it)."""
    for name in photo.files if photo else []:
        store.delete(name)


def photo_flags(
    session: Session,
    submission: Submission,
    task: Task,
    window: windows.Window | None,
    location: Location | None,
) -> list[dict]:
    """The judges' evidence flags for a new photo, as plain data stored on the row."""
    others = session.exec(
        select(Submission.phash, Group.name, Task.title, Submission.id)
        .join(Group, Group.id == Submission.group_id)
        .join(Task, Task.id == Submission.task_id)
        .where(
            Submission.event_id == submission.event_id,
            Submission.phash.is_not(None),
            sa.or_(
                Submission.group_id != submission.group_id, Submission.task_id != submission.task_id
            ),
        )
    ).all()
    gps = (
        (submission.gps_lat, submission.gps_lon)
        if submission.gps_lat is not None
        else (
            (submission.lat, submission.lon)
            if geo.valid_position(submission.lat, submission.lon)
            else None
        )
    )
    place = (
        evidence.Place(location.name, location.lat, location.lon, location.radius_m)
        if location and task.kind == "photo_at_location"
        else None
    )
    flags = evidence.evidence_flags(
        captured_at=submission.captured_at,
        gps=gps,
        sent_at=submission.pressed_at,
        opens_at=window.opens_at if window else None,
        place=place,
        fresh_required=task.fresh_photo,
        phash=submission.phash,
        others=[evidence.SeenPhoto(*row) for row in others],
    )
    return [flag.as_dict() for flag in flags]


def attach_photo(
    submission: Submission, photo: StoredPhoto, client_evidence: dict, tz: str
) -> None:
    """The processed photo's files and evidence on the row; what the phone read from the
    original before downscaling fills what the sent file no longer carries."""
    submission.photo_key = photo.ident
    submission.photo_width, submission.photo_height = photo.width, photo.height
    submission.phash = photo.phash
    evidence = photo.evidence
    submission.captured_at = as_utc(evidence.captured_at, tz) or as_utc(
        inputs.camera_time(client_evidence.get("captured_at")), tz
    )
    gps = evidence.gps or client_gps(client_evidence.get("gps"))
    submission.gps_lat, submission.gps_lon = gps if gps else (None, None)
    device = evidence.device or str(client_evidence.get("device") or "")
    submission.device = device.replace("\x00", "")[:120] or None


def as_utc(taken: datetime | None, tz: str) -> datetime | None:
    """A capture time in UTC; a camera's clock without an offset is the event's local time.
    A time that UTC cannot hold (a clock set to year 1) is no capture time at all."""
    if taken is None:
        return None
    try:
        return (taken if taken.tzinfo else taken.replace(tzinfo=ZoneInfo(tz))).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def client_gps(value: object) -> tuple[float, float] | None:
    try:
        lat, lon = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    return (lat, lon) if geo.valid_position(lat, lon) else None

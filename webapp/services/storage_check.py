"""Photo files and the rows that use them kept in step: orphans removed, missing files reported.

Two kinds of row hold photos in the same store: submissions and tasks' reference photos.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlmodel import Session, select

from webapp.models import Submission, Task
from webapp.storage import VARIANTS, LocalPhotoStore

# A file written seconds ago may belong to a submission or task whose row is being committed.
GRACE_SECONDS = 600


@dataclass
class StorageReport:
    removed: list[str] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (submission id, file)
    missing_references: list[tuple[int, str]] = field(default_factory=list)  # (task id, file)


def check_storage(
    session: Session,
    store: LocalPhotoStore,
    *,
    remove: bool = True,
    grace_seconds: float = GRACE_SECONDS,
) -> StorageReport:
    report = StorageReport()
    submissions = dict(
        session.exec(
            select(Submission.photo_key, Submission.id).where(Submission.photo_key.is_not(None))
        ).all()
    )
    references = dict(
        session.exec(
            select(Task.reference_photo, Task.id).where(Task.reference_photo.is_not(None))
        ).all()
    )
    in_use = submissions.keys() | references.keys()
    cutoff = time.time() - grace_seconds
    for key in list(store.keys()):
        if key[:32] not in in_use and store.path(key).stat().st_mtime < cutoff:
            report.removed.append(key)
            if remove:
                store.delete(key)
    for temp in list(store.temp_files()):
        if temp.stat().st_mtime < cutoff:
            report.removed.append(temp.name)
            if remove:
                temp.unlink(missing_ok=True)
    present = set(store.keys())
    with_original = {key[:32] for key in present if key[33:].startswith("original.")}
    for photo, sub_id in submissions.items():
        report.missing += [(sub_id, name) for name in missing(photo, present, with_original)]
    for photo, task_id in references.items():
        report.missing_references += [
            (task_id, name) for name in missing(photo, present, with_original)
        ]
    return report


def missing(photo: str, present: set[str], with_original: set[str]) -> list[str]:
    """The photo's files that are not in the store; its original may be of any format."""
    names = [f"{photo}-{variant}" for variant in VARIANTS if f"{photo}-{variant}" not in present]
    return names if photo in with_original else [*names, f"{photo}-original"]

"""Photo files and submission rows kept in step: orphans removed, missing files reported."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlmodel import Session, select

from webapp.models import Submission
from webapp.storage import VARIANTS, LocalPhotoStore

# A file written seconds ago may belong to a submission whose row is being committed now.
GRACE_SECONDS = 600


@dataclass
class StorageReport:
    removed: list[str] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (submission id, file)


def check_storage(
    session: Session,
    store: LocalPhotoStore,
    *,
    remove: bool = True,
    grace_seconds: float = GRACE_SECONDS,
) -> StorageReport:
    report = StorageReport()
    rows = {
        key: sub_id
        for sub_id, key in session.exec(
            select(Submission.id, Submission.photo_key).where(Submission.photo_key.is_not(None))
        )
    }
    cutoff = time.time() - grace_seconds
    for key in list(store.keys()):
        if key[:32] not in rows and store.path(key).stat().st_mtime < cutoff:
            report.removed.append(key)
            if remove:
                store.delete(key)
    for temp in list(store.temp_files()):
        if temp.stat().st_mtime < cutoff:
            report.removed.append(temp.name)
            if remove:
                temp.unlink(missing_ok=True)
    present = set(store.keys())
    for photo, sub_id in rows.items():
        expected = [f"{photo}-{variant}" for variant in VARIANTS]
        originals = [k for k in present if k.startswith(f"{photo}-original.")]
        for name in [e for e in expected if e not in present] + (
            [] if originals else [f"{photo}-original"]
        ):
            report.missing.append((sub_id, name))
    return report

"""Backup and restore of a played event: how long they take and how large the archive is.

Run: python bench/backup.py [GROUPS ...]   (default: 3, the demo's groups, and 60)
Each group plays the demo task set: both photo tasks with a photo as a phone sends it (the
real sample photos, downscaled to 2048 px, JPEG 85), and the text, number and choice tasks.
The event lives in a SQLite file; the backup runs through `make_backup`, the restore into a
fresh folder through `restore`, as the `jelajah` commands run them.
Last line: one `groups=G photos=P uploads_mb=U backup_s=B archive_mb=A restore_s=R` per size.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select  # noqa: E402

from webapp import create_app, db  # noqa: E402
from webapp.backup import make_backup  # noqa: E402
from webapp.domain.taskset import load_taskset_file  # noqa: E402
from webapp.models import Task  # noqa: E402
from webapp.restore import restore  # noqa: E402
from webapp.services import accounts, groups, joining, submissions, tasksets  # noqa: E402
from webapp.services.demo import DEMO_TASKSET  # noqa: E402
from webapp.storage import LocalPhotoStore  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "photos"
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
ANSWERS = {"nama-gedung": "GSP", "tahun-berdiri": "1949", "arah-kiblat": "Timur laut"}


def phone_photos() -> list[bytes]:
    """The sample photos as a downscaling phone sends them (HEIC opens through webapp.photos)."""
    sent = []
    for path in sorted(SAMPLES.glob("*/*")):
        if path.suffix.lower() not in (".jpg", ".heic", ".heif") or "damaged" in str(path):
            continue
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail((2048, 2048))
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=85)
            sent.append(out.getvalue())
    return sent


def environ(folder: Path) -> dict[str, str]:
    return {
        "JELAJAH_APP__SECRET_KEY": "bench",
        "JELAJAH_APP__INSTANCE_PATH": str(folder / "instance"),
        "JELAJAH_STORAGE__UPLOADS_DIR": str(folder / "uploads"),
    }


def play(folder: Path, group_count: int, photos: list[bytes]) -> int:
    """Plays the demo task set with `group_count` groups; returns the photos sent."""
    db.upgrade(f"sqlite:///{folder / 'instance' / 'jelajah.sqlite'}")
    settings = {
        "app": {"secret_key": "bench", "instance_path": str(folder / "instance")},
        "storage": {"uploads_dir": str(folder / "uploads")},
    }
    app = create_app(settings)
    store = LocalPhotoStore(folder / "uploads")
    sent = 0
    with db.new_session(app.extensions["engine"]) as session:
        owner = accounts.create_account(
            session, email="o@example.org", name="O", password="bench-password", now=NOW
        )
        taskset = load_taskset_file(DEMO_TASKSET)
        start = f"{NOW.astimezone(ZoneInfo(taskset.timezone)):%Y-%m-%dT%H:%M}"
        event = tasksets.create_event(
            session, taskset=taskset, owner=owner, now=NOW, local_start=start,
            group_count=group_count,
        )  # fmt: skip
        session.commit()
        tasks = session.exec(select(Task).where(Task.event_id == event.id)).all()
        for n, group in enumerate(groups.groups_of(session, event.id)):
            person = joining.join_group(session, code=group.join_code, name="Ketua", now=NOW)
            for task in tasks:
                photo = task.kind.startswith("photo")
                if not photo and task.key not in ANSWERS:
                    continue
                submissions.submit(
                    session,
                    participant=person,
                    task_id=task.id,
                    sent=submissions.Sent(
                        key=task.key,
                        answer=ANSWERS.get(task.key, ""),
                        photo=photos[(n + task.id) % len(photos)] if photo else None,
                    ),
                    now=NOW,
                    store=store,
                )
                sent += photo
            session.commit()
    app.extensions["engine"].dispose()
    return sent


def measure(group_count: int, photos: list[bytes]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        sent = play(old, group_count, photos)
        uploads = sum(p.stat().st_size for p in (old / "uploads").rglob("*") if p.is_file())
        started = time.perf_counter()
        archive = make_backup(Path(tmp) / "b.zip", now=NOW, say=print, environ=environ(old))
        backup_s = time.perf_counter() - started
        started = time.perf_counter()
        restore(archive, force=False, say=lambda _line: None, environ=environ(new))
        restore_s = time.perf_counter() - started
        return (
            f"groups={group_count} photos={sent} uploads_mb={uploads / 1e6:.1f} "
            f"backup_s={backup_s:.2f} archive_mb={archive.stat().st_size / 1e6:.1f} "
            f"restore_s={restore_s:.2f}"
        )


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [3, 60]
    photos = phone_photos()
    print(" ".join(measure(size, photos) for size in sizes))


if __name__ == "__main__":
    main()

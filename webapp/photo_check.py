"""What `jelajah photo-check` says of a file: the upload's checks and processing, nothing
stored, one JSON line per file, never a hang or a crash whatever the file holds."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from webapp.photos import MAX_BYTES, MAX_PIXELS, PhotoRefused, damaged, process_photo


def photo_check_report(
    path: str | Path, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> dict[str, Any]:
    """What `jelajah photo-check` prints for one file: the upload's checks, nothing stored."""
    report: dict[str, Any] = {
        "file": str(path),
        "ok": False,
        "error": None,
        "width": None,
        "height": None,
        "captured_at": None,
        "gps": None,
        "device": None,
    }
    try:
        data = read_bounded(Path(path), max_bytes)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        report["error"] = f"The file could not be read: {getattr(exc, 'strerror', None) or exc}"
        return report
    try:
        photo = process_photo(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except PhotoRefused as exc:
        report["error"] = exc.message
        return report
    except Exception:  # noqa: BLE001 - a check of many files reports each, whatever it holds
        report["error"] = damaged().message
        return report
    evidence = photo.evidence
    report.update(
        ok=True,
        width=photo.width,
        height=photo.height,
        device=evidence.device,
        captured_at=evidence.captured_at.isoformat() if evidence.captured_at else None,
        gps=list(evidence.gps) if evidence.gps else None,
    )
    return report


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes, enough to tell a file is too large, and only from a
    regular file: /dev/zero never ends, and opening a FIFO waits for a writer."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError("not a regular file")
        return fh.read(max_bytes + 1)


def report_line(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False)

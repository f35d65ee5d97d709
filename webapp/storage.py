"""Where photo files live: names made by the server, written whole or not at all."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

from webapp.files import create_private, private_dir

KEY = re.compile(r"^[0-9a-f]{32}-(original\.(jpeg|png|webp|heif)|display\.jpg|thumb\.jpg)$")
TEMP_PREFIX = ".tmp-"
VARIANTS = ("display.jpg", "thumb.jpg")


class BadKey(ValueError):
    """A file name that the server did not make (for example one with ../ in it)."""


def photo_id() -> str:
    return uuid.uuid4().hex


def key_for(photo: str, variant: str) -> str:
    key = f"{photo}-{variant}"
    if not KEY.match(key):
        raise BadKey(key)
    return key


class LocalPhotoStore:
    """Files under one folder, in subfolders by the first two characters of their id."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not KEY.match(key):
            raise BadKey(key)
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes) -> None:
        """Writes to a temporary file and renames it, so a crash never leaves half a photo."""
        target = self.path(key)
        private_dir(target.parent)
        temp = target.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            with create_private(temp) as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir():
                yield from (p.name for p in sorted(folder.iterdir()) if KEY.match(p.name))

    def temp_files(self) -> Iterator[Path]:
        if self.root.is_dir():
            yield from self.root.glob(f"*/{TEMP_PREFIX}*")

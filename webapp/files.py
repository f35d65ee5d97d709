"""Files and folders only the app's own user may open, whatever the process umask.

Photos, the database, the secret key and backups are personal data and secrets. The app's
user is the only one that reads them: the reverse proxy never serves the uploads folder (photos
go out through the app, which checks who asks), and backups are made by `jelajah backup` as
that user. So files are 0600 and folders 0700, not 0640/0750: no group needs them. The modes
are set explicitly after creating, because a umask only takes bits away and one of 077 or
277 would otherwise decide them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | Path) -> Path:
    """Makes the folder and any missing parents 0700; folders that exist keep their mode."""
    path = Path(path)
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            continue  # another worker made it a moment ago
        os.chmod(folder, DIR_MODE)
    return path


def create_private(path: str | Path) -> BinaryIO:
    """A new file, open for writing, that nobody else could read at any moment."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def touch_private(path: str | Path) -> None:
    """Creates an empty private file unless there is one (for SQLite, before it makes its own)."""
    try:
        create_private(path).close()
    except FileExistsError:
        pass

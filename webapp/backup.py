"""Backups: the database, the photo files and the settings in one archive, and back again.

The archive is a .tar.gz: tar and gzip are on every server, so a backup can be listed
(`tar -tzf`) and, in an emergency, unpacked by hand without Jelajah; Python writes it as one
stream, file by file, without holding any photo longer than it takes to copy it. (A ZIP would
have spared gzip the photos, which do not compress, but `unzip` is missing from many servers.)

    database/jelajah.sqlite | database/jelajah.pgdump   one consistent copy (see backup_db)
    uploads/ab/ab12...-display.jpg                      the photo files, as in the uploads folder
    settings/config.toml, settings/secret_key           the settings in use (a new key logs
                                                        every phone out)
    manifest.json                                       last: version, date, schema revision,
                                                        rows per table, a SHA-256 per file

The database is copied first, the photos after it. A photo's files are written before the row
that uses them is committed, so every row of the copy finds its files in the archive; files
of rows committed later come along too, used by no row (`jelajah storage check` removes them).
`webapp.restore` brings an archive back.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from webapp import backup_db, db
from webapp.backup_db import KINDS, BackupError
from webapp.config import CONFIG_ENV, load_settings
from webapp.files import FILE_MODE, create_private, private_dir
from webapp.storage import LocalPhotoStore

FORMAT = 1
MANIFEST = "manifest.json"
CONFIG = "settings/config.toml"
KEY_MEMBER = "settings/secret_key"
UPLOADS = "uploads/"
DATABASE = {"sqlite": "database/jelajah.sqlite", "postgresql": "database/jelajah.pgdump"}
SMALL = (MANIFEST, CONFIG, KEY_MEMBER)
COMPRESSLEVEL = 6  # gzip's own default: level 9 costs twice the time for 1% on these files
WORDS = {
    "event": "event",
    "event_group": "group",
    "participant": "participant",
    "submission": "submission",
    "review": "review",
}
Say = Callable[[str], None]

__all__ = ["BackupError", "make_backup"]


@dataclass(frozen=True)
class Machine:
    """Where this machine keeps the database, the photos and the settings."""

    url: str
    instance: Path
    uploads: Path
    secret_key: str  # as configured; "" when the app uses instance/secret_key

    @property
    def key_file(self) -> Path:
        return self.instance / "secret_key"

    def key_in_use(self) -> str | None:
        if self.secret_key:
            return self.secret_key
        return self.key_file.read_text().strip() if self.key_file.is_file() else None


def this_machine(environ: Mapping[str, str]) -> Machine:
    # Only the places and the key are read, no app runs: a key missing in production mode is
    # what a restore brings back, so the mode's check does not apply.
    settings = load_settings({"app": {"mode": "dev"}}, environ)
    instance = Path(settings["app"]["instance_path"]).resolve()
    return Machine(
        url=db.database_url(settings, instance),
        instance=instance,
        uploads=Path(settings["storage"]["uploads_dir"]),
        secret_key=settings["app"]["secret_key"],
    )


def config_file(environ: Mapping[str, str]) -> Path:
    """The config.toml this machine reads (it may not exist yet)."""
    return Path(environ.get(CONFIG_ENV) or "config.toml").absolute()


def make_backup(
    out: Path | None, *, now: datetime, say: Say, environ: Mapping[str, str] | None = None
) -> Path:
    """Writes the archive (under a temporary name until it is whole) and returns its path."""
    environ = os.environ if environ is None else environ
    started = time.monotonic()
    machine = this_machine(environ)
    target = archive_path(out, now)
    private_dir(target.parent)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".jelajah-backup-") as tmp:
        snapshot = backup_db.take_snapshot(machine.url, Path(tmp))
        say(f"Copied the {KINDS[snapshot.kind]} database: {rows_said(snapshot.rows)}.")
        try:
            with create_private(partial) as raw:
                with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESSLEVEL) as tar:
                    writer = Writer(tar, now)
                    writer.add_file(DATABASE[snapshot.kind], snapshot.path)
                    photos = writer.add_uploads(LocalPhotoStore(machine.uploads))
                    say(f"Copied {photos} photo files from {machine.uploads}.")
                    say(writer.add_settings(config_file(environ), machine.key_in_use()))
                    writer.add_bytes(MANIFEST, manifest(snapshot, writer.files, now))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    size = target.stat().st_size
    say(
        f"Wrote {target} ({megabytes(size)}, schema {snapshot.revision}) "
        f"in {time.monotonic() - started:.1f} s."
    )
    return target


def archive_path(out: Path | None, now: datetime) -> Path:
    name = f"jelajah-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.tar.gz"
    if out is None:
        return Path(name).absolute()
    return (out / name).absolute() if out.is_dir() else out.absolute()


class Writer:
    """Adds files to the archive and keeps each one's checksum for the manifest."""

    def __init__(self, tar: tarfile.TarFile, now: datetime):
        self.tar = tar
        self.mtime = int(now.timestamp())
        self.files: dict[str, dict] = {}

    def add(self, name: str, source: BinaryIO, size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, FILE_MODE, self.mtime
        hashing = Hashing(source)
        self.tar.addfile(info, hashing)
        self.files[name] = {"sha256": hashing.sha.hexdigest(), "bytes": size}

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add(name, io.BytesIO(data), len(data))

    def add_file(self, name: str, path: Path) -> None:
        with open(path, "rb") as fh:
            self.add(name, fh, os.fstat(fh.fileno()).st_size)

    def add_uploads(self, store: LocalPhotoStore) -> int:
        count = 0
        for key in store.keys():
            path = store.path(key)
            try:
                self.add_file(UPLOADS + path.relative_to(store.root).as_posix(), path)
            except FileNotFoundError:
                continue  # removed since listed: only files that no row uses are ever removed
            count += 1
        return count

    def add_settings(self, config: Path, secret_key: str | None) -> str:
        said = []
        if config.is_file():
            self.add_file(CONFIG, config)
            said.append(f"the settings file {config}")
        if secret_key:
            self.add_bytes(KEY_MEMBER, secret_key.encode())
            said.append("the secret key in use")
        return f"Copied {' and '.join(said)}." if said else "There are no settings to copy."


class Hashing:
    """A file that hashes what is read from it."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        return data


def manifest(snapshot: backup_db.Snapshot, files: dict[str, dict], now: datetime) -> bytes:
    photos = [info for name, info in files.items() if name.startswith(UPLOADS)]
    return json.dumps(
        {
            "format": FORMAT,
            "jelajah": jelajah_version(),
            "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "database": {
                "kind": snapshot.kind,
                "revision": snapshot.revision,
                "rows": snapshot.rows,
            },
            "uploads": {"files": len(photos), "bytes": sum(info["bytes"] for info in photos)},
            "files": files,
        },
        indent=1,
    ).encode()


def jelajah_version() -> str:
    try:
        return metadata.version("jelajah")
    except metadata.PackageNotFoundError:
        return "unknown"


def rows_said(rows: dict[str, int]) -> str:
    said = [
        f"{rows.get(table, 0)} {word}{'' if rows.get(table, 0) == 1 else 's'}"
        for table, word in WORDS.items()
    ]
    return ", ".join(said)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} kB"

"""Making a backup: the database, the photo files and the settings in one ZIP archive.

Why a ZIP and not a .tar.gz: photos are JPEGs, compressed already. A ZIP stores them as they
are and deflates only the database and the settings; a .tar.gz runs gzip over everything. On
a played event of 60 groups (31 MB of photos, bench/backup.py) the .tar.gz took 0.9 s and the
ZIP 0.2 s, for 31.2 and 31.3 MB: CPU time that a backup taken during an event would take from
the phones, for nothing. A ZIP also checks each file by its own CRC (damage in one file leaves
the others readable, where a gzip stream is lost from the damage on), and Python reads it
wherever Jelajah runs, without Jelajah: `python3 -m zipfile -l` lists it, `-e` unpacks it.

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
import shutil
import stat
import tempfile
import time
import zipfile
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
CHUNK = 1 << 20
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
                with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
                    writer = Writer(archive, now)
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
    name = f"jelajah-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.zip"
    if out is None:
        return Path(name).absolute()
    return (out / name).absolute() if out.is_dir() else out.absolute()


class Writer:
    """Adds files to the archive and keeps each one's checksum for the manifest."""

    def __init__(self, archive: zipfile.ZipFile, now: datetime):
        self.archive = archive
        self.stamp = now.astimezone(UTC).timetuple()[:6]
        self.files: dict[str, dict] = {}

    def add(self, name: str, source: BinaryIO, size: int, *, deflate: bool = True) -> None:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
        info.file_size = size  # tells zipfile whether the file needs ZIP64's large sizes
        hashing = Hashing(source)
        with self.archive.open(info, "w") as out:
            shutil.copyfileobj(hashing, out, CHUNK)
        self.files[name] = {"sha256": hashing.sha.hexdigest(), "bytes": size}

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add(name, io.BytesIO(data), len(data))

    def add_file(self, name: str, path: Path, *, deflate: bool = True) -> None:
        with open(path, "rb") as fh:
            self.add(name, fh, os.fstat(fh.fileno()).st_size, deflate=deflate)

    def add_uploads(self, store: LocalPhotoStore) -> int:
        count = 0
        for key in store.keys():
            path = store.path(key)
            try:
                name = UPLOADS + path.relative_to(store.root).as_posix()
                self.add_file(name, path, deflate=False)  # photos do not get smaller
            except FileNotFoundError:
                continue  # removed since listed: only files that no row uses are ever removed
            count += 1
        return count

    def add_settings(self, config: Path, secret_key: str | None) -> str:
        said = []
        if config.is_file():
            self.add_file(CONFIG, config)
            said.append(f"Copied the settings file {config}.")
        if secret_key:
            self.add_bytes(KEY_MEMBER, secret_key.encode())
            said.append("Copied the secret key in use.")
        else:  # a key given to the server only (systemd, say) is not seen from here
            said.append(
                "No secret key is set here (app.secret_key, or the instance folder's "
                "secret_key): the backup holds none, and after a restore phones log in again."
            )
        return " ".join(said)


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

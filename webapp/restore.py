"""Restoring a backup onto a fresh machine: check the whole archive, then put everything back.

The archive is read twice: first to check every checksum against the manifest (a damaged
archive changes nothing), then to write. The photos go in first and the database last, so a
restore that fails half-way never leaves a database whose photos are missing. A database or
uploads folder that already holds data is replaced only with `force`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from webapp import backup_db, db
from webapp.backup import (
    CHUNK,
    CONFIG,
    DATABASE,
    FORMAT,
    KEY_MEMBER,
    MANIFEST,
    SMALL,
    UPLOADS,
    Hashing,
    Machine,
    Say,
    config_file,
    megabytes,
    rows_said,
    this_machine,
)
from webapp.backup_db import KINDS, BackupError
from webapp.config import CONFIG_ENV
from webapp.files import create_private, private_dir
from webapp.services.storage_check import check_storage
from webapp.storage import KEY, LocalPhotoStore

__all__ = ["BackupError", "restore"]


@dataclass(frozen=True)
class Manifest:
    """What an archive's manifest.json says, checked to hold every field a restore reads."""

    version: str
    created_at: str
    kind: str
    revision: str | None
    rows: dict[str, int]
    photo_bytes: int
    sums: dict[str, str]  # file name -> SHA-256

    @classmethod
    def read(cls, data: bytes, archive: Path) -> Manifest:
        try:
            facts = json.loads(data)
            if facts["format"] > FORMAT:
                raise BackupError(f"{archive} was made by a newer Jelajah; restore it with that.")
            manifest = cls(
                version=str(facts["jelajah"]),
                created_at=str(facts["created_at"]),
                kind=facts["database"]["kind"],
                revision=facts["database"]["revision"],
                rows=dict(facts["database"]["rows"]),
                photo_bytes=int(facts["uploads"]["bytes"]),
                sums={name: info["sha256"] for name, info in facts["files"].items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"{archive} is not a Jelajah backup (no readable manifest).") from exc
        if DATABASE.get(manifest.kind) not in manifest.sums:
            raise BackupError(f"{archive} is not a Jelajah backup (it holds no database).")
        return manifest


@dataclass(frozen=True)
class Checked:
    """An archive whose every file matched its checksum, with its small files read."""

    manifest: Manifest
    config: bytes | None
    secret_key: str | None


def restore(
    archive: Path, *, force: bool, say: Say, environ: Mapping[str, str] | None = None
) -> None:
    """Brings a backup back onto this machine; refuses to replace data unless `force`."""
    environ = dict(os.environ if environ is None else environ)
    checked = check_archive(archive)
    facts = checked.manifest
    say(
        f"Checked {archive}: made by Jelajah {facts.version} at {facts.created_at}; "
        f"all {len(facts.sums)} files match their checksums."
    )
    config = config_file(environ)
    with tempfile.TemporaryDirectory(prefix="jelajah-restore-") as tmp:
        staged_config = None
        if checked.config is not None and not config.is_file():
            # A fresh machine gets the backup's settings: read them as if already in place.
            staged_config = Path(tmp) / "config.toml"
            staged_config.write_bytes(checked.config)
            environ[CONFIG_ENV] = str(staged_config)
        machine = this_machine(environ)
        refuse_unless_fit(machine, facts, force)
        put_back(archive, facts, machine, force, Path(tmp), say)
        if staged_config is not None:
            with create_private(config) as fh:
                fh.write(checked.config)
            say(f"Restored the settings file to {config}.")
        elif checked.config is not None and config.read_bytes() != checked.config:
            say(f"Kept this machine's {config}; the backup's is {CONFIG} in the archive.")
    say(restore_secret_key(machine, checked.secret_key))


def check_archive(archive: Path) -> Checked:
    """Reads the whole archive once: known names only, every checksum as the manifest says."""
    sums: dict[str, str] = {}
    small: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                name = member_name(archive, member, sums)
                with zipped.open(member) as raw:  # zipfile checks the CRC as it reads
                    source = Hashing(raw)
                    if name in SMALL:
                        small[name] = source.read()
                    while source.read(CHUNK):
                        pass
                sums[name] = source.sha.hexdigest()
    except (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"{archive} is damaged or incomplete ({exc}); nothing was restored."
        ) from exc
    if MANIFEST not in small:
        raise BackupError(f"{archive} is not a Jelajah backup (no readable manifest).")
    facts = Manifest.read(small[MANIFEST], archive)
    listed = facts.sums
    sums.pop(MANIFEST)
    wrong = sorted(
        name for name in listed.keys() | sums.keys() if listed.get(name) != sums.get(name)
    )
    if wrong:
        raise BackupError(
            f"{archive} is damaged: {len(wrong)} file(s) do not match the manifest, the first "
            f"{wrong[0]}; nothing was restored."
        )
    key = small.get(KEY_MEMBER)
    return Checked(facts, small.get(CONFIG), key.decode().strip() if key else None)


def member_name(archive: Path, member: zipfile.ZipInfo, seen: Mapping[str, str]) -> str:
    """Only names a backup writes are read (nothing is unpacked by a name from the archive)."""
    name = member.filename
    folder, _, key = name.removeprefix(UPLOADS).rpartition("/")
    photo = name.startswith(UPLOADS) and bool(KEY.match(key)) and folder == key[:2]
    if member.is_dir() or name in seen or not (photo or name in {*SMALL, *DATABASE.values()}):
        raise BackupError(f"{archive} holds {name!r}, which no Jelajah backup holds.")
    return name


def refuse_unless_fit(machine: Machine, facts: Manifest, force: bool) -> None:
    kind, here = facts.kind, backup_db.kind_of(machine.url)
    if kind != here:
        raise BackupError(
            f"The backup holds a {KINDS[kind]} database but this machine is set up for "
            f"{KINDS[here]} (database.url); restore it onto {KINDS[kind]}."
        )
    if facts.revision is not None and facts.revision not in backup_db.known_revisions():
        raise BackupError(
            f"The backup's database is at schema revision {facts.revision}, which this version "
            f"of Jelajah does not know; restore it with Jelajah {facts.version} or newer."
        )
    if kind == "postgresql":
        backup_db.tool("pg_restore")
    if force:
        return
    full = []
    rows = backup_db.rows_in(machine.url)
    if rows:
        full.append(f"the database {backup_db.where(machine.url)} holds {rows} rows")
    photos = sum(1 for _ in LocalPhotoStore(machine.uploads).keys())
    if photos:
        full.append(f"the uploads folder {machine.uploads} holds {photos} photo files")
    if full:
        raise BackupError(
            f"Nothing was restored: {' and '.join(full)}. Restore onto a fresh instance, or "
            "add --force to replace them with the backup."
        )


def put_back(
    archive: Path, facts: Manifest, machine: Machine, force: bool, tmp: Path, say: Say
) -> None:
    kind = facts.kind
    sqlite_target = db.sqlite_file(machine.url)
    folder = private_dir(sqlite_target.parent) if sqlite_target else tmp
    copy = folder / f".restore-{os.getpid()}-{DATABASE[kind].rsplit('/', 1)[1]}"
    store = LocalPhotoStore(machine.uploads)
    try:
        written = unpack(archive, facts.sums, DATABASE[kind], copy, store)
        removed = [key for key in store.keys() if key not in written] if force else []
        for key in removed:
            store.delete(key)
        backup_db.put_back(kind, copy, machine.url)
    finally:
        copy.unlink(missing_ok=True)
    rows = backup_db.describe(machine.url)[1]
    if rows != facts.rows:
        raise BackupError("The restored database does not hold the rows its manifest lists.")
    size = megabytes(facts.photo_bytes)
    say(f"Restored the {KINDS[kind]} database {backup_db.where(machine.url)}: {rows_said(rows)}.")
    say(f"Restored {len(written)} photo files ({size}) to {machine.uploads}.")
    if removed:
        say(f"Removed {len(removed)} photo files that were there before and not in the backup.")
    revision, head = facts.revision, db.head_revision()
    if revision != head:
        db.upgrade(machine.url)
        say(f"Upgraded the database schema from {revision} to {head}.")
    else:
        say(f"The database schema is at {head}, as this version of Jelajah needs.")
    say(photos_checked(machine))


def photos_checked(machine: Machine) -> str:
    engine = db.make_engine(machine.url)
    try:
        with db.new_session(engine) as session:
            report = check_storage(
                session, LocalPhotoStore(machine.uploads), remove=False, grace_seconds=0
            )
    finally:
        engine.dispose()
    missing = len(report.missing) + len(report.missing_references)
    if missing:
        return f"{missing} photo files the database uses are missing: see `jelajah storage check`."
    unused = (
        f"; {len(report.removed)} files no row uses (most likely sent while the backup ran, "
        "after the database was copied) stay until `jelajah storage check` removes them"
        if report.removed
        else ""
    )
    return f"Every photo file the database uses is there{unused}."


def unpack(
    archive: Path, sums: dict[str, str], database: str, copy: Path, store: LocalPhotoStore
) -> set[str]:
    """Writes the photos into the store and the database beside its place, checking every
    checksum again: the archive could have changed since it was checked."""
    written = set()
    with zipfile.ZipFile(archive) as zipped:
        for name in zipped.namelist():
            if name in SMALL:
                continue
            with zipped.open(name) as raw:
                source = Hashing(raw)
                if name == database:
                    with create_private(copy) as out:
                        shutil.copyfileobj(source, out, CHUNK)
                else:
                    key = name.rsplit("/", 1)[1]
                    store.save(key, source.read())
                    written.add(key)
            if source.sha.hexdigest() != sums.get(name):
                raise BackupError(f"{archive} changed while it was being restored; run it again.")
    return written


def restore_secret_key(machine: Machine, key: str | None) -> str:
    if key is None:
        return "The backup holds no secret key: phones logged in before it must log in again."
    if machine.secret_key == key:
        return (
            "The settings hold the backup's secret key: "
            "phones logged in before the backup stay logged in."
        )
    private_dir(machine.instance)
    staged = machine.instance / f".secret_key-{os.getpid()}"
    with create_private(staged) as fh:
        fh.write(key.encode())
    os.replace(staged, machine.key_file)
    if machine.secret_key:
        return (
            f"Restored the backup's secret key to {machine.key_file}, but app.secret_key is set "
            "to another key here and wins: set it to the restored one, or phones logged in "
            "before the backup must log in again."
        )
    return (
        f"Restored the secret key to {machine.key_file}: phones logged in before the backup "
        "stay logged in. (The app reads it there in demo and dev mode; in production mode set "
        "app.secret_key to it.)"
    )

"""Backups that restore: a running event copied to one archive and brought back on a fresh
machine, on SQLite and on PostgreSQL, and archives or targets that a restore refuses."""

import hashlib
import json
import os
import struct
import threading
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.pool import NullPool
from sqlmodel import func, select

from tests.conftest import PASSWORD, PHOTOS, POSTGRES_URL, Web, reset_postgres
from tests.photos.test_uploads import upload
from webapp import create_app, db
from webapp.cli import cli
from webapp.domain.taskset import load_taskset_file
from webapp.models import (
    Adjustment,
    AuditEntry,
    Event,
    Group,
    Participant,
    Submission,
    Task,
    User,
)
from webapp.services import (
    accounts,
    events,
    groups,
    joining,
    judging,
    standings,
    submissions,
    tasksets,
)
from webapp.services import demo as demo_service
from webapp.storage import LocalPhotoStore, key_for, photo_id

SENT = [  # (group photo at Balairung, photo of friendly service), one pair per group
    ("gps/DSCN0010.jpg", "mobile/jolla.jpg"),
    ("orientation/landscape_6.jpg", "heic/samplefilehub.heif"),
    ("gps/DSCN0012.jpg", "camera/Canon_40D.jpg"),
]
WRITER_PHOTO = "orientation/landscape_1.jpg"


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@dataclass
class Machine:
    """A folder jelajah runs in, with the environment its commands get."""

    folder: Path
    env: dict[str, str]
    url: str

    def enter(self, monkeypatch) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(self.folder)
        for name in list(os.environ):
            if name == "JELAJAH_CONFIG" or (name.startswith("JELAJAH_") and "__" in name):
                monkeypatch.delenv(name)
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)

    @property
    def uploads(self) -> Path:
        return self.folder / "uploads"


def sqlite_url(folder: Path) -> str:
    """The database jelajah makes in the folder when the settings name none."""
    return f"sqlite:///{folder / 'instance' / 'jelajah.sqlite'}"


@contextmanager
def empty_postgres_database(name: str):
    """A database of the test's own, dropped afterwards: the restore's fresh machine."""
    server = sa.engine.make_url(POSTGRES_URL).set(database="postgres")
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def machines(request, tmp_path):
    """An old machine whose config.toml holds the secret key (and, on PostgreSQL, the
    database), and a fresh one with nothing but, on PostgreSQL, an empty database."""
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    settings = f'[app]\nsecret_key = "{os.urandom(16).hex()}"\n'
    if request.param == "sqlite":
        db.upgrade(sqlite_url(old))
        (old / "config.toml").write_text(settings)
        yield Machine(old, {}, sqlite_url(old)), Machine(new, {}, sqlite_url(new))
        return
    db.upgrade(POSTGRES_URL)
    reset_postgres(POSTGRES_URL)
    (old / "config.toml").write_text(f'{settings}[database]\nurl = "{POSTGRES_URL}"\n')
    with empty_postgres_database(sa.engine.make_url(POSTGRES_URL).database + "_restore") as url:
        yield (
            Machine(old, {}, POSTGRES_URL),
            Machine(new, {"JELAJAH_DATABASE__URL": url}, url),
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(uploads: Path) -> dict[str, str]:
    return {str(p.relative_to(uploads)): sha256(p) for p in uploads.rglob("*") if p.is_file()}


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


@dataclass
class Played:
    event_id: int
    writer_event_id: int
    organiser_id: int
    phone: Web  # a participant of the first group, logged in


def play_an_event(app, clock) -> Played:
    """The demo event with three groups: photos, answers, judges' decisions, an adjustment."""
    engine = app.extensions["engine"]
    with db.new_session(engine) as session:
        organiser = accounts.create_account(
            session, email="org@example.org", name="Organiser", password=PASSWORD, now=clock()
        )
        judge = accounts.create_account(
            session, email="judge@example.org", name="Judge", password=PASSWORD, now=clock()
        )
        taskset = load_taskset_file(demo_service.DEMO_TASKSET)
        start = f"{clock().astimezone(ZoneInfo(taskset.timezone)):%Y-%m-%dT%H:%M}"
        made = [
            tasksets.create_event(
                session,
                taskset=taskset,
                owner=organiser,
                now=clock(),
                local_start=start,
                group_count=count,
            )
            for count in (3, 0)
        ]
        events.appoint(session, event=made[0], user=judge, role="judge")
        session.commit()
        event, writer_event = made
        tasks = {t.key: t for t in session.exec(select(Task).where(Task.event_id == event.id))}
        teams = groups.groups_of(session, event.id)
    phones = []
    for group, (first, second) in zip(teams, SENT, strict=True):
        phone = Web(app.test_client())
        phone.join(group.join_code, f"Ketua {group.name}")
        assert upload(phone, tasks["kenalan"], photo(first), key="k1").status_code == 201
        assert upload(phone, tasks["pelayanan"], photo(second), key="k2").status_code == 201
        answer = tasks["nama-gedung"].id
        phone.submit(f"/play/tasks/{answer}", {"key": "k3", "answer": "GSP"},
                     action=f"/play/tasks/{answer}/send")  # fmt: skip
        phones.append(phone)
    with db.new_session(engine) as session:
        event = session.get(Event, event.id)
        sent = session.exec(
            select(Submission).where(Submission.status == "pending").order_by(Submission.id)
        ).all()
        assert len(sent) == 6
        rubric = {"Relevansi": 3, "Kreativitas": 4, "Kerja sama": 2}
        decisions = [("accept", None), ("accept", 18), ("accept", None), ("reject", None)]
        for sub, (decision, points) in zip(sent, decisions + decisions[:2], strict=True):
            judging.decide(
                session,
                event=event,
                judge=judge,
                submission_id=sub.id,
                decision=decision,
                points=points,
                rubric=rubric
                if sub.task_id == tasks["kenalan"].id and decision == "accept"
                else None,
                now=clock(),
            )
        judging.add_adjustment(
            session,
            event=event,
            group_id=teams[2].id,
            points=-5,
            reason="Terlambat di titik kumpul",
            actor=organiser,
            now=clock(),
        )
        session.commit()
    return Played(event.id, writer_event.id, organiser.id, phones[0])


class Writer(threading.Thread):
    """Keeps changing another event, in transactions whose parts must come back together:
    an adjustment with its audit entry, or a new group with its participant and photo."""

    def __init__(self, app, played: Played, clock):
        super().__init__(daemon=True)
        self.engine, self.played, self.clock = app.extensions["engine"], played, clock
        self.store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])
        self.count, self.error = 0, None
        self.halt = threading.Event()

    def run(self) -> None:
        try:
            with db.new_session(self.engine) as session:
                while not self.halt.is_set():
                    self.write(session, self.count + 1)
                    session.commit()
                    self.count += 1
        except Exception as exc:  # handed to the test, which fails with it
            self.error = exc

    def write(self, session, n: int) -> None:
        event = session.get(Event, self.played.writer_event_id)
        if n % 5 == 1:
            group = groups.add_groups(
                session, event=event, names=[f"W{n}"], actor=None, now=self.clock()
            )[0]
            person = joining.join_group(session, code=group.join_code, name="W", now=self.clock())
            task = session.exec(
                select(Task).where(Task.event_id == event.id, Task.key == "pelayanan")
            ).one()
            submissions.submit(
                session,
                participant=person,
                task_id=task.id,
                sent=submissions.Sent(key=f"w{n}", photo=photo(WRITER_PHOTO)),
                now=self.clock(),
                store=self.store,
            )
            self.group_id = group.id
        else:
            organiser = session.get(User, self.played.organiser_id)
            judging.add_adjustment(
                session,
                event=event,
                group_id=self.group_id,
                points=1,
                reason=f"writer {n}",
                actor=organiser,
                now=self.clock(),
            )

    def reach(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while self.count < count and self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)

    def finish(self) -> None:
        self.halt.set()
        self.join(30)
        if self.error is not None:
            raise self.error


def state_of(session, event_id: int) -> tuple:
    """What people see of an event: the standings with every line, and every submission."""
    event = session.get(Event, event_id)
    rows = [(row.summary(), row.lines) for row in standings.compute(session, event)]
    sent = session.exec(
        select(Submission).where(Submission.event_id == event_id).order_by(Submission.id)
    ).all()
    return rows, [sub.model_dump() for sub in sent]


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_running_event_comes_back_whole_on_a_fresh_machine(machines, monkeypatch, clock):
    old, new = machines
    old.enter(monkeypatch)
    app = create_app({"clock": clock})
    try:
        played = play_an_event(app, clock)
        with db.new_session(app.extensions["engine"]) as session:
            before = state_of(session, played.event_id)
        event_files = files_in(old.uploads)
        writer = Writer(app, played, clock)
        writer.start()
        try:
            writer.reach(6)
            started = writer.count
            result = run("backup", old.folder / "jelajah.zip")
            ended = writer.count
        finally:
            writer.finish()
    finally:
        app.extensions["engine"].dispose()
    assert result.exit_code == 0, result.output
    assert started < ended  # the app kept writing while the backup ran
    old_files = files_in(old.uploads)

    new.enter(monkeypatch)
    result = run("restore", old.folder / "jelajah.zip")
    assert result.exit_code == 0, result.output
    assert "Every photo file the database uses is there" in result.output
    restored = create_app({"clock": clock})
    try:
        with db.new_session(restored.extensions["engine"]) as session:
            assert state_of(session, played.event_id) == before
            writer_event = Submission.event_id == played.writer_event_id
            new_groups = count(session, Group, Group.event_id == played.writer_event_id)
            assert new_groups == count(session, Submission, writer_event)
            assert new_groups == count(
                session, Participant, Participant.event_id == played.writer_event_id
            )
            adjustments = count(session, Adjustment, Adjustment.event_id == played.writer_event_id)
            assert adjustments == count(
                session,
                AuditEntry,
                AuditEntry.event_id == played.writer_event_id,
                AuditEntry.action == "adjustment.add",
            )
            assert started <= new_groups + adjustments <= ended
            photo_keys = session.exec(
                select(Submission.photo_key).where(Submission.photo_key.is_not(None))
            ).all()
        new_files = files_in(new.uploads)
        assert len(event_files) == 18 and event_files.items() <= new_files.items()
        assert new_files.items() <= old_files.items()  # the writer's too, byte for byte
        store = LocalPhotoStore(new.uploads)
        for key in photo_keys:  # the event's six and the writer's, committed before the copy
            for variant in ("display.jpg", "thumb.jpg"):
                assert store.exists(key_for(key, variant))
        assert len(photo_keys) >= 6 + 1
        phone = restored.test_client()
        for name in ("session", "remember_token"):
            phone.set_cookie(name, played.phone.client.get_cookie(name).value)
        page = phone.get("/play/")
        assert page.status_code == 200 and "Kelompok 1" in page.get_data(as_text=True)
    finally:
        restored.extensions["engine"].dispose()


def a_small_event(app, clock, groups_wanted: int = 1) -> Web:
    """An event with one photo sent by a participant, who stays logged in on the phone."""
    engine = app.extensions["engine"]
    with db.new_session(engine) as session:
        owner = accounts.create_account(
            session, email="org@example.org", name="Organiser", password=PASSWORD, now=clock()
        )
        taskset = load_taskset_file(demo_service.DEMO_TASKSET)
        start = f"{clock().astimezone(ZoneInfo(taskset.timezone)):%Y-%m-%dT%H:%M}"
        event = tasksets.create_event(
            session,
            taskset=taskset,
            owner=owner,
            now=clock(),
            local_start=start,
            group_count=groups_wanted,
        )
        session.commit()
        task = session.exec(
            select(Task).where(Task.event_id == event.id, Task.key == "pelayanan")
        ).one()
        group = groups.groups_of(session, event.id)[0]
    phone = Web(app.test_client())
    phone.join(group.join_code, "Siti")
    assert upload(phone, task, photo("gps/DSCN0010.jpg")).status_code == 201
    return phone


def backed_up(machine: Machine, monkeypatch, clock, groups_wanted: int = 1) -> tuple[Path, Web]:
    """The machine with a small event, and the archive `jelajah backup` made of it."""
    machine.enter(monkeypatch)
    app = create_app({"clock": clock})
    try:
        phone = a_small_event(app, clock, groups_wanted)
    finally:
        app.extensions["engine"].dispose()
    result = run("backup", machine.folder / "backup.zip")
    assert result.exit_code == 0, result.output
    return machine.folder / "backup.zip", phone


def groups_in(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with db.new_session(engine) as session:
            return count(session, Group)
    finally:
        engine.dispose()


def test_restore_refuses_a_database_or_uploads_that_hold_data_unless_forced(
    machines, monkeypatch, clock
):
    old, new = machines
    archive, _phone = backed_up(old, monkeypatch, clock, groups_wanted=3)
    new.enter(monkeypatch)
    monkeypatch.setenv("JELAJAH_APP__SECRET_KEY", "the new machine's own")
    assert run("db", "upgrade").exit_code == 0
    assert run("create-organiser", "x@example.org", "--password", PASSWORD).exit_code == 0
    assert run("import-tasks", Path(demo_service.DEMO_TASKSET), "--groups", "1").exit_code == 0
    earlier = key_for(photo_id(), "display.jpg")
    LocalPhotoStore(new.uploads).save(earlier, photo("camera/Canon_40D.jpg"))

    refused = run("restore", archive)
    assert refused.exit_code == 1
    assert "Nothing was restored" in refused.output and "add --force" in refused.output
    assert "holds 1 photo files" in refused.output and "rows" in refused.output
    assert groups_in(new.url) == 1 and LocalPhotoStore(new.uploads).exists(earlier)

    forced = run("restore", "--force", archive)
    assert forced.exit_code == 0, forced.output
    assert groups_in(new.url) == 3
    assert not LocalPhotoStore(new.uploads).exists(earlier)
    assert "Removed 1 photo files that were there before" in forced.output
    assert "app.secret_key is set to another key here and wins" in forced.output


def repacked(archive: Path, into: Path, change) -> Path:
    """A copy of the archive whose files went through `change(name, data)`, which returns the
    new list of (name, data) for that file."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(into, "w") as target:
        for name in source.namelist():
            for new_name, data in change(name, source.read(name)):
                target.writestr(new_name, data)
    return into


def cut_in_half(archive: Path, into: Path) -> Path:
    into.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return into


def a_byte_flipped_in_a_photo(archive: Path, into: Path) -> Path:
    """Bit rot on the disk: the archive's own check (each file's CRC) notices it."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        photo = next(i for i in zipped.infolist() if i.filename.endswith("display.jpg"))
    # Photos are stored as they are, after a 30-byte header that ends with two lengths.
    header = photo.header_offset
    name_length, extra_length = struct.unpack("<HH", data[header + 26 : header + 30])
    data[header + 30 + name_length + extra_length + photo.compress_size // 2] ^= 0x01
    into.write_bytes(bytes(data))
    return into


def a_photo_changed(archive: Path, into: Path) -> Path:
    """A photo changed and the archive written anew: only the manifest's checksum notices."""

    def change(name, data):
        return [(name, data[:-1] + b"x" if name.endswith("thumb.jpg") else data)]

    return repacked(archive, into, change)


def a_name_no_backup_writes(archive: Path, into: Path) -> Path:
    def change(name, data):
        return [(name, data), ("../outside", b"x")] if name == "manifest.json" else [(name, data)]

    return repacked(archive, into, change)


def no_manifest(archive: Path, into: Path) -> Path:
    return repacked(
        archive, into, lambda name, data: [] if name == "manifest.json" else [(name, data)]
    )


def a_schema_this_version_does_not_know(archive: Path, into: Path) -> Path:
    def change(name, data):
        if name == "manifest.json":
            facts = json.loads(data)
            facts["database"]["revision"] = "9999"
            data = json.dumps(facts).encode()
        return [(name, data)]

    return repacked(archive, into, change)


DAMAGES = {
    cut_in_half: "is damaged or incomplete",
    a_byte_flipped_in_a_photo: "is damaged or incomplete (Bad CRC-32",
    a_photo_changed: "do not match the manifest, the first uploads/",
    a_name_no_backup_writes: "holds '../outside', which no Jelajah backup holds",
    no_manifest: "is not a Jelajah backup",
    a_schema_this_version_does_not_know: "9999, which this version of Jelajah does not know",
}


@pytest.mark.parametrize(("damage", "message"), DAMAGES.items(), ids=[f.__name__ for f in DAMAGES])
def test_a_damaged_or_foreign_archive_restores_nothing(
    tmp_path, monkeypatch, clock, damage, message
):
    old = Machine(tmp_path / "old", {"JELAJAH_APP__SECRET_KEY": "old"}, "")
    db.upgrade(sqlite_url(old.folder))
    archive, _phone = backed_up(old, monkeypatch, clock)
    damaged = damage(archive, tmp_path / "damaged.zip")
    new = Machine(tmp_path / "new", {}, "")
    new.enter(monkeypatch)
    result = run("restore", damaged)
    assert result.exit_code == 1 and message in result.output
    assert list(new.folder.iterdir()) == []  # no database, no photo, no settings, no key


def logged_in(app, phone: Web) -> bool:
    """Whether the phone's cookies, sent to `app`, still open the group's task list."""
    client = app.test_client()
    for name in ("session", "remember_token"):
        client.set_cookie(name, phone.client.get_cookie(name).value)
    return client.get("/play/").status_code == 200


def test_a_demo_instance_comes_back_with_its_generated_key(tmp_path, monkeypatch, clock):
    """No key in the settings: the one the app made in the instance folder is carried over."""
    demo = {"JELAJAH_APP__MODE": "demo"}
    old = Machine(tmp_path / "old", demo, "")
    db.upgrade(sqlite_url(old.folder))
    archive, phone = backed_up(old, monkeypatch, clock)

    for folder, env, kept in (
        ("new", demo, True),
        ("other", {"JELAJAH_APP__SECRET_KEY": "x"}, False),
    ):
        machine = Machine(tmp_path / folder, env, "")
        machine.enter(monkeypatch)
        result = run("restore", archive)
        assert result.exit_code == 0, result.output
        app = create_app({"clock": clock})
        try:
            assert logged_in(app, phone) is kept
        finally:
            app.extensions["engine"].dispose()
        said = "stay logged in" if kept else "is set to another key here and wins"
        assert said in result.output


def test_an_upgraded_but_empty_database_is_no_reason_to_refuse(tmp_path, monkeypatch, clock):
    old = Machine(tmp_path / "old", {"JELAJAH_APP__SECRET_KEY": "old"}, "")
    db.upgrade(sqlite_url(old.folder))
    archive, _phone = backed_up(old, monkeypatch, clock, groups_wanted=2)
    new = Machine(tmp_path / "new", {}, sqlite_url(tmp_path / "new"))
    new.enter(monkeypatch)
    db.upgrade(new.url)  # what `jelajah db upgrade` leaves: every table, no row
    result = run("restore", archive)
    assert result.exit_code == 0, result.output
    assert groups_in(new.url) == 2


def test_a_backup_without_a_secret_key_says_so_and_so_does_its_restore(tmp_path, monkeypatch):
    old = Machine(tmp_path / "old", {"JELAJAH_APP__MODE": "dev"}, sqlite_url(tmp_path / "old"))
    old.enter(monkeypatch)
    db.upgrade(old.url)  # the app never started, so it never made a key
    made = run("backup", "backup.zip")
    assert made.exit_code == 0 and "No secret key is set here" in made.output
    Machine(tmp_path / "new", {}, "").enter(monkeypatch)
    restored = run("restore", old.folder / "backup.zip")
    assert restored.exit_code == 0, restored.output
    assert "The backup holds no secret key" in restored.output


def test_a_backup_that_cannot_be_written_says_why_without_a_traceback(tmp_path, monkeypatch):
    machine = Machine(tmp_path, {"JELAJAH_APP__SECRET_KEY": "k"}, sqlite_url(tmp_path))
    machine.enter(monkeypatch)
    db.upgrade(machine.url)
    (tmp_path / "a-file").write_text("not a folder")
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "a-file" / "backup.zip")])
    assert result.exit_code == 1 and "Error: [Errno 20] Not a directory" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_backup_made_before_an_upgrade_is_upgraded_as_it_is_restored(tmp_path, monkeypatch):
    old = Machine(tmp_path / "old", {"JELAJAH_APP__SECRET_KEY": "k"}, sqlite_url(tmp_path / "old"))
    old.enter(monkeypatch)
    db.upgrade(old.url, "0002")  # the code is newer: the app would not start on it
    made = run("backup", "backup.zip")
    assert made.exit_code == 0 and "schema 0002" in made.output
    new = Machine(tmp_path / "new", {"JELAJAH_APP__SECRET_KEY": "k"}, sqlite_url(tmp_path / "new"))
    new.enter(monkeypatch)
    restored = run("restore", old.folder / "backup.zip")
    assert restored.exit_code == 0, restored.output
    assert f"Upgraded the database schema from 0002 to {db.head_revision()}" in restored.output
    engine = db.make_engine(new.url)
    try:
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()

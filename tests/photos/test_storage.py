"""Photo storage: server-made names, whole files only, and a check that keeps rows and files
in step even when the server dies between writing files and committing the row."""

import json
import os

import pytest
from click.testing import CliRunner
from sqlmodel import select

from tests.conftest import PHOTOS
from webapp.cli import cli
from webapp.models import Submission
from webapp.services import submissions
from webapp.services.references import store_reference
from webapp.services.storage_check import check_storage
from webapp.storage import BadKey, LocalPhotoStore, key_for, photo_id


def test_saved_files_have_server_made_names_and_no_temp_file_is_left(tmp_path):
    store = LocalPhotoStore(tmp_path)
    key = key_for(photo_id(), "display.jpg")
    store.save(key, b"jpeg bytes")
    assert store.read(key) == b"jpeg bytes" and list(store.keys()) == [key]
    assert list(store.temp_files()) == []


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "foto.jpg", "a" * 32 + "-display.jpg/..", "A" * 32 + "-thumb.jpg"]
)
def test_names_the_server_did_not_make_are_refused(tmp_path, name):
    with pytest.raises(BadKey):
        LocalPhotoStore(tmp_path).path(name)


def test_a_failure_while_writing_leaves_nothing_under_the_real_name(tmp_path, monkeypatch):
    store = LocalPhotoStore(tmp_path)
    key = key_for(photo_id(), "thumb.jpg")

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save(key, b"half")
    assert not store.exists(key) and list(store.temp_files()) == []


def send_photo(session, participant, task, store, now, key="p1"):
    return submissions.submit(
        session,
        participant=participant,
        task_id=task.id,
        now=now,
        store=store,
        sent=submissions.Sent(key=key, photo=(PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()),
    )


def test_a_crash_between_the_files_and_the_row_leaves_nothing_after_storage_check(
    make, session, clock, tmp_path
):
    event = make.event()
    participant = make.participant(make.group(event))
    task = make.task(event, "photo")
    store = LocalPhotoStore(tmp_path / "uploads")
    send_photo(session, participant, task, store, clock())
    session.rollback()  # the process died before the commit
    assert len(list(store.keys())) == 3
    assert session.exec(select(Submission)).all() == []
    report = check_storage(session, store, grace_seconds=0)
    assert len(report.removed) == 3 and list(store.keys()) == []


def test_storage_check_keeps_files_of_rows_and_reports_missing_ones(make, session, clock, tmp_path):
    event = make.event()
    participant = make.participant(make.group(event))
    task = make.task(event, "photo")
    store = LocalPhotoStore(tmp_path / "uploads")
    sub = send_photo(session, participant, task, store, clock()).submission
    session.commit()
    assert check_storage(session, store, grace_seconds=0).removed == []
    store.delete(key_for(sub.photo_key, "thumb.jpg"))
    report = check_storage(session, store, grace_seconds=0)
    assert report.missing == [(sub.id, f"{sub.photo_key}-thumb.jpg")]


def aged(store: LocalPhotoStore) -> None:
    """Every file older than storage check's grace period."""
    for key in store.keys():
        os.utime(store.path(key), (0, 0))


def test_reference_photos_are_kept_and_their_missing_files_reported(make, session, tmp_path):
    store = LocalPhotoStore(tmp_path / "uploads")
    ident = store_reference((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes(), store)
    task = make.task(make.event(), "photo", reference_photo=ident)
    aged(store)
    report = check_storage(session, store)
    assert report.removed == [] and len(list(store.keys())) == 3
    store.delete(key_for(ident, "display.jpg"))
    report = check_storage(session, store)
    assert report.missing == [] and report.missing_references == [(task.id, f"{ident}-display.jpg")]


def test_storage_check_command_names_a_reference_photos_missing_file(make, cli_env, tmp_path):
    store = LocalPhotoStore(tmp_path / "uploads")
    ident = store_reference((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes(), store)
    task = make.task(make.event(), "photo", reference_photo=ident)
    aged(store)
    store.delete(key_for(ident, "thumb.jpg"))
    result = CliRunner().invoke(cli, ["storage", "check"])
    assert f"Missing {ident}-thumb.jpg of the reference photo of task {task.id}" in result.output
    assert result.exit_code == 1 and len(list(store.keys())) == 2


def test_recent_files_are_left_alone_as_their_row_may_be_on_its_way(make, session, clock, tmp_path):
    store = LocalPhotoStore(tmp_path)
    store.save(key_for(photo_id(), "display.jpg"), b"x")
    assert check_storage(session, store).removed == []


def test_storage_check_command(make, session, clock, tmp_path, monkeypatch, database_url):
    uploads = tmp_path / "uploads"
    orphan = key_for(photo_id(), "display.jpg")
    LocalPhotoStore(uploads).save(orphan, b"x")
    os.utime(LocalPhotoStore(uploads).path(orphan), (0, 0))
    monkeypatch.setenv("JELAJAH_APP__SECRET_KEY", "x")
    monkeypatch.setenv("JELAJAH_DATABASE__URL", database_url)
    monkeypatch.setenv("JELAJAH_STORAGE__UPLOADS_DIR", str(uploads))
    monkeypatch.setenv("JELAJAH_APP__INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(cli, ["storage", "check", "--dry-run"])
    assert f"Would remove {orphan}" in result.output and result.exit_code == 0
    assert LocalPhotoStore(uploads).exists(orphan)
    result = CliRunner().invoke(cli, ["storage", "check"])
    assert f"Removed {orphan}" in result.output and not LocalPhotoStore(uploads).exists(orphan)


def test_photo_check_command_prints_a_json_line_per_file_and_fails_on_refusals(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JELAJAH_APP__SECRET_KEY", "x")
    bad = tmp_path / "rusak.jpg"
    bad.write_bytes((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()[:3000])
    good = PHOTOS / "heic" / "IMG_5195.HEIC"
    result = CliRunner().invoke(cli, ["photo-check", str(good), str(bad)])
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 1
    assert lines[0]["ok"] and lines[0]["gps"] == pytest.approx([39.0513, -94.2888], abs=1e-3)
    assert lines[0]["captured_at"] == "2021-04-11T15:47:53-05:00"
    assert (lines[0]["width"], lines[0]["height"]) == (1239, 1600)
    assert lines[1] == {
        "file": str(bad),
        "ok": False,
        "error": lines[1]["error"],
        "width": None,
        "height": None,
        "captured_at": None,
        "gps": None,
        "device": None,
    }
    assert "damaged" in lines[1]["error"]
    ok = CliRunner().invoke(cli, ["photo-check", str(PHOTOS / "mobile" / "jolla.jpg")])
    assert ok.exit_code == 0


def status(client, url, **kwargs) -> tuple[int, dict]:
    response = client.get(url, **kwargs)
    response.close()  # a sent file stays open until the response is closed
    return response.status_code, dict(response.headers)


def test_photos_are_served_only_to_those_who_may_see_them(
    app, make, session, clock, web, another_web
):
    from tests.conftest import Web

    event = make.event(make.account("ani@example.org"))
    group, other = make.group(event, "A"), make.group(event, "B")
    task = make.task(event, "photo")
    store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])
    sub = send_photo(session, make.participant(group), task, store, clock()).submission
    session.commit()
    url = f"/photos/{sub.photo_key}/display.jpg"
    web.join(group.join_code, "Siti")
    assert status(web.client, url)[0] == 200
    another_web.join(other.join_code, "Budi")
    assert status(another_web.client, url)[0] == 404
    anonymous = app.test_client()
    board_url = f"{url}?board={event.board_token}"
    assert status(anonymous, url)[0] == 404
    assert status(anonymous, board_url)[0] == 404  # not approved yet
    sub.status = "accepted"
    session.commit()
    code, headers = status(anonymous, board_url)
    # Private: a shared cache must not keep a photo for the next person who asks.
    assert code == 200 and headers["Cache-Control"] == "max-age=31536000, private, immutable"
    assert status(anonymous, board_url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert status(anonymous, f"/photos/{sub.photo_key}/original.jpeg")[0] == 404
    organiser = Web(app.test_client())
    organiser.login("ani@example.org")
    assert status(organiser.client, url)[0] == 200


def test_photo_check_needs_no_secret_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config.toml here
    for name in [name for name in os.environ if name.startswith("JELAJAH_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(cli, ["photo-check", str(PHOTOS / "mobile" / "jolla.jpg")])
    assert result.exit_code == 0 and json.loads(result.output)["ok"] is True

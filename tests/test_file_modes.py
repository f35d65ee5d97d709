"""Photos, the database, the secret key and backups: only the app's user may read them, whatever
the umask of the process that made them (files 0600, folders 0700)."""

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import PASSWORD, PHOTOS
from webapp import create_app, db
from webapp.cli import cli
from webapp.config import instance_secret_key
from webapp.services import accounts
from webapp.storage import LocalPhotoStore, key_for, photo_id


@pytest.fixture(params=[0o022, 0o002, 0o000], ids=["umask022", "umask002", "umask000"])
def umask(request):
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(folder: Path) -> dict[str, set[int]]:
    """The modes of the folder itself, of the folders in it and of the files in it."""
    inside = list(folder.rglob("*"))
    return {
        "folders": {mode(folder)} | {mode(p) for p in inside if p.is_dir()},
        "files": {mode(p) for p in inside if p.is_file()},
    }


def run(*args):
    result = CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_the_database_photos_backup_and_restore_are_private(umask, tmp_path, monkeypatch, clock):
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("JELAJAH_") and "__" in n]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("JELAJAH_APP__SECRET_KEY", "modes")
    run("db", "upgrade")
    instance = tmp_path / "instance"
    assert mode(instance) == 0o700 and mode(instance / "jelajah.sqlite") == 0o600

    app = create_app({"clock": clock})
    try:
        store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])
        store.save(
            key_for(photo_id(), "display.jpg"), (PHOTOS / "camera/Canon_40D.jpg").read_bytes()
        )
        with db.new_session(app.extensions["engine"]) as session:  # a write makes the WAL
            accounts.create_account(
                session, email="a@example.org", name="A", password=PASSWORD, now=clock()
            )
            session.commit()
        journals = [instance / "jelajah.sqlite-wal", instance / "jelajah.sqlite-shm"]
        assert {mode(path) for path in journals} == {0o600}
    finally:
        app.extensions["engine"].dispose()
    assert modes_under(tmp_path / "uploads") == {"folders": {0o700}, "files": {0o600}}

    run("backup", "backups/jelajah.zip")
    assert mode(tmp_path / "backups") == 0o700
    assert mode(tmp_path / "backups" / "jelajah.zip") == 0o600

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    monkeypatch.chdir(fresh)
    run("restore", tmp_path / "backups" / "jelajah.zip")
    assert modes_under(fresh / "instance") == {"folders": {0o700}, "files": {0o600}}
    assert modes_under(fresh / "uploads") == {"folders": {0o700}, "files": {0o600}}


def test_the_generated_secret_key_lies_in_a_private_folder(umask, tmp_path):
    instance_secret_key(tmp_path / "instance")
    assert modes_under(tmp_path / "instance") == {"folders": {0o700}, "files": {0o600}}

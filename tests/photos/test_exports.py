"""What organisers take home: every photo exactly as sent, with an index, and the results."""

import io
import zipfile
from datetime import datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.conftest import PHOTOS
from webapp.cli import cli
from webapp.services import judging, submissions
from webapp.storage import LocalPhotoStore, key_for

JPEG = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
HEIC = (PHOTOS / "heic" / "IMG_5195.HEIC").read_bytes()


@pytest.fixture
def day(app, make, session, clock, web):
    """Two groups' photos: a camera JPEG (accepted), an iPhone HEIC, one whose file is gone."""
    owner = make.account("ani@example.org")
    event = make.event(owner, title="Hari Lapangan: Makassar")
    judge = make.judge(event, make.account("juri@example.org"))
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali/2")
    photo = make.task(event, "photo", title="Foto kreatif", points=40, position=1)
    team = make.task(event, "photo", title="Foto tim", points=10, position=2)
    store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])

    def send(group, data, key, task=photo):
        clock.advance(minutes=3)
        sent = submissions.submit(
            session,
            participant=make.participant(group, name=f"Peserta {key}"),
            task_id=task.id,
            sent=submissions.Sent(key=key, photo=data),
            now=clock(),
            store=store,
        ).submission
        session.commit()
        return sent

    jpeg, heic = send(elang, JPEG, "a"), send(rajawali, HEIC, "b")
    lost = send(rajawali, JPEG, "c", team)
    store.delete(key_for(lost.photo_key, "original.jpeg"))
    judging.decide(
        session, event=event, judge=judge, submission_id=jpeg.id, decision="accept", now=clock()
    )
    session.commit()
    web.login("ani@example.org")
    return event, (jpeg, heic, lost), web


def test_the_photo_archive_holds_every_original_by_group_with_an_index(day):
    event, (jpeg, heic, lost), web = day
    response = web.get(f"/organiser/events/{event.id}/export/photos.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    names = archive.namelist()
    assert archive.read(f"Elang/01 Foto kreatif #{jpeg.id}.jpg") == JPEG  # byte for byte
    assert archive.read(f"Rajawali_2/01 Foto kreatif #{heic.id}.heic") == HEIC
    assert not any(f"#{lost.id}." in name for name in names)
    index = load_workbook(io.BytesIO(archive.read("foto.xlsx"))).active
    header, *rows = [[cell.value for cell in row] for row in index.iter_rows()]
    assert header[:5] == ["Kelompok", "Tugas", "Berkas", "Status", "Diterima (WITA)"]
    by_file = {row[2]: row for row in rows}
    accepted = by_file[f"Elang/01 Foto kreatif #{jpeg.id}.jpg"]
    assert accepted[3] == "disetujui" and accepted[6] == 40
    assert isinstance(accepted[4], datetime) and accepted[7].year == 2008  # taken in 2008
    assert accepted[8] == pytest.approx(43.467, abs=1e-3) and accepted[10]  # GPS, device
    missing = [row for row in rows if row[2] == "(berkas hilang)"]
    assert len(missing) == 1 and missing[0][0] == "Rajawali/2"


def test_only_organisers_download_the_exports(day, app, another_web):
    event, _photos, _web = day
    another_web.login("juri@example.org")
    for path in ("photos.zip", "standings.xlsx"):
        url = f"/organiser/events/{event.id}/export/{path}"
        assert another_web.get(url).status_code in (302, 403, 404)
        assert app.test_client().get(url).status_code in (302, 401, 403)


def test_the_results_workbook_has_the_ranking_and_every_line(day):
    event, (jpeg, _heic, _lost), web = day
    web.get("/lang/en")
    response = web.get(f"/organiser/events/{event.id}/export/standings.xlsx")
    assert (
        response.status_code == 200 and "standings.xlsx" in response.headers["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.get_data()))
    ranking = [[c.value for c in row] for row in book["Standings"].iter_rows()]
    assert ranking[0][:4] == ["Rank", "Group", "Points", "Tasks completed"]
    assert ranking[1][:4] == [1, "Elang", 40, 1] and ranking[2][:4] == [2, "Rajawali/2", 0, 0]
    # How ties were broken, in the reader's language, below the ranking.
    assert ranking[-1][0].startswith("Groups with equal points are ranked by")
    lines = [[c.value for c in row] for row in book["Breakdown"].iter_rows()]
    assert lines[1][0] == "Elang" and lines[1][2:] == ["task", "Foto kreatif", 40]


def test_the_export_photos_command_writes_the_same_archive(day, cli_env, tmp_path):
    event, (jpeg, heic, _lost), _web = day
    out = tmp_path / "foto.zip"
    result = CliRunner().invoke(cli, ["export-photos", str(event.id), str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 of 3 photos" in result.output
    archive = zipfile.ZipFile(out)
    assert archive.read(f"Elang/01 Foto kreatif #{jpeg.id}.jpg") == JPEG
    assert not (tmp_path / "foto.zip.part").exists()

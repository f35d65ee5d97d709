"""Reference photos: read from beside the task-set file, shown to the group and to judges."""

import shutil

import pytest
from sqlmodel import select

from tests.conftest import PHOTOS, Web
from webapp.domain.taskset import load_taskset
from webapp.models import Task
from webapp.services import tasksets
from webapp.storage import LocalPhotoStore

SET = """
[set]
title = "Dengan contoh"

[[tasks]]
id = "foto"
title = "Foto kelompok"
kind = "photo"
reference_photo = "contoh.jpg"
"""


def imported(make, session, clock, tmp_path, app, name="contoh.jpg"):
    folder = tmp_path / "set"
    folder.mkdir()
    if name:
        shutil.copy(PHOTOS / "gps" / "DSCN0010.jpg", folder / name)
    store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])
    event = tasksets.create_event(
        session,
        taskset=load_taskset(SET),
        owner=make.account(),
        now=clock(),
        group_count=2,
        source_dir=folder,
        store=store,
    )
    session.commit()
    return event, session.exec(select(Task).where(Task.event_id == event.id)).one()


def test_a_reference_photo_is_stored_and_shown_to_the_group_and_judges(
    make, session, clock, tmp_path, app
):
    event, task = imported(make, session, clock, tmp_path, app)
    assert task.reference_photo and len(task.reference_photo) == 32
    group = tasksets.groups.groups_of(session, event.id)[0]
    phone = Web(app.test_client())
    phone.join(group.join_code, "Siti")
    clock.value = event.starts_at  # the task has opened: a locked task shows no reference
    page = phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert f"/photos/reference/{task.id}/display.jpg" in page
    response = phone.get(f"/photos/reference/{task.id}/display.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    response.close()
    stranger = Web(app.test_client())
    session.rollback()  # end this test's read snapshot before writing again
    other = make.group(make.event())
    stranger.join(other.join_code, "Budi")
    assert stranger.get(f"/photos/reference/{task.id}/display.jpg").status_code == 404


def test_a_missing_reference_photo_stops_the_import_with_its_name(
    make, session, clock, tmp_path, app
):
    with pytest.raises(tasksets.ReferencePhotoMissing, match="contoh.jpg"):
        imported(make, session, clock, tmp_path, app, name=None)

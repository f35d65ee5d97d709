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


def import_naming(reference: str, folder, make, session, clock, app, **options):
    store = LocalPhotoStore(app.config["SETTINGS"]["storage"]["uploads_dir"])
    text = SET.replace('reference_photo = "contoh.jpg"', f"reference_photo = {reference!r}")
    return tasksets.create_event(
        session,
        taskset=load_taskset(text.replace("'", '"')),
        owner=make.account(),
        now=clock(),
        source_dir=folder,
        store=store,
        **options,
    )


@pytest.mark.parametrize(
    "reference", ["/dev/zero", "../../../../../../etc/passwd", "../outside.jpg"]
)
def test_a_reference_photo_outside_the_set_folder_is_refused(
    reference, make, session, clock, tmp_path, app
):
    folder = tmp_path / "set"
    folder.mkdir()
    shutil.copy(PHOTOS / "gps" / "DSCN0010.jpg", tmp_path / "outside.jpg")
    with pytest.raises(tasksets.ReferencePhotoOutside, match="outside the task set's folder"):
        import_naming(reference, folder, make, session, clock, app)


def test_a_link_out_of_the_set_folder_is_refused(make, session, clock, tmp_path, app):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "contoh.jpg").symlink_to("/dev/zero")
    with pytest.raises(tasksets.ReferencePhotoOutside):
        import_naming("contoh.jpg", folder, make, session, clock, app)


def test_a_reference_photo_must_be_a_regular_file(make, session, clock, tmp_path, app):
    folder = tmp_path / "set"
    (folder / "contoh").mkdir(parents=True)
    with pytest.raises(tasksets.ReferencePhotoNotAFile, match="is not a file"):
        import_naming("contoh", folder, make, session, clock, app)


def test_a_reference_photo_larger_than_an_upload_is_refused(make, session, clock, tmp_path, app):
    folder = tmp_path / "set"
    (folder / "foto").mkdir(parents=True)
    shutil.copy(PHOTOS / "gps" / "DSCN0010.jpg", folder / "foto" / "contoh.jpg")
    with pytest.raises(tasksets.ReferencePhotoTooLarge, match="larger than 0.01 MB"):
        import_naming("foto/contoh.jpg", folder, make, session, clock, app, max_photo_bytes=10_485)
    event = import_naming("foto/contoh.jpg", folder, make, session, clock, app)
    session.commit()
    task = session.exec(select(Task).where(Task.event_id == event.id)).one()
    assert task.reference_photo  # a photo in a folder inside the set's is taken

"""Photos as a participant's phone sends them: through the app, to the row and the folder."""

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlmodel import select
from werkzeug.test import EnvironBuilder

from tests.conftest import PHOTOS
from tests.photos.made import made_jpeg, png_header_claiming, saved
from webapp.models import Submission

WINDOW = {"after": "start", "offset": 0, "duration": 30}
NOT_A_PHOTO = "This file is not a photo"


def upload(web, task, data: bytes, name: str = "foto.jpg", key: str = "p1", **fields):
    form = {"csrf_token": web.token("/play/"), "key": key, "photo": (io.BytesIO(data), name)}
    builder = EnvironBuilder(
        path=f"/play/api/tasks/{task.id}/submissions",
        method="POST",
        data={**form, **fields},
        headers={"Accept": "application/json"},
    )
    environ = builder.get_environ()
    try:
        return web.client.open(environ)
    finally:
        environ["wsgi.input"].close()  # the test client spools a large body to a temporary file
        builder.close()


def rows(session) -> list[Submission]:
    session.rollback()
    session.expire_all()
    return session.exec(select(Submission)).all()


def stored_files(app) -> list[Path]:
    uploads = Path(app.config["SETTINGS"]["storage"]["uploads_dir"])
    return [path for path in uploads.rglob("*") if path.is_file()]


def codes(submission: Submission) -> list[str]:
    return [flag["code"] for flag in submission.flags]


def camera_jpeg() -> bytes:
    return (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()


def small(kind: str) -> bytes:
    return saved(Image.linear_gradient("L").convert("RGB"), kind)


def heif_over_the_decoders_limit() -> bytes:
    data = bytearray((PHOTOS / "heic" / "samplefilehub.heif").read_bytes())
    data[436] = 0x00  # libheif then raises RuntimeError ("Security limit exceeded")
    return bytes(data)


def cut_heic() -> bytes:
    whole = (PHOTOS / "heic" / "IMG_5195.HEIC").read_bytes()
    return whole[: len(whole) // 2]


REFUSED = {
    "truncated_jpeg": (camera_jpeg()[:3000], "damaged or incomplete"),
    "heif_over_the_decoders_limit": (heif_over_the_decoders_limit(), "damaged or incomplete"),
    "cut_heic": (cut_heic(), "damaged or incomplete"),
    "text_named_jpg": (b"Ini bukan foto, hanya teks.\n" * 20, NOT_A_PHOTO),
    "pdf_named_jpg": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", NOT_A_PHOTO),
    "bomb_png_header": (png_header_claiming(100_000, 100_000), "too many pixels"),
    "empty_file": (b"", "The file is empty"),
    "gif": (small("GIF"), NOT_A_PHOTO),
    "bmp": (small("BMP"), NOT_A_PHOTO),
    "tiff": (small("TIFF"), NOT_A_PHOTO),
}


@pytest.mark.parametrize(("data", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_upload_leaves_no_row_and_no_file(phone, make, session, app, data, message):
    task = make.task(phone.event, "photo")
    response = upload(phone, task, data)
    assert response.status_code in (400, 422) and message in response.json["message"]
    assert rows(session) == [] and stored_files(app) == []


def test_a_photo_over_the_limit_but_under_the_request_cap_gets_413(phone, make, session, app):
    task = make.task(phone.event, "photo")
    limit = app.config["SETTINGS"]["storage"]["max_upload_mb"] * 1024 * 1024
    data = b"\xff\xd8" + b"0" * (limit + 100 * 1024)
    assert len(data) < app.config["MAX_CONTENT_LENGTH"] - 1024  # the request itself is let in
    response = upload(phone, task, data)
    assert response.status_code == 413 and "larger than 15 MB" in response.json["message"]
    assert rows(session) == [] and stored_files(app) == []


def test_a_photo_taken_years_before_the_task_and_far_away_is_flagged_on_its_row(
    phone, make, session
):
    place = make.location(phone.event, name="Fort Rotterdam")  # in Makassar; the photo, Italy
    task = make.task(phone.event, "photo_at_location", location_id=place.id, window=WINDOW)
    assert upload(phone, task, camera_jpeg()).status_code == 201
    assert codes(rows(session)[0]) == ["before_open", "far_from_place"]


def test_a_fresh_photo_without_time_or_position_is_flagged_on_its_row(phone, make, session):
    place = make.location(phone.event)
    task = make.task(phone.event, "photo_at_location", location_id=place.id, fresh_photo=True)
    assert upload(phone, task, made_jpeg((800, 600))).status_code == 201
    assert codes(rows(session)[0]) == ["no_capture_time", "no_gps"]


def test_the_same_photo_sent_for_another_task_is_flagged_as_a_duplicate(phone, make, session):
    first = make.task(phone.event, "photo", title="Gerbang")
    second = make.task(phone.event, "photo", title="Menara")
    photo = made_jpeg((800, 600))
    assert upload(phone, first, photo, key="a").status_code == 201
    assert upload(phone, second, photo, key="b").status_code == 201
    by_task = {sub.task_id: sub for sub in rows(session)}
    assert codes(by_task[first.id]) == [] and codes(by_task[second.id]) == ["duplicate"]
    assert by_task[second.id].flags[0]["params"]["other"] == "Kelompok Biru: Gerbang"


def test_a_phone_photo_stored_sideways_is_served_upright(phone, make, session):
    """Orientation 6: the sensor's top-left corner is the picture's top right."""
    picture = Image.new("RGB", (4000, 3000), "white")
    ImageDraw.Draw(picture).rectangle((0, 0, 599, 599), fill="red")
    exif = Image.Exif()
    exif[0x0112] = 6
    task = make.task(phone.event, "photo")
    assert upload(phone, task, saved(picture, "JPEG", quality=90, exif=exif)).status_code == 201
    served = phone.get(f"/photos/{rows(session)[0].photo_key}/display.jpg")
    display = Image.open(io.BytesIO(served.data)).convert("RGB")
    served.close()
    assert display.size == (1125, 1500)
    right, bottom = display.width - 1, display.height - 1
    corners = {
        "top_left": (40, 40),
        "top_right": (right - 40, 40),
        "bottom_left": (40, bottom - 40),
        "bottom_right": (right - 40, bottom - 40),
    }
    red = [name for name, xy in corners.items() if display.getpixel(xy)[1] < 60]
    assert red == ["top_right"]

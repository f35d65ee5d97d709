"""Memory a photo may take: decoded pixels bounded per photo, heavy decodes per worker."""

import io
import subprocess
import sys
import threading
import time

import pytest
from PIL import Image
from sqlmodel import select

from tests.conftest import Factory, Web
from tests.photos.made import made_jpeg, png_rgb_rows, saved
from tests.photos.test_photos import REPO
from webapp import create_app, photos
from webapp.models import Submission
from webapp.photos import DecodeGate, PhotoRefused, decoded_pixels, open_checked, process_photo


def test_a_png_that_decodes_at_full_size_has_a_lower_pixel_bound_than_a_jpeg():
    """A 190 KB PNG of 49 MP took a worker to 550 MB; the same size as a JPEG is decoded at
    a quarter of its width and is still accepted."""
    png = png_rgb_rows(7000, 7000)
    with pytest.raises(PhotoRefused) as refused:
        process_photo(png)
    assert refused.value.code == "too_many_pixels"
    assert "more than 25 megapixels" in refused.value.message
    jpeg = made_jpeg((7000, 7000))
    assert decoded_pixels(open_checked(jpeg, photos.MAX_PIXELS)) <= 1750 * 1750
    assert process_photo(jpeg).width == 1750  # decoded at 2/8, in the display band


def test_the_full_size_bound_is_a_setting():
    png = saved(Image.linear_gradient("L").resize((2000, 1500)), "PNG")
    assert process_photo(png).width == 1600
    with pytest.raises(PhotoRefused, match="more than 2 megapixels"):
        process_photo(png, max_decoded_pixels=2_999_999)


def test_a_phones_downscaled_jpeg_is_a_light_decode_and_a_big_png_a_heavy_one():
    phone = open_checked(made_jpeg((2048, 1536)), photos.MAX_PIXELS)
    png = open_checked(png_rgb_rows(3000, 2000), photos.MAX_PIXELS)
    assert decoded_pixels(phone) <= photos.HEAVY_PIXELS < decoded_pixels(png)


def test_no_more_heavy_decodes_run_at_once_than_the_worker_has_slots(monkeypatch):
    """Six heavy photos at once through two slots: the first two are held inside their
    decode until the test has seen that nobody else got in."""
    inside, most, release = [0], [0], threading.Event()
    lock = threading.Lock()
    decode = photos.display_copy

    def held(*args):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        release.wait(timeout=30)
        try:
            return decode(*args)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(photos, "display_copy", held)
    gate = DecodeGate(slots=2, wait_seconds=60)
    png = png_rgb_rows(2500, 2000)
    widths = []
    threads = [
        threading.Thread(target=lambda: widths.append(process_photo(png, decoders=gate).width))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for _ in range(300):
        if inside[0] == 2:
            break
        time.sleep(0.01)
    time.sleep(0.3)  # time enough for a third to get in, were the slots not holding it
    assert inside[0] == 2
    release.set()
    for thread in threads:
        thread.join()
    assert most[0] == 2 and widths == [1600] * 6


def test_a_light_photo_never_waits_for_a_slot():
    gate = DecodeGate(slots=1, wait_seconds=0)
    with gate.slot(photos.HEAVY_PIXELS + 1):
        assert process_photo(made_jpeg((2048, 1536)), decoders=gate).width == 1536
        with pytest.raises(photos.DecodersBusy):
            process_photo(png_rgb_rows(3000, 2000), decoders=gate)


@pytest.fixture
def one_slot_app(database_url, tmp_path, clock):
    app = create_app(
        {
            "app": {"secret_key": "test-secret", "instance_path": str(tmp_path / "instance")},
            "database": {"url": database_url},
            "storage": {
                "uploads_dir": str(tmp_path / "uploads"),
                "photo_decoders": 1,
                "photo_wait_seconds": 0.2,
            },
            "clock": clock,
        }
    )
    yield app
    app.extensions["engine"].dispose()


def test_a_heavy_photo_that_waits_too_long_gets_503_with_retry_after_and_its_retry_is_stored(
    one_slot_app, session, clock
):
    make = Factory(session, clock)
    event = make.event()
    heavy_task, light_task = make.task(event, "photo"), make.task(event, "photo")
    web = Web(one_slot_app.test_client())
    web.join(make.group(event, "Kelompok Biru").join_code, "Siti")
    web.get("/lang/en")

    def upload(task, data: bytes):
        return web.client.post(
            f"/play/api/tasks/{task.id}/submissions",
            data={
                "csrf_token": web.token("/play/"),
                "key": f"k{task.id}",
                "photo": (io.BytesIO(data), "foto.png"),
            },
            headers={"Accept": "application/json"},
        )

    heavy = png_rgb_rows(3000, 2000)
    with one_slot_app.extensions["photo_decoders"].slot(photos.HEAVY_PIXELS + 1):
        busy = upload(heavy_task, heavy)
        light = upload(light_task, made_jpeg((2048, 1536)))
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert busy.json["message"] == (
        "The server is busy with other photos. Please send this one again in a moment."
    )
    assert light.status_code == 201
    assert [sub.task_id for sub in session.exec(select(Submission)).all()] == [light_task.id]
    assert upload(heavy_task, heavy).status_code == 201  # the phone's outbox sends it again


MEMORY_PROBE = r"""
import re, sys, threading
from pathlib import Path
from webapp import photos

def peak():
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())[1]) * 1024

data = Path(sys.argv[1]).read_bytes()
photos.return_freed_pixels()  # as the app does when it starts
gate = photos.DecodeGate(slots=2, wait_seconds=600)
before = peak()
threads = [
    threading.Thread(target=photos.process_photo, args=(data,), kwargs={"decoders": gate})
    for _ in range(6)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(peak() - before)
"""


def test_six_large_photos_at_once_take_the_memory_of_two(tmp_path):
    """A 16 MP picture takes 64 MB decoded and about 100 MB to process. Six at once through
    two slots stay under four times 64 MB; without the slots they took about nine times, and
    with the freed pictures kept by each thread's heap about five."""
    width, height = 4000, 4000
    path = tmp_path / "besar.png"
    path.write_bytes(png_rgb_rows(width, height))
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=REPO,
    )
    assert int(probe.stdout) < 4 * width * height * 4

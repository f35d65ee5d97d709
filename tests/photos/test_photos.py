"""The photo pipeline on real camera and phone files, and on files made to break it.

The fixture photos come from the public ianare/exif-samples collection (mostly Wikimedia
Commons, CC BY-SA 4.0); see ../shared/fixtures/photos/README.md.
"""

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from tests.conftest import PHOTOS, REPO
from tests.photos.made import made_jpeg, png_header_claiming, png_rgba_rows, saved
from webapp import photo_check
from webapp.photo_check import photo_check_report
from webapp.photos import PhotoRefused, process_photo

ORIENTATION = sorted((PHOTOS / "orientation").glob("landscape_*.jpg"))


def upright(path):
    photo = process_photo(path.read_bytes())
    return photo, Image.open(io.BytesIO(photo.display))


def test_there_are_eight_orientation_files():
    assert len(ORIENTATION) == 8


@pytest.mark.parametrize("path", ORIENTATION, ids=lambda p: p.name)
def test_every_orientation_is_stored_upright(path):
    reference = upright(PHOTOS / "orientation" / "landscape_1.jpg")[1].convert("L")
    photo, image = upright(path)
    assert (photo.width, photo.height) == image.size == (600, 450)
    # The same scene, the same way up: the picture matches the unrotated file closely, and
    # far more closely than the same scene upside down would.
    gray = image.convert("L")
    assert mean_difference(gray, reference) < 20
    for wrong_way in (ImageOps.mirror(gray), ImageOps.flip(gray), gray.rotate(180)):
        assert mean_difference(wrong_way, reference) > 35


def mean_difference(a, b) -> float:
    return ImageStat.Stat(ImageChops.difference(a.resize((60, 45)), b.resize((60, 45)))).mean[0]


def test_served_copies_carry_no_exif():
    photo = process_photo((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes())
    for data in (photo.display, photo.thumbnail):
        assert not Image.open(io.BytesIO(data)).getexif()
    assert photo.original == (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()


@pytest.mark.parametrize(
    ("name", "lat", "lon", "taken"),
    [
        ("DSCN0010.jpg", 43.4674, 11.8851, datetime(2008, 10, 22, 16, 28, 39)),
        ("DSCN0012.jpg", 43.4672, 11.8854, datetime(2008, 10, 22, 16, 29, 49)),
    ],
)
def test_gps_and_capture_time_are_read_from_camera_files(name, lat, lon, taken):
    evidence = process_photo((PHOTOS / "gps" / name).read_bytes()).evidence
    assert evidence.gps == pytest.approx((lat, lon), abs=1e-3)
    assert evidence.captured_at == taken
    assert evidence.device == "NIKON COOLPIX P6000"


def test_heic_from_an_iphone_is_accepted_with_its_evidence():
    photo = process_photo((PHOTOS / "heic" / "IMG_5195.HEIC").read_bytes())
    assert photo.original_format == "heif"
    assert (photo.width, photo.height) == (1239, 1600)  # portrait 2566x3313, upright
    assert photo.evidence.gps == pytest.approx((39.0513, -94.2888), abs=1e-3)
    assert photo.evidence.captured_at == datetime(
        2021, 4, 11, 15, 47, 53, tzinfo=timezone(timedelta(hours=-5))
    )
    assert Image.open(io.BytesIO(photo.display)).format == "JPEG"


def test_heif_without_gps_is_accepted():
    photo = process_photo((PHOTOS / "heic" / "samplefilehub.heif").read_bytes())
    assert (photo.width, photo.height) == (640, 426) and photo.evidence.gps is None


def test_a_full_phone_photo_goes_through_with_both_copies():
    photo = process_photo((PHOTOS / "mobile" / "jolla.jpg").read_bytes())
    # 3264 px decoded at 4/8 (3/8 would give 1224, under the band): about 1600, no resize.
    assert (photo.width, photo.height) == (1632, 1224)
    assert Image.open(io.BytesIO(photo.display)).size == (1632, 1224)
    assert Image.open(io.BytesIO(photo.thumbnail)).size == (400, 300)
    assert len(photo.phash) == 16


@pytest.mark.parametrize(
    "size, display",
    [
        ((4000, 3000), (1500, 1125)),  # a 12 MP phone photo decoded at 3/8
        ((3000, 4000), (1125, 1500)),  # held upright: the long side decides
        ((8000, 6000), (1600, 1200)),  # 2/8 gives 2000, over the band: resized
        ((1700, 1275), (1700, 1275)),  # within the band: kept as sent
        ((1600, 1200), (1600, 1200)),  # what the phone's downscale sends
        ((640, 480), (640, 480)),  # small photos are never enlarged
    ],
)
def test_the_display_copy_is_about_1600_pixels(size, display):
    photo = process_photo(made_jpeg(size))
    assert (photo.width, photo.height) == display
    assert Image.open(io.BytesIO(photo.display)).size == display
    assert max(Image.open(io.BytesIO(photo.thumbnail)).size) == min(400, max(display))


@pytest.mark.parametrize("options", [{"progressive": True}, {"subsampling": 0}])
def test_progressive_and_full_colour_jpegs_take_the_scaled_decoder_too(options):
    photo = process_photo(made_jpeg((4000, 3000), **options))
    assert (photo.width, photo.height) == (1500, 1125)  # 3/8: no resize after decoding


def test_a_12_megapixel_photo_held_upright_comes_out_upright_at_3_8():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, as phones do
    photo = process_photo(made_jpeg((4000, 3000), exif=exif))
    assert (photo.width, photo.height) == (1125, 1500)
    assert Image.open(io.BytesIO(photo.display)).getexif().get(0x0112) is None  # no EXIF left


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grey_and_cmyk_jpegs_come_out_as_colour_jpegs(mode):
    photo = process_photo(made_jpeg((2400, 1800), mode))
    image = Image.open(io.BytesIO(photo.display))
    assert image.format == "JPEG" and image.mode in ("RGB", "L")
    assert max(image.size) in range(1400, 1801)


def test_a_jpeg_libjpeg_turbo_frowns_on_is_still_accepted_by_pillow():
    # Stray bytes before the end marker: libjpeg-turbo warns, which the fast decoder treats
    # as an error in strict mode; Pillow's decoder accepts the picture, as phones expect.
    data = made_jpeg((2400, 1800))
    assert data.endswith(b"\xff\xd9")
    assert process_photo(data).width == 1500  # the fast decoder's 5/8 scale
    photo = process_photo(data[:-2] + b"\x00" * 16 + b"\xff\xd9")
    assert (photo.width, photo.height) == (1600, 1200)  # Pillow's path: resized to 1600


def test_a_camera_exif_block_is_parsed():
    evidence = process_photo((PHOTOS / "camera" / "Canon_40D.jpg").read_bytes()).evidence
    assert evidence.device == "Canon EOS 40D" and evidence.captured_at.year == 2008


@pytest.mark.parametrize(
    "path", sorted((PHOTOS / "damaged-exif").glob("*.jpg")), ids=lambda p: p.name
)
def test_damaged_exif_neither_crashes_nor_hangs(path):
    import time

    started = time.monotonic()
    report = photo_check_report(path)
    assert time.monotonic() - started < 10
    assert report["ok"] is True and report["width"] > 0


def test_a_file_without_exif_is_accepted_without_evidence():
    photo = process_photo((PHOTOS / "xmp" / "no_exif.jpg").read_bytes())
    assert photo.evidence.gps is None and photo.evidence.device is None
    # Photoshop's save time (IFD0 DateTime) is not when the picture was taken.
    assert photo.evidence.captured_at is None


def refusal(data: bytes, **limits) -> PhotoRefused:
    with pytest.raises(PhotoRefused) as exc:
        process_photo(data, **limits)
    return exc.value


def test_each_bad_file_is_refused_with_its_own_message():
    jpeg = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
    cases = {
        "damaged": jpeg[: len(jpeg) // 2],
        "not_an_image": b"Ini bukan foto, hanya teks.\n" * 20,
        "too_many_pixels": png_header_claiming(100_000, 100_000),
        "empty": b"",
        "too_large": b"\xff\xd8" + b"0" * (20 * 1024 * 1024),
    }
    messages = set()
    for code, data in cases.items():
        refused = refusal(data)
        assert refused.code == code
        messages.add(refused.message)
    assert len(messages) == len(cases)


def test_a_pdf_named_jpg_is_refused():
    assert refusal(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF").code == "not_an_image"


def test_the_pixel_bound_is_a_setting():
    data = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
    assert refusal(data, max_pixels=640 * 480 - 1).code == "too_many_pixels"


def test_photo_check_reports_refusals_in_the_participants_words(tmp_path):
    bad = tmp_path / "foto.jpg"
    bad.write_text("teks")
    report = photo_check_report(bad)
    assert report == {
        "file": str(bad),
        "ok": False,
        "error": report["error"],
        "width": None,
        "height": None,
        "captured_at": None,
        "gps": None,
        "device": None,
    }
    assert "not a photo" in report["error"]
    assert photo_check_report(tmp_path / "nowhere.jpg")["ok"] is False
    assert photo_check_report(tmp_path)["ok"] is False  # a folder


def test_photo_check_reads_no_more_of_a_file_than_it_needs_to_refuse_it(tmp_path, monkeypatch):
    sizes = []

    def counting(data, **limits):
        sizes.append(len(data))
        return process_photo(data, **limits)

    monkeypatch.setattr(photo_check, "process_photo", counting)
    big = tmp_path / "besar.jpg"
    with big.open("wb") as fh:
        fh.truncate(40 * 1024 * 1024)
    report = photo_check_report(big, max_bytes=1024 * 1024)
    assert "larger than 1 MB" in report["error"] and sizes == [1024 * 1024 + 1]


CHECK_PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))  # an endless read fails, not the machine
from webapp.photo_check import photo_check_report
for path in sys.argv[1:]:
    print(json.dumps(photo_check_report(path)))
"""


def test_photo_check_refuses_devices_and_pipes_without_reading_them(tmp_path):
    pipe = tmp_path / "pipe.jpg"
    os.mkfifo(pipe)  # opening it for reading waits for a writer that never comes
    probe = subprocess.run(
        [sys.executable, "-c", CHECK_PROBE, "/dev/zero", str(pipe)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    errors = [json.loads(line)["error"] for line in probe.stdout.splitlines()]
    assert errors == ["The file could not be read: not a regular file"] * 2


def test_corrupted_jpegs_are_refused_or_accepted_never_a_crash():
    """Bit errors anywhere in a phone JPEG (a flaky upload): each file is either stored or
    refused with the participant's message, whichever decoder met it first."""
    import random

    data = (PHOTOS / "mobile" / "jolla.jpg").read_bytes()
    rng = random.Random(11)
    outcomes = set()
    for _ in range(40):
        broken = bytearray(data)
        for position in rng.sample(range(2, len(data)), 8):
            broken[position] = rng.randrange(256)
        try:
            photo = process_photo(bytes(broken))
        except PhotoRefused as refused:
            outcomes.add(refused.code)
        else:
            assert Image.open(io.BytesIO(photo.display)).format == "JPEG"
            outcomes.add("stored")
    assert "stored" in outcomes  # most bit errors only blemish the picture


def test_a_heif_that_trips_the_decoders_security_limit_is_refused_as_damaged(tmp_path):
    data = bytearray((PHOTOS / "heic" / "samplefilehub.heif").read_bytes())
    assert data[436] == 0x02
    data[436] = 0x00  # one byte of the meta box: libheif then raises RuntimeError
    assert refusal(bytes(data)).code == "damaged"
    (tmp_path / "rusak.heif").write_bytes(data)
    report = photo_check_report(tmp_path / "rusak.heif")
    assert report["ok"] is False and "damaged" in report["error"]


def test_photo_check_reports_any_unforeseen_failure_as_damaged(tmp_path, monkeypatch):
    def crash(*_args, **_kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(photo_check, "process_photo", crash)
    shutil.copy(PHOTOS / "gps" / "DSCN0010.jpg", tmp_path)
    report = photo_check_report(tmp_path / "DSCN0010.jpg")
    assert report["ok"] is False and "damaged" in report["error"]


@pytest.mark.parametrize("fraction", [0.002, 0.0036, 0.1, 0.5, 0.9, 0.999])
def test_a_cut_heic_is_refused_as_damaged_not_painted_green(fraction):
    whole = (PHOTOS / "heic" / "IMG_5195.HEIC").read_bytes()
    refused = refusal(whole[: int(len(whole) * fraction)])
    assert refused.code == "damaged" and "incomplete" in refused.message
    assert process_photo(whole).width == 1239


def test_a_16_bit_grey_png_keeps_its_shades():
    values = np.linspace(0, 65535, 2400 * 1800).reshape(1800, 2400).astype(np.uint16)
    data = saved(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    photo = process_photo(data)
    display = Image.open(io.BytesIO(photo.display)).convert("L")
    assert ImageStat.Stat(display).mean[0] == pytest.approx(values.mean() / 257, abs=2)


def test_a_transparent_png_is_laid_on_white():
    image = Image.new("RGBA", (3000, 2000), (200, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 1500, 2000))  # the left half fully transparent
    display = Image.open(io.BytesIO(process_photo(saved(image, "PNG")).display)).convert("RGB")
    assert display.size == (1600, 1067)
    left, right = display.getpixel((400, 500)), display.getpixel((1200, 500))
    assert min(left) > 245 and right[0] > 180 and max(right[1:]) < 30


MEMORY_PROBE = r"""
import re, sys
from pathlib import Path
from webapp.photos import process_photo

def peak():  # VmHWM: this process's own peak (ru_maxrss keeps the forking parent's)
    return int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())[1]) * 1024

data = Path(sys.argv[1]).read_bytes()
before = peak()
process_photo(data)
print(peak() - before)
"""


def test_a_large_transparent_png_is_shrunk_before_it_is_flattened(tmp_path):
    """A 25 MP RGBA picture (the most a PNG may decode to) takes 100 MB decoded. Flattening
    it at full size costs three times that; shrinking first (with the premultiplied copy
    Pillow's resize makes) two."""
    width = height = 5000
    path = tmp_path / "besar.png"
    path.write_bytes(png_rgba_rows(width, height))
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO,
    )
    assert int(probe.stdout) < 2.6 * width * height * 4

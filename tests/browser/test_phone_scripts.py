"""The phone's scripts in Chromium: the EXIF it reads before downscaling equals what the
server reads with Pillow, and after an upgrade it never mixes versions of its modules."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import real_now
from tests.browser.test_phone import join, ready
from tests.conftest import PHOTOS
from webapp import assets
from webapp.photos import read_evidence

pytestmark = pytest.mark.browser

JPEGS = sorted(PHOTOS.rglob("*.jpg"))


def exif_entries(data: bytes) -> tuple[list[tuple[str, int, int]], str]:
    """(IFD, tag, offset of its 12-byte entry) for IFD0, the EXIF IFD and the GPS IFD."""
    at = 2
    while data[at + 4 : at + 8] != b"Exif":
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    tiff = at + 10
    order = "<" if data[tiff : tiff + 2] == b"II" else ">"
    found = []

    def walk(name: str, offset: int) -> None:
        (count,) = struct.unpack(order + "H", data[tiff + offset : tiff + offset + 2])
        for n in range(count):
            entry = tiff + offset + 2 + 12 * n
            (tag,) = struct.unpack(order + "H", data[entry : entry + 2])
            found.append((name, tag, entry))
            if name == "0" and tag in (0x8769, 0x8825):
                (pointer,) = struct.unpack(order + "I", data[entry + 8 : entry + 12])
                walk({0x8769: "exif", 0x8825: "gps"}[tag], pointer)

    walk("0", struct.unpack(order + "I", data[tiff + 4 : tiff + 8])[0])
    return found, order


def rewritten(source: Path, target: Path, changes: dict) -> Path:
    """A copy whose entries get another type, count or value: {(ifd, tag): (at, format, new)}
    with `at` 2 for the type, 4 for the count, 8 for the value or its offset."""
    data = bytearray(source.read_bytes())
    entries, order = exif_entries(bytes(data))
    for name, tag, entry in entries:
        for at, fmt, new in changes.get((name, tag), []):
            struct.pack_into(order + fmt, data, entry + at, new)
    target.write_bytes(bytes(data))
    return target


@pytest.fixture
def android_photos(tmp_path) -> list[Path]:
    """Real photos rewritten as some Android phones write them: GPS as signed rationals
    (EXIF type 10); the capture time without its final NUL and the EXIF IFD's pointer typed
    IFD (type 13)."""
    signed = {("gps", tag): [(2, "H", 10)] for tag in (2, 4, 7)}
    terse = {("exif", 0x9003): [(4, "I", 19)], ("0", 0x8769): [(2, "H", 13)]}
    return [
        rewritten(PHOTOS / "gps" / "DSCN0010.jpg", tmp_path / "signed-gps.jpg", signed),
        rewritten(PHOTOS / "gps" / "DSCN0012.jpg", tmp_path / "signed-gps-2.jpg", signed),
        rewritten(PHOTOS / "mobile" / "jolla.jpg", tmp_path / "terse-time.jpg", terse),
    ]


def server_reads(path: Path) -> dict:
    with Image.open(path) as image:
        found = read_evidence(image)
    evidence = {}
    if found.captured_at:
        evidence["captured_at"] = found.captured_at.isoformat()
    if found.gps:
        evidence["gps"] = list(found.gps)
    if found.device:
        evidence["device"] = found.device
    return evidence


@pytest.fixture
def reader(chromium, live_server):
    """exif.js as the phone runs it, reading a file chosen in a file input."""
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/join")
    page.evaluate(
        "() => { const input = document.createElement('input');"
        " input.type = 'file'; input.id = 'probe'; document.body.append(input); }"
    )

    def read(path: Path) -> dict:
        page.set_input_files("#probe", str(path))
        return page.evaluate(
            "async () => (await import('/static/js/exif.js'))"
            ".readEvidence(document.getElementById('probe').files[0])"
        )

    yield read
    context.close()


def test_the_phone_reads_the_same_evidence_as_the_server_from_every_real_photo(
    reader, android_photos
):
    read = {path.name: reader(path) for path in [*JPEGS, *android_photos]}
    expected = {path.name: server_reads(path) for path in [*JPEGS, *android_photos]}
    assert read == expected
    assert read["signed-gps.jpg"]["gps"] == [43.467448, 11.885127]
    assert read["terse-time.jpg"]["captured_at"] == "2014-09-21T16:00:56"


def test_a_broken_entry_costs_only_itself(reader, tmp_path):
    # XResolution pointing far outside the file: Pillow gives up on the whole IFD0 here, the
    # phone keeps the capture time and the device, which then reach the server with the photo.
    broken = rewritten(
        PHOTOS / "mobile" / "jolla.jpg",
        tmp_path / "broken.jpg",
        {("0", 0x011A): [(8, "I", 0x7FFFFF00)]},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns of the truncated read
        assert server_reads(broken) == {}
    assert reader(broken) == {"captured_at": "2014-09-21T16:00:56", "device": "Jolla"}


@pytest.fixture
def phone_page(small_phone, make, clock):
    clock.value = real_now()
    event = make.event(title="Jelajah", hours=3)
    make.task(event, "text", title="Nama masjid")
    return small_phone(), make.group(event, "Kelompok Elang")


def test_a_phone_page_loads_each_module_at_its_current_version(phone_page):
    context, group = phone_page
    page = context.new_page()
    modules = []
    page.on("request", lambda r: modules.append(r.url) if "/static/js/" in r.url else None)
    join(page, group)
    versions = {urlsplit(url).path: parse_qs(urlsplit(url).query).get("v") for url in modules}
    assert {"/static/js/phone.js", "/static/js/queue.js", "/static/js/live.js"} <= set(versions)
    for path, version in versions.items():
        assert version == [assets.version(path.removeprefix("/static/"))], path


def test_the_service_worker_drops_the_caches_of_an_earlier_release(phone_page):
    context, group = phone_page
    page = context.new_page()
    page.goto("/join")
    page.evaluate(
        "caches.open('jelajah-v1').then((cache) =>"
        " cache.put('/static/js/queue.js', new Response('// an old queue')))"
    )
    join(page, group)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # fetched through the new worker, so kept in its cache
    ready(page)
    expect(page.locator("h1")).to_have_text(group.name)
    names = page.evaluate("caches.keys()")
    assert names == [f"jelajah-{assets.release()}"]
    kept = page.evaluate(
        "async () => { const cache = await caches.open((await caches.keys())[0]);"
        " return (await cache.keys()).map((r) => new URL(r.url))"
        ".map((u) => u.pathname + u.search); }"
    )
    assert "/play/" in kept
    assert not any(url.startswith("/static/js/queue.js") and "v=" not in url for url in kept)

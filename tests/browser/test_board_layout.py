"""How the board looks in the room: 3, 8 and 20 groups with long names, in both languages,
at 1920x1080 and 1280x720; the photos, the chart, the map and a long description. The
README's pictures go through the `shots` fixture (JELAJAH_SCREENSHOTS=docs refreshes them);
the other cases are pictured in the test's own folder (pytest --basetemp to keep them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.boards import (
    assert_no_rows_overlap,
    field_day,
    landscape_photo,
    portrait_photo,
    row_boxes,
    serve_tiles_locally,
)
from webapp.services import board

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1280, 720)]
LONG = [
    "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Malang",
    "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah Kota Batu",
    "Sekretariat DPRD Provinsi Sulawesi Selatan — Bagian Umum",
]
SHORT = ["Elang", "Rajawali", "Garuda", "Merak", "Kakatua", "Cendrawasih", "Jalak", "Kenari"]


def group_names(count: int) -> list[str]:
    names = [
        LONG[n % len(LONG)] + (f" {n // len(LONG) + 1}" if n >= len(LONG) else "")
        for n in range(count // 3)
    ]
    names += [
        SHORT[n % len(SHORT)] + (f" {n // len(SHORT) + 1}" if n >= len(SHORT) else "")
        for n in range(count - len(names))
    ]
    return names


@pytest.fixture
def wall(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, base_url=live_server.url
    )
    serve_tiles_locally(context)
    yield context
    context.close()


def reading_order(rows: list[dict]) -> list[str]:
    """Down the first column, then down the second."""
    return [row["name"] for row in sorted(rows, key=lambda row: (round(row["x"]), row["y"]))]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("count", [3, 8, 20])
def test_the_standings_fit_with_long_names(
    wall, make, session, clock, live_server, shots, tmp_path, count, language
):
    names = group_names(count)
    day = field_day(make, session, clock, live_server, names, language=language)
    for n, group in enumerate(day.groups):  # the long names lead
        if n < 6:  # a photo strip along the bottom, as on the day
            clock.value += timedelta(seconds=2)
            day.send_photo(group, landscape_photo() if n % 2 else portrait_photo())
        day.add(group, 5 * (count - n))
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator(".row")).to_have_count(count)
    expect(page.locator(".row .tasks").first).to_contain_text(
        "tugas" if language == "id" else "task"
    )
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(1400)  # after the glide
        rows = row_boxes(page)
        assert_no_rows_overlap(rows)
        assert reading_order(rows) == names  # in rank order
        for row in rows:
            assert row["visible"] and row["y"] + row["height"] <= height
            assert row["nameRight"] <= row["pointsLeft"], row  # a name never runs into points
            assert row["nameHeight"] >= 14, row  # readable from the back of the room
        long = [row for row in rows if row["name"] in LONG]
        assert long and all(row["cut"] for row in long)  # ended with …, not overlapping
        page.screenshot(path=str(tmp_path / f"board-{count}-{language}-{width}x{height}.png"))
        if count == 8 and language == "id":
            page.screenshot(path=str(shots / f"board-{width}x{height}.png"))


def test_photos_keep_their_captions_whatever_their_shape(
    wall, make, session, clock, live_server, shots
):
    day = field_day(
        make, session, clock, live_server, ["Elang", "Rajawali", "Garuda", "Merak", LONG[0]]
    )
    shapes = [landscape_photo(), portrait_photo()] * 2 + [portrait_photo()]
    for group, data in zip(day.groups, shapes, strict=True):
        clock.value += timedelta(seconds=2)  # the last, a portrait one, is the first slide
        day.send_photo(group, data)
    board.update(session, event=day.event, actor=day.organiser, now=clock(), board_view="photos")
    session.commit()
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator("#strip figure")).to_have_count(5)
    page.wait_for_function(
        "[...document.querySelectorAll('#strip img, #slide-img')].every((i) => i.naturalWidth)"
    )
    page.wait_for_timeout(500)
    strip = page.evaluate("""() => [...document.querySelectorAll('#strip figure')].map((f) => {
        const box = f.getBoundingClientRect(), text = f.querySelector('figcaption');
        const caption = text.getBoundingClientRect();
        return {group: text.querySelector('b').textContent,
                whole: [...text.children].map((c) => c.scrollWidth <= c.clientWidth),
                inside: caption.left >= box.left && caption.right <= box.right
                    && caption.bottom <= box.bottom + 0.5,
                width: box.width};
    })""")
    for tile in strip:
        assert tile["inside"] and tile["width"] >= 150, tile
        if tile["group"] != LONG[0]:
            assert tile["whole"][0], tile  # a group's name is read whole on a portrait tile
    slide = page.evaluate("""() => {
        const image = document.getElementById('slide-img').getBoundingClientRect();
        const caption = document.getElementById('slide-caption').getBoundingClientRect();
        const view = document.getElementById('view-photos').getBoundingClientRect();
        const img = document.getElementById('slide-img');
        return {portrait: img.naturalHeight > img.naturalWidth, below: caption.top >= image.top,
                inside: caption.bottom <= view.bottom + 0.5 && caption.height > 10,
                onScreen: caption.bottom <= innerHeight};
    }""")
    assert slide == {"portrait": True, "below": True, "inside": True, "onScreen": True}
    expect(page.locator("#slide-caption")).to_have_text(f"{LONG[0]}Foto kelompok di benteng")
    page.screenshot(path=str(shots / "board-photos-1920x1080.png"))


def test_the_chart_view_shows_the_day_so_far(wall, make, session, clock, live_server, shots):
    names = group_names(8)
    day = field_day(make, session, clock, live_server, names, started=timedelta(hours=3))
    for step in range(6):
        clock.value += timedelta(minutes=25)
        for n, group in enumerate(day.groups):
            if (n + step) % 3:
                day.add(group, 5 + (n * 7 + step * 3) % 20)
    board.update(session, event=day.event, actor=day.organiser, now=clock(), board_view="chart")
    session.commit()
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator("#view-chart")).to_be_visible()
    page.wait_for_function("document.getElementById('chart').naturalWidth > 0")
    box = page.locator("#chart").bounding_box()
    assert box["width"] > 1500 and box["y"] + box["height"] <= 1080
    page.screenshot(path=str(shots / "board-chart-1920x1080.png"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_long_description_wraps_above_the_standings(
    wall, make, session, clock, live_server, tmp_path, width, height
):
    description = (
        "Peserta Pelatihan Kepemimpinan Administrator dibagi dalam kelompok dan mengunjungi "
        "tempat-tempat pelayanan publik di Kota Malang dan Kota Batu, mengamati, memotret dan "
        "menjawab pertanyaan. Setiap kelompok wajib kembali ke titik kumpul sebelum pukul "
        "16.00; keterlambatan mengurangi nilai. " * 3
    ).strip()
    day = field_day(make, session, clock, live_server, group_names(8), description=description)
    page = wall.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator(".row")).to_have_count(8)
    page.wait_for_timeout(500)
    text = page.locator("#description")
    expect(text).to_be_visible()
    expect(text).to_have_text(description)
    said = text.bounding_box()
    first_row = min(row["y"] for row in row_boxes(page))
    line = float(text.evaluate("(p) => parseFloat(getComputedStyle(p).lineHeight)"))
    assert said["height"] <= 2 * line + 1  # two lines at most
    assert said["x"] + said["width"] <= page.locator("#clock").bounding_box()["x"]
    assert said["y"] + said["height"] <= first_row
    assert_no_rows_overlap(row_boxes(page))
    page.screenshot(path=str(tmp_path / f"board-description-{width}x{height}.png"))


def test_the_map_shows_groups_at_their_places_with_labels_apart(
    wall, make, session, clock, live_server, tmp_path
):
    day = field_day(make, session, clock, live_server, group_names(6)[:5])
    museum = make.location(day.event, name="Museum Kota Makassar", lat=-5.1378, lon=119.4125)
    museum_task = make.task(
        day.event, "photo_at_location", title="Foto museum", location_id=museum.id
    )
    for n, group in enumerate(day.groups):
        day.send_photo(group, landscape_photo(), day.photo if n < 3 else museum_task)
    board.update(session, event=day.event, actor=day.organiser, now=clock(), board_view="map")
    session.commit()
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator(".group-tip")).to_have_count(5)
    expect(page.locator(".place-tip")).to_have_text(["Benteng Rotterdam", "Museum Kota Makassar"])
    page.wait_for_timeout(800)
    boxes = [tip.bounding_box() for tip in page.locator(".group-tip").all()]
    for n, one in enumerate(boxes):
        assert one["x"] >= 0 and one["x"] + one["width"] <= 1920, one
        for other in boxes[n + 1 :]:
            apart = (
                one["y"] + one["height"] <= other["y"] + 1
                or other["y"] + other["height"] <= one["y"] + 1
                or one["x"] + one["width"] <= other["x"]
                or other["x"] + other["width"] <= one["x"]
            )
            assert apart, (one, other)
    page.screenshot(path=str(tmp_path / "board-map-1920x1080.png"))

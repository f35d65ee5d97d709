"""The organisers' and judges' pages in a real Chromium at 1366x768, the laptop they use:
what a person sees on the task editor, the map, the roster preview, the judges' queue and
the join cards. Map tiles are the only thing mocked (they come from the internet)."""

from __future__ import annotations

import io
import math
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import real_now
from tests.conftest import PASSWORD
from tests.photos.made import made_jpeg, saved
from webapp.models import Location, Task

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def laptop(chromium, live_server):
    context = chromium.new_context(viewport=LAPTOP, base_url=live_server.url, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def event(make, clock):
    clock.value = real_now()
    return make.event(make.account("ani@example.org"), hours=8, title="Jelajah Kota Malang")


def log_in(context, email="ani@example.org"):
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.primary")
    page.wait_for_url(re.compile(r"/organiser/"))
    return page


def inside(box: dict, outer: dict) -> bool:
    return (
        box["x"] >= outer["x"] - 1
        and box["y"] >= outer["y"] - 1
        and box["x"] + box["width"] <= outer["x"] + outer["width"] + 1
        and box["y"] + box["height"] <= outer["y"] + outer["height"] + 1
    )


VIEWPORT = {"x": 0, "y": 0, **LAPTOP}


# The task editor ---------------------------------------------------------------------------


def test_the_task_editor_shows_the_fields_of_the_chosen_kind(laptop, event, session, shots):
    page = log_in(laptop)
    page.goto(f"/organiser/events/{event.id}/tasks/new")
    page.fill("input[name=title]", "Foto kreatif di alun-alun")
    page.fill("textarea[name=instructions]", "Berfoto bersama dengan latar Balai Kota.")
    rubric, choices = page.locator("#rubric"), page.get_by_label("Choices, one per line")
    answers, right = page.get_by_label("Accepted answers"), page.get_by_label("Right answer")
    expect(rubric).to_be_visible()
    expect(page.get_by_label("Reference photo")).to_be_visible()
    for hidden in (choices, answers, right, page.get_by_label("Opens at")):
        expect(hidden).to_be_hidden()
    expect(page.get_by_text("For: Photo, Photo at a location").first).to_be_hidden()
    page.screenshot(path=shots / "task-editor-photo-1366x768.png", full_page=True)

    page.select_option("select[name=kind]", "choice")
    expect(choices).to_be_visible()
    expect(right).to_be_visible()
    for hidden in (rubric, answers, page.get_by_label("Reference photo")):
        expect(hidden).to_be_hidden()
    page.select_option("select[name=window_mode]", "absolute")
    expect(page.get_by_label("Opens at")).to_be_visible()
    page.fill("input[name=title]", "Tahun berdirinya Balai Kota")
    page.fill("textarea[name=choices]", "1914\n1927\n1945")
    page.fill("input[name=answer]", "1927")
    page.fill("input[name=opens]", "08:00")
    page.fill("input[name=closes]", "10:00")
    page.screenshot(path=shots / "task-editor-choice-1366x768.png", full_page=True)
    page.click("button.primary")
    expect(page.get_by_text("Tahun berdirinya Balai Kota")).to_be_visible()
    expect(page.get_by_text("Multiple choice ·")).to_be_visible()
    session.rollback()
    saved_task = session.exec(select(Task)).one()
    assert saved_task.check == {"choices": ["1914", "1927", "1945"], "answer": "1927"}


def test_an_error_on_a_field_the_kind_hides_is_still_shown(laptop, event):
    page = log_in(laptop)
    page.goto(f"/organiser/events/{event.id}/tasks/new")
    page.fill("input[name=title]", "Pilihan")
    page.select_option("select[name=kind]", "choice")
    page.fill("textarea[name=choices]", "Satu saja")
    page.click("button.primary")
    expect(page.get_by_text("A choice task needs at least two choices.")).to_be_visible()
    expect(page.get_by_text("Please correct the marked fields.")).to_be_visible()


# The map -----------------------------------------------------------------------------------

TILE = saved(Image.new("RGB", (256, 256), (214, 226, 214)), "PNG")  # a plain local tile
TILES = re.compile(r"https://tile\.openstreetmap\.org/.*")


def serve_tiles(page, requested: list[str]) -> None:
    def fulfil(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    page.route(TILES, fulfil)


def tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_the_map_names_every_place_and_follows_typed_coordinates(laptop, event, make, shots):
    make.location(event, name="Balai Kota Malang", lat=-7.9773, lon=112.6340, radius_m=60)
    make.location(event, name='Alun-alun <b>Tugu</b> & "Taman"', lat=-7.9770, lon=112.6330)
    page = log_in(laptop)
    requested: list[str] = []
    serve_tiles(page, requested)
    page.goto(f"/organiser/events/{event.id}/locations")
    board = page.locator("#map").bounding_box()
    for name in ("Balai Kota Malang", 'Alun-alun <b>Tugu</b> & "Taman"'):
        label = page.locator(".place-label", has_text=name)
        expect(label).to_be_visible()  # written on the map, not only on hover
        assert inside(label.bounding_box(), board)
    expect(page.locator(".place-label b")).to_have_count(0)  # a name is text, never HTML
    expect(page.locator(".map-offline")).to_be_hidden()
    assert requested

    editing = page.get_by_alt_text("The place you are editing")
    expect(editing).to_have_count(0)
    page.fill("input[name=name]", "Stasiun Malang")
    page.locator("input[name=lat]").press_sequentially("-7,9775")
    page.locator("input[name=lon]").press_sequentially("112,6370")
    expect(editing).to_be_visible()
    assert inside(editing.bounding_box(), page.locator("#map").bounding_box())
    page.screenshot(path=shots / "locations-map-1366x768.png", full_page=True)

    page.fill("input[name=lat]", "")
    page.fill("input[name=lon]", "")
    page.locator("input[name=lat]").fill("\u22127.9666, 112.6369")  # pasted from a map app
    page.locator("input[name=lat]").dispatch_event("input")
    expect(page.locator("input[name=lat]")).to_have_value("-7.9666")
    expect(page.locator("input[name=lon]")).to_have_value("112.6369")
    assert inside(editing.bounding_box(), page.locator("#map").bounding_box())
    page.click("#location-form button.primary")
    expect(page.get_by_text("Location saved.")).to_be_visible()


def test_without_tiles_the_map_says_so_and_typed_coordinates_still_work(
    laptop, event, make, session
):
    make.location(event, name="Balai Kota Malang", lat=-7.9773, lon=112.6340)
    page = log_in(laptop)
    page.route(TILES, lambda route: route.abort("internetdisconnected"))
    page.goto(f"/organiser/events/{event.id}/locations")
    expect(page.locator(".map-offline")).to_be_visible()
    expect(page.locator(".map-offline")).to_contain_text("no internet")
    expect(page.locator(".place-label", has_text="Balai Kota Malang")).to_be_visible()
    page.fill("input[name=name]", "Stasiun Malang")
    page.locator("input[name=lat]").press_sequentially("-7.9775")
    page.locator("input[name=lon]").press_sequentially("112.6370")
    editing = page.get_by_alt_text("The place you are editing")
    expect(editing).to_be_visible()
    assert inside(editing.bounding_box(), page.locator("#map").bounding_box())
    page.click("#location-form button.primary")
    expect(page.get_by_text("Location saved.")).to_be_visible()
    session.rollback()
    saved_place = session.exec(select(Location).where(Location.name == "Stasiun Malang")).one()
    assert (saved_place.lat, saved_place.lon) == (-7.9775, 112.637)


def test_an_event_without_places_opens_on_the_city_of_its_time_zone(laptop, event):
    page = log_in(laptop)
    requested: list[str] = []
    serve_tiles(page, requested)
    page.goto(f"/organiser/events/{event.id}/locations")  # Asia/Makassar: Makassar
    expect(page.locator(".leaflet-tile-loaded").first).to_be_visible()
    x, y = tile_of(-5.1477, 119.4327, 13)
    assert any(url.endswith(f"/13/{x}/{y}.png") for url in requested), requested[:5]


# The roster preview ------------------------------------------------------------------------


def test_the_roster_preview_shows_the_bad_rows_by_name(laptop, event, shots):
    page = log_in(laptop)
    page.goto(f"/organiser/events/{event.id}/roster")
    roster = (
        "Nama;NIP;Unit kerja;Kelompok\n"
        "Siti Rahma;198503122010012003;Dinas Kesehatan;Kelompok 1\n"
        "Budi Santoso;1.98503E+17;Bappeda;Kelompok 2\n"
        ";198001012005011001;Dinas Sosial;Kelompok 1\n"
        "Ani Wulandari;12345;Dinas PU;Kelompok 1\n"
        "Siti Rahma;;Dinas Kesehatan;Kelompok 1\n"
        "Dewi Lestari;197912312006042001;Inspektorat;Kelompok 2\n"
    )
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "peserta.csv", "mimeType": "text/csv", "buffer": roster.encode()}],
    )
    page.click("form button:has-text('Preview')")
    bad = page.locator("table.bad-rows tbody tr")
    expect(bad).to_have_count(4)
    expect(bad.nth(0)).to_contain_text("Budi Santoso")
    expect(bad.nth(0)).to_contain_text("Format the NIP column as text")
    expect(bad.nth(2)).to_contain_text("Ani Wulandari")
    save = page.get_by_role("button", name="Save the 2 good participants")
    expect(save).to_be_visible()
    page.screenshot(path=shots / "roster-preview-1366x768.png", full_page=True)
    save.click()
    expect(page.get_by_text("2 participants saved.")).to_be_visible()


# The judges' queue -------------------------------------------------------------------------


def photo_submission(web, task, data: bytes, key: str):
    return web.client.post(
        f"/play/api/tasks/{task.id}/submissions",
        data={
            "csrf_token": web.token("/play/"),
            "key": key,
            "photo": (io.BytesIO(data), "foto.jpg"),
        },
        headers={"Accept": "application/json"},
    )


@pytest.mark.parametrize(
    ("first", "size"), [("portrait", (1200, 1600)), ("landscape", (2048, 1152))]
)
def test_the_judges_buttons_and_rubric_fit_the_laptop_screen(
    laptop, event, make, web, another_web, shots, first, size
):
    make.judge(event, make.account("juri@example.org", name="Juri"))
    task = make.task(
        event,
        "photo",
        title="Foto kreatif di depan Balai Kota",
        instructions="Seluruh anggota kelompok berfoto dengan gaya yang menggambarkan pelayanan.",
        rubric=[
            {"name": "Kreativitas", "max": 4},
            {"name": "Kerja sama", "max": 3},
            {"name": "Kesesuaian tema", "max": 3},
        ],
        points=10,
    )
    for n, (phone, shape) in enumerate(((web, size), (another_web, size[::-1]))):
        phone.join(make.group(event, f"Kelompok {n + 1}").join_code, "Siti")
        response = photo_submission(phone, task, made_jpeg(shape), f"k{n}")
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        response.close()
    page = log_in(laptop, "juri@example.org")
    page.goto(f"/review/events/{event.id}/")
    for round_ in range(2):
        photo = page.locator(".review-photo img")
        expect(photo).to_be_visible()
        page.wait_for_function("document.querySelector('.review-photo img').complete")
        for name in ("Accept", "Reject", "Ask for a redo"):
            button = page.get_by_role("button", name=re.compile(name))
            assert inside(button.bounding_box(), VIEWPORT), name
        for criterion in ("Kreativitas", "Kerja sama", "Kesesuaian tema"):
            field = page.locator(f"input[name='rubric:{criterion}']")
            assert inside(field.bounding_box(), VIEWPORT), criterion
        assert inside(photo.bounding_box(), VIEWPORT)
        shape = first if round_ == 0 else ("landscape" if first == "portrait" else "portrait")
        page.screenshot(path=shots / f"review-{shape}-1366x768.png")
        for criterion, given in (
            ("Kreativitas", "3"),
            ("Kerja sama", "2"),
            ("Kesesuaian tema", "3"),
        ):
            page.locator(f"input[name='rubric:{criterion}']").fill(given)
        page.get_by_role("button", name=re.compile("Accept")).click()
        if round_ == 0:
            expect(page.get_by_text("Just decided")).to_be_visible()


# The join cards ----------------------------------------------------------------------------


def test_the_join_cards_look_right_on_screen_and_print_six_to_a_page(laptop, event, make, shots):
    for n in range(1, 8):
        make.group(event, f"Kelompok {n}")
    page = log_in(laptop)
    page.goto(f"/organiser/events/{event.id}/cards")
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("Phones cannot open the address on these cards")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    cards = page.locator(".join-card")
    expect(cards).to_have_count(7)
    first, second, third = (cards.nth(i).bounding_box() for i in range(3))
    assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
    assert third["y"] > first["y"] + first["height"]
    sheet = page.locator(".sheet").first.bounding_box()
    assert 780 <= sheet["width"] <= 800  # an A4 sheet, 210 mm wide, as it will print
    background = page.evaluate("getComputedStyle(document.querySelector('.sheet')).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    page.screenshot(path=shots / "join-cards-1366x768.png", full_page=True)

    page.emulate_media(media="print")
    expect(warning).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2  # six cards, then one

"""Every text that reaches the board is shown as text: a group name from a roster file, a
task title, a place, an announcement, the description, a caption. In a real Chromium, on
every view of the board."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.boards import field_day, landscape_photo, serve_tiles_locally
from webapp.services import board

pytestmark = pytest.mark.browser

IMG = """<img src=x onerror="document.title='pwned'">"""
SCRIPT = "<script>document.title='pwned'</script>"
TITLE = "Jelajah Kota Makassar"


@pytest.fixture
def hostile(make, session, clock, live_server):
    """Every text a person can type that reaches the board, written to run a script."""
    day = field_day(
        make,
        session,
        clock,
        live_server,
        [IMG, SCRIPT, "Elang"],
        title=TITLE,
        description=f"Deskripsi {SCRIPT} {IMG}",
        place=f"Benteng {IMG}",
        task_title=f"Foto {SCRIPT}",
    )
    img_group, script_group, _elang = day.groups
    day.send_photo(img_group, landscape_photo())  # a caption, and a marker on the map
    day.add(script_group, 20)
    board.announce(
        session,
        event=day.event,
        text=f"Kumpul {IMG}",
        on_board=True,
        actor=day.organiser,
        now=clock(),
    )
    session.commit()
    return day


@pytest.fixture
def wall(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, base_url=live_server.url
    )
    serve_tiles_locally(context)
    yield context
    context.close()


def open_view(page, day, session, clock, view: str) -> None:
    board.update(session, event=day.event, actor=day.organiser, now=clock(), board_view=view)
    session.commit()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator(f"#view-{view}")).to_be_visible(timeout=5000)
    page.wait_for_timeout(1000)  # give any planted script its chance


def nothing_ran(page) -> None:
    """The title is the board's own, no planted image or inline script is in the page."""
    assert page.title() == f"{TITLE} · Jelajah"
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("[...document.scripts].every((script) => script.src)")


def test_names_and_texts_show_literally_on_every_view(wall, hostile, session, clock):
    day = hostile
    page = wall.new_page()
    ran = []
    page.on("dialog", lambda dialog: (ran.append(dialog.message), dialog.dismiss()))

    open_view(page, day, session, clock, "standings")
    expect(page.locator(".row .name", has_text=IMG)).to_be_visible()
    expect(page.locator(".row .name", has_text=SCRIPT)).to_be_visible()
    expect(page.locator("#announcement")).to_have_text(f"Kumpul {IMG}")
    expect(page.locator("#description")).to_have_text(f"Deskripsi {SCRIPT} {IMG}")
    expect(page.locator("#strip figcaption")).to_contain_text(IMG)
    nothing_ran(page)

    open_view(page, day, session, clock, "photos")
    expect(page.locator("#slide-caption")).to_contain_text(IMG)
    expect(page.locator("#slide-caption")).to_contain_text(f"Foto {SCRIPT}")
    nothing_ran(page)

    open_view(page, day, session, clock, "map")
    nothing_ran(page)
    tooltips = page.locator(".leaflet-tooltip")
    expect(tooltips).to_have_count(2)  # the group at the fort, and the fort
    expect(tooltips.filter(has_text=IMG)).to_have_text([f"Benteng {IMG}", IMG])

    open_view(page, day, session, clock, "chart")
    chart = page.locator("#chart")
    expect(chart).to_be_visible()
    page.wait_for_function("document.getElementById('chart').naturalWidth > 0")
    nothing_ran(page)

    page.goto(f"/board/{day.event.board_token}/chart.svg")  # the chart opened on its own
    page.wait_for_timeout(500)
    assert page.title() != "pwned"
    texts = page.evaluate("[...document.querySelectorAll('text')].map((t) => t.textContent)")
    assert any(text.startswith("<script>docum") for text in texts)
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert ran == []

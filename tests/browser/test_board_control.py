"""The organisers' board page in a real Chromium: announcing and revealing are far apart and
differently worded, and the reveal asks for the freeze and a yes, with JavaScript off too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import real_now
from tests.conftest import PASSWORD
from webapp.models import Event

pytestmark = pytest.mark.browser


@pytest.fixture
def laptop(chromium, live_server):
    """The organiser's laptop with JavaScript switched off: the page must work without it."""
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768},
        base_url=live_server.url,
        locale="id-ID",
        java_script_enabled=False,
    )
    yield context
    context.close()


def reveal_step(session, event) -> int:
    session.rollback()
    session.expire_all()
    return session.get(Event, event.id).reveal_step


def test_the_reveal_needs_the_freeze_and_a_ticked_yes(laptop, make, session, clock, tmp_path):
    clock.value = real_now()
    event = make.event(make.account("ani@example.org"), hours=8)
    for name in ("Elang", "Rajawali"):
        make.group(event, name)
    page = laptop.new_page()
    page.goto("/login")
    page.fill("input[name=email]", "ani@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.primary")
    page.goto(f"/organiser/events/{event.id}/board")

    announce = page.get_by_role("button", name="Kirim pengumuman")
    expect(announce).to_be_visible()
    reveal = page.locator("#reveal")
    expect(reveal.get_by_role("button")).to_have_count(0)  # nothing to press before the freeze
    expect(reveal).to_contain_text("Bekukan peringkat dulu")
    gap = reveal.bounding_box()["y"] - announce.bounding_box()["y"]
    assert gap > 250  # the freeze card sits between them

    page.locator("#freeze").get_by_role("button", name="Bekukan").click()
    start = reveal.get_by_role("button", name="Mulai buka pemenang")
    expect(start).to_be_visible()
    start.click()  # the box is not ticked: the browser keeps the form
    page.wait_for_timeout(500)
    assert reveal_step(session, event) == -1
    reveal.get_by_label("Ya, mulai ungkap peringkat sekarang").check()
    page.screenshot(path=str(tmp_path / "board-control.png"), full_page=True)
    start.click()
    expect(reveal.get_by_role("button", name="Ungkap kelompok berikutnya")).to_be_visible()
    assert reveal_step(session, event) == 1

"""The organiser takes the day home from a real server (gunicorn) in a real Chromium: a title
typed in Word, with an en dash, names both files as typed."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import real_now
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Jelajah Lapangan PKA Malang–Batu 2026"


@pytest.fixture
def laptop(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768},
        base_url=live_server.url,
        locale="en-GB",
        accept_downloads=True,
    )
    yield context
    context.close()


def test_both_exports_download_under_the_title_as_typed(laptop, make, clock, tmp_path):
    clock.value = real_now()
    event = make.event(make.account("ani@example.org"), title=TITLE)
    make.group(event, "Elang")
    page = laptop.new_page()
    page.goto("/login")
    page.fill("input[name=email]", "ani@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.primary")
    page.goto(f"/organiser/events/{event.id}/standings")
    stem = f"jelajah-{event.id}-Jelajah-Lapangan-PKA-Malang–Batu-2026"
    for link, name in (
        ("a[href$='standings.xlsx']", f"{stem}-standings.xlsx"),
        ("a[href$='photos.zip']", f"{stem}-photos.zip"),
    ):
        with page.expect_download() as started:
            page.click(link)
        download = started.value
        assert download.failure() is None
        assert download.suggested_filename == name
        saved = tmp_path / name
        download.save_as(saved)
        data = saved.read_bytes()
        if name.endswith(".xlsx"):
            assert load_workbook(io.BytesIO(data)).sheetnames  # a real workbook
        else:
            assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None

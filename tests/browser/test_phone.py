"""The participant's phone in a real Chromium: join, countdown, photo, offline queue, check-in,
warnings that end with their deadline, words and numbers on a 360-px screen."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import real_now
from tests.conftest import PHOTOS
from webapp.models import Submission

pytestmark = pytest.mark.browser


@pytest.fixture
def field_day(make, clock, session):
    clock.value = real_now()
    event = make.event(title="Jelajah Kota Makassar", hours=3)
    group = make.group(event, "Kelompok Elang")
    place = make.location(
        event,
        name="Benteng Fort Rotterdam",
        lat=-5.13396,
        lon=119.40545,
        radius_m=60,
        address="Jl. Ujung Pandang",
    )
    tasks = {
        "photo": make.task(
            event,
            "photo",
            title="Foto kelompok di gerbang benteng",
            points=40,
            instructions="Seluruh anggota tampak.",
            window={"after": "start", "offset": 0, "duration": 120},
        ),
        "text": make.task(
            event,
            "text",
            title="Nama masjid terbesar di kota",
            check={"answers": ["Masjid Raya"]},
            points=10,
            hints=[{"text": "Di Jalan Masjid Raya", "cost": 2}],
        ),
        "checkin": make.task(
            event, "checkin", title="Tiba di Benteng", points=15, location_id=place.id
        ),
        "later": make.task(
            event,
            "text",
            title="Refleksi sore",
            window={"after": "start", "offset": 120, "duration": 60},
        ),
    }
    return event, group, tasks


def ready(page):
    """The phone script has attached its handlers (it loads as a module, after the page)."""
    page.wait_for_function("document.documentElement.dataset.ready === '1'")


def join(page, group, name="Siti Rahma"):
    page.goto("/join")
    page.fill("input[name=code]", group.join_code.lower())
    page.click("button.primary")  # the second step names the group and asks the name
    page.fill("input[name=name]", name)
    page.click("button.primary")
    expect(page.locator("h1")).to_have_text(group.name)
    ready(page)


def stored(session):
    session.rollback()
    session.expire_all()
    return session.exec(select(Submission)).all()


def test_join_see_a_countdown_and_send_a_photo_with_its_progress(
    phone_context, field_day, session, live_server, shots
):
    event, group, tasks = field_day
    page = phone_context.new_page()
    join(page, group)
    countdown = page.locator(".countdown").first
    expect(countdown).to_have_text(re.compile(r"^1:5\d:\d\d left$"))
    first = countdown.inner_text()
    page.wait_for_timeout(1500)
    assert countdown.inner_text() != first  # it ticks
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "phone-tasks.png"))

    page.click(f"a[href='/play/tasks/{tasks['photo'].id}']")
    ready(page)
    page.set_input_files("input[type=file]", str(PHOTOS / "mobile" / "jolla.jpg"))
    expect(page.locator(".preview img")).to_be_visible()
    page.screenshot(path=str(shots / "phone-task.png"))
    cdp = phone_context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 100,
            "downloadThroughput": 200_000,
            "uploadThroughput": 60_000,
        },
    )
    page.click("#send-form button.primary")
    expect(page.locator("#outbox progress")).to_be_visible(timeout=15_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.locator(".state-pending").first).to_be_visible(timeout=30_000)
    photo = stored(session)[0]
    assert photo.photo_key and max(photo.photo_width, photo.photo_height) == 1600
    # The evidence was read on the phone before the downscale dropped the EXIF.
    assert photo.device == "Jolla" and photo.captured_at is not None
    original = next(live_server.uploads.glob(f"*/{photo.photo_key}-original.*"))
    with Image.open(original) as sent:
        assert max(sent.size) == 1600  # downscaled on the phone from 3264 px
    assert original.stat().st_size < 800_000


def test_an_answer_sent_offline_waits_and_arrives_once(phone_context, field_day, session):
    event, group, tasks = field_day
    page = phone_context.new_page()
    join(page, group)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    task_page = f"/play/tasks/{tasks['text'].id}"
    page.goto(task_page)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(task_page)  # now fetched through the service worker, so it is kept
    ready(page)
    phone_context.set_offline(True)
    page.fill("textarea[name=answer]", "Masjid Raya")
    page.click("#send-form button.primary")
    expect(page.locator("#outbox li.outbox-waiting")).to_contain_text("waiting for signal")
    page.close()

    again = phone_context.new_page()
    again.goto(task_page)  # no signal: the service worker's copy
    ready(again)
    expect(again.locator("#offline-banner")).to_be_visible()
    expect(again.locator("#outbox li.outbox-waiting")).to_be_visible()
    assert stored(session) == []
    phone_context.set_offline(False)
    again.evaluate("window.dispatchEvent(new Event('online'))")
    expect(again.locator(".state-accepted").first).to_be_visible(timeout=20_000)
    rows = stored(session)
    assert len(rows) == 1 and rows[0].answer == "Masjid Raya" and rows[0].status == "accepted"


@pytest.mark.parametrize(
    ("where", "outcome"),
    [
        ({"latitude": -5.13410, "longitude": 119.40550, "accuracy": 8}, "inside"),
        ({"latitude": -5.14357, "longitude": 119.40768, "accuracy": 8}, "outside"),
    ],
)
def test_check_in_with_the_phones_position(phone_context, field_day, session, where, outcome):
    event, group, tasks = field_day
    phone_context.set_geolocation(where)
    page = phone_context.new_page()
    join(page, group)
    page.goto(f"/play/tasks/{tasks['checkin'].id}")
    ready(page)
    page.click("#send-form button.primary")
    if outcome == "inside":
        expect(page.locator(".state-accepted").first).to_be_visible(timeout=20_000)
        assert stored(session)[0].distance_m < 60
    else:
        expect(page.locator("#outbox li.outbox-refused")).to_contain_text(
            re.compile(r"You are [12](\.\d)? km from Benteng Fort Rotterdam"), timeout=20_000
        )
        assert stored(session) == []


def test_the_score_breakdown_keeps_whole_words_on_a_small_phone(
    chromium, live_server, field_day, make, session, clock
):
    event, group, tasks = field_day
    make.submission(
        event, group, tasks["photo"], idempotency_key="s1", status="accepted", answer=""
    )
    from webapp.services import judging

    judging.add_adjustment(
        session,
        event=event,
        group_id=group.id,
        points=-12.5,
        reason="Terlambat di titik kumpul",
        actor=make.account("ani@example.org"),
        now=clock(),
    )
    session.commit()
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="id-ID"
    )
    try:
        page = context.new_page()
        join(page, group)
        page.goto("/play/score")
        lines = page.evaluate("""() => [...document.querySelectorAll(
            '.breakdown td.num, .breakdown .meta')].map((cell) => {
                const text = document.createRange();
                text.selectNodeContents(cell);
                return [cell.textContent.trim(), text.getClientRects().length];
            })""")
        assert ["-12,5", 1] in lines and ["+40", 1] in lines and ["27,5", 1] in lines
        assert any(text.endswith("penyesuaian") and count == 1 for text, count in lines)
        assert all(count == 1 for _text, count in lines), lines  # points; time and kind
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


def test_the_two_minute_warning_goes_once_the_deadline_has_passed(small_phone, make, clock):
    clock.value = real_now()
    event = make.event(title="Jelajah", hours=3)
    group = make.group(event, "Kelompok Elang")
    make.task(
        event, "text", title="Kuis kilat", window={"after": "start", "offset": 0, "duration": 7.2}
    )  # closes about 130 s after the page opens
    page = small_phone().new_page()
    page.clock.install()
    join(page, group)
    warning = page.locator("#deadline-warning")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("00:12")
    expect(warning).to_have_text("Only 2 minutes left: Kuis kilat")
    page.clock.fast_forward("02:00")
    expect(page.locator(".countdown")).to_have_text("closed")
    expect(warning).to_be_hidden()


def test_an_announcement_keeps_its_button_word_whole_at_360_px(small_phone, make, clock, session):
    from webapp.services import board

    clock.value = real_now()
    event = make.event(title="Jelajah", hours=3)
    group = make.group(event, "Kelompok Elang")
    board.announce(
        session,
        event=event,
        text="Semua kelompok berkumpul kembali di pelataran Fort Rotterdam pukul 12.00 WITA",
        on_board=True,
        actor=make.account(),
        now=clock(),
    )
    session.commit()
    page = small_phone(locale="id-ID").new_page()
    join(page, group)
    button = page.locator(".announcement button")
    expect(button).to_have_text("Tutup")
    lines = button.evaluate(
        "(b) => { const r = document.createRange(); r.selectNodeContents(b);"
        " return r.getClientRects().length; }"
    )
    assert lines == 1 and button.bounding_box()["width"] > 30
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    button.click()
    expect(page.locator(".announcement")).to_have_count(0)
    page.reload()
    ready(page)
    expect(page.locator(".announcement")).to_have_count(0)  # dismissed stays dismissed


@pytest.mark.parametrize(
    ("locale", "where", "said"),
    [
        ("en-US", (-4.48650, 119.40545), "about 72 km away"),
        ("id-ID", (-5.18200, 119.40545), "sekitar 5,3 km lagi"),
        ("id-ID", (52.37, 4.89), re.compile(r"^sekitar 12\.10\d km lagi$")),
        ("id-ID", (-5.13600, 119.40545), "sekitar 227 m lagi"),
    ],
)
def test_the_distance_to_the_place_reads_in_km_in_the_readers_way(
    small_phone, field_day, locale, where, said
):
    event, group, tasks = field_day
    lat, lon = where
    page = small_phone(locale=locale, geolocation={"latitude": lat, "longitude": lon}).new_page()
    join(page, group)
    page.goto(f"/play/tasks/{tasks['checkin'].id}")
    ready(page)
    expect(page.locator(".place .distance")).to_have_text(said)
